"""`manage.py seeddemo`: the demo tree, sites and accounts other systems and the README rely on."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from open12348.accounts.models import User
from open12348.accounts.tests.factories import sign_in
from open12348.audit.models import Event
from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.core.demo.loader import DEFAULT_PASSWORD, PASSWORD_ENV
from open12348.orgs.models import OrgNode, Site, SiteContact, Window
from open12348.orgs.selectors import area_of
from open12348.queuing.models import Device, QueueService

pytestmark = pytest.mark.django_db

TOWNS = ["城厢镇", "沙溪镇", "浏河镇", "浮桥镇", "璜泾镇", "双凤镇", "娄东街道", "陆渡街道"]
ACCOUNTS = {
    # username: (roles, area code, site name or None)
    "demo_admin": ({"bureau_admin"}, "320585", None),
    "demo_director": ({"site_director"}, "320585", "太仓市公共法律服务中心"),
    "demo_window": ({"window_clerk"}, "320585", "太仓市公共法律服务中心"),
    "demo_clerk_a": ({"window_clerk"}, "320585100", "城厢镇公共法律服务工作站"),
    "demo_clerk_b": ({"window_clerk"}, "320585101", "沙溪镇公共法律服务工作站"),
    "demo_operator": ({"hotline_operator"}, "320500", None),
    "demo_lawyer": ({"lawyer", "volunteer"}, "320585", None),
    "demo_auditor": ({"audit_admin"}, "320500", None),
}


def seed() -> str:
    out = StringIO()
    call_command("seeddemo", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _default_password(monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def _rows() -> dict[str, int]:
    models = (OrgNode, Site, SiteContact, Window, User, ServiceItem, LegalCategory, Event, QueueService, Device)
    return {model.__name__: model.objects.count() for model in models}


def test_seeddemo_builds_the_taicang_tree_down_to_villages():
    seed()
    taicang = OrgNode.objects.get(code="320585")
    assert taicang.parent.code == "320500" and taicang.level == OrgNode.Level.DISTRICT
    towns = OrgNode.objects.filter(parent=taicang)
    assert sorted(towns.values_list("name", flat=True)) == sorted(TOWNS)
    assert OrgNode.objects.get(code="320585100").name == "城厢镇"
    for town in towns:
        assert len(town.code) == 9 and town.code.startswith("320585")
        villages = OrgNode.objects.filter(parent=town)
        assert 3 <= villages.count() <= 5, town.name
        assert all(len(v.code) == 12 and v.code.startswith(town.code) for v in villages)


def test_every_node_has_a_site_named_by_the_convention_with_services_and_contacts():
    seed()
    assert Site.objects.get(org__code="320500").name == "苏州市公共法律服务中心"
    assert Site.objects.get(org__code="320585").name == "太仓市公共法律服务中心"
    for node in OrgNode.objects.all():
        site = Site.objects.get(org=node)
        if node.level == OrgNode.Level.STREET:
            assert (site.kind, site.name) == ("station", f"{node.name}公共法律服务工作站")
        elif node.level == OrgNode.Level.COMMUNITY:
            assert (site.kind, site.name) == ("room", f"{node.name}公共法律服务工作室")
        else:
            assert site.kind == "center"
        assert site.services.exists() and site.address and site.hours and site.phone.startswith("0512-")
        assert 31 < site.latitude < 32 and 120 < site.longitude < 122
        assert site.contacts.exists()
    assert all("示例" in name for name in SiteContact.objects.values_list("name", flat=True))


def test_the_centers_have_windows_with_their_services():
    seed()
    taicang = Site.objects.get(name="太仓市公共法律服务中心")
    names = set(taicang.windows.values_list("name", flat=True))
    assert {"综合受理", "法律咨询", "法律援助", "人民调解", "公证"} <= names
    assert set(taicang.windows.get(name="法律援助").services.values_list("code", flat=True)) == {"legal_aid"}
    assert Site.objects.get(name="苏州市公共法律服务中心").windows.count() >= 3


def test_the_taicang_center_has_a_working_hall():
    seed()
    taicang = Site.objects.get(name="太仓市公共法律服务中心")
    queues = {q.prefix: (q.service_item.code, q.name) for q in QueueService.objects.filter(site=taicang)}
    assert queues == {
        "A": ("legal_aid", "法律援助"),
        "B": ("consultation", "法律咨询"),
        "C": ("mediation", "人民调解"),
        "D": ("notary", "公证"),
        "E": ("appraisal", "司法鉴定"),
        "F": ("complaint", "综合受理·投诉"),
    }
    handled = set(
        Window.services.through.objects.filter(window__site=taicang).values_list("serviceitem__code", flat=True)
    )
    assert {code for code, _ in queues.values()} <= handled
    devices = Device.objects.filter(site=taicang)
    assert devices.filter(kind=Device.Kind.KIOSK).count() == 1
    assert devices.filter(kind=Device.Kind.DISPLAY).count() == 1
    evaluators = devices.filter(kind=Device.Kind.EVALUATOR)
    assert sorted(evaluators.values_list("window__number", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert all(len(device.key) > 20 for device in devices)
    clerk = User.objects.get(username="demo_window")
    from open12348.queuing.selectors import operable_windows

    assert set(operable_windows(clerk)) == set(taicang.windows.all())


def test_only_sites_with_windows_get_a_hall_and_only_for_services_they_handle():
    seed()
    assert set(QueueService.objects.values_list("site__name", flat=True)) == {
        "苏州市公共法律服务中心",
        "太仓市公共法律服务中心",
        "城厢镇公共法律服务工作站",
        "沙溪镇公共法律服务工作站",
    }
    suzhou = set(QueueService.objects.filter(site__name="苏州市公共法律服务中心").values_list("prefix", flat=True))
    assert suzhou == {"A", "B", "D", "E", "F"}  # its windows handle no 人民调解 (mediation)
    station = set(QueueService.objects.filter(site__name="城厢镇公共法律服务工作站").values_list("prefix", flat=True))
    assert station == {"A", "B", "C", "F"}  # no 公证, 司法鉴定 at a station's windows
    assert not Device.objects.filter(site__kind=Site.Kind.ROOM).exists()  # 工作室 have no windows


def test_a_station_clerk_calls_at_their_own_stations_windows_only():
    from open12348.queuing.selectors import operable_windows

    seed()
    clerk = User.objects.get(username="demo_clerk_a")
    assert {(w.site.name, w.number) for w in operable_windows(clerk)} == {
        ("城厢镇公共法律服务工作站", 1),
        ("城厢镇公共法律服务工作站", 2),
    }


def test_a_ticket_can_be_taken_and_called_in_the_seeded_hall():
    from open12348.queuing import services

    seed()
    taicang = Site.objects.get(name="太仓市公共法律服务中心")
    ticket = services.ticket_issue(site=taicang, service_code="legal_aid")
    clerk = User.objects.get(username="demo_window")
    window = taicang.windows.get(number=3)
    assert services.call_next(actor=clerk, window=window).pk == ticket.pk


def test_running_seeddemo_twice_creates_no_rows_and_writes_no_audit_events():
    seed()
    rows = _rows()
    output = seed()
    assert _rows() == rows
    assert "写入审计事件 0 条" in output


def test_demo_staff_have_their_roles_areas_and_sites():
    seed()
    for username, (roles, area, site) in ACCOUNTS.items():
        user = User.objects.get(username=username)
        assert set(user.role_codes) == roles, username
        assert area_of(user).code == area, username
        if site:
            assert user.staff_profile.site.name == site, username
        assert not user.must_change_password, username
        assert user.password_changed_at is not None, username


def test_the_demo_citizen_is_a_registered_citizen_with_a_phone():
    seed()
    user = User.objects.get(username="demo_citizen")
    assert set(user.role_codes) == {"citizen"}
    assert user.phone == "13900000001"
    assert area_of(user) is None
    assert Event.objects.filter(verb="account.registered", target_id=str(user.pk)).exists()


def test_demo_accounts_sign_in_at_once_with_the_default_demo_password():
    seed()
    for username in [*ACCOUNTS, "demo_citizen", "13900000001"]:
        assert sign_in(Client(), username, DEFAULT_PASSWORD), username


def test_demo_accounts_are_not_sent_to_change_their_password_after_signing_in():
    seed()
    for username in ["demo_clerk_a", "demo_auditor", "demo_citizen"]:
        client = Client()
        response = client.post(reverse("accounts:login"), {"username": username, "password": DEFAULT_PASSWORD})
        assert response.status_code == 302, username
        response = client.get(response.url)
        redirected = response.status_code == 302 and response.url.startswith(reverse("accounts:password-change"))
        assert not redirected, username


def test_the_default_password_is_printed_when_it_is_used():
    assert DEFAULT_PASSWORD in seed()


def test_the_demo_password_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "Lantern-Harbor-2048")
    output = seed()
    assert DEFAULT_PASSWORD not in output
    assert sign_in(Client(), "demo_clerk_a", "Lantern-Harbor-2048")
    assert not sign_in(Client(), "demo_clerk_a", DEFAULT_PASSWORD)


def test_an_existing_account_and_its_password_are_left_alone(monkeypatch):
    seed()
    monkeypatch.setenv(PASSWORD_ENV, "Lantern-Harbor-2048")
    seed()
    assert sign_in(Client(), "demo_admin", DEFAULT_PASSWORD)


def test_a_demo_password_the_validators_refuse_writes_nothing(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "short1")
    with pytest.raises(CommandError, match="演示数据未载入"):
        seed()
    assert not OrgNode.objects.exists()
    assert not User.objects.exists()


def test_seeddemo_is_safe_on_a_database_that_already_has_the_test_cast(clerk_a, clerk_a2, director_a):
    seed()
    assert OrgNode.objects.filter(code="320585100").count() == 1
    assert Site.objects.get(name="城厢镇公共法律服务工作站").org.code == "320585100"
    assert User.objects.filter(username="demo_clerk_a").exists()
    rows = _rows()
    seed()
    assert _rows() == rows
