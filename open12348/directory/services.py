"""Every write to the directory: institutions, practitioners and their credit records.
Each checks the actor's permission and area (the subject must lie in the actor's subtree),
validates in Chinese, writes, and records an audit event in the same transaction.
`actor=None` is the platform itself (the demo seed run by the server's operator)."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from open12348.audit import services as audit
from open12348.catalog.models import LegalCategory
from open12348.directory.models import CreditRecord, Institution, Practitioner
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import area_of

LICENCE_MAX = 40
TEXT_MAX = 2000
# Kinds whose members or offices hold a practising licence issued by the justice bureau.
LICENSED_INSTITUTIONS = frozenset(
    {
        Institution.Kind.LAW_FIRM,
        Institution.Kind.NOTARY_OFFICE,
        Institution.Kind.APPRAISAL,
        Institution.Kind.GRASSROOTS,
    }
)
LICENSED_PRACTITIONERS = frozenset(
    {
        Practitioner.Kind.LAWYER,
        Practitioner.Kind.NOTARY,
        Practitioner.Kind.APPRAISER,
        Practitioner.Kind.GRASSROOTS,
    }
)
INSTITUTION_FIELDS = (
    "kind",
    "name",
    "credit_code",
    "licence_no",
    "founded_on",
    "leader",
    "team_size",
    "area",
    "address",
    "latitude",
    "longitude",
    "phone",
    "introduction",
    "is_fictitious",
    "is_active",
)
PRACTITIONER_FIELDS = (
    "kind",
    "name",
    "photo",
    "licence_no",
    "practising_since",
    "institution",
    "area",
    "languages",
    "introduction",
    "user",
    "is_fictitious",
    "is_active",
)


# --- helpers -------------------------------------------------------------------------------


def _require(actor, permission: str) -> None:
    if actor is None:
        return  # the platform itself
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm(permission)):
        raise PermissionDenied(gettext("您没有执行此操作的权限。"))


def _require_area(actor, node: OrgNode | None) -> None:
    """The subject's area must lie in the actor's subtree (the platform may write anywhere)."""
    if actor is None or node is None:
        return
    own = area_of(actor)
    if own is None or not node.is_within(own):
        raise PermissionDenied(gettext("只能维护本辖区的机构、人员和信用记录。"))


def _today() -> datetime.date:
    return timezone.localdate()


def _text(value: str | None) -> str:
    return (value or "").strip()


def clean_credit_code(value: str) -> str:
    """The 统一社会信用代码 in its compact, upper-case form; ValidationError (Chinese) if invalid."""
    code = (value or "").strip().upper().replace(" ", "").replace("-", "")
    if not code:
        return ""
    try:
        return uscc.validate(code)
    except StdnumError:
        raise ValidationError(
            gettext("统一社会信用代码无效：应为18位，且最后一位校验码正确（请核对营业执照或登记证书）。"),
            code="credit_code",
        ) from None


def _licence_errors(licence_no: str, *, required: bool) -> list[str]:
    if not licence_no:
        return [gettext("请填写执业证号。")] if required else []
    if len(licence_no) > LICENCE_MAX:
        return [gettext("执业证号不能超过{max}个字符。").format(max=LICENCE_MAX)]
    if any(ch.isspace() for ch in licence_no):
        return [gettext("执业证号中不能有空格。")]
    return []


def _snapshot(obj, fields: Iterable[str]) -> dict[str, Any]:
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        values[name] = value.name if isinstance(value, FieldFile) else value
    return values


def _changed(before: dict | None, after: dict) -> list[str]:
    if before is None:
        return sorted(after)
    return sorted(name for name, value in after.items() if before.get(name) != value)


def _category_ids(specialties) -> set[int] | None:
    if specialties is None:
        return None
    return {category.pk for category in specialties}


def _check_specialties(specialties, errors: dict) -> None:
    if specialties is None:
        return
    for category in specialties:
        if not isinstance(category, LegalCategory) or category.pk is None:
            errors["specialties"] = [gettext("业务专长须从法律类别中选择。")]
            return


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- institutions --------------------------------------------------------------------------


def _validate_institution(institution: Institution) -> None:
    errors: dict[str, list[str]] = {}
    institution.name = _text(institution.name)
    institution.address = _text(institution.address)
    institution.leader = _text(institution.leader)
    institution.phone = _text(institution.phone)
    institution.licence_no = _text(institution.licence_no)
    if institution.kind not in Institution.Kind.values:
        errors["kind"] = [gettext("请选择机构类型。")]
    if not institution.name:
        errors["name"] = [gettext("请填写机构名称。")]
    elif len(institution.name) > 120:
        errors["name"] = [gettext("机构名称不能超过120个字符。")]
    elif Institution.objects.filter(name=institution.name).exclude(pk=institution.pk).exists():
        errors["name"] = [gettext("已有同名机构。")]
    if not institution.address:
        errors["address"] = [gettext("请填写地址。")]
    if not institution.area_id:
        errors["area"] = [gettext("请选择所在区域。")]
    try:
        institution.credit_code = clean_credit_code(institution.credit_code)
    except ValidationError as error:
        errors["credit_code"] = error.messages
    if problems := _licence_errors(institution.licence_no, required=institution.kind in LICENSED_INSTITUTIONS):
        errors["licence_no"] = problems
    if institution.founded_on and institution.founded_on > _today():
        errors["founded_on"] = [gettext("成立日期不能晚于今天。")]
    if (institution.latitude is None) != (institution.longitude is None):
        errors["longitude"] = [gettext("经度和纬度须同时填写或同时留空。")]
    elif institution.latitude is not None and not (-90 <= institution.latitude <= 90):
        errors["latitude"] = [gettext("纬度应在-90到90之间。")]
    elif institution.longitude is not None and not (-180 <= institution.longitude <= 180):
        errors["longitude"] = [gettext("经度应在-180到180之间。")]
    if len(institution.introduction or "") > TEXT_MAX:
        errors["introduction"] = [gettext("简介不能超过{max}个字符。").format(max=TEXT_MAX)]
    _raise(errors)


def _prepare(actor, obj, fields: dict, specialties, *, model_fields, perm_add: str, perm_change: str, validate):
    """Permission, area and validation of a create or change (nothing written). Returns the
    stored row before the change (None when creating)."""
    unknown = set(fields) - set(model_fields)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    created = obj.pk is None
    _require(actor, perm_add if created else perm_change)
    stored = None if created else type(obj).objects.select_related("area").get(pk=obj.pk)
    if stored is not None:
        _require_area(actor, stored.area)
    for name, value in fields.items():
        setattr(obj, name, value)
    errors: dict = {}
    _check_specialties(specialties, errors)
    _raise(errors)
    validate(obj)
    _require_area(actor, obj.area)
    return stored


def _write(actor, obj, stored, specialties, *, model_fields, verb: str, payload: dict):
    created = stored is None
    before = _snapshot(stored, model_fields) if stored is not None else None
    changed = _changed(before, _snapshot(obj, model_fields))
    wanted = _category_ids(specialties)
    specialties_changed = wanted is not None and (
        created or wanted != set(obj.specialties.values_list("pk", flat=True))
    )
    if not created and not changed and not specialties_changed:
        return obj
    obj.save()
    if specialties_changed:
        obj.specialties.set(list(specialties))
        changed.append("specialties")
    audit.record(
        actor=actor,
        verb=f"directory.{verb}_created" if created else f"directory.{verb}_changed",
        target=obj,
        org=obj.area,
        payload={**payload(obj), "fields": changed},
        actor_label="" if actor is not None else gettext("平台"),
    )
    return obj


def _institution_payload(institution: Institution) -> dict:
    return {"name": institution.name, "kind": institution.kind}


def institution_check(
    *, actor, institution: Institution, specialties: Iterable[LegalCategory] | None = None, **fields
) -> None:
    """What `institution_upsert` would refuse (PermissionDenied, ValidationError), without writing."""
    _prepare(
        actor,
        institution,
        fields,
        specialties,
        model_fields=INSTITUTION_FIELDS,
        perm_add="directory.add_institution",
        perm_change="directory.change_institution",
        validate=_validate_institution,
    )


@transaction.atomic
def institution_upsert(
    *, actor, institution: Institution | None = None, specialties: Iterable[LegalCategory] | None = None, **fields
) -> Institution:
    """Create or change an institution. Without `institution`, the row with the same name is
    changed (or a new one made). `fields` are model fields; `specialties` replaces them when
    given. Nothing is written (and no event recorded) when nothing differs."""
    if institution is None:
        name = _text(fields.get("name", ""))
        institution = (Institution.objects.filter(name=name).first() if name else None) or Institution()
    stored = _prepare(
        actor,
        institution,
        fields,
        specialties,
        model_fields=INSTITUTION_FIELDS,
        perm_add="directory.add_institution",
        perm_change="directory.change_institution",
        validate=_validate_institution,
    )
    return _write(
        actor,
        institution,
        stored,
        specialties,
        model_fields=INSTITUTION_FIELDS,
        verb="institution",
        payload=_institution_payload,
    )


# --- practitioners -------------------------------------------------------------------------


def _validate_practitioner(practitioner: Practitioner) -> None:
    errors: dict[str, list[str]] = {}
    practitioner.name = _text(practitioner.name)
    practitioner.licence_no = _text(practitioner.licence_no)
    practitioner.languages = _text(practitioner.languages)
    if practitioner.kind not in Practitioner.Kind.values:
        errors["kind"] = [gettext("请选择人员类型。")]
    if not practitioner.name:
        errors["name"] = [gettext("请填写姓名。")]
    elif len(practitioner.name) > 50:
        errors["name"] = [gettext("姓名不能超过50个字符。")]
    if not practitioner.area_id:
        errors["area"] = [gettext("请选择所在区域。")]
    problems = _licence_errors(practitioner.licence_no, required=practitioner.kind in LICENSED_PRACTITIONERS)
    if problems:
        errors["licence_no"] = problems
    elif (
        practitioner.licence_no
        and Practitioner.objects.filter(licence_no=practitioner.licence_no).exclude(pk=practitioner.pk).exists()
    ):
        errors["licence_no"] = [gettext("该执业证号已登记给另一名人员。")]
    if practitioner.practising_since and practitioner.practising_since > _today():
        errors["practising_since"] = [gettext("首次执业日期不能晚于今天。")]
    if len(practitioner.languages) > 100:
        errors["languages"] = [gettext("语言和方言不能超过100个字符。")]
    if len(practitioner.introduction or "") > TEXT_MAX:
        errors["introduction"] = [gettext("简介不能超过{max}个字符。").format(max=TEXT_MAX)]
    _raise(errors)


def _practitioner_payload(practitioner: Practitioner) -> dict:
    return {"kind": practitioner.kind, "licence_no": practitioner.licence_no}


def practitioner_check(
    *, actor, practitioner: Practitioner, specialties: Iterable[LegalCategory] | None = None, **fields
) -> None:
    """What `practitioner_upsert` would refuse (PermissionDenied, ValidationError), without writing."""
    _prepare(
        actor,
        practitioner,
        fields,
        specialties,
        model_fields=PRACTITIONER_FIELDS,
        perm_add="directory.add_practitioner",
        perm_change="directory.change_practitioner",
        validate=_validate_practitioner,
    )


@transaction.atomic
def practitioner_upsert(
    *,
    actor,
    practitioner: Practitioner | None = None,
    specialties: Iterable[LegalCategory] | None = None,
    **fields,
) -> Practitioner:
    """Create or change a practitioner. Without `practitioner`, the row with the same
    licence number (when given) is changed, or a new one made. Nothing is written when
    nothing differs."""
    if practitioner is None:
        licence_no = _text(fields.get("licence_no", ""))
        practitioner = (
            Practitioner.objects.filter(licence_no=licence_no).first() if licence_no else None
        ) or Practitioner()
    stored = _prepare(
        actor,
        practitioner,
        fields,
        specialties,
        model_fields=PRACTITIONER_FIELDS,
        perm_add="directory.add_practitioner",
        perm_change="directory.change_practitioner",
        validate=_validate_practitioner,
    )
    return _write(
        actor,
        practitioner,
        stored,
        specialties,
        model_fields=PRACTITIONER_FIELDS,
        verb="practitioner",
        payload=_practitioner_payload,
    )


# --- credit records ------------------------------------------------------------------------


def _subject_area(institution: Institution | None, practitioner: Practitioner | None) -> OrgNode:
    subject = institution if institution is not None else practitioner
    return subject.area


def credit_record_check(
    *,
    actor,
    institution: Institution | None = None,
    practitioner: Practitioner | None = None,
    kind: str,
    decided_on: datetime.date | None,
    reason: str,
    measure: str,
    issuing_body: str,
    document_no: str = "",
    public_until: datetime.date | None = None,
) -> dict[str, Any]:
    """Permission, area and validation of a new record (nothing written); the cleaned values."""
    _require(actor, "directory.add_creditrecord")
    errors: dict[str, list[str]] = {}
    if (institution is None) == (practitioner is None):
        raise ValidationError(gettext("信用记录须且只能对应一个机构或一名人员。"))
    reason, measure, issuing_body, document_no = (
        _text(reason),
        _text(measure),
        _text(issuing_body),
        _text(document_no),
    )
    if kind not in CreditRecord.Kind.values:
        errors["kind"] = [gettext("请选择记录类型。")]
    if decided_on is None:
        errors["decided_on"] = [gettext("请填写决定日期。")]
    elif decided_on > _today():
        errors["decided_on"] = [gettext("决定日期不能晚于今天。")]
    if not reason:
        errors["reason"] = [gettext("请填写违法违规事实。")]
    elif len(reason) > TEXT_MAX:
        errors["reason"] = [gettext("违法违规事实不能超过{max}个字符。").format(max=TEXT_MAX)]
    if not measure:
        errors["measure"] = [gettext("请填写处理结果。")]
    elif len(measure) > 300:
        errors["measure"] = [gettext("处理结果不能超过300个字符。")]
    if not issuing_body:
        errors["issuing_body"] = [gettext("请填写决定机关。")]
    elif len(issuing_body) > 120:
        errors["issuing_body"] = [gettext("决定机关不能超过120个字符。")]
    if len(document_no) > 80:
        errors["document_no"] = [gettext("决定书文号不能超过80个字符。")]
    if public_until is not None and decided_on is not None and public_until < decided_on:
        errors["public_until"] = [gettext("公示截止日期不能早于决定日期。")]
    _raise(errors)
    _require_area(actor, _subject_area(institution, practitioner))
    return {
        "institution": institution,
        "practitioner": practitioner,
        "kind": kind,
        "decided_on": decided_on,
        "reason": reason,
        "measure": measure,
        "issuing_body": issuing_body,
        "document_no": document_no,
        "public_until": public_until,
    }


@transaction.atomic
def credit_record_add(*, actor, **fields) -> CreditRecord:
    """Publish a penalty or sanction on exactly one institution or practitioner. Takes the
    arguments of `credit_record_check`."""
    values = credit_record_check(actor=actor, **fields)
    record = CreditRecord.objects.create(**values)
    subject = values["institution"] or values["practitioner"]
    audit.record(
        actor=actor,
        verb="directory.credit_record_added",
        target=record,
        org=subject.area,
        payload={
            "subject": "institution" if values["institution"] is not None else "practitioner",
            "subject_id": subject.pk,
            "kind": values["kind"],
            "document_no": values["document_no"],
        },
        actor_label="" if actor is not None else gettext("平台"),
    )
    return record


@transaction.atomic
def credit_record_remove(*, actor, record: CreditRecord) -> None:
    """Withdraw a published record (e.g. revoked on review). The audit event keeps what it said."""
    _require(actor, "directory.delete_creditrecord")
    area = _subject_area(record.institution, record.practitioner)
    _require_area(actor, area)
    payload = {
        "subject": "institution" if record.institution_id else "practitioner",
        "subject_id": record.institution_id or record.practitioner_id,
        "kind": record.kind,
        "decided_on": record.decided_on.isoformat(),
        "document_no": record.document_no,
        "measure": record.measure,
    }
    audit.record(
        actor=actor,
        verb="directory.credit_record_removed",
        target=record,
        org=area,
        payload=payload,
        actor_label="" if actor is not None else gettext("平台"),
    )
    record.delete()
