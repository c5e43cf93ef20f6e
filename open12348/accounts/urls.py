from django.http import HttpResponse
from django.urls import path

app_name = "accounts"


def _todo(request):
    return HttpResponse("todo")


urlpatterns = [
    path("login/", _todo, name="login"),
    path("otp/", _todo, name="otp"),
    path("password/", _todo, name="password-change"),
]
