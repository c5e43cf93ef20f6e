"""Writes of the hall: tickets, calling, the window's actions, finishing into a work order,
evaluation, devices. Every refusal leaves the database as it was."""

import datetime
import re
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from open12348.accounts.tests.factories import make_staff
from open12348.audit.models import Event
from open12348.core.sms import MemorySmsBackend
from open12348.orgs.tests.factories import SiteFactory
from open12348.queuing import selectors, services
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
from open12348.queuing.services import QueueConflict
from open12348.queuing.tests.factories import make_hall
from open12348.queuing.tests.test_numbering import resident_id
from open12348.workorders.models import Channel, WorkOrder
from open12348.workorders.tests.factories import make_order

BJ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2025, 6, 16, 10, 0, tzinfo=BJ)  # a Monday morning in Beijing
PHONE = "13912345678"
YOUNG_ID = resident_id(datetime.date(1980, 1, 1))
ELDER_ID = resident_id(datetime.date(1950, 1, 1))


def at(minutes: float) -> datetime.datetime:
    return NOW + datetime.timedelta(minutes=minutes)


def take(hall, code="consultation", minute=0, **fields):
    return services.ticket_issue(site=hall.site, service_code=code, now=at(minute), **fields)


def status_of(ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).status


@pytest.fixture
def other_clerk(town_a2):
    """A window clerk of another site (沙溪镇) of the same county."""
    return make_staff("clerk_other", town_a2, "window_clerk", site=SiteFactory(org=town_a2, name="沙溪镇工作站"))


# --- taking a ticket -----------------------------------------------------------------------


def test_numbers_count_per_prefix_and_tell_the_people_ahead(hall):
    first = take(hall, "legal_aid", 0)
    second = take(hall, "legal_aid", 1)
    other = take(hall, "consultation", 2)
    assert [first.number, second.number, other.number] == ["A001", "A002", "B001"]
    assert first.day == datetime.date(2025, 6, 16)
    assert (first.people_ahead, second.people_ahead, other.people_ahead) == (0, 1, 0)
    assert second.estimated_wait_minutes == 10  # default 10 minutes, no window open
    assert first.status == Ticket.Status.WAITING and first.priority == Ticket.Priority.NORMAL
    assert QueueEvent.objects.filter(site=hall.site, kind=QueueEvent.Kind.BOARD).count() == 3


def test_day_rollover_restarts_numbers_at_beijing_midnight(hall):
    late = services.ticket_issue(
        site=hall.site, service_code="legal_aid", now=datetime.datetime(2025, 6, 16, 23, 59, tzinfo=BJ)
    )
    early = services.ticket_issue(
        site=hall.site, service_code="legal_aid", now=datetime.datetime(2025, 6, 17, 0, 1, tzinfo=BJ)
    )
    assert (late.number, late.day) == ("A001", datetime.date(2025, 6, 16))
    assert (early.number, early.day) == ("A001", datetime.date(2025, 6, 17))


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (None, "no_such_service", "service"),
        ("service", "legal_aid", "service"),
        ("site", "legal_aid", "site"),
    ],
)
def test_unknown_service_or_closed_site_gives_no_ticket(hall, change, code, field):
    if change == "service":
        QueueService.objects.filter(pk=hall.services["A"].pk).update(is_active=False)
    if change == "site":
        hall.site.is_active = False
        hall.site.save()
    with pytest.raises(ValidationError) as caught:
        take(hall, code)
    assert field in caught.value.message_dict
    assert re.search(r"[\u4e00-\u9fff]{4}", caught.value.message_dict[field][0])
    assert not Ticket.objects.exists() and not TicketCounter.objects.exists()


def test_bad_phone_and_resident_id_are_refused_per_field(hall):
    with pytest.raises(ValidationError) as caught:
        take(hall, phone="12345", resident_id="320585198001011234")
    assert set(caught.value.message_dict) == {"phone", "id_number"}
    assert "身份证" in caught.value.message_dict["id_number"][0]
    assert not Ticket.objects.exists() and not TicketCounter.objects.exists()


def test_phone_and_resident_id_are_kept_normalised(hall):
    ticket = take(hall, phone="139 1234 5678", resident_id=YOUNG_ID.lower())
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.phone == PHONE and stored.resident_id == YOUNG_ID
    assert stored.priority == Ticket.Priority.NORMAL and stored.green_reason == ""


