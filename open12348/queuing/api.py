"""API of the service-center hall (issue 4, item 10): the sites a kiosk offers, taking a ticket,
the window actions of a clerk, the board of a hall display, a ticket's progress for the phone
page, and the plain-text line of a window's LED controller. Mounted under /api/v1/ by
open12348.api.urls. The push stream of displays is `queuing.push` (served by the push server).

Writes go through `queuing.services`, scoping through `queuing.selectors`.

Window actions answer with the ticket; "call next" with nobody waiting answers 200
`{"ticket": null}` (not 204: a body the console can always parse)."""

from collections.abc import Callable
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, generics, renderers, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from open12348.api import schema
from open12348.api.authentication import token_org
from open12348.api.errors import Conflict
from open12348.api.permissions import HasPermission, TokenScopePermission
from open12348.api.serializers import StrictSerializer
from open12348.api.views import PUBLIC, ApiViewMixin
from open12348.audit.context import client_ip
from open12348.core import pii
from open12348.orgs.models import Site, Window
from open12348.queuing import selectors, services
from open12348.queuing.models import QueueService, Ticket, WindowSession

TAG = _("大厅排队叫号")
# Field names of the services' errors → the API's field names.
ERROR_FIELDS = {"service_code": "service", "resident_id": "id_number"}


def choices_help(title, choices):
    """`title` then "value label" of each choice, joined by 、; lazy, as the labels are."""
    placeholders = "、".join(f"{value} {{}}" for value, _label in choices)
    return format_lazy("{}" + placeholders, title, *(label for _value, label in choices))


# Plain strings in the schema: a second enum named "status"/"priority" would collide with the work orders'.
STATUS_HELP = choices_help(_("状态："), Ticket.Status.choices)
PRIORITY_HELP = choices_help(_("优先级："), Ticket.Priority.choices)


class CanOperateWindow(HasPermission):
    perm = "queuing.operate_window"
    message = _("您没有窗口叫号的权限。")


class TicketIssueThrottle(SimpleRateThrottle):
    """Per client IP (behind the trusted proxies), like the public tracking look-up: a script
    must not empty a day's numbers."""

    scope = "queue_ticket"
    rate = "30/min"

    def get_cache_key(self, request, view):
        ident = client_ip(request.META, settings.TRUSTED_PROXY_COUNT) or "unknown"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _pii(validator, value: str) -> str:
    try:
        return validator(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


def service_errors(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError with the API's field names (service, id_number)."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {ERROR_FIELDS.get(field, field): messages for field, messages in error.message_dict.items()}
        )
    return exceptions.ValidationError({"non_field_errors": error.messages})


def display_name(user) -> str | None:
    if user is None:
        return None
    return user.display_name or user.get_username()


# --- Sites a kiosk offers ---------------------------------------------------------------------


def queue_sites():
    """Active sites with at least one active queue, with their queues and active windows."""
    services_qs = QueueService.objects.filter(is_active=True, service_item__is_active=True).select_related(
        "service_item"
    )
    windows_qs = Window.objects.filter(is_active=True).prefetch_related("services").order_by("number")
    return (
        Site.objects.filter(
            is_active=True, queue_services__is_active=True, queue_services__service_item__is_active=True
        )
        .distinct()
        .order_by("pk")
        .prefetch_related(
            Prefetch("queue_services", queryset=services_qs, to_attr="active_queues"),
            Prefetch("windows", queryset=windows_qs, to_attr="active_windows"),
        )
    )


class QueueServiceRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text=_("服务事项代码（取号时提交）"))
    prefix = serializers.CharField(read_only=True, help_text=_("号码字母，如 A"))
    name = serializers.CharField(read_only=True, help_text=_("取号机显示名称"))


class QueueWindowSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("窗口编号（叫号接口使用）"))
    number = serializers.IntegerField(read_only=True, help_text=_("窗口号，如 3 表示 3 号窗口"))
    name = serializers.CharField(read_only=True, help_text=_("窗口名称"))
    services = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("该窗口办理的取号业务代码")
    )


class QueueSiteSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("站点编号"))
    name = serializers.CharField(read_only=True, help_text=_("站点名称"))
    services = QueueServiceRefSerializer(many=True, read_only=True, help_text=_("可取号的业务"))
    windows = QueueWindowSerializer(many=True, read_only=True, help_text=_("启用的窗口"))

    def to_representation(self, site):
        codes = {queue.code for queue in site.active_queues}
        return {
            "id": site.pk,
            "name": site.name,
            "services": [{"code": q.code, "prefix": q.prefix, "name": q.name} for q in site.active_queues],
            "windows": [
                {
                    "id": window.pk,
                    "number": window.number,
                    "name": window.name,
                    "services": sorted(item.code for item in window.services.all() if item.code in codes),
                }
                for window in site.active_windows
            ],
        }


@extend_schema(
    tags=[TAG],
    summary=_("可取号的站点"),
    description=_("公开接口，无需登录。列出启用了取号业务的站点，含各项业务（代码、号码字母）和各窗口办理的业务代码。"),
    responses={200: QueueSiteSerializer(many=True), **schema.PUBLIC_LIST_ERRORS},
)
class QueueSiteListView(ApiViewMixin, generics.ListAPIView):
    permission_classes = PUBLIC
    serializer_class = QueueSiteSerializer

    def get_queryset(self):
        return queue_sites()


# --- Taking a ticket ------------------------------------------------------------------------


class QueueTicketIssueSerializer(StrictSerializer):
    site = serializers.IntegerField(
        min_value=1,
        help_text=_("站点编号（GET /api/v1/queue/sites/ 中的 id）"),
        error_messages={"invalid": _("站点编号须为整数。")},
    )
    service = serializers.CharField(max_length=40, help_text=_("取号业务代码（该站点 services 中的 code）"))
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text=_("手机号码（可选，用于叫号提醒短信）")
    )
    id_number = serializers.CharField(
        max_length=24,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("身份证号码（可选；70周岁以上自动走绿色通道）"),
    )

    def validate_site(self, value):
        # Closed sites and paused queues are refused by `services.ticket_issue` (one message each).
        site = selectors.site_by_id(value)
        if site is None:
            raise serializers.ValidationError(gettext("未找到该站点。"))
        return site

    def validate_phone(self, value):
        return _pii(pii.validate_phone, value) if value.strip() else ""

    def validate_id_number(self, value):
        return _pii(pii.validate_resident_id, value) if value.strip() else ""


class QueueTicketIssuedSerializer(serializers.Serializer):
    number = serializers.CharField(help_text=_("号码，如 A012"))
    people_ahead = serializers.IntegerField(help_text=_("前面等候人数"))
    estimated_wait_minutes = serializers.IntegerField(help_text=_("预计等候分钟数"))
    tracking = serializers.CharField(help_text=_("排队查询码（手机查看排队进度用）"))
    service = serializers.CharField(help_text=_("取号业务代码"))
    service_name = serializers.CharField(help_text=_("取号业务名称"))
    site = serializers.IntegerField(help_text=_("站点编号"))
    site_name = serializers.CharField(help_text=_("站点名称"))
    green_channel = serializers.BooleanField(help_text=_("是否绿色通道（优先办理）"))
    taken_at = serializers.DateTimeField(help_text=_("取号时间"))
    follow_url = serializers.CharField(help_text=_("手机查看排队进度的页面地址（二维码内容）"))


def follow_url(request, ticket) -> str:
    """The phone page a ticket's QR code opens (/hall/t/<follow code>/)."""
    return request.build_absolute_uri(reverse("queuing:follow", kwargs={"follow_code": ticket.follow_code}))


