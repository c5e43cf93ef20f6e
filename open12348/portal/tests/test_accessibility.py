"""Accessibility of the main pages, checked in a real browser with axe-core (vendored under
core/tests/axe, MPL-2.0): no serious or critical WCAG 2.1 A/AA violation on the public pages a
citizen uses and the console pages staff use all day, in normal and large type."""

from pathlib import Path

import pytest
from django.urls import reverse

from open12348.accounts.tests.factories import TEST_PASSWORD
from open12348.workorders.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).resolve().parents[2] / "core" / "tests" / "axe" / "axe.min.js").read_text()
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def page(browser):
    # axe is injected as an inline script: the test context bypasses the pages' CSP for it.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[node['target'] for node in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return [f"{url}: {line}" for line in violations(page)]


def test_public_pages_have_no_serious_violations(page, live_server, town_a):
    factories.service_item()
    found = []
    public = ("portal:home", "portal:sites", "requests:submit", "requests:track", "accounts:login")
    for name in (*public, "content:list", "directory:search", "directory:credit"):
        found += check(page, live_server.url + reverse(name))
    assert found == []


def test_public_pages_in_large_type_have_no_serious_violations(page, live_server, town_a):
    factories.service_item()
    page.goto(live_server.url + reverse("portal:home"))
    large = page.get_by_role("button", name="大字")
    if large.count():
        large.first.click()
    found = check(page, live_server.url + reverse("requests:submit"))
    assert found == []


def test_console_pages_have_no_serious_violations(page, live_server, clerk_a, town_a):
    order = factories.make_order(actor=clerk_a, area=town_a)
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("#id_username", "clerk_a")
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    found = []
    for url in (
        reverse("portal:console"),
        reverse("workorders:inbox"),
        reverse("workorders:intake"),
        reverse("workorders:detail", args=[order.pk]),
    ):
        found += check(page, live_server.url + url)
    assert found == []


def test_the_checker_itself_reports_a_serious_violation(page):
    page.set_content('<html lang="zh-CN"><title>t</title><body><main><input type="text"></main></body></html>')
    assert any(line.startswith("label ") for line in violations(page))
