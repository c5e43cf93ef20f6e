"""The base every API view builds on, the schema and docs views, and the JSON 404 for
unknown paths under /api/."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.mixins import ListModelMixin
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from open12348.api.permissions import TokenScopePermission
from open12348.api.serializers import validate_query_params

STAFF = [IsAuthenticated, TokenScopePermission]
PUBLIC = [AllowAny, TokenScopePermission]


class ApiViewMixin:
    """Staff-only by default; read tokens only read. Query parameters are validated
    against `query_serializer_class` (plus pagination on list views) before the view runs,
    and after authentication, so that an anonymous caller gets a 401, not a 400.

    OPTIONS is not served: DRF's metadata would echo the class docstring."""

    permission_classes = STAFF
    metadata_class = None
    query_serializer_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.query = validate_query_params(request, self.query_serializer_class, extra=self.allowed_extra_params())

    def allowed_extra_params(self) -> set[str]:
        names = {"format"}
        paginator = getattr(self, "paginator", None)
        if isinstance(self, ListModelMixin) and paginator is not None:
            names |= {paginator.page_query_param, paginator.page_size_query_param}
        return names

    def is_schema_generation(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document, public and independent of who asks."""

    authentication_classes = []
    permission_classes = [AllowAny]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's local files. The split view serves its start-up script
    as a separate file (`?script`), and our template has no inline style, so the page runs
    under our CSP (`script-src 'self' 'nonce-…'`, `style-src 'self' 'nonce-…'`) unchanged."""

    authentication_classes = []
    permission_classes = [AllowAny]
    template_name = "api/swagger_ui.html"
    title = gettext_lazy("Open12348 开放接口文档")

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is not None:
            ui_settings = spectacular_settings.SWAGGER_UI_SETTINGS
            if isinstance(ui_settings, dict):
                # The online validator badge would send the schema URL to swagger.io.
                response.data["settings"] = self._dump({**ui_settings, "validatorUrl": None})
        else:
            response.data["schema_url"] = self._get_schema_url(request)
        return response


class NotFoundView(APIView):
    """Any other path under /api/: a JSON 404 in Chinese rather than the site's HTML page."""

    authentication_classes = []
    permission_classes = [AllowAny]
    schema = None
    metadata_class = None

    def initial(self, request, *args, **kwargs):
        raise NotFound(_("接口不存在，请查看 /api/docs/ 中的接口列表。"))
