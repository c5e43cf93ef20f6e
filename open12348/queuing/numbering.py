"""Pure rules of the hall (no ORM): ticket numbers, the Beijing day, the green channel by
age, the wait estimate and the percentiles of the statistics."""

import datetime
import math
import zoneinfo
from collections.abc import Sequence

from django.utils.translation import gettext as _

from open12348.core import pii

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
ELDERLY_AGE = 70
DEFAULT_SERVICE_MINUTES = 10.0
SATISFIED_MIN = 3  # 基本满意 and better count as satisfied (满意率含基本满意)
BAD_RATING_MAX = 2  # 不满意, 非常不满意


def format_number(prefix: str, seq: int) -> str:
    """A012: the letter and at least three digits (A1000 after A999)."""
    return f"{prefix}{seq:03d}"


def beijing_day(moment: datetime.datetime) -> datetime.date:
    """The Beijing calendar date of an aware datetime: a day starts at Beijing midnight."""
    return moment.astimezone(BEIJING).date()


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Full years of age on `day` (a 29 February birthday counts on 1 March)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def is_elderly(resident_id: str, day: datetime.date) -> bool:
    """70 or older on `day` by the birth date in the (validated) resident ID."""
    if not resident_id:
        return False
    try:
        birth = pii.birth_date_of(resident_id)
    except Exception:  # an unvalidated number: no green channel from it
        return False
    return age_on(birth, day) >= ELDERLY_AGE


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (share 0.9 → p90): the smallest value that at least `share`
    of the values do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


def p90(values: Sequence[float]) -> float | None:
    return percentile(values, 0.9)


def average(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def estimate_wait(service_minutes: float | None, ahead: int, open_windows: int) -> int:
    """Minutes until one's turn: the people ahead share the open windows, each taking the
    typical service time. No window open counts as one (someone will open)."""
    if ahead <= 0:
        return 0
    minutes = service_minutes if service_minutes and service_minutes > 0 else DEFAULT_SERVICE_MINUTES
    return math.ceil(minutes * ahead / max(open_windows, 1))


def call_text(number: str, window_number: int) -> str:
    # Shown and spoken on the displays; stored in the QueueEvent payload, so a plain str.
    return _("请 {number} 号到 {window_number} 号窗口办理").format(number=number, window_number=window_number)


def reminder_text(number: str, ahead: int) -> str:
    return _("您的排队号 {number} 前面还有 {ahead} 人，请回到大厅等候叫号。").format(number=number, ahead=ahead)


def satisfaction_rate(ratings: Sequence[int]) -> float | None:
    """Share of ratings that are 基本满意 or better, rounded to 3 places; None without ratings."""
    if not ratings:
        return None
    return round(sum(1 for rating in ratings if rating >= SATISFIED_MIN) / len(ratings), 3)


def minutes_between(start: datetime.datetime | None, end: datetime.datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 60
