from django.urls import path

from open12348.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("after-login/", views.after_login, name="after-login"),
]