def test_seventy_and_older_get_the_green_channel_automatically(hall):
    elder = take(hall, resident_id=ELDER_ID)
    assert (elder.priority, elder.green_reason) == (Ticket.Priority.GREEN, GreenReason.ELDERLY)
    turned_70_tomorrow = resident_id(datetime.date(1955, 6, 17))
    assert take(hall, resident_id=turned_70_tomorrow).priority == Ticket.Priority.NORMAL


def test_explicit_green_reason_is_accepted_and_checked(hall):
    ticket = take(hall, green_reason=GreenReason.MIGRANT_WAGE)
    assert (ticket.priority, ticket.green_reason) == (Ticket.Priority.GREEN, "migrant_wage")
    with pytest.raises(ValidationError) as caught:
        take(hall, green_reason="vip")
    assert "green_reason" in caught.value.message_dict


def test_preferred_staff_must_be_on_duty(hall, clerk_a):
    with pytest.raises(ValidationError) as caught:
        take(hall, preferred_staff=clerk_a)
    assert "不在岗" in caught.value.message_dict["preferred_staff"][0]
    services.window_open(actor=clerk_a, window=hall.windows[1], now=NOW)
    assert take(hall, preferred_staff=clerk_a).preferred_staff == clerk_a


def test_wait_estimate_uses_the_median_service_time_and_open_windows(hall, clerk_a, director_a):
    for minute, span in ((0, 4), (20, 6), (40, 30)):  # median 6 minutes
        take(hall, minute=minute)
        services.call_next(actor=clerk_a, window=hall.windows[1], now=at(minute + 1))
        services.start(actor=clerk_a, window=hall.windows[1], now=at(minute + 2))
        services.finish(actor=clerk_a, window=hall.windows[1], now=at(minute + 2 + span))
    services.window_open(actor=clerk_a, window=hall.windows[1], now=at(90))
    services.window_open(actor=director_a, window=hall.windows[2], now=at(90))
    for minute in range(91, 95):
        ticket = take(hall, minute=minute)
    assert ticket.people_ahead == 3
    assert ticket.estimated_wait_minutes == 9  # 6 min × 3 ahead / 2 open windows handling 法律咨询


# --- appointments --------------------------------------------------------------------------


def make_booking(hall, day=datetime.date(2025, 6, 16), code="K7Q2M9"):
    return Appointment.objects.create(
        site=hall.site, service=hall.services["B"], day=day, slot="09:00-10:00", name="李四", phone=PHONE, code=code
    )


def test_check_in_puts_the_booked_person_at_the_front(hall, clerk_a):
    take(hall, minute=0, green_reason=GreenReason.DISABLED)
    booking = make_booking(hall)
    ticket = services.appointment_check_in(site=hall.site, code=" k7q2m9 ", now=at(5))
    assert ticket.priority == Ticket.Priority.APPOINTMENT and ticket.people_ahead == 0
    assert Appointment.objects.get(pk=booking.pk).ticket_id == ticket.pk
    assert services.call_next(actor=clerk_a, window=hall.windows[1], now=at(6)).pk == ticket.pk


@pytest.mark.parametrize(
    ("code", "day", "message"),
    [("WRONG1", datetime.date(2025, 6, 16), "不正确"), ("K7Q2M9", datetime.date(2025, 6, 17), "预约当天")],
)
def test_check_in_refuses_wrong_code_or_other_day(hall, code, day, message):
    make_booking(hall, day=day)
    with pytest.raises(ValidationError) as caught:
        services.appointment_check_in(site=hall.site, code=code, now=NOW)
    assert message in caught.value.message_dict["code"][0]
    assert not Ticket.objects.exists()


def test_check_in_once_and_only_at_its_site(hall, station_a, town_a2):
    make_booking(hall)
    services.appointment_check_in(site=hall.site, code="K7Q2M9", now=NOW)
    with pytest.raises(ValidationError, match="已签到"):
        services.appointment_check_in(site=hall.site, code="K7Q2M9", now=at(1))
    other = make_hall(SiteFactory(org=town_a2, name="沙溪镇工作站"))
    with pytest.raises(ValidationError, match="不正确"):
        services.appointment_check_in(site=other.site, code="K7Q2M9", now=at(1))
    assert Ticket.objects.count() == 1


# --- calling -------------------------------------------------------------------------------


