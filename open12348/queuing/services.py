"""Every write of the hall (issue 4). Services as DESIGN.md: keyword-only, atomic, permission
and state checked here, an audit event for staff actions, a QueueEvent for what displays
must show (published in the same transaction, so a display never sees an uncommitted call).

Errors: `django.core.exceptions.ValidationError` (dict keyed by field, Chinese messages)
for bad input; `QueueConflict` (message in Chinese) for a state that does not allow the
action (the API answers 409); `PermissionDenied` when the actor may not operate the window."""

import datetime
import logging
import re

import django.dispatch
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from open12348.audit import services as audit
from open12348.core import pii, sms
from open12348.orgs.models import Window
from open12348.queuing import numbering, selectors
from open12348.queuing.models import (
    Appointment,
    Device,
    Evaluation,
    GreenReason,
    QueueEvent,
    QueueService,
    Ticket,
    TicketCounter,
    WindowSession,
)

logger = logging.getLogger("open12348.queuing")

# Sent after the commit of every QueueEvent (kwargs: event). A push server may hook it to
# wake its own process at once; other processes learn of the event from the table.
queue_event_committed = django.dispatch.Signal()

COUNTER_ATTEMPTS = 5
CALL_ATTEMPTS = 20
EVALUATION_MINUTES = selectors.EVALUATION_MINUTES
LEVELS = range(1, 6)
COMMENT_MAX = 200
PREFIX_PATTERN = re.compile(r"^[A-Z]$")

# CONTRACT (filled in by the domain work; API and pages code against these names).


