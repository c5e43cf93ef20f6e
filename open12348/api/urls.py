"""Wiring only: each app keeps its endpoints in its own api.py."""

from django.urls import include, path, re_path

from open12348.api.views import DocsView, NotFoundView, SchemaView
from open12348.assist import api as assist_api
from open12348.assist import chat_api as assist_chat_api
from open12348.catalog import api as catalog_api
from open12348.consultations import api as consultations_api
from open12348.content import api as content_api
from open12348.directory import api as directory_api
from open12348.laws import api as laws_api
from open12348.orgs import api as orgs_api
from open12348.queuing import api as queuing_api
from open12348.workorders import api as workorders_api

app_name = "api"

v1 = [*orgs_api.urlpatterns, *catalog_api.urlpatterns, *workorders_api.urlpatterns, *queuing_api.urlpatterns]
v1 += content_api.urlpatterns
v1 += directory_api.urlpatterns
v1 += consultations_api.urlpatterns
v1 += laws_api.urlpatterns
v1 += assist_api.urlpatterns
v1 += assist_chat_api.urlpatterns

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    # Last: any other path under /api/ ending in "/" is a JSON 404 (paths without the slash
    # are first redirected to it by APPEND_SLASH, as for the real endpoints).
    re_path(r"^(?:.*/)?$", NotFoundView.as_view(), name="not-found"),
]