def test_call_next_serves_appointment_then_green_then_earliest(hall, clerk_a):
    normal_early = take(hall, minute=0)
    green = take(hall, minute=1, green_reason=GreenReason.HARDSHIP)
    normal_late = take(hall, minute=2)
    make_booking(hall)
    booked = services.appointment_check_in(site=hall.site, code="K7Q2M9", now=at(3))
    order = []
    for minute in range(10, 14):
        ticket = services.call_next(actor=clerk_a, window=hall.windows[1], now=at(minute))
        order.append(ticket.pk)
        services.finish(actor=clerk_a, window=hall.windows[1], now=at(minute + 0.5))
    assert order == [booked.pk, green.pk, normal_early.pk, normal_late.pk]
    assert services.call_next(actor=clerk_a, window=hall.windows[1], now=at(20)) is None


def test_a_window_calls_only_the_services_it_handles(hall, clerk_a):
    take(hall, "legal_aid", 0)
    assert services.call_next(actor=clerk_a, window=hall.windows[3], now=at(1)) is None  # mediation only
    called = services.call_next(actor=clerk_a, window=hall.windows[2], now=at(2))
    assert called.number == "A001" and called.window == hall.windows[2]


def test_call_sets_the_ticket_publishes_the_call_and_audits_it(hall, clerk_a):
    ticket = take(hall, "consultation", 0)
    called = services.call_next(actor=clerk_a, window=hall.windows[1], now=at(1))
    assert called.pk == ticket.pk
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.window, stored.staff, stored.called_at, stored.call_count) == (
        Ticket.Status.CALLED,
        hall.windows[1],
        clerk_a,
        at(1),
        1,
    )
    event = QueueEvent.objects.filter(kind=QueueEvent.Kind.CALL).get()
    assert event.site == hall.site and event.at == at(1)
    assert event.payload == {
        "ticket_id": ticket.pk,
        "number": "B001",
        "window_id": hall.windows[1].pk,
        "window_number": 1,
        "window_name": "综合受理",
        "service": "法律咨询",
        "text": "请 B001 号到 1 号窗口办理",
        "call_count": 1,
    }
    audit = Event.objects.get(verb="queue.called")
    assert audit.actor == clerk_a and audit.target_id == str(ticket.pk) and audit.org == hall.site.org


def test_a_window_with_a_current_ticket_cannot_call_again(hall, clerk_a):
    take(hall, minute=0)
    take(hall, minute=1)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(2))
    with pytest.raises(QueueConflict, match="请先办结或过号当前号码"):
        services.call_next(actor=clerk_a, window=hall.windows[1], now=at(3))
    assert Ticket.objects.filter(status=Ticket.Status.CALLED).count() == 1


def test_yesterdays_forgotten_ticket_does_not_block_the_window(hall, clerk_a):
    take(hall, minute=0)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(1))
    tomorrow = at(24 * 60)
    take(hall, minute=24 * 60 + 1)
    assert services.call_next(actor=clerk_a, window=hall.windows[1], now=tomorrow + datetime.timedelta(minutes=2))


def test_named_staff_ticket_waits_for_that_person_while_on_duty(hall, clerk_a, director_a):
    services.window_open(actor=director_a, window=hall.windows[2], now=NOW)
    named = take(hall, minute=0, preferred_staff=director_a)
    plain = take(hall, minute=1)
    assert services.call_next(actor=clerk_a, window=hall.windows[1], now=at(2)).pk == plain.pk
    services.finish(actor=clerk_a, window=hall.windows[1], now=at(3))
    assert services.call_next(actor=clerk_a, window=hall.windows[1], now=at(4)) is None
    services.window_close(actor=director_a, window=hall.windows[2], now=at(5))
    assert services.call_next(actor=clerk_a, window=hall.windows[1], now=at(6)).pk == named.pk


@pytest.mark.parametrize("who", ["other_clerk", "outsider_b", "clerk_a2", "operator"])
def test_only_the_sites_clerks_and_directors_operate_its_windows(hall, request, who):
    take(hall, minute=0)
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.call_next(actor=actor, window=hall.windows[1], now=at(1))
    with pytest.raises(PermissionDenied):
        services.window_open(actor=actor, window=hall.windows[1], now=at(1))
    assert status_of(Ticket.objects.get()) == Ticket.Status.WAITING
    assert not QueueEvent.objects.filter(kind=QueueEvent.Kind.CALL).exists()


