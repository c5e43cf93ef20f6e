"""Pages of the self-service assistant, mounted at assist/ by config/urls.py (namespace "assist")."""

from django.urls import path

from open12348.assist import views

app_name = "assist"
urlpatterns = [
    path("", views.page, name="page"),
    path("ask/", views.ask, name="ask"),
    path("widget/", views.widget, name="widget"),
    path("clear/", views.clear, name="clear"),
]