class QueueConflict(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- helpers -------------------------------------------------------------------------------


def _now(now) -> datetime.datetime:
    return now or timezone.now()


def _require_window(actor, window) -> None:
    if not selectors.can_operate(actor, window):
        raise PermissionDenied(gettext("您不能操作该窗口。"))


def _require_manage(actor, site) -> None:
    if not selectors.can_manage(actor, site):
        raise PermissionDenied(gettext("您不能管理该站点的大厅。"))


def _audit(actor, verb: str, ticket: Ticket, **payload) -> None:
    audit.record(
        actor=actor,
        verb=verb,
        target=ticket,
        org=ticket.site.org,
        payload={"number": ticket.number, "site": ticket.site_id, **payload},
    )


def publish(site, kind: str, payload: dict | None = None, *, now=None) -> QueueEvent:
    """Write a QueueEvent in the caller's transaction: displays see it only once committed."""
    event = QueueEvent.objects.create(site=site, kind=kind, payload=payload or {}, at=_now(now))
    transaction.on_commit(lambda: queue_event_committed.send(sender=QueueEvent, event=event))
    return event


def _call_payload(ticket: Ticket, window) -> dict:
    return {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "window_id": window.pk,
        "window_number": window.number,
        "window_name": window.name,
        "service": ticket.service.name,
        "text": numbering.call_text(ticket.number, window.number),
        "call_count": ticket.call_count,
    }


def _locked_window(window) -> Window:
    """Lock the window row (PostgreSQL) so one window's own actions run one after another;
    SQLite serialises writers anyway."""
    return Window.objects.select_for_update(of=("self",)).select_related("site__org").get(pk=window.pk)


def _current(window, now, *, statuses=selectors.ACTIVE, message: str = "") -> Ticket:
    ticket = (
        Ticket.objects.filter(window=window, status__in=statuses, day=selectors.beijing_today(now))
        .select_related("service__service_item", "site__org", "window")
        .order_by("-called_at", "-id")
        .first()
    )
    if ticket is None:
        raise QueueConflict(message or gettext("该窗口当前没有正在办理的号码。"))
    return ticket


def _moved(ticket: Ticket, expected, **changes) -> None:
    """Conditional UPDATE from the expected status; 0 rows: someone else changed it first."""
    changes.setdefault("updated_at", timezone.now())
    statuses = expected if isinstance(expected, (list, tuple, set, frozenset)) else [expected]
    if not Ticket.objects.filter(pk=ticket.pk, status__in=list(statuses)).update(**changes):
        raise QueueConflict(gettext("该号码的状态已被他人更改，请刷新后重试。"))
    for name, value in changes.items():
        if not hasattr(value, "resolve_expression"):
            setattr(ticket, name, value)
    if any(hasattr(value, "resolve_expression") for value in changes.values()):
        ticket.refresh_from_db(fields=[name for name, v in changes.items() if hasattr(v, "resolve_expression")])


# --- tickets -------------------------------------------------------------------------------


def _validate_person(phone: str, resident_id: str, green_reason: str) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {"phone": "", "resident_id": "", "green_reason": ""}
    if (phone or "").strip():
        try:
            clean["phone"] = pii.validate_phone(phone)
        except ValidationError as error:
            errors["phone"] = [error.messages[0]]
    if (resident_id or "").strip():
        try:
            clean["resident_id"] = pii.validate_resident_id(resident_id)
        except ValidationError as error:
            errors["id_number"] = [error.messages[0]]
    if green_reason:
        if green_reason not in GreenReason.values:
            errors["green_reason"] = [gettext("请选择有效的绿色通道类别。")]
        clean["green_reason"] = green_reason
    if errors:
        raise ValidationError(errors)
    return clean


def _open_service(site, service_code: str) -> QueueService:
    """The active queue `service_code` of an open site, or a kiosk message. Opening hours
    are free text on the site (Site.hours) and not read: only an inactive site is closed."""
    if site is None or not site.is_active:
        raise ValidationError({"site": gettext("该站点暂停服务，暂不能取号。")})
    service = selectors.queue_service_by_code(site, service_code)
    if service is None:
        raise ValidationError({"service": gettext("本站点没有这项业务，请重新选择。")})
    if not service.is_active or not service.service_item.is_active:
        raise ValidationError(
            {"service": gettext("「{name}」暂停取号，请咨询大厅工作人员。").format(name=service.name)}
        )
    return service


def _validate_preferred_staff(site, preferred_staff):
    if preferred_staff is None:
        return None
    on_duty = WindowSession.objects.filter(window__site=site, closed_at__isnull=True, user=preferred_staff)
    if not on_duty.exists():
        raise ValidationError({"preferred_staff": gettext("该工作人员当前不在岗，请选择其他工作人员或直接取号。")})
    return preferred_staff


def next_number(site, day: datetime.date, prefix: str) -> int:
    """The next sequence number of (site, day, prefix), in the caller's transaction: one
    conditional UPDATE (last = last + 1) on the existing counter — it holds the row until
    commit, so concurrent takers queue on it — or the first row of the day, whose unique
    constraint makes a concurrent second creator fail and retry the UPDATE."""
    for _ in range(COUNTER_ATTEMPTS):
        number = _increment_counter(site.pk, day, prefix)
        if number is not None:
            return number
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
                TicketCounter.objects.create(site=site, day=day, prefix=prefix, last=1)
            return 1
        except IntegrityError:
            continue
    raise QueueConflict(gettext("取号繁忙，请稍后重试。"))


def _increment_counter(site_id: int, day: datetime.date, prefix: str) -> int | None:
    """`last + 1` of an existing counter, read back in the same statement (UPDATE … RETURNING,
    SQLite ≥ 3.35 and PostgreSQL): every ticket taken runs it. None when the day has no
    counter yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE queuing_ticketcounter SET last = last + 1 WHERE site_id = %s AND day = %s AND prefix = %s "
            "RETURNING last",
            [site_id, connection.ops.adapt_datefield_value(day), prefix],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _issue(
    *, site, service, day, now, priority, phone="", resident_id="", green_reason="", preferred_staff=None, code=""
) -> Ticket:
    ticket = Ticket.objects.create(
        site=site,
        service=service,
        day=day,
        prefix=service.prefix,
        seq=next_number(site, day, service.prefix),
        priority=priority,
        green_reason=green_reason,
        queued_at=now,
        phone=phone,
        resident_id=resident_id,
        preferred_staff=preferred_staff,
        appointment_code=code,
    )
    publish(site, QueueEvent.Kind.BOARD, {"reason": "issued", "service": service.service_item.code}, now=now)
    return ticket


def _with_estimate(ticket: Ticket, now) -> Ticket:
    ticket.people_ahead = selectors.people_ahead(ticket)
    ticket.estimated_wait_minutes = selectors.estimated_wait_minutes(ticket.service, ticket.people_ahead, now=now)
    return ticket


def ticket_issue(
    *,
    site,
    service_code: str,
    phone: str = "",
    resident_id: str = "",
    green_reason: str = "",
    preferred_staff=None,
    now=None,
):
    """Take a ticket at a kiosk or through the API (no account). Refuses an unknown or
    inactive service, a closed or inactive site (ValidationError with a kiosk message).
    Validates phone and resident ID (core.pii); a resident ID of someone 70 or older puts
    the ticket on the green channel automatically (reason `elderly`). Allocates the next
    number of (site, Beijing day, prefix) safely under concurrency. Returns the Ticket
    with attributes `people_ahead` and `estimated_wait_minutes` set.

    ValidationError keys: site, service, phone, id_number, green_reason, preferred_staff."""
    now = _now(now)
    day = selectors.beijing_today(now)
    service = _open_service(site, service_code)
    clean = _validate_person(phone, resident_id, green_reason)
    if not clean["green_reason"] and numbering.is_elderly(clean["resident_id"], day):
        clean["green_reason"] = GreenReason.ELDERLY
    priority = Ticket.Priority.GREEN if clean["green_reason"] else Ticket.Priority.NORMAL
    with transaction.atomic():
        staff = _validate_preferred_staff(site, preferred_staff)
        ticket = _issue(site=site, service=service, day=day, now=now, priority=priority, preferred_staff=staff, **clean)
    return _with_estimate(ticket, now)


def appointment_check_in(*, site, code: str, now=None):
    """Check in a booked visit by its code: a ticket with Priority.APPOINTMENT (front of
    the queue). Wrong code, other site, other day, or already used: ValidationError.
    Returns the Ticket with `people_ahead` and `estimated_wait_minutes` set."""
    now = _now(now)
    day = selectors.beijing_today(now)
    code = (code or "").strip().upper()
    with transaction.atomic():
        booking = Appointment.objects.select_related("service__service_item").filter(code=code).first()
        if booking is None or booking.site_id != getattr(site, "pk", None):
            raise ValidationError({"code": gettext("预约码不正确，请核对后重新输入。")})
        if booking.day != day:
            raise ValidationError(
                {"code": gettext("该预约的日期是{day:%Y年%m月%d日}，请在预约当天签到。").format(day=booking.day)}
            )
        if booking.ticket_id is not None:
            raise ValidationError({"code": gettext("该预约已签到取号。")})
        service = _open_service(site, booking.service.service_item.code)
        ticket = _issue(
            site=site,
            service=service,
            day=day,
            now=now,
            priority=Ticket.Priority.APPOINTMENT,
            phone=booking.phone,
            code=booking.code,
        )
        # Conditional: a second check-in racing this one finds the ticket set and fails.
        if not Appointment.objects.filter(pk=booking.pk, ticket__isnull=True).update(ticket=ticket, updated_at=now):
            raise ValidationError({"code": gettext("该预约已签到取号。")})
    return _with_estimate(ticket, now)


# --- windows -------------------------------------------------------------------------------


def window_open(*, actor, window, now=None):
    """The actor takes the window (上岗); closes their session at any other window. Another
    person already open there: QueueConflict naming them. Returns the WindowSession."""
    _require_window(actor, window)
    now = _now(now)
    with transaction.atomic():
        window = _locked_window(window)
        existing = WindowSession.objects.filter(window=window, closed_at__isnull=True).select_related("user").first()
        if existing is not None:
            if existing.user_id == actor.pk:
                return existing
            raise QueueConflict(
                gettext("{user}正在{window}号窗口上岗，请其先离岗。").format(user=existing.user, window=window.number)
            )
        WindowSession.objects.filter(user=actor, closed_at__isnull=True).update(closed_at=now, updated_at=now)
        try:
            with transaction.atomic():
                session = WindowSession.objects.create(window=window, user=actor, opened_at=now)
        except IntegrityError:
            raise QueueConflict(gettext("已有工作人员在{window}号窗口上岗。").format(window=window.number)) from None
        audit.record(
            actor=actor, verb="queue.window_opened", target=window, org=window.site.org, payload={"session": session.pk}
        )
        publish(window.site, QueueEvent.Kind.BOARD, {"reason": "staff", "window_id": window.pk}, now=now)
    return session


def window_close(*, actor, window, now=None):
    """Close the open session at the window (the person themself or anyone who may operate
    it). Nobody open: QueueConflict. Returns the closed WindowSession."""
    _require_window(actor, window)
    now = _now(now)
    with transaction.atomic():
        window = _locked_window(window)
        session = WindowSession.objects.filter(window=window, closed_at__isnull=True).first()
        if session is None:
            raise QueueConflict(gettext("{window}号窗口当前无人上岗。").format(window=window.number))
        WindowSession.objects.filter(pk=session.pk, closed_at__isnull=True).update(closed_at=now, updated_at=now)
        session.closed_at = now
        audit.record(
            actor=actor, verb="queue.window_closed", target=window, org=window.site.org, payload={"session": session.pk}
        )
        publish(window.site, QueueEvent.Kind.BOARD, {"reason": "staff", "window_id": window.pk}, now=now)
    return session


def _candidates(window, actor, day):
    """Waiting tickets this window may call, in serving order: its services; a ticket that
    named a staff member only by that person while they are on duty at the site."""
    items = window.services.values("id")
    on_duty = selectors.on_duty_user_ids(window.site)
    named_ok = Q(preferred_staff__isnull=True) | Q(preferred_staff=actor) | ~Q(preferred_staff__in=on_duty)
    return (
        selectors.waiting_line(window.site, day)
        .filter(service__service_item__in=items, service__is_active=True)
        .filter(named_ok)
    )


def _remind_soon(ticket: Ticket, now) -> None:
    """SMS "前面还有 N 人" to waiting people of the called ticket's queue who are N or fewer
    places from the front and gave a phone; each ticket once (Ticket.reminded, set by a
    conditional UPDATE), sent after the commit."""
    ahead = settings.QUEUE_REMIND_AHEAD
    line = list(
        selectors.waiting_line(ticket.site, ticket.day)
        .filter(service=ticket.service)
        .values_list("pk", "reminded", "phone_hash")[: ahead + 1]
    )
    for position, (pk, reminded, phone_hash) in enumerate(line):
        if reminded or not phone_hash:
            continue
        if Ticket.objects.filter(pk=pk, reminded=False).update(reminded=True):
            person = Ticket.objects.get(pk=pk)
            text = numbering.reminder_text(person.number, position)
            transaction.on_commit(lambda phone=person.phone, text=text: _send_sms(phone, text))


def _send_sms(phone: str, text: str) -> None:
    try:
        sms.send_sms(phone, text)
    except Exception:  # a failed reminder must not break calling
        logger.exception("queue reminder SMS failed")


def call_next(*, actor, window, now=None):
    """Call the next ticket for this window: the waiting tickets of the site today whose
    service the window handles (window.services ∋ service.service_item), highest priority
    first (appointment, green channel, normal), then earliest `queued_at`; tickets that
    named a staff member are called only by that person. Exactly one window gets each
    ticket under concurrency (conditional UPDATE; retry on loss). A window still holding a
    called or serving ticket finishes it as no-show/done first? No: refuses with
    QueueConflict("请先办结或过号当前号码"). Nobody waiting: returns None. Publishes a CALL
    event; sends the "前面还有 N 人" SMS to the ticket N places behind when it has a phone
    (once per ticket, N = settings QUEUE_REMIND_AHEAD, default 3)."""
    _require_window(actor, window)
    now = _now(now)
    day = selectors.beijing_today(now)
    with transaction.atomic():
        window = _locked_window(window)
        if selectors.current_ticket(window, now=now) is not None:
            raise QueueConflict(gettext("请先办结或过号当前号码"))
        for _ in range(CALL_ATTEMPTS):
            candidate = _candidates(window, actor, day).values_list("pk", flat=True).first()
            if candidate is None:
                return None
            won = Ticket.objects.filter(pk=candidate, status=Ticket.Status.WAITING).update(
                status=Ticket.Status.CALLED,
                window=window,
                staff=actor,
                called_at=now,
                call_count=F("call_count") + 1,
                updated_at=now,
            )
            if won:
                break
        else:
            raise QueueConflict(gettext("叫号繁忙，请重试。"))
        ticket = Ticket.objects.select_related("service__service_item", "site__org", "window").get(pk=candidate)
        publish(window.site, QueueEvent.Kind.CALL, _call_payload(ticket, window), now=now)
        _audit(actor, "queue.called", ticket, window=window.number)
        _remind_soon(ticket, now)
    return ticket


def recall(*, actor, window, now=None):
    """Call the window's current ticket again (RECALL event, call_count + 1)."""
    _require_window(actor, window)
    now = _now(now)
    with transaction.atomic():
        window = _locked_window(window)
        ticket = _current(window, now, statuses=[Ticket.Status.CALLED], message=gettext("当前没有已叫号待到场的号码。"))
        _moved(ticket, Ticket.Status.CALLED, call_count=F("call_count") + 1, called_at=now, updated_at=now)
        publish(window.site, QueueEvent.Kind.RECALL, _call_payload(ticket, window), now=now)
        _audit(actor, "queue.recalled", ticket, window=window.number, call_count=ticket.call_count)
    return ticket


def _board_changed(window, reason: str, now, **extra) -> None:
    publish(window.site, QueueEvent.Kind.BOARD, {"reason": reason, "window_id": window.pk, **extra}, now=now)


def skip(*, actor, window, now=None):
    """The called person did not come: NO_SHOW. Returns the ticket."""
    _require_window(actor, window)
    now = _now(now)
    with transaction.atomic():
        window = _locked_window(window)
        ticket = _current(window, now, statuses=[Ticket.Status.CALLED], message=gettext("当前没有已叫号待到场的号码。"))
        _moved(ticket, Ticket.Status.CALLED, status=Ticket.Status.NO_SHOW, updated_at=now)
        _audit(actor, "queue.skipped", ticket, window=window.number)
        _board_changed(window, "skipped", now)
    return ticket


def requeue_late(*, actor, ticket, now=None):
    """A no-show arrives late: back to WAITING at the end of its queue (queued_at = now),
    once only (a second time: QueueConflict)."""
    now = _now(now)
    if not selectors.operable_windows(actor).filter(site_id=ticket.site_id).exists():
        raise PermissionDenied(gettext("您不能操作该站点的窗口。"))
    with transaction.atomic():
        ticket = Ticket.objects.select_related("site__org", "service").get(pk=ticket.pk)
        if ticket.status != Ticket.Status.NO_SHOW:
            raise QueueConflict(gettext("{number} 号不是过号状态，不能重新排队。").format(number=ticket.number))
        if ticket.day != selectors.beijing_today(now):
            raise QueueConflict(gettext("只能重新排队当天的过号，请重新取号。"))
        if ticket.requeued:
            raise QueueConflict(gettext("该号码已重新排队过一次，请重新取号。"))
        window_number = ticket.window.number if ticket.window_id else None
        if not Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.NO_SHOW, requeued=False).update(
            status=Ticket.Status.WAITING, queued_at=now, requeued=True, window=None, staff=None, updated_at=now
        ):
            raise QueueConflict(gettext("该号码已重新排队过一次，请重新取号。"))
        ticket.refresh_from_db()
        _audit(actor, "queue.requeued", ticket, window=window_number)
        publish(ticket.site, QueueEvent.Kind.BOARD, {"reason": "requeued"}, now=now)
    return ticket


