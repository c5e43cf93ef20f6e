"""The statute library in a real browser: axe-core (WCAG 2.1 A/AA, serious and critical) on
the search, law and article pages in standard and large type; no sideways scrolling at 360 px;
the chapter outline opens and closes from the keyboard."""

import pytest
from django.urls import reverse

from open12348.portal.tests.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/laws/",
    "/laws/?q=%E8%A7%A3%E9%99%A4+%E5%8A%B3%E5%8A%A8%E5%90%88%E5%90%8C",  # ?q=解除 劳动合同
    "/laws/?q=x&date_from=bad",  # a form error
    "/laws/lrb-civil/",
    "/laws/lrb-case1/",
    "/laws/lrb-labour2007/",
    "/laws/lrb-labour2012/37/",
]


def no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_pages_have_no_serious_violations_and_fit_a_phone(browser, live_server, library):
    found = []
    for large in (False, True):
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", bypass_csp=True)
        context.set_default_timeout(10_000)
        if large:
            context.add_cookies([{"name": "ui", "value": "large", "url": live_server.url}])
        page = context.new_page()
        for url in PAGES:
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            found += [f"{url} large={large}: {line}" for line in violations(page)]
            if no_sideways_scroll(page) > 0:
                found.append(f"{url} large={large}: scrolls sideways at 360 px")
        context.close()
    assert found == []


def test_the_outline_works_from_the_keyboard(browser, live_server, library):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + reverse("laws:law", args=["lrb-civil"]))
    outline = page.locator(".law-outline details").first
    assert outline.get_attribute("open") is not None
    outline.locator("summary").focus()
    page.keyboard.press("Enter")
    assert outline.get_attribute("open") is None
    page.keyboard.press("Enter")
    assert outline.get_attribute("open") is not None
    page.get_by_role("link", name="第四章 非法人组织").click()
    assert page.url.endswith("#c3")
    context.close()
