"""The working-day calendar as data (CalendarYear, CalendarDay), seeded from
chinese-calendar and editable by administrators. `is_workday` is what `workorders.sla`
counts with: an exception row if there is one, else Monday–Friday. A year with no data is
counted as plain weekdays (a warning in /healthz and the admin, never an error).

Each process keeps one year's exceptions in memory. Saving or deleting a row clears that
memory here and bumps a shared version in the cache (Redis when configured), which other
processes notice within VERSION_CHECK_SECONDS."""

import datetime
import threading
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.core.models import CalendarDay, CalendarYear

VERSION_KEY = "workdays:version"
VERSION_CHECK_SECONDS = 30.0

HOLIDAY_NAMES = {
    "New Year's Day": _("元旦"),
    "Spring Festival": _("春节"),
    "Tomb-sweeping Day": _("清明节"),
    "Labour Day": _("劳动节"),
    "Dragon Boat Festival": _("端午节"),
    "National Day": _("国庆节"),
    "Mid-autumn Festival": _("中秋节"),
    "Anti-Fascist 70th Day": _("中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"),
}

_lock = threading.Lock()
_years: dict[int, dict[datetime.date, bool]] = {}
_state = {"version": None, "checked": 0.0}


def clear_cache() -> None:
    with _lock:
        _years.clear()
        _state["checked"] = 0.0


def _invalidate(**kwargs) -> None:
    clear_cache()
    try:
        cache.set(VERSION_KEY, time.time_ns(), None)
    except Exception:  # noqa: S110 — a cache outage must not break a calendar edit
        pass


for _model in (CalendarDay, CalendarYear):
    post_save.connect(_invalidate, sender=_model, dispatch_uid=f"workdays-save-{_model.__name__}")
    post_delete.connect(_invalidate, sender=_model, dispatch_uid=f"workdays-delete-{_model.__name__}")


def _check_shared_version() -> None:
    now = time.monotonic()
    if now - _state["checked"] < VERSION_CHECK_SECONDS:
        return
    try:
        version = cache.get(VERSION_KEY)
    except Exception:
        version = _state["version"]
    with _lock:
        if version != _state["version"]:
            _years.clear()
            _state["version"] = version
        _state["checked"] = now


def _exceptions(year: int) -> dict[datetime.date, bool]:
    _check_shared_version()
    found = _years.get(year)
    if found is None:
        found = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
        with _lock:
            _years[year] = found
    return found


def is_workday(day: datetime.date) -> bool:
    """A working day by the published calendar; Monday–Friday where nothing is published."""
    exception = _exceptions(day.year).get(day)
    if exception is not None:
        return exception
    return day.weekday() < 5


def missing_years(years: Iterable[int]) -> list[int]:
    """Of `years`, those with no published calendar (counted as plain weekdays)."""
    wanted = sorted(set(years))
    published = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [year for year in wanted if year not in published]


def library_years() -> list[int]:
    import chinese_calendar

    return sorted({day.year for day in chinese_calendar.holidays} | {day.year for day in chinese_calendar.workdays})


def calendar_load(*, actor=None, replace: bool = False) -> dict:
    """Fill every year chinese-calendar knows (idempotent). Years already published are
    left as administrators keep them unless `replace`. Returns {"loaded": [...], "kept": [...]}."""
    import chinese_calendar

    from open12348.audit import services as audit

    version = getattr(chinese_calendar, "__version__", "")
    loaded, kept = [], []
    with transaction.atomic():
        published = set(CalendarYear.objects.values_list("year", flat=True))
        for year in library_years():
            if year in published and not replace:
                kept.append(year)
                continue
            rows = []
            for day, name in chinese_calendar.holidays.items():
                if day.year == year and day.weekday() < 5:
                    rows.append(CalendarDay(date=day, is_workday=False, name=HOLIDAY_NAMES.get(name, name or "")))
            for day, name in chinese_calendar.workdays.items():
                if day.year == year and day.weekday() >= 5:
                    label = HOLIDAY_NAMES.get(name, name or "")
                    rows.append(
                        CalendarDay(
                            date=day,
                            is_workday=True,
                            name=gettext("{label}调休上班").format(label=label) if label else gettext("调休上班"),
                        )
                    )
            CalendarDay.objects.filter(date__year=year).delete()
            CalendarDay.objects.bulk_create(rows)
            CalendarYear.objects.update_or_create(
                year=year,
                defaults={
                    "note": gettext("由 chinese-calendar {version} 导入").format(version=version).replace("  ", " ")
                },
            )
            loaded.append(year)
        if loaded:
            audit.record(actor=actor, verb="calendar.loaded", payload={"years": loaded, "replace": replace})
        transaction.on_commit(_invalidate)
    _invalidate()
    return {"loaded": loaded, "kept": kept}


def _describe(row) -> dict:
    if isinstance(row, CalendarDay):
        return {"date": row.date.isoformat(), "is_workday": row.is_workday, "name": row.name}
    return {"year": row.year, "note": row.note}


@transaction.atomic
def calendar_save(*, actor, row: CalendarDay | CalendarYear):
    """An administrator's edit of a calendar day or year, on the audit trail."""
    from open12348.audit import services as audit

    row.save()
    audit.record(actor=actor, verb="calendar.changed", target=row, payload=_describe(row))
    return row


@transaction.atomic
def calendar_delete(*, actor, row: CalendarDay | CalendarYear) -> None:
    from open12348.audit import services as audit

    payload = _describe(row)
    audit.record(actor=actor, verb="calendar.deleted", target=row, payload=payload)
    row.delete()
