"""The legal clock, as pure functions of a working-day calendar (no ORM).

期间开始之日不计算在内: the day of receipt is not counted; a time limit of N working days
ends at 23:59:59 Asia/Shanghai of the N-th working day after the day of receipt. The clock
stops while the applicant owes materials and restarts, with the working days that were left,
the day they arrive."""

import datetime
import zoneinfo
from collections.abc import Callable

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
IsWorkday = Callable[[datetime.date], bool]
DUE_SOON_WORKING_DAYS = 2


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(BEIJING).date()


def end_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=BEIJING)


def add_working_days(start: datetime.date, count: int, is_workday: IsWorkday) -> datetime.date:
    """The `count`-th working day after `start` (start itself not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date, is_workday: IsWorkday) -> int:
    """Working days in (start, end]: how many working days `end` lies after `start`."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def deadline_for(received_at: datetime.datetime, working_days: int, is_workday: IsWorkday) -> datetime.datetime:
    return end_of_day(add_working_days(local_date(received_at), working_days, is_workday))


def resumed_deadline(
    deadline: datetime.datetime, paused_at: datetime.datetime, resumed_at: datetime.datetime, is_workday: IsWorkday
) -> datetime.datetime:
    """The deadline after a pause: the working days that were left when the clock stopped
    are counted again from the day the materials arrived."""
    left = working_days_between(local_date(paused_at), local_date(deadline), is_workday)
    return end_of_day(add_working_days(local_date(resumed_at), left, is_workday))


def due_state(
    deadline: datetime.datetime | None, now: datetime.datetime, is_workday: IsWorkday, *, paused: bool = False
) -> str:
    """ "overdue", "due_soon", "on_time", "paused" or "" (no deadline) — derived at read time."""
    if deadline is None:
        return ""
    if paused:
        return "paused"
    if now > deadline:
        return "overdue"
    if working_days_between(local_date(now), local_date(deadline), is_workday) <= DUE_SOON_WORKING_DAYS:
        return "due_soon"
    return "on_time"
