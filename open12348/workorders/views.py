"""Work-order pages. Staff: inbox, intake (window and hotline), detail with actions,
notes and return visits, ledgers with Excel export. Citizens: submit a request, track it
by code and phone, rate it. Views check input and call services and selectors; they do
not write rows or decide who may see what themselves."""

import hashlib
import hmac
import urllib.parse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from open12348.accounts.forms import apply_service_errors
from open12348.audit import context as audit_context
from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.catalog.selectors import service_item_by_code
from open12348.core import pii
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import area_of, finder_areas, org_by_code, visible_orgs
from open12348.workorders import exports, selectors, services
from open12348.workorders.exceptions import AlreadyClaimed, WorkOrderConflict
from open12348.workorders.forms import (
    INTAKE_CHANNELS,
    OUTCOME_LABELS,
    PUBLIC_KINDS,
    ActionForm,
    DateRangeForm,
    InboxFilterForm,
    IntakeForm,
    NoteForm,
    PublicRequestForm,
    RatingForm,
    ReturnVisitForm,
    TrackForm,
    area_label,
)
from open12348.workorders.models import (
    ACTION_LABELS,
    TRANSITIONS,
    Channel,
    ReturnVisit,
    Satisfaction,
    Status,
    WorkOrder,
)

PER_PAGE = 20
HISTORY_LIMIT = 10

# ---- Shared display helpers --------------------------------------------------------------

DUE_LABELS = {
    "overdue": gettext_lazy("已超期"),
    "due_soon": gettext_lazy("即将到期"),
    "on_time": gettext_lazy("未到期"),
    "paused": gettext_lazy("暂停计时（待补正）"),
    "": gettext_lazy("无期限"),
}
TABS = [
    ("mine", gettext_lazy("我的待办")),
    ("post", gettext_lazy("本岗位")),
    ("unassigned", gettext_lazy("待分派")),
    ("due_soon", gettext_lazy("即将到期")),
    ("overdue", gettext_lazy("已超期")),
    ("awaiting", gettext_lazy("待补正")),
    ("all", gettext_lazy("全部工单")),
]
TAB_KEYS = {key for key, _label in TABS}


def _due(order: WorkOrder, now) -> dict:
    state = selectors.due_state(order, now) or ""
    return {"state": state or "none", "label": DUE_LABELS.get(state, state)}


def _decorate(orders, now, *, names: bool = True) -> list:
    rows = list(orders)
    for order in rows:
        order.due = _due(order, now)
        if names:
            order.applicant_masked = pii.mask_name(order.applicant.name) if order.applicant_id else ""
    return rows


# ---- Staff: inbox --------------------------------------------------------------------------


def _filters(form: InboxFilterForm) -> dict:
    if not form.is_valid():
        return {}
    data = form.cleaned_data
    return {
        "status": data.get("status") or "",
        "channel": data.get("channel") or "",
        "q": (data.get("q") or "").strip(),
        "service_item": data.get("service_item") or "",
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
    }