def issued_data(request, ticket) -> dict:
    return {
        "number": ticket.number,
        "people_ahead": int(getattr(ticket, "people_ahead", 0)),
        "estimated_wait_minutes": int(getattr(ticket, "estimated_wait_minutes", 0)),
        "tracking": ticket.follow_code,
        "service": ticket.service.code,
        "service_name": ticket.service.name,
        "site": ticket.site_id,
        "site_name": ticket.site.name,
        "green_channel": ticket.priority == Ticket.Priority.GREEN,
        "taken_at": serializers.DateTimeField().to_representation(ticket.created_at),
        "follow_url": follow_url(request, ticket),
    }


@extend_schema(
    tags=[TAG],
    summary=_("取号"),
    description=(
        _(
            "公开接口，无需登录（取号机或手机）。提交站点编号和业务代码，可选手机号码（叫号前短信提醒）和身份证号码"
            "（70周岁以上自动进入绿色通道）。站点停用或暂停服务、业务不存在时返回 400 并说明原因，不出号。"
            "每个 IP 每分钟最多 30 次。"
        )
    ),
    request=QueueTicketIssueSerializer,
    responses={
        201: QueueTicketIssuedSerializer,
        400: schema.BAD_REQUEST,
        429: schema.error(_("请求过于频繁")),
    },
    examples=[
        OpenApiExample(
            "取号",  # i18n: data — the example's key in the schema
            value={"site": 1, "service": "consultation", "phone": "13800138000"},
            request_only=True,
        )
    ],
)
class TicketIssueView(ApiViewMixin, APIView):
    permission_classes = PUBLIC
    throttle_classes = [TicketIssueThrottle]

    def post(self, request):
        serializer = QueueTicketIssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            ticket = services.ticket_issue(
                site=data["site"], service_code=data["service"], phone=data["phone"], resident_id=data["id_number"]
            )
        except DjangoValidationError as error:
            raise service_errors(error) from None
        return Response(issued_data(request, ticket), status=status.HTTP_201_CREATED)


# --- A ticket's progress (phone page) --------------------------------------------------------


class QueueTicketFollowSerializer(serializers.Serializer):
    number = serializers.CharField(help_text=_("号码"))
    status = serializers.CharField(help_text=STATUS_HELP)
    status_display = serializers.CharField(help_text=_("状态名称"))
    service = serializers.CharField(help_text=_("取号业务代码"))
    service_name = serializers.CharField(help_text=_("取号业务名称"))
    site = serializers.IntegerField(help_text=_("站点编号"))
    site_name = serializers.CharField(help_text=_("站点名称"))
    people_ahead = serializers.IntegerField(help_text=_("前面等候人数（仅等候中时有意义，否则为 0）"))
    estimated_wait_minutes = serializers.IntegerField(help_text=_("预计等候分钟数（仅等候中）"))
    window_number = serializers.IntegerField(allow_null=True, help_text=_("叫号后所去的窗口号"))
    called_at = serializers.DateTimeField(allow_null=True, help_text=_("叫号时间"))
    taken_at = serializers.DateTimeField(help_text=_("取号时间"))


def follow_data(ticket) -> dict:
    waiting = ticket.status == Ticket.Status.WAITING
    ahead = selectors.people_ahead(ticket) if waiting else 0
    when = serializers.DateTimeField().to_representation
    return {
        "number": ticket.number,
        "status": ticket.status,
        "status_display": str(ticket.get_status_display()),
        "service": ticket.service.code,
        "service_name": ticket.service.name,
        "site": ticket.site_id,
        "site_name": ticket.site.name,
        "people_ahead": ahead,
        "estimated_wait_minutes": selectors.estimated_wait_minutes(ticket.service, ahead) if waiting else 0,
        "window_number": ticket.window.number if ticket.window_id else None,
        "called_at": when(ticket.called_at) if ticket.called_at else None,
        "taken_at": when(ticket.created_at),
    }


