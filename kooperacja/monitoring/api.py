"""Monitoring in the JSON API: one router made of the pilots/indicators part and the evaluation part."""

from ninja import Router

from kooperacja.monitoring.api_evaluation import router as evaluation_router
from kooperacja.monitoring.api_pilots import router as pilots_router

router = Router(tags=["monitoring"])
router.add_router("", pilots_router)
router.add_router("", evaluation_router)