@require_GET
@login_required
@permission_required("workorders.view_workorder", raise_exception=True)
@vary_on_headers("HX-Request")
def inbox(request):
    tab = request.GET.get("tab") or "mine"
    if tab not in TAB_KEYS:
        tab = "mine"
    form = InboxFilterForm(request.GET or None)
    orders = selectors.workorder_list(viewer=request.user, tab="" if tab == "all" else tab, **_filters(form))
    orders = orders.select_related("applicant")  # the masked name in each row
    page = Paginator(orders, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = _decorate(page.object_list, timezone.now())
    counts = selectors.inbox_counts(viewer=request.user)
    context = {
        "form": form,
        "tab": tab,
        "tab_label": dict(TABS)[tab],
        "tabs": [{"key": key, "label": label, "count": counts.get(key)} for key, label in TABS],
        "page": page,
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "workorders/inbox.html#results", context)
    return render(request, "workorders/inbox.html", context)


# ---- Staff: intake ---------------------------------------------------------------------------


def _intake_areas(user):
    return visible_orgs(user).order_by("path")


def _route_preview(user, *, service_item, legal_category, area, is_complex) -> dict:
    if service_item is None or area is None:
        return {"ready": False}
    try:
        preview = services.route_preview(
            service_item=service_item, legal_category=legal_category, area=area, is_complex=is_complex
        )
    except ValidationError as error:
        return {"ready": False, "error": "；".join(error.messages)}
    return {"ready": True, "preview": preview}


def _channel_of(request) -> str:
    channel = request.POST.get("channel") or request.GET.get("channel") or Channel.WINDOW
    return channel if channel in INTAKE_CHANNELS else Channel.WINDOW


@sensitive_post_parameters("applicant_phone", "applicant_resident_id", "party1_phone", "party2_phone")
@never_cache
@login_required
@permission_required("workorders.intake_workorder", raise_exception=True)
def intake(request):
    user = request.user
    channel = _channel_of(request)
    areas = _intake_areas(user)
    own = area_of(user)
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, user=user, channel=channel, areas=areas)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = services.workorder_create(
                    actor=user,
                    channel=channel,
                    service_item=data["service_item"],
                    area=data["area"],
                    applicant_name=data["applicant_name"],
                    applicant_phone=data["applicant_phone"],
                    applicant_resident_id=data["applicant_resident_id"],
                    description=data["description"],
                    legal_category=data["legal_category"],
                    is_complex=data["is_complex"],
                    green_channel=data["green_channel"],
                    parties=form.parties(),
                )
            except ValidationError as error:
                apply_service_errors(form, error, "description")
            except PermissionDenied:
                form.add_error(None, _("您没有在该区域登记受理的权限，请选择您所在区域内的区域。"))
            else:
                # The redirect is what shows the tracking code: the order has committed by then.
                messages.success(
                    request,
                    _("已登记受理，查询码 {tracking_code}。请告知群众凭查询码和手机号码查询办理进度。").format(
                        tracking_code=order.tracking_code
                    ),
                )
                # Attachments after the order committed, each in its own transaction (views_extra).
                from open12348.workorders.views_extra import attach_all

                for reason in attach_all(user, order, form.cleaned_data.get("attachments") or []):
                    messages.warning(request, _("附件未保存：{reason}").format(reason=reason))
                return redirect("workorders:detail", pk=order.pk)
    else:
        form = IntakeForm(user=user, channel=channel, areas=areas, initial={"channel": channel, "area": own})
    values = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    route = _route_preview(
        user,
        service_item=values.get("service_item"),
        legal_category=values.get("legal_category"),
        area=values.get("area"),
        is_complex=bool(values.get("is_complex")),
    )
    context = {"form": form, "channel": channel, "title": INTAKE_CHANNELS[channel], "route": route}
    return render(request, "workorders/intake.html", context)


@require_GET
@never_cache
@login_required
@permission_required("workorders.intake_workorder", raise_exception=True)
def intake_history(request):
    """The applicant's earlier orders as the clerk types the phone number (htmx)."""
    raw = (request.GET.get("applicant_phone") or "").strip()
    orders, state = [], "empty"
    if raw:
        try:
            phone = pii.validate_phone(raw)
        except ValidationError:
            state = "incomplete"
        else:
            orders = _decorate(
                list(selectors.applicant_history(viewer=request.user, phone=phone))[:HISTORY_LIMIT],
                timezone.now(),
                names=False,
            )
            state = "found" if orders else "none"
    return render(request, "workorders/intake.html#history", {"history": orders, "history_state": state})


def _pick(model_qs, value):
    if not value or not str(value).isdigit():
        return None
    return model_qs.filter(pk=value).first()