def transfer(*, actor, window, service_code: str, now=None):
    """Move the window's current ticket to another queue of the same site, keeping its
    original queued_at (so it is not sent to the back); the number stays the same."""
    _require_window(actor, window)
    now = _now(now)
    with transaction.atomic():
        window = _locked_window(window)
        ticket = _current(window, now)
        target = (
            QueueService.objects.filter(
                site=window.site, service_item__code=(service_code or "").strip(), is_active=True
            )
            .select_related("service_item")
            .first()
        )
        if target is None:
            raise ValidationError({"service": gettext("请选择本站点有效的业务。")})
        if target.pk == ticket.service_id:
            raise ValidationError({"service": gettext("该号码已在这个业务的队列中。")})
        source = ticket.service
        _moved(
            ticket,
            list(selectors.ACTIVE),
            status=Ticket.Status.WAITING,
            service=target,
            window=None,
            staff=None,
            started_at=None,
            updated_at=now,
        )
        _audit(
            actor,
            "queue.transferred",
            ticket,
            window=window.number,
            **{"from": source.service_item.code},
            to=target.code,
        )
        _board_changed(window, "transferred", now)
    return ticket


def start(*, actor, window, now=None):
    """The called person arrived: SERVING, started_at = now."""
    _require_window(actor, window)
    now = _now(now)
    with transaction.atomic():
        window = _locked_window(window)
        ticket = _current(window, now, statuses=[Ticket.Status.CALLED], message=gettext("当前没有已叫号待到场的号码。"))
        _moved(ticket, Ticket.Status.CALLED, status=Ticket.Status.SERVING, started_at=now, staff=actor, updated_at=now)
        _audit(actor, "queue.started", ticket, window=window.number)
        _board_changed(window, "started", now)
    return ticket


