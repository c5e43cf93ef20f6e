"""Writes to the reference data: the service catalog (基本项目清单) and the legal categories.
Upserts are keyed by `code` and write an audit event only when a row is created or one of
its fields changes, so that loading the reference files again writes nothing."""

import json
from pathlib import Path
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from open12348.audit.services import record
from open12348.catalog.models import LegalCategory, ServiceItem

DATA_DIR = Path(__file__).resolve().parent / "data"
SERVICE_ITEMS_FILE = DATA_DIR / "service_items.json"
LEGAL_CATEGORIES_FILE = DATA_DIR / "legal_categories.json"

# The fields a reference file (or the admin form) sets. `is_active` is deliberately not
# among them: an item an administrator switched off stays off when the files are reloaded.
SERVICE_ITEM_FIELDS = (
    "name",
    "category",
    "responsible_body",
    "time_limit_days",
    "time_limit_note",
    "materials",
    "fee_note",
    "is_free",
    "channels",
    "description",
    "basis",
    "is_core",
    "sort",
)

# What the admin may set besides: switching an item off or on.
EDITABLE_SERVICE_ITEM_FIELDS = (*SERVICE_ITEM_FIELDS, "is_active")

Outcome = Literal["created", "updated", "unchanged"]


def _require(actor, *permissions: str) -> None:
    """`actor=None` is the platform itself (a command run by the server's operator)."""
    if actor is not None and not all(actor.has_perm(p) for p in permissions):
        raise PermissionDenied(gettext("您没有维护基础数据的权限。"))


def _validate_service_item_fields(fields: dict[str, Any]) -> None:
    errors = {}
    channels = fields.get("channels")
    if not isinstance(channels, list) or not channels:
        errors["channels"] = gettext("请至少选择一个办理渠道。")
    elif unknown := sorted(set(channels) - set(ServiceItem.Channel.values)):
        errors["channels"] = gettext("未知的办理渠道：{unknown}").format(unknown="、".join(unknown))
    materials = fields.get("materials", [])
    if not isinstance(materials, list) or not all(isinstance(m, str) and m.strip() for m in materials):
        errors["materials"] = gettext("所需材料须为文字列表，每项一条。")
    days = fields.get("time_limit_days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        errors["time_limit_days"] = gettext("办理时限须为正整数（工作日）。")
    if errors:
        raise ValidationError(errors)


def _save_service_item(*, actor, code: str, fields: dict[str, Any]) -> tuple[ServiceItem, Outcome]:
    unknown = set(fields) - set(EDITABLE_SERVICE_ITEM_FIELDS)
    if unknown:
        raise ValidationError(gettext("服务事项不支持这些字段：{unknown}").format(unknown=", ".join(sorted(unknown))))
    _validate_service_item_fields(fields)
    item = ServiceItem.objects.filter(code=code).first()
    created = item is None
    item = item or ServiceItem(code=code)
    changed = [key for key, value in fields.items() if created or getattr(item, key) != value]
    if not changed:
        return item, "unchanged"
    for key in changed:
        setattr(item, key, fields[key])
    item.full_clean()
    item.save()
    record(
        actor=actor,
        verb="serviceitem.created" if created else "serviceitem.updated",
        target=item,
        payload={"code": code, "changed": [] if created else changed},
    )
    return item, "created" if created else "updated"


@transaction.atomic
def service_item_upsert(*, actor=None, code: str, **fields) -> ServiceItem:
    """Create or update the catalog item `code` with `fields` (any of
    EDITABLE_SERVICE_ITEM_FIELDS; `channels` and `time_limit_days` are required)."""
    _require(actor, "catalog.add_serviceitem", "catalog.change_serviceitem")
    item, _ = _save_service_item(actor=actor, code=code, fields=fields)
    return item


def _save_legal_category(
    *, actor, code: str, name: str, parent: LegalCategory | None, sort: int, is_active: bool | None = None
) -> tuple[LegalCategory, Outcome]:
    category = LegalCategory.objects.filter(code=code).first()
    created = category is None
    wanted = {"name": name, "parent_id": parent.pk if parent else None, "sort": sort}
    if is_active is not None:
        wanted["is_active"] = is_active
    if not created and all(getattr(category, key) == value for key, value in wanted.items()):
        return category, "unchanged"
    changed = [key.removesuffix("_id") for key, value in wanted.items() if created or getattr(category, key) != value]
    category = category or LegalCategory(code=code)
    category.name, category.parent, category.sort = name, parent, sort
    if is_active is not None:
        category.is_active = is_active
    category.full_clean()
    category.save()
    record(
        actor=actor,
        verb="legalcategory.created" if created else "legalcategory.updated",
        target=category,
        payload={
            "code": code,
            "name": name,
            "parent": parent.code if parent else "",
            "changed": [] if created else changed,
        },
    )
    return category, "created" if created else "updated"


@transaction.atomic
def legal_category_upsert(
    *,
    actor=None,
    code: str,
    name: str,
    parent: LegalCategory | None = None,
    sort: int = 0,
    is_active: bool | None = None,
) -> LegalCategory:
    """Create or update the category `code`. Two levels only; `is_active=None` leaves the
    switch as it is."""
    _require(actor, "catalog.add_legalcategory", "catalog.change_legalcategory")
    if parent is not None and parent.parent_id is not None:
        raise ValidationError({"parent": gettext("法律类别只分两级：上级类别须为顶层类别。")})
    if parent is not None and parent.code == code:
        raise ValidationError({"parent": gettext("类别不能以自身为上级。")})
    if parent is not None and LegalCategory.objects.filter(parent__code=code).exists():
        raise ValidationError({"parent": gettext("该类别下还有下级类别，不能挂到其他类别之下。")})
    category, _ = _save_legal_category(actor=actor, code=code, name=name, parent=parent, sort=sort, is_active=is_active)
    return category


def _read(path: Path, key: str) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)[key]