@require_GET
@never_cache
@login_required
@permission_required("workorders.intake_workorder", raise_exception=True)
def intake_route(request):
    """The live 去向预览 panel (htmx): where the order would go, and why."""
    route = _route_preview(
        request.user,
        service_item=_pick(ServiceItem.objects.filter(is_active=True), request.GET.get("service_item")),
        legal_category=_pick(LegalCategory.objects.filter(is_active=True), request.GET.get("legal_category")),
        area=_pick(_intake_areas(request.user), request.GET.get("area")),
        is_complex=request.GET.get("is_complex") in ("on", "true", "1"),
    )
    return render(request, "workorders/intake.html#route", {"route": route})


# ---- Staff: detail, actions, notes, return visits ---------------------------------------------

# Actions offered as a single button (no details needed).
SIMPLE_ACTIONS = ("claim", "start", "materials_received", "return_visit", "close")
# Actions that need a reason typed.
REASON_ACTIONS = ("request_materials", "escalate", "reject", "withdraw", "reopen")
# Mirrors services._check_actor: the page offers only what the service would allow.
REFUSED_PERMISSION = gettext_lazy("您没有执行此操作的权限。")


def _order_or_404(user, pk: int) -> WorkOrder:
    order = selectors.workorder_for(user, pk)
    if order is None:
        raise Http404(_("没有找到该工单，或您无权查看。"))
    return order


def _assignee_choices(order: WorkOrder) -> list:
    return [(user.pk, user.display_name or user.username) for user in selectors.assignable_staff(order)]


EVENT_LABELS = {
    "workorder.created": gettext_lazy("登记受理"),
    "workorder.note_added": gettext_lazy("添加办理记录"),
    "workorder.return_visit_recorded": gettext_lazy("记录回访"),
    "workorder.follow_up_created": gettext_lazy("生成不满意整改"),
    "workorder.follow_up_resolved": gettext_lazy("整改已处理"),
    "workorder.rating_appealed": gettext_lazy("提出评价申诉"),
    "workorder.rating_appeal_decided": gettext_lazy("评价申诉已审核"),
    "workorder.callback_recorded": gettext_lazy("纠错回拨"),
    "workorder.deadline_reminded": gettext_lazy("到期提醒"),
    "workorder.overdue_escalated": gettext_lazy("超期督办"),
} | {f"workorder.{action}": label for action, label in ACTION_LABELS.items()}
STATUS_LABELS = dict(Status.choices)
SATISFACTION_LABELS = dict(Satisfaction.choices)


def _timeline(order: WorkOrder) -> list[dict]:
    entries = []
    for event in selectors.workorder_timeline(order):
        payload = event.payload or {}
        facts = []
        if payload.get("from") and payload.get("to"):
            facts.append(
                _("状态：{from_status} → {to_status}").format(
                    from_status=STATUS_LABELS.get(payload["from"], payload["from"]),
                    to_status=STATUS_LABELS.get(payload["to"], payload["to"]),
                )
            )
        if payload.get("reason"):
            facts.append(_("原因：{reason}").format(reason=payload["reason"]))
        if payload.get("route_reason"):
            facts.append(payload["route_reason"])
        if payload.get("assignee_name"):
            facts.append(_("承办人：{assignee_name}").format(assignee_name=payload["assignee_name"]))
        if payload.get("outcome_code"):
            facts.append(
                _("办理结果：{outcome}").format(
                    outcome=OUTCOME_LABELS.get(payload["outcome_code"], payload["outcome_code"])
                )
            )
        if "public" in payload:
            facts.append(_("群众可见答复") if payload["public"] else _("内部记录"))
        if payload.get("satisfaction"):
            facts.append(
                _("满意度：{satisfaction}").format(
                    satisfaction=SATISFACTION_LABELS.get(payload["satisfaction"], payload["satisfaction"])
                )
            )
        who = ""
        if event.actor is not None:
            who = event.actor.display_name or event.actor.get_username()
        entries.append(
            {
                "at": event.at,
                "label": EVENT_LABELS.get(event.verb, event.verb),
                "who": who or event.actor_label or _("系统"),
                "facts": facts,
            }
        )
    return entries


