from django.urls import path

from kooperacja.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.home, name="home"),
    path("my-actions/", views.my_actions, name="my_actions"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/members/add/", views.member_add, name="member_add"),
    path("teams/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("teams/<int:pk>/plans/new/", views.workplan_create, name="workplan_create"),
    path("plans/<int:pk>/items/add/", views.workplan_item_add, name="workplan_item_add"),
    path("plan-items/<int:pk>/status/", views.workplan_item_status, name="workplan_item_status"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/status/", views.meeting_status, name="meeting_status"),
    path("meetings/<int:pk>/agenda/add/", views.agenda_item_add, name="agenda_item_add"),
    path("meetings/<int:pk>/invitations/send/", views.invitations_send, name="invitations_send"),
    path("meetings/<int:pk>/days/<int:day_pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/decisions/add/", views.decision_create, name="decision_create"),
    path("meetings/<int:pk>/actions/add/", views.action_item_create, name="action_item_create"),
    path("meetings/<int:pk>/minutes.pdf", views.meeting_minutes_pdf, name="meeting_minutes_pdf"),
    path("meetings/<int:pk>/attendance.pdf", views.meeting_attendance_pdf, name="meeting_attendance_pdf"),
    path("meetings/<int:pk>/actions.<str:fmt>", views.action_items_export, name="action_items_export"),
    path("meetings/<int:pk>/conclusions/add/", views.conclusion_add, name="conclusion_add"),
    path("meetings/<int:pk>/subgroups/add/", views.subgroup_create, name="subgroup_create"),
    path("meetings/<int:pk>/documents/add/", views.document_upload, name="document_upload"),
    path("meetings/<int:pk>/plan-draft/", views.workplan_draft, name="workplan_draft"),
    path("decisions/<int:pk>/plan-task/", views.decision_plan_task, name="decision_plan_task"),
    path("invitations/<int:pk>/reply/", views.invitation_reply, name="invitation_reply"),
    path("reply/<str:token>/", views.reply_by_link, name="reply_by_link"),
    path("agenda/<int:pk>/minutes/", views.minutes_edit, name="minutes_edit"),
    path("actions/<int:pk>/status/", views.action_item_status, name="action_item_status"),
    path("subgroups/<int:pk>/", views.subgroup_edit, name="subgroup_edit"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
]
