"""Every write to work orders. The signatures of `route_preview`, `workorder_create`,
`workorder_create_idempotent`, `workorder_transition` and `workorder_note_add` are the
contract the API, the pages and the other apps code against."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from open12348.audit import services as audit
from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.core import pii, refcache, workdays
from open12348.core.fields import lookup_hash
from open12348.core.prepared import PreparedQuery, insert
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import ancestors_or_self, area_of
from open12348.workorders import routing, selectors, sla
from open12348.workorders.exceptions import (
    AlreadyClaimed,
    IdempotencyInFlight,
    IdempotencyMismatch,
    TransitionNotAllowed,
)
from open12348.workorders.models import (
    ACTION_LABELS,
    OPEN_STATUSES,
    TRANSITIONS,
    Applicant,
    Callback,
    Channel,
    DutyShift,
    FollowUp,
    IdempotencyKey,
    Note,
    Party,
    Post,
    Priority,
    RatingAppeal,
    ReceptionDay,
    ReferralBody,
    ReturnVisit,
    RoutingRule,
    Satisfaction,
    Status,
    WorkOrder,
)

PERM_INTAKE = "workorders.intake_workorder"
PERM_HANDLE = "workorders.handle_workorder"
PERM_ASSIGN = "workorders.assign_workorder"
ASSIGN_ACTIONS = frozenset({"assign", "transfer", "escalate"})
REASON_REQUIRED = frozenset({"transfer", "escalate", "refer_out", "reject", "withdraw", "reopen", "request_materials"})
DESCRIPTION_MAX = 5000
NOTE_MAX = 5000
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
CODE_ATTEMPTS = 8
IDEMPOTENCY_STALE_SECONDS = 60
FOLLOW_UP_WORKING_DAYS = 5
DISSATISFIED = frozenset({Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED})


# --- helpers -------------------------------------------------------------------------------


def _is_staff(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_staff_member)


def _require(actor, permission: str) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm(permission)):
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))


def _require_visible(actor, order: WorkOrder) -> None:
    from open12348.workorders.selectors import is_visible

    if not is_visible(actor, order):
        raise PermissionDenied(gettext("该工单不在您的办理范围内。"))


def _label(user) -> str:
    return str(user) if user is not None else ""


def _now() -> datetime.datetime:
    return timezone.now()


def format_tracking_code(raw: str) -> str:
    return f"{raw[:4]}-{raw[4:]}"


def normalise_tracking_code(code: str) -> str:
    """'abcd efgh', 'ABCD-EFGH' and 'abcdefgh' all become 'ABCD-EFGH' ('' if malformed)."""
    text = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(text) != 8 or any(ch not in CODE_ALPHABET for ch in text):
        return ""
    return format_tracking_code(text)


def new_tracking_code() -> str:
    return format_tracking_code("".join(secrets.choice(CODE_ALPHABET) for _ in range(8)))


# --- routing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutePreview:
    org: object  # OrgNode that will handle the order
    post: object | None  # Post at that org, or None (waits for the director)
    reason: str  # "why this route", in Chinese


def _rules() -> list[routing.Rule]:
    return refcache.cached("routing-rules", _load_rules, models=(RoutingRule, ServiceItem, LegalCategory))


def _load_rules() -> list[routing.Rule]:
    rows = RoutingRule.objects.filter(is_active=True).select_related("service_item", "legal_category")
    return [
        routing.Rule(
            id=row.id,
            name=row.name,
            service_item=row.service_item.code if row.service_item_id else None,
            legal_category=row.legal_category.code if row.legal_category_id else None,
            complex_only=row.complex_only,
            target=row.target,
            post_code=row.post_code,
            priority=row.priority,
        )
        for row in rows
    ]


def _category_codes(category: LegalCategory | None) -> tuple[str, ...]:
    codes: list[str] = []
    seen = set()
    while category is not None and category.pk not in seen:
        seen.add(category.pk)
        codes.append(category.code)
        category = category.parent
    return tuple(codes)


def _org_for(target_level: str, area: OrgNode) -> tuple[OrgNode, str]:
    """(handling org, note when the wanted level does not exist above the area)."""
    if target_level == "area":
        return area, ""
    for node in ancestors_or_self(area):
        if node.level == target_level:
            return node, ""
    return area, gettext("受理区域之上没有{level}，由受理所在区域办理。").format(
        level=routing.LEVEL_NAMES[target_level]
    )


def route_preview(*, service_item, legal_category, area, is_complex: bool = False) -> RoutePreview:
    """Where an order with these facts would go, and why (used by intake forms and the admin)."""
    chosen = routing.route(
        _rules(), item=service_item.code, categories=_category_codes(legal_category), is_complex=is_complex
    )
    org, note = _org_for(chosen.target_level, area)
    post = Post.objects.filter(org=org, code=chosen.post_code).first() if chosen.post_code else None
    parts = [chosen.reason, gettext("承办单位：{name}。").format(name=org.name)]
    if note:
        parts.append(note)
    if chosen.post_code and post is None:
        parts.append(
            gettext("{name}未设置 {post_code} 岗位，工单等待负责人分派。").format(
                name=org.name, post_code=chosen.post_code
            )
        )
    elif post is not None:
        parts.append(
            gettext("承办岗位：{name}（{assignment}）。").format(
                name=post.name, assignment=post.get_assignment_display()
            )
        )
    return RoutePreview(org=org, post=post, reason="".join(parts))


def _pick_member(post: Post):
    """A member of `post` by its assignment rule, or None (manual: wait for a claim)."""
    if post.assignment == Post.Assignment.MANUAL:
        return None
    post = Post.objects.select_for_update().get(pk=post.pk)
    members = list(post.members.filter(is_active=True).order_by("id"))
    if not members:
        return None
    if post.assignment == Post.Assignment.ROUND_ROBIN:
        later = [member for member in members if post.last_assigned_id and member.id > post.last_assigned_id]
        chosen = later[0] if later else members[0]
    else:
        loads = dict(
            post.members.filter(is_active=True)
            .annotate(load=Count("assigned_orders", filter=Q(assigned_orders__status__in=list(OPEN_STATUSES))))
            .values_list("id", "load")
        )
        chosen = min(members, key=lambda member: (loads.get(member.id, 0), member.id))
    Post.objects.filter(pk=post.pk).update(last_assigned=chosen)
    return chosen


# --- intake --------------------------------------------------------------------------------


def _validate_create(
    *,
    actor,
    channel,
    service_item,
    area,
    applicant_name,
    applicant_phone,
    description,
    legal_category,
    applicant_resident_id,
    priority,
    parties,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if channel not in Channel.values:
        fail("channel", gettext("请选择有效的受理渠道。"))
    if not isinstance(service_item, ServiceItem):
        fail("service_item", gettext("请选择服务事项。"))
    elif not service_item.is_active:
        fail("service_item", gettext("该服务事项已停用。"))
    if legal_category is not None and not isinstance(legal_category, LegalCategory):
        fail("legal_category", gettext("请选择有效的法律类别。"))
    if not isinstance(area, OrgNode):
        fail("area", gettext("请选择诉求所在区域。"))
    elif _is_staff(actor):
        own = area_of(actor)
        if own is None or not area.is_within(own):
            fail("area", gettext("只能登记本辖区内的诉求。"))
    name = (applicant_name or "").strip()
    if not name:
        fail("applicant_name", gettext("请填写申请人姓名。"))
    elif len(name) > 50:
        fail("applicant_name", gettext("申请人姓名不能超过50个字。"))
    clean["applicant_name"] = name
    if not (applicant_phone or "").strip():
        fail("applicant_phone", gettext("请填写联系电话。"))
    else:
        try:
            clean["applicant_phone"] = pii.validate_phone(applicant_phone)
        except ValidationError as error:
            fail("applicant_phone", error.messages[0])
    clean["applicant_resident_id"] = ""
    if (applicant_resident_id or "").strip():
        try:
            clean["applicant_resident_id"] = pii.validate_resident_id(applicant_resident_id)
        except ValidationError as error:
            fail("applicant_resident_id", error.messages[0])
    text = (description or "").strip()
    if not text:
        fail("description", gettext("请填写诉求内容。"))
    elif len(text) > DESCRIPTION_MAX:
        fail(
            "description",
            gettext("诉求内容不能超过{description_max}字（当前{text_count}字）。").format(
                description_max=DESCRIPTION_MAX, text_count=len(text)
            ),
        )
    clean["description"] = text
    if priority not in Priority.values:
        fail("priority", gettext("请选择有效的紧急程度。"))
    clean_parties = []
    for index, party in enumerate(parties or [], start=1):
        party_name = str((party or {}).get("name", "")).strip()
        if not party_name:
            fail("parties", gettext("第{index}位当事人缺少姓名或名称。").format(index=index))
            continue
        phone = str(party.get("phone", "") or "").strip()
        if phone:
            try:
                phone = pii.validate_phone(phone)
            except ValidationError as error:
                fail(
                    "parties", gettext("第{index}位当事人：{messages}").format(index=index, messages=error.messages[0])
                )
        clean_parties.append(
            {"name": party_name[:100], "phone": phone, "role": str(party.get("role") or gettext("对方当事人"))[:30]}
        )
    clean["parties"] = clean_parties
    if errors:
        raise ValidationError(errors)
    return clean


_APPLICANT_BY_PHONE = PreparedQuery(
    lambda phone_hash: Applicant.objects.filter(phone_hash=phone_hash).order_by("id")[:1], str
)


def _applicant(*, name: str, phone: str, resident_id: str, user) -> Applicant:
    applicant = _APPLICANT_BY_PHONE.first(lookup_hash("phone", phone))
    if applicant is None:
        return insert(Applicant(name=name, phone=phone, resident_id=resident_id, user=user))
    changed = []
    if applicant.name != name:
        applicant.name, changed = name, [*changed, "name"]
    if resident_id and applicant.resident_id != resident_id:
        applicant.resident_id, changed = resident_id, [*changed, "resident_id", "resident_id_hash"]
    if user is not None and applicant.user_id is None:
        applicant.user, changed = user, [*changed, "user"]
    if changed:
        applicant.save(update_fields=[*changed, "updated_at"])
    return applicant


def _insert_with_code(order: WorkOrder) -> WorkOrder:
    for _ in range(CODE_ATTEMPTS):
        order.tracking_code = new_tracking_code()
        if insert(order, unless_taken="tracking_code") is not None:
            return order
    raise RuntimeError(gettext("无法生成唯一的查询码"))  # 31**8 codes: practically unreachable


def workorder_create(
    *,
    actor,
    channel: str,
    service_item,
    area,
    applicant_name: str,
    applicant_phone: str,
    description: str,
    legal_category=None,
    applicant_resident_id: str = "",
    applicant_user=None,
    is_complex: bool = False,
    green_channel: bool = False,
    priority: int = 0,
    parties: list[dict] | None = None,
) -> WorkOrder:
    """Validate (ValidationError keyed by these argument names, Chinese messages), route,
    compute the deadline, give a tracking code, write the order and its audit event.
    Permission, validation and route are read first; the writes then happen in one
    transaction (on SQLite `BEGIN IMMEDIATE` holds the writer lock only for those). The
    returned order carries `route_reason` (the reason recorded in its audit event)."""
    fields = dict(locals())
    clean, route = _intake_prepare(fields)
    with transaction.atomic():
        return _intake_write(fields, clean, route)


_VALIDATED = (
    "actor",
    "channel",
    "service_item",
    "area",
    "applicant_name",
    "applicant_phone",
    "description",
    "legal_category",
    "applicant_resident_id",
    "priority",
    "parties",
)


def _intake_prepare(fields: dict[str, Any]) -> tuple[dict[str, Any], RoutePreview]:
    """Permission, validation and route of an intake: reads only, no transaction needed."""
    if _is_staff(fields["actor"]):
        _require(fields["actor"], PERM_INTAKE)
    clean = _validate_create(**{name: fields[name] for name in _VALIDATED})
    route = route_preview(
        service_item=fields["service_item"],
        legal_category=fields["legal_category"],
        area=fields["area"],
        is_complex=bool(fields["is_complex"]),
    )
    return clean, route


def _intake_write(fields: dict[str, Any], clean: dict[str, Any], route: RoutePreview) -> WorkOrder:
    """The writes of an intake `_intake_prepare` accepted; inside the caller's transaction."""
    actor, channel, area = fields["actor"], fields["channel"], fields["area"]
    service_item, legal_category, priority = fields["service_item"], fields["legal_category"], fields["priority"]
    green_channel, is_complex, applicant_user = fields["green_channel"], fields["is_complex"], fields["applicant_user"]
    applicant = _applicant(
        name=clean["applicant_name"],
        phone=clean["applicant_phone"],
        resident_id=clean["applicant_resident_id"],
        user=applicant_user if getattr(applicant_user, "is_authenticated", False) else None,
    )
    received_at = _now()
    assignee = _pick_member(route.post) if route.post is not None else None
    order = WorkOrder(
        channel=channel,
        service_item=service_item,
        legal_category=legal_category,
        area=area,
        applicant=applicant,
        description=clean["description"],
        first_owner=actor if _is_staff(actor) else None,
        handling_org=route.org,
        post=route.post,
        assignee=assignee,
        priority=priority,
        green_channel=bool(green_channel),
        is_complex=bool(is_complex),
        status=Status.ASSIGNED if assignee else Status.RECEIVED,
        received_at=received_at,
        deadline=sla.deadline_for(received_at, service_item.time_limit_days, workdays.is_workday),
    )
    _insert_with_code(order)
    for party in clean["parties"]:
        Party.objects.create(work_order=order, **party)
    audit.record(
        actor=actor,
        verb="workorder.created",
        target=order,
        org=order.handling_org,
        payload={
            "tracking_code": order.tracking_code,
            "channel": channel,
            "service_item": service_item.code,
            "legal_category": legal_category.code if legal_category else "",
            "area": area.code,
            "handling_org": route.org.code,
            "post": route.post.code if route.post else "",
            "assignee": assignee.get_username() if assignee else "",
            "route_reason": route.reason,
            "deadline": order.deadline.isoformat(),
        },
        actor_label="" if actor is not None else "群众",  # i18n: data — stored in the audit chain
    )
    order.route_reason = route.reason
    return order


