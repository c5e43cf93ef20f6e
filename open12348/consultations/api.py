"""API of online consultation (issue 5 item 9): the public list and page of questions, and —
signed in — asking, answering, following up, adopting and rating. Mounted under /api/v1/ by
open12348.api.urls.

Writes go through `consultations.services`, reads and who-sees-what through
`consultations.selectors`. A question the caller may not see is a 404 (never a 403: no
enumeration); a state that forbids the action (adopted, closed, answered twice) is a 409."""

import uuid

from django.conf import settings
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from open12348.api import schema
from open12348.api.errors import Conflict
from open12348.api.permissions import TokenScopePermission
from open12348.api.serializers import StrictSerializer
from open12348.api.views import PUBLIC, ApiViewMixin
from open12348.audit.context import client_ip
from open12348.catalog.selectors import legal_category_by_code
from open12348.consultations import selectors, services
from open12348.consultations.models import Answer, Consultation, Message
from open12348.orgs.selectors import org_by_code

TAG = _("在线咨询")
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 64
SIGNED_IN = [IsAuthenticated, TokenScopePermission]


class RateLimited(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("提问过于频繁，请一小时后再试；急事请拨打12348热线。")
    default_code = "rate_limited"


def _call(function, **kwargs):
    """A service call, its state refusal as a 409 (the error handler turns PermissionDenied
    into a 403 and ValidationError into a 400 by itself)."""
    try:
        return function(**kwargs)
    except services.ConsultationConflict as error:
        raise Conflict(error.messages[0]) from None


def visible_consultation(request, pk) -> Consultation:
    consultation = selectors.consultation_detail(pk)
    if not selectors.consultation_visible_to(request.user, consultation):
        raise Http404
    return consultation


# --- Serializers -------------------------------------------------------------------------------


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text=_("法律类别代码"))
    name = serializers.CharField(read_only=True, help_text=_("法律类别名称"))


class ConsultationListSerializer(serializers.ModelSerializer):
    title = serializers.CharField(
        source="public_title", read_only=True, help_text=_("标题（已遮盖身份证号、电话号码）")
    )
    body = serializers.CharField(
        source="public_body", read_only=True, help_text=_("问题描述（已遮盖身份证号、电话号码）")
    )
    category = CategorySerializer(source="legal_category", read_only=True, help_text=_("法律类别"))
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text=_("状态名称"))
    area = serializers.CharField(source="area.code", read_only=True, help_text=_("所在区域的区划代码"))
    area_name = serializers.CharField(source="area.name", read_only=True, help_text=_("所在区域名称"))
    answers = serializers.SerializerMethodField(help_text=_("解答数"))

    class Meta:
        model = Consultation
        fields = [
            "id",
            "title",
            "body",
            "category",
            "status",
            "status_display",
            "area",
            "area_name",
            "created_at",
            "answers",
            "view_count",
        ]
        read_only_fields = fields

    def get_answers(self, obj) -> int:
        count = getattr(obj, "answer_count", None)
        return count if count is not None else obj.answers.count()


class MessageSerializer(serializers.ModelSerializer):
    body = serializers.SerializerMethodField(help_text=_("内容（提问人、解答人以外看到的是遮盖后的内容）"))

    class Meta:
        model = Message
        fields = ["id", "from_asker", "body", "created_at"]
        read_only_fields = fields

    def get_body(self, obj) -> str:
        return obj.body if self.context.get("original") else (obj.public_body or obj.body)


class AnswerSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text=_("解答人公开署名"))
    author_kind = serializers.SerializerMethodField(help_text=_("解答人身份"))
    volunteer = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text=_("志愿者 id（如有）"))
    adopted = serializers.SerializerMethodField(help_text=_("是否为被采纳的解答"))
    messages = serializers.SerializerMethodField(help_text=_("追问交流"))

    class Meta:
        model = Answer
        fields = [
            "id",
            "author",
            "author_kind",
            "volunteer",
            "body",
            "created_at",
            "adopted",
            "points_awarded",
            "messages",
        ]
        read_only_fields = fields

    def get_author(self, obj) -> str:
        if obj.volunteer_id is not None:
            return obj.volunteer.display_name
        return obj.author.display_name or gettext("解答人")

    def get_author_kind(self, obj) -> str:
        if obj.volunteer_id is not None:
            return str(obj.volunteer.get_kind_display())
        return gettext("工作人员")

    def get_adopted(self, obj) -> bool:
        return obj.consultation.adopted_answer_id == obj.pk

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, obj):
        return MessageSerializer(obj.messages.all(), many=True, context=self.context).data