def park(*, actor, window, now=None):
    """Hold the current ticket (e.g. the person fetches a document): PARKED; the window may
    call the next one. `resume(actor, window, ticket)` takes a parked ticket back."""
    _require_window(actor, window)
    now = _now(now)
    with transaction.atomic():
        window = _locked_window(window)
        ticket = _current(window, now)
        _moved(ticket, list(selectors.ACTIVE), status=Ticket.Status.PARKED, updated_at=now)
        _audit(actor, "queue.parked", ticket, window=window.number)
        _board_changed(window, "parked", now)
    return ticket


def resume(*, actor, window, ticket, now=None):
    """Take a parked ticket of the same site back to the window: SERVING when its service
    had started (started_at kept), else CALLED. The window must be free."""
    _require_window(actor, window)
    now = _now(now)
    with transaction.atomic():
        window = _locked_window(window)
        ticket = Ticket.objects.select_related("service__service_item", "site__org").get(pk=ticket.pk)
        if ticket.site_id != window.site_id:
            raise PermissionDenied(gettext("该号码不属于本站点。"))
        if ticket.status != Ticket.Status.PARKED:
            raise QueueConflict(gettext("{number} 号不是暂挂状态。").format(number=ticket.number))
        if selectors.current_ticket(window, now=now) is not None:
            raise QueueConflict(gettext("请先办结或过号当前号码"))
        status = Ticket.Status.SERVING if ticket.started_at else Ticket.Status.CALLED
        _moved(ticket, Ticket.Status.PARKED, status=status, window=window, staff=actor, updated_at=now)
        _audit(actor, "queue.resumed", ticket, window=window.number)
        _board_changed(window, "resumed", now)
    return ticket


