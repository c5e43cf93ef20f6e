"""Reads of the hall: what a display, a kiosk, a window console and the director see.
Scoping (which windows an actor may operate, which sites a director sees) lives here."""

# CONTRACT (filled in by the domain work).


def beijing_today(now=None):
    """The Beijing calendar date of `now` (tickets and daily figures use it, never UTC)."""
    raise NotImplementedError


def operable_windows(user):
    """Windows the user may operate: a window clerk those of their own site
    (StaffProfile.site); a director (queuing.manage_hall) every window of the sites in their
    area; nobody else none."""
    raise NotImplementedError


def can_operate(user, window) -> bool:
    raise NotImplementedError


def managed_sites(user):
    """Sites whose hall the user manages (devices, statistics): queuing.manage_hall and
    the site within their area."""
    raise NotImplementedError


def board_snapshot(site, *, now=None) -> dict:
    """Everything a hall display shows, as JSON-ready data; also the body of
    GET /api/v1/queue/sites/{id}/board/:
    {"site": {"id", "name"}, "day": "YYYY-MM-DD", "last_event_id": int,
     "windows": [{"id", "number", "name", "current": "A012"|None, "status", "staff": name|None}],
     "recent_calls": [{"number", "window_number", "at"}]  (last 6),
     "waiting": [{"code", "prefix", "name", "waiting": int, "estimated_wait_minutes": int}],
     "alerts": [str] (legal risk alerts; content app later, settings/demo for now),
     "figures": {"month_served": int, "month_satisfaction_rate": float|None},
     "staff_on_duty": [{"name", "title", "specialty", "photo_url"|None, "window_number"}]}"""
    raise NotImplementedError


def events_after(site_id: int, last_id: int, *, limit: int = 100):
    """QueueEvents of the site with id > last_id, oldest first."""
    raise NotImplementedError


def people_ahead(ticket) -> int:
    raise NotImplementedError


def estimated_wait_minutes(service, ahead: int, *, now=None) -> int:
    """From recent service times of the queue (median of today's or the last 7 days'
    finished tickets, default 10 min) and the number of open windows handling it."""
    raise NotImplementedError


def window_console(window, *, now=None) -> dict:
    """The window's current ticket (with the person's earlier work orders when the ticket
    has a resident ID or phone: open first), parked tickets, waiting counts of its
    services, today's served count."""
    raise NotImplementedError


def hall_stats(site, *, day_from, day_to) -> dict:
    """Per day / window / service: tickets, served, no-shows, average and p90 wait (called_at
    - queued... taken) and service time (finished - started), satisfaction (from
    Evaluations). Shown to the director; reports reuse it."""
    raise NotImplementedError


def device_health(site, *, now=None) -> list:
    """Devices with online = last_seen_at within 90 s."""
    raise NotImplementedError
