"""Every write of the hall (issue 4). Services as DESIGN.md: keyword-only, atomic, permission
and state checked here, an audit event for staff actions, a QueueEvent for what displays
must show (published in the same transaction, so a display never sees an uncommitted call).

Errors: `django.core.exceptions.ValidationError` (dict keyed by field, Chinese messages)
for bad input; `QueueConflict` (message in Chinese) for a state that does not allow the
action (the API answers 409); `PermissionDenied` when the actor may not operate the window."""

# CONTRACT (filled in by the domain work; API and pages code against these names).


class QueueConflict(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
    with attributes `people_ahead` and `estimated_wait_minutes` set."""
    raise NotImplementedError


def appointment_check_in(*, site, code: str, now=None):
    """Check in a booked visit by its code: a ticket with Priority.APPOINTMENT (front of
    the queue). Wrong code, other site, other day, or already used: ValidationError."""
    raise NotImplementedError


def window_open(*, actor, window, now=None):
    """The actor takes the window (上岗); closes their session at any other window. Another
    person already open there: QueueConflict naming them."""
    raise NotImplementedError


def window_close(*, actor, window, now=None):
    raise NotImplementedError


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
    raise NotImplementedError


def recall(*, actor, window, now=None):
    """Call the window's current ticket again (RECALL event, call_count + 1)."""
    raise NotImplementedError


def skip(*, actor, window, now=None):
    """The called person did not come: NO_SHOW. Returns the ticket."""
    raise NotImplementedError


def requeue_late(*, actor, ticket, now=None):
    """A no-show arrives late: back to WAITING at the end of its queue (queued_at = now),
    once only (a second time: QueueConflict)."""
    raise NotImplementedError


def transfer(*, actor, window, service_code: str, now=None):
    """Move the window's current ticket to another queue of the same site, keeping its
    original queued_at (so it is not sent to the back); the number stays the same."""
    raise NotImplementedError


def start(*, actor, window, now=None):
    """The called person arrived: SERVING, started_at = now."""
    raise NotImplementedError


def park(*, actor, window, now=None):
    """Hold the current ticket (e.g. the person fetches a document): PARKED; the window may
    call the next one. `resume(actor, window, ticket)` takes a parked ticket back."""
    raise NotImplementedError


def resume(*, actor, window, ticket, now=None):
    raise NotImplementedError


def finish(
    *,
    actor,
    window,
    description: str = "",
    applicant_name: str = "",
    applicant_phone: str = "",
    work_order=None,
    now=None,
):
    """The service is done: DONE, finished_at = now. Links the ticket to a work order:
    `work_order` given (an existing one, visible to the actor) is linked; otherwise, when
    `description` is given, a new work order is created with channel `window` via
    `workorders.services.workorder_create` prefilled from the ticket (service item, the
    site's area, phone and resident ID from the ticket, the actor as first-inquiry owner).
    Returns the ticket. The window's evaluation device then shows the rating screen."""
    raise NotImplementedError


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
    follow-up (workorders' rule)."""
    raise NotImplementedError


def device_heartbeat(*, device, ip: str | None = None, now=None):
    """Record that the device's page is alive (last_seen_at); cheap (one UPDATE)."""
    raise NotImplementedError


def device_create(*, actor, site, kind: str, name: str, window=None):
    raise NotImplementedError


def queue_service_upsert(*, actor, site, service_item, prefix: str, name: str, sort: int = 0, is_active: bool = True):
    raise NotImplementedError
