"""`POST /api/v1/assist/chat/`: the self-service assistant for other channels (a WeChat bot, a
kiosk, a partner's site). Public, throttled per client IP; the same answer as the web chat
(`assist.chat.answer`), every link absolute. Mounted under /api/v1/ by open12348.api.urls."""

from django.conf import settings
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from open12348.api import schema
from open12348.api.serializers import StrictSerializer
from open12348.api.views import PUBLIC, ApiViewMixin
from open12348.assist import chat
from open12348.audit.context import client_ip
from open12348.orgs.selectors import area_of, org_by_code

TAG = _("智能服务")
MAX_QUESTION = 20_000
MAX_HISTORY = 20


class ChatThrottle(SimpleRateThrottle):
    """Per client IP (behind the trusted proxies): each question may call a language model."""

    scope = "assist_chat"
    rate = "20/min"

    def get_cache_key(self, request, view):
        ident = client_ip(request.META, settings.TRUSTED_PROXY_COUNT) or "unknown"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AssistChatTurnSerializer(StrictSerializer):
    role = serializers.ChoiceField(
        choices=[("user", "user"), ("assistant", "assistant")],
        help_text=_("user 群众的提问；assistant 系统此前的答复"),
        error_messages={"invalid_choice": _("只能是 user 或 assistant。")},
    )
    content = serializers.CharField(
        max_length=chat.MAX_QUESTION_CHARS * 2,
        help_text=_("该轮的文字"),
        error_messages={"blank": _("不能为空。"), "max_length": _("每轮不能超过{max_length}个字。")},
    )


class AssistChatRequestSerializer(StrictSerializer):
    question = serializers.CharField(
        max_length=MAX_QUESTION,
        help_text=_("群众的问题（简体或繁体中文）。超过1000字的部分不参与分析。"),
        error_messages={
            "required": _("请输入您的问题。"),
            "blank": _("请输入您的问题。"),
            "null": _("请输入您的问题。"),
            "max_length": _("问题不能超过{max_length}个字。"),
        },
    )
    history = AssistChatTurnSerializer(
        many=True,
        required=False,
        max_length=MAX_HISTORY,
        help_text=_("此前的对话（可选，最多20轮，最早的在前），用于理解追问"),
    )
    area = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text=_("群众所在地区的区划代码（可选），用于推荐就近的服务站点和适用的地方性法规"),
    )

    def validate_area(self, value):
        value = (value or "").strip()
        if not value:
            return None
        area = org_by_code(value) if value.isascii() and value.isdigit() else None
        if area is None:
            raise serializers.ValidationError(_("没有找到该地区，请填写平台中的区划代码。"))
        return area


class AssistChatTopSerializer(serializers.Serializer):
    label = serializers.CharField(help_text=_("类别名称"))
    confidence = serializers.FloatField(help_text=_("置信度（0—1）"))


class AssistChatCategorySerializer(serializers.Serializer):
    label = serializers.CharField(help_text=_("问题类别（20个一级法律类别之一）"))
    code = serializers.CharField(allow_null=True, help_text=_("类别代码"))
    confidence = serializers.FloatField(help_text=_("置信度（0—1，已校准）"))
    top3 = AssistChatTopSerializer(many=True, help_text=_("可能性最大的三个类别"))


class AssistChatCitationSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text=_("答复中的引用编号 [n]"))
    citation = serializers.CharField(help_text=_("法律名称和条号，如：中华人民共和国劳动合同法第三十条"))
    url = serializers.CharField(help_text=_("条文页面的链接（法律法规库中的条文）"))
    text = serializers.CharField(help_text=_("条文摘录"))


class AssistChatSimilarSerializer(serializers.Serializer):
    question = serializers.CharField(help_text=_("类似的问题"))
    answer = serializers.CharField(help_text=_("该问题被采纳的解答"))
    source = serializers.CharField(help_text=_("来源"))
    url = serializers.CharField(allow_null=True, help_text=_("原咨询页面（本平台的在线咨询才有）"))
    score = serializers.FloatField(help_text=_("相似度（0—1）"))


class AssistChatServiceSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("服务事项名称"))
    code = serializers.CharField(help_text=_("服务事项代码"))
    url = serializers.CharField(help_text=_("办理指引的链接"))


class AssistChatSiteSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("站点名称"))
    address = serializers.CharField(help_text=_("地址"))
    phone = serializers.CharField(help_text=_("联系电话（可能为空）"))
    hours = serializers.CharField(help_text=_("服务时间（可能为空）"))
    url = serializers.CharField(help_text=_("站点查询页面"))


class AssistChatActionSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("consultation 转在线咨询；workorder 登记工单（仅工作人员）"))
    label = serializers.CharField(help_text=_("按钮文字"))
    url = serializers.CharField(help_text=_("链接（已附上对话内容）"))


class AssistChatReplySerializer(serializers.Serializer):
    answer = serializers.CharField(help_text=_("答复正文（纯文本，引用写作 [1]、[2]）"))
    kind = serializers.CharField(help_text=_("answer 正常答复；not_chinese 请用中文描述；too_short 请描述得具体一些"))
    question = serializers.CharField(help_text=_("系统分析的问题（已转为简体、截断）"))
    category = AssistChatCategorySerializer(allow_null=True, help_text=_("问题类别；无法判断时为 null"))
    citations = AssistChatCitationSerializer(many=True, help_text=_("引用的法律条文，均为法律法规库中的条文"))
    similar = AssistChatSimilarSerializer(many=True, help_text=_("类似问题的解答"))
    services = AssistChatServiceSerializer(many=True, help_text=_("建议办理的服务事项"))
    site = AssistChatSiteSerializer(allow_null=True, help_text=_("就近的服务站点；不知道地区时为 null"))
    actions = AssistChatActionSerializer(many=True, help_text=_("下一步：转在线咨询等"))
    notices = serializers.ListField(child=serializers.CharField(), help_text=_("提示，如问题过长已截断、已转为简体"))
    disclaimer = serializers.CharField(help_text=_("免责声明"))
    llm_used = serializers.BooleanField(help_text=_("答复是否由大语言模型生成"))


def reply_data(request, reply: chat.Reply) -> dict:
    absolute = request.build_absolute_uri
    category = None
    if reply.category is not None:
        category = {
            "label": reply.category.label,
            "code": reply.category.code,
            "confidence": reply.category.confidence,
            "top3": [{"label": label, "confidence": conf} for label, conf in reply.category.top3],
        }
    site = None
    if reply.site is not None:
        site = {
            "name": reply.site.name,
            "address": reply.site.address,
            "phone": reply.site.phone,
            "hours": reply.site.hours,
            "url": absolute(reply.site.url),
        }
    return {
        "answer": reply.text,
        "kind": reply.kind,
        "question": reply.question,
        "category": category,
        "citations": [
            {"number": c.number, "citation": c.citation, "url": absolute(c.url), "text": c.text}
            for c in reply.citations
        ],
        "similar": [
            {
                "question": s.question,
                "answer": s.answer,
                "source": s.source,
                "url": absolute(s.url) if s.url else None,
                "score": round(s.score, 4),
            }
            for s in reply.similar
        ],
        "services": [{"name": s.name, "code": s.code, "url": absolute(s.url)} for s in reply.services],
        "site": site,
        "actions": [{"kind": a.kind, "label": a.label, "url": absolute(a.url)} for a in reply.actions],
        "notices": list(reply.notices),
        "disclaimer": reply.disclaimer,
        "llm_used": reply.llm_used,
    }


@extend_schema(
    tags=[TAG],
    summary=_("智能咨询"),
    description=_(
        "公开接口，无需登录（微信公众号、小程序、自助终端等可调用）。提交群众的问题，返回：问题类别、"
        "通俗的答复、引用的法律条文（只引用法律法规库中存在的条文，每条附链接）、类似问题的解答、"
        "建议办理的服务事项、就近的服务站点和转在线咨询的链接。答复仅供参考，不构成法律意见。"
        "问题为空时返回 400；每个 IP 每分钟最多 20 次。"
    ),
    request=AssistChatRequestSerializer,
    responses={200: AssistChatReplySerializer, 400: schema.BAD_REQUEST, 429: schema.error(_("请求过于频繁"))},
    examples=[
        OpenApiExample(
            "提问",  # i18n: data — the example's key in the schema
            value={"question": "老板拖欠我三个月工资怎么办？", "area": "320585"},  # i18n: data — example
            request_only=True,
        )
    ],
)
class ChatView(ApiViewMixin, APIView):
    permission_classes = PUBLIC
    throttle_classes = [ChatThrottle]

    def post(self, request):
        serializer = AssistChatRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        area = data.get("area") or area_of(request.user)
        try:
            reply = chat.answer(data["question"], history=data.get("history") or [], area=area, user=request.user)
        except ValueError as error:
            raise exceptions.ValidationError({"question": [str(error)]}) from None
        return Response(reply_data(request, reply))


urlpatterns = [path("assist/chat/", ChatView.as_view(), name="assist-chat")]
