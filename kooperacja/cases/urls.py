from django.urls import path

from kooperacja.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("tasks/", views.inbox, name="inbox"),
    path("tasks/<int:task_pk>/", views.task_detail, name="task"),
    path("new/", views.case_open, name="open"),
    path("plans/<int:plan_pk>/approve/", views.plan_approve, name="plan_approve"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/qualify/", views.qualify, name="qualify"),
    path("<uuid:pk>/advance/", views.advance, name="advance"),
    path("<uuid:pk>/team/", views.team, name="team"),
    path("<uuid:pk>/team/<int:member_pk>/remove/", views.team_remove, name="team_remove"),
    path("<uuid:pk>/assessment/", views.assessment, name="assessment"),
    path("<uuid:pk>/plan/", views.plan, name="plan"),
    path("<uuid:pk>/plan/new-version/", views.plan_new_version, name="plan_new_version"),
    path("<uuid:pk>/reviews/new/", views.review_add, name="review_add"),
    path("<uuid:pk>/notes/new/", views.note_add, name="note_add"),
    path("<uuid:pk>/close/", views.close, name="close"),
]