def _detail_context(request, order: WorkOrder, **extra) -> dict:
    user = request.user
    now = timezone.now()
    allowed = services.allowed_actions(actor=user, order=order)
    context = {
        "order": order,
        "due": _due(order, now),
        "applicant_masked": pii.mask_name(order.applicant.name),
        "phone_masked": pii.mask_phone(order.applicant.phone),
        "timeline": _timeline(order),
        "outcome_label": OUTCOME_LABELS.get(order.outcome_code, order.outcome_code),
        "notes": list(order.notes.select_related("author")),
        "parties": [
            {"role": party.role, "name": pii.mask_name(party.name), "phone": pii.mask_phone(party.phone)}
            for party in order.parties.all()
        ],
        "simple_actions": [(a, ACTION_LABELS[a]) for a in SIMPLE_ACTIONS if a in allowed],
        "reason_actions": [(a, ACTION_LABELS[a]) for a in REASON_ACTIONS if a in allowed],
        "can_resolve": "resolve" in allowed,
        "can_refer": "refer_out" in allowed,
        "can_assign": "assign" in allowed,
        "can_transfer": "transfer" in allowed,
        "can_merge": "merge" in allowed,
        "assignees": _assignee_choices(order) if "assign" in allowed else [],
        "transfer_orgs": [(node.code, area_label(node)) for node in visible_orgs(user).order_by("path")]
        if "transfer" in allowed
        else [],
        "action_form": ActionForm(),
        "note_form": NoteForm(),
        "can_note": user.has_perm("workorders.handle_workorder"),
        "visit_form": ReturnVisitForm(),
        "can_visit": order.status in (Status.RESOLVED, Status.RETURN_VISIT)
        and user.has_perm("workorders.handle_workorder"),
    }
    from open12348.workorders.views_extra import detail_extras  # attachments, joint review, call backs

    context.update(detail_extras(request, order))
    return context | extra


@require_GET
@never_cache
@login_required
@permission_required("workorders.view_workorder", raise_exception=True)
def detail(request, pk: int):
    order = _order_or_404(request.user, pk)
    return render(request, "workorders/detail.html", _detail_context(request, order))


def _details_for(action: str, data: dict, user) -> dict:
    """The keyword details `workorder_transition` wants for `action`, from the form."""
    details: dict = {}
    if action == "resolve":
        details["outcome_code"] = data.get("outcome_code") or ""
        details["reply"] = data.get("reply") or ""
    elif action == "refer_out":
        details["referred_to"] = data.get("referred_to") or ""
        details["referred_to_name"] = data.get("referred_to_name") or ""
    elif action == "assign":
        assignee = get_user_model().objects.filter(pk=data.get("assignee") or 0, is_active=True).first()
        if assignee is None:
            raise ValidationError(_("请选择承办人。"))
        details["assignee"] = assignee
    elif action == "transfer":
        org = visible_orgs(user).filter(code=data.get("org") or "").first()
        if org is None:
            raise ValidationError(_("请选择转办单位。"))
        details["org"] = org
        details["post"] = None
    elif action == "merge":
        code = (data.get("into") or "").strip().upper()
        target = next(
            (o for o in selectors.workorder_list(viewer=user, q=code)[:20] if o.tracking_code.upper() == code), None
        )
        if not code or target is None:
            raise ValidationError(_("没有找到要合并到的工单，请核对查询码。"))
        details["into"] = target
    return details


