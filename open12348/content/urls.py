"""Public pages of publishing (news/…, the district sub-sites d/<code>/…) and the editors'
console (console/content/…). PLACEHOLDER until the content work lands."""

from django.http import HttpResponse
from django.urls import path

app_name = "content"
urlpatterns = [path("news/", lambda request: HttpResponse(""), name="list")]
