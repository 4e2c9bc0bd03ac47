"""Models of monitoring: pilots and indicators (pilots.py), evaluation and knowledge (evaluation.py)."""

from kooperacja.monitoring.models.evaluation import *  # noqa: F403
from kooperacja.monitoring.models.pilots import *  # noqa: F403
