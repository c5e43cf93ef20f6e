"""Reads of the hall: scoping, the board snapshot (cheap), the window console, statistics."""

import datetime

import pytest

from open12348.accounts.models import StaffProfile
from open12348.accounts.tests.factories import make_staff
from open12348.orgs.tests.factories import SiteFactory
from open12348.queuing import selectors, services
from open12348.queuing.models import Device, Evaluation, QueueEvent, Ticket
from open12348.queuing.tests.factories import make_hall
from open12348.queuing.tests.test_services import NOW, PHONE, YOUNG_ID, at, take
from open12348.workorders.tests.factories import make_order

DAY = datetime.date(2025, 6, 16)


def test_beijing_today_turns_at_beijing_midnight():
    utc = datetime.UTC
    assert selectors.beijing_today(datetime.datetime(2025, 6, 16, 16, 30, tzinfo=utc)) == datetime.date(2025, 6, 17)
    assert selectors.beijing_today(datetime.datetime(2025, 6, 16, 15, 30, tzinfo=utc)) == DAY


def test_clerk_operates_the_windows_of_their_own_site_only(hall, clerk_a, town_a2):
    other = make_hall(SiteFactory(org=town_a2, name="沙溪镇工作站"))
    assert set(selectors.operable_windows(clerk_a)) == set(hall.windows.values())
    assert selectors.can_operate(clerk_a, hall.windows[1])
    assert not selectors.can_operate(clerk_a, other.windows[1])


def test_director_operates_every_window_in_the_area(hall, director_a, town_a2, outsider_b):
    other = make_hall(SiteFactory(org=town_a2, name="沙溪镇工作站"))
    assert set(selectors.operable_windows(director_a)) == {*hall.windows.values(), *other.windows.values()}
    assert set(selectors.managed_sites(director_a)) == {hall.site, other.site}
    assert not selectors.operable_windows(outsider_b).exists()
    assert not selectors.managed_sites(outsider_b).exists()


def test_clerk_without_site_citizen_and_anonymous_operate_nothing(hall, clerk_a2, citizen, lawyer_a):
    from django.contrib.auth.models import AnonymousUser

    for user in (clerk_a2, citizen, lawyer_a, AnonymousUser()):
        assert not selectors.operable_windows(user).exists()
        assert not selectors.managed_sites(user).exists()
    assert not selectors.managed_sites(make_staff("plain_clerk", hall.site.org, "window_clerk")).exists()


def test_an_inactive_site_has_no_operable_window(hall, clerk_a):
    hall.site.is_active = False
    hall.site.save()
    assert not selectors.operable_windows(clerk_a).exists()


def _busy_hall(hall, clerk_a, director_a):
    services.window_open(actor=clerk_a, window=hall.windows[1], now=NOW)
    services.window_open(actor=director_a, window=hall.windows[2], now=NOW)
    for minute in range(4):
        take(hall, "consultation", minute)
    take(hall, "legal_aid", 5)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(10))
    services.call_next(actor=director_a, window=hall.windows[2], now=at(11))


def test_board_snapshot_shows_windows_calls_waiting_and_staff(hall, clerk_a, director_a, settings):
    settings.QUEUE_BOARD_ALERTS = ["警惕以“高额返利”为名的非法集资。"] * 7
    StaffProfile.objects.filter(user=clerk_a).update(title="窗口负责人", specialty="劳动争议")
    _busy_hall(hall, clerk_a, director_a)
    board = selectors.board_snapshot(hall.site, now=at(12))
    assert board["site"] == {"id": hall.site.pk, "name": hall.site.name}
    assert board["day"] == "2025-06-16"
    assert board["last_event_id"] == QueueEvent.objects.latest("id").pk
    windows = {row["number"]: row for row in board["windows"]}
    assert (windows[1]["current"], windows[1]["status"], windows[1]["staff"]) == ("B001", "called", "clerk_a")
    # Window 2 handles 法律援助 and 法律咨询: B002 was taken before A001.
    assert (windows[2]["current"], windows[3]["current"], windows[3]["staff"]) == ("B002", None, None)
    assert [(c["number"], c["window_number"]) for c in board["recent_calls"]] == [("B002", 2), ("B001", 1)]
    waiting = {row["prefix"]: row for row in board["waiting"]}
    assert (waiting["B"]["code"], waiting["B"]["waiting"]) == ("consultation", 2)
    assert waiting["B"]["estimated_wait_minutes"] == 10  # 10 min default × 2 / 2 open windows
    assert waiting["A"]["estimated_wait_minutes"] == 10  # × 1 / 1 (only window 2 handles it)
    assert (waiting["A"]["waiting"], waiting["C"]["waiting"]) == (1, 0)
    assert len(board["alerts"]) == 5
    assert board["figures"] == {"month_served": 0, "month_satisfaction_rate": None}
    staff = board["staff_on_duty"][0]
    assert (staff["name"], staff["title"], staff["specialty"], staff["photo_url"], staff["window_number"]) == (
        "clerk_a",
        "窗口负责人",
        "劳动争议",
        None,
        1,
    )


