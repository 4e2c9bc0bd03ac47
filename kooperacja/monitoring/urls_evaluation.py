"""URLs of evaluation and knowledge: questionnaires, findings and recommendations, good practices."""

from django.urls import URLPattern, path

from kooperacja.monitoring import views_evaluation as views

urlpatterns: list[URLPattern] = [
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", views.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:pk>/edit/", views.questionnaire_edit, name="questionnaire_edit"),
    path("questionnaires/<int:pk>/status/", views.questionnaire_status, name="questionnaire_status"),
    path("questionnaires/<int:pk>/questions/new/", views.question_create, name="question_create"),
    path("questionnaires/<int:pk>/links/", views.invitation_create, name="invitation_create"),
    path("questionnaires/<int:pk>/answer/", views.questionnaire_answer, name="questionnaire_answer"),
    path("questionnaires/<int:pk>/results/", views.questionnaire_results, name="questionnaire_results"),
    path("questionnaires/<int:pk>/results.csv", views.questionnaire_results_csv, name="questionnaire_results_csv"),
    path("questions/<int:pk>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("answer/<str:token>/", views.answer_with_link, name="answer_with_link"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path("recommendations/new/", views.recommendation_create, name="recommendation_create"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation_edit"),
    path("recommendations/<int:pk>/status/", views.recommendation_status, name="recommendation_status"),
    path("practices/", views.practice_list, name="practice_list"),
    path("practices/new/", views.practice_create, name="practice_create"),
    path("practices/<int:pk>/", views.practice_detail, name="practice_detail"),
    path("practices/<int:pk>/edit/", views.practice_edit, name="practice_edit"),
]
