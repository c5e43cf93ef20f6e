"""Deadline reminders and escalations (B5). `deadline_sweep` does the work and records each
alert once (DeadlineAlert is unique on order, kind and deadline), so running it twice, or in
two processes at once, sends nothing twice. It runs as a Tasks API task (`make worker`) or
from `manage.py sweepdeadlines` where no worker runs.

- reminder: the working day before the deadline (and on the last day), to the assignee;
- escalation: once the deadline has passed, to the director of the handling org."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from open12348.accounts.models import User
from open12348.audit import services as audit
from open12348.core import sms, workdays
from open12348.workorders import sla
from open12348.workorders.models import DeadlineAlert, Status, WorkOrder

RUNNING = [Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS]
REMINDER_WORKING_DAYS = 1
DIRECTOR_ROLE = "site_director"


def director_of(org) -> User | None:
    """The director serving `org`, or the nearest one above it."""
    codes = [code for code in org.path.split("/") if code]
    directors = (
        User.objects.filter(is_active=True, role_assignments__role=DIRECTOR_ROLE, staff_profile__org__code__in=codes)
        .select_related("staff_profile__org")
        .order_by("-staff_profile__org__depth", "id")
    )
    return directors.first()


def _send(kind: str, order: WorkOrder, recipient: User | None) -> None:
    phone = getattr(recipient, "phone", "") if recipient is not None else ""
    if not phone:
        return
    when = order.deadline.astimezone(sla.BEIJING).strftime("%Y-%m-%d %H:%M")
    if kind == DeadlineAlert.Kind.REMINDER:
        message = _("工单 {tracking_code} 将于 {when} 到期，请及时办理。").format(
            tracking_code=order.tracking_code, when=when
        )
    else:
        message = _("工单 {tracking_code} 已于 {when} 超期未办结，请督办。").format(
            tracking_code=order.tracking_code, when=when
        )
    sms.send_sms(phone, message)


def _alert(order: WorkOrder, kind: str, recipient: User | None, now: datetime.datetime) -> bool:
    try:
        with transaction.atomic():
            DeadlineAlert.objects.create(
                work_order=order, kind=kind, deadline=order.deadline, recipient=recipient, sent_at=now
            )
            audit.record(
                actor=None,
                actor_label="系统",  # i18n: data — stored in the audit chain
                verb="workorder.deadline_reminded"
                if kind == DeadlineAlert.Kind.REMINDER
                else "workorder.overdue_escalated",
                target=order,
                org=order.handling_org,
                payload={
                    "deadline": order.deadline.isoformat(),
                    "recipient": recipient.get_username() if recipient else "",
                },
            )
            transaction.on_commit(lambda: _send(kind, order, recipient))
    except IntegrityError:
        return False  # already sent (another sweep got there first)
    return True


def _already(kind: str) -> Exists:
    return Exists(DeadlineAlert.objects.filter(work_order=OuterRef("pk"), kind=kind, deadline=OuterRef("deadline")))


def deadline_sweep(now: datetime.datetime | None = None) -> dict[str, int]:
    """Send the reminders and escalations due at `now`; returns how many were sent."""
    now = now or timezone.now()
    remind_until = sla.end_of_day(sla.add_working_days(sla.local_date(now), REMINDER_WORKING_DAYS, workdays.is_workday))
    running = WorkOrder.objects.filter(status__in=RUNNING, clock_paused_at__isnull=True, deadline__isnull=False)
    sent = {"reminders": 0, "escalations": 0}
    due = (
        running.filter(deadline__gte=now, deadline__lte=remind_until)
        .exclude(_already(DeadlineAlert.Kind.REMINDER))
        .select_related("assignee", "handling_org")
    )
    for order in due.iterator():
        recipient = order.assignee or director_of(order.handling_org)
        if _alert(order, DeadlineAlert.Kind.REMINDER, recipient, now):
            sent["reminders"] += 1
    overdue = (
        running.filter(deadline__lt=now)
        .exclude(_already(DeadlineAlert.Kind.ESCALATION))
        .select_related("assignee", "handling_org")
    )
    directors: dict[int, User | None] = {}
    for order in overdue.iterator():
        if order.handling_org_id not in directors:
            directors[order.handling_org_id] = director_of(order.handling_org)
        if _alert(order, DeadlineAlert.Kind.ESCALATION, directors[order.handling_org_id], now):
            sent["escalations"] += 1
    return sent


@task
def deadline_sweep_task() -> dict[str, int]:
    return deadline_sweep()