ON_SITE_OUTCOME = "answered_on_site"  # 窗口当场解答办结


def _resolve_on_site(*, actor, order, reply: str):
    """A matter the clerk settled at the window (a consultation answered there) is resolved
    at once by the clerk: claimed if it waits, started, resolved with the reply given."""
    from open12348.workorders import services as workorders
    from open12348.workorders.models import Status

    if order.status == Status.RECEIVED:
        order = workorders.workorder_transition(actor=actor, order=order, action="claim")
    if order.status != Status.ASSIGNED or order.assignee_id != actor.pk:
        raise ValidationError({"resolve": gettext("该工单已由他人办理，不能当场办结；请在工单页面继续办理。")})
    order = workorders.workorder_transition(actor=actor, order=order, action="start")
    return workorders.workorder_transition(
        actor=actor, order=order, action="resolve", outcome_code=ON_SITE_OUTCOME, reply=reply
    )


def _work_order_for(*, actor, ticket, description, applicant_name, applicant_phone, work_order):
    """The order a finished ticket links to: the given one (visible to the actor), or a new
    one (channel `window`) when there is a description, else None."""
    from open12348.workorders import services as workorders
    from open12348.workorders.selectors import is_visible

    if work_order is not None:
        if not is_visible(actor, work_order):
            raise PermissionDenied(gettext("该工单不在您的办理范围内。"))
        return work_order
    if not (description or "").strip():
        return None
    phone = (applicant_phone or "").strip() or ticket.phone
    if not phone:
        raise ValidationError({"applicant_phone": gettext("取号时未登记手机号码，请填写申请人的联系电话。")})
    return workorders.workorder_create(
        actor=actor,
        channel="window",
        service_item=ticket.service.service_item,
        area=ticket.site.org,
        applicant_name=applicant_name,
        applicant_phone=phone,
        applicant_resident_id=ticket.resident_id,
        description=description,
        green_channel=ticket.priority == Ticket.Priority.GREEN,
    )


