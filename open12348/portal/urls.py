from django.urls import path

from open12348.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("sites/", views.sites, name="sites"),
    path("preferences/", views.preferences, name="preferences"),
    path("after-login/", views.after_login, name="after-login"),
    path("console/", views.console, name="console"),
]