def workorder_create_idempotent(*, key: str, request_hash: str, **fields) -> tuple[WorkOrder, bool]:
    """(order, created). Same key + same hash → the first order, created=False.
    Same key + other hash → IdempotencyMismatch.

    A key is looked up first (a retry writes nothing) and written with its order, in the
    order's own transaction (one commit per intake, no key without an order): a concurrent
    request with the same key waits for the first one's transaction (SQLite: the writer lock
    at `BEGIN IMMEDIATE`; PostgreSQL: the unique index), fails on the key and replays the
    first order; a request that fails leaves no key behind. A key without an order can only
    be one left by an older release (which committed the key first): that is
    IdempotencyInFlight until it is IDEMPOTENCY_STALE_SECONDS old, then taken over."""
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise ValidationError({"key": gettext("Idempotency-Key 应为1到100个字符。")})
    fields = _intake_fields(**fields)
    # A retry of a request that was accepted earlier gets its order even if the same input
    # would no longer be accepted now (service stopped, account moved).
    replayed = _replayed_order(key, request_hash)
    if replayed is not None:
        return replayed, False
    clean, route = _intake_prepare(fields)
    try:
        with transaction.atomic():
            order = _intake_write(fields, clean, route)
            insert(IdempotencyKey(key=key, request_hash=request_hash, work_order=order))
    except IntegrityError:
        replayed = _replayed_order(key, request_hash)  # a concurrent request with the key won
        if replayed is None:
            raise
        return replayed, False
    return order, True


