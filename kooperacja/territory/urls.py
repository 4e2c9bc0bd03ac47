from django.urls import path

from kooperacja.territory import views

app_name = "territory"
urlpatterns = [path("", views.voivodeship_list, name="voivodeship_list")]
