from django.urls import path

from kooperacja.privacy import views

app_name = "privacy"


urlpatterns = [
    path("persons/<uuid:person_id>/consents/", views.person_consents, name="person_consents"),
    path("persons/<uuid:person_id>/consents/new/", views.consent_create, name="consent_create"),
    path("persons/<uuid:person_id>/report/", views.person_report, name="person_report"),
    path("persons/<uuid:person_id>/report.pdf", views.person_report_pdf, name="person_report_pdf"),
    path("consents/<int:pk>/", views.consent_detail, name="consent_detail"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("consents/<int:pk>/document/", views.consent_document, name="consent_document"),
    path("dpo/", views.dpo_home, name="dpo_home"),
    path("dpo/access-log/", views.access_log, name="access_log"),
]
for register in ("activity", "breach", "request", "retention"):
    urlpatterns += [
        path(f"dpo/{register}/", views.register_list, {"register": register}, name=f"{register}_list"),
        path(f"dpo/{register}/new/", views.register_create, {"register": register}, name=f"{register}_create"),
        path(f"dpo/{register}/<int:pk>/", views.register_edit, {"register": register}, name=f"{register}_edit"),
    ]
urlpatterns += [
    path("dpo/activity/<int:pk>/delete/", views.register_delete, {"register": "activity"}, name="activity_delete"),
    path("dpo/retention/<int:pk>/delete/", views.register_delete, {"register": "retention"}, name="retention_delete"),
]
