from django.urls import path

from kooperacja.people import views

app_name = "people"

urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.person_create, name="person_create"),
    path("<uuid:pk>/", views.person_detail, name="person_detail"),
    path("<uuid:pk>/edit/", views.person_edit, name="person_edit"),
    path("<uuid:pk>/merge/", views.person_merge, name="person_merge"),
    path("merges/<int:pk>/undo/", views.person_unmerge, name="person_unmerge"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<uuid:pk>/", views.household_detail, name="household_detail"),
    path("households/<uuid:pk>/members/add/", views.member_add, name="member_add"),
    path("households/members/<int:pk>/end/", views.member_end, name="member_end"),
]
