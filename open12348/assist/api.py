"""Public API of the intelligent services (issue 6 item 8): topic classification and statute
retrieval for a plain-language question. Mounted under /api/v1/ by open12348.api.urls.
Anonymous callers are allowed and throttled per IP (30 a minute); signed-in callers and
tokens per account (120 a minute). Nothing is stored."""

from django.conf import settings
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from open12348.api import schema
from open12348.api.serializers import StrictSerializer
from open12348.api.views import ApiViewMixin
from open12348.assist import text as qtext
from open12348.assist.labels import TOPIC_LABELS
from open12348.audit.context import client_ip

TAG = _("智能服务")
TEXT_MAX = 20_000  # longer input is refused; up to this, the models read the first 2,000 characters
STATUTES_K_MAX = 50


class AssistThrottle(SimpleRateThrottle):
    """Per client IP for anonymous callers, per account otherwise."""

    scope = "assist"
    anonymous_rate = "30/min"
    account_rate = "120/min"

    def get_rate(self):
        return self.anonymous_rate

    def allow_request(self, request, view):
        authenticated = bool(request.user and request.user.is_authenticated)
        self.rate = self.account_rate if authenticated else self.anonymous_rate
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = client_ip(request.META, settings.TRUSTED_PROXY_COUNT) or "unknown"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _question(value: str) -> str:
    try:
        return qtext.normalize(value)
    except qtext.EmptyQuestion as exc:
        raise ValidationError(str(exc)) from None


class ClassifyRequestSerializer(StrictSerializer):
    text = serializers.CharField(
        max_length=TEXT_MAX, allow_blank=True, trim_whitespace=False, help_text=_("咨询问题（简体或繁体中文）")
    )

    def validate_text(self, value):
        return _question(value)


class TopicSerializer(serializers.Serializer):
    label = serializers.ChoiceField(choices=TOPIC_LABELS, help_text=_("问题类别"))
    confidence = serializers.FloatField(help_text=_("概率（0–1）"))


class ClassifyResponseSerializer(TopicSerializer):
    top3 = TopicSerializer(many=True, help_text=_("最可能的三个类别及概率"))


class StatutesRequestSerializer(StrictSerializer):
    query = serializers.CharField(
        max_length=TEXT_MAX, allow_blank=True, trim_whitespace=False, help_text=_("咨询问题（简体或繁体中文）")
    )
    k = serializers.IntegerField(
        min_value=1, max_value=STATUTES_K_MAX, default=10, help_text=_("返回的法条数，最多 50")
    )
    scope = serializers.ChoiceField(
        choices=[("national", _("全国性法律法规")), ("national+province", _("全国性法律法规及本省地方性法规"))],
        default="national",
        help_text=_("检索范围：national（宪法、法律、行政法规、司法解释）或 national+province（另加本省地方性法规）"),
    )
    province = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text=_("省级地区，如：上海（national+province 时必填）")
    )

    def validate_query(self, value):
        return _question(value)

    def validate(self, attrs):
        if attrs["scope"] == "national+province" and not (attrs.get("province") or "").strip():
            raise ValidationError({"province": gettext("检索本省地方性法规时请填写省级地区。")})
        return attrs


class StatuteHitSerializer(serializers.Serializer):
    citation = serializers.CharField(help_text=_("法规名称和条号，如：中华人民共和国民法典第五十六条"))
    law_title = serializers.CharField(help_text=_("法规名称"))
    number_text = serializers.CharField(help_text=_("条号"))
    url = serializers.CharField(allow_blank=True, help_text=_("条文页面的链接（法规库未导入时为空）"))
    text = serializers.CharField(help_text=_("条文"))
    score = serializers.FloatField(help_text=_("相关程度（越大越相关）"))


class StatutesResponseSerializer(serializers.Serializer):
    results = StatuteHitSerializer(many=True, help_text=_("相关法条，按相关程度排序"))


class AssistApiView(ApiViewMixin, APIView):
    permission_classes = [AllowAny]  # reads nothing personal and writes nothing: read tokens too
    throttle_classes = [AssistThrottle]


@extend_schema(
    tags=[TAG],
    summary=_("问题分类"),
    description=_(
        "公开接口。给出咨询问题的类别（20 个法律类别之一）、概率和最可能的三个类别。繁体字自动转换为简体；"
        "超过 2,000 字只看前 2,000 字。空问题返回 400。匿名调用每个 IP 每分钟最多 30 次。"
    ),
    request=ClassifyRequestSerializer,
    responses={200: ClassifyResponseSerializer, 400: schema.BAD_REQUEST, 429: schema.error(_("请求过于频繁"))},
    examples=[OpenApiExample("工资", value={"text": "老板拖欠我三个月工资怎么办"}, request_only=True)],  # i18n: data
)
class ClassifyView(AssistApiView):
    def post(self, request):
        from open12348.assist.classifier import classify

        serializer = ClassifyRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        p = classify(serializer.validated_data["text"])
        return Response(
            {
                "label": p.label,
                "confidence": p.confidence,
                "top3": [{"label": label, "confidence": c} for label, c in p.top3],
            }
        )


def hit_payload(hits) -> list[dict]:
    """Hits with their article page URL (when the library is in the database)."""
    from open12348.laws.selectors import articles_by_ids

    articles = articles_by_ids(h.article_id for h in hits if h.article_id)
    out = []
    for h in hits:
        article = articles.get(h.article_id)
        out.append(
            {
                "citation": h.citation,
                "law_title": h.law_title,
                "number_text": h.number_text,
                "url": article.get_absolute_url() if article else "",
                "text": article.text if article else h.text,
                "score": round(float(h.score), 6),
            }
        )
    return out


@extend_schema(
    tags=[TAG],
    summary=_("法条检索"),
    description=_(
        "公开接口。按通俗的咨询问题检索适用的法条（法规名称、条号、条文和链接），按相关程度排序；默认只含现行有效的"
        "全国性法律、行政法规、司法解释和宪法，scope=national+province 时另加 province 的地方性法规。只返回法规库中的"
        "条文。空问题返回 400。匿名调用每个 IP 每分钟最多 30 次。"
    ),
    request=StatutesRequestSerializer,
    responses={200: StatutesResponseSerializer, 400: schema.BAD_REQUEST, 429: schema.error(_("请求过于频繁"))},
    examples=[
        OpenApiExample("工资", value={"query": "老板拖欠我三个月工资怎么办", "k": 5}, request_only=True)  # i18n: data
    ],
)
class StatutesView(AssistApiView):
    def post(self, request):
        from open12348.assist.retrieval import retrieve

        serializer = StatutesRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        hits = retrieve(
            data["query"],
            k=data["k"],
            scope=data["scope"],
            province=(data.get("province") or "").strip() or None,
            valid_only=True,
        )
        return Response({"results": hit_payload(hits)})


urlpatterns = [
    path("assist/classify/", ClassifyView.as_view(), name="assist-classify"),
    path("assist/statutes/", StatutesView.as_view(), name="assist-statutes"),
]
