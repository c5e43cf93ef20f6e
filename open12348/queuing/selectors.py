"""Reads of the hall: what a display, a kiosk, a window console and the director see.
Scoping (which windows an actor may operate, which sites a director sees) lives here."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from open12348.catalog.models import ServiceItem
from open12348.core import refcache
from open12348.orgs.models import Site, Window
from open12348.orgs.selectors import in_area
from open12348.queuing import numbering
from open12348.queuing.models import Device, Evaluation, QueueEvent, QueueService, Ticket, WindowSession

PERM_OPERATE = "queuing.operate_window"
PERM_MANAGE = "queuing.manage_hall"
ACTIVE = (Ticket.Status.CALLED, Ticket.Status.SERVING)  # a window's current ticket
LINE_ORDER = ("-priority", "queued_at", "id")  # serving order of the waiting line
RECENT_CALLS = 6
ONLINE_SECONDS = 90
EVALUATION_MINUTES = 30
SERVICE_TIME_SAMPLE = 200  # finished tickets read for the median service time
MIN_SAMPLE_TODAY = 3  # fewer finished today: use the last 7 days


def beijing_today(now=None):
    """The Beijing calendar date of `now` (tickets and daily figures use it, never UTC)."""
    return numbering.beijing_day(now or timezone.now())


def _is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff_member)


# --- scoping -------------------------------------------------------------------------------


def operable_windows(user):
    """Windows the user may operate: a window clerk those of their own site
    (StaffProfile.site); a director (queuing.manage_hall) every window of the sites in their
    area; nobody else none."""
    if not _is_staff(user):
        return Window.objects.none()
    if user.has_perm(PERM_MANAGE):
        return in_area(Window.objects.filter(site__is_active=True), user, via="site__org")
    profile = getattr(user, "staff_profile", None)
    if user.has_perm(PERM_OPERATE) and profile is not None and profile.site_id is not None:
        return Window.objects.filter(site_id=profile.site_id, site__is_active=True)
    return Window.objects.none()


def can_operate(user, window) -> bool:
    return window is not None and operable_windows(user).filter(pk=window.pk).exists()


def managed_sites(user):
    """Sites whose hall the user manages (devices, statistics): queuing.manage_hall and
    the site within their area."""
    if not _is_staff(user) or not user.has_perm(PERM_MANAGE):
        return Site.objects.none()
    return in_area(Site.objects.all(), user)


def can_manage(user, site) -> bool:
    return site is not None and managed_sites(user).filter(pk=site.pk).exists()


# --- the line ------------------------------------------------------------------------------


def waiting_line(site, day) -> QuerySet[Ticket]:
    """The waiting tickets of a site on a day, in serving order (index `ticket_line`)."""
    return Ticket.objects.filter(site=site, day=day, status=Ticket.Status.WAITING).order_by(*LINE_ORDER)


def current_ticket(window, *, now=None) -> Ticket | None:
    """The ticket called or being served at the window today (older ones never block)."""
    return (
        Ticket.objects.filter(window=window, status__in=ACTIVE, day=beijing_today(now))
        .select_related("service__service_item", "site__org", "window")
        .order_by("-called_at", "-id")
        .first()
    )


def on_duty_user_ids(site) -> QuerySet:
    """Staff with an open session at a window of the site (as a subquery of user ids)."""
    return WindowSession.objects.filter(window__site=site, closed_at__isnull=True).values("user_id")


# Waiting tickets of one queue served before a given one (LINE_ORDER: priority, then time,
# then id). Written out because every ticket taken and every refresh of a phone's follow page
# asks, and building this OR of three conditions through the ORM cost four times the query
# (index `ticket_queue_line`).
PEOPLE_AHEAD_SQL = (
    "SELECT COUNT(*) FROM queuing_ticket WHERE service_id = %s AND day = %s AND status = 'waiting' "
    "AND (priority > %s OR (priority = %s AND (queued_at < %s OR (queued_at = %s AND id < %s))))"
)


def people_ahead(ticket) -> int:
    """Waiting tickets of the same queue that will be called before this one."""
    if ticket.status != Ticket.Status.WAITING:
        return 0
    ops = connection.ops
    queued_at = ops.adapt_datetimefield_value(ticket.queued_at)
    params = [ticket.service_id, ops.adapt_datefield_value(ticket.day), ticket.priority, ticket.priority]
    with connection.cursor() as cursor:
        cursor.execute(PEOPLE_AHEAD_SQL, [*params, queued_at, queued_at, ticket.pk])
        return cursor.fetchone()[0]


def _service_minutes_by_service(site, *, now, service_ids=None) -> dict[int, float]:
    """Median service time (finished − started) per queue: today's finished tickets, or the
    last 7 days' where today has too few. One query for every queue at once."""
    today = beijing_today(now)
    done = Ticket.objects.filter(
        site=site,
        status=Ticket.Status.DONE,
        day__gte=today - datetime.timedelta(days=7),
        day__lte=today,
        started_at__isnull=False,
        finished_at__isnull=False,
    )
    if service_ids is not None:
        done = done.filter(service_id__in=service_ids)
    rows = done.order_by("-finished_at").values_list("service_id", "day", "started_at", "finished_at")
    week: dict[int, list[float]] = defaultdict(list)
    today_only: dict[int, list[float]] = defaultdict(list)
    for service_id, day, started, finished in rows[:SERVICE_TIME_SAMPLE]:
        minutes = numbering.minutes_between(started, finished)
        if minutes is None:
            continue
        week[service_id].append(minutes)
        if day == today:
            today_only[service_id].append(minutes)
    return {
        service_id: numbering.median(
            today_only[service_id] if len(today_only[service_id]) >= MIN_SAMPLE_TODAY else spans
        )
        for service_id, spans in week.items()
    }


