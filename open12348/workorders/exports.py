"""Ledgers (台账): which rows, which columns, and the Excel export (openpyxl).

One column list per ledger serves both the page and the workbook, so what is exported is
what is shown: names and phone numbers masked, times in Beijing time. Every text cell that
a spreadsheet would read as a formula (= + - @, or a leading tab or carriage return) is
prefixed with an apostrophe (SECURITY C34, CSV/Excel injection)."""

import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from open12348.core import pii
from open12348.workorders import selectors
from open12348.workorders.sla import BEIJING

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SUMMARY_CHARS = 60
MAX_EXPORT_ROWS = 50_000


def safe_cell(value) -> str:
    """Text as a spreadsheet must store it: never a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _person(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or getattr(user, "username", "")


def _summary(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "…"


Column = tuple[str, Callable[[object], str]]


@dataclass(frozen=True)
class Ledger:
    title: str
    source: Callable  # (*, viewer) -> the scoped QuerySet (workorders.selectors)
    columns: tuple[Column, ...]
    order_of: Callable[[object], object]  # the row's work order, or None
    date_field: str = "received_at"  # what the date range filters on
    date_is_day: bool = False  # a DateField (compare dates) rather than a DateTimeField

    def rows(self, *, viewer, date_from: datetime.date | None = None, date_to: datetime.date | None = None):
        rows = self.source(viewer=viewer)
        if self.date_is_day:
            if date_from:
                rows = rows.filter(**{f"{self.date_field}__gte": date_from})
            if date_to:
                rows = rows.filter(**{f"{self.date_field}__lte": date_to})
            return rows
        if date_from:
            rows = rows.filter(**{f"{self.date_field}__gte": _day_start(date_from)})
        if date_to:
            rows = rows.filter(**{f"{self.date_field}__lt": _day_start(date_to + datetime.timedelta(days=1))})
        return rows


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=BEIJING)


def _order_self(row):
    return row


def _no_order(row):
    return None


ORDER_CODE: Column = (_("查询码"), lambda o: o.tracking_code)
RECEIVED: Column = (_("受理时间"), lambda o: _local(o.received_at))
APPLICANT: Column = (_("申请人"), lambda o: pii.mask_name(o.applicant.name))
PHONE: Column = (_("联系电话"), lambda o: pii.mask_phone(o.applicant.phone))
ITEM: Column = (_("服务事项"), lambda o: o.service_item.name)
CATEGORY: Column = (_("法律类别"), lambda o: str(o.legal_category) if o.legal_category_id else "")
SUMMARY: Column = (_("诉求摘要"), lambda o: _summary(o.description))
FIRST_OWNER: Column = (_("首问负责人"), lambda o: _person(o.first_owner))
HANDLING: Column = (_("承办单位"), lambda o: o.handling_org.name)
STATUS: Column = (_("状态"), lambda o: o.get_status_display())
DEADLINE: Column = (_("办理期限"), lambda o: _local(o.deadline))

LEDGERS: dict[str, Ledger] = {
    "visits": Ledger(
        _("来访登记台账"),
        selectors.ledger_visits,
        (
            RECEIVED,
            ORDER_CODE,
            (_("来访人"), APPLICANT[1]),
            PHONE,
            ITEM,
            CATEGORY,
            SUMMARY,
            FIRST_OWNER,
            HANDLING,
            STATUS,
            DEADLINE,
        ),
        _order_self,
    ),
    "calls": Ledger(
        _("来电登记台账"),
        selectors.ledger_calls,
        (
            RECEIVED,
            ORDER_CODE,
            (_("来电人"), APPLICANT[1]),
            PHONE,
            ITEM,
            CATEGORY,
            SUMMARY,
            FIRST_OWNER,
            HANDLING,
            STATUS,
            DEADLINE,
        ),
        _order_self,
    ),
    "acceptance": Ledger(
        _("受理分派台账"),
        selectors.ledger_acceptance,
        (
            RECEIVED,
            ORDER_CODE,
            (_("渠道"), lambda o: o.get_channel_display()),
            APPLICANT,
            ITEM,
            FIRST_OWNER,
            HANDLING,
            (_("承办岗位"), lambda o: o.post.name if o.post_id else ""),
            (_("承办人"), lambda o: _person(o.assignee)),
            STATUS,
            DEADLINE,
        ),
        _order_self,
    ),
    "complaints": Ledger(
        _("投诉举报台账"),
        selectors.ledger_complaints,
        (
            RECEIVED,
            ORDER_CODE,
            (_("投诉举报人"), APPLICANT[1]),
            PHONE,
            SUMMARY,
            HANDLING,
            (_("承办人"), lambda o: _person(o.assignee)),
            STATUS,
            (_("办理结果"), lambda o: o.outcome_code),
            (_("办结时间"), lambda o: _local(o.resolved_at)),
            (_("满意度"), lambda o: o.get_satisfaction_display() if o.satisfaction else ""),
        ),
        _order_self,
    ),
    "duty": Ledger(
        _("值班排班表"),
        selectors.ledger_duty_shifts,
        (
            (_("开始时间"), lambda s: _local(s.starts_at)),
            (_("结束时间"), lambda s: _local(s.ends_at)),
            (_("值班人员"), lambda s: _person(s.user)),
            (_("所属区域"), lambda s: s.org.name),
            (_("站点"), lambda s: s.site.name if s.site_id else ""),
            (_("窗口或坐席"), lambda s: str(s.window) if s.window_id else s.seat_label),
        ),
        _no_order,
        date_field="starts_at",
    ),
    "reception": Ledger(
        _("领导接待日台账"),
        selectors.ledger_reception_days,
        (
            (_("接待日期"), lambda d: d.date.strftime("%Y-%m-%d")),
            (_("接待领导"), lambda d: d.leader_name),
            (_("接待地点"), lambda d: d.place),
            (_("所属区域"), lambda d: d.org.name),
            (_("接待主题"), lambda d: d.topic),
            (_("接待记录"), lambda d: _summary(d.records)),
        ),
        _no_order,
        date_field="date",
        date_is_day=True,
    ),
}


def table(spec: Ledger, rows: Iterable) -> list[dict]:
    """Rows for the page: the cells as text, and the order each row belongs to."""
    return [{"cells": [func(row) for _header, func in spec.columns], "order": spec.order_of(row)} for row in rows]


def workbook_bytes(spec: Ledger, rows: Iterable) -> bytes:
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = spec.title[:31]
    sheet.append([safe_cell(header) for header, _func in spec.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for count, row in enumerate(rows):
        if count >= MAX_EXPORT_ROWS:
            break
        sheet.append([safe_cell(func(row)) for _header, func in spec.columns])
    for index, (header, _func) in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(header) * 2 + 4))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
