"""API of work orders (issue 3, item 9): intake with an Idempotency-Key, the scoped inbox, the
detail with its timeline, one endpoint per transition, and the public tracking look-up by
code + phone. Mounted under /api/v1/ by open12348.api.urls.

Writes go through `workorders.services`, reads through `workorders.selectors` (which own the
scoping); a bearer token is narrowed further to its org subtree here, as the orgs API does."""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from open12348.accounts.models import User
from open12348.api import schema
from open12348.api.authentication import token_org
from open12348.api.errors import Conflict
from open12348.api.permissions import HasPermission, TokenScopePermission
from open12348.api.serializers import LongCharField, SharedFieldsMixin, StrictSerializer
from open12348.api.views import PUBLIC, ApiViewMixin
from open12348.audit.context import client_ip
from open12348.catalog.selectors import legal_category_by_code, service_item_by_code
from open12348.core import pii
from open12348.core.prepared import PreparedQuery
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import area_of, in_area, org_by_code, visible_org
from open12348.workorders import selectors, services
from open12348.workorders.exceptions import AlreadyClaimed, IdempotencyMismatch, WorkOrderConflict
from open12348.workorders.models import (
    ACTION_LABELS,
    TRANSITIONS,
    Attachment,
    Channel,
    JointReview,
    Note,
    Party,
    Post,
    Priority,
    ReferralBody,
    Status,
    WorkOrder,
)

TAG = _("工单")
TRACK_TAG = _("办理进度查询")
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 64
REASON_MAX = 500
TAB_LABELS = {
    "mine": _("我的在办"),
    "post": _("我的岗位待认领"),
    "unassigned": _("本区域待分派"),
    "due_soon": _("即将到期"),
    "overdue": _("已逾期"),
    "awaiting": _("待补正材料"),
}
assert set(TAB_LABELS) == set(selectors.TABS)


class CanIntake(HasPermission):
    perm = "workorders.intake_workorder"
    message = _("您没有登记受理工单的权限。")


class CanViewOrders(HasPermission):
    perm = "workorders.view_workorder"
    message = _("仅限工作人员查看和办理工单。")


class IdempotencyKeyReused(exceptions.APIException):
    status_code = 422
    default_detail = _("该 Idempotency-Key 已用于另一份不同的请求内容：请为新的请求使用新的 Idempotency-Key。")
    default_code = "idempotency_mismatch"


# --- Helpers --------------------------------------------------------------------------------


def scoped_orders(request, orders):
    """Narrow a selector's queryset to an API token's org subtree. The selectors scope to the
    viewer's own area; a token may narrow that further, never widen it."""
    org = token_org(request)
    if org is None:
        return orders
    return orders.filter(Q(area__path__startswith=org.path) | Q(handling_org__path__startswith=org.path))


def visible_order(request, pk) -> WorkOrder:
    """The order if the caller may see it; otherwise 404 (never 403: no enumeration)."""
    order = selectors.workorder_for(request.user, pk)
    if order is None:
        raise Http404
    org = token_org(request)
    if org is not None and not (order.area.is_within(org) or order.handling_org.is_within(org)):
        raise Http404
    return order


def display_name(user) -> str | None:
    if user is None:
        return None
    return user.display_name or user.get_username()


def request_hash(data) -> str:
    """SHA-256 of the body as canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def route_reason(order: WorkOrder) -> str:
    """Why the order went where it went, as the creating service recorded it: carried by the
    order `workorder_create` returns, else read from its `workorder.created` event (the audit
    trail's `audit_event_target` index)."""
    return getattr(order, "route_reason", None) or selectors.workorder_route_reason(order)


def conflict(exc: WorkOrderConflict) -> Conflict:
    message = exc.message
    if isinstance(exc, AlreadyClaimed) and exc.holder is not None:
        holder = display_name(exc.holder)
        if holder and holder not in message:
            message = gettext("{message}（当前由 {holder} 办理）").format(message=message, holder=holder)
    return Conflict(message)


# --- Intake ---------------------------------------------------------------------------------


def _pii(validator, value: str) -> str:
    """The personal-data validators raise Django's ValidationError; a serializer wants DRF's."""
    try:
        return validator(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


class PartyInputSerializer(StrictSerializer):
    role = serializers.CharField(
        max_length=30, required=False, default=_("对方当事人"), help_text=_("身份，默认“对方当事人”")
    )
    name = serializers.CharField(max_length=100, help_text=_("姓名或名称"))
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="", help_text=_("联系电话"))

    def validate_phone(self, value):
        return _pii(pii.validate_phone, value) if value else value


class WorkOrderCreateSerializer(SharedFieldsMixin, StrictSerializer):
    channel = serializers.ChoiceField(choices=Channel.choices, help_text=_("受理渠道"))
    service_item = serializers.SlugField(
        max_length=40, help_text=_("服务事项代码（GET /api/v1/catalog/items/ 中的 code）")
    )
    area = serializers.CharField(
        max_length=12, help_text=_("诉求所在区域的区划代码（GET /api/v1/orgs/ 中的 code），须在您的服务区域内")
    )
    applicant_name = serializers.CharField(max_length=50, help_text=_("申请人姓名"))
    applicant_phone = serializers.CharField(max_length=20, help_text=_("申请人联系电话（凭此电话与查询码查询进度）"))
    description = LongCharField(max_length=5000, help_text=_("诉求内容"))
    legal_category = serializers.SlugField(
        max_length=40, required=False, allow_blank=True, default="", help_text=_("法律类别代码（可选）")
    )
    applicant_resident_id = serializers.CharField(
        max_length=24, required=False, allow_blank=True, default="", help_text=_("申请人身份证号码（可选）")
    )
    is_complex = serializers.BooleanField(required=False, default=False, help_text=_("是否疑难复杂（决定分派层级）"))
    green_channel = serializers.BooleanField(required=False, default=False, help_text=_("是否走绿色通道"))
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, default=Priority.NORMAL, help_text=_("紧急程度：0 一般，1 紧急")
    )
    parties = PartyInputSerializer(
        many=True, required=False, max_length=20, help_text=_("其他当事人（可选，最多 20 个）")
    )

    def validate_service_item(self, value):
        item = service_item_by_code(value)
        if item is None:
            raise serializers.ValidationError(gettext("未找到该服务事项代码，或该事项已停用。"))
        return item

    def validate_area(self, value):
        request = self.context["request"]
        node = visible_org(request.user, value, within=token_org(request))
        if node is None:
            raise serializers.ValidationError(gettext("未找到该区划代码，或该区域不在您的服务区域内。"))
        return node

    def validate_legal_category(self, value):
        if not value:
            return None
        category = legal_category_by_code(value)
        if category is None:
            raise serializers.ValidationError(gettext("未找到该法律类别代码，或该类别已停用。"))
        return category

    def validate_applicant_phone(self, value):
        return _pii(pii.validate_phone, value)

    def validate_applicant_resident_id(self, value):
        return _pii(pii.validate_resident_id, value) if value else ""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except exceptions.ValidationError as error:
            detail = error.detail
            parties = detail.get("parties") if isinstance(detail, dict) else None
            if isinstance(parties, dict) and set(parties) == {api_settings.NON_FIELD_ERRORS_KEY}:
                # "parties" is not a list at all: name the field, not its list serializer.
                raise exceptions.ValidationError(
                    {**detail, "parties": parties[api_settings.NON_FIELD_ERRORS_KEY]}
                ) from None
            raise


class WorkOrderCreatedSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text=_("状态名称"))
    deadline = serializers.DateTimeField(read_only=True, allow_null=True, help_text=_("办理期限（北京时间，ISO 8601）"))
    handling_org = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("承办单位区划代码"))
    post = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("承办岗位代码；未定岗位时为 null")
    )
    route_reason = serializers.SerializerMethodField(help_text=_("分派依据（为何由该单位、该岗位办理）"))

    class Meta:
        model = WorkOrder
        fields = ["id", "tracking_code", "status", "status_display", "deadline", "handling_org", "post", "route_reason"]
        read_only_fields = fields

    def get_route_reason(self, order) -> str:
        return route_reason(order)


def created_data(order: WorkOrder) -> dict:
    """What `WorkOrderCreatedSerializer(order).data` gives, built directly (B1: the intake's
    answer); a test checks both give the same body."""
    return {
        "id": order.pk,
        "tracking_code": order.tracking_code,
        "status": order.status,
        "status_display": _choice_label(Status, order.status),
        "deadline": _when(order.deadline),
        "handling_org": order.handling_org.code,
        "post": order.post.code if order.post_id else None,
        "route_reason": route_reason(order),
    }


# --- Reading --------------------------------------------------------------------------------


class RefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text=_("代码"))
    name = serializers.CharField(read_only=True, help_text=_("名称"))


class WorkOrderListSerializer(serializers.ModelSerializer):
    channel_display = serializers.CharField(source="get_channel_display", read_only=True, help_text=_("渠道名称"))
    service_item = RefSerializer(read_only=True, help_text=_("服务事项"))
    legal_category = RefSerializer(read_only=True, allow_null=True, help_text=_("法律类别；未分类时为 null"))
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("诉求所在区域的区划代码"))
    handling_org = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("承办单位区划代码"))
    post = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True, help_text=_("承办岗位代码"))
    assignee = serializers.SerializerMethodField(help_text=_("承办人姓名；未分派时为 null"))
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text=_("状态名称"))
    priority_display = serializers.CharField(source="get_priority_display", read_only=True, help_text=_("紧急程度名称"))
    due_state = serializers.SerializerMethodField(
        help_text=_("期限状态：on_time 未到期、due_soon 即将到期、overdue 已逾期、paused 暂停计时、空串 无期限")
    )
    applicant_name = serializers.SerializerMethodField(help_text=_("申请人姓名（已脱敏）"))
    applicant_phone = serializers.SerializerMethodField(help_text=_("申请人电话（已脱敏）"))

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "tracking_code",
            "channel",
            "channel_display",
            "service_item",
            "legal_category",
            "area",
            "handling_org",
            "post",
            "assignee",
            "status",
            "status_display",
            "priority",
            "priority_display",
            "green_channel",
            "received_at",
            "deadline",
            "due_state",
            "applicant_name",
            "applicant_phone",
        ]
        read_only_fields = fields

    def get_assignee(self, order) -> str | None:
        return display_name(order.assignee)

    def get_due_state(self, order) -> str:
        return selectors.due_state(order, self.context.get("now") or timezone.now())

    def get_applicant_name(self, order) -> str:
        return pii.mask_name(order.applicant.name)

    def get_applicant_phone(self, order) -> str:
        return pii.mask_phone(order.applicant.phone)


class PartySerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text=_("姓名或名称（已脱敏）"))
    phone = serializers.SerializerMethodField(help_text=_("联系电话（已脱敏）"))

    class Meta:
        model = Party
        fields = ["role", "name", "phone"]
        read_only_fields = fields

    def get_name(self, party) -> str:
        return pii.mask_name(party.name)

    def get_phone(self, party) -> str:
        return pii.mask_phone(party.phone)


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text=_("记录人姓名"))
    created_at = serializers.DateTimeField(read_only=True, help_text=_("记录时间"))

    class Meta:
        model = Note
        fields = ["id", "body", "is_public", "author", "created_at"]
        read_only_fields = fields

    def get_author(self, note) -> str | None:
        return display_name(note.author)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(read_only=True, help_text=_("时间"))
    verb = serializers.CharField(read_only=True, help_text=_("动作代码，如 workorder.claimed"))
    actor = serializers.CharField(read_only=True, allow_null=True, help_text=_("操作人"))
    reason = serializers.CharField(read_only=True, allow_blank=True, help_text=_("原因或说明（如有）"))


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SerializerMethodField(help_text=_("上传人姓名；群众提交时为 null"))
    download_url = serializers.SerializerMethodField(help_text=_("下载地址（工作人员登录后可下载）"))

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_by", "created_at", "download_url"]
        read_only_fields = fields

    def get_uploaded_by(self, attachment) -> str | None:
        return display_name(attachment.uploaded_by)

    def get_download_url(self, attachment) -> str:
        return attachment_download_url(attachment.work_order_id, attachment.pk)


def attachment_download_url(order_id: int, attachment_id: int) -> str:
    return reverse("workorders:attachment-download", args=[order_id, attachment_id])


class WorkOrderDetailSerializer(WorkOrderListSerializer):
    first_owner = serializers.SerializerMethodField(help_text=_("首问负责人姓名"))
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text=_("办结时间"))
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text=_("归档时间"))
    referred_to_display = serializers.CharField(
        source="get_referred_to_display", read_only=True, help_text=_("转往部门名称")
    )
    merged_into = serializers.SlugRelatedField(
        slug_field="tracking_code", read_only=True, allow_null=True, help_text=_("合并至的工单查询码")
    )
    parties = PartySerializer(many=True, read_only=True, help_text=_("其他当事人（已脱敏）"))
    notes = serializers.SerializerMethodField(help_text=_("办理记录与答复；is_public 为 true 的群众可见"))
    timeline = serializers.SerializerMethodField(help_text=_("办理过程（审计事件），按时间先后"))
    attachments = serializers.SerializerMethodField(help_text=_("附件列表（下载地址须工作人员登录）"))

    class Meta(WorkOrderListSerializer.Meta):
        fields = [
            *WorkOrderListSerializer.Meta.fields,
            "description",
            "is_complex",
            "first_owner",
            "resolved_at",
            "closed_at",
            "outcome_code",
            "satisfaction",
            "referred_to",
            "referred_to_display",
            "referred_to_name",
            "status_reason",
            "merged_into",
            "parties",
            "notes",
            "timeline",
            "attachments",
        ]
        read_only_fields = fields

    def get_first_owner(self, order) -> str | None:
        return display_name(order.first_owner)

    @extend_schema_field(NoteSerializer(many=True))
    def get_notes(self, order):
        # Only staff who can see the order reach this serializer; internal notes included.
        notes = order.notes.select_related("author").order_by("created_at", "id")
        return NoteSerializer(notes, many=True).data

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, order):
        events = selectors.workorder_timeline(order)
        rows = [
            {
                "at": event.at,
                "verb": event.verb,
                "actor": display_name(event.actor) if event.actor else (event.actor_label or None),
                "reason": str((event.payload or {}).get("reason", "") or ""),
            }
            for event in events
        ]
        return TimelineEntrySerializer(rows, many=True).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, order):
        attachments = Attachment.objects.filter(work_order=order).select_related("uploaded_by")
        return AttachmentSerializer(attachments, many=True).data


_DATETIME = serializers.DateTimeField()  # unbound: formats as the serializers do (ISO 8601, local zone)


def _when(value):
    return _DATETIME.to_representation(value) if value is not None else None