@require_POST
@login_required
@permission_required("workorders.view_workorder", raise_exception=True)
def act(request, pk: int):
    """One endpoint for every transition; the service decides what is allowed."""
    order = _order_or_404(request.user, pk)
    form = ActionForm(request.POST)
    action = request.POST.get("action", "")
    if not form.is_valid() or action not in TRANSITIONS:
        messages.error(request, _("无法识别的操作，请刷新页面后重试。"))
        return redirect("workorders:detail", pk=order.pk)
    data = form.cleaned_data
    label = ACTION_LABELS.get(action, action)
    try:
        details = _details_for(action, data, request.user)
        services.workorder_transition(
            actor=request.user, order=order, action=action, reason=(data.get("reason") or "").strip(), **details
        )
    except AlreadyClaimed as error:
        messages.error(request, error.message)
    except WorkOrderConflict as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        messages.error(request, str(error) or REFUSED_PERMISSION)
    except ValidationError as error:
        messages.error(request, _("“{label}”未执行：").format(label=label) + "；".join(error.messages))
    else:
        messages.success(request, _("已{label}。").format(label=label))
    return redirect("workorders:detail", pk=order.pk)


@require_POST
@login_required
@permission_required("workorders.handle_workorder", raise_exception=True)
def note_add(request, pk: int):
    order = _order_or_404(request.user, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.workorder_note_add(
                actor=request.user,
                order=order,
                body=form.cleaned_data["body"],
                is_public=form.cleaned_data["is_public"],
            )
        except ValidationError as error:
            apply_service_errors(form, error, "body")
        except (PermissionDenied, WorkOrderConflict) as error:
            form.add_error(None, getattr(error, "message", "") or str(error) or REFUSED_PERMISSION)
        else:
            messages.success(
                request, _("群众可见的答复已保存。") if form.cleaned_data["is_public"] else _("内部记录已保存。")
            )
            return redirect(reverse("workorders:detail", args=[order.pk]) + "#notes")
    return render(request, "workorders/detail.html", _detail_context(request, order, note_form=form), status=400)


@require_POST
@login_required
@permission_required("workorders.handle_workorder", raise_exception=True)
def return_visit(request, pk: int):
    order = _order_or_404(request.user, pk)
    form = ReturnVisitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.return_visit_record(
                actor=request.user,
                order=order,
                method=data["method"],
                satisfaction=data["satisfaction"],
                comment=(data.get("comment") or "").strip(),
            )
        except ValidationError as error:
            apply_service_errors(form, error, "comment")
        except (PermissionDenied, WorkOrderConflict) as error:
            form.add_error(None, getattr(error, "message", "") or str(error) or REFUSED_PERMISSION)
        else:
            messages.success(request, _("回访结果已记录。"))
            return redirect("workorders:detail", pk=order.pk)
    return render(request, "workorders/detail.html", _detail_context(request, order, visit_form=form), status=400)


# ---- Staff: ledgers ---------------------------------------------------------------------------


def _ledger_rows(request, kind: str):
    spec = exports.LEDGERS.get(kind)
    if spec is None:
        raise Http404(_("没有这种台账。"))
    form = DateRangeForm(request.GET or None)
    start = end = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
    rows = spec.rows(viewer=request.user, date_from=start, date_to=end)
    return spec, form, rows


@require_GET
@login_required
@permission_required("workorders.view_workorder", raise_exception=True)
@vary_on_headers("HX-Request")
def ledger(request, kind: str):
    spec, form, rows = _ledger_rows(request, kind)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "kind": kind,
        "spec": spec,
        "ledgers": [(key, item.title) for key, item in exports.LEDGERS.items()],
        "form": form,
        "page": page,
        "table": exports.table(spec, page.object_list),
        "headers": [header for header, _func in spec.columns],
        "can_export": request.user.has_perm("workorders.export_ledger"),
        "export_query": request.GET.urlencode(),
    }
    from open12348.workorders.views_extra import ledger_extras  # duty-roster / reception-day create forms

    context.update(ledger_extras(request, kind))
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "workorders/ledger.html#results", context)
    return render(request, "workorders/ledger.html", context)