@extend_schema(
    tags=[TAG],
    summary=_("查看排队进度"),
    description=_(
        "公开接口，无需登录。凭取号时得到的排队查询码（tracking）查看状态、前面等候人数和预计等候时间。"
        "不含任何个人信息。"
    ),
    parameters=[OpenApiParameter("follow_code", str, OpenApiParameter.PATH, description=_("排队查询码"))],
    responses={200: QueueTicketFollowSerializer, **schema.PUBLIC_DETAIL_ERRORS},
)
class TicketFollowView(ApiViewMixin, APIView):
    permission_classes = PUBLIC

    def get(self, request, follow_code):
        ticket = (
            Ticket.objects.select_related("site", "service__service_item", "window")
            .filter(follow_code=follow_code[:16])
            .first()
        )
        if ticket is None:
            raise exceptions.NotFound(gettext("未找到该排队号，请核对查询码。"))
        return Response(follow_data(ticket))


# --- Board of a hall display -----------------------------------------------------------------


def public_site(pk) -> Site:
    site = Site.objects.filter(pk=pk, is_active=True).first()
    if site is None:
        raise exceptions.NotFound(gettext("未找到该站点，或该站点已停用。"))
    return site


BoardSerializer = inline_serializer(
    name="QueueBoard",
    fields={
        "site": inline_serializer(
            name="QueueBoardSite", fields={"id": serializers.IntegerField(), "name": serializers.CharField()}
        ),
        "day": serializers.DateField(help_text=_("日期（北京时间）")),
        "last_event_id": serializers.IntegerField(help_text=_("已包含的最后一个事件编号：推送流从其后接续")),
        "windows": serializers.ListField(child=serializers.DictField(), help_text=_("各窗口当前号码与状态")),
        "recent_calls": serializers.ListField(child=serializers.DictField(), help_text=_("最近叫号（最多 6 条）")),
        "waiting": serializers.ListField(child=serializers.DictField(), help_text=_("各业务等候人数与预计等候时间")),
        "alerts": serializers.ListField(child=serializers.CharField(), help_text=_("法律风险提示")),
        "figures": serializers.DictField(help_text=_("本月服务数据")),
        "staff_on_duty": serializers.ListField(child=serializers.DictField(), help_text=_("在岗工作人员")),
    },
)


@extend_schema(
    tags=[TAG],
    summary=_("大厅显示屏数据"),
    description=(
        _(
            "公开接口，无需登录，不含个人信息。大厅显示屏打开或重新连接时取一次；之后由推送流"
            " GET /push/queue/sites/{id}/stream（text/event-stream，推送服务）接续 last_event_id 之后的事件。"
        )
    ),
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("站点编号"))],
    responses={200: BoardSerializer, **schema.PUBLIC_DETAIL_ERRORS},
)
class BoardView(ApiViewMixin, APIView):
    permission_classes = PUBLIC

    def get(self, request, pk):
        response = Response(selectors.board_snapshot(public_site(pk)))
        response["Cache-Control"] = "no-store"
        return response


# --- LED controller of a window ---------------------------------------------------------------


class PlainTextRenderer(renderers.BaseRenderer):
    """One line of UTF-8 text; an error body is its Chinese `detail`."""

    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict):
            data = data.get("detail", "")
        return str(data).encode(self.charset)