def test_the_director_of_the_area_operates_any_window_there(hall, director_a):
    take(hall, minute=0)
    assert services.call_next(actor=director_a, window=hall.windows[1], now=at(1)).staff == director_a


def test_reminder_sms_goes_once_to_people_near_the_front(hall, clerk_a, settings, django_capture_on_commit_callbacks):
    settings.QUEUE_REMIND_AHEAD = 2
    MemorySmsBackend.outbox.clear()
    tickets = [take(hall, minute=i, phone=f"1391234567{i}") for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        services.call_next(actor=clerk_a, window=hall.windows[1], now=at(10))
    assert MemorySmsBackend.outbox == [
        ("13912345671", "您的排队号 B002 前面还有 0 人，请回到大厅等候叫号。"),
        ("13912345672", "您的排队号 B003 前面还有 1 人，请回到大厅等候叫号。"),
        ("13912345673", "您的排队号 B004 前面还有 2 人，请回到大厅等候叫号。"),
    ]
    services.finish(actor=clerk_a, window=hall.windows[1], now=at(11))
    with django_capture_on_commit_callbacks(execute=True):
        services.call_next(actor=clerk_a, window=hall.windows[1], now=at(12))
    assert MemorySmsBackend.outbox[3:] == [("13912345674", "您的排队号 B005 前面还有 2 人，请回到大厅等候叫号。")]
    assert Ticket.objects.filter(reminded=True).count() == 4 and not tickets[0].reminded


# --- the window's actions ------------------------------------------------------------------


def test_recall_repeats_the_call(hall, clerk_a):
    take(hall, minute=0)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(1))
    ticket = services.recall(actor=clerk_a, window=hall.windows[1], now=at(2))
    assert ticket.call_count == 2
    event = QueueEvent.objects.get(kind=QueueEvent.Kind.RECALL)
    assert event.payload["call_count"] == 2 and event.payload["text"] == "请 B001 号到 1 号窗口办理"
    assert Event.objects.filter(verb="queue.recalled").count() == 1


def test_recall_skip_start_need_a_called_ticket(hall, clerk_a):
    for action in (services.recall, services.skip, services.start, services.park, services.finish):
        with pytest.raises(QueueConflict):
            action(actor=clerk_a, window=hall.windows[1], now=NOW)


def test_no_show_is_requeued_once_at_the_end(hall, clerk_a):
    late = take(hall, minute=0)
    take(hall, minute=1)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(2))
    skipped = services.skip(actor=clerk_a, window=hall.windows[1], now=at(3))
    assert skipped.status == Ticket.Status.NO_SHOW and Event.objects.filter(verb="queue.skipped").exists()
    back = services.requeue_late(actor=clerk_a, ticket=late, now=at(5))
    assert (back.status, back.queued_at, back.requeued, back.window) == (Ticket.Status.WAITING, at(5), True, None)
    assert back.number == "B001" and selectors.people_ahead(back) == 1  # behind B002
    assert services.call_next(actor=clerk_a, window=hall.windows[1], now=at(6)).number == "B002"
    services.finish(actor=clerk_a, window=hall.windows[1], now=at(7))
    assert services.call_next(actor=clerk_a, window=hall.windows[1], now=at(8)).number == "B001"
    services.skip(actor=clerk_a, window=hall.windows[1], now=at(9))
    with pytest.raises(QueueConflict, match="已重新排队过一次"):
        services.requeue_late(actor=clerk_a, ticket=late, now=at(10))
    assert status_of(late) == Ticket.Status.NO_SHOW


def test_requeue_refuses_a_waiting_ticket_and_outsiders(hall, clerk_a, outsider_b):
    ticket = take(hall, minute=0)
    with pytest.raises(QueueConflict, match="不是过号"):
        services.requeue_late(actor=clerk_a, ticket=ticket, now=at(1))
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(1))
    services.skip(actor=clerk_a, window=hall.windows[1], now=at(2))
    with pytest.raises(PermissionDenied):
        services.requeue_late(actor=outsider_b, ticket=ticket, now=at(3))
    assert status_of(ticket) == Ticket.Status.NO_SHOW


