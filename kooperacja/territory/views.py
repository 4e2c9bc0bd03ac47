from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def voivodeship_list(request: HttpRequest) -> HttpResponse:
    return render(request, "territory/voivodeship_list.html")
