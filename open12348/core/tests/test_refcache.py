"""The process-local reference cache: one query per entry and period, dropped at once when
its model is saved or deleted in this process, expired after REFERENCE_CACHE_SECONDS."""

import pytest

from open12348.catalog.selectors import service_item_by_code
from open12348.core import refcache
from open12348.orgs.selectors import org_by_code
from open12348.workorders.tests.factories import service_item


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.REFERENCE_CACHE_SECONDS = 30
    refcache.clear()
    yield
    refcache.clear()


def test_a_cached_look_up_queries_once(db, django_assert_num_queries):
    item = service_item("consultation")
    with django_assert_num_queries(1):
        assert service_item_by_code("consultation") == item
        assert service_item_by_code("consultation") == item
        assert service_item_by_code("unknown") is None


def test_saving_the_model_in_this_process_drops_the_entry_at_once(db):
    item = service_item("consultation")
    assert service_item_by_code("consultation") is not None
    item.is_active = False
    item.save()
    assert service_item_by_code("consultation") is None


def test_an_entry_expires_after_the_configured_seconds(db, city, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(refcache.time, "monotonic", lambda: clock[0])
    assert org_by_code(city.code) == city
    # Another process renames the node: an UPDATE fires no signal in this process.
    type(city).objects.filter(pk=city.pk).update(name="苏州")
    assert org_by_code(city.code).name == "苏州市"
    clock[0] += 31
    assert org_by_code(city.code).name == "苏州"


def test_zero_seconds_turns_the_cache_off(db, settings, django_assert_num_queries):
    settings.REFERENCE_CACHE_SECONDS = 0
    service_item("consultation")
    with django_assert_num_queries(2):
        service_item_by_code("consultation")
        service_item_by_code("consultation")