def _tally(outcomes: list[Outcome]) -> dict[str, int]:
    return {
        "total": len(outcomes),
        "created": outcomes.count("created"),
        "updated": outcomes.count("updated"),
        "unchanged": outcomes.count("unchanged"),
    }


@transaction.atomic
def reference_data_load(
    *, actor=None, service_items_path: Path | None = None, legal_categories_path: Path | None = None
) -> dict:
    """Load the service catalog and the legal categories from the reference files
    (idempotent). Returns counts: {"service_items": {...}, "legal_categories": {...},
    "legal_categories_top": n} with total/created/updated/unchanged each."""
    _require(
        actor,
        "catalog.add_serviceitem",
        "catalog.change_serviceitem",
        "catalog.add_legalcategory",
        "catalog.change_legalcategory",
    )
    item_outcomes: list[Outcome] = []
    for entry in _read(service_items_path or SERVICE_ITEMS_FILE, "items"):
        fields = {key: entry[key] for key in SERVICE_ITEM_FIELDS if key in entry}
        _, outcome = _save_service_item(actor=actor, code=entry["code"], fields=fields)
        item_outcomes.append(outcome)

    category_outcomes: list[Outcome] = []
    top = _read(legal_categories_path or LEGAL_CATEGORIES_FILE, "categories")
    for index, entry in enumerate(top, start=1):
        parent, outcome = _save_legal_category(
            actor=actor, code=entry["code"], name=entry["name"], parent=None, sort=index * 10
        )
        category_outcomes.append(outcome)
        for child_index, child in enumerate(entry.get("children", []), start=1):
            _, outcome = _save_legal_category(
                actor=actor, code=child["code"], name=child["name"], parent=parent, sort=child_index * 10
            )
            category_outcomes.append(outcome)
    return {
        "service_items": _tally(item_outcomes),
        "legal_categories": _tally(category_outcomes),
        "legal_categories_top": len(top),
    }
