from decimal import Decimal

import pytest

from open12348.audit.models import Event
from open12348.catalog.models import ServiceItem
from open12348.orgs.models import OrgNode, SiteContact, Window
from open12348.orgs.services import (
    org_node_upsert,
    site_contacts_replace,
    site_upsert,
    window_delete,
    window_upsert,
)

pytestmark = pytest.mark.django_db

CONTACTS = [
    {"role": SiteContact.Role.MEDIATOR, "name": "周建华（示例）", "phone": "0512-53520001"},
    {"role": SiteContact.Role.LEGAL_ADVISOR, "name": "吴秀英（示例）", "phone": "0512-53520002"},
]


def _events() -> int:
    return Event.objects.count()


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


def test_a_new_node_gets_its_materialised_path_and_an_audit_event(area_a):
    node = org_node_upsert(code="320585100201", name="胜泾村", level=OrgNode.Level.COMMUNITY, parent=area_a)
    assert node.path == "/320500/320585/320585100201/"
    assert node.depth == 2
    event = Event.objects.get(verb="org.created")
    assert event.target_id == str(node.pk)
    assert event.org_id == node.pk


def test_upserting_an_unchanged_node_writes_nothing(town_a):
    org_node_upsert(code=town_a.code, name=town_a.name, level=town_a.level, parent=town_a.parent)
    events = _events()
    org_node_upsert(code=town_a.code, name=town_a.name, level=town_a.level, parent=town_a.parent)
    org_node_upsert(code=town_a.code, name=town_a.name, level=town_a.level, parent=town_a.parent, sort=town_a.sort)
    assert _events() == events


def test_renaming_a_node_keeps_its_place_and_is_audited(town_a):
    node = org_node_upsert(code=town_a.code, name="城厢镇（新）", level=town_a.level, parent=town_a.parent, sort=5)
    assert (node.pk, node.path, node.sort) == (town_a.pk, town_a.path, 5)
    assert Event.objects.filter(verb="org.updated", target_id=str(town_a.pk)).count() == 1


def test_a_node_is_never_moved_under_another_parent(town_a, town_a2):
    village = org_node_upsert(code="320585100001", name="中区社区", level=OrgNode.Level.COMMUNITY, parent=town_a)
    with pytest.raises(ValueError, match="移动节点"):
        org_node_upsert(code="320585100001", name="中区社区", level=OrgNode.Level.COMMUNITY, parent=town_a2)
    village.refresh_from_db()
    assert village.parent == town_a
    assert village.path == "/320500/320585/320585100/320585100001/"


def test_a_root_node_cannot_be_hung_under_a_parent_afterwards(city, area_b):
    with pytest.raises(ValueError):
        org_node_upsert(code=city.code, name=city.name, level=city.level, parent=area_b)


def test_a_site_upserted_with_decimal_coordinates_twice_is_written_once(town_a, item):
    details = {"address": "太平南路76号", "latitude": Decimal("31.446300"), "longitude": Decimal("121.101200")}
    site = site_upsert(name="城厢镇公共法律服务工作站", org=town_a, kind="station", services=[item], **details)
    events = _events()
    again = site_upsert(name="城厢镇公共法律服务工作站", org=town_a, kind="station", services=[item], **details)
    assert again.pk == site.pk
    assert _events() == events


def test_replacing_contacts_stores_them_in_order_and_audits_once(station_a):
    site_contacts_replace(site=station_a, contacts=CONTACTS)
    assert list(station_a.contacts.values_list("name", "sort")) == [("周建华（示例）", 0), ("吴秀英（示例）", 1)]
    assert Event.objects.filter(verb="site.contacts_replaced").count() == 1


def test_replacing_contacts_with_the_same_list_writes_nothing(station_a):
    site_contacts_replace(site=station_a, contacts=CONTACTS)
    ids = list(station_a.contacts.values_list("pk", flat=True))
    events = _events()
    site_contacts_replace(site=station_a, contacts=[dict(c) for c in CONTACTS])
    assert list(station_a.contacts.values_list("pk", flat=True)) == ids
    assert _events() == events


def test_a_changed_order_of_contacts_is_a_change(station_a):
    site_contacts_replace(site=station_a, contacts=CONTACTS)
    site_contacts_replace(site=station_a, contacts=list(reversed(CONTACTS)))
    assert list(station_a.contacts.values_list("name", flat=True)) == ["吴秀英（示例）", "周建华（示例）"]
    assert Event.objects.filter(verb="site.contacts_replaced").count() == 2


def test_an_unchanged_window_writes_nothing_and_switching_it_off_is_audited(station_a, item):
    window_upsert(site=station_a, number=1, name="综合受理", services=[item])
    events = _events()
    window_upsert(site=station_a, number=1, name="综合受理", services=[item])
    assert _events() == events
    window = window_upsert(site=station_a, number=1, name="综合受理", services=[item], is_active=False)
    assert window.is_active is False
    assert Event.objects.filter(verb="window.updated").count() == 1


def test_deleting_a_window_is_audited(station_a):
    window = window_upsert(site=station_a, number=2, name="法律援助")
    window_delete(window=window)
    assert not Window.objects.filter(site=station_a, number=2).exists()
    event = Event.objects.get(verb="window.deleted")
    assert event.payload == {"number": 2, "name": "法律援助"}
