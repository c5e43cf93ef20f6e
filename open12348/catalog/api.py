"""API of the public service catalog (基本项目清单) and the legal category tree. Public:
the catalog is what every service center publishes. Mounted under /api/v1/catalog/."""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers

from open12348.api import schema
from open12348.api.serializers import StrictSerializer
from open12348.api.views import PUBLIC, ApiViewMixin
from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.catalog.selectors import legal_category_tree, service_item_by_code, service_item_list

TAG = _("服务事项目录")


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class MaterialsField(serializers.JSONField):
    pass


class ServiceItemSerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True, help_text=_("类别名称"))
    time_limit_days = serializers.IntegerField(read_only=True, help_text=_("办理时限（工作日）"))
    materials = MaterialsField(read_only=True, help_text=_("所需材料"))
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceItem.Channel.choices), read_only=True, help_text=_("办理渠道代码")
    )
    channels_display = serializers.ListField(
        source="channel_labels", child=serializers.CharField(), read_only=True, help_text=_("办理渠道名称")
    )

    class Meta:
        model = ServiceItem
        fields = [
            "code",
            "name",
            "category",
            "category_display",
            "responsible_body",
            "time_limit_days",
            "time_limit_note",
            "materials",
            "fee_note",
            "is_free",
            "channels",
            "channels_display",
            "description",
            "basis",
            "is_core",
        ]
        read_only_fields = fields


class ServiceItemQuerySerializer(StrictSerializer):
    category = serializers.ChoiceField(choices=ServiceItem.Category.choices, required=False, help_text=_("事项类别"))
    channel = serializers.ChoiceField(choices=ServiceItem.Channel.choices, required=False, help_text=_("办理渠道"))


class LegalSubcategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalCategory
        fields = ["code", "name"]
        read_only_fields = fields


class LegalCategorySerializer(serializers.ModelSerializer):
    children = LegalSubcategorySerializer(many=True, read_only=True, help_text=_("下级类别"))

    class Meta:
        model = LegalCategory
        fields = ["code", "name", "children"]
        read_only_fields = fields


class CatalogViewMixin(ApiViewMixin):
    permission_classes = PUBLIC


@extend_schema(
    tags=[TAG],
    summary=_("服务事项列表"),
    description=_("启用的公共法律服务事项，按目录顺序。公开接口，无需登录。"),
    parameters=[ServiceItemQuerySerializer],
    responses={200: ServiceItemSerializer(many=True), **schema.PUBLIC_LIST_ERRORS},
)
class ServiceItemListView(CatalogViewMixin, generics.ListAPIView):
    serializer_class = ServiceItemSerializer
    query_serializer_class = ServiceItemQuerySerializer
    queryset = ServiceItem.objects.none()

    def get_queryset(self):
        if self.is_schema_generation():
            return ServiceItem.objects.none()
        return service_item_list(category=self.query.get("category", ""), channel=self.query.get("channel", ""))


@extend_schema(
    tags=[TAG],
    summary=_("服务事项详情"),
    description=_("按稳定的事项代码查询。公开接口，无需登录。"),
    parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description=_("服务事项代码"))],
    responses={200: ServiceItemSerializer, **schema.PUBLIC_DETAIL_ERRORS},
)
class ServiceItemDetailView(CatalogViewMixin, generics.RetrieveAPIView):
    serializer_class = ServiceItemSerializer
    queryset = ServiceItem.objects.none()
    lookup_field = "code"

    def get_object(self):
        item = service_item_by_code(self.kwargs["code"])
        if item is None:
            raise Http404
        self.check_object_permissions(self.request, item)
        return item


@extend_schema(
    tags=[TAG],
    summary=_("法律类别树"),
    description=_("顶层为 20 个法律类别，children 为其下级类别。公开接口，无需登录。"),
    responses={200: LegalCategorySerializer(many=True), **schema.PUBLIC_LIST_ERRORS},
)
class LegalCategoryListView(CatalogViewMixin, generics.ListAPIView):
    serializer_class = LegalCategorySerializer
    queryset = LegalCategory.objects.none()
    pagination_class = None

    def get_queryset(self):
        if self.is_schema_generation():
            return LegalCategory.objects.none()
        return legal_category_tree()


urlpatterns = [
    path("catalog/items/", ServiceItemListView.as_view(), name="catalog-item-list"),
    path("catalog/items/<slug:code>/", ServiceItemDetailView.as_view(), name="catalog-item-detail"),
    path("catalog/categories/", LegalCategoryListView.as_view(), name="catalog-category-list"),
]
