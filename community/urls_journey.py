from django.urls import path

from community import views_journey

urlpatterns = [
    path("journey/", views_journey.journey, name="journey"),
]
