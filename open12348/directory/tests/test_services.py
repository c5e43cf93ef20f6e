"""Writes of the directory: validation in Chinese, the credit-code check, permissions, area
scoping, audit events, idempotent upserts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from open12348.audit.models import Event
from open12348.directory import services
from open12348.directory.models import CreditRecord, Institution, Practitioner
from open12348.directory.tests.factories import (
    BAD_USCC,
    VALID_USCC,
    categories,
    credit_fields,
    make_institution,
    make_practitioner,
)

pytestmark = pytest.mark.django_db


def messages(error: ValidationError, field: str) -> list[str]:
    return error.message_dict[field]


def test_admin_creates_an_institution_in_their_area_with_an_audit_event(bureau_admin, town_a):
    cats = categories()
    institution = make_institution(
        town_a, "娄城示例律师事务所", actor=bureau_admin, credit_code=VALID_USCC.lower(), specialties=[cats["labor"]]
    )
    assert institution.credit_code == VALID_USCC  # compacted, upper case
    assert list(institution.specialties.all()) == [cats["labor"]]
    event = Event.objects.get(verb="directory.institution_created")
    assert event.actor == bureau_admin and event.org == town_a and event.target_id == str(institution.pk)


def test_a_second_identical_upsert_writes_nothing(bureau_admin, town_a):
    make_institution(town_a, actor=bureau_admin)
    events = Event.objects.count()
    make_institution(town_a, actor=bureau_admin)
    assert Institution.objects.count() == 1 and Event.objects.count() == events


def test_a_change_is_audited_with_the_changed_fields(bureau_admin, town_a):
    institution = make_institution(town_a, actor=bureau_admin)
    services.institution_upsert(actor=bureau_admin, institution=institution, phone="0512-53510001")
    event = Event.objects.get(verb="directory.institution_changed")
    assert event.payload["fields"] == ["phone"]


def test_a_wrong_check_digit_in_the_credit_code_is_refused_in_chinese(bureau_admin, town_a):
    with pytest.raises(ValidationError) as caught:
        make_institution(town_a, actor=bureau_admin, credit_code=BAD_USCC)
    assert "校验码" in messages(caught.value, "credit_code")[0]
    assert not Institution.objects.exists() and not Event.objects.filter(verb__startswith="directory.").exists()


@pytest.mark.parametrize("code", ["12345", "31320585MD0184265", "31320585MD0184265UU", "3132058OMD0184265U"])
def test_malformed_credit_codes_are_refused(bureau_admin, town_a, code):
    with pytest.raises(ValidationError) as caught:
        make_institution(town_a, actor=bureau_admin, credit_code=code)
    assert "统一社会信用代码" in messages(caught.value, "credit_code")[0]


def test_a_law_firm_needs_a_licence_number_and_at_most_40_characters(bureau_admin, town_a):
    with pytest.raises(ValidationError) as caught:
        make_institution(town_a, actor=bureau_admin, licence_no="  ")
    assert messages(caught.value, "licence_no") == ["请填写执业证号。"]
    with pytest.raises(ValidationError) as caught:
        make_institution(town_a, actor=bureau_admin, licence_no="1" * 41)
    assert messages(caught.value, "licence_no") == ["执业证号不能超过40个字符。"]


def test_a_mediation_committee_needs_no_licence(bureau_admin, town_a):
    institution = make_institution(
        town_a, "城厢镇人民调解委员会", actor=bureau_admin, kind=Institution.Kind.MEDIATION, licence_no=""
    )
    assert institution.pk and institution.licence_no == ""


def test_missing_name_and_address_are_named_per_field(bureau_admin, town_a):
    with pytest.raises(ValidationError) as caught:
        make_institution(town_a, "  ", actor=bureau_admin, address="")
    assert messages(caught.value, "name") == ["请填写机构名称。"]
    assert messages(caught.value, "address") == ["请填写地址。"]


def test_a_future_founding_date_is_refused(bureau_admin, town_a):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        make_institution(town_a, actor=bureau_admin, founded_on=tomorrow)
    assert messages(caught.value, "founded_on") == ["成立日期不能晚于今天。"]


def test_an_admin_cannot_write_outside_their_area(bureau_admin, town_b):
    with pytest.raises(PermissionDenied):
        make_institution(town_b, actor=bureau_admin)
    assert not Institution.objects.exists()


def test_an_admin_cannot_move_an_institution_of_another_area_into_theirs(bureau_admin, town_a, town_b):
    institution = make_institution(town_b)
    with pytest.raises(PermissionDenied):
        services.institution_upsert(actor=bureau_admin, institution=institution, area=town_a)


def test_staff_without_the_directory_permission_cannot_write(clerk_a, citizen, town_a):
    for actor in (clerk_a, citizen):
        with pytest.raises(PermissionDenied):
            make_institution(town_a, actor=actor)


def test_practitioner_licence_numbers_are_required_for_lawyers_and_unique(bureau_admin, town_a):
    with pytest.raises(ValidationError) as caught:
        make_practitioner(town_a, actor=bureau_admin, licence_no="")
    assert messages(caught.value, "licence_no") == ["请填写执业证号。"]
    make_practitioner(town_a, actor=bureau_admin)
    with pytest.raises(ValidationError) as caught:
        make_practitioner(town_a, "李示例", actor=bureau_admin)
    assert messages(caught.value, "licence_no") == ["该执业证号已登记给另一名人员。"]
    with pytest.raises(ValidationError) as caught:
        make_practitioner(town_a, "王示例", actor=bureau_admin, licence_no="1320 5201")
    assert messages(caught.value, "licence_no") == ["执业证号中不能有空格。"]


def test_a_mediator_needs_no_licence_and_the_practitioner_write_is_audited(bureau_admin, town_a):
    cats = categories()
    mediator = make_practitioner(
        town_a, actor=bureau_admin, licence_no="", kind=Practitioner.Kind.MEDIATOR, specialties=[cats["divorce"]]
    )
    assert list(mediator.specialties.all()) == [cats["divorce"]]
    assert Event.objects.filter(verb="directory.practitioner_created", target_id=str(mediator.pk)).exists()


def test_practitioner_outside_the_area_is_refused(bureau_admin, town_b):
    with pytest.raises(PermissionDenied):
        make_practitioner(town_b, actor=bureau_admin)


def test_credit_record_add_and_remove_are_audited(bureau_admin, town_a):
    lawyer = make_practitioner(town_a)
    record = services.credit_record_add(actor=bureau_admin, practitioner=lawyer, **credit_fields())
    assert record.practitioner == lawyer and record.institution is None
    assert Event.objects.filter(verb="directory.credit_record_added", target_id=str(record.pk)).exists()
    services.credit_record_remove(actor=bureau_admin, record=record)
    assert not CreditRecord.objects.exists()
    removed = Event.objects.get(verb="directory.credit_record_removed")
    assert removed.payload["measure"] == "警告"


def test_credit_record_validation_is_per_field_in_chinese(bureau_admin, town_a):
    lawyer = make_practitioner(town_a)
    bad = credit_fields(
        reason=" ",
        measure="",
        issuing_body="",
        decided_on=datetime.date(2025, 3, 12),
        public_until=datetime.date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        services.credit_record_add(actor=bureau_admin, practitioner=lawyer, **bad)
    errors = caught.value.message_dict
    assert errors["reason"] == ["请填写违法违规事实。"]
    assert errors["measure"] == ["请填写处理结果。"]
    assert errors["issuing_body"] == ["请填写决定机关。"]
    assert errors["public_until"] == ["公示截止日期不能早于决定日期。"]
    assert not CreditRecord.objects.exists()


def test_credit_record_needs_exactly_one_subject(bureau_admin, town_a):
    lawyer = make_practitioner(town_a)
    firm = make_institution(town_a)
    with pytest.raises(ValidationError):
        services.credit_record_add(actor=bureau_admin, **credit_fields())
    with pytest.raises(ValidationError):
        services.credit_record_add(actor=bureau_admin, practitioner=lawyer, institution=firm, **credit_fields())


def test_credit_records_outside_the_area_are_refused(bureau_admin, outsider_b, town_a, town_b):
    other = make_practitioner(town_b)
    with pytest.raises(PermissionDenied):
        services.credit_record_add(actor=bureau_admin, practitioner=other, **credit_fields())
    record = services.credit_record_add(actor=None, practitioner=other, **credit_fields())
    with pytest.raises(PermissionDenied):
        services.credit_record_remove(actor=bureau_admin, record=record)
    with pytest.raises(PermissionDenied):  # outsider_b is a site director: no directory permission
        services.credit_record_remove(actor=outsider_b, record=record)
    assert CreditRecord.objects.count() == 1