class ConsultationDetailSerializer(ConsultationListSerializer):
    title = serializers.SerializerMethodField(
        help_text=_("标题：提问人、解答人和管理员看到原文，其他人看到遮盖后的内容")
    )
    body = serializers.SerializerMethodField(help_text=_("问题描述：同上"))
    is_public = serializers.BooleanField(read_only=True, help_text=_("是否公开"))
    answer_due_at = serializers.DateTimeField(read_only=True, help_text=_("承诺首次答复时间"))
    first_answered_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text=_("首次答复时间"))
    time_message = serializers.SerializerMethodField(help_text=_("答复时间承诺的说明（已答复后为空）"))
    adopted_answer = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text=_("被采纳的解答 id"))
    rating = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("提问人的评价（1—5 星）"))
    answer_list = serializers.SerializerMethodField(help_text=_("解答（按时间先后）"))

    class Meta(ConsultationListSerializer.Meta):
        fields = [
            *ConsultationListSerializer.Meta.fields,
            "is_public",
            "answer_due_at",
            "first_answered_at",
            "time_message",
            "adopted_answer",
            "rating",
            "answer_list",
        ]
        read_only_fields = fields

    def get_title(self, obj) -> str:
        return obj.title if self.context.get("original") else obj.public_title

    def get_body(self, obj) -> str:
        return obj.body if self.context.get("original") else obj.public_body

    def get_time_message(self, obj) -> str:
        return selectors.answer_time_message(obj)

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answer_list(self, obj):
        return AnswerSerializer(obj.answers.all(), many=True, context=self.context).data


def detail_data(request, consultation: Consultation) -> dict:
    fresh = selectors.consultation_detail(consultation.pk)
    context = {"request": request, "original": selectors.can_see_original(request.user, fresh)}
    return ConsultationDetailSerializer(fresh, context=context).data


class ConsultationQuerySerializer(StrictSerializer):
    category = serializers.SlugField(max_length=40, required=False, help_text=_("法律类别代码（含其下级类别）"))
    area = serializers.CharField(max_length=12, required=False, help_text=_("区划代码（含下级区域）"))
    status = serializers.ChoiceField(
        choices=Consultation.Status.choices, required=False, help_text=_("状态（已关闭的问题不公开）")
    )
    q = serializers.CharField(max_length=50, required=False, help_text=_("标题或内容关键词"))

    def validate_category(self, value):
        category = legal_category_by_code(value)
        if category is None:
            raise serializers.ValidationError(gettext("未找到该法律类别代码。"))
        return category

    def validate_area(self, value):
        node = org_by_code(value)
        if node is None:
            raise serializers.ValidationError(gettext("未找到该区划代码。"))
        return node


class ConsultationCreateSerializer(StrictSerializer):
    title = serializers.CharField(allow_blank=True, max_length=200, help_text=_("标题，5—60 字"))
    body = serializers.CharField(allow_blank=True, max_length=20000, help_text=_("问题描述，10—5000 字"))
    legal_category = serializers.SlugField(
        max_length=40, required=False, allow_blank=True, default="", help_text=_("法律类别代码；不填由系统按内容建议")
    )
    area = serializers.CharField(
        max_length=12, required=False, allow_blank=True, default="", help_text=_("所在区域的区划代码；不填为全市")
    )
    is_public = serializers.BooleanField(
        required=False, default=True, help_text=_("是否公开（公开时遮盖身份证号、电话号码后展示）")
    )
    submit_key = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("防重复提交键（也可用请求头 Idempotency-Key）：同一键重复提交只生成一个问题"),
    )

    def validate_legal_category(self, value):
        if not value:
            return None
        category = legal_category_by_code(value)
        if category is None:
            raise serializers.ValidationError(gettext("未找到该法律类别代码，或该类别已停用。"))
        return category

    def validate_area(self, value):
        if not value:
            return None
        node = org_by_code(value)
        if node is None:
            raise serializers.ValidationError(gettext("未找到该区划代码。"))
        return node


class AnswerCreateSerializer(StrictSerializer):
    body = serializers.CharField(allow_blank=True, max_length=20000, help_text=_("解答内容，10—5000 字"))


class MessageCreateSerializer(StrictSerializer):
    body = serializers.CharField(allow_blank=True, max_length=10000, help_text=_("追问或回复，最多 2000 字"))