def test_board_alerts_are_the_configured_ones_and_none_when_emptied(hall, settings):
    from django.conf import settings as configured

    assert selectors.board_snapshot(hall.site, now=NOW)["alerts"] == configured.QUEUE_BOARD_ALERTS[:5]
    settings.QUEUE_BOARD_ALERTS = []
    assert selectors.board_snapshot(hall.site, now=NOW)["alerts"] == []


def test_board_snapshot_is_cheap(hall, clerk_a, director_a, django_assert_max_num_queries):
    _busy_hall(hall, clerk_a, director_a)
    with django_assert_max_num_queries(10):
        selectors.board_snapshot(hall.site, now=at(12))


def test_month_figures_count_done_tickets_and_satisfaction(hall, clerk_a):
    for minute, rating in ((0, 5), (10, 2)):
        ticket = take(hall, minute=minute)
        services.call_next(actor=clerk_a, window=hall.windows[1], now=at(minute + 1))
        services.finish(actor=clerk_a, window=hall.windows[1], now=at(minute + 2))
        services.evaluation_submit(device=hall.evaluator, ticket_id=ticket.pk, overall=rating, now=at(minute + 3))
    figures = selectors.month_figures(hall.site, now=at(30))
    assert figures == {"month_served": 2, "month_satisfaction_rate": 0.5}
    next_month = datetime.datetime(2025, 7, 1, 9, 0, tzinfo=NOW.tzinfo)
    assert selectors.month_figures(hall.site, now=next_month) == {"month_served": 0, "month_satisfaction_rate": None}


def test_events_after_returns_later_events_of_the_site_oldest_first(hall, clerk_a, town_a2):
    other = make_hall(SiteFactory(org=town_a2, name="沙溪镇工作站"))
    take(hall, minute=0)
    services.ticket_issue(site=other.site, service_code="consultation", now=NOW)
    first = QueueEvent.objects.filter(site=hall.site).latest("id")
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(1))
    events = selectors.events_after(hall.site.pk, first.pk)
    assert [e.kind for e in events] == [QueueEvent.Kind.CALL]
    assert len(selectors.events_after(hall.site.pk, 0)) == 2
    assert selectors.events_after(hall.site.pk, 0, limit=1)[0].pk == first.pk


def test_people_ahead_counts_the_same_queue_in_serving_order(hall):
    first = take(hall, "consultation", 0)
    take(hall, "legal_aid", 1)
    green = take(hall, "consultation", 2, green_reason="disabled")
    last = take(hall, "consultation", 3)
    assert [selectors.people_ahead(t) for t in (first, green, last)] == [1, 0, 2]


def test_people_ahead_of_tickets_taken_in_the_same_instant_follow_the_number(hall, clerk_a):
    same = [take(hall, "consultation", 5) for _ in range(3)]
    assert [selectors.people_ahead(t) for t in same] == [0, 1, 2]
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(6))
    assert [selectors.people_ahead(Ticket.objects.get(pk=t.pk)) for t in same] == [0, 0, 1]


def test_window_console_shows_the_current_ticket_and_the_persons_earlier_orders(hall, clerk_a, town_a):
    from open12348.workorders import services as workorders

    old = make_order(actor=clerk_a, area=town_a, applicant_phone=PHONE, applicant_resident_id=YOUNG_ID)
    closed = make_order(actor=clerk_a, area=town_a, applicant_phone=PHONE)
    closed = workorders.workorder_transition(actor=clerk_a, order=closed, action="withdraw", reason="群众撤回")
    take(hall, minute=0, resident_id=YOUNG_ID, phone=PHONE)
    take(hall, "mediation", 1)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(2))
    console = selectors.window_console(hall.windows[1], now=at(3), viewer=clerk_a)
    assert console["current"].number == "B001"
    assert [o.pk for o in console["earlier_orders"]] == [old.pk, closed.pk]  # open first
    assert {row["prefix"]: row["waiting"] for row in console["waiting"]} == {"B": 0, "C": 1}
    assert console["waiting_total"] == 1 and console["served_today"] == 0 and console["parked"] == []


def test_earlier_orders_are_scoped_to_the_viewer(hall, clerk_a, outsider_b, town_b):
    make_order(actor=outsider_b, area=town_b, applicant_phone=PHONE)
    ticket = take(hall, minute=0, phone=PHONE)
    assert selectors.earlier_orders(ticket, viewer=clerk_a) == []
    assert len(selectors.earlier_orders(ticket)) == 1


def test_evaluation_pending_is_the_latest_unrated_finish_of_the_window(hall, clerk_a):
    ticket = take(hall, minute=0)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(1))
    assert selectors.evaluation_pending(hall.evaluator, now=at(2)) is None
    services.finish(actor=clerk_a, window=hall.windows[1], now=at(3))
    assert selectors.evaluation_pending(hall.evaluator, now=at(4)) == ticket
    assert selectors.evaluation_pending(hall.kiosk, now=at(4)) is None
    assert selectors.evaluation_pending(hall.evaluator, now=at(40)) is None
    services.evaluation_submit(device=hall.evaluator, ticket_id=ticket.pk, overall=5, now=at(5))
    assert selectors.evaluation_pending(hall.evaluator, now=at(6)) is None