@require_GET
@login_required
@permission_required("workorders.export_ledger", raise_exception=True)
def ledger_export(request, kind: str):
    spec, _form, rows = _ledger_rows(request, kind)
    content = exports.workbook_bytes(spec, rows)
    filename = f"{spec.title}_{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        f"attachment; filename=\"ledger-{kind}.xlsx\"; filename*=UTF-8''{urllib.parse.quote(filename)}"
    )
    response["Cache-Control"] = "no-store"
    return response


# ---- Citizens: rate limits --------------------------------------------------------------------

SUBMIT_PER_PHONE = 5
SUBMIT_PER_IP = 20
TRACK_FAILURES_PER_IP = 20
RATE_WINDOW = 3600


def _rate_key(scope: str, ident: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), ident.encode(), hashlib.sha256).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def rate_hit(scope: str, ident: str, *, limit: int, window: int = RATE_WINDOW) -> bool:
    """Count one attempt for `ident` (hashed: no personal data in cache keys); True when it
    has now made more than `limit` in the current window."""
    if not ident:
        return False
    key = _rate_key(scope, ident)
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit


def rate_exceeded(scope: str, ident: str, *, limit: int) -> bool:
    """True when `ident` is already at `limit`, without counting an attempt."""
    return bool(ident) and (cache.get(_rate_key(scope, ident)) or 0) >= limit


def _client_ip(request) -> str:
    return audit_context.client_ip(request.META, settings.TRUSTED_PROXY_COUNT) or ""


def _too_many(request, message: str) -> HttpResponse:
    return render(request, "workorders/public/too_many.html", {"message": message}, status=429)


# ---- Citizens: submit --------------------------------------------------------------------------

SUBMITTED_KEY = "workorders_submitted"
TRACKED_KEY = "workorders_tracked"


def _public_areas() -> list[tuple[str, str]]:
    areas = list(finder_areas().filter(level__in=[OrgNode.Level.DISTRICT, OrgNode.Level.STREET]).order_by("path"))
    top = min((area.depth for area in areas), default=0)
    return [(area.code, area_label(area, top)) for area in areas]


def _is_citizen(user) -> bool:
    return user.is_authenticated and not getattr(user, "is_staff_member", False)


@sensitive_post_parameters("applicant_phone")
@never_cache
def submit(request):
    user = request.user
    citizen = user if _is_citizen(user) else None
    area_choices = _public_areas()
    if request.method == "POST":
        form = PublicRequestForm(request.POST, request.FILES, area_choices=area_choices)
        if form.is_valid():
            data = form.cleaned_data
            ip = _client_ip(request)
            over_ip = rate_hit("submit-ip", ip, limit=SUBMIT_PER_IP)
            over_phone = rate_hit("submit-phone", data["applicant_phone"], limit=SUBMIT_PER_PHONE)
            if over_ip or over_phone:
                return _too_many(
                    request, _("您提交诉求的次数过多，请一小时后再试。情况紧急的，请直接拨打12348法律服务热线。")
                )
            label, item_code = PUBLIC_KINDS[data["kind"]]
            item = service_item_by_code(item_code)
            area = org_by_code(data["area"])
            if item is None:
                form.add_error("kind", _("该类诉求暂不能在网上提交，请拨打12348法律服务热线。"))
            else:
                description = data["description"]
                if data["kind"] in ("suggestion", "other"):
                    description = f"【{label}】{description}"
                try:
                    order = services.workorder_create(
                        actor=citizen,
                        channel=Channel.WEB,
                        service_item=item,
                        area=area,
                        applicant_name=data["applicant_name"],
                        applicant_phone=data["applicant_phone"],
                        description=description,
                        applicant_user=citizen,
                    )
                except ValidationError as error:
                    apply_service_errors(form, error, "description")
                else:
                    # Attachments after the order committed; one refused here is named on the next page.
                    from open12348.workorders.views_extra import attach_all

                    failed = attach_all(citizen, order, data.get("attachments") or [])
                    for reason in failed:
                        messages.warning(request, _("附件未保存：{reason}").format(reason=reason))
                    request.session[SUBMITTED_KEY] = order.pk
                    return redirect("requests:submitted")
    else:
        initial = {}
        if citizen is not None:
            initial = {"applicant_name": citizen.display_name, "applicant_phone": getattr(citizen, "phone", "")}
        form = PublicRequestForm(initial=initial, area_choices=area_choices)
    return render(request, "workorders/public/submit.html", {"form": form})


