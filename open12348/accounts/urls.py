from django.urls import path

from open12348.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("otp/", views.otp_verify, name="otp"),
    path("otp/setup/", views.otp_setup, name="otp-setup"),
    path("password/", views.password_change, name="password-change"),
    path("profile/", views.profile, name="profile"),
]
