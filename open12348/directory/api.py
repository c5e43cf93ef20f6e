"""Public, read-only API of the directory: institutions, practitioners and the credit look-up.
Mounted under /api/v1/ by open12348.api.urls."""

from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.response import Response

from open12348.api import schema
from open12348.api.pagination import Pagination
from open12348.api.serializers import StrictSerializer
from open12348.api.views import PUBLIC, ApiViewMixin
from open12348.catalog.models import LegalCategory
from open12348.catalog.selectors import legal_category_by_code
from open12348.directory import selectors
from open12348.directory.models import CreditRecord, Institution, Practitioner
from open12348.orgs.api import CoordinateField
from open12348.orgs.selectors import org_by_code

TAG = _("机构名录")


class DirectoryPagination(Pagination):
    page_size = selectors.PER_PAGE
    max_page_size = 100
    page_size_query_description = _("每页条数，默认 20，最多 100。")


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalCategory
        fields = ["code", "name"]
        read_only_fields = fields


class CreditRecordSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text=_("记录类型名称"))

    class Meta:
        model = CreditRecord
        fields = [
            "kind",
            "kind_display",
            "decided_on",
            "reason",
            "measure",
            "issuing_body",
            "document_no",
            "public_until",
        ]
        read_only_fields = fields


class InstitutionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class PractitionerRefSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text=_("人员类型名称"))

    class Meta:
        model = Practitioner
        fields = ["id", "name", "kind", "kind_display", "is_fictitious"]
        read_only_fields = fields


class InstitutionSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text=_("机构类型名称"))
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("所在区域的区划代码"))
    area_name = serializers.CharField(source="area.name", read_only=True, help_text=_("所在区域名称"))
    latitude = CoordinateField(read_only=True, allow_null=True, help_text=_("纬度"))
    longitude = CoordinateField(read_only=True, allow_null=True, help_text=_("经度"))
    specialties = CategoryRefSerializer(many=True, read_only=True, help_text=_("业务专长（法律类别）"))
    is_fictitious = serializers.BooleanField(read_only=True, help_text=_("演示用虚构数据"))

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "credit_code",
            "licence_no",
            "founded_on",
            "leader",
            "team_size",
            "area",
            "area_name",
            "address",
            "latitude",
            "longitude",
            "phone",
            "specialties",
            "introduction",
            "is_fictitious",
        ]
        read_only_fields = fields


class InstitutionDetailSerializer(InstitutionSerializer):
    members = PractitionerRefSerializer(
        source="public_members", many=True, read_only=True, help_text=_("公示的执业人员")
    )
    credit_records = CreditRecordSerializer(
        source="shown_records", many=True, read_only=True, help_text=_("公示期内的信用记录")
    )

    class Meta(InstitutionSerializer.Meta):
        fields = [*InstitutionSerializer.Meta.fields, "members", "credit_records"]
        read_only_fields = fields


class PractitionerSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text=_("人员类型名称"))
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("所在区域的区划代码"))
    area_name = serializers.CharField(source="area.name", read_only=True, help_text=_("所在区域名称"))
    institution = InstitutionRefSerializer(read_only=True, allow_null=True, help_text=_("执业机构"))
    years_of_practice = serializers.SerializerMethodField(help_text=_("执业年限（整年，按首次执业日期计算）"))
    specialties = CategoryRefSerializer(many=True, read_only=True, help_text=_("业务专长（法律类别）"))
    photo = serializers.ImageField(read_only=True, allow_null=True, help_text=_("照片地址"))
    is_fictitious = serializers.BooleanField(read_only=True, help_text=_("演示用虚构数据"))

    class Meta:
        model = Practitioner
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "licence_no",
            "practising_since",
            "years_of_practice",
            "institution",
            "area",
            "area_name",
            "specialties",
            "languages",
            "photo",
            "introduction",
            "is_fictitious",
        ]
        read_only_fields = fields

    def get_years_of_practice(self, practitioner) -> int | None:
        return selectors.years_of_practice(practitioner.practising_since)


class ServiceCountSerializer(serializers.Serializer):
    category = serializers.CharField(help_text=_("服务类别"))
    count = serializers.IntegerField(help_text=_("件数"))


class ServiceCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("在本平台办结的服务件数"))
    by_category = ServiceCountSerializer(many=True, help_text=_("按服务类别"))


class PractitionerDetailSerializer(PractitionerSerializer):
    service_counts = serializers.SerializerMethodField(help_text=_("平台服务记录：作为承办人办结的工单数"))
    credit_records = CreditRecordSerializer(
        source="shown_records", many=True, read_only=True, help_text=_("公示期内的信用记录")
    )

    class Meta(PractitionerSerializer.Meta):
        fields = [*PractitionerSerializer.Meta.fields, "service_counts", "credit_records"]
        read_only_fields = fields

    def get_service_counts(self, practitioner) -> ServiceCountsSerializer:
        counts = selectors.service_counts(practitioner.user if practitioner.user_id else None)
        return {
            "total": counts.total,
            "by_category": [{"category": label, "count": count} for label, count in counts.by_category],
        }


class SearchQuerySerializer(StrictSerializer):
    specialty = serializers.SlugField(
        max_length=40, required=False, help_text=_("法律类别代码：只列出有该专长（含其下级类别）的")
    )
    area = serializers.CharField(max_length=12, required=False, help_text=_("区划代码：只列出该区域（含下级）的"))

    def validate_specialty(self, value):
        category = legal_category_by_code(value)
        if category is None:
            raise serializers.ValidationError(gettext("未找到该法律类别代码。"))
        return category

    def validate_area(self, value):
        node = org_by_code(value)
        if node is None:
            raise serializers.ValidationError(gettext("未找到该区划代码。"))
        return node


class InstitutionQuerySerializer(SearchQuerySerializer):
    kind = serializers.ChoiceField(choices=Institution.Kind.choices, required=False, help_text=_("机构类型"))
    q = serializers.CharField(max_length=50, required=False, help_text=_("名称或地址包含的文字"))


class PractitionerQuerySerializer(SearchQuerySerializer):
    kind = serializers.ChoiceField(choices=Practitioner.Kind.choices, required=False, help_text=_("人员类型"))
    q = serializers.CharField(max_length=50, required=False, help_text=_("姓名包含的文字"))


class CreditQuerySerializer(StrictSerializer):
    q = serializers.CharField(
        min_length=selectors.CREDIT_QUERY_MIN,
        max_length=selectors.CREDIT_QUERY_MAX,
        help_text=_("姓名或机构名称（包含即可，至少2个字），或完整的执业证号、统一社会信用代码"),
        error_messages={
            "required": _("请提供查询参数 q：姓名、机构名称或执业证号。"),
            "blank": _("请提供查询参数 q：姓名、机构名称或执业证号。"),
            "min_length": _("请输入至少{min_length}个字再查询。"),
            "max_length": _("查询文字不能超过{max_length}个字。"),
        },
    )


class CreditSubjectSerializer(serializers.Serializer):
    subject_type = serializers.ChoiceField(
        choices=[("institution", _("机构")), ("practitioner", _("人员"))], help_text=_("机构或人员")
    )
    id = serializers.IntegerField(help_text=_("机构或人员编号"))
    name = serializers.CharField(help_text=_("名称或姓名"))
    kind = serializers.CharField(help_text=_("类型代码"))
    kind_display = serializers.CharField(help_text=_("类型名称"))
    licence_no = serializers.CharField(help_text=_("执业（许可）证号"))
    area = serializers.CharField(help_text=_("所在区域的区划代码"))
    is_fictitious = serializers.BooleanField(help_text=_("演示用虚构数据"))
    credit_records = CreditRecordSerializer(many=True, help_text=_("公示期内的信用记录"))


def _credit_subject(item: selectors.CreditSubject) -> dict:
    subject = item.subject
    return {
        "subject_type": item.kind,
        "id": subject.pk,
        "name": subject.name,
        "kind": subject.kind,
        "kind_display": subject.get_kind_display(),
        "licence_no": subject.licence_no,
        "area": subject.area.code,
        "is_fictitious": subject.is_fictitious,
        "credit_records": CreditRecordSerializer(item.records, many=True).data,
    }


