"""URLs of monitoring: the pilots/indicators/dashboard part and the evaluation/knowledge part."""

from kooperacja.monitoring.urls_evaluation import urlpatterns as evaluation_urlpatterns
from kooperacja.monitoring.urls_pilots import urlpatterns as pilots_urlpatterns

app_name = "monitoring"
urlpatterns = [*pilots_urlpatterns, *evaluation_urlpatterns]