_KEY = PreparedQuery(lambda key: IdempotencyKey.objects.filter(key=key), str)


def _replayed_order(key: str, request_hash: str) -> WorkOrder | None:
    """The order a key was first used for; None for a new key."""
    record = _KEY.first(key)
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise IdempotencyMismatch(gettext("该 Idempotency-Key 已用于内容不同的请求。"))
    if record.work_order_id is None:
        if record.created_at >= _now() - datetime.timedelta(seconds=IDEMPOTENCY_STALE_SECONDS):
            raise IdempotencyInFlight(gettext("使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。"))
        # Stale: taken over (a concurrent taker loses on the key and replays the winner).
        IdempotencyKey.objects.filter(pk=record.pk, work_order__isnull=True).delete()
        return None
    return WorkOrder.objects.get(pk=record.work_order_id)


def _intake_fields(
    *,
    actor,
    channel: str,
    service_item,
    area,
    applicant_name: str,
    applicant_phone: str,
    description: str,
    legal_category=None,
    applicant_resident_id: str = "",
    applicant_user=None,
    is_complex: bool = False,
    green_channel: bool = False,
    priority: int = 0,
    parties: list[dict] | None = None,
) -> dict[str, Any]:
    """`workorder_create`'s arguments with their defaults, as a dict."""
    return dict(locals())


# --- the one guarded transition ------------------------------------------------------------


def _check_actor(actor, order: WorkOrder, action: str) -> None:
    if action in ASSIGN_ACTIONS and not (
        action == "escalate" and getattr(actor, "pk", None) is not None and order.assignee_id == actor.pk
    ):
        _require(actor, PERM_ASSIGN)
    else:
        _require(actor, PERM_HANDLE)
    _require_visible(actor, order)


def can_transition(*, actor, order: WorkOrder, action: str) -> bool:
    """Whether `actor` may perform `action` on `order` now (status and permission), so pages
    and the API offer only what `workorder_transition` would accept."""
    if action not in TRANSITIONS or order.status not in TRANSITIONS[action][0]:
        return False
    try:
        _check_actor(actor, order, action)
    except PermissionDenied:
        return False
    if action == "claim":
        return order.assignee_id is None
    if action == "escalate":
        return order.handling_org.parent_id is not None
    if action == "resolve":
        try:
            joint_review_resolve_guard(actor=actor, order=order)
        except (PermissionDenied, TransitionNotAllowed):
            return False
    return True


def allowed_actions(*, actor, order: WorkOrder) -> list[str]:
    """The actions of TRANSITIONS that `actor` may perform on `order` now, in table order."""
    return [action for action in TRANSITIONS if can_transition(actor=actor, order=order, action=action)]


def _refuse(order: WorkOrder, action: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        gettext("工单当前状态为「{status}」，不能执行「{action}」操作。").format(
            status=order.get_status_display(), action=ACTION_LABELS.get(action, action)
        )
    )


def _need(details: dict, name: str, message: str):
    value = details.get(name)
    if value in (None, ""):
        raise ValidationError({name: message})
    return value


