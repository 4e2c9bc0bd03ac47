from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from kooperacja.accounts import views as account_views
from kooperacja.api import api
from kooperacja.core import views as core_views

admin.site.site_header = "Kooperacja — administracja"
admin.site.site_title = "Kooperacja"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("api/hsds/", include("kooperacja.directory.hsds_urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("kooperacja.accounts.urls")),
    path("territory/", include("kooperacja.territory.urls")),
    path("directory/", include("kooperacja.directory.urls")),
    path("people/", include("kooperacja.people.urls")),
    path("privacy/", include("kooperacja.privacy.urls")),
    path("cases/", include("kooperacja.cases.urls")),
    path("referrals/", include("kooperacja.referrals.urls")),
    path("governance/", include("kooperacja.governance.urls")),
    path("monitoring/", include("kooperacja.monitoring.urls")),
    path("", include("kooperacja.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

__all__ = ["urlpatterns", "i18n_patterns"]
