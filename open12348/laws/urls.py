"""Public pages of the statute library, mounted at laws/ by config/urls.py."""

from django.urls import path

from open12348.laws import views

app_name = "laws"
urlpatterns = [
    path("", views.search, name="search"),
    path("<slug:source_id>/", views.law_detail, name="law"),
    path("<slug:source_id>/<slug:slug>/", views.article_detail, name="article"),
]
