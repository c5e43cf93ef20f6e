"""The pure rules: the legal clock (sla) and routing, without the database."""

import datetime

import pytest

from open12348.workorders import routing, sla
from open12348.workorders.models import TRANSITIONS, Status

D = datetime.date
BEIJING = sla.BEIJING
UTC = datetime.UTC

# 2026 as the State Council published it (国办发明电〔2025〕7号), written out by hand so
# these tests do not depend on the library that seeds the calendar.
HOLIDAYS_2026 = {D(2026, 2, d) for d in range(15, 24)} | {D(2026, 10, d) for d in range(1, 8)}
MAKE_UP_2026 = {D(2026, 2, 14), D(2026, 2, 28), D(2026, 9, 20), D(2026, 10, 10)}


def is_workday(day: D) -> bool:
    if day in MAKE_UP_2026:
        return True
    if day in HOLIDAYS_2026:
        return False
    return day.weekday() < 5


def weekdays_only(day: D) -> bool:
    return day.weekday() < 5


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BEIJING)


class TestDeadlines:
    def test_day_of_receipt_is_not_counted(self):
        assert sla.deadline_for(at(2026, 11, 16, 8, 0), 1, is_workday) == at(2026, 11, 17, 23, 59, 59)

    def test_deadline_is_end_of_day_in_shanghai_whatever_the_utc_date(self):
        # 15:30 UTC on the 16th is 23:30 on the 16th in Shanghai: receipt on Monday.
        monday_night = datetime.datetime(2026, 11, 16, 15, 30, tzinfo=UTC)
        assert sla.deadline_for(monday_night, 1, is_workday) == at(2026, 11, 17, 23, 59, 59)
        # 16:30 UTC on the 16th is 00:30 on the 17th in Shanghai: receipt on Tuesday.
        after_midnight = datetime.datetime(2026, 11, 16, 16, 30, tzinfo=UTC)
        assert sla.deadline_for(after_midnight, 1, is_workday) == at(2026, 11, 18, 23, 59, 59)

    def test_deadline_is_one_second_before_midnight(self):
        deadline = sla.deadline_for(at(2026, 11, 16, 9, 0), 1, is_workday)
        assert (deadline.hour, deadline.minute, deadline.second) == (23, 59, 59)
        assert deadline.utcoffset() == datetime.timedelta(hours=8)

    def test_national_day_week_is_skipped_and_the_make_up_saturday_counts(self):
        # Wed 30 Sep; 1–7 Oct off; Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13.
        assert sla.deadline_for(at(2026, 9, 30, 10, 0), 5, is_workday) == at(2026, 10, 13, 23, 59, 59)

    def test_make_up_sunday_before_national_day_is_a_working_day(self):
        assert sla.deadline_for(at(2026, 9, 18, 10, 0), 1, is_workday) == at(2026, 9, 20, 23, 59, 59)

    def test_spring_festival_is_skipped(self):
        # Fri 13 Feb; Sat 14 (make-up), 15–23 off, Tue 24, Wed 25.
        assert sla.deadline_for(at(2026, 2, 13, 16, 0), 3, is_workday) == at(2026, 2, 25, 23, 59, 59)

    def test_legal_aid_seven_working_days_across_spring_festival(self):
        # Thu 12 Feb; Fri 13, Sat 14, Tue 24, Wed 25, Thu 26, Fri 27, Sat 28 (make-up).
        assert sla.deadline_for(at(2026, 2, 12, 9, 0), 7, is_workday) == at(2026, 2, 28, 23, 59, 59)

    def test_without_a_calendar_weekdays_are_counted(self):
        assert sla.deadline_for(at(2026, 9, 30, 10, 0), 5, weekdays_only) == at(2026, 10, 7, 23, 59, 59)

    def test_a_december_order_reaches_into_january(self):
        assert sla.deadline_for(at(2026, 12, 30, 10, 0), 3, weekdays_only) == at(2027, 1, 4, 23, 59, 59)


