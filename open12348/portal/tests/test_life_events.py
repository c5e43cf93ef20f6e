"""The home page by life event: the mapping (portal/life_events.py) against the reference data,
and the life-event pages for every visitor."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from open12348.catalog.services import reference_data_load
from open12348.content.tests import factories as content
from open12348.portal import life_events

CATALOG = Path(__file__).resolve().parents[2] / "catalog" / "data"
SERVICE_CODES = {item["code"] for item in json.loads((CATALOG / "service_items.json").read_text())["items"]}
_TOP = json.loads((CATALOG / "legal_categories.json").read_text())["categories"]
TOP_CATEGORIES = {entry["code"] for entry in _TOP}
ALL_CATEGORIES = TOP_CATEGORIES | {child["code"] for entry in _TOP for child in entry.get("children", [])}
REQUIRED = [
    "劳动工资",
    "婚姻家庭",
    "交通事故",
    "借款欠款",
    "房产物业",
    "消费维权",
    "继承",
    "老年人权益",
    "未成年人保护",
]


# --- the mapping (no database) -------------------------------------------------------------------


def test_the_issue_s_life_events_are_all_there_and_a_few_more():
    titles = [str(event.title) for event in life_events.EVENTS]
    assert titles[: len(REQUIRED)] == REQUIRED
    assert {"医疗纠纷", "家庭暴力", "法律援助"} <= set(titles)


@pytest.mark.parametrize("event", life_events.EVENTS, ids=lambda event: event.slug)
def test_every_event_maps_to_categories_and_services_that_exist(event):
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", event.slug)
    assert event.categories and set(event.categories) <= ALL_CATEGORIES
    assert event.services and set(event.services) <= SERVICE_CODES
    assert event.consult_category in TOP_CATEGORIES  # the ask form offers the top level
    assert len(set(event.services)) == len(event.services)
    assert str(event.summary) and all(str(tip) for tip in event.tips)


def test_slugs_are_unique_and_looked_up():
    assert len(life_events.BY_SLUG) == len(life_events.EVENTS)
    assert life_events.get("labor-wages").title == "劳动工资"
    assert life_events.get("no-such-event") is None


def test_domestic_violence_is_sensitive_and_ordinary_events_are_not():
    assert life_events.get("domestic-violence").sensitive
    assert not life_events.get("labor-wages").sensitive


def test_services_for_categories_follow_the_events_order_without_repeats():
    codes = life_events.services_for_categories(["wage_arrears", "labor"])
    assert codes[0] == "labor_arbitration_guide"
    assert len(codes) == len(set(codes))
    assert life_events.services_for_categories(["no_such_category"]) == []


# --- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def reference(db):
    reference_data_load()


@pytest.fixture
def labour_article(city, reference):
    from open12348.catalog.models import LegalCategory

    editor = content.editor("city_editor", city)
    reviewer = content.reviewer("city_reviewer", city)
    wage = LegalCategory.objects.get(code="wage_arrears")
    divorce = LegalCategory.objects.get(code="divorce")
    content.published(editor, reviewer, city, title="离婚冷静期问答", categories=[divorce])
    return content.published(editor, reviewer, city, title="被拖欠工资怎么办", categories=[wage])


@pytest.mark.django_db
def test_a_life_event_page_shows_services_articles_consultation_hotline_and_sites(client, labour_article):
    response = client.get(reverse("portal:life-event", args=["labor-wages"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>劳动工资</h1>" in html
    assert "劳动人事争议仲裁指引" in html and "法律援助" in html  # services from the catalog
    assert "被拖欠工资怎么办" in html  # an article of a sub-category of 劳动纠纷
    assert "离婚冷静期问答" not in html
    assert 'href="/consult/ask/?category=labor"' in html
    assert 'href="tel:12348"' in html
    assert f'href="{reverse("portal:sites")}"' in html
    assert 'id="quick-exit"' not in html  # not a sensitive page
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_the_domestic_violence_page_has_the_quick_exit_and_is_never_cached(client, reference, settings):
    settings.QUICK_EXIT_URL = "/exit/"
    response = client.get(reverse("portal:life-event", args=["domestic-violence"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="quick-exit" href="/exit/"' in html
    assert "portal/quick-exit.js" in html
    assert 'href="tel:110"' in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_quick_exit_follows_the_setting(client, reference, settings):
    settings.QUICK_EXIT_URL = "https://www.example.com/weather"
    html = client.get(reverse("portal:life-event", args=["domestic-violence"])).content.decode()
    assert 'id="quick-exit" href="https://www.example.com/weather"' in html


@pytest.mark.django_db
def test_an_unknown_life_event_is_a_chinese_404(client):
    response = client.get(reverse("portal:life-event", args=["no-such-event"]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "citizen", "clerk_a"])
def test_life_event_pages_are_public_to_everyone(client, reference, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who), backend="open12348.accounts.backends.RoleBackend")
    for event in life_events.EVENTS:
        assert client.get(reverse("portal:life-event", args=[event.slug])).status_code == 200


@pytest.mark.django_db
def test_the_site_link_and_articles_follow_the_area_chosen_in_the_finder(client, reference, area_a, town_a):
    response = client.get(reverse("portal:sites"), {"area": town_a.code})
    assert response.cookies["area"].value == town_a.code
    assert response.cookies["area"]["httponly"]
    html = client.get(reverse("portal:life-event", args=["labor-wages"])).content.decode()
    assert f'href="/sites/?area={town_a.code}"' in html
    assert "找城厢镇的服务点" in html


@pytest.mark.django_db
def test_an_unknown_area_is_not_remembered(client, reference):
    response = client.get(reverse("portal:sites"), {"area": "999999"})
    assert "area" not in response.cookies
    client.cookies["area"] = "<b>1</b>"
    assert client.get(reverse("portal:life-event", args=["labor-wages"])).status_code == 200


def test_sensitive_categories_are_marriage_and_family_and_domestic_violence():
    assert life_events.SENSITIVE_CATEGORIES == {"marriage_family", "domestic_violence"}


@pytest.mark.django_db
def test_the_template_filter_marks_sensitive_categories_and_their_children():
    from open12348.portal.templatetags.portal_tags import needs_quick_exit
    from open12348.portal.tests import factories

    family = factories.family_tree()
    labor = factories.labor_tree()
    assert needs_quick_exit(family["marriage_family"])
    assert needs_quick_exit(family["divorce"])  # under 婚姻家庭
    assert needs_quick_exit("domestic_violence")
    assert not needs_quick_exit(labor["wage_arrears"])
    assert not needs_quick_exit(None) and not needs_quick_exit("")


@pytest.mark.django_db
def test_the_include_renders_the_button_on_any_page(rf, settings):
    from django.template import Context, Template

    settings.QUICK_EXIT_URL = "/exit/"
    html = Template('{% include "includes/quick_exit.html" %}').render(Context({"csp_nonce": "n0nce"}))
    assert '<a class="quick-exit" id="quick-exit" href="/exit/"' in html
    assert 'nonce="n0nce"' in html and "quick-exit.js" in html and ".quick-exit" in html  # its stylesheet inline