def test_transfer_keeps_the_number_and_the_original_queue_time(hall, clerk_a):
    early = take(hall, "consultation", 0)
    take(hall, "legal_aid", 1)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(2))
    moved = services.transfer(actor=clerk_a, window=hall.windows[1], service_code="legal_aid", now=at(3))
    assert (moved.number, moved.service, moved.queued_at, moved.status) == (
        "B001",
        hall.services["A"],
        at(0),
        Ticket.Status.WAITING,
    )
    # Taken before A001, so the legal-aid window calls it first.
    assert services.call_next(actor=clerk_a, window=hall.windows[2], now=at(4)).pk == early.pk
    assert Event.objects.filter(verb="queue.transferred").exists()


def test_transfer_refuses_the_same_or_an_unknown_queue(hall, clerk_a):
    take(hall, "consultation", 0)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(1))
    for code in ("consultation", "notary"):
        with pytest.raises(ValidationError):
            services.transfer(actor=clerk_a, window=hall.windows[1], service_code=code, now=at(2))
    assert Ticket.objects.get().status == Ticket.Status.CALLED


def test_park_frees_the_window_and_resume_takes_the_ticket_back(hall, clerk_a):
    first = take(hall, minute=0)
    take(hall, minute=1)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(2))
    services.start(actor=clerk_a, window=hall.windows[1], now=at(3))
    parked = services.park(actor=clerk_a, window=hall.windows[1], now=at(4))
    assert parked.status == Ticket.Status.PARKED
    assert services.call_next(actor=clerk_a, window=hall.windows[1], now=at(5)).number == "B002"
    with pytest.raises(QueueConflict, match="请先办结"):
        services.resume(actor=clerk_a, window=hall.windows[1], ticket=first, now=at(6))
    services.finish(actor=clerk_a, window=hall.windows[1], now=at(7))
    back = services.resume(actor=clerk_a, window=hall.windows[1], ticket=first, now=at(8))
    assert (back.status, back.started_at) == (Ticket.Status.SERVING, at(3))
    with pytest.raises(QueueConflict, match="不是暂挂"):
        services.resume(actor=clerk_a, window=hall.windows[2], ticket=first, now=at(9))


def test_start_marks_serving(hall, clerk_a):
    take(hall, minute=0)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(1))
    ticket = services.start(actor=clerk_a, window=hall.windows[1], now=at(2))
    assert (ticket.status, ticket.started_at) == (Ticket.Status.SERVING, at(2))


# --- finishing -----------------------------------------------------------------------------


def serving(hall, clerk, **fields) -> Ticket:
    ticket = take(hall, minute=0, **fields)
    services.call_next(actor=clerk, window=hall.windows[1], now=at(1))
    services.start(actor=clerk, window=hall.windows[1], now=at(2))
    return ticket


def test_finish_without_description_opens_no_work_order(hall, clerk_a):
    ticket = serving(hall, clerk_a)
    done = services.finish(actor=clerk_a, window=hall.windows[1], now=at(10))
    assert (done.status, done.finished_at, done.work_order) == (Ticket.Status.DONE, at(10), None)
    assert not WorkOrder.objects.exists()
    assert Event.objects.filter(verb="queue.finished", target_id=str(ticket.pk)).exists()


def test_finish_with_description_creates_the_window_work_order(hall, clerk_a):
    ticket = serving(hall, clerk_a, phone=PHONE, resident_id=ELDER_ID)
    done = services.finish(
        actor=clerk_a,
        window=hall.windows[1],
        description="咨询劳动合同解除的补偿。",
        applicant_name="王老伯",
        now=at(10),
    )
    order = WorkOrder.objects.get()
    assert done.work_order == order and Ticket.objects.get(pk=ticket.pk).work_order == order
    assert (order.channel, order.service_item, order.area, order.first_owner) == (
        Channel.WINDOW,
        hall.services["B"].service_item,
        hall.site.org,
        clerk_a,
    )
    assert order.applicant.phone == PHONE and order.applicant.resident_id == ELDER_ID
    assert order.green_channel is True


