"""URLs of pilots, indicators and dashboards (country → macroregion → voivodeship → gmina)."""

from django.urls import URLPattern, path

from kooperacja.monitoring import views

urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("macroregions/<slug:code>/", views.macroregion, name="macroregion"),
    path("voivodeships/<str:code>/", views.voivodeship, name="voivodeship"),
    path("gminy/<str:code>/", views.gmina, name="gmina"),
    path("compare/", views.compare, name="compare"),
    path("pilots/", views.pilot_list, name="pilot_list"),
    path("pilots/new/", views.pilot_create, name="pilot_create"),
    path("pilots/<int:pk>/", views.pilot_detail, name="pilot_detail"),
    path("pilots/<int:pk>/edit/", views.pilot_edit, name="pilot_edit"),
    path("pilots/<int:pk>/report.pdf", views.pilot_report, name="pilot_report"),
    path("pilots/<int:pk>/support/new/", views.support_create, name="support_create"),
    path("pilots/<int:pk>/indicators/new/", views.pilot_custom_indicator_create, name="pilot_indicator_create"),
    path(
        "voivodeships/<str:code>/indicators/new/",
        views.voivodeship_custom_indicator_create,
        name="voivodeship_indicator_create",
    ),
    path("pilots/<int:pk>/agreement/", views.pilot_agreement_file, name="pilot_agreement_file"),
]
