from django.contrib import admin
from django.urls import include, path

from open12348.core.views import healthz
from open12348.workorders import urls as workorder_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("open12348.accounts.urls")),
    path("api/", include("open12348.api.urls")),
    path("console/orders/", include("open12348.workorders.urls")),
    path("hall/", include("open12348.queuing.urls")),
    path("", include("open12348.content.urls")),  # news/…, d/<district>/…, console/content/…
    path("directory/", include("open12348.directory.urls")),
    path("requests/", include((workorder_urls.public_urlpatterns, "requests"))),
    path("consult/", include("open12348.consultations.urls")),
    path("laws/", include("open12348.laws.urls")),
    path("assist/", include("open12348.assist.urls")),
    path("", include("open12348.portal.urls")),
]