class TestPauseAndResume:
    def test_the_working_days_left_are_counted_again_from_the_day_materials_arrive(self):
        deadline = sla.deadline_for(at(2026, 11, 16, 9, 0), 4, is_workday)  # Fri 20
        assert deadline == at(2026, 11, 20, 23, 59, 59)
        paused = at(2026, 11, 17, 10, 0)  # Tue: Wed, Thu, Fri were left
        resumed = at(2026, 11, 23, 15, 0)  # Mon
        assert sla.resumed_deadline(deadline, paused, resumed, is_workday) == at(2026, 11, 26, 23, 59, 59)

    def test_a_pause_over_national_day_adds_no_holidays(self):
        deadline = at(2026, 9, 30, 23, 59, 59)
        paused = at(2026, 9, 28, 9, 0)  # Tue 29 and Wed 30 were left
        resumed = at(2026, 10, 9, 9, 0)  # Fri 9: Sat 10 (make-up), Mon 12
        assert sla.resumed_deadline(deadline, paused, resumed, is_workday) == at(2026, 10, 12, 23, 59, 59)

    def test_paused_orders_are_never_overdue(self):
        assert sla.due_state(at(2026, 1, 1), at(2026, 3, 1), is_workday, paused=True) == "paused"


class TestDueState:
    def test_after_the_deadline_is_overdue(self):
        assert sla.due_state(at(2026, 11, 20, 23, 59, 59), at(2026, 11, 21, 0, 0), is_workday) == "overdue"

    def test_within_two_working_days_is_due_soon(self):
        assert sla.due_state(at(2026, 11, 20, 23, 59, 59), at(2026, 11, 18, 9, 0), is_workday) == "due_soon"

    def test_further_away_is_on_time(self):
        assert sla.due_state(at(2026, 11, 27, 23, 59, 59), at(2026, 11, 18, 9, 0), is_workday) == "on_time"

    def test_no_deadline_has_no_state(self):
        assert sla.due_state(None, at(2026, 11, 18), is_workday) == ""


def rule(id, target, *, item=None, category=None, complex_only=None, post="", priority=100, name=""):
    return routing.Rule(id, name or f"规则{id}", item, category, complex_only, target, post, priority)


class TestRouting:
    def test_no_rule_routes_to_the_area_itself(self):
        chosen = routing.route([], item="consultation", categories=("labor",), is_complex=False)
        assert (chosen.target_level, chosen.post_code, chosen.rule) == ("area", "", None)
        assert "属地" in chosen.reason

    def test_general_matters_stay_local_and_complex_ones_go_to_the_city(self):
        rules = [
            rule(1, "street", complex_only=False, name="一般事项属地办理"),
            rule(2, "city", complex_only=True, name="疑难复杂上交市级"),
        ]
        assert routing.route(rules, item="mediation", categories=(), is_complex=False).target_level == "street"
        complex_route = routing.route(rules, item="mediation", categories=(), is_complex=True)
        assert complex_route.target_level == "city"
        assert "疑难复杂上交市级" in complex_route.reason

    def test_the_most_specific_rule_wins_over_priority(self):
        rules = [
            rule(1, "district", priority=1),
            rule(2, "street", item="legal_aid", category="labor", post="legal_aid", priority=50),
            rule(3, "city", item="legal_aid", priority=10),
        ]
        chosen = routing.route(rules, item="legal_aid", categories=("labor",), is_complex=False)
        assert (chosen.rule.id, chosen.target_level, chosen.post_code) == (2, "street", "legal_aid")

    def test_priority_breaks_ties_between_equally_specific_rules(self):
        rules = [rule(1, "district", item="notary", priority=20), rule(2, "city", item="notary", priority=10)]
        assert routing.route(rules, item="notary", categories=(), is_complex=False).rule.id == 2

    def test_a_parent_category_matches_its_sub_categories(self):
        rules = [rule(1, "district", category="marriage_family")]
        chosen = routing.route(
            rules, item="consultation", categories=("inheritance", "marriage_family"), is_complex=False
        )
        assert chosen.rule.id == 1

    def test_a_rule_for_another_item_does_not_match(self):
        rules = [rule(1, "city", item="appraisal")]
        assert routing.route(rules, item="consultation", categories=(), is_complex=False).rule is None


class TestTransitionTable:
    def test_every_action_leads_to_a_known_status_from_known_statuses(self):
        for sources, target in TRANSITIONS.values():
            assert target in Status.values
            assert sources <= set(Status.values)

    def test_final_statuses_only_allow_reopening_a_closed_order(self):
        for action, (sources, _) in TRANSITIONS.items():
            for final in (Status.REFERRED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED):
                assert final not in sources, (action, final)
            if Status.CLOSED in sources:
                assert action == "reopen"


@pytest.mark.parametrize("received", [at(2026, 10, 1, 9, 0), at(2026, 10, 4, 9, 0)])
def test_an_order_received_on_a_holiday_counts_from_the_next_working_day(received):
    assert sla.deadline_for(received, 1, is_workday) == at(2026, 10, 8, 23, 59, 59)
