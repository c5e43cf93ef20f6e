"""The admin for the tree, sites and windows: scoped to the administrator's subtree, and
writing through the services (so every change is on the audit trail)."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from open12348.audit.models import Event
from open12348.catalog.models import ServiceItem
from open12348.orgs.models import OrgNode, Site, SiteContact, Window
from open12348.orgs.tests.factories import SiteFactory, WindowFactory

pytestmark = pytest.mark.django_db


def verified_client(client, user):
    """Signed in, with the TOTP second factor passed for this session (as django_otp.login does)."""
    device = TOTPDevice.objects.create(user=user, name="测试令牌", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_a(client, bureau_admin):
    return verified_client(client, bureau_admin)


@pytest.fixture
def station_b(town_b):
    return SiteFactory(org=town_b, name="玉山镇公共法律服务工作站")


@pytest.fixture
def item(db):
    return ServiceItem.objects.create(
        code="consultation",
        name="法律咨询",
        category="consultation",
        responsible_body="中心",
        time_limit_days=1,
        fee_note="免费",
        channels=["window"],
    )


def _changelist(client, model) -> str:
    response = client.get(reverse(f"admin:orgs_{model}_changelist"))
    assert response.status_code == 200
    return response.content.decode()


def test_an_administrator_without_the_second_factor_is_kept_out(client, bureau_admin):
    client.force_login(bureau_admin)
    response = client.get(reverse("admin:orgs_orgnode_changelist"))
    assert response.status_code == 302


def test_the_org_list_shows_only_the_administrators_subtree(admin_a, town_a, town_a2, town_b):
    page = _changelist(admin_a, "orgnode")
    assert "城厢镇" in page and "沙溪镇" in page and "太仓市" in page
    assert "玉山镇" not in page and "昆山市" not in page


def test_the_site_list_shows_only_sites_in_the_subtree(admin_a, station_a, station_b):
    page = _changelist(admin_a, "site")
    assert station_a.name in page
    assert station_b.name not in page


def test_the_window_list_shows_only_windows_of_sites_in_the_subtree(admin_a, station_a, station_b):
    WindowFactory(site=station_a, number=1, name="城厢综合受理")
    WindowFactory(site=station_b, number=1, name="玉山综合受理")
    page = _changelist(admin_a, "window")
    assert "城厢综合受理" in page
    assert "玉山综合受理" not in page


def test_a_site_outside_the_subtree_cannot_be_opened(admin_a, station_b):
    response = admin_a.get(reverse("admin:orgs_site_change", args=[station_b.pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert response.url == reverse("admin:index")


@pytest.mark.parametrize(
    ("model", "expected"),
    [(OrgNode, {"太仓市", "城厢镇", "沙溪镇"}), (Site, {"城厢镇公共法律服务工作站"})],
)
def test_get_queryset_is_scoped_for_a_bureau_admin_and_whole_for_a_city_system_admin(
    model, expected, bureau_admin, system_admin, town_a2, station_a, station_b
):
    request = RequestFactory().get("/admin/")
    model_admin = admin_site._registry[model]
    request.user = bureau_admin
    assert set(model_admin.get_queryset(request).values_list("name", flat=True)) == expected
    request.user = system_admin
    assert model_admin.get_queryset(request).count() == model.objects.count()


def test_code_and_parent_of_an_existing_node_are_read_only(bureau_admin, town_a):
    request = RequestFactory().get("/admin/")
    request.user = bureau_admin
    model_admin = admin_site._registry[OrgNode]
    assert {"code", "parent"} <= set(model_admin.get_readonly_fields(request, town_a))
    assert "parent" not in model_admin.get_readonly_fields(request, None)


def test_a_new_node_can_only_go_under_a_node_in_the_subtree(admin_a, town_a, town_b):
    response = admin_a.get(reverse("admin:orgs_orgnode_add"))
    parent_field = response.context["adminform"].form.fields["parent"]
    assert parent_field.required
    assert town_b not in parent_field.queryset
    response = admin_a.post(
        reverse("admin:orgs_orgnode_add"),
        {"code": "320583100001", "name": "越界村", "level": "community", "parent": town_b.pk, "sort": 0},
    )
    assert response.status_code == 200  # the form is shown again with the error
    assert not OrgNode.objects.filter(code="320583100001").exists()


def test_adding_a_node_in_the_admin_goes_through_the_service_and_is_audited(admin_a, bureau_admin, town_a):
    response = admin_a.post(
        reverse("admin:orgs_orgnode_add"),
        {"code": "320585100201", "name": "胜泾村", "level": "community", "parent": town_a.pk, "sort": 3},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    node = OrgNode.objects.get(code="320585100201")
    assert (node.path, node.sort) == ("/320500/320585/320585100/320585100201/", 3)
    event = Event.objects.get(verb="org.created", target_id=str(node.pk))
    assert event.actor == bureau_admin


def test_editing_a_site_and_its_contacts_in_the_admin_goes_through_the_services(admin_a, bureau_admin, station_a, item):
    SiteContact.objects.create(site=station_a, role="mediator", name="旧调解员（示例）", sort=0)
    old = station_a.contacts.get()
    data = {
        "org": station_a.org_id,
        "kind": "station",
        "address": "太平南路76号",
        "hours": station_a.hours,
        "phone": station_a.phone,
        "latitude": "31.446300",
        "longitude": "121.101200",
        "is_active": "on",
        "services": [item.pk],
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "1",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-id": old.pk,
        "contacts-0-site": station_a.pk,
        "contacts-0-role": "mediator",
        "contacts-0-name": "旧调解员（示例）",
        "contacts-0-phone": "",
        "contacts-0-sort": "1",
        "contacts-0-DELETE": "on",
        "contacts-1-site": station_a.pk,
        "contacts-1-role": "legal_advisor",
        "contacts-1-name": "新顾问（示例）",
        "contacts-1-phone": "0512-53520001",
        "contacts-1-sort": "0",
        "qr_codes-TOTAL_FORMS": "0",
        "qr_codes-INITIAL_FORMS": "0",
        "qr_codes-MIN_NUM_FORMS": "0",
        "qr_codes-MAX_NUM_FORMS": "1000",
    }
    response = admin_a.post(reverse("admin:orgs_site_change", args=[station_a.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    station_a.refresh_from_db()
    assert station_a.address == "太平南路76号"
    assert list(station_a.services.all()) == [item]
    assert list(station_a.contacts.values_list("role", "name")) == [("legal_advisor", "新顾问（示例）")]
    verbs = set(Event.objects.filter(actor=bureau_admin).values_list("verb", flat=True))
    assert {"site.updated", "site.contacts_replaced"} <= verbs


def test_adding_and_deleting_a_window_in_the_admin_are_audited(admin_a, station_a, item):
    response = admin_a.post(
        reverse("admin:orgs_window_add"),
        {"site": station_a.pk, "number": 3, "name": "法律援助", "services": [item.pk], "is_active": "on"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    window = Window.objects.get(site=station_a, number=3)
    assert list(window.services.all()) == [item]
    response = admin_a.post(reverse("admin:orgs_window_delete", args=[window.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Window.objects.filter(pk=window.pk).exists()
    assert {"window.created", "window.deleted"} <= set(Event.objects.values_list("verb", flat=True))


def test_org_nodes_cannot_be_deleted_in_the_admin(admin_a, town_a):
    response = admin_a.get(reverse("admin:orgs_orgnode_delete", args=[town_a.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("model", ["orgnode", "site", "window"])
def test_the_add_pages_offer_only_choices_inside_the_subtree(admin_a, model, station_a, station_b):
    response = admin_a.get(reverse(f"admin:orgs_{model}_add"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    for name in ("parent", "org", "site"):
        if name in form.fields:
            choices = [str(obj) for obj in form.fields[name].queryset]
            assert "玉山镇" not in choices and station_b.name not in choices
