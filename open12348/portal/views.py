from django.http import HttpResponse
from django.shortcuts import redirect


def home(request):
    return HttpResponse("Open12348")


def after_login(request):
    return redirect("portal:home")