def test_finish_needs_a_phone_when_the_ticket_has_none_and_changes_nothing(hall, clerk_a):
    ticket = serving(hall, clerk_a)
    with pytest.raises(ValidationError) as caught:
        services.finish(actor=clerk_a, window=hall.windows[1], description="咨询", applicant_name="王", now=at(10))
    assert "联系电话" in caught.value.message_dict["applicant_phone"][0]
    with pytest.raises(ValidationError) as caught:
        services.finish(actor=clerk_a, window=hall.windows[1], description="咨询", applicant_phone=PHONE, now=at(10))
    assert "applicant_name" in caught.value.message_dict
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.status, stored.finished_at, stored.work_order) == (Ticket.Status.SERVING, None, None)
    assert not WorkOrder.objects.exists() and not Event.objects.filter(verb="queue.finished").exists()
    done = services.finish(
        actor=clerk_a,
        window=hall.windows[1],
        description="咨询",
        applicant_name="王",
        applicant_phone=PHONE,
        now=at(11),
    )
    assert done.work_order.applicant.phone == PHONE


def test_finish_links_an_existing_visible_order(hall, clerk_a, town_a, town_b, outsider_b):
    order = make_order(actor=clerk_a, area=town_a)
    serving(hall, clerk_a)
    done = services.finish(actor=clerk_a, window=hall.windows[1], work_order=order, now=at(10))
    assert done.work_order == order and WorkOrder.objects.count() == 1


def test_finish_refuses_an_order_the_clerk_cannot_see(hall, clerk_a, town_b, outsider_b):
    elsewhere = make_order(actor=outsider_b, area=town_b)
    ticket = serving(hall, clerk_a)
    with pytest.raises(PermissionDenied):
        services.finish(actor=clerk_a, window=hall.windows[1], work_order=elsewhere, now=at(10))
    assert status_of(ticket) == Ticket.Status.SERVING


def test_finish_straight_from_called_counts_the_service_from_the_call(hall, clerk_a):
    take(hall, minute=0)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(1))
    done = services.finish(actor=clerk_a, window=hall.windows[1], now=at(4))
    assert (done.started_at, done.finished_at) == (at(1), at(4))


# --- evaluation ----------------------------------------------------------------------------


def finished(hall, clerk, window=1, **finish_fields) -> Ticket:
    code = "consultation" if window in (1, 2) else "mediation"
    ticket = take(hall, code, 0, phone=PHONE)
    services.call_next(actor=clerk, window=hall.windows[window], now=at(1))
    services.finish(actor=clerk, window=hall.windows[window], now=at(5), **finish_fields)
    return Ticket.objects.get(pk=ticket.pk)


def test_evaluation_is_recorded_once_for_the_window_and_staff(hall, clerk_a):
    ticket = finished(hall, clerk_a)
    evaluation = services.evaluation_submit(
        device=hall.evaluator, ticket_id=ticket.pk, overall=5, attitude=5, efficiency=4, comment="很耐心", now=at(6)
    )
    assert (evaluation.ticket, evaluation.window, evaluation.staff, evaluation.overall, evaluation.efficiency) == (
        ticket,
        hall.windows[1],
        clerk_a,
        5,
        4,
    )
    assert evaluation.recorded_on_work_order is False
    with pytest.raises(QueueConflict, match="已评价"):
        services.evaluation_submit(device=hall.evaluator, ticket_id=ticket.pk, overall=1, now=at(7))
    assert Evaluation.objects.get().overall == 5


def test_evaluation_refused_on_another_windows_device_or_late(hall, clerk_a):
    ticket = finished(hall, clerk_a, window=2)
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(device=hall.evaluator, ticket_id=ticket.pk, overall=5, now=at(6))
    evaluator_2 = Device.objects.create(
        site=hall.site, kind=Device.Kind.EVALUATOR, name="2号窗口评价器", window=hall.windows[2]
    )
    with pytest.raises(QueueConflict, match="30分钟"):
        services.evaluation_submit(device=evaluator_2, ticket_id=ticket.pk, overall=5, now=at(36))
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(device=hall.kiosk, ticket_id=ticket.pk, overall=5, now=at(6))
    assert not Evaluation.objects.exists()
    assert services.evaluation_submit(device=evaluator_2, ticket_id=ticket.pk, overall=4, now=at(34)).overall == 4


def test_evaluation_refuses_bad_levels_and_unfinished_tickets(hall, clerk_a):
    waiting = take(hall, minute=0)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=NOW)  # called, not finished
    with pytest.raises(QueueConflict):
        services.evaluation_submit(device=hall.evaluator, ticket_id=waiting.pk, overall=5, now=at(1))
    with pytest.raises(ValidationError) as caught:
        services.evaluation_submit(device=hall.evaluator, ticket_id=waiting.pk, overall=6, attitude="x", now=at(1))
    assert set(caught.value.message_dict) == {"overall", "attitude"}
    with pytest.raises(ValidationError) as caught:
        services.evaluation_submit(device=hall.evaluator, ticket_id=999999, overall=5, now=at(1))
    assert "ticket" in caught.value.message_dict
    assert not Evaluation.objects.exists()


