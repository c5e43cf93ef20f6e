"""Hall pages, mounted at hall/ (namespace "queuing"): device pages by secret key, the
phone follow page, the window console and the director's statistics and devices."""

from django.urls import path

from open12348.queuing import views

app_name = "queuing"
urlpatterns = [
    # Devices (no account: the key in the URL authorises the page).
    path("d/<str:key>/", views.device_page, name="device"),
    path("d/<str:key>/heartbeat", views.device_heartbeat, name="device-heartbeat"),
    path("d/<str:key>/take/", views.kiosk_take, name="kiosk-take"),
    path("d/<str:key>/check-in/", views.kiosk_check_in, name="kiosk-check-in"),
    path("d/<str:key>/ticket/<str:follow_code>/", views.kiosk_ticket, name="kiosk-ticket"),
    path("d/<str:key>/pending/", views.evaluator_pending, name="evaluator-pending"),
    path("d/<str:key>/evaluate/", views.evaluator_submit, name="evaluator-submit"),
    # Citizens' phones.
    path("t/<str:follow_code>/", views.follow, name="follow"),
    # The staff board's photos (published on displays and kiosks, D5).
    path("staff/<int:pk>/photo/", views.staff_photo, name="staff-photo"),
    # Window console.
    path("windows/", views.window_list, name="windows"),
    path("windows/<int:pk>/", views.console, name="console"),
    path("windows/<int:pk>/open/", views.window_open, name="window-open"),
    path("windows/<int:pk>/close/", views.window_close, name="window-close"),
    path("windows/<int:pk>/act/", views.console_act, name="console-act"),
    path("windows/<int:pk>/finish/", views.console_finish, name="console-finish"),
    # Director.
    path("sites/<int:pk>/stats/", views.site_stats, name="site-stats"),
    path("sites/<int:pk>/devices/", views.site_devices, name="site-devices"),
]
