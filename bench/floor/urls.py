"""The bench URLconf (ROOT_URLCONF of bench.settings only): never part of the product's URLs."""

from django.urls import path

from bench.floor import views

urlpatterns = [
    path("hello", views.hello),
    path("read/<int:pk>", views.read),
    path("create", views.create),
]
