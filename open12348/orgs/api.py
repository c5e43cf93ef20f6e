"""API of the administrative tree (staff, scoped to their area) and of the service sites
(public). Mounted under /api/v1/ by open12348.api.urls."""

from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated

from open12348.api import schema
from open12348.api.authentication import token_org
from open12348.api.permissions import HasPermission, TokenScopePermission
from open12348.api.serializers import StrictSerializer
from open12348.api.views import PUBLIC, ApiViewMixin
from open12348.catalog.models import ServiceItem
from open12348.catalog.selectors import service_item_by_code
from open12348.orgs.models import OrgNode, Site, SiteContact, SiteQRCode, Window
from open12348.orgs.selectors import org_by_code, site_list, visible_orgs

ORG_TAG = _("行政区域")
SITE_TAG = _("服务站点")


class CanViewOrgs(HasPermission):
    perm = "orgs.view_orgnode"
    message = _("仅限工作人员查看行政区域。")


# --- Administrative tree ------------------------------------------------------------------


class OrgNodeSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True, help_text=_("层级名称"))
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("上级区划代码；顶层为 null")
    )

    class Meta:
        model = OrgNode
        fields = ["code", "name", "level", "level_display", "parent", "depth", "path"]
        read_only_fields = fields


class OrgQuerySerializer(StrictSerializer):
    level = serializers.ChoiceField(choices=OrgNode.Level.choices, required=False, help_text=_("只列出该层级"))
    under = serializers.CharField(
        max_length=12, required=False, help_text=_("只列出该区划代码（含）以下的区域；须在您的服务区域内")
    )


class OrgScopeMixin(ApiViewMixin):
    permission_classes = [IsAuthenticated, TokenScopePermission, CanViewOrgs]
    queryset = OrgNode.objects.none()  # the scoped queryset comes from get_queryset only

    def visible(self):
        if self.is_schema_generation():
            return OrgNode.objects.none()
        return visible_orgs(self.request.user, within=token_org(self.request))


@extend_schema(
    tags=[ORG_TAG],
    summary=_("行政区域列表"),
    description=_("您服务区域（令牌访问时为令牌限定区域）内的行政区域，按路径排序、平铺返回。仅限工作人员。"),
    parameters=[OrgQuerySerializer],
    responses={200: OrgNodeSerializer(many=True), **schema.STAFF_LIST_ERRORS},
)
class OrgListView(OrgScopeMixin, generics.ListAPIView):
    serializer_class = OrgNodeSerializer
    query_serializer_class = OrgQuerySerializer

    def get_queryset(self):
        orgs = self.visible()
        query = getattr(self, "query", {})  # absent while the schema is generated
        if under := query.get("under"):
            node = orgs.filter(code=under).first()
            # Outside the caller's area is the same as not existing: an empty list.
            orgs = orgs.filter(path__startswith=node.path) if node is not None else orgs.none()
        if level := query.get("level"):
            orgs = orgs.filter(level=level)
        return orgs.order_by("path")


@extend_schema(
    tags=[ORG_TAG],
    summary=_("行政区域详情"),
    description=_("不在您服务区域内的区域与不存在的区域一样返回 404。"),
    parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description=_("区划代码"))],
    responses={200: OrgNodeSerializer, **schema.STAFF_DETAIL_ERRORS},
)
class OrgDetailView(OrgScopeMixin, generics.RetrieveAPIView):
    serializer_class = OrgNodeSerializer
    lookup_field = "code"

    def get_queryset(self):
        return self.visible()


# --- Service sites (public) ---------------------------------------------------------------


class ServiceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceItem
        fields = ["code", "name"]
        read_only_fields = fields


class WindowSerializer(serializers.ModelSerializer):
    services = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text=_("该窗口办理的服务事项代码")
    )

    class Meta:
        model = Window
        fields = ["number", "name", "services"]
        read_only_fields = fields


class SiteContactSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True, help_text=_("角色名称"))

    class Meta:
        model = SiteContact
        fields = ["role", "role_display", "name", "phone"]
        read_only_fields = fields


class SiteQRCodeSerializer(serializers.ModelSerializer):
    image = serializers.ImageField(read_only=True, help_text=_("二维码图片地址"))

    class Meta:
        model = SiteQRCode
        fields = ["title", "image"]
        read_only_fields = fields


@extend_schema_field({"type": "number", "format": "double", "nullable": True})
class CoordinateField(serializers.FloatField):
    pass


class SiteSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text=_("站点类型名称"))
    org = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("所属区域的区划代码"))
    org_name = serializers.CharField(source="org.name", read_only=True, help_text=_("所属区域名称"))
    latitude = CoordinateField(read_only=True, allow_null=True, help_text=_("纬度"))
    longitude = CoordinateField(read_only=True, allow_null=True, help_text=_("经度"))
    services = ServiceRefSerializer(many=True, read_only=True, help_text=_("站点提供的服务事项"))
    windows = WindowSerializer(many=True, read_only=True, help_text=_("启用的服务窗口"))
    contacts = SiteContactSerializer(many=True, read_only=True, help_text=_("站点公示的联系人"))
    qr_codes = SiteQRCodeSerializer(many=True, read_only=True, help_text=_("微信群二维码"))

    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "org",
            "org_name",
            "address",
            "hours",
            "phone",
            "latitude",
            "longitude",
            "services",
            "windows",
            "contacts",
            "qr_codes",
        ]
        read_only_fields = fields


class SiteQuerySerializer(StrictSerializer):
    area = serializers.CharField(max_length=12, required=False, help_text=_("区划代码：只列出该区域（含下级）的站点"))
    kind = serializers.ChoiceField(choices=Site.Kind.choices, required=False, help_text=_("站点类型"))
    service = serializers.SlugField(max_length=40, required=False, help_text=_("服务事项代码：只列出提供该事项的站点"))

    def validate_area(self, value):
        node = org_by_code(value)
        if node is None:
            raise serializers.ValidationError(gettext("未找到该区划代码。"))
        return node

    def validate_service(self, value):
        if service_item_by_code(value) is None:
            raise serializers.ValidationError(gettext("未找到该服务事项代码。"))
        return value


class SiteViewMixin(ApiViewMixin):
    permission_classes = PUBLIC
    serializer_class = SiteSerializer
    queryset = Site.objects.none()


@extend_schema(
    tags=[SITE_TAG],
    summary=_("服务站点列表"),
    description=_(
        "启用的公共法律服务中心、工作站、工作室，含服务事项、窗口、公示联系人和微信群二维码。公开接口，无需登录。"
    ),
    parameters=[SiteQuerySerializer],
    responses={200: SiteSerializer(many=True), **schema.PUBLIC_LIST_ERRORS},
)
class SiteListView(SiteViewMixin, generics.ListAPIView):
    query_serializer_class = SiteQuerySerializer

    def get_queryset(self):
        if self.is_schema_generation():
            return Site.objects.none()
        query = self.query
        return site_list(area=query.get("area"), kind=query.get("kind", ""), service_code=query.get("service", ""))


@extend_schema(
    tags=[SITE_TAG],
    summary=_("服务站点详情"),
    description=_("公开接口，无需登录。未启用的站点返回 404。"),
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("站点编号"))],
    responses={200: SiteSerializer, **schema.PUBLIC_DETAIL_ERRORS},
)
class SiteDetailView(SiteViewMixin, generics.RetrieveAPIView):
    def get_queryset(self):
        if self.is_schema_generation():
            return Site.objects.none()
        return site_list()


urlpatterns = [
    path("orgs/", OrgListView.as_view(), name="org-list"),
    path("orgs/<slug:code>/", OrgDetailView.as_view(), name="org-detail"),
    path("sites/", SiteListView.as_view(), name="site-list"),
    path("sites/<int:pk>/", SiteDetailView.as_view(), name="site-detail"),
]
