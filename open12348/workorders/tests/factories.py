"""Test data for work orders: catalog rows, posts, routing rules and `make_order`, which
goes through the real `workorder_create` service. Stable names — other apps import these."""

import pytest

from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.core import workdays
from open12348.workorders import services
from open12348.workorders.models import Channel, Post, RoutingRule

APPLICANT_PHONE = "13912345678"


def service_item(code: str = "consultation", days: int = 5, **overrides) -> ServiceItem:
    defaults = {
        "name": overrides.pop("name", "法律咨询"),
        "category": overrides.pop("category", ServiceItem.Category.CONSULTATION),
        "responsible_body": "司法局",
        "time_limit_days": days,
        "fee_note": "免费",
        "channels": ["window", "hotline", "web"],
    }
    defaults.update(overrides)
    item, _ = ServiceItem.objects.update_or_create(code=code, defaults=defaults)
    return item


def legal_category(code: str = "labor", name: str = "劳动纠纷", parent=None) -> LegalCategory:
    category, _ = LegalCategory.objects.get_or_create(code=code, defaults={"name": name, "parent": parent})
    return category


def post(
    org, code: str = "consultation", name: str = "法律咨询岗", members=(), assignment=Post.Assignment.MANUAL
) -> Post:
    made, _ = Post.objects.get_or_create(org=org, code=code, defaults={"name": name, "assignment": assignment})
    if members:
        made.members.add(*members)
    return made


def routing_rule(name: str = "规则", **fields) -> RoutingRule:
    return RoutingRule.objects.create(name=name, **fields)


def make_order(actor=None, area=None, **overrides):
    """A work order created through `workorder_create`. `area` is required (an OrgNode);
    the service item defaults to `service_item()`."""
    if area is None:
        raise TypeError("make_order needs area=<OrgNode>")
    fields = {
        "channel": Channel.WINDOW,
        "applicant_name": "王小明",
        "applicant_phone": APPLICANT_PHONE,
        "description": "单位拖欠工资三个月，想咨询如何维权。",
    }
    fields.update(overrides)
    if "service_item" not in fields:
        fields["service_item"] = service_item()
    return services.workorder_create(actor=actor, area=area, **fields)


@pytest.fixture
def loaded_calendar(db):
    """The working-day calendar loaded from chinese-calendar (2004–2026), with the
    in-process cache cleared before and after so no other test sees it."""
    workdays.clear_cache()
    workdays.calendar_load()
    yield
    workdays.clear_cache()