def _open_windows_by_item(site) -> dict[int, int]:
    """Service item id → number of windows of the site with somebody on duty handling it."""
    counts: dict[int, int] = defaultdict(int)
    open_windows = WindowSession.objects.filter(window__site=site, closed_at__isnull=True).values("window_id")
    rows = Window.services.through.objects.filter(
        window__site=site, window__is_active=True, window_id__in=open_windows
    ).values_list("serviceitem_id", "window_id")
    for item_id, _window_id in set(rows):
        counts[item_id] += 1
    return counts


def estimated_wait_minutes(service, ahead: int, *, now=None) -> int:
    """From recent service times of the queue (median of today's or the last 7 days'
    finished tickets, default 10 min) and the number of open windows handling it. Both
    change slowly: a process reuses them for REFERENCE_CACHE_SECONDS (every ticket taken
    asks), a window opening or closing in this process refreshes them at once."""
    if ahead <= 0:
        return 0
    now = now or timezone.now()
    site, day = service.site, beijing_today(now)
    minutes = refcache.cached(
        f"queue-service-minutes:{site.pk}:{day}",
        lambda: _service_minutes_by_service(site, now=now),
        models=(WindowSession,),
    ).get(service.pk)
    open_windows = refcache.cached(
        f"queue-open-windows:{site.pk}", lambda: _open_windows_by_item(site), models=(WindowSession, Window)
    ).get(service.service_item_id, 0)
    return numbering.estimate_wait(minutes, ahead, open_windows)


def site_by_id(pk: int) -> Site | None:
    """A site by its id (reference cache: every ticket taken through the API names one)."""
    return refcache.cached(
        f"site:{pk}", lambda: Site.objects.select_related("org").filter(pk=pk).first(), models=(Site,)
    )


def queue_service_by_code(site, code: str) -> QueueService | None:
    """The queue of `site` for a service item code, active or not (the caller says which
    message), with its item and site (reference cache)."""
    code = (code or "").strip()

    def load():
        return (
            QueueService.objects.filter(site=site, service_item__code=code)
            .select_related("service_item", "site__org")
            .first()
        )

    return refcache.cached(f"queue-service:{site.pk}:{code}", load, models=(QueueService, Site, ServiceItem))


# --- displays ------------------------------------------------------------------------------