class AdoptSerializer(StrictSerializer):
    answer = serializers.IntegerField(help_text=_("要采纳的解答 id"))
    rating = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("同时评价（1—5 星，可选，仅提问人）")
    )


class RateSerializer(StrictSerializer):
    rating = serializers.IntegerField(help_text=_("评价（1—5 星）"))


# --- Views -------------------------------------------------------------------------------------

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("问题 id"))
ANSWER_ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("解答 id"))
ACTION_ERRORS = {
    400: schema.BAD_REQUEST,
    401: schema.UNAUTHORIZED,
    403: schema.error(_("无权执行该操作")),
    404: schema.error(_("问题不存在，或您无权查看")),
    409: schema.error(_("问题当前状态不允许该操作（已采纳、已关闭、已解答过等）")),
}


class ConsultationListCreateView(ApiViewMixin, generics.ListAPIView):
    permission_classes = PUBLIC
    serializer_class = ConsultationListSerializer
    query_serializer_class = ConsultationQuerySerializer
    queryset = Consultation.objects.none()

    def get_permissions(self):
        if self.request.method == "POST":
            return [permission() for permission in SIGNED_IN]
        return super().get_permissions()

    def initial(self, request, *args, **kwargs):
        if request.method == "POST":
            self.query_serializer_class = None  # a POST takes no query parameters
        super().initial(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary=_("公开咨询列表"),
        description=_(
            "公开且未关闭的问题，按提问时间倒序，可按法律类别、区域、状态和关键词筛选。标题和内容已遮盖身份证号、"
            "电话号码。公开接口，无需登录。"
        ),
        parameters=[ConsultationQuerySerializer],
        responses={200: ConsultationListSerializer(many=True), **schema.PUBLIC_LIST_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if self.is_schema_generation():
            return Consultation.objects.none()
        query = self.query
        return selectors.public_consultations(
            category=query.get("category"), q=query.get("q"), area=query.get("area"), status=query.get("status")
        )

    @extend_schema(
        tags=[TAG],
        summary=_("提问"),
        description=_(
            "公众账户登录后提问（工作人员账户返回 403）。系统按内容建议法律类别，遮盖公开内容中的身份证号、电话号码，"
            "生成网上平台渠道的工单并计算承诺首次答复时间。防重复提交：请求体 submit_key 或请求头 Idempotency-Key，"
            "同一键重复提交返回第一次创建的问题（200）。每个手机号、每个 IP 每小时提问次数有限，超过返回 429。"
        ),
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=False, description=_("防重复提交键")
            )
        ],
        request=ConsultationCreateSerializer,
        responses={
            201: OpenApiResponse(ConsultationDetailSerializer, description=_("已创建")),
            200: OpenApiResponse(ConsultationDetailSerializer, description=_("重复提交：返回第一次创建的问题")),
            400: schema.BAD_REQUEST,
            401: schema.UNAUTHORIZED,
            403: schema.error(_("工作人员账户不能提问")),
            429: schema.error(_("提问过于频繁")),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = ConsultationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        key = fields.pop("submit_key") or self._header_key(request) or uuid.uuid4().hex
        if services.submitted(asker=request.user, submit_key=key) is None:
            ip = client_ip(request.META, settings.TRUSTED_PROXY_COUNT)
            if services.ask_rate_limited(phone=getattr(request.user, "phone", "") or "", ip=ip):
                raise RateLimited()
            created = True
        else:
            created = False
        consultation = _call(services.consultation_ask, asker=request.user, submit_key=key, **fields)
        return Response(
            detail_data(request, consultation), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @staticmethod
    def _header_key(request) -> str:
        raw = request.headers.get(IDEMPOTENCY_HEADER)
        if raw is None:
            return ""
        key = raw.strip()
        if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
            raise exceptions.ValidationError(
                {
                    IDEMPOTENCY_HEADER: [
                        gettext("防重复提交键须为 1 到 {max} 个可打印的 ASCII 字符。").format(max=IDEMPOTENCY_KEY_MAX)
                    ]
                }
            )
        return key


@extend_schema(
    tags=[TAG],
    summary=_("咨询详情"),
    description=_(
        "问题、解答和追问交流。公开问题无需登录；不公开或已关闭的问题只有提问人、可解答的人员和管理员可以查看，"
        "其他人一律返回 404。"
    ),
    parameters=[ID_PARAMETER],
    responses={200: ConsultationDetailSerializer, **schema.PUBLIC_DETAIL_ERRORS},
)
class ConsultationDetailView(ApiViewMixin, generics.RetrieveAPIView):
    permission_classes = PUBLIC
    serializer_class = ConsultationDetailSerializer
    queryset = Consultation.objects.none()

    def retrieve(self, request, *args, **kwargs):
        return Response(detail_data(request, visible_consultation(request, self.kwargs["id"])))


class ConsultationActionView(ApiViewMixin, APIView):
    permission_classes = SIGNED_IN
    request_serializer = StrictSerializer

    def post(self, request, id):
        consultation = visible_consultation(request, id)
        serializer = self.request_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.act(request, consultation, dict(serializer.validated_data))

    def act(self, request, consultation, data):  # pragma: no cover - every subclass defines it
        raise NotImplementedError


@extend_schema(
    tags=[TAG],
    summary=_("解答问题"),
    description=_("本区域在岗志愿者，或有解答权限的本区域工作人员解答；每人每题一次，不能解答自己的问题。"),
    parameters=[ID_PARAMETER],
    request=AnswerCreateSerializer,
    responses={201: AnswerSerializer, **ACTION_ERRORS},
)
class AnswerCreateView(ConsultationActionView):
    request_serializer = AnswerCreateSerializer

    def act(self, request, consultation, data):
        answer = _call(services.answer_post, actor=request.user, consultation=consultation, body=data["body"])
        answer = Answer.objects.select_related("author", "volunteer", "consultation").get(pk=answer.pk)
        return Response(AnswerSerializer(answer, context={"original": True}).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=[TAG],
    summary=_("采纳解答"),
    description=_(
        "提问人采纳一条解答（可同时评价 1—5 星）；提问满规定天数仍未采纳的，本区域管理员可代为采纳。不能采纳自己的解答，"
        "每个问题只能采纳一次。采纳后解答人获得积分，工单办结。"
    ),
    parameters=[ID_PARAMETER],
    request=AdoptSerializer,
    responses={200: ConsultationDetailSerializer, **ACTION_ERRORS},
)
class AdoptView(ConsultationActionView):
    request_serializer = AdoptSerializer

    def act(self, request, consultation, data):
        answer = Answer.objects.filter(pk=data["answer"], consultation=consultation).first()
        if answer is None:
            raise exceptions.ValidationError({"answer": [gettext("该问题下没有这条解答。")]})
        consultation = _call(
            services.answer_adopt, actor=request.user, consultation=consultation, answer=answer, rating=data["rating"]
        )
        return Response(detail_data(request, consultation))


@extend_schema(
    tags=[TAG],
    summary=_("评价解答"),
    description=_("提问人在采纳解答后评价 1—5 星，只能评价一次；评价同时记为工单的满意度。"),
    parameters=[ID_PARAMETER],
    request=RateSerializer,
    responses={200: ConsultationDetailSerializer, **ACTION_ERRORS},
)
class RateView(ConsultationActionView):
    request_serializer = RateSerializer

    def act(self, request, consultation, data):
        consultation = _call(
            services.consultation_rate, actor=request.user, consultation=consultation, rating=data["rating"]
        )
        return Response(detail_data(request, consultation))


@extend_schema(
    tags=[TAG],
    summary=_("追问交流"),
    description=_("在一条解答下追问或回复：只有提问人和该解答人可以发言；问题关闭后不能再追问。"),
    parameters=[ANSWER_ID_PARAMETER],
    request=MessageCreateSerializer,
    responses={201: MessageSerializer, **ACTION_ERRORS},
)
class MessageCreateView(ApiViewMixin, APIView):
    permission_classes = SIGNED_IN

    def post(self, request, id):
        answer = Answer.objects.select_related("consultation").filter(pk=id).first()
        if answer is None or not selectors.consultation_visible_to(request.user, answer.consultation):
            raise Http404
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = _call(
            services.message_post, actor=request.user, answer=answer, body=serializer.validated_data["body"]
        )
        return Response(MessageSerializer(message, context={"original": True}).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("consultations/", ConsultationListCreateView.as_view(), name="consultation-list"),
    path("consultations/<int:id>/", ConsultationDetailView.as_view(), name="consultation-detail"),
    path("consultations/<int:id>/answers/", AnswerCreateView.as_view(), name="consultation-answer"),
    path("consultations/<int:id>/adopt/", AdoptView.as_view(), name="consultation-adopt"),
    path("consultations/<int:id>/rate/", RateView.as_view(), name="consultation-rate"),
    path("consultations/answers/<int:id>/messages/", MessageCreateView.as_view(), name="consultation-message"),
]