class LedView(ApiViewMixin, APIView):
    permission_classes = PUBLIC
    renderer_classes = [PlainTextRenderer, JSONRenderer]

    @extend_schema(
        tags=[TAG],
        summary=_("窗口LED屏文字"),
        operation_id="v1_queue_windows_led_retrieve",
        description=_(
            "公开接口，无需登录，供窗口LED控制器定时读取。返回纯文本（UTF-8），如“3号窗口 A012”；"
            "窗口没有正在叫号或办理的号码时为“3号窗口 暂停服务”。"
        ),
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("窗口编号"))],
        responses={
            (200, "text/plain"): OpenApiResponse(str, description=_("一行文字")),
            404: schema.PUBLIC_NOT_FOUND,
        },
    )
    def get(self, request, pk):
        window = Window.objects.filter(pk=pk, is_active=True, site__is_active=True).first()
        if window is None:
            raise exceptions.NotFound(gettext("未找到该窗口，或该窗口已停用。"))
        response = HttpResponse(selectors.led_text(window), content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response


# --- Window actions (staff) -------------------------------------------------------------------


class QueueTicketSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text=_("号码，如 A012"))
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    priority = serializers.IntegerField(read_only=True, help_text=PRIORITY_HELP)
    green_reason = serializers.CharField(read_only=True, help_text=_("绿色通道原因代码；普通号为空串"))
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text=_("状态名称"))
    service = serializers.CharField(source="service.code", read_only=True, help_text=_("取号业务代码"))
    service_name = serializers.CharField(source="service.name", read_only=True, help_text=_("取号业务名称"))
    window = serializers.IntegerField(source="window_id", read_only=True, allow_null=True, help_text=_("窗口编号"))
    window_number = serializers.SerializerMethodField(help_text=_("窗口号"))
    priority_display = serializers.CharField(source="get_priority_display", read_only=True, help_text=_("优先级名称"))
    green_reason_display = serializers.CharField(
        source="get_green_reason_display", read_only=True, help_text=_("绿色通道原因")
    )
    staff = serializers.SerializerMethodField(help_text=_("叫号人员姓名"))
    phone = serializers.SerializerMethodField(help_text=_("手机号码（已脱敏）"))
    id_number = serializers.SerializerMethodField(help_text=_("身份证号码（已脱敏）"))
    taken_at = serializers.DateTimeField(source="created_at", read_only=True, help_text=_("取号时间"))
    work_order = serializers.IntegerField(
        source="work_order_id", read_only=True, allow_null=True, help_text=_("关联的工单编号")
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "service",
            "service_name",
            "window",
            "window_number",
            "priority",
            "priority_display",
            "green_reason",
            "green_reason_display",
            "staff",
            "phone",
            "id_number",
            "taken_at",
            "queued_at",
            "called_at",
            "call_count",
            "started_at",
            "finished_at",
            "requeued",
            "work_order",
        ]
        read_only_fields = fields

    def get_window_number(self, ticket) -> int | None:
        return ticket.window.number if ticket.window_id else None

    def get_staff(self, ticket) -> str | None:
        return display_name(ticket.staff)

    def get_phone(self, ticket) -> str:
        return pii.mask_phone(ticket.phone) if ticket.phone else ""

    def get_id_number(self, ticket) -> str:
        return pii.mask_resident_id(ticket.resident_id) if ticket.resident_id else ""


class QueueNoTicketSerializer(serializers.Serializer):
    ticket = serializers.JSONField(allow_null=True, help_text=_("null：没有等候中的号码"))


class QueueWindowStateSerializer(serializers.Serializer):
    window = serializers.IntegerField(help_text=_("窗口编号"))
    number = serializers.IntegerField(help_text=_("窗口号"))
    open = serializers.BooleanField(help_text=_("是否有人上岗"))
    staff = serializers.CharField(allow_null=True, help_text=_("上岗人员姓名"))
    opened_at = serializers.DateTimeField(allow_null=True, help_text=_("上岗时间"))


class QueueNoDetailsSerializer(StrictSerializer):
    """No body, or an empty JSON object."""


class QueueTransferSerializer(StrictSerializer):
    service = serializers.CharField(max_length=40, help_text=_("转往的取号业务代码（同一站点）"))

    def validate(self, attrs):
        return {"service_code": attrs["service"]}


class QueueTicketRefSerializer(StrictSerializer):
    ticket = serializers.IntegerField(min_value=1, help_text=_("排队号编号（id）"))


