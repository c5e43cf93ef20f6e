"""The admin: institutions and practitioners scoped to the administrator's area, writes
through the services (validated per field in Chinese, audited), credit records added and
removed through the inline."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from open12348.audit.models import Event
from open12348.directory import services
from open12348.directory.models import CreditRecord, Institution
from open12348.directory.tests.factories import BAD_USCC, VALID_USCC, categories, credit_fields, make_institution

pytestmark = pytest.mark.django_db
INLINE = "credit_records"


@pytest.fixture
def admin_a(client, bureau_admin):
    device = TOTPDevice.objects.create(user=bureau_admin, name="测试令牌", confirmed=True)
    client.force_login(bureau_admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def institution_form(town, **overrides) -> dict:
    cats = categories()
    data = {
        "kind": "law_firm",
        "name": "后台示例律师事务所",
        "credit_code": VALID_USCC,
        "licence_no": "23205201510184265",
        "team_size": "5",
        "area": str(town.pk),
        "address": "太仓市城厢镇上海东路68号",
        "specialties": [str(cats["labor"].pk)],
        "is_active": "on",
        **management(INLINE),
    }
    data.update(overrides)
    return data


def test_the_list_shows_only_the_admins_area(admin_a, town_a, town_b):
    make_institution(town_a, "城厢示例律师事务所")
    make_institution(town_b, "玉山示例律师事务所")
    page = admin_a.get(reverse("admin:directory_institution_changelist")).content.decode()
    assert "城厢示例律师事务所" in page and "玉山示例律师事务所" not in page


def test_an_institution_of_another_area_cannot_be_opened(admin_a, town_b):
    other = make_institution(town_b, "玉山示例律师事务所")
    response = admin_a.get(reverse("admin:directory_institution_change", args=[other.pk]))
    assert response.status_code == 302  # Django's admin: "does not exist" → back to the list
    assert Institution.objects.get(pk=other.pk).name == "玉山示例律师事务所"


def test_an_institution_added_in_the_admin_goes_through_the_service(admin_a, town_a):
    response = admin_a.post(reverse("admin:directory_institution_add"), institution_form(town_a))
    assert response.status_code == 302, response.content.decode()[:3000]
    institution = Institution.objects.get()
    assert [c.code for c in institution.specialties.all()] == ["labor"]
    assert Event.objects.filter(verb="directory.institution_created", target_id=str(institution.pk)).exists()


def test_a_bad_credit_code_is_shown_on_its_field_and_nothing_is_written(admin_a, town_a):
    response = admin_a.post(reverse("admin:directory_institution_add"), institution_form(town_a, credit_code=BAD_USCC))
    assert response.status_code == 200
    assert "统一社会信用代码无效" in response.content.decode()
    assert not Institution.objects.exists()


def test_another_area_is_not_offered(admin_a, town_a, town_b):
    response = admin_a.post(reverse("admin:directory_institution_add"), institution_form(town_b))
    assert response.status_code == 200 and not Institution.objects.exists()


def test_credit_records_are_added_and_removed_through_the_inline(admin_a, town_a):
    firm = make_institution(town_a, "城厢示例律师事务所")
    url = reverse("admin:directory_institution_change", args=[firm.pk])
    fields = credit_fields()
    data = institution_form(town_a, name=firm.name, credit_code="", **management(INLINE, total=1))
    data.update(
        {
            f"{INLINE}-0-{key}": (value.isoformat() if hasattr(value, "isoformat") else value or "")
            for key, value in fields.items()
        }
    )
    response = admin_a.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = CreditRecord.objects.get()
    assert record.institution == firm and Event.objects.filter(verb="directory.credit_record_added").exists()

    data = institution_form(town_a, name=firm.name, credit_code="", **management(INLINE, total=1, initial=1))
    data.update({f"{INLINE}-0-id": str(record.pk), f"{INLINE}-0-institution": str(firm.pk), f"{INLINE}-0-DELETE": "on"})
    response = admin_a.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not CreditRecord.objects.exists()
    assert Event.objects.filter(verb="directory.credit_record_removed").exists()


def test_a_bad_credit_record_is_refused_per_field(admin_a, town_a):
    firm = make_institution(town_a, "城厢示例律师事务所")
    url = reverse("admin:directory_institution_change", args=[firm.pk])
    data = institution_form(town_a, name=firm.name, credit_code="", **management(INLINE, total=1))
    data.update(
        {
            f"{INLINE}-0-kind": "administrative_penalty",
            f"{INLINE}-0-decided_on": "2025-03-12",
            f"{INLINE}-0-reason": "事实",
            f"{INLINE}-0-measure": "警告",
            f"{INLINE}-0-issuing_body": "太仓市司法局",
            f"{INLINE}-0-public_until": "2024-01-01",
        }
    )
    response = admin_a.post(url, data)
    assert response.status_code == 200
    assert "公示截止日期不能早于决定日期。" in response.content.decode()
    assert not CreditRecord.objects.exists()


def test_practitioner_admin_is_scoped_and_writes_through_the_service(admin_a, town_a, town_b):
    services.practitioner_upsert(
        actor=None, name="玉山示例", area=town_b, kind="mediator", licence_no="", is_fictitious=True
    )
    page = admin_a.get(reverse("admin:directory_practitioner_changelist")).content.decode()
    assert "玉山示例" not in page
    data = {
        "kind": "lawyer",
        "name": "后台示例",
        "licence_no": "",
        "area": str(town_a.pk),
        "is_active": "on",
        **management(INLINE),
    }
    response = admin_a.post(reverse("admin:directory_practitioner_add"), data)
    assert response.status_code == 200 and "请填写执业证号。" in response.content.decode()
    data["licence_no"] = "13205201510000001"
    response = admin_a.post(reverse("admin:directory_practitioner_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Event.objects.filter(verb="directory.practitioner_created").exists()


def test_staff_without_directory_permissions_cannot_open_the_admin(client, clerk_a):
    client.force_login(clerk_a)
    response = client.get(reverse("admin:directory_institution_changelist"))
    assert response.status_code in (302, 403)
