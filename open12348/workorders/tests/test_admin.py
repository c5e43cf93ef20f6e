"""The admin: posts and routing rules (with the "why this route" preview), a read-only scoped
list of work orders, and the working-day calendar with its missing-year warning."""

import datetime

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from open12348.audit.models import Event
from open12348.core.models import CalendarDay
from open12348.workorders.models import Post, RoutingRule
from open12348.workorders.tests.factories import make_order, post, routing_rule, service_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(client, bureau_admin):
    # The bureau administrator, second factor passed for this session.
    device = TOTPDevice.objects.create(user=bureau_admin, name="测试令牌", confirmed=True)
    client.force_login(bureau_admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_the_route_preview_says_where_and_why(admin_a, town_a, area_a):
    routing_rule("疑难复杂上交区县", complex_only=True, target=RoutingRule.Target.DISTRICT, post_code="legal_aid")
    post(area_a, code="legal_aid", name="法律援助岗")
    item = service_item()
    url = reverse("admin:workorders_routingrule_preview")
    response = admin_a.get(url, {"service_item": item.pk, "area": town_a.pk, "is_complex": "on"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "太仓市" in body and "法律援助岗" in body and "疑难复杂上交区县" in body
    plain = admin_a.get(url, {"service_item": item.pk, "area": town_a.pk}).content.decode()
    assert "城厢镇" in plain and "属地" in plain


def test_a_rule_saved_in_the_admin_is_audited(admin_a):
    response = admin_a.post(
        reverse("admin:workorders_routingrule_add"),
        {
            "name": "一般事项属地办理",
            "target": "street",
            "post_code": "",
            "priority": 100,
            "is_active": "on",
            "complex_only": "false",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get()
    assert rule.complex_only is False
    assert Event.objects.filter(verb="workorder.routing_rule_created").exists()


def test_posts_and_orders_are_scoped_to_the_administrators_area(admin_a, clerk_a, outsider_b, town_a, town_b):
    post(town_a, name="城厢咨询岗")
    post(town_b, name="玉山咨询岗")
    body = admin_a.get(reverse("admin:workorders_post_changelist")).content.decode()
    assert "城厢咨询岗" in body and "玉山咨询岗" not in body
    mine = make_order(actor=clerk_a, area=town_a)
    theirs = make_order(actor=outsider_b, area=town_b)
    body = admin_a.get(reverse("admin:workorders_workorder_changelist")).content.decode()
    assert mine.tracking_code in body and theirs.tracking_code not in body
    assert admin_a.get(reverse("admin:workorders_workorder_change", args=[theirs.pk])).status_code in (302, 404)
    assert admin_a.get(reverse("admin:workorders_workorder_add")).status_code == 403


def test_a_post_saved_in_the_admin_is_audited(admin_a, town_a, clerk_a):
    response = admin_a.post(
        reverse("admin:workorders_post_add"),
        {"org": town_a.pk, "code": "mediation", "name": "人民调解岗", "assignment": "manual", "members": [clerk_a.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Post.objects.get().members.all()) == [clerk_a]
    assert Event.objects.filter(verb="workorder.post_created").exists()


def test_the_calendar_admin_warns_about_unpublished_years_and_audits_edits(admin_a):
    response = admin_a.get(reverse("admin:core_calendarday_changelist"))
    assert response.status_code == 200
    assert "尚未录入" in response.content.decode()
    response = admin_a.post(
        reverse("admin:core_calendarday_add"), {"date": "2027-01-01", "is_workday": "", "name": "元旦"}
    )
    assert response.status_code == 302
    from open12348.core import workdays

    assert workdays.is_workday(datetime.date(2027, 1, 1)) is False
    assert CalendarDay.objects.get().name == "元旦"
    assert Event.objects.filter(verb="calendar.changed").exists()
    workdays.clear_cache()


def test_an_order_in_the_admin_shows_its_attachments_and_joint_review_read_only(
    admin_a, bureau_admin, clerk_a, town_a, town_a2, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from open12348.workorders import services
    from open12348.workorders.tests.test_api import PDF

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    order = make_order(actor=clerk_a, area=town_a)
    services.attachment_add(actor=clerk_a, order=order, upload=SimpleUploadedFile("调解协议.pdf", PDF))
    services.joint_review_open(actor=bureau_admin, order=order, orgs=[town_a2], lead=town_a)

    page = admin_a.get(reverse("admin:workorders_workorder_change", args=[order.pk]))

    body = page.content.decode()
    assert page.status_code == 200
    assert (
        "调解协议.pdf" in body
        and reverse("workorders:attachment-download", args=[order.pk, order.attachments.get().pk]) in body
    )
    assert "沙溪镇" in body and "城厢镇" in body
    assert 'name="attachments-0-original_name"' not in body  # read-only: no form fields
