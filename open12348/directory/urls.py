"""Public pages of the directory, mounted at directory/. PLACEHOLDER until the directory work lands."""

from django.http import HttpResponse
from django.urls import path

app_name = "directory"
urlpatterns = [path("", lambda request: HttpResponse(""), name="search")]