class DirectoryViewMixin(ApiViewMixin):
    """Public and read-only: any other method is a 405 before the query is checked."""

    permission_classes = PUBLIC
    pagination_class = DirectoryPagination

    def initial(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


@extend_schema(
    tags=[TAG],
    summary=_("法律服务机构列表"),
    description=_("公开的法律服务机构，按区域、类型、名称排序，每页 20 条。公开接口，无需登录。"),
    parameters=[InstitutionQuerySerializer],
    responses={200: InstitutionSerializer(many=True), **schema.PUBLIC_LIST_ERRORS},
)
class InstitutionListView(DirectoryViewMixin, generics.ListAPIView):
    serializer_class = InstitutionSerializer
    query_serializer_class = InstitutionQuerySerializer
    queryset = Institution.objects.none()

    def get_queryset(self):
        if self.is_schema_generation():
            return Institution.objects.none()
        return selectors.institution_search(**self.query)


@extend_schema(
    tags=[TAG],
    summary=_("法律服务机构详情"),
    description=_("含公示的执业人员和公示期内的信用记录。公开接口，无需登录。"),
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("机构编号"))],
    responses={200: InstitutionDetailSerializer, **schema.PUBLIC_DETAIL_ERRORS},
)
class InstitutionDetailView(DirectoryViewMixin, generics.RetrieveAPIView):
    serializer_class = InstitutionDetailSerializer
    queryset = Institution.objects.none()

    def get_object(self):
        institution = selectors.institution_public(self.kwargs["pk"])
        if institution is None:
            raise NotFound
        return institution


@extend_schema(
    tags=[TAG],
    summary=_("法律服务人员列表"),
    description=_("公开的法律服务人员，按姓名排序，每页 20 条。公开接口，无需登录。"),
    parameters=[PractitionerQuerySerializer],
    responses={200: PractitionerSerializer(many=True), **schema.PUBLIC_LIST_ERRORS},
)
class PractitionerListView(DirectoryViewMixin, generics.ListAPIView):
    serializer_class = PractitionerSerializer
    query_serializer_class = PractitionerQuerySerializer
    queryset = Practitioner.objects.none()

    def get_queryset(self):
        if self.is_schema_generation():
            return Practitioner.objects.none()
        return selectors.practitioner_search(**self.query)


@extend_schema(
    tags=[TAG],
    summary=_("法律服务人员详情"),
    description=_("含执业年限、平台服务记录和公示期内的信用记录。公开接口，无需登录。"),
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("人员编号"))],
    responses={200: PractitionerDetailSerializer, **schema.PUBLIC_DETAIL_ERRORS},
)
class PractitionerDetailView(DirectoryViewMixin, generics.RetrieveAPIView):
    serializer_class = PractitionerDetailSerializer
    queryset = Practitioner.objects.none()

    def get_queryset(self):
        if self.is_schema_generation():
            return Practitioner.objects.none()
        return selectors.practitioner_public_qs()


@extend_schema(
    tags=[TAG],
    summary=_("信用信息查询"),
    description=_(
        "按姓名、机构名称（包含即可）或完整的执业证号、统一社会信用代码查询机构和人员，"
        "返回每个对象公示期内的行政处罚、行业惩戒记录（无记录时为空列表）。公开接口，无需登录。"
    ),
    parameters=[CreditQuerySerializer],
    responses={200: CreditSubjectSerializer(many=True), 400: schema.BAD_REQUEST},
)
class CreditLookupView(DirectoryViewMixin, generics.GenericAPIView):
    serializer_class = CreditSubjectSerializer
    query_serializer_class = CreditQuerySerializer
    pagination_class = None

    def get(self, request, *args, **kwargs):
        subjects = selectors.credit_lookup(self.query["q"])
        return Response([_credit_subject(item) for item in subjects])


urlpatterns = [
    path("directory/institutions/", InstitutionListView.as_view(), name="directory-institution-list"),
    path("directory/institutions/<int:pk>/", InstitutionDetailView.as_view(), name="directory-institution-detail"),
    path("directory/practitioners/", PractitionerListView.as_view(), name="directory-practitioner-list"),
    path(
        "directory/practitioners/<int:pk>/",
        PractitionerDetailView.as_view(),
        name="directory-practitioner-detail",
    ),
    path("directory/credit/", CreditLookupView.as_view(), name="directory-credit"),
]