def _staff_user(user, field: str, actor):
    from open12348.accounts.models import User

    if not isinstance(user, User) or not user.is_active or not user.is_staff_member:
        raise ValidationError({field: gettext("请选择有效的工作人员。")})
    if not user.has_perm(PERM_HANDLE):
        raise ValidationError({field: gettext("{user}没有办理工单的权限。").format(user=user)})
    own, theirs = area_of(actor), area_of(user)
    if own is None or theirs is None or not (theirs.is_within(own) or own.is_within(theirs)):
        raise ValidationError({field: gettext("{user}不在您的管辖范围内。").format(user=user)})
    return user


def _apply(actor, order: WorkOrder, action: str, reason: str, details: dict, now) -> dict:
    """Action-specific effects on the locked `order`; returns the audit payload details."""
    payload: dict[str, Any] = {}
    if action == "assign":
        post = details.get("post")
        if post is not None and not isinstance(post, Post):
            raise ValidationError({"post": gettext("请选择有效的岗位。")})
        assignee = details.get("assignee")
        if assignee is None and post is not None:
            assignee = _pick_member(post)
        if assignee is None:
            raise ValidationError({"assignee": gettext("请选择承办人（只调整承办单位或岗位请使用“转办”）。")})
        order.assignee = _staff_user(assignee, "assignee", actor)
        if post is not None:
            order.post = post
        payload.update(assignee=order.assignee.get_username(), assignee_name=_label(order.assignee))
        if post is not None:
            payload["post"] = post.code
    elif action == "transfer":
        org = details.get("org")
        if not isinstance(org, OrgNode):
            raise ValidationError({"org": gettext("请选择转办的承办单位。")})
        post = details.get("post")
        if post is not None and (not isinstance(post, Post) or post.org_id != org.pk):
            raise ValidationError({"post": gettext("岗位应属于转办的承办单位。")})
        payload.update(from_org=order.handling_org.code, to_org=org.code, post=post.code if post else "")
        order.handling_org, order.post, order.assignee = org, post, None
    elif action == "escalate":
        parent = order.handling_org.parent
        if parent is None:
            raise TransitionNotAllowed(
                gettext("{name}已是最高层级，无法继续上报。").format(name=order.handling_org.name)
            )
        payload.update(from_org=order.handling_org.code, to_org=parent.code)
        order.handling_org, order.post, order.assignee = parent, None, None
    elif action == "refer_out":
        body = _need(details, "referred_to", gettext("请选择接收部门。"))
        if body not in ReferralBody.values:
            raise ValidationError({"referred_to": gettext("请选择有效的接收部门。")})
        name = str(details.get("referred_to_name") or "").strip()
        if body == ReferralBody.OTHER and not name:
            raise ValidationError({"referred_to_name": gettext("请填写接收单位名称。")})
        order.referred_to, order.referred_to_name = body, name[:100]
        payload.update(referred_to=body, referred_to_name=order.referred_to_name)
    elif action == "resolve":
        code = str(_need(details, "outcome_code", gettext("请选择办理结果。"))).strip()
        order.outcome_code, order.resolved_at = code[:40], now
        payload["outcome_code"] = order.outcome_code
        reply = str(details.get("reply") or "").strip()
        if reply:
            if len(reply) > NOTE_MAX:
                raise ValidationError({"reply": gettext("答复不能超过{note_max}字。").format(note_max=NOTE_MAX)})
            note = Note.objects.create(work_order=order, author=actor, body=reply, is_public=True)
            payload["reply_note"] = note.pk
    elif action == "request_materials":
        order.clock_paused_at = now
    elif action == "materials_received":
        pass  # the clock resumes below, as for every action leaving awaiting_materials
    elif action == "close":
        order.closed_at = now
    elif action == "reopen":
        payload.update(previous_deadline=order.deadline.isoformat() if order.deadline else "")
        order.resolved_at = order.closed_at = None
        order.outcome_code = ""
        order.deadline = sla.deadline_for(now, order.service_item.time_limit_days, workdays.is_workday)
    elif action == "merge":
        target = details.get("into")
        if not isinstance(target, WorkOrder):
            raise ValidationError({"into": gettext("请选择要合并到的工单。")})
        seen = {order.pk}
        while target.merged_into_id is not None:
            if target.pk in seen:
                break
            seen.add(target.pk)
            target = WorkOrder.objects.select_related("handling_org", "area").get(pk=target.merged_into_id)
        if target.pk == order.pk:
            raise ValidationError({"into": gettext("不能合并到工单自身。")})
        _require_visible(actor, target)
        order.merged_into = target
        WorkOrder.objects.filter(merged_into=order).update(merged_into=target)  # no chains
        payload.update(into=target.pk, into_tracking_code=target.tracking_code)
    return payload


