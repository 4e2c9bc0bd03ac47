from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic demo and scale data for every context (top layer: may import any context)."""

    name = "kooperacja.demo"
    label = "demo"
    verbose_name = "Demo data"