def _photo_url(profile) -> str | None:
    """The staff board's photo view (media has no public URL); the version busts caches."""
    if not getattr(profile, "photo", None):
        return None
    version = int(profile.updated_at.timestamp()) if profile.updated_at else 0
    return f"{reverse('queuing:staff-photo', args=[profile.pk])}?v={version}"


def staff_photo(profile_id: int):
    """The photo file of a staff profile, or None."""
    from open12348.accounts.models import StaffProfile

    profile = StaffProfile.objects.filter(pk=profile_id).exclude(photo="").only("photo").first()
    return profile.photo if profile is not None else None


def _alerts() -> list[str]:
    """Legal risk alerts for the strip: the content app will supply them; until then the
    `QUEUE_BOARD_ALERTS` setting (a list of strings), the latest 5."""
    alerts = settings.QUEUE_BOARD_ALERTS or []
    return [str(alert) for alert in list(alerts)[:5]]


def month_figures(site, *, now=None, served: int | None = None) -> dict:
    """This month's served tickets and satisfaction rate (D4), from DONE tickets and
    Evaluations of the site (`served` when the caller has counted it already)."""
    today = beijing_today(now)
    first = today.replace(day=1)
    if served is None:
        served = Ticket.objects.filter(site=site, day__gte=first, day__lte=today, status=Ticket.Status.DONE).count()
    ratings = Evaluation.objects.filter(ticket__site=site, ticket__day__gte=first, ticket__day__lte=today).aggregate(
        total=Count("id"), satisfied=Count("id", filter=Q(overall__gte=numbering.SATISFIED_MIN))
    )
    rate = round(ratings["satisfied"] / ratings["total"], 3) if ratings["total"] else None
    return {"month_served": served, "month_satisfaction_rate": rate}


def _staff_entry(session) -> dict:
    profile = getattr(session.user, "staff_profile", None)
    return {
        "name": str(session.user),
        "title": profile.title if profile else "",
        "specialty": profile.specialty if profile else "",
        "photo_url": _photo_url(profile),
        "window_number": session.window.number,
        "user_id": session.user_id,
    }


def staff_on_duty(site) -> list[dict]:
    """Staff open at a window of the site (staff board, D5): one query."""
    sessions = (
        WindowSession.objects.filter(window__site=site, closed_at__isnull=True)
        .select_related("user__staff_profile", "window")
        .order_by("window__number")
    )
    return [_staff_entry(session) for session in sessions]


def _ticket_counts(site, today) -> tuple[dict[int, int], int]:
    """(waiting today per queue, served this month): one grouped query over the month."""
    rows = (
        Ticket.objects.filter(site=site, day__gte=today.replace(day=1), day__lte=today)
        .values("service_id")
        .annotate(
            waiting=Count("id", filter=Q(day=today, status=Ticket.Status.WAITING)),
            served=Count("id", filter=Q(status=Ticket.Status.DONE)),
        )
        .values_list("service_id", "waiting", "served")
    )
    waiting, served = {}, 0
    for service_id, waiting_count, served_count in rows:
        waiting[service_id] = waiting_count
        served += served_count
    return waiting, served


def _waiting_rows(services, counts, minutes_by_service, open_by_item) -> list[dict]:
    rows = []
    for service in services:
        waiting = counts.get(service.pk, 0)
        rows.append(
            {
                "code": service.service_item.code,
                "prefix": service.prefix,
                "name": service.name,
                "waiting": waiting,
                "estimated_wait_minutes": numbering.estimate_wait(
                    minutes_by_service.get(service.pk), waiting, open_by_item.get(service.service_item_id, 0)
                ),
            }
        )
    return rows


def _window_rows(site, today, sessions) -> list[dict]:
    windows = list(Window.objects.filter(site=site, is_active=True).order_by("number"))
    current = {
        ticket.window_id: ticket
        for ticket in Ticket.objects.filter(site=site, day=today, status__in=ACTIVE, window__isnull=False).order_by(
            "called_at", "id"
        )
    }
    staff = {session.window_id: str(session.user) for session in sessions}
    rows = []
    for window in windows:
        ticket = current.get(window.pk)
        rows.append(
            {
                "id": window.pk,
                "number": window.number,
                "name": window.name,
                "current": ticket.number if ticket else None,
                "status": ticket.status if ticket else None,
                "staff": staff.get(window.pk),
            }
        )
    return rows