def _choice_label(choices, value) -> str:
    """`get_<field>_display()` without building the field's whole choice dict, which
    translates every label of the field on each call."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _name_of(display: str | None, username: str | None) -> str | None:
    """`display_name` from the two columns (None when there is no user)."""
    if username is None:
        return None
    return display or username


# The detail's four lists, compiled once (core.prepared): the detail is the API's most read page.
_PARTIES = PreparedQuery(
    lambda order_id: Party.objects.filter(work_order_id=order_id).order_by("id").values_list("role", "name", "phone"),
    int,
)
_NOTES = PreparedQuery(
    lambda order_id: (
        Note.objects.filter(work_order_id=order_id)
        .order_by("created_at", "id")
        .values_list("id", "body", "is_public", "created_at", "author__display_name", "author__username")
    ),
    int,
)
_TIMELINE = PreparedQuery(
    lambda target_id: selectors.timeline_events(target_id).values_list(
        "at", "verb", "actor_label", "payload", "actor__display_name", "actor__username"
    ),
    str,
)
_ATTACHMENTS = PreparedQuery(
    lambda order_id: (
        Attachment.objects.filter(work_order_id=order_id)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by__display_name",
            "uploaded_by__username",
            "created_at",
        )
    ),
    int,
)


def workorder_detail_data(order: WorkOrder, *, now=None) -> dict:
    """What `WorkOrderDetailSerializer(order).data` gives, built directly: the detail is the
    most read page of the API (B3), and building the serializer's fields per request (nested
    serializers for parties, notes and timeline) cost more than its four queries. The
    serializer stays the documented schema; a test checks that both give the same body.
    `order` must come with the relations `selectors.workorder_for` selects."""
    category, applicant = order.legal_category, order.applicant
    parties = [
        {"role": str(role), "name": pii.mask_name(name), "phone": pii.mask_phone(phone)}
        for role, name, phone in _PARTIES.all(order.pk)
    ]
    notes = [
        {
            "id": pk,
            "body": str(body),
            "is_public": is_public,
            "author": _name_of(display, username),
            "created_at": _when(created_at),
        }
        for pk, body, is_public, created_at, display, username in _NOTES.all(order.pk)
    ]
    timeline = [
        {
            "at": _when(at),
            "verb": str(verb),
            "actor": _name_of(display, username) if username is not None else (label or None),
            "reason": str((payload or {}).get("reason", "") or ""),
        }
        for at, verb, label, payload, display, username in _TIMELINE.all(str(order.pk))
    ]
    attachments = [
        {
            "id": pk,
            "original_name": str(original_name),
            "content_type": content_type,
            "size": size,
            "sha256": sha256,
            "uploaded_by": _name_of(display, username),
            "created_at": _when(created_at),
            "download_url": attachment_download_url(order.pk, pk),
        }
        for pk, original_name, content_type, size, sha256, display, username, created_at in _ATTACHMENTS.all(order.pk)
    ]
    return {
        "id": order.pk,
        "tracking_code": order.tracking_code,
        "channel": order.channel,
        "channel_display": _choice_label(Channel, order.channel),
        "service_item": {"code": str(order.service_item.code), "name": str(order.service_item.name)},
        "legal_category": {"code": str(category.code), "name": str(category.name)} if category else None,
        "area": order.area.code,
        "handling_org": order.handling_org.code,
        "post": order.post.code if order.post_id else None,
        "assignee": display_name(order.assignee),
        "status": order.status,
        "status_display": _choice_label(Status, order.status),
        "priority": order.priority,
        "priority_display": _choice_label(Priority, order.priority),
        "green_channel": order.green_channel,
        "received_at": _when(order.received_at),
        "deadline": _when(order.deadline),
        "due_state": selectors.due_state(order, now or timezone.now()),
        "applicant_name": pii.mask_name(applicant.name),
        "applicant_phone": pii.mask_phone(applicant.phone),
        "description": str(order.description),
        "is_complex": order.is_complex,
        "first_owner": display_name(order.first_owner),
        "resolved_at": _when(order.resolved_at),
        "closed_at": _when(order.closed_at),
        "outcome_code": str(order.outcome_code),
        "satisfaction": order.satisfaction,
        "referred_to": order.referred_to,
        "referred_to_display": _choice_label(ReferralBody, order.referred_to),
        "referred_to_name": str(order.referred_to_name),
        "status_reason": str(order.status_reason),
        "merged_into": order.merged_into.tracking_code if order.merged_into_id else None,
        "parties": parties,
        "notes": notes,
        "timeline": timeline,
        "attachments": attachments,
    }


class WorkOrderQuerySerializer(StrictSerializer):
    tab = serializers.ChoiceField(choices=list(TAB_LABELS.items()), required=False, help_text=_("收件箱标签"))
    status = serializers.ChoiceField(choices=Status.choices, required=False, help_text=_("状态"))
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, help_text=_("受理渠道"))
    q = serializers.CharField(max_length=100, required=False, help_text=_("查询码或诉求内容关键词"))
    area = serializers.CharField(max_length=12, required=False, help_text=_("诉求所在区域的区划代码（含下级）"))
    service_item = serializers.SlugField(max_length=40, required=False, help_text=_("服务事项代码"))
    legal_category = serializers.SlugField(max_length=40, required=False, help_text=_("法律类别代码"))
    date_from = serializers.DateField(required=False, help_text=_("受理日期起（含），YYYY-MM-DD"))
    date_to = serializers.DateField(required=False, help_text=_("受理日期止（含），YYYY-MM-DD"))

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": [gettext("截止日期不能早于起始日期。")]})
        return attrs


class WorkOrderViewMixin(ApiViewMixin):
    permission_classes = [IsAuthenticated, TokenScopePermission, CanViewOrders]
    queryset = WorkOrder.objects.none()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}


class WorkOrderListCreateView(WorkOrderViewMixin, generics.ListAPIView):
    serializer_class = WorkOrderListSerializer
    query_serializer_class = WorkOrderQuerySerializer

    @extend_schema(
        tags=[TAG],
        summary=_("工单列表（收件箱）"),
        description=_(
            "您服务区域（令牌访问时为令牌限定区域）内的工单，可按标签、状态、渠道、区域、事项、类别、"
            "受理日期筛选。申请人姓名和电话已脱敏。仅限工作人员。"
        ),
        parameters=[WorkOrderQuerySerializer],
        responses={200: WorkOrderListSerializer(many=True), **schema.STAFF_LIST_ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), TokenScopePermission(), CanIntake()]
        return super().get_permissions()

    def initial(self, request, *args, **kwargs):
        if request.method == "POST":
            self.query_serializer_class = None  # a POST takes no query parameters
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        if self.is_schema_generation():
            return WorkOrder.objects.none()
        query = self.query
        orders = selectors.workorder_list(
            viewer=self.request.user,
            tab=query.get("tab", ""),
            status=query.get("status", ""),
            channel=query.get("channel", ""),
            q=query.get("q", ""),
            area_code=query.get("area", ""),
            service_item=query.get("service_item", ""),
            legal_category=query.get("legal_category", ""),
            date_from=query.get("date_from"),
            date_to=query.get("date_to"),
            within=token_org(self.request),
        )
        return selectors.inbox_rows(orders)

    @extend_schema(
        tags=[TAG],
        summary=_("登记受理工单"),
        description=format_lazy(
            _(
                "登记一件诉求：校验、按规则分派、按工作日计算办理期限、生成查询码、写审计事件。"
                "需要“登记受理工单”权限；令牌须为读写令牌，区域须在令牌限定区域内。"
                "请求头 `{header}`（可选，最长 {key_max} 个字符）：同一键、同一内容的重试返回第一次"
                "创建的工单（200）而不会重复创建；同一键、不同内容返回 422；第一次请求仍在处理中返回 409。"
            ),
            header=IDEMPOTENCY_HEADER,
            key_max=IDEMPOTENCY_KEY_MAX,
        ),
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                description=_("幂等键：同一请求重试时使用同一值"),
            )
        ],
        request=WorkOrderCreateSerializer,
        responses={
            201: OpenApiResponse(WorkOrderCreatedSerializer, description=_("已创建")),
            200: OpenApiResponse(WorkOrderCreatedSerializer, description=_("幂等重试：返回第一次创建的工单")),
            400: schema.BAD_REQUEST,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            409: schema.error(_("同一幂等键的第一次请求仍在处理中")),
            422: schema.error(_("同一幂等键已用于不同的请求内容")),
        },
    )
    def post(self, request, *args, **kwargs):
        key = self._idempotency_key(request)
        serializer = WorkOrderCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields["parties"] = [dict(party) for party in fields.get("parties", [])]
        fields["legal_category"] = fields.get("legal_category") or None
        try:
            if key is None:
                order, created = services.workorder_create(actor=request.user, **fields), True
            else:
                order, created = services.workorder_create_idempotent(
                    key=f"u{request.user.pk}:{key}",
                    request_hash=request_hash(request.data),
                    actor=request.user,
                    **fields,
                )
        except IdempotencyMismatch:
            raise IdempotencyKeyReused() from None
        except WorkOrderConflict as exc:
            raise conflict(exc) from None
        # A new order carries its route reason; a replayed one is looked up by the audit
        # trail's target index.
        body = created_data(order)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @staticmethod
    def _idempotency_key(request) -> str | None:
        raw = request.headers.get(IDEMPOTENCY_HEADER)
        if raw is None:
            return None
        key = raw.strip()
        if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
            raise exceptions.ValidationError(
                {
                    IDEMPOTENCY_HEADER: [
                        gettext("幂等键须为 1 到 {idempotency_key_max} 个可打印的 ASCII 字符。").format(
                            idempotency_key_max=IDEMPOTENCY_KEY_MAX
                        )
                    ]
                }
            )
        return key


ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("工单编号"))


@extend_schema(
    tags=[TAG],
    summary=_("工单详情"),
    description=_(
        "含当事人（已脱敏）、办理记录（含内部记录）和办理过程。不在您服务区域内的工单与不存在的一样返回 404。"
    ),
    parameters=[ID_PARAMETER],
    responses={200: WorkOrderDetailSerializer, **schema.STAFF_DETAIL_ERRORS},
)
class WorkOrderDetailView(WorkOrderViewMixin, generics.RetrieveAPIView):
    serializer_class = WorkOrderDetailSerializer

    def get_object(self):
        order = visible_order(self.request, self.kwargs["pk"])
        self.check_object_permissions(self.request, order)
        return order

    def retrieve(self, request, *args, **kwargs):
        return Response(workorder_detail_data(self.get_object(), now=timezone.now()))


# --- Transitions ----------------------------------------------------------------------------


class NoDetailsSerializer(StrictSerializer):
    """No body, or an empty JSON object."""


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("原因或说明"))


class AssignSerializer(StrictSerializer):
    assignee = serializers.CharField(max_length=150, required=False, help_text=_("承办人用户名（与 post 二选一）"))
    post = serializers.SlugField(max_length=40, required=False, help_text=_("承办单位的岗位代码（与 assignee 二选一）"))

    def validate(self, attrs):
        if ("assignee" in attrs) == ("post" in attrs):
            raise serializers.ValidationError(
                {"assignee": [gettext("须且只能提供 assignee（承办人）或 post（岗位）之一。")]}
            )
        request, order = self.context["request"], self.context["order"]
        if "assignee" in attrs:
            staff = in_area(
                User.objects.filter(is_active=True), request.user, via="staff_profile__org", within=token_org(request)
            )
            user = staff.filter(username__iexact=attrs["assignee"]).first()
            if user is None:
                raise serializers.ValidationError({"assignee": [gettext("未找到该工作人员，或其不在您的服务区域内。")]})
            return {"assignee": user}
        found = Post.objects.filter(org=order.handling_org, code=attrs["post"]).first()
        if found is None:
            raise serializers.ValidationError({"post": [gettext("承办单位没有该岗位。")]})
        return {"post": found}


class TransferSerializer(StrictSerializer):
    org = serializers.CharField(max_length=12, help_text=_("转往单位的区划代码"))
    post = serializers.SlugField(max_length=40, required=False, help_text=_("转往单位的岗位代码（可选）"))
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("转办原因"))

    def validate(self, attrs):
        org = org_by_code(attrs["org"])
        if org is None:
            raise serializers.ValidationError({"org": [gettext("未找到该区划代码。")]})
        found = None
        if attrs.get("post"):
            found = Post.objects.filter(org=org, code=attrs["post"]).first()
            if found is None:
                raise serializers.ValidationError({"post": [gettext("转往单位没有该岗位。")]})
        return {"org": org, "post": found, "reason": attrs["reason"]}


class ReferOutSerializer(StrictSerializer):
    referred_to = serializers.ChoiceField(choices=ReferralBody.choices, help_text=_("转往的外部门类别"))
    referred_to_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text=_("接收单位名称（其他部门时必填）")
    )
    reason = serializers.CharField(max_length=REASON_MAX, help_text=_("转出原因"))


class ResolveSerializer(StrictSerializer):
    outcome_code = serializers.CharField(max_length=40, help_text=_("办理结果代码"))
    reply = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, help_text=_("给群众的答复（可选）")
    )


class MergeSerializer(StrictSerializer):
    into = serializers.CharField(max_length=20, help_text=_("合并至的工单：查询码或工单编号"))

    def validate_into(self, value):
        request, order = self.context["request"], self.context["order"]
        value = value.strip()
        target = None
        if value.isdigit():
            try:
                target = visible_order(request, int(value))
            except Http404:
                target = None
        if target is None:
            orders = selectors.workorder_list(viewer=request.user, within=token_org(request))
            code = services.normalise_tracking_code(value)
            target = orders.filter(tracking_code=code).first() if code else None
        if target is None:
            raise serializers.ValidationError(gettext("未找到要合并至的工单，或其不在您的服务区域内。"))
        if target.pk == order.pk:
            raise serializers.ValidationError(gettext("不能合并至本工单。"))
        return target


ACTION_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "claim": NoDetailsSerializer,
    "assign": AssignSerializer,
    "start": NoDetailsSerializer,
    "request_materials": ReasonSerializer,
    "materials_received": NoDetailsSerializer,
    "resolve": ResolveSerializer,
    "return_visit": NoDetailsSerializer,
    "close": NoDetailsSerializer,
    "transfer": TransferSerializer,
    "escalate": ReasonSerializer,
    "refer_out": ReferOutSerializer,
    "reject": ReasonSerializer,
    "withdraw": ReasonSerializer,
    "reopen": ReasonSerializer,
    "merge": MergeSerializer,
}
assert set(ACTION_SERIALIZERS) == set(TRANSITIONS), "every transition needs an endpoint"


class WorkOrderActionView(WorkOrderViewMixin, APIView):
    """One transition of `models.TRANSITIONS`; `action` is set per URL (see `action_view`)."""

    action = ""

    def post(self, request, pk):
        order = visible_order(request, pk)
        serializer = ACTION_SERIALIZERS[self.action](data=request.data, context={"request": request, "order": order})
        serializer.is_valid(raise_exception=True)
        details = dict(serializer.validated_data)
        reason = details.pop("reason", "")
        try:
            order = services.workorder_transition(
                actor=request.user, order=order, action=self.action, reason=reason, **details
            )
        except WorkOrderConflict as exc:
            raise conflict(exc) from None
        try:
            order = visible_order(request, order.pk)  # fresh, with its relations
        except Http404:
            pass  # a transfer or escalation took it out of the caller's area: answer with what was written
        context = {"request": request, "now": timezone.now()}
        return Response(WorkOrderDetailSerializer(order, context=context).data)


def action_view(action: str):
    from_states, to_state = TRANSITIONS[action]
    allowed = "、".join(str(Status(state).label) for state in sorted(from_states))
    request_serializer = ACTION_SERIALIZERS[action]
    view = type(f"WorkOrder{action.title().replace('_', '')}View", (WorkOrderActionView,), {"action": action})
    decorated = extend_schema(
        tags=[TAG],
        summary=gettext("工单操作：{action}").format(action=ACTION_LABELS[action]),
        description=(
            gettext(
                "可在以下状态执行：{allowed}；执行后为“{label}”。状态不允许时返回 409；无权执行时返回 403；不在您服务区域内的工单返回 404。"
            ).format(allowed=allowed, label=Status(to_state).label)
        ),
        parameters=[ID_PARAMETER],
        request=None if request_serializer is NoDetailsSerializer else request_serializer,
        responses={
            200: WorkOrderDetailSerializer,
            **schema.STAFF_DETAIL_ERRORS,
            409: schema.error(gettext("当前状态不允许该操作，或已被他人认领")),
        },
    )(view)
    return decorated.as_view()


# --- Public tracking ------------------------------------------------------------------------


class TrackThrottle(SimpleRateThrottle):
    """Per client IP (behind the configured number of trusted proxies), for the look-up by
    code + phone: guessing codes must be slow."""

    scope = "workorder_track"
    rate = "30/min"

    def get_cache_key(self, request, view):
        ident = client_ip(request.META, settings.TRUSTED_PROXY_COUNT) or "unknown"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TrackQuerySerializer(StrictSerializer):
    phone = serializers.CharField(max_length=20, help_text=_("登记时留的联系电话"))


class PublicReplySerializer(serializers.Serializer):
    body = serializers.CharField(read_only=True, help_text=_("答复内容"))
    created_at = serializers.DateTimeField(read_only=True, help_text=_("答复时间"))


class TrackSerializer(serializers.ModelSerializer):
    service_item = serializers.CharField(source="service_item.name", read_only=True, help_text=_("服务事项名称"))
    status_display = serializers.CharField(source="get_status_display", read_only=True, help_text=_("状态名称"))
    due_state = serializers.SerializerMethodField(help_text=_("期限状态：on_time、due_soon、overdue、paused 或空串"))
    replies = serializers.SerializerMethodField(help_text=_("群众可见的答复"))
    can_rate = serializers.SerializerMethodField(help_text=_("现在是否可以评价"))

    class Meta:
        model = WorkOrder
        fields = [
            "tracking_code",
            "service_item",
            "status",
            "status_display",
            "received_at",
            "deadline",
            "due_state",
            "replies",
            "can_rate",
        ]
        read_only_fields = fields

    def get_due_state(self, order) -> str:
        return selectors.due_state(order, timezone.now())

    @extend_schema_field(PublicReplySerializer(many=True))
    def get_replies(self, order):
        return PublicReplySerializer(selectors.public_replies(order), many=True).data

    def get_can_rate(self, order) -> bool:
        return order.status in (Status.RESOLVED, Status.RETURN_VISIT) and order.satisfaction is None


TRACK_NOT_FOUND = _("未找到该查询码对应的诉求，或联系电话与登记时不一致。")


@extend_schema(
    tags=[TRACK_TAG],
    summary=_("凭查询码和电话查询办理进度"),
    description=_(
        "公开接口，无需登录。查询码与登记电话都须正确；否则一律返回 404（不区分是哪一项不对）。"
        "已合并的诉求返回合并至的工单的进度。每个 IP 每分钟最多 30 次。"
    ),
    parameters=[
        OpenApiParameter("code", str, OpenApiParameter.PATH, description=_("查询码")),
        TrackQuerySerializer,
    ],
    responses={
        200: TrackSerializer,
        400: schema.BAD_REQUEST,
        404: schema.error(_("查询码或联系电话不正确")),
        429: schema.error(_("请求过于频繁")),
    },
)
class WorkOrderTrackView(ApiViewMixin, generics.RetrieveAPIView):
    permission_classes = PUBLIC
    throttle_classes = [TrackThrottle]
    serializer_class = TrackSerializer
    query_serializer_class = TrackQuerySerializer
    queryset = WorkOrder.objects.none()

    def get_object(self):
        code = services.normalise_tracking_code(self.kwargs["code"][:20])
        order = selectors.workorder_track(code=code, phone=self.query["phone"]) if code else None
        if order is None:
            raise exceptions.NotFound(TRACK_NOT_FOUND)
        return order


urlpatterns = [
    path("work-orders/", WorkOrderListCreateView.as_view(), name="workorder-list"),
    path("work-orders/<int:pk>/", WorkOrderDetailView.as_view(), name="workorder-detail"),
    *[
        path(f"work-orders/<int:pk>/{action}/", action_view(action), name=f"workorder-{action.replace('_', '-')}")
        for action in TRANSITIONS
    ],
    path("track/<str:code>/", WorkOrderTrackView.as_view(), name="workorder-track"),
]


# --- Attachments (appended: SECURITY.md C31) --------------------------------------------------
# List and upload of an order's attachments. The bytes are checked by `workorders.uploads` in
# `services.attachment_add`; staff download them through the console page (C33 headers).


class AttachmentUploadSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text=_("附件：JPG、PNG、PDF 或 OFD，每个不超过 20MB；每件工单最多 30 个、合计不超过 100MB"),
        error_messages={
            "required": _("请上传文件（字段名 file）。"),
            "empty": _("文件是空的。"),
            "invalid": _("没有收到文件。"),
        },
    )


class WorkOrderAttachmentsView(WorkOrderViewMixin, APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=[TAG],
        summary=_("工单附件列表"),
        description=_("不在您服务区域内的工单与不存在的一样返回 404。"),
        parameters=[ID_PARAMETER],
        responses={200: AttachmentSerializer(many=True), **schema.STAFF_DETAIL_ERRORS},
    )
    def get(self, request, pk):
        order = visible_order(request, pk)
        attachments = Attachment.objects.filter(work_order=order).select_related("uploaded_by")
        return Response(AttachmentSerializer(attachments, many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("上传工单附件"),
        description=(
            _(
                "multipart/form-data，字段 file。按文件内容识别类型（须与扩展名一致），只接受 JPG、PNG、PDF、OFD；"
                "图片不超过 4000 万像素，重新编码并清除 EXIF（含定位）信息；不符合的返回 400 并说明原因。"
            )
        ),
        parameters=[ID_PARAMETER],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **schema.STAFF_DETAIL_ERRORS, 409: schema.error(_("工单当前状态不允许"))},
    )
    def post(self, request, pk):
        order = visible_order(request, pk)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            attachment = services.attachment_add(
                actor=request.user, order=order, upload=serializer.validated_data["file"]
            )
        except WorkOrderConflict as exc:
            raise conflict(exc) from None
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


urlpatterns.append(
    path("work-orders/<int:pk>/attachments/", WorkOrderAttachmentsView.as_view(), name="workorder-attachments")
)


# --- Joint review (联审会办) ------------------------------------------------------------------
# A director opens it with the orgs taking part; each org's staff give its opinion; the lead
# org resolves the order through the ordinary `resolve` action once every opinion is in.


class JointReviewSerializer(serializers.ModelSerializer):
    org = serializers.CharField(source="org.code", read_only=True, help_text=_("会办单位区划代码"))
    org_name = serializers.CharField(source="org.name", read_only=True, help_text=_("会办单位名称"))
    opinion_by = serializers.SerializerMethodField(help_text=_("填写意见的工作人员"))

    class Meta:
        model = JointReview
        fields = ["id", "org", "org_name", "is_lead", "opinion", "opinion_by", "opinion_at", "created_at"]
        read_only_fields = fields

    def get_opinion_by(self, review) -> str | None:
        return display_name(review.opinion_by)


class JointReviewOpenSerializer(StrictSerializer):
    lead = serializers.CharField(max_length=12, help_text=_("牵头单位的区划代码"))
    orgs = serializers.ListField(
        child=serializers.CharField(max_length=12),
        min_length=1,
        max_length=20,
        help_text=_("其他会办单位的区划代码（至少一个，须在您的服务区域内）"),
    )

    def _org(self, code: str) -> OrgNode:
        request = self.context["request"]
        node = visible_org(request.user, code, within=token_org(request))
        if node is None:
            raise serializers.ValidationError(
                gettext("未找到区划代码 {code}，或该单位不在您的服务区域内。").format(code=code)
            )
        return node

    def validate_lead(self, value):
        return self._org(value)

    def validate_orgs(self, value):
        return [self._org(code) for code in value]


class JointReviewOpinionSerializer(StrictSerializer):
    org = serializers.CharField(
        max_length=12, required=False, help_text=_("代表哪个会办单位（区划代码）；只参与一个单位时可省略")
    )
    opinion = serializers.CharField(max_length=services.OPINION_MAX, help_text=_("会办意见"))


def _reviews(order: WorkOrder):
    return JointReview.objects.filter(work_order=order).select_related("org", "opinion_by")


class WorkOrderJointReviewView(WorkOrderViewMixin, APIView):
    @extend_schema(
        tags=[TAG],
        summary=_("联审会办：各单位及其意见"),
        parameters=[ID_PARAMETER],
        responses={200: JointReviewSerializer(many=True), **schema.STAFF_DETAIL_ERRORS},
    )
    def get(self, request, pk):
        return Response(JointReviewSerializer(_reviews(visible_order(request, pk)), many=True).data)

    @extend_schema(
        tags=[TAG],
        summary=_("联审会办：发起"),
        description=_(
            "负责人（有分派权限）发起：牵头单位与其他会办单位各自填写意见，牵头单位在意见齐全后办结。"
            "已发起或工单已办结时返回 409。"
        ),
        parameters=[ID_PARAMETER],
        request=JointReviewOpenSerializer,
        responses={
            201: JointReviewSerializer(many=True),
            **schema.STAFF_DETAIL_ERRORS,
            409: schema.error(_("状态不允许")),
        },
    )
    def post(self, request, pk):
        order = visible_order(request, pk)
        if not request.user.has_perm(services.PERM_ASSIGN):
            raise exceptions.PermissionDenied(gettext("只有负责人可以发起联审会办。"))
        serializer = JointReviewOpenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            services.joint_review_open(actor=request.user, order=order, **serializer.validated_data)
        except WorkOrderConflict as exc:
            raise conflict(exc) from None
        return Response(JointReviewSerializer(_reviews(order), many=True).data, status=status.HTTP_201_CREATED)


class WorkOrderJointReviewOpinionView(WorkOrderViewMixin, APIView):
    @extend_schema(
        tags=[TAG],
        summary=_("联审会办：填写或修改本单位意见"),
        description=_("由会办单位（或其下级）的工作人员填写；再次提交即修改。"),
        parameters=[ID_PARAMETER],
        request=JointReviewOpinionSerializer,
        responses={200: JointReviewSerializer, **schema.STAFF_DETAIL_ERRORS, 409: schema.error(_("状态不允许"))},
    )
    def post(self, request, pk):
        order = visible_order(request, pk)
        serializer = JointReviewOpinionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = self._review_of(request, order, serializer.validated_data.get("org", ""))
        try:
            review = services.joint_review_opinion(
                actor=request.user, review=review, opinion=serializer.validated_data["opinion"]
            )
        except WorkOrderConflict as exc:
            raise conflict(exc) from None
        return Response(JointReviewSerializer(review).data)

    @staticmethod
    def _review_of(request, order, code: str) -> JointReview:
        """The review of the caller's org: the one named, or the only one the caller is in."""
        own = area_of(request.user)
        mine = [review for review in _reviews(order) if own is not None and own.is_within(review.org)]
        if code:
            mine = [review for review in mine if review.org.code == code]
        if len(mine) == 1:
            return mine[0]
        if not mine:
            raise exceptions.ValidationError({"org": [gettext("您所在的单位没有参与该工单的联审会办。")]})
        raise exceptions.ValidationError({"org": [gettext("您属于多个会办单位，请用 org 指明代表哪个单位。")]})


urlpatterns += [
    path("work-orders/<int:pk>/joint-review/", WorkOrderJointReviewView.as_view(), name="workorder-joint-review"),
    path(
        "work-orders/<int:pk>/joint-review/opinion/",
        WorkOrderJointReviewOpinionView.as_view(),
        name="workorder-joint-review-opinion",
    ),
]