def workorder_transition(*, actor, order: WorkOrder, action: str, reason: str = "", **details) -> WorkOrder:
    """The one guarded transition. `action` is a key of models.TRANSITIONS. Details by action:
    assign(assignee=User | post=Post), transfer(org=OrgNode, post=Post|None, reason),
    escalate(reason), refer_out(referred_to=ReferralBody, referred_to_name, reason),
    reject(reason), withdraw(reason), reopen(reason), resolve(outcome_code, reply=""),
    request_materials(reason), merge(into=WorkOrder). `claim` assigns to the actor and raises
    AlreadyClaimed when someone else holds it. Illegal → TransitionNotAllowed; not allowed
    for this actor → PermissionDenied; missing details → ValidationError."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": gettext("未知的操作：{action}").format(action=action)})
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": gettext("请填写{action}的原因。").format(action=ACTION_LABELS[action])})
    if len(reason) > 500:
        raise ValidationError({"reason": gettext("原因不能超过500字。")})
    if action == "claim":
        return _claim(actor=actor, order=order)
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        locked = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("handling_org__parent", "area", "service_item", "assignee")
            .get(pk=order.pk)
        )
        _check_actor(actor, locked, action)
        if locked.status not in sources:
            raise _refuse(locked, action)
        if action == "resolve":  # joint review (联审会办): lead org only, every other opinion in
            joint_review_resolve_guard(actor=actor, order=locked)
        now = _now()
        from_status = locked.status
        payload = _apply(actor, locked, action, reason, details, now)
        if target != Status.AWAITING_MATERIALS and locked.clock_paused_at is not None:
            if locked.deadline is not None:
                payload["paused_from"] = locked.clock_paused_at.isoformat()
                locked.deadline = sla.resumed_deadline(
                    locked.deadline, locked.clock_paused_at, now, workdays.is_workday
                )
            locked.clock_paused_at = None
        locked.status = target
        if reason:
            locked.status_reason = reason
        locked.save()
        audit.record(
            actor=actor,
            verb=f"workorder.{action}",
            target=locked,
            org=locked.handling_org,
            payload={
                "from": from_status,
                "to": target,
                "reason": reason,
                "deadline": locked.deadline.isoformat() if locked.deadline else "",
                **payload,
            },
        )
    order.refresh_from_db()
    return order


def _claim(*, actor, order: WorkOrder) -> WorkOrder:
    with transaction.atomic():
        current = WorkOrder.objects.select_related("handling_org", "area", "assignee").get(pk=order.pk)
        _check_actor(actor, current, "claim")
        now = _now()
        won = WorkOrder.objects.filter(pk=order.pk, status=Status.RECEIVED, assignee__isnull=True).update(
            status=Status.ASSIGNED, assignee=actor, updated_at=now
        )
        if not won:
            current = WorkOrder.objects.select_related("assignee").get(pk=order.pk)
            if current.assignee_id is not None:
                holder = current.assignee
                who = gettext("您") if holder.pk == actor.pk else f"「{_label(holder)}」"
                raise AlreadyClaimed(gettext("该工单已由{who}认领。").format(who=who), holder=holder)
            raise _refuse(current, "claim")
        audit.record(
            actor=actor,
            verb="workorder.claim",
            target=current,
            org=current.handling_org,
            payload={"from": Status.RECEIVED, "to": Status.ASSIGNED, "assignee": actor.get_username()},
        )
    order.refresh_from_db()
    return order


@transaction.atomic
def workorder_note_add(*, actor, order: WorkOrder, body: str, is_public: bool = False) -> Note:
    _require(actor, PERM_HANDLE)
    _require_visible(actor, order)
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": gettext("请填写内容。")})
    if len(text) > NOTE_MAX:
        raise ValidationError({"body": gettext("内容不能超过{note_max}字。").format(note_max=NOTE_MAX)})
    note = Note.objects.create(work_order=order, author=actor, body=text, is_public=bool(is_public))
    audit.record(
        actor=actor,
        verb="workorder.note_added",
        target=order,
        org=order.handling_org,
        payload={"note": note.pk, "public": note.is_public},
    )
    return note


# --- return visits, follow-ups, appeals, call backs (B8) -----------------------------------


def _satisfaction(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = 0
    if value not in Satisfaction.values:
        raise ValidationError(
            {"satisfaction": gettext("请选择满意度（非常满意、满意、基本满意、不满意、非常不满意）。")}
        )
    return value


def _rate(
    *, actor, order: WorkOrder, method: str, satisfaction: int, comment: str, actor_label: str = ""
) -> ReturnVisit:
    now = _now()
    visit = ReturnVisit.objects.create(
        work_order=order,
        by=actor if _is_staff(actor) else None,
        method=method,
        satisfaction=satisfaction,
        comment=comment,
        at=now,
    )
    WorkOrder.objects.filter(pk=order.pk).update(satisfaction=satisfaction, updated_at=now)
    order.satisfaction = satisfaction
    audit.record(
        actor=actor,
        verb="workorder.return_visit_recorded",
        target=order,
        org=order.handling_org,
        payload={"visit": visit.pk, "method": method, "satisfaction": satisfaction},
        actor_label=actor_label,
    )
    if satisfaction in DISSATISFIED:
        reason = gettext("群众评价为「{label}」，须整改回复。").format(label=Satisfaction(satisfaction).label)
        _follow_up(actor=actor, order=order, reason=reason, return_visit=visit, actor_label=actor_label)
    return visit


def _follow_up(*, actor, order: WorkOrder, reason: str, return_visit=None, actor_label: str = "") -> FollowUp:
    """The mandatory follow-up of a bad rating, due in 5 working days, in the director's queue."""
    follow_up = FollowUp.objects.create(
        work_order=order,
        return_visit=return_visit,
        reason=reason,
        deadline=sla.deadline_for(_now(), FOLLOW_UP_WORKING_DAYS, workdays.is_workday),
        owner_org=order.handling_org,
    )
    audit.record(
        actor=actor,
        verb="workorder.follow_up_created",
        target=order,
        org=order.handling_org,
        payload={"follow_up": follow_up.pk, "deadline": follow_up.deadline.isoformat()},
        actor_label=actor_label,
    )
    return follow_up


@transaction.atomic
def follow_up_for_rating(*, order: WorkOrder, satisfaction: int, source: str, actor_label: str) -> FollowUp | None:
    """A 不满意/非常不满意 given where it cannot be a return visit — the window's evaluator
    while the order is still being handled — still opens the mandatory follow-up. Returns it,
    or None for a rating that needs none."""
    satisfaction = _satisfaction(satisfaction)
    if satisfaction not in DISSATISFIED:
        return None
    reason = gettext("{source}：群众评价为「{label}」，须整改回复。").format(
        source=source, label=Satisfaction(satisfaction).label
    )
    return _follow_up(actor=None, order=order, reason=reason, actor_label=actor_label)


# How staff record a rating (群众自评 is the citizen's own, on the tracking page).
STAFF_VISIT_METHODS = frozenset(
    {ReturnVisit.Method.PHONE, ReturnVisit.Method.SMS, ReturnVisit.Method.VISIT, ReturnVisit.Method.EVALUATOR}
)


@transaction.atomic
def return_visit_record(*, actor, order: WorkOrder, method: str, satisfaction: int, comment: str = "") -> ReturnVisit:
    """Record a return visit after resolution; a resolved order moves to 回访中. 不满意 and
    非常不满意 open a follow-up due in 5 working days in the director's queue."""
    _require(actor, PERM_HANDLE)
    _require_visible(actor, order)
    if method not in STAFF_VISIT_METHODS:
        raise ValidationError({"method": gettext("请选择回访方式（电话、短信、上门）。")})
    satisfaction = _satisfaction(satisfaction)
    given = order
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("handling_org").get(pk=order.pk)
    if order.status == Status.RESOLVED:
        order = workorder_transition(actor=actor, order=order, action="return_visit")
    elif order.status != Status.RETURN_VISIT:
        raise TransitionNotAllowed(
            gettext("工单当前状态为「{status}」，办结后才能回访。").format(status=order.get_status_display())
        )
    visit = _rate(actor=actor, order=order, method=method, satisfaction=satisfaction, comment=(comment or "").strip())
    given.refresh_from_db()
    return visit


