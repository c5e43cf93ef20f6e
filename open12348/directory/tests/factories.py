"""Test data for the directory, made through the real services (as the platform: actor=None)."""

import datetime

from stdnum.cn import uscc

from open12348.catalog.models import LegalCategory
from open12348.directory import services
from open12348.directory.models import Institution, Practitioner

# A valid 统一社会信用代码 (law firm, 太仓市), and one with a wrong check digit.
VALID_USCC = "31320585MD0184265U"
BAD_USCC = VALID_USCC[:-1] + ("A" if VALID_USCC[-1] != "A" else "B")
assert uscc.is_valid(VALID_USCC) and not uscc.is_valid(BAD_USCC)


def category(code: str, name: str, parent: LegalCategory | None = None) -> LegalCategory:
    made, _ = LegalCategory.objects.get_or_create(code=code, defaults={"name": name, "parent": parent})
    return made


def categories() -> dict[str, LegalCategory]:
    labor = category("labor", "劳动纠纷")
    family = category("marriage_family", "婚姻家庭")
    return {
        "labor": labor,
        "wage_arrears": category("wage_arrears", "拖欠工资", labor),
        "work_injury": category("work_injury", "工伤", labor),
        "marriage_family": family,
        "divorce": category("divorce", "离婚", family),
    }


def make_institution(area, name: str = "示例律师事务所", *, actor=None, specialties=(), **fields) -> Institution:
    values = {
        "kind": Institution.Kind.LAW_FIRM,
        "licence_no": "23205201510184265",
        "address": "太仓市城厢镇上海东路68号",
        "is_fictitious": True,
    }
    values.update(fields)
    return services.institution_upsert(actor=actor, name=name, area=area, specialties=list(specialties), **values)


def make_practitioner(
    area, name: str = "张示例", *, actor=None, licence_no: str = "13205201510000001", specialties=(), **fields
) -> Practitioner:
    values = {
        "kind": Practitioner.Kind.LAWYER,
        "practising_since": datetime.date(2015, 6, 1),
        "is_fictitious": True,
    }
    values.update(fields)
    return services.practitioner_upsert(
        actor=actor,
        practitioner=Practitioner(),
        name=name,
        area=area,
        licence_no=licence_no,
        specialties=list(specialties),
        **values,
    )


def credit_fields(**overrides) -> dict:
    fields = {
        "kind": "administrative_penalty",
        "decided_on": datetime.date(2025, 3, 12),
        "reason": "同时接受利益冲突双方的委托。",
        "measure": "警告",
        "issuing_body": "太仓市司法局",
        "document_no": "太司罚决字〔2025〕第3号",
        "public_until": None,
    }
    fields.update(overrides)
    return fields