def test_hall_stats_per_day_window_and_service(hall, clerk_a, director_a):
    # B001: waits 10, served 5 (rated 4); B002: no-show; A001: waits 20, served 15 (rated 1).
    b1, _b2 = take(hall, minute=0), take(hall, minute=1)
    a1 = take(hall, "legal_aid", 2)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(10))
    services.start(actor=clerk_a, window=hall.windows[1], now=at(10))
    services.finish(actor=clerk_a, window=hall.windows[1], now=at(15))
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(16))
    services.skip(actor=clerk_a, window=hall.windows[1], now=at(17))
    services.call_next(actor=director_a, window=hall.windows[2], now=at(22))
    services.start(actor=director_a, window=hall.windows[2], now=at(22))
    services.finish(actor=director_a, window=hall.windows[2], now=at(37))
    Ticket.objects.filter(pk=b1.pk).update(created_at=at(0))
    Ticket.objects.filter(pk=a1.pk).update(created_at=at(2))
    Ticket.objects.filter(pk=_b2.pk).update(created_at=at(1))
    Evaluation.objects.create(ticket=b1, window=hall.windows[1], staff=clerk_a, overall=4)
    Evaluation.objects.create(ticket=a1, window=hall.windows[2], staff=director_a, overall=1)
    stats = selectors.hall_stats(hall.site, day_from=DAY, day_to=DAY)
    totals = stats["totals"]
    assert (totals["tickets"], totals["served"], totals["no_shows"], totals["evaluations"]) == (3, 2, 1, 2)
    assert totals["avg_wait_minutes"] == 15.0 and totals["p90_wait_minutes"] == 20.0
    assert totals["avg_service_minutes"] == 10.0 and totals["p90_service_minutes"] == 15.0
    assert totals["satisfaction_rate"] == 0.5
    assert [row["day"] for row in stats["days"]] == [DAY]
    windows = {row["number"]: row for row in stats["windows"]}
    assert (windows[1]["served"], windows[1]["no_shows"], windows[2]["served"], windows[3]["tickets"]) == (1, 1, 1, 0)
    services_ = {row["prefix"]: row for row in stats["services"]}
    assert (services_["A"]["avg_service_minutes"], services_["B"]["avg_wait_minutes"]) == (15.0, 12.5)
    assert [e.ticket_id for e in stats["bad_evaluations"]] == [a1.pk]
    assert (
        selectors.hall_stats(
            hall.site, day_from=DAY + datetime.timedelta(days=1), day_to=DAY + datetime.timedelta(days=1)
        )["totals"]["tickets"]
        == 0
    )


def test_led_text_and_active_services(hall, clerk_a):
    assert selectors.led_text(hall.windows[1], now=NOW) == "1号窗口 暂停服务"
    take(hall, minute=0)
    services.call_next(actor=clerk_a, window=hall.windows[1], now=at(1))
    assert selectors.led_text(hall.windows[1], now=at(2)) == "1号窗口 B001"
    hall.services["C"].is_active = False
    hall.services["C"].save()
    assert [s.prefix for s in selectors.active_services(hall.site)] == ["A", "B"]


def test_ticket_by_follow_code(hall):
    ticket = take(hall, minute=0)
    assert selectors.ticket_by_follow_code(ticket.follow_code) == ticket
    assert selectors.ticket_by_follow_code("") is None and selectors.ticket_by_follow_code("nope") is None


def test_device_health_lists_every_device(hall):
    rows = selectors.device_health(hall.site, now=NOW)
    assert {row["kind"] for row in rows} == {Device.Kind.KIOSK, Device.Kind.DISPLAY, Device.Kind.EVALUATOR}
    assert all(row["online"] is False for row in rows)
    assert next(row for row in rows if row["kind"] == "evaluator")["window_number"] == 1


@pytest.mark.parametrize("minutes", [0])
def test_estimated_wait_is_zero_with_nobody_ahead(hall, minutes):
    assert selectors.estimated_wait_minutes(hall.services["A"], minutes, now=NOW) == 0


def test_a_cached_wait_estimate_follows_a_window_opening_at_once(hall, clerk_a, director_a, settings):
    from open12348.core import refcache

    settings.REFERENCE_CACHE_SECONDS = 30
    refcache.clear()
    for _ in range(4):
        take(hall, "consultation", 0)
    services.window_open(actor=clerk_a, window=hall.windows[1], now=NOW)
    one_window = selectors.estimated_wait_minutes(hall.services["B"], 4, now=NOW)
    services.window_open(actor=director_a, window=hall.windows[2], now=NOW)  # also handles 法律咨询
    two_windows = selectors.estimated_wait_minutes(hall.services["B"], 4, now=NOW)
    refcache.clear()
    assert (one_window, two_windows) == (40, 20)  # 10 min default × 4 ahead / open windows
