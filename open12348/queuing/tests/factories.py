"""Test data for the hall: a site with queue services, windows and devices. Stable names —
the API, page and browser tests import these.

`hall` builds, at `station_a` (城厢镇公共法律服务工作站, where `clerk_a` works):
  A 法律援助 (legal_aid), B 法律咨询 (consultation), C 人民调解 (mediation);
  window 1 handles consultation + mediation, window 2 legal_aid + consultation,
  window 3 mediation only; a kiosk, a display and an evaluator bound to window 1."""

from dataclasses import dataclass

import pytest

from open12348.catalog.models import ServiceItem
from open12348.orgs.models import Site, Window
from open12348.queuing.models import Device, QueueService
from open12348.workorders.tests.factories import service_item

HALL_SERVICES = (
    ("A", "legal_aid", "法律援助", ServiceItem.Category.LEGAL_AID, 7),
    ("B", "consultation", "法律咨询", ServiceItem.Category.CONSULTATION, 5),
    ("C", "mediation", "人民调解", ServiceItem.Category.MEDIATION, 22),
)
HALL_WINDOWS = (
    (1, "综合受理", ("consultation", "mediation")),
    (2, "法律援助", ("legal_aid", "consultation")),
    (3, "人民调解", ("mediation",)),
)


@dataclass
class Hall:
    site: Site
    services: dict[str, QueueService]  # by prefix
    windows: dict[int, Window]  # by number
    kiosk: Device
    display: Device
    evaluator: Device  # bound to window 1


def make_hall(site: Site) -> Hall:
    items = {}
    services = {}
    for sort, (prefix, code, name, category, days) in enumerate(HALL_SERVICES):
        items[code] = service_item(code, days, name=name, category=category)
        site.services.add(items[code])
        services[prefix] = QueueService.objects.create(
            site=site, service_item=items[code], prefix=prefix, name=name, sort=sort
        )
    windows = {}
    for number, name, codes in HALL_WINDOWS:
        window = Window.objects.create(site=site, number=number, name=name)
        window.services.set([items[code] for code in codes])
        windows[number] = window
    return Hall(
        site=site,
        services=services,
        windows=windows,
        kiosk=Device.objects.create(site=site, kind=Device.Kind.KIOSK, name="大厅取号机"),
        display=Device.objects.create(site=site, kind=Device.Kind.DISPLAY, name="大厅显示屏"),
        evaluator=Device.objects.create(site=site, kind=Device.Kind.EVALUATOR, name="1号窗口评价器", window=windows[1]),
    )


@pytest.fixture
def hall(station_a) -> Hall:
    return make_hall(station_a)
