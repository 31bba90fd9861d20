from django.urls import path

from . import views

app_name = "occupations"

urlpatterns = [
    path("occupations/<slug:slug>/", views.occupation_detail, name="occupation_detail"),
]