def recent_calls(site, *, limit: int = RECENT_CALLS) -> list[dict]:
    events = QueueEvent.objects.filter(site=site, kind__in=[QueueEvent.Kind.CALL, QueueEvent.Kind.RECALL]).order_by(
        "-id"
    )[:limit]
    return [
        {"number": event.payload.get("number"), "window_number": event.payload.get("window_number"), "at": event.at}
        for event in events
    ]


def board_snapshot(site, *, now=None) -> dict:
    """Everything a hall display shows, as JSON-ready data; also the body of
    GET /api/v1/queue/sites/{id}/board/:
    {"site": {"id", "name"}, "day": "YYYY-MM-DD", "last_event_id": int,
     "windows": [{"id", "number", "name", "current": "A012"|None, "status", "staff": name|None}],
     "recent_calls": [{"number", "window_number", "at"}]  (last 6),
     "waiting": [{"code", "prefix", "name", "waiting": int, "estimated_wait_minutes": int}],
     "alerts": [str] (legal risk alerts; content app later, settings/demo for now),
     "figures": {"month_served": int, "month_satisfaction_rate": float|None},
     "staff_on_duty": [{"name", "title", "specialty", "photo_url"|None, "window_number"}]}

    `last_event_id` is read first: an event committed while the snapshot is built has a
    larger id, so a display that then streams from it never misses a call."""
    now = now or timezone.now()
    today = beijing_today(now)
    last_event_id = QueueEvent.objects.filter(site=site).order_by("-id").values_list("id", flat=True).first() or 0
    sessions = list(
        WindowSession.objects.filter(window__site=site, closed_at__isnull=True)
        .select_related("user__staff_profile", "window")
        .order_by("window__number")
    )
    services = list(
        QueueService.objects.filter(site=site, is_active=True).select_related("service_item").order_by("sort", "prefix")
    )
    waiting, served = _ticket_counts(site, today)
    calls = recent_calls(site)
    for call in calls:
        call["at"] = call["at"].isoformat()
    return {
        "site": {"id": site.pk, "name": site.name},
        "day": today.isoformat(),
        "last_event_id": last_event_id,
        "windows": _window_rows(site, today, sessions),
        "recent_calls": calls,
        "waiting": _waiting_rows(
            services, waiting, _service_minutes_by_service(site, now=now), _open_windows_by_item(site)
        ),
        "alerts": _alerts(),
        "figures": month_figures(site, now=now, served=served),
        "staff_on_duty": [_staff_entry(session) for session in sessions],
    }


def events_after(site_id: int, last_id: int, *, limit: int = 100):
    """QueueEvents of the site with id > last_id, oldest first."""
    return list(QueueEvent.objects.filter(site_id=site_id, id__gt=last_id or 0).order_by("id")[:limit])


def led_text(window, *, now=None) -> str:
    """The one line of a window's LED controller: "3号窗口 A012" while a ticket of today is
    called or served there, else "3号窗口 暂停服务"."""
    ticket = current_ticket(window, now=now)
    if ticket is None:
        return _("{window}号窗口 暂停服务").format(window=window.number)
    return _("{window}号窗口 {number}").format(window=window.number, number=ticket.number)


def active_services(site) -> QuerySet[QueueService]:
    """The queues a kiosk of the site offers, in kiosk order."""
    return QueueService.objects.filter(site=site, is_active=True, service_item__is_active=True).select_related(
        "service_item"
    )


def ticket_by_follow_code(code: str) -> Ticket | None:
    """The ticket a citizen follows on their phone (QR code on the printed ticket)."""
    if not code:
        return None
    return Ticket.objects.filter(follow_code=code).select_related("service", "site", "window").first()


# --- window console ------------------------------------------------------------------------