def finish(
    *,
    actor,
    window,
    description: str = "",
    applicant_name: str = "",
    applicant_phone: str = "",
    work_order=None,
    resolve: bool = False,
    reply: str = "",
    now=None,
):
    """The service is done: DONE, finished_at = now. Links the ticket to a work order:
    `work_order` given (an existing one, visible to the actor) is linked; otherwise, when
    `description` is given, a new work order is created with channel `window` via
    `workorders.services.workorder_create` prefilled from the ticket (service item, the
    site's area, phone and resident ID from the ticket, the actor as first-inquiry owner).
    Returns the ticket. The window's evaluation device then shows the rating screen.

    One transaction: a ValidationError of the work order (keys as workorder_create's:
    applicant_name, applicant_phone, description, …) leaves the ticket unchanged. A ticket
    finished straight from CALLED gets started_at = called_at. `resolve` (当场办结): the order
    is resolved by the clerk at once (outcome `answered_on_site`, `reply` to the citizen), so
    the evaluator's rating becomes its return visit."""
    _require_window(actor, window)
    now = _now(now)
    with transaction.atomic():
        window = _locked_window(window)
        ticket = _current(window, now)
        order = _work_order_for(
            actor=actor,
            ticket=ticket,
            description=description,
            applicant_name=applicant_name,
            applicant_phone=applicant_phone,
            work_order=work_order,
        )
        if resolve:
            if order is None:
                raise ValidationError({"description": gettext("当场办结须填写诉求内容（登记工单）。")})
            order = _resolve_on_site(actor=actor, order=order, reply=reply)
        _moved(
            ticket,
            list(selectors.ACTIVE),
            status=Ticket.Status.DONE,
            finished_at=now,
            started_at=ticket.started_at or ticket.called_at or now,
            staff=actor,
            work_order=order,
            updated_at=now,
        )
        _audit(
            actor,
            "queue.finished",
            ticket,
            window=window.number,
            work_order=order.tracking_code if order is not None else "",
        )
        _board_changed(window, "finished", now, ticket_id=ticket.pk)
    return ticket


# --- evaluation ----------------------------------------------------------------------------


def _level(value, field: str, *, required: bool, errors: dict):
    if value in (None, ""):
        if required:
            errors[field] = [gettext("请选择评价等级。")]
        return None
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in LEVELS:
        errors[field] = [gettext("评价等级应为1到5（非常不满意到非常满意）。")]
        return None
    return level


def _clean_evaluation(overall, attitude, efficiency, competence, comment) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {
        "overall": _level(overall, "overall", required=True, errors=errors),
        "attitude": _level(attitude, "attitude", required=False, errors=errors),
        "efficiency": _level(efficiency, "efficiency", required=False, errors=errors),
        "competence": _level(competence, "competence", required=False, errors=errors),
        "comment": (comment or "").strip(),
    }
    if len(clean["comment"]) > COMMENT_MAX:
        errors["comment"] = [gettext("意见建议不能超过{comment_max}字。").format(comment_max=COMMENT_MAX)]
    if errors:
        raise ValidationError(errors)
    return clean


