from django.conf import settings

from open12348.audit import context


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = context.new_request_id()
        ip = context.client_ip(request.META, settings.TRUSTED_PROXY_COUNT)
        token = context.current.set(context.RequestContext(ip=ip, request_id=request.request_id))
        try:
            response = self.get_response(request)
        finally:
            context.current.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
