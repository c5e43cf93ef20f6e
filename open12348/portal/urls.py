from django.urls import path

from open12348.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("life/<slug:slug>/", views.life_event, name="life-event"),
    path("me/", views.me, name="me"),
    path("me/requests/<str:code>/track/", views.me_track, name="me-track"),
    path("me/reads/clear/", views.me_reads_clear, name="me-reads-clear"),
    path("exit/", views.quick_exit_page, name="exit"),
    path("sites/", views.sites, name="sites"),
    path("preferences/", views.preferences, name="preferences"),
    path("after-login/", views.after_login, name="after-login"),
    path("console/", views.console, name="console"),
]
