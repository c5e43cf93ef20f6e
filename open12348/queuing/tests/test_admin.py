"""The hall's admin pages: scoped to the administrator's area, writes audited through the
services, personal data masked, the device page address shown; housekeeping task."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from open12348.audit.models import Event
from open12348.orgs.tests.factories import SiteFactory
from open12348.queuing import services
from open12348.queuing.models import Appointment, Device, QueueEvent, QueueService, Ticket
from open12348.queuing.tasks import prune_queue_events
from open12348.queuing.tests.factories import make_hall
from open12348.queuing.tests.test_numbering import resident_id
from open12348.workorders.tests.factories import service_item

pytestmark = pytest.mark.django_db


def signed_in_admin(client, user):
    # An administrator, second factor passed for this session.
    device = TOTPDevice.objects.create(user=user, name="测试令牌", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_a(client, bureau_admin):
    return signed_in_admin(client, bureau_admin)


@pytest.fixture
def other_hall(area_b):
    from open12348.orgs.tests.factories import OrgNodeFactory

    town = OrgNodeFactory(code="320583102", name="周市镇", level="street", parent=area_b)
    return make_hall(SiteFactory(org=town, name="周市镇工作站"))


def test_lists_are_scoped_to_the_area(admin_a, hall, other_hall):
    services.ticket_issue(site=hall.site, service_code="consultation")
    services.ticket_issue(site=other_hall.site, service_code="consultation")
    for name in ("queueservice", "device", "ticket"):
        body = admin_a.get(reverse(f"admin:queuing_{name}_changelist")).content.decode()
        assert hall.site.name in body, name
        assert other_hall.site.name not in body, name
    other_device = other_hall.kiosk
    assert admin_a.get(reverse("admin:queuing_device_change", args=[other_device.pk])).status_code == 302


def test_ticket_page_is_read_only_and_masks_personal_data(admin_a, hall):
    number = resident_id(datetime.date(1980, 1, 1))
    ticket = services.ticket_issue(site=hall.site, service_code="consultation", phone="13912345678", resident_id=number)
    body = admin_a.get(reverse("admin:queuing_ticket_change", args=[ticket.pk])).content.decode()
    assert "139****5678" in body and "13912345678" not in body
    assert number not in body and number[:4] in body
    assert admin_a.get(reverse("admin:queuing_ticket_add")).status_code == 403
    response = admin_a.post(reverse("admin:queuing_ticket_change", args=[ticket.pk]), {"status": "done"})
    assert response.status_code == 403 or Ticket.objects.get().status == Ticket.Status.WAITING
    assert Ticket.objects.get().status == Ticket.Status.WAITING


def test_device_page_shows_its_address_and_creation_is_audited(admin_a, hall):
    body = admin_a.get(reverse("admin:queuing_device_change", args=[hall.kiosk.pk])).content.decode()
    assert f"/hall/d/{hall.kiosk.key}/" in body
    response = admin_a.post(
        reverse("admin:queuing_device_add"),
        {"site": hall.site.pk, "kind": "evaluator", "name": "2号窗口评价器", "window": hall.windows[2].pk},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    device = Device.objects.get(name="2号窗口评价器")
    assert device.window == hall.windows[2] and len(device.key) > 20
    assert Event.objects.filter(verb="queue.device_created", target_id=str(device.pk)).exists()


def test_an_evaluator_without_window_is_refused_on_the_form(admin_a, hall):
    response = admin_a.post(
        reverse("admin:queuing_device_add"), {"site": hall.site.pk, "kind": "evaluator", "name": "评价器"}
    )
    assert response.status_code == 200 and "须绑定窗口" in response.content.decode()
    assert Device.objects.count() == 3


def test_device_change_goes_through_the_service(admin_a, hall):
    response = admin_a.post(
        reverse("admin:queuing_device_change", args=[hall.display.pk]),
        {"name": "大厅东侧显示屏", "window": "", "is_active": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    display = Device.objects.get(pk=hall.display.pk)
    assert display.name == "大厅东侧显示屏" and not display.is_active
    assert Event.objects.filter(verb="queue.device_changed").exists()


def test_queue_service_add_checks_the_sites_items(admin_a, hall):
    notary = service_item("notary", 15, name="公证")
    data = {
        "site": hall.site.pk,
        "service_item": notary.pk,
        "prefix": "d",
        "name": "公证",
        "sort": 3,
        "is_active": "on",
    }
    response = admin_a.post(reverse("admin:queuing_queueservice_add"), data)
    assert response.status_code == 200 and "本站点提供的服务事项" in response.content.decode()
    hall.site.services.add(notary)
    response = admin_a.post(reverse("admin:queuing_queueservice_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert QueueService.objects.get(service_item=notary).prefix == "D"
    assert Event.objects.filter(verb="queue.service_created").exists()


def test_appointment_added_in_the_admin_gets_a_code(admin_a, hall):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = admin_a.post(
        reverse("admin:queuing_appointment_add"),
        {
            "service": hall.services["B"].pk,
            "day": tomorrow.isoformat(),
            "slot": "09:00-10:00",
            "name": "李四",
            "phone": "13912345678",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    booking = Appointment.objects.get()
    assert len(booking.code) == 6 and booking.site == hall.site
    body = admin_a.get(reverse("admin:queuing_appointment_change", args=[booking.pk])).content.decode()
    assert "139****5678" in body and "13912345678" not in body


def test_people_without_the_hall_permission_see_nothing(client, hall, system_admin):
    signed_in_admin(client, system_admin)
    for name in ("queueservice", "device", "ticket", "evaluation", "appointment", "windowsession"):
        assert client.get(reverse(f"admin:queuing_{name}_changelist")).status_code == 403, name


def test_a_director_without_admin_access_is_kept_out(client, hall, director_a):
    client.force_login(director_a)
    response = client.get(reverse("admin:queuing_ticket_changelist"))
    assert response.status_code == 302


def test_prune_deletes_events_older_than_two_days(hall):
    now = timezone.now()
    old = QueueEvent.objects.create(site=hall.site, kind="board", at=now - datetime.timedelta(days=2, minutes=1))
    recent = QueueEvent.objects.create(site=hall.site, kind="board", at=now - datetime.timedelta(days=1))
    assert prune_queue_events(now) == 1
    assert list(QueueEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not QueueEvent.objects.filter(pk=old.pk).exists()


def test_prune_command_reports_in_chinese(hall):
    QueueEvent.objects.create(site=hall.site, kind="board", at=timezone.now() - datetime.timedelta(days=3))
    out = io.StringIO()
    call_command("prunequeueevents", stdout=out)
    assert "已删除 1 条" in out.getvalue()
    assert not QueueEvent.objects.exists()