class QueueFinishSerializer(StrictSerializer):
    description = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default="", help_text=_("诉求内容：填写时新建窗口工单")
    )
    applicant_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", help_text=_("申请人姓名（新建工单时）")
    )
    applicant_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text=_("申请人联系电话（新建工单时）")
    )
    work_order = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("关联已有工单的编号（与 description 二选一）"),
    )
    resolve = serializers.BooleanField(
        required=False, default=False, help_text=_("当场办结：新建的工单由本人直接办结（须填写 description）")
    )
    reply = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text=_("当场办结时给群众的答复（可选）")
    )

    def validate_applicant_phone(self, value):
        return _pii(pii.validate_phone, value) if value.strip() else ""

    def validate_work_order(self, value):
        if value is None:
            return None
        from open12348.workorders.selectors import workorder_for

        order = workorder_for(self.context["request"].user, value)
        if order is None:
            raise serializers.ValidationError(gettext("未找到该工单，或其不在您的服务区域内。"))
        return order

    def validate(self, attrs):
        if attrs["description"].strip() and attrs["work_order"] is not None:
            raise serializers.ValidationError(
                {"work_order": [gettext("新建工单（description）与关联已有工单只能二选一。")]}
            )
        return attrs


def operable_window(request, pk) -> Window:
    """The window if the caller may operate it; otherwise 404 (no enumeration of other sites)."""
    window = Window.objects.select_related("site__org").filter(pk=pk).first()
    if window is None or not selectors.can_operate(request.user, window):
        raise Http404
    org = token_org(request)
    if org is not None and not window.site.org.is_within(org):
        raise Http404
    return window


def window_ticket(window, ticket_id) -> Ticket:
    ticket = Ticket.objects.filter(pk=ticket_id, site_id=window.site_id).first()
    if ticket is None:
        raise exceptions.ValidationError({"ticket": [gettext("本站点没有该排队号。")]})
    return ticket


def fresh_ticket(ticket) -> Ticket:
    return Ticket.objects.select_related("service__service_item", "window", "staff").get(pk=ticket.pk)


def window_state(window) -> dict:
    session = WindowSession.objects.filter(window=window, closed_at__isnull=True).select_related("user").first()
    return {
        "window": window.pk,
        "number": window.number,
        "open": session is not None,
        "staff": display_name(session.user) if session else None,
        "opened_at": serializers.DateTimeField().to_representation(session.opened_at) if session else None,
    }


def _call(function, request, window, data):
    try:
        return function(actor=request.user, window=window, **data)
    except services.QueueConflict as exc:
        raise Conflict(exc.message) from None
    except DjangoValidationError as error:
        raise service_errors(error) from None


class Action(NamedTuple):
    label: str
    function: Callable | None  # None: `_requeue`
    request: type[serializers.Serializer]
    answers: str  # "ticket" or "window"
    description: str


def _requeue(*, actor, window, ticket):
    return services.requeue_late(actor=actor, ticket=ticket)