@transaction.atomic
def citizen_rating_submit(*, order: WorkOrder, phone: str, satisfaction: int, comment: str = "") -> ReturnVisit:
    """The applicant rates a resolved order on the tracking page (phone must match; once)."""
    given = order
    order = (
        WorkOrder.objects.select_for_update(of=("self",)).select_related("applicant", "handling_org").get(pk=order.pk)
    )
    if not phone or lookup_hash("phone", phone) != order.applicant.phone_hash:
        raise ValidationError({"phone": gettext("联系电话与受理时登记的不一致。")})
    if order.status not in (Status.RESOLVED, Status.RETURN_VISIT):
        raise TransitionNotAllowed(gettext("工单办结后才能评价。"))
    if ReturnVisit.objects.filter(work_order=order, method=ReturnVisit.Method.SELF).exists():
        raise TransitionNotAllowed(gettext("您已评价过该工单。"))
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise ValidationError({"comment": gettext("评价意见不能超过1000字。")})
    visit = _rate(
        actor=None,
        order=order,
        method=ReturnVisit.Method.SELF,
        satisfaction=_satisfaction(satisfaction),
        comment=comment,
        actor_label="群众",  # i18n: data — stored in the audit chain
    )
    given.refresh_from_db()
    return visit


@transaction.atomic
def follow_up_resolve(*, actor, follow_up: FollowUp, resolution: str) -> FollowUp:
    _require(actor, PERM_ASSIGN)
    _require_visible(actor, follow_up.work_order)
    if follow_up.resolved_at is not None:
        raise TransitionNotAllowed(gettext("该整改已处理。"))
    text = (resolution or "").strip()
    if not text:
        raise ValidationError({"resolution": gettext("请填写处理情况。")})
    follow_up.resolution, follow_up.resolved_at, follow_up.resolved_by = text, _now(), actor
    follow_up.save(update_fields=["resolution", "resolved_at", "resolved_by", "updated_at"])
    audit.record(
        actor=actor,
        verb="workorder.follow_up_resolved",
        target=follow_up.work_order,
        org=follow_up.work_order.handling_org,
        payload={"follow_up": follow_up.pk},
    )
    return follow_up


@transaction.atomic
def rating_appeal_file(
    *, actor, order: WorkOrder, reason: str, return_visit: ReturnVisit | None = None
) -> RatingAppeal:
    _require(actor, PERM_HANDLE)
    _require_visible(actor, order)
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("handling_org").get(pk=order.pk)
    if order.satisfaction is None:
        raise TransitionNotAllowed(gettext("该工单尚无评价，无需申诉。"))
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": gettext("请填写申诉理由。")})
    if RatingAppeal.objects.filter(work_order=order, upheld__isnull=True).exists():
        raise TransitionNotAllowed(gettext("该工单已有待审核的评价申诉。"))
    appeal = RatingAppeal.objects.create(work_order=order, return_visit=return_visit, by=actor, reason=text)
    audit.record(
        actor=actor,
        verb="workorder.rating_appealed",
        target=order,
        org=order.handling_org,
        payload={"appeal": appeal.pk, "satisfaction": order.satisfaction},
    )
    return appeal


@transaction.atomic
def rating_appeal_decide(*, actor, appeal: RatingAppeal, upheld: bool, note: str = "") -> RatingAppeal:
    """The director decides; an upheld appeal sets the rating aside (satisfaction cleared)."""
    _require(actor, PERM_ASSIGN)
    order = appeal.work_order
    _require_visible(actor, order)
    if appeal.by_id == actor.pk:
        raise PermissionDenied(gettext("不能审核自己提出的申诉。"))
    decided = RatingAppeal.objects.filter(pk=appeal.pk, upheld__isnull=True).update(
        upheld=bool(upheld), decided_by=actor, decided_at=_now(), decision_note=(note or "").strip()[:500]
    )
    if not decided:
        raise TransitionNotAllowed(gettext("该申诉已审核。"))
    appeal.refresh_from_db()
    previous = order.satisfaction
    if appeal.upheld:
        WorkOrder.objects.filter(pk=order.pk).update(satisfaction=None, updated_at=_now())
        order.satisfaction = None
    audit.record(
        actor=actor,
        verb="workorder.rating_appeal_decided",
        target=order,
        org=order.handling_org,
        payload={"appeal": appeal.pk, "upheld": appeal.upheld, "previous_satisfaction": previous},
    )
    return appeal


@transaction.atomic
def callback_record(*, actor, order: WorkOrder, correction: str) -> Callback:
    """A wrong answer corrected by calling the applicant back (seed 004 §2.3)."""
    _require(actor, PERM_HANDLE)
    _require_visible(actor, order)
    text = (correction or "").strip()
    if not text:
        raise ValidationError({"correction": gettext("请填写更正内容。")})
    if len(text) > NOTE_MAX:
        raise ValidationError({"correction": gettext("更正内容不能超过{note_max}字。").format(note_max=NOTE_MAX)})
    callback = Callback.objects.create(work_order=order, by=actor, correction=text, at=_now())
    audit.record(
        actor=actor,
        verb="workorder.callback_recorded",
        target=order,
        org=order.handling_org,
        payload={"callback": callback.pk},
    )
    return callback


# --- ledgers (B7) --------------------------------------------------------------------------


def _require_org(actor, org) -> None:
    own = area_of(actor)
    if not isinstance(org, OrgNode):
        raise ValidationError({"org": gettext("请选择所属区域。")})
    if own is None or not org.is_within(own):
        raise PermissionDenied(gettext("只能安排本辖区的事项。"))


