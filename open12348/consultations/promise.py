"""The answer-time promise (首次答复承诺), as pure functions of a working-day calendar: a
question gets its first answer within N working hours, counted only inside the service hours
of working days, Beijing time. A question asked at 17:00 on a Friday with 5 hours and service
hours 09:00–12:00, 13:30–17:30 is due on Monday at 15:00. No ORM: the calendar is a callable
(`open12348.core.workdays.is_workday` when none is given)."""

import datetime
import zoneinfo
from collections.abc import Callable, Sequence

from django.utils.translation import gettext

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
IsWorkday = Callable[[datetime.date], bool]
Window = tuple[tuple[int, int], tuple[int, int]]  # ((start hour, minute), (end hour, minute))
DEFAULT_SERVICE_HOURS: tuple[Window, ...] = (((9, 0), (12, 0)), ((13, 30), (17, 30)))
MAX_DAYS = 400  # a calendar with no working day in this span is a configuration error


def parse_service_hours(text: str) -> tuple[Window, ...]:
    """ "09:00-12:00,13:30-17:30" → (((9, 0), (12, 0)), ((13, 30), (17, 30))). Windows are
    sorted; a malformed, empty or overlapping list raises ValueError."""
    windows = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            start, end = (piece.strip() for piece in part.split("-"))
            start_h, start_m = (int(x) for x in start.split(":"))
            end_h, end_m = (int(x) for x in end.split(":"))
        except ValueError:
            raise ValueError(f"service hours: cannot read {part!r} (expected HH:MM-HH:MM)") from None
        if not (0 <= start_h <= 23 and 0 <= start_m <= 59 and 0 <= end_h <= 24 and 0 <= end_m <= 59):
            raise ValueError(f"service hours: {part!r} is not a time of day")
        if (end_h, end_m) <= (start_h, start_m) or (end_h, end_m) > (24, 0):
            raise ValueError(f"service hours: {part!r} ends before it starts")
        windows.append(((start_h, start_m), (end_h, end_m)))
    if not windows:
        raise ValueError("service hours: none given")
    windows.sort()
    for before, after in zip(windows, windows[1:], strict=False):
        if after[0] < before[1]:
            raise ValueError("service hours: windows overlap")
    return tuple(windows)


def _calendar(is_workday: IsWorkday | None) -> IsWorkday:
    if is_workday is not None:
        return is_workday
    from open12348.core.workdays import is_workday as published

    return published


def _at(day: datetime.date, hour_minute: tuple[int, int]) -> datetime.datetime:
    hour, minute = hour_minute
    if hour == 24:
        return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=BEIJING)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BEIJING)


def _windows_from(moment: datetime.datetime, service_hours: Sequence[Window], is_workday: IsWorkday):
    """The service windows (start, end) of working days from `moment` on, the first one
    clipped to start at `moment`."""
    local = moment.astimezone(BEIJING)
    day = local.date()
    for _ in range(MAX_DAYS):
        if is_workday(day):
            for start, end in service_hours:
                opens, closes = _at(day, start), _at(day, end)
                if closes <= local:
                    continue
                yield max(opens, local), closes
        day += datetime.timedelta(days=1)
    raise ValueError(f"no working day within {MAX_DAYS} days of {local:%Y-%m-%d}")


def answer_due(
    received_at: datetime.datetime,
    *,
    hours: float = 5,
    service_hours: Sequence[Window] = DEFAULT_SERVICE_HOURS,
    is_workday: IsWorkday | None = None,
) -> datetime.datetime:
    """The moment `hours` working hours after `received_at` (Beijing time)."""
    calendar = _calendar(is_workday)
    remaining = datetime.timedelta(hours=hours)
    if remaining <= datetime.timedelta(0):
        return received_at.astimezone(BEIJING)
    for opens, closes in _windows_from(received_at, service_hours, calendar):
        available = closes - opens
        if remaining <= available:
            return opens + remaining
        remaining -= available
    raise AssertionError("unreachable")  # _windows_from raises first


def in_service_hours(
    now: datetime.datetime, *, service_hours: Sequence[Window] = DEFAULT_SERVICE_HOURS, is_workday=None
) -> bool:
    """Whether `now` falls inside the service hours of a working day."""
    local = now.astimezone(BEIJING)
    if not _calendar(is_workday)(local.date()):
        return False
    return any(_at(local.date(), start) <= local < _at(local.date(), end) for start, end in service_hours)


def next_service_start(
    now: datetime.datetime, *, service_hours: Sequence[Window] = DEFAULT_SERVICE_HOURS, is_workday=None
) -> datetime.datetime:
    """`now` itself inside the service hours, else when they next begin."""
    opens, _closes = next(_windows_from(now, service_hours, _calendar(is_workday)))
    return opens


def format_moment(moment: datetime.datetime) -> str:
    """ "11月24日 9:00" — Beijing time, as the promise is told to citizens."""
    local = moment.astimezone(BEIJING)
    return gettext("{month}月{day}日 {hour}:{minute}").format(
        month=local.month, day=local.day, hour=local.hour, minute=f"{local.minute:02d}"
    )
