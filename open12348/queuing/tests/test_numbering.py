"""Pure rules of the hall: numbers, the Beijing day, the green channel by age, estimates."""

import datetime

import pytest
from stdnum.cn import ric

from open12348.queuing import numbering

UTC = datetime.UTC


def resident_id(birth: datetime.date, region: str = "320585", order: str = "123") -> str:
    """A valid 18-digit number born on `birth` (check digit computed)."""
    body = f"{region}{birth:%Y%m%d}{order}"
    return body + ric.calc_check_digit(body + "0")  # stdnum reads the first 17 of 18 digits


def test_numbers_have_three_digits_at_least():
    assert numbering.format_number("A", 1) == "A001"
    assert numbering.format_number("B", 12) == "B012"
    assert numbering.format_number("C", 1000) == "C1000"


def test_the_day_turns_at_beijing_midnight_not_utc():
    # 15:59 UTC is 23:59 in Beijing; 16:01 UTC is 00:01 the next day.
    assert numbering.beijing_day(datetime.datetime(2025, 3, 1, 15, 59, tzinfo=UTC)) == datetime.date(2025, 3, 1)
    assert numbering.beijing_day(datetime.datetime(2025, 3, 1, 16, 1, tzinfo=UTC)) == datetime.date(2025, 3, 2)


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (datetime.date(1955, 6, 15), datetime.date(2025, 6, 14), 69),
        (datetime.date(1955, 6, 15), datetime.date(2025, 6, 15), 70),
        (datetime.date(1956, 2, 29), datetime.date(2026, 2, 28), 69),
        (datetime.date(1956, 2, 29), datetime.date(2026, 3, 1), 70),
    ],
)
def test_age_counts_full_years(birth, day, age):
    assert numbering.age_on(birth, day) == age


def test_elderly_from_the_birth_date_of_the_resident_id():
    day = datetime.date(2025, 6, 15)
    assert numbering.is_elderly(resident_id(datetime.date(1955, 6, 15)), day)
    assert not numbering.is_elderly(resident_id(datetime.date(1955, 6, 16)), day)
    assert not numbering.is_elderly("", day)
    assert not numbering.is_elderly("not-a-number", day)


def test_wait_estimate_shares_the_people_ahead_among_open_windows():
    assert numbering.estimate_wait(10, 3, 1) == 30
    assert numbering.estimate_wait(10, 3, 2) == 15
    assert numbering.estimate_wait(7, 1, 2) == 4  # rounded up
    assert numbering.estimate_wait(None, 2, 1) == 20  # default 10 minutes
    assert numbering.estimate_wait(10, 2, 0) == 20  # no window open counts as one
    assert numbering.estimate_wait(10, 0, 1) == 0


def test_median_and_p90():
    assert numbering.median([]) is None
    assert numbering.median([5, 1, 3]) == 3
    assert numbering.median([1, 2, 3, 4]) == 2.5
    assert numbering.p90(list(range(1, 11))) == 9
    assert numbering.p90([4]) == 4
    assert numbering.p90([]) is None


def test_texts_in_chinese():
    assert numbering.call_text("A012", 3) == "请 A012 号到 3 号窗口办理"
    assert numbering.reminder_text("B012", 3) == "您的排队号 B012 前面还有 3 人，请回到大厅等候叫号。"


def test_satisfaction_rate_counts_basic_satisfaction_and_better():
    assert numbering.satisfaction_rate([]) is None
    assert numbering.satisfaction_rate([5, 4, 3, 2]) == 0.75
    assert numbering.satisfaction_rate([1]) == 0.0


def test_minutes_between_ignores_missing_and_reversed_times():
    start = datetime.datetime(2025, 3, 1, 1, 0, tzinfo=UTC)
    assert numbering.minutes_between(start, start + datetime.timedelta(minutes=90)) == 90
    assert numbering.minutes_between(None, start) is None
    assert numbering.minutes_between(start, start - datetime.timedelta(minutes=1)) is None
