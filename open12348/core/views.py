from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from open12348.core import health


@never_cache
@require_GET
def healthz(request):
    """200 only when healthy: monitoring and load balancers take anything else as down."""
    body = health.report()
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
