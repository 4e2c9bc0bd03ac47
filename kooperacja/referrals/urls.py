from django.urls import path

from kooperacja.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("outbox/", views.outbox, name="outbox"),
    path("new/", views.referral_create, name="create"),
    path("metrics/", views.metrics, name="metrics"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("partnerships/<uuid:pk>/deadlines/", views.partnership_deadlines, name="partnership_deadlines"),
    path("<uuid:pk>/", views.referral_detail, name="detail"),
    path("<uuid:pk>/act/<slug:action>/", views.referral_act, name="act"),
    path("<uuid:pk>/comments/", views.comment_add, name="comment_add"),
]
