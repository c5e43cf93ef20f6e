"""Loads the directory's demo data (open12348/core/demo/directory.json) through the services,
idempotently: rows are found by name (institutions), licence number or name and area
(practitioners) and document number (credit records), and the upserts write nothing when
nothing differs."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from open12348.accounts.models import User
from open12348.catalog.models import LegalCategory
from open12348.directory import services
from open12348.directory.models import CreditRecord, Institution, Practitioner
from open12348.orgs.models import OrgNode


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _categories(codes: list[str]) -> list[LegalCategory]:
    found = {c.code: c for c in LegalCategory.objects.filter(code__in=codes)}
    missing = sorted(set(codes) - set(found))
    if missing:
        raise ValidationError(
            gettext("演示数据引用了不存在的法律类别：{codes}（请先运行 loadreference）。").format(
                codes="、".join(missing)
            )
        )
    return [found[code] for code in codes]


def _area(code: str) -> OrgNode:
    node = OrgNode.objects.filter(code=code).first()
    if node is None:
        raise ValidationError(gettext("演示数据引用了不存在的区划代码：{code}。").format(code=code))
    return node


def _user(username: str | None, practitioner: Practitioner | None) -> User | None:
    """The demo account to link, unless it is missing or already linked to someone else."""
    if not username:
        return None
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        return None
    linked = Practitioner.objects.filter(user=user).first()
    if linked is not None and (practitioner is None or linked.pk != practitioner.pk):
        return None
    return user


def load_directory_demo(path: Path) -> dict[str, int]:
    """Institutions, practitioners and credit records from `path`; returns what was created."""
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    before = {
        "institutions": Institution.objects.count(),
        "practitioners": Practitioner.objects.count(),
        "credit_records": CreditRecord.objects.count(),
    }
    institutions: dict[str, Institution] = {}
    for spec in data["institutions"]:
        institutions[spec["key"]] = services.institution_upsert(
            actor=None,
            specialties=_categories(spec["specialties"]),
            kind=spec["kind"],
            name=spec["name"],
            credit_code=spec.get("credit_code", ""),
            licence_no=spec.get("licence_no", ""),
            founded_on=_date(spec.get("founded_on")),
            leader=spec.get("leader", ""),
            team_size=spec.get("team_size", 0),
            area=_area(spec["area"]),
            address=spec["address"],
            latitude=Decimal(spec["latitude"]) if spec.get("latitude") else None,
            longitude=Decimal(spec["longitude"]) if spec.get("longitude") else None,
            phone=spec.get("phone", ""),
            introduction=spec.get("introduction", ""),
            is_fictitious=True,
        )
    for spec in data["practitioners"]:
        area = _area(spec["area"])
        licence_no = spec.get("licence_no", "")
        if licence_no:
            existing = Practitioner.objects.filter(licence_no=licence_no).first()
        else:
            existing = Practitioner.objects.filter(name=spec["name"], area=area, licence_no="").first()
        fields = {
            "kind": spec["kind"],
            "name": spec["name"],
            "licence_no": licence_no,
            "practising_since": _date(spec.get("practising_since")),
            "institution": institutions[spec["institution"]] if spec.get("institution") else None,
            "area": area,
            "languages": spec.get("languages", ""),
            "introduction": spec.get("introduction", ""),
            "is_fictitious": True,
        }
        user = _user(spec.get("user"), existing)
        if user is not None:
            fields["user"] = user
        services.practitioner_upsert(
            actor=None,
            practitioner=existing or Practitioner(),
            specialties=_categories(spec["specialties"]),
            **fields,
        )
    for spec in data["credit_records"]:
        if "institution" in spec:
            subject = {"institution": Institution.objects.get(name=spec["institution"])}
        else:
            subject = {"practitioner": Practitioner.objects.get(licence_no=spec["practitioner"])}
        if CreditRecord.objects.filter(**subject, document_no=spec["document_no"]).exists():
            continue
        services.credit_record_add(
            actor=None,
            **subject,
            kind=spec["kind"],
            decided_on=_date(spec["decided_on"]),
            reason=spec["reason"],
            measure=spec["measure"],
            issuing_body=spec["issuing_body"],
            document_no=spec["document_no"],
            public_until=_date(spec.get("public_until")),
        )
    return {
        "institutions": Institution.objects.count() - before["institutions"],
        "practitioners": Practitioner.objects.count() - before["practitioners"],
        "credit_records": CreditRecord.objects.count() - before["credit_records"],
    }