@require_GET
@never_cache
def submitted(request):
    """The tracking code, shown after the order committed (redirect after POST)."""
    pk = request.session.get(SUBMITTED_KEY)
    order = WorkOrder.objects.select_related("service_item", "area").filter(pk=pk).first() if pk else None
    if order is None:
        return redirect("requests:submit")
    return render(request, "workorders/public/submitted.html", {"order": order})


# ---- Citizens: track and rate ------------------------------------------------------------------

NOT_FOUND = gettext_lazy("查询码或手机号码不正确，请核对后重新输入。")
RATABLE = (Status.RESOLVED, Status.RETURN_VISIT)


def _tracked(request):
    remembered = request.session.get(TRACKED_KEY) or {}
    if not remembered.get("code"):
        return None, ""
    order = selectors.workorder_track(code=remembered["code"], phone=remembered.get("phone", ""))
    return order, remembered.get("phone", "")


def _track_context(order, **extra) -> dict:
    if order is None:
        return extra
    now = timezone.now()
    context = {
        "order": order,
        "due": _due(order, now),
        "replies": list(selectors.public_replies(order)),
        "can_rate": order.status in RATABLE and not order.return_visits.filter(method=ReturnVisit.Method.SELF).exists(),
        "rated": order.return_visits.filter(method=ReturnVisit.Method.SELF).first(),
        "rating_form": RatingForm(),
    }
    return context | extra


@sensitive_post_parameters("phone")
@never_cache
def track(request):
    """POST code + phone → remembered in the session → the result on GET (no phone in URLs).
    POST action=rate → the rating of the order being looked at."""
    if request.method == "POST" and request.POST.get("action") == "rate":
        return _rate(request)
    if request.method == "POST":
        ip = _client_ip(request)
        if rate_exceeded("track-ip", ip, limit=TRACK_FAILURES_PER_IP):
            return _too_many(request, _("查询失败的次数过多，请一小时后再试，或拨打12348法律服务热线查询。"))
        form = TrackForm(request.POST)
        if form.is_valid():
            code, phone = form.cleaned_data["code"], form.cleaned_data["phone"]
            order = selectors.workorder_track(code=code, phone=phone)
            if order is None:
                rate_hit("track-ip", ip, limit=TRACK_FAILURES_PER_IP)
                form.add_error(None, NOT_FOUND)
            else:
                request.session[TRACKED_KEY] = {"code": code, "phone": phone}
                return redirect("requests:track")
        return render(request, "workorders/public/track.html", {"form": form})
    if request.GET.get("new"):
        request.session.pop(TRACKED_KEY, None)
    order, _phone = _tracked(request)
    return render(request, "workorders/public/track.html", _track_context(order, form=TrackForm()))


def _rate(request):
    order, phone = _tracked(request)
    if order is None:
        messages.error(request, _("请先输入查询码和手机号码查询。"))
        return redirect("requests:track")
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.citizen_rating_submit(
                order=order,
                phone=phone,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=(form.cleaned_data.get("comment") or "").strip(),
            )
        except ValidationError as error:
            apply_service_errors(form, error, "comment")
        except WorkOrderConflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("感谢您的评价！"))
            return redirect("requests:track")
    return render(
        request, "workorders/public/track.html", _track_context(order, form=TrackForm(), rating_form=form), status=400
    )
