"""The bench URLconf (ROOT_URLCONF of bench.settings only): never part of the product's URLs.
B0's bare views, and the product's API under /api/ exactly as config.urls mounts it (B1–B4),
and the hall pages (B10: the ticket API reverses the phone page)."""

from django.urls import include, path

from bench.floor import views

urlpatterns = [
    path("hello", views.hello),
    path("read/<int:pk>", views.read),
    path("create", views.create),
    path("api/", include("open12348.api.urls")),
    path("hall/", include("open12348.queuing.urls")),  # B10: the ticket API links to the phone page
]