def test_bad_rating_without_a_work_order_is_shown_to_the_director(hall, clerk_a):
    ticket = finished(hall, clerk_a)
    services.evaluation_submit(device=hall.evaluator, ticket_id=ticket.pk, overall=1, comment="态度差", now=at(6))
    day = datetime.date(2025, 6, 16)
    bad = selectors.bad_evaluations(hall.site, day_from=day, day_to=day)
    assert [e.ticket_id for e in bad] == [ticket.pk]
    assert selectors.hall_stats(hall.site, day_from=day, day_to=day)["bad_evaluations"] == bad


def test_rating_of_an_open_work_order_stays_on_the_evaluation(hall, clerk_a):
    ticket = finished(hall, clerk_a, description="咨询", applicant_name="王")
    evaluation = services.evaluation_submit(device=hall.evaluator, ticket_id=ticket.pk, overall=2, now=at(6))
    assert evaluation.work_order == ticket.work_order and evaluation.recorded_on_work_order is False
    order = WorkOrder.objects.get()
    assert order.satisfaction is None and not order.return_visits.exists()


def _resolve(order, actor):
    from open12348.workorders import services as workorders

    if order.assignee_id is None:
        order = workorders.workorder_transition(actor=actor, order=order, action="claim")
    order = workorders.workorder_transition(actor=actor, order=order, action="start")
    return workorders.workorder_transition(actor=actor, order=order, action="resolve", outcome_code="answered")


def test_rating_of_a_resolved_work_order_is_its_return_visit_and_bad_opens_a_follow_up(hall, clerk_a):
    ticket = finished(hall, clerk_a, description="咨询", applicant_name="王")
    _resolve(ticket.work_order, clerk_a)
    evaluation = services.evaluation_submit(device=hall.evaluator, ticket_id=ticket.pk, overall=2, now=at(6))
    order = WorkOrder.objects.get()
    assert evaluation.recorded_on_work_order is True
    assert order.satisfaction == 2 and order.return_visits.get().method == "evaluator"
    assert order.follow_ups.exists()


def test_rating_a_resolved_order_keeps_the_evaluation_and_its_audit_event(hall, clerk_a):
    ticket = finished(hall, clerk_a, description="咨询", applicant_name="王")
    _resolve(ticket.work_order, clerk_a)
    evaluation = services.evaluation_submit(device=hall.evaluator, ticket_id=ticket.pk, overall=5, now=at(6))
    assert Evaluation.objects.get().pk == evaluation.pk
    assert Event.objects.filter(verb="queue.evaluated", target_id=str(ticket.pk)).exists()


def test_resolved_on_site_the_order_is_resolved_and_the_evaluator_rating_is_its_return_visit(hall, clerk_a):
    ticket = finished(
        hall, clerk_a, description="咨询工资拖欠", applicant_name="王", resolve=True, reply="可申请劳动仲裁"
    )
    order = WorkOrder.objects.get()
    assert (ticket.work_order, order.status, order.outcome_code) == (order, "resolved", services.ON_SITE_OUTCOME)
    assert order.assignee == clerk_a and order.notes.get(is_public=True).body == "可申请劳动仲裁"
    evaluation = services.evaluation_submit(device=hall.evaluator, ticket_id=ticket.pk, overall=5, now=at(6))
    order.refresh_from_db()
    assert evaluation.recorded_on_work_order is True
    assert (order.status, order.satisfaction) == ("return_visit", 5)


def test_a_bad_rating_of_an_order_still_being_handled_opens_its_follow_up(hall, clerk_a):
    bad = finished(hall, clerk_a, description="申请法律援助", applicant_name="王")
    evaluation = services.evaluation_submit(device=hall.evaluator, ticket_id=bad.pk, overall=1, now=at(6))
    order = bad.work_order
    order.refresh_from_db()
    assert evaluation.recorded_on_work_order is False and order.status == "received" and order.satisfaction is None
    [follow_up] = order.follow_ups.all()
    assert "窗口评价器" in follow_up.reason and "非常不满意" in follow_up.reason
    assert follow_up.owner_org == order.handling_org and follow_up.return_visit is None


