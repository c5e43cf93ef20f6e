import datetime

import pytest
from django.core.management import call_command

from open12348.core import workdays
from open12348.core.models import CalendarDay, CalendarYear
from open12348.workorders.tests.factories import loaded_calendar  # noqa: F401  (fixture)

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.mark.usefixtures("loaded_calendar")
class TestPublishedCalendar:
    @pytest.mark.parametrize("day", [D(2026, 10, d) for d in range(1, 8)])
    def test_national_day_week_is_a_holiday(self, day):
        assert workdays.is_workday(day) is False

    @pytest.mark.parametrize("day", [D(2026, 9, 20), D(2026, 10, 10)])
    def test_national_day_make_up_weekend_days_are_working_days(self, day):
        assert day.weekday() >= 5
        assert workdays.is_workday(day) is True

    @pytest.mark.parametrize("day", [D(2026, 2, d) for d in range(16, 21)] + [D(2026, 2, 23)])
    def test_spring_festival_weekdays_are_holidays(self, day):
        assert day.weekday() < 5
        assert workdays.is_workday(day) is False

    @pytest.mark.parametrize("day", [D(2026, 2, 14), D(2026, 2, 28)])
    def test_spring_festival_make_up_saturdays_are_working_days(self, day):
        assert workdays.is_workday(day) is True

    def test_ordinary_days_follow_the_week(self):
        assert workdays.is_workday(D(2026, 11, 20)) is True  # Friday
        assert workdays.is_workday(D(2026, 11, 21)) is False  # Saturday

    def test_only_exceptions_are_stored(self):
        assert not CalendarDay.objects.filter(date=D(2026, 11, 21)).exists()
        assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"
        assert CalendarDay.objects.get(date=D(2026, 9, 20)).name == "国庆节调休上班"

    def test_loading_again_changes_nothing(self):
        before = CalendarDay.objects.count()
        assert workdays.calendar_load()["loaded"] == []
        assert CalendarDay.objects.count() == before

    def test_loading_keeps_an_administrators_correction(self):
        CalendarDay.objects.create(date=D(2026, 10, 8), is_workday=False, name="国庆节")  # a Thursday
        workdays.calendar_load()
        assert workdays.is_workday(D(2026, 10, 8)) is False

    def test_replacing_reloads_the_library_schedule(self):
        CalendarDay.objects.create(date=D(2026, 10, 8), is_workday=False, name="国庆节")
        workdays.calendar_load(replace=True)
        assert workdays.is_workday(D(2026, 10, 8)) is True

    def test_every_year_the_library_knows_is_published(self):
        assert workdays.missing_years(range(2004, 2027)) == []


def test_a_2027_date_counts_as_a_plain_weekday_when_unpublished():
    assert workdays.is_workday(D(2027, 1, 1)) is True  # a Friday; 元旦 unknown until published
    assert workdays.is_workday(D(2027, 1, 2)) is False
    assert workdays.missing_years([2026, 2027]) == [2026, 2027]


def test_an_edit_in_the_admin_takes_effect_at_once():
    day = D(2027, 1, 1)
    assert workdays.is_workday(day) is True
    CalendarYear.objects.create(year=2027, note="国务院办公厅通知")
    CalendarDay.objects.create(date=day, is_workday=False, name="元旦")
    assert workdays.is_workday(day) is False
    CalendarDay.objects.filter(date=day).delete()
    assert workdays.is_workday(day) is True
    assert workdays.missing_years([2027, 2028]) == [2028]


def test_loadcalendar_command_is_idempotent(capsys):
    call_command("loadcalendar")
    first = CalendarDay.objects.count()
    call_command("loadcalendar")
    assert CalendarDay.objects.count() == first > 0
    assert "2026" in capsys.readouterr().out


def test_healthz_warns_about_years_without_a_calendar(client, settings):
    from django.utils import timezone

    year = timezone.localdate().year
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["calendar"]["missing_years"] == [year, year + 1]
    CalendarYear.objects.create(year=year)
    assert client.get("/healthz").json()["calendar"]["missing_years"] == [year + 1]
