"""Public pages of the directory, mounted at directory/."""

from django.urls import path

from open12348.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution"),
    path("practitioners/<int:pk>/", views.practitioner_detail, name="practitioner"),
    path("credit/", views.credit, name="credit"),
]