@transaction.atomic
def duty_shift_create(
    *, actor, org, user, starts_at, ends_at, site=None, window=None, seat_label: str = ""
) -> DutyShift:
    _require(actor, PERM_ASSIGN)
    _require_org(actor, org)
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationError({"ends_at": gettext("结束时间应晚于开始时间。")})
    if site is not None and not site.org.is_within(org):
        raise ValidationError({"site": gettext("站点应在所属区域内。")})
    if window is not None and (site is None or window.site_id != site.pk):
        raise ValidationError({"window": gettext("窗口应属于所选站点。")})
    shift = DutyShift.objects.create(
        org=org,
        site=site,
        window=window,
        seat_label=(seat_label or "").strip()[:40],
        user=user,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    audit.record(actor=actor, verb="workorder.duty_shift_created", target=shift, org=org, payload={"user": user.pk})
    return shift


@transaction.atomic
def reception_day_create(
    *, actor, org, leader_name: str, date: datetime.date, place: str, topic: str = "", records: str = ""
) -> ReceptionDay:
    _require(actor, PERM_ASSIGN)
    _require_org(actor, org)
    errors = {}
    if not (leader_name or "").strip():
        errors["leader_name"] = gettext("请填写接待领导。")
    if not (place or "").strip():
        errors["place"] = gettext("请填写接待地点。")
    if not isinstance(date, datetime.date):
        errors["date"] = gettext("请填写接待日期。")
    if errors:
        raise ValidationError(errors)
    day = ReceptionDay.objects.create(
        org=org,
        leader_name=leader_name.strip()[:50],
        date=date,
        place=place.strip()[:120],
        topic=(topic or "").strip()[:200],
        records=(records or "").strip(),
    )
    audit.record(actor=actor, verb="workorder.reception_day_created", target=day, org=org, payload={"date": str(date)})
    return day


# --- reference data edited in the admin ----------------------------------------------------


@transaction.atomic
def post_upsert(*, actor, post: Post, members=None) -> Post:
    """Create or change a post (the admin's form instance); members replaced when given."""
    _require_org(actor, post.org)
    created = post.pk is None
    post.save()
    if members is not None:
        post.members.set(members)
    audit.record(
        actor=actor,
        verb="workorder.post_created" if created else "workorder.post_changed",
        target=post,
        org=post.org,
        payload={"code": post.code, "assignment": post.assignment},
    )
    return post


@transaction.atomic
def routing_rule_upsert(*, actor, rule: RoutingRule) -> RoutingRule:
    created = rule.pk is None
    rule.save()
    audit.record(
        actor=actor,
        verb="workorder.routing_rule_created" if created else "workorder.routing_rule_changed",
        target=rule,
        payload={
            "name": rule.name,
            "service_item": rule.service_item.code if rule.service_item_id else "",
            "legal_category": rule.legal_category.code if rule.legal_category_id else "",
            "complex_only": rule.complex_only,
            "target": rule.target,
            "post_code": rule.post_code,
            "priority": rule.priority,
            "is_active": rule.is_active,
        },
    )
    return rule


# --- attachments (C31) and joint review (联审会办) ------------------------------------------
# Models of the second module (models_files); `uploads` is the pure checking module.

ATTACH_WINDOW_MINUTES = 30  # a citizen attaches files right after submitting, on the same page
OPINION_MAX = 5000


def _may_attach(actor, order: WorkOrder) -> None:
    """Staff who handle or take in orders and can see this one; or, for the citizen's web
    form, the submitter right after submission (web channel, still 已受理, recent, and the
    signed-in citizen's own order when signed in). Views pass only the order they just made."""
    if _is_staff(actor):
        if not (actor.has_perm(PERM_HANDLE) or actor.has_perm(PERM_INTAKE)):
            raise PermissionDenied(gettext("您没有执行此操作的权限。"))
        _require_visible(actor, order)
        return
    recent = order.received_at >= _now() - datetime.timedelta(minutes=ATTACH_WINDOW_MINUTES)
    if order.channel != Channel.WEB or not recent or not _untouched_since_intake(order):
        raise PermissionDenied(gettext("只能在提交诉求时上传附件；如需补充材料，请与承办人员联系。"))
    if getattr(actor, "is_authenticated", False) and order.applicant.user_id not in (None, actor.pk):
        raise PermissionDenied(gettext("只能为自己提交的诉求上传附件。"))


def _untouched_since_intake(order: WorkOrder) -> bool:
    """Still as submitted: 已受理, or 已分派 by the post's automatic assignment at intake, and
    nobody has acted on it since (a claim or an assignment leaves its event)."""
    if order.status == Status.RECEIVED:
        return True
    return (
        order.status == Status.ASSIGNED
        and not selectors.timeline_events(str(order.pk)).exclude(verb__in=_INTAKE_VERBS).exists()
    )


_INTAKE_VERBS = ("workorder.created", "workorder.attachment_added")


def _scan(data: bytes, checked, *, actor, order: WorkOrder) -> None:
    """C32: nothing is stored before the scanner's verdict; a finding is audited."""
    from open12348.core import scanning
    from open12348.workorders import uploads

    def audit_finding(payload: dict) -> None:
        audit.record(
            actor=actor,
            verb="workorder.attachment_infected",
            target=order,
            org=order.handling_org,
            payload={**payload, "name": checked.original_name},
            actor_label="" if _is_staff(actor) else "群众",  # i18n: data — stored in the audit chain
        )

    message = scanning.refusal(data, record_finding=audit_finding)
    if message:
        raise uploads.UploadRejected(message)


def attachment_add(*, actor, order: WorkOrder, upload):
    """Check `upload` (a Django UploadedFile) with `workorders.uploads`, store it under a random
    name, then record the row and its audit event in one transaction. The file is written
    first, outside the transaction; if the transaction fails (limits re-checked under the
    order's lock, or any error) the file is deleted again, so nothing is left on disk or in
    the database. Refusals: ValidationError({"file": …}) in Chinese; PermissionDenied."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from open12348.workorders import uploads
    from open12348.workorders.models import Attachment

    _may_attach(actor, order)
    name = getattr(upload, "name", "") or ""
    try:
        uploads.check_size(getattr(upload, "size", None))
        existing = Attachment.objects.filter(work_order=order)
        uploads.check_order_limits(count=existing.count(), total=sum(existing.values_list("size", flat=True)), adding=0)
        upload.seek(0)
        data = upload.read(uploads.MAX_FILE_BYTES + 1)
        checked = uploads.inspect(data, name)
        _scan(data, checked, actor=actor, order=order)
    except uploads.UploadRejected as error:
        raise ValidationError({"file": f"{uploads.clean_name(name)}：{error.message}"}) from None
    stored = default_storage.save(uploads.storage_name(checked.kind), ContentFile(checked.data))
    try:
        with transaction.atomic():
            locked = WorkOrder.objects.select_for_update(of=("self",)).select_related("handling_org").get(pk=order.pk)
            existing = Attachment.objects.filter(work_order=locked)
            try:
                uploads.check_order_limits(
                    count=existing.count(),
                    total=sum(existing.values_list("size", flat=True)),
                    adding=len(checked.data),
                )
            except uploads.UploadRejected as error:
                raise ValidationError({"file": f"{checked.original_name}：{error.message}"}) from None
            attachment = Attachment.objects.create(
                work_order=locked,
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
                original_name=checked.original_name,
                stored_name=stored,
                content_type=checked.content_type,
                size=len(checked.data),
                sha256=hashlib.sha256(checked.data).hexdigest(),
            )
            audit.record(
                actor=actor,
                verb="workorder.attachment_added",
                target=locked,
                org=locked.handling_org,
                payload={
                    "attachment": attachment.pk,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "sha256": attachment.sha256,
                },
                actor_label="" if _is_staff(actor) else "群众",  # i18n: data — stored in the audit chain
            )
    except BaseException:
        default_storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def attachment_download_record(*, actor, attachment) -> None:
    """Who read which file of which order (C18: access to personal data is audited). The
    view calls it before it sends the bytes: no event, no download (fail-closed)."""
    order = attachment.work_order
    audit.record(
        actor=actor,
        verb="workorder.attachment_downloaded",
        target=order,
        org=order.handling_org,
        payload={"attachment": attachment.pk, "sha256": attachment.sha256},
    )


def _within_org(actor, org: OrgNode) -> bool:
    own = area_of(actor)
    return own is not None and own.is_within(org)


@transaction.atomic
def joint_review_open(*, actor, order: WorkOrder, orgs, lead):
    """A director (assign permission) opens a joint review: `orgs` (OrgNodes in the
    director's area, at least two with the lead) each give an opinion; `lead` closes."""
    from open12348.workorders.models import JointReview

    _require(actor, PERM_ASSIGN)
    _require_visible(actor, order)
    locked = WorkOrder.objects.select_for_update(of=("self",)).select_related("handling_org").get(pk=order.pk)
    if locked.status not in OPEN_STATUSES:
        raise TransitionNotAllowed(
            gettext("工单当前状态为「{status}」，不能发起联审会办。").format(status=locked.get_status_display())
        )
    if JointReview.objects.filter(work_order=locked).exists():
        raise TransitionNotAllowed(gettext("该工单已发起联审会办。"))
    if not isinstance(lead, OrgNode):
        raise ValidationError({"lead": gettext("请选择牵头单位。")})
    chosen: dict[int, OrgNode] = {lead.pk: lead}
    for org in orgs or []:
        if not isinstance(org, OrgNode):
            raise ValidationError({"orgs": gettext("请选择有效的会办单位。")})
        chosen.setdefault(org.pk, org)
    if len(chosen) < 2:
        raise ValidationError({"orgs": gettext("联审会办至少需要牵头单位之外的一个会办单位。")})
    own = area_of(actor)
    outside = [org.name for org in chosen.values() if own is None or not org.is_within(own)]
    if outside:
        raise ValidationError(
            {
                "orgs": gettext("只能邀请本辖区内的单位会办：{outside}不在您的辖区内。").format(
                    outside="、".join(outside)
                )
            }
        )
    reviews = [
        JointReview.objects.create(work_order=locked, org=org, is_lead=(org.pk == lead.pk)) for org in chosen.values()
    ]
    audit.record(
        actor=actor,
        verb="workorder.joint_review_opened",
        target=locked,
        org=locked.handling_org,
        payload={"lead": lead.code, "orgs": [org.code for org in chosen.values()]},
    )
    return reviews


@transaction.atomic
def joint_review_opinion(*, actor, review, opinion: str):
    """Staff of the reviewing org (or below it) give or revise that org's opinion."""
    from open12348.workorders.models import JointReview

    _require(actor, PERM_HANDLE)
    review = JointReview.objects.select_for_update(of=("self",)).select_related("org", "work_order").get(pk=review.pk)
    if not _within_org(actor, review.org):
        raise PermissionDenied(gettext("只有{name}的工作人员可以填写该单位的会办意见。").format(name=review.org.name))
    order = review.work_order
    if order.status not in OPEN_STATUSES:
        raise TransitionNotAllowed(
            gettext("工单当前状态为「{status}」，不能再填写会办意见。").format(status=order.get_status_display())
        )
    text = (opinion or "").strip()
    if not text:
        raise ValidationError({"opinion": gettext("请填写会办意见。")})
    if len(text) > OPINION_MAX:
        raise ValidationError({"opinion": gettext("会办意见不能超过{opinion_max}字。").format(opinion_max=OPINION_MAX)})
    revised = review.opinion_at is not None
    review.opinion, review.opinion_by, review.opinion_at = text, actor, _now()
    review.save(update_fields=["opinion", "opinion_by", "opinion_at"])
    audit.record(
        actor=actor,
        verb="workorder.joint_review_opinion",
        target=order,
        org=review.org,
        payload={"review": review.pk, "org": review.org.code, "lead": review.is_lead, "revised": revised},
    )
    return review


def joint_review_resolve_guard(*, actor, order: WorkOrder) -> None:
    """Before `resolve`: an order under joint review is resolved only by staff of the lead org,
    and only once every other org has given its opinion. No joint review: nothing to check."""
    from open12348.workorders.models import JointReview

    reviews = list(JointReview.objects.filter(work_order=order).select_related("org"))
    if not reviews:
        return
    lead = next((review for review in reviews if review.is_lead), None)
    if lead is not None and not _within_org(actor, lead.org):
        raise PermissionDenied(gettext("该工单为联审会办，由牵头单位{name}办结。").format(name=lead.org.name))
    waiting = [review.org.name for review in reviews if not review.is_lead and review.opinion_at is None]
    if waiting:
        raise TransitionNotAllowed(
            gettext("联审会办尚未完成：{waiting}还没有填写会办意见，暂不能办结。").format(waiting="、".join(waiting))
        )