def _rate_work_order(ticket: Ticket, evaluation: Evaluation) -> bool:
    """Put the rating on the ticket's work order as a return visit (method `evaluator`) when
    the order is resolved or in return visit, through workorders' own rule (a 不满意 opens
    the follow-up). In a savepoint: an order that cannot take it (the staff member no longer
    able to handle it) keeps the rating on the Evaluation only. An order still being handled
    gets no return visit, but a bad rating opens its follow-up all the same."""
    from open12348.workorders import services as workorders
    from open12348.workorders.exceptions import TransitionNotAllowed
    from open12348.workorders.models import ReturnVisit, Status

    order = ticket.work_order
    if order is None:
        return False
    if ticket.staff is None or order.status not in (Status.RESOLVED, Status.RETURN_VISIT):
        # Still being handled: a bad rating of the window's service still needs its follow-up.
        workorders.follow_up_for_rating(
            order=order,
            satisfaction=evaluation.overall,
            source=gettext("窗口评价器"),
            actor_label="群众（评价器）",  # i18n: data
        )
        return False
    try:
        with transaction.atomic():
            workorders.return_visit_record(
                actor=ticket.staff,
                order=order,
                method=ReturnVisit.Method.EVALUATOR,
                satisfaction=evaluation.overall,
                comment=evaluation.comment,
            )
    except (ValidationError, PermissionDenied, TransitionNotAllowed) as error:
        logger.warning("evaluation %s not recorded on work order %s: %s", evaluation.pk, order.pk, error)
        return False
    return True


def evaluation_submit(
    *,
    device,
    ticket_id: int,
    overall: int,
    attitude=None,
    efficiency=None,
    competence=None,
    comment: str = "",
    now=None,
):
    """The citizen rates on the evaluator bound to the ticket's window, once per ticket,
    only for a ticket finished at that window within the last 30 minutes. Levels 1..5 as
    workorders.Satisfaction. When the ticket has a work order, the rating is recorded on
    it as a return visit (method `evaluator`) so a 不满意/非常不满意 opens the mandatory
    follow-up (workorders' rule).

    Returns the Evaluation; its attribute `recorded_on_work_order` says whether the order
    took the rating (only resolved / return-visit orders do). A bad rating without one is
    listed by selectors.bad_evaluations / hall_stats for the director."""
    now = _now(now)
    if device is None or device.kind != Device.Kind.EVALUATOR or not device.is_active or device.window_id is None:
        raise PermissionDenied(gettext("该设备不是启用的评价器。"))
    clean = _clean_evaluation(overall, attitude, efficiency, competence, comment)
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_related("site__org", "work_order__handling_org", "staff", "window")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None:
            raise ValidationError({"ticket": gettext("找不到该排队号。")})
        if ticket.window_id != device.window_id:
            raise PermissionDenied(gettext("该号码不是在本窗口办理的，不能在此评价。"))
        cutoff = now - datetime.timedelta(minutes=EVALUATION_MINUTES)
        if ticket.status != Ticket.Status.DONE or ticket.finished_at is None or ticket.finished_at < cutoff:
            raise QueueConflict(gettext("该号码不在可评价的时间内（办结后30分钟内）。"))
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    ticket=ticket, window_id=device.window_id, staff=ticket.staff, work_order=ticket.work_order, **clean
                )
        except IntegrityError:
            raise QueueConflict(gettext("该号码已评价过，谢谢您的评价。")) from None
        evaluation.recorded_on_work_order = _rate_work_order(ticket, evaluation)
        audit.record(
            verb="queue.evaluated",
            target=ticket,
            org=ticket.site.org,
            payload={"number": ticket.number, "overall": evaluation.overall, "device": device.pk},
            actor_label="群众（评价器）",  # i18n: data — stored in the audit chain
        )
        publish(ticket.site, QueueEvent.Kind.BOARD, {"reason": "evaluated", "window_id": ticket.window_id}, now=now)
    return evaluation


# --- devices and configuration -------------------------------------------------------------


def device_heartbeat(*, device, ip: str | None = None, now=None):
    """Record that the device's page is alive (last_seen_at); cheap (one UPDATE)."""
    Device.objects.filter(pk=device.pk).update(last_seen_at=_now(now), last_ip=ip or None)


