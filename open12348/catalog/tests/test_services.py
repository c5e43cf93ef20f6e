import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from open12348.audit.models import Event
from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.catalog.services import (
    SERVICE_ITEMS_FILE,
    legal_category_upsert,
    reference_data_load,
    service_item_upsert,
)

pytestmark = pytest.mark.django_db


def _item_count_in_file() -> int:
    return len(json.loads(SERVICE_ITEMS_FILE.read_text(encoding="utf-8"))["items"])


def test_loading_the_reference_data_creates_every_item_and_category_with_an_audit_event_each():
    counts = reference_data_load()
    assert counts["service_items"]["created"] == ServiceItem.objects.count() == _item_count_in_file()
    assert counts["legal_categories"]["created"] == LegalCategory.objects.count()
    assert counts["legal_categories_top"] == LegalCategory.objects.filter(parent__isnull=True).count() == 20
    assert Event.objects.filter(verb="serviceitem.created").count() == ServiceItem.objects.count()
    assert Event.objects.filter(verb="legalcategory.created").count() == LegalCategory.objects.count()


def test_loading_twice_gives_the_same_counts_and_writes_no_new_audit_events():
    first = reference_data_load()
    rows = (ServiceItem.objects.count(), LegalCategory.objects.count())
    events = Event.objects.count()
    second = reference_data_load()
    assert (ServiceItem.objects.count(), LegalCategory.objects.count()) == rows
    assert Event.objects.count() == events
    assert second["service_items"]["unchanged"] == first["service_items"]["total"]
    assert second["legal_categories"]["unchanged"] == first["legal_categories"]["total"]
    assert second["service_items"]["created"] == second["service_items"]["updated"] == 0


def test_reloading_restores_an_edited_item_and_audits_only_that_item():
    reference_data_load()
    ServiceItem.objects.filter(code="legal_aid").update(time_limit_days=99, channels=["window"])
    events = Event.objects.count()
    counts = reference_data_load()
    assert counts["service_items"]["updated"] == 1
    assert ServiceItem.objects.get(code="legal_aid").time_limit_days == 7
    new = list(Event.objects.filter(seq__gt=events))
    assert [e.verb for e in new] == ["serviceitem.updated"]
    assert set(new[0].payload["changed"]) == {"time_limit_days", "channels"}


def test_an_item_an_administrator_switched_off_stays_off_after_reloading():
    reference_data_load()
    ServiceItem.objects.filter(code="exam").update(is_active=False)
    reference_data_load()
    assert ServiceItem.objects.get(code="exam").is_active is False


def test_sub_categories_hang_under_their_top_level_category():
    reference_data_load()
    inheritance = LegalCategory.objects.get(code="inheritance")
    assert inheritance.parent.name == "婚姻家庭"
    assert str(inheritance) == "婚姻家庭·继承"


def test_the_loadreference_command_is_repeatable_and_reports_counts_in_chinese():
    out = StringIO()
    call_command("loadreference", stdout=out)
    events = Event.objects.count()
    out = StringIO()
    call_command("loadreference", stdout=out)
    assert Event.objects.count() == events
    text = out.getvalue()
    assert f"服务事项 {_item_count_in_file()} 项：新增 0，更新 0" in text
    assert "顶层 20 个" in text


def test_an_item_with_an_unknown_channel_is_refused():
    with pytest.raises(ValidationError) as error:
        service_item_upsert(
            code="x_item",
            name="测试事项",
            category="consultation",
            responsible_body="测试",
            time_limit_days=1,
            fee_note="免费",
            channels=["fax"],
        )
    assert "channels" in error.value.message_dict
    assert not ServiceItem.objects.filter(code="x_item").exists()


def test_an_item_without_a_positive_time_limit_is_refused():
    with pytest.raises(ValidationError) as error:
        service_item_upsert(
            code="x_item",
            name="测试事项",
            category="consultation",
            responsible_body="测试",
            time_limit_days=0,
            fee_note="免费",
            channels=["window"],
        )
    assert "time_limit_days" in error.value.message_dict


def test_someone_without_the_catalog_permissions_cannot_load_or_edit_reference_data(clerk_a):
    with pytest.raises(PermissionDenied):
        reference_data_load(actor=clerk_a)
    with pytest.raises(PermissionDenied):
        legal_category_upsert(actor=clerk_a, code="x_cat", name="测试")


def test_a_bureau_administrator_edit_is_audited_under_their_name(bureau_admin):
    reference_data_load()
    item = ServiceItem.objects.get(code="consultation")
    service_item_upsert(
        actor=bureau_admin,
        code="consultation",
        **{
            "name": item.name,
            "category": item.category,
            "responsible_body": item.responsible_body,
            "time_limit_days": 2,
            "fee_note": item.fee_note,
            "channels": item.channels,
        },
    )
    event = Event.objects.filter(verb="serviceitem.updated").first()
    assert event.actor == bureau_admin
    assert event.payload["changed"] == ["time_limit_days"]


def test_legal_categories_have_two_levels_only():
    top = legal_category_upsert(code="x_top", name="测试顶层")
    child = legal_category_upsert(code="x_child", name="测试下级", parent=top)
    with pytest.raises(ValidationError):
        legal_category_upsert(code="x_grandchild", name="测试第三级", parent=child)
    with pytest.raises(ValidationError):
        legal_category_upsert(code="x_top", name="测试顶层", parent=legal_category_upsert(code="x_other", name="另一"))


def test_saving_an_item_in_the_admin_goes_through_the_service_and_is_audited(client, bureau_admin):
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    reference_data_load()
    device = TOTPDevice.objects.create(user=bureau_admin, name="测试令牌", confirmed=True)
    client.force_login(bureau_admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    item = ServiceItem.objects.get(code="complaint")
    url = reverse("admin:catalog_serviceitem_change", args=[item.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "name": item.name,
        "category": item.category,
        "responsible_body": item.responsible_body,
        "time_limit_days": "10",
        "time_limit_note": item.time_limit_note,
        "materials": "投诉书\n相关证据\n",
        "fee_note": item.fee_note,
        "is_free": "on",
        "channels": ["window", "hotline"],
        "description": item.description,
        "basis": item.basis,
        "sort": item.sort,
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert (item.time_limit_days, item.materials, item.channels) == (10, ["投诉书", "相关证据"], ["window", "hotline"])
    event = Event.objects.filter(verb="serviceitem.updated").first()
    assert event.actor == bureau_admin
    assert set(event.payload["changed"]) == {"time_limit_days", "materials", "channels"}
    data["time_limit_days"] = "0"
    assert client.post(url, data).status_code == 200  # refused by the form
    assert client.get(reverse("admin:catalog_legalcategory_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_serviceitem_add")).status_code == 200