def test_a_good_rating_of_an_order_still_being_handled_needs_no_follow_up(hall, clerk_a):
    good = finished(hall, clerk_a, description="申请法律援助", applicant_name="王")
    services.evaluation_submit(device=hall.evaluator, ticket_id=good.pk, overall=4, now=at(6))
    assert not good.work_order.follow_ups.exists()


def test_resolving_on_site_needs_a_work_order_and_leaves_the_ticket_when_refused(hall, clerk_a):
    ticket = take(hall, "consultation", 0, phone=PHONE)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(1))
    with pytest.raises(ValidationError) as error:
        services.finish(actor=clerk_a, window=hall.windows[1], resolve=True, now=at(5))
    assert "description" in error.value.message_dict
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.CALLED and not WorkOrder.objects.exists()


# --- window sessions, devices, configuration -----------------------------------------------


def test_window_open_names_who_holds_it_and_moves_the_actor(hall, clerk_a, director_a):
    services.window_open(actor=clerk_a, window=hall.windows[1], now=NOW)
    with pytest.raises(QueueConflict, match="clerk_a"):
        services.window_open(actor=director_a, window=hall.windows[1], now=at(1))
    assert services.window_open(actor=clerk_a, window=hall.windows[1], now=at(1)).opened_at == NOW  # idempotent
    services.window_open(actor=clerk_a, window=hall.windows[2], now=at(2))
    open_sessions = WindowSession.objects.filter(closed_at__isnull=True)
    assert [s.window for s in open_sessions] == [hall.windows[2]]
    closed = services.window_close(actor=clerk_a, window=hall.windows[2], now=at(3))
    assert closed.closed_at == at(3)
    with pytest.raises(QueueConflict, match="无人上岗"):
        services.window_close(actor=clerk_a, window=hall.windows[2], now=at(4))
    assert Event.objects.filter(verb="queue.window_opened").count() == 2


def test_heartbeat_marks_the_device_online(hall):
    services.device_heartbeat(device=hall.kiosk, ip="10.0.0.5", now=NOW)
    kiosk = Device.objects.get(pk=hall.kiosk.pk)
    assert (kiosk.last_seen_at, kiosk.last_ip) == (NOW, "10.0.0.5")
    health = {row["id"]: row["online"] for row in selectors.device_health(hall.site, now=at(1))}
    assert health[hall.kiosk.pk] is True and health[hall.display.pk] is False
    assert {row["id"]: row["online"] for row in selectors.device_health(hall.site, now=at(2))}[hall.kiosk.pk] is False


def test_device_create_by_the_director_only(hall, director_a, clerk_a, outsider_b):
    device = services.device_create(
        actor=director_a, site=hall.site, kind=Device.Kind.LED, name="3号窗口LED", window=hall.windows[3]
    )
    assert device.key and device.window == hall.windows[3]
    with pytest.raises(ValidationError) as caught:
        services.device_create(actor=director_a, site=hall.site, kind=Device.Kind.EVALUATOR, name="")
    assert set(caught.value.message_dict) == {"name", "window"}
    for actor in (clerk_a, outsider_b):
        with pytest.raises(PermissionDenied):
            services.device_create(actor=actor, site=hall.site, kind=Device.Kind.KIOSK, name="取号机2")
    assert Device.objects.filter(site=hall.site).count() == 4


def test_queue_service_upsert_checks_prefix_and_item(hall, director_a, clerk_a):
    from open12348.workorders.tests.factories import service_item

    notary = service_item("notary", 15, name="公证")
    with pytest.raises(ValidationError) as caught:
        services.queue_service_upsert(actor=director_a, site=hall.site, service_item=notary, prefix="a", name="公证")
    assert set(caught.value.message_dict) == {"service_item", "prefix"}
    hall.site.services.add(notary)
    made = services.queue_service_upsert(actor=director_a, site=hall.site, service_item=notary, prefix="d", name="公证")
    assert (made.prefix, made.name) == ("D", "公证")
    changed = services.queue_service_upsert(
        actor=director_a, site=hall.site, service_item=notary, prefix="D", name="公证服务", is_active=False
    )
    assert changed.pk == made.pk and not changed.is_active
    with pytest.raises(PermissionDenied):
        services.queue_service_upsert(actor=clerk_a, site=hall.site, service_item=notary, prefix="E", name="x")