ACTIONS = {
    "call-next": Action(
        _("叫下一位"),
        services.call_next,
        QueueNoDetailsSerializer,
        "ticket",
        _(
            "按优先级（预约、绿色通道、普通）和取号先后叫本窗口办理业务的下一位；"
            '没有等候的号码时返回 200 {"ticket": null}。本窗口仍有已叫号或办理中的号码时返回 409。'
        ),
    ),
    "recall": Action(
        _("重呼"), services.recall, QueueNoDetailsSerializer, "ticket", _("再次呼叫本窗口当前号码（显示屏重新播报）。")
    ),
    "skip": Action(_("过号"), services.skip, QueueNoDetailsSerializer, "ticket", _("已叫号的群众未到：记为过号。")),
    "start": Action(
        _("开始办理"), services.start, QueueNoDetailsSerializer, "ticket", _("已叫号的群众到窗口：开始办理。")
    ),
    "park": Action(
        _("暂挂"),
        services.park,
        QueueNoDetailsSerializer,
        "ticket",
        _("暂挂当前号码（如群众去取材料），本窗口可叫下一位。"),
    ),
    "resume": Action(
        _("恢复暂挂号"), services.resume, QueueTicketRefSerializer, "ticket", _("取回本窗口暂挂的号码继续办理。")
    ),
    "transfer": Action(
        _("转队列"),
        services.transfer,
        QueueTransferSerializer,
        "ticket",
        _("把当前号码转到本站点另一项业务的队列，保留原取号时间，号码不变。"),
    ),
    "finish": Action(
        _("办结"),
        services.finish,
        QueueFinishSerializer,
        "ticket",
        _(
            "办结当前号码；填写 description 时新建渠道为“窗口”的工单（resolve 为 true 时当场办结该工单），"
            "或以 work_order 关联已有工单。随后本窗口评价器显示评价界面。"
        ),
    ),
    "requeue": Action(
        _("过号重新排队"),
        None,
        QueueTicketRefSerializer,
        "ticket",
        _("过号的群众迟到：重新排到队尾（每个号码仅一次）。"),
    ),
    "open": Action(
        _("上岗"),
        services.window_open,
        QueueNoDetailsSerializer,
        "window",
        _("本人在本窗口上岗（同时离开其他窗口）；他人已在岗时返回 409。"),
    ),
    "close": Action(_("离岗"), services.window_close, QueueNoDetailsSerializer, "window", _("本人在本窗口离岗。")),
}


class WindowActionView(ApiViewMixin, APIView):
    """One window action of `ACTIONS`; `action` is set per URL (see `window_action_view`)."""

    permission_classes = [IsAuthenticated, TokenScopePermission, CanOperateWindow]
    action = ""

    def post(self, request, pk):
        window = operable_window(request, pk)
        action = ACTIONS[self.action]
        serializer = action.request(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "ticket" in data:
            data["ticket"] = window_ticket(window, data["ticket"])
        result = _call(action.function or _requeue, request, window, data)
        if action.answers == "window":
            return Response(window_state(window))
        if result is None:
            return Response({"ticket": None})
        return Response(QueueTicketSerializer(fresh_ticket(result)).data)


def window_action_view(action: str):
    label, _function, request_serializer, answers, description = ACTIONS[action]
    if answers == "window":
        ok = QueueWindowStateSerializer
    elif action == "call-next":
        ok = PolymorphicProxySerializer(
            component_name="QueueCallNextResult",
            serializers=[QueueTicketSerializer, QueueNoTicketSerializer],
            resource_type_field_name=None,
        )
    else:
        ok = QueueTicketSerializer
    view = type(f"Window{action.title().replace('-', '')}View", (WindowActionView,), {"action": action})
    decorated = extend_schema(
        tags=[TAG],
        summary=format_lazy(_("窗口操作：{label}"), label=label),
        description=format_lazy(
            _(
                "{description}窗口工作人员可操作本站点的窗口，站点负责人可操作其区域内各站点的窗口；"
                "无叫号权限返回 403，无权操作的窗口返回 404，状态不允许时返回 409。"
            ),
            description=description,
        ),
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("窗口编号"))],
        request=None if request_serializer is QueueNoDetailsSerializer else request_serializer,
        responses={200: ok, **schema.STAFF_DETAIL_ERRORS, 409: schema.error(_("当前状态不允许该操作"))},
    )(view)
    return decorated.as_view()


urlpatterns = [
    path("queue/sites/", QueueSiteListView.as_view(), name="queue-site-list"),
    path("queue/sites/<int:pk>/board/", BoardView.as_view(), name="queue-board"),
    path("queue/tickets/", TicketIssueView.as_view(), name="queue-ticket-issue"),
    path("queue/tickets/<str:follow_code>/", TicketFollowView.as_view(), name="queue-ticket-follow"),
    path("queue/windows/<int:pk>/led.txt", LedView.as_view(), name="queue-window-led"),
    *[
        path(f"queue/windows/<int:pk>/{action}/", window_action_view(action), name=f"queue-window-{action}")
        for action in ACTIONS
    ],
]