def device_create(*, actor, site, kind: str, name: str, window=None):
    """A device of a managed site. ValidationError keys: kind, name, window."""
    _require_manage(actor, site)
    errors: dict[str, list[str]] = {}
    if kind not in Device.Kind.values:
        errors["kind"] = [gettext("请选择设备类型。")]
    name = (name or "").strip()
    if not name:
        errors["name"] = [gettext("请填写设备名称。")]
    elif len(name) > 50:
        errors["name"] = [gettext("设备名称不能超过50个字。")]
    if window is not None and window.site_id != site.pk:
        errors["window"] = [gettext("绑定的窗口应属于本站点。")]
    elif window is None and kind in (Device.Kind.EVALUATOR, Device.Kind.LED):
        errors["window"] = [gettext("评价器和窗口LED屏须绑定窗口。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        device = Device.objects.create(site=site, kind=kind, name=name, window=window)
        audit.record(
            actor=actor,
            verb="queue.device_created",
            target=device,
            org=site.org,
            payload={"kind": kind, "name": name, "window": window.number if window else None},
        )
    return device


def queue_service_upsert(*, actor, site, service_item, prefix: str, name: str, sort: int = 0, is_active: bool = True):
    """Create or change the queue of `service_item` at a managed site. ValidationError keys:
    service_item, prefix, name."""
    _require_manage(actor, site)
    errors: dict[str, list[str]] = {}
    prefix = (prefix or "").strip().upper()
    name = (name or "").strip()
    if service_item is None or not site.services.filter(pk=service_item.pk).exists():
        errors["service_item"] = [gettext("请选择本站点提供的服务事项。")]
    if not PREFIX_PATTERN.match(prefix):
        errors["prefix"] = [gettext("号码字母应为一个大写英文字母，例如 A。")]
    elif QueueService.objects.filter(site=site, prefix=prefix).exclude(service_item=service_item).exists():
        errors["prefix"] = [gettext("字母 {prefix} 已被本站点其他业务使用。").format(prefix=prefix)]
    if not name:
        errors["name"] = [gettext("请填写取号机显示名称。")]
    elif len(name) > 30:
        errors["name"] = [gettext("取号机显示名称不能超过30个字。")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            service, created = QueueService.objects.update_or_create(
                site=site,
                service_item=service_item,
                defaults={"prefix": prefix, "name": name, "sort": sort, "is_active": bool(is_active)},
            )
            audit.record(
                actor=actor,
                verb="queue.service_created" if created else "queue.service_changed",
                target=service,
                org=site.org,
                payload={"prefix": prefix, "name": name, "item": service_item.code, "is_active": bool(is_active)},
            )
            publish(site, QueueEvent.Kind.BOARD, {"reason": "services"})
    except IntegrityError:
        raise ValidationError(
            {"prefix": [gettext("字母 {prefix} 已被本站点其他业务使用。").format(prefix=prefix)]}
        ) from None
    return service


def device_update(*, actor, device, name: str, window=None, is_active: bool = True):
    """Rename, rebind or switch off a device of a managed site. ValidationError keys: name, window."""
    _require_manage(actor, device.site)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 50:
        errors["name"] = [gettext("请填写设备名称（不超过50个字）。")]
    if window is not None and window.site_id != device.site_id:
        errors["window"] = [gettext("绑定的窗口应属于本站点。")]
    elif window is None and device.kind in (Device.Kind.EVALUATOR, Device.Kind.LED):
        errors["window"] = [gettext("评价器和窗口LED屏须绑定窗口。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Device.objects.filter(pk=device.pk).update(
            name=name, window=window, is_active=bool(is_active), updated_at=timezone.now()
        )
        device.name, device.window, device.is_active = name, window, bool(is_active)
        audit.record(
            actor=actor,
            verb="queue.device_changed",
            target=device,
            org=device.site.org,
            payload={"name": name, "window": window.number if window else None, "is_active": bool(is_active)},
        )
    return device


APPOINTMENT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L


def appointment_create(*, actor, service, day, name: str, phone: str, slot: str = "", now=None):
    """Book a visit (by hall staff for now; an online booking page can reuse it) with a new
    six-character code. ValidationError keys: service, day, name, phone, slot."""
    import secrets

    site = service.site
    if not (selectors.can_manage(actor, site) or selectors.operable_windows(actor).filter(site=site).exists()):
        raise PermissionDenied(gettext("您不能为该站点登记预约。"))
    errors: dict[str, list[str]] = {}
    if not service.is_active:
        errors["service"] = [gettext("该业务暂停取号。")]
    if day is None or day < selectors.beijing_today(now):
        errors["day"] = [gettext("预约日期不能早于今天。")]
    name = (name or "").strip()
    if not name or len(name) > 50:
        errors["name"] = [gettext("请填写预约人姓名（不超过50个字）。")]
    if len((slot or "").strip()) > 20:
        errors["slot"] = [gettext("时段不能超过20个字。")]
    try:
        phone = pii.validate_phone(phone)
    except ValidationError as error:
        errors["phone"] = [error.messages[0] if (phone or "").strip() else gettext("请填写手机号码。")]
    if errors:
        raise ValidationError(errors)
    for _ in range(8):
        code = "".join(secrets.choice(APPOINTMENT_ALPHABET) for _ in range(6))
        try:
            with transaction.atomic():
                booking = Appointment.objects.create(
                    site=site, service=service, day=day, slot=(slot or "").strip(), name=name, phone=phone, code=code
                )
                audit.record(
                    actor=actor,
                    verb="queue.appointment_created",
                    target=booking,
                    org=site.org,
                    payload={"service": service.code, "day": day.isoformat(), "slot": booking.slot},
                )
            return booking
        except IntegrityError:
            continue
    raise QueueConflict(gettext("生成预约码失败，请重试。"))
