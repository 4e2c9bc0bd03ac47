from django.urls import path

from kooperacja.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("institutions/<uuid:pk>/", views.institution_detail, name="institution_detail"),
    path("institutions/<uuid:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("institutions/<uuid:pk>/services/new/", views.service_create, name="service_create"),
    path("institutions/<uuid:pk>/locations/new/", views.location_create, name="location_create"),
    path("services/<uuid:pk>/", views.service_detail, name="service_detail"),
    path("services/<uuid:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<uuid:pk>/confirm-capacity/", views.service_confirm_capacity, name="service_confirm_capacity"),
    path("locations/<uuid:pk>/edit/", views.location_edit, name="location_edit"),
    path("partnerships/", views.partnership_list, name="partnership_list"),
    path("partnerships/<uuid:pk>/", views.partnership_detail, name="partnership_detail"),
    path("partnerships/<uuid:pk>/edit/", views.partnership_edit, name="partnership_edit"),
    path("partnerships/<uuid:pk>/members/new/", views.partnership_member_add, name="partnership_member_add"),
    path("partnerships/<uuid:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("members/<int:pk>/leave/", views.partnership_member_leave, name="partnership_member_leave"),
    path("members/<int:pk>/representatives/new/", views.representative_add, name="representative_add"),
    path("representatives/<int:pk>/remove/", views.representative_remove, name="representative_remove"),
    path("agreements/<uuid:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<uuid:pk>/file/", views.agreement_file, name="agreement_file"),
]