def earlier_orders(ticket, *, viewer=None, limit: int = 10) -> list:
    """The person's earlier work orders (matched by resident ID, else phone), open first;
    narrowed to what `viewer` may see when given."""
    from open12348.workorders.models import OPEN_STATUSES, WorkOrder
    from open12348.workorders.selectors import visible_workorders

    if ticket is None or not (ticket.resident_id_hash or ticket.phone_hash):
        return []
    match = (
        Q(applicant__resident_id_hash=ticket.resident_id_hash)
        if ticket.resident_id_hash
        else Q(applicant__phone_hash=ticket.phone_hash)
    )
    orders = visible_workorders(viewer) if viewer is not None else WorkOrder.objects.all()
    open_first = Case(
        When(status__in=[str(status) for status in OPEN_STATUSES], then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        orders.filter(match)
        .select_related("service_item", "handling_org")
        .annotate(open_first=open_first)
        .order_by("open_first", "-received_at")[:limit]
    )


def window_console(window, *, now=None, viewer=None) -> dict:
    """The window's current ticket (with the person's earlier work orders when the ticket
    has a resident ID or phone: open first), parked tickets, waiting counts of its
    services, today's served count.

    {"window": Window, "current": Ticket|None, "earlier_orders": [WorkOrder],
     "parked": [Ticket], "waiting": [{"code", "prefix", "name", "waiting"}],
     "waiting_total": int, "served_today": int, "session": WindowSession|None}"""
    now = now or timezone.now()
    today = beijing_today(now)
    current = current_ticket(window, now=now)
    items = list(window.services.values_list("id", flat=True))
    counts = dict(
        Ticket.objects.filter(
            site_id=window.site_id, day=today, status=Ticket.Status.WAITING, service__service_item_id__in=items
        )
        .values("service_id")
        .annotate(n=Count("id"))
        .values_list("service_id", "n")
    )
    services = QueueService.objects.filter(site_id=window.site_id, service_item_id__in=items, is_active=True)
    waiting = [
        {"code": s.service_item.code, "prefix": s.prefix, "name": s.name, "waiting": counts.get(s.pk, 0)}
        for s in services.select_related("service_item").order_by("sort", "prefix")
    ]
    return {
        "window": window,
        "current": current,
        "earlier_orders": earlier_orders(current, viewer=viewer),
        "parked": list(
            Ticket.objects.filter(window=window, day=today, status=Ticket.Status.PARKED)
            .select_related("service")
            .order_by("updated_at")
        ),
        "waiting": waiting,
        "waiting_total": sum(row["waiting"] for row in waiting),
        "served_today": Ticket.objects.filter(window=window, day=today, status=Ticket.Status.DONE).count(),
        "session": WindowSession.objects.filter(window=window, closed_at__isnull=True).select_related("user").first(),
    }


def late_no_shows(window, *, now=None) -> list:
    """Today's no-shows of the window that may still be re-queued once."""
    return list(
        Ticket.objects.filter(
            window=window, day=beijing_today(now), status=Ticket.Status.NO_SHOW, requeued=False
        ).order_by("-called_at")
    )


def evaluation_pending(device, *, now=None) -> Ticket | None:
    """The ticket an evaluator shows the rating screen for: the latest finished at its
    window within the last 30 minutes and not yet rated."""
    if device.kind != Device.Kind.EVALUATOR or device.window_id is None:
        return None
    now = now or timezone.now()
    return (
        Ticket.objects.filter(
            window_id=device.window_id,
            status=Ticket.Status.DONE,
            finished_at__gte=now - datetime.timedelta(minutes=EVALUATION_MINUTES),
            evaluation__isnull=True,
        )
        .select_related("service", "staff", "window")
        .order_by("-finished_at")
        .first()
    )


# --- director ------------------------------------------------------------------------------


def _figures(tickets: list[dict], ratings: list[int]) -> dict:
    waits = [w for w in (numbering.minutes_between(t["created_at"], t["called_at"]) for t in tickets) if w is not None]
    spans = [
        s
        for s in (
            numbering.minutes_between(t["started_at"], t["finished_at"])
            for t in tickets
            if t["status"] == Ticket.Status.DONE
        )
        if s is not None
    ]

    def rounded(value):
        return round(value, 1) if value is not None else None

    return {
        "tickets": len(tickets),
        "served": sum(1 for t in tickets if t["status"] == Ticket.Status.DONE),
        "no_shows": sum(1 for t in tickets if t["status"] == Ticket.Status.NO_SHOW),
        "avg_wait_minutes": rounded(numbering.average(waits)),
        "p90_wait_minutes": rounded(numbering.p90(waits)),
        "avg_service_minutes": rounded(numbering.average(spans)),
        "p90_service_minutes": rounded(numbering.p90(spans)),
        "evaluations": len(ratings),
        "satisfaction_rate": numbering.satisfaction_rate(ratings),
    }


def bad_evaluations(site, *, day_from, day_to) -> list:
    """不满意 / 非常不满意 ratings of the site in the period, newest first — including those
    without a work order, which no follow-up catches, so the director sees them here."""
    return list(
        Evaluation.objects.filter(
            ticket__site=site,
            ticket__day__gte=day_from,
            ticket__day__lte=day_to,
            overall__lte=numbering.BAD_RATING_MAX,
        )
        .select_related("ticket", "window", "staff", "work_order")
        .order_by("-created_at")
    )


def hall_stats(site, *, day_from, day_to) -> dict:
    """Per day / window / service: tickets, served, no-shows, average and p90 wait (called_at
    - queued... taken) and service time (finished - started), satisfaction (from
    Evaluations). Shown to the director; reports reuse it.

    Wait counts from the time the ticket was taken (created_at) to its (last) call.
    {"day_from", "day_to", "totals": figures,
     "days": [{"day": date, **figures}], "windows": [{"window_id", "number", "name", **figures}],
     "services": [{"code", "prefix", "name", **figures}], "bad_evaluations": [Evaluation]}
    figures = {tickets, served, no_shows, avg_wait_minutes, p90_wait_minutes,
               avg_service_minutes, p90_service_minutes, evaluations, satisfaction_rate}"""
    tickets = list(
        Ticket.objects.filter(site=site, day__gte=day_from, day__lte=day_to).values(
            "id", "day", "status", "service_id", "window_id", "created_at", "called_at", "started_at", "finished_at"
        )
    )
    ratings = dict(
        Evaluation.objects.filter(ticket__site=site, ticket__day__gte=day_from, ticket__day__lte=day_to).values_list(
            "ticket_id", "overall"
        )
    )

    def grouped(key) -> dict:
        groups: dict = defaultdict(list)
        for ticket in tickets:
            groups[ticket[key]].append(ticket)
        return groups

    def figures(rows):
        return _figures(rows, [ratings[t["id"]] for t in rows if t["id"] in ratings])

    by_day = grouped("day")
    by_window = grouped("window_id")
    by_service = grouped("service_id")
    windows = Window.objects.filter(site=site).order_by("number")
    services = QueueService.objects.filter(site=site).select_related("service_item").order_by("sort", "prefix")
    return {
        "day_from": day_from,
        "day_to": day_to,
        "totals": figures(tickets),
        "days": [{"day": day, **figures(rows)} for day, rows in sorted(by_day.items())],
        "windows": [
            {"window_id": w.pk, "number": w.number, "name": w.name, **figures(by_window.get(w.pk, []))} for w in windows
        ],
        "services": [
            {"code": s.service_item.code, "prefix": s.prefix, "name": s.name, **figures(by_service.get(s.pk, []))}
            for s in services
        ],
        "bad_evaluations": bad_evaluations(site, day_from=day_from, day_to=day_to),
    }


def device_health(site, *, now=None) -> list:
    """Devices with online = last_seen_at within 90 s.
    [{"device": Device, "id", "name", "kind", "kind_label", "window_number", "last_seen_at", "online"}]"""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=ONLINE_SECONDS)
    rows = []
    for device in Device.objects.filter(site=site).select_related("window").order_by("kind", "name"):
        rows.append(
            {
                "device": device,
                "id": device.pk,
                "name": device.name,
                "kind": device.kind,
                "kind_label": device.get_kind_display(),
                "window_number": device.window.number if device.window_id else None,
                "is_active": device.is_active,
                "last_seen_at": device.last_seen_at,
                "online": bool(device.is_active and device.last_seen_at and device.last_seen_at >= cutoff),
            }
        )
    return rows
