from django.urls import path, re_path

from kooperacja.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.voivodeship_list, name="voivodeship_list"),
    re_path(r"^county/(?P<code>\d{4})/$", views.county_detail, name="county_detail"),
    re_path(r"^gmina/(?P<code>\d{7})/$", views.gmina_detail, name="gmina_detail"),
    re_path(r"^(?P<code>\d{2})/$", views.voivodeship_detail, name="voivodeship_detail"),
]
