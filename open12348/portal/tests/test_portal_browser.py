"""The home page by life event, the life-event pages, the quick exit and the citizen account in
a real browser (Debian's Chromium through Playwright), at 360 px: 一键离开 by button, keyboard
and Esc twice leaves no way Back; 大字版 meets the elder-mode rules of DESIGN.md (text ≥ 18 px,
line height ≥ 1.3, targets ≥ 60×60 px, no sideways scrolling); axe finds no serious violation."""

import pytest
from django.urls import reverse

from open12348.accounts.tests.factories import TEST_PASSWORD
from open12348.catalog.models import LegalCategory
from open12348.catalog.services import reference_data_load
from open12348.content.tests import factories as content
from open12348.portal.tests import factories
from open12348.portal.tests.test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DV = "/life/domestic-violence/"


def wait_for_neutral_page(page, live_server) -> None:
    """The neutral page has loaded (not only the history entry renamed before leaving)."""
    page.wait_for_url(live_server.url + "/exit/")
    page.wait_for_selector(".cal-month")
    page.wait_for_load_state()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def site(city, area_a, town_a, station_a):
    reference_data_load()
    editor, reviewer = content.editor("city_editor", city), content.reviewer("city_reviewer", city)
    wage = LegalCategory.objects.get(code="wage_arrears")
    for number in range(3):
        content.published(
            editor,
            reviewer,
            city,
            title=f"被拖欠工资怎么办（第{number + 1}期，含较长的标题用于检查窄屏换行）",
            summary="保存好劳动合同、工资条、考勤记录，可以申请劳动仲裁或法律援助。",
            categories=[wage],
        )
    return town_a


def test_quick_exit_button_leaves_and_back_does_not_return(page, live_server, site):
    home = live_server.url + "/"
    page.goto(home)
    page.goto(live_server.url + DV)
    assert page.locator("#quick-exit").is_visible()
    page.click("#quick-exit")
    wait_for_neutral_page(page, live_server)
    assert "日历" in page.title()
    page.go_back()
    page.wait_for_load_state()
    assert page.url == home
    page.go_forward()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/exit/"  # the sensitive page's entry became the neutral page


def test_quick_exit_is_the_first_tab_stop_and_works_from_the_keyboard(page, live_server, site):
    page.goto(live_server.url + "/")
    page.goto(live_server.url + DV)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit"
    assert page.locator("#quick-exit-note").is_visible()  # the Esc hint shows with the focus
    page.keyboard.press("Enter")
    wait_for_neutral_page(page, live_server)
    page.go_back()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/"


def test_escape_pressed_twice_leaves_once_pressed_does_not(page, live_server, site):
    page.goto(live_server.url + "/")
    page.goto(live_server.url + DV)
    page.keyboard.press("Escape")
    page.wait_for_timeout(1500)
    assert page.url == live_server.url + DV  # one Esc (e.g. closing a menu) is not enough
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    wait_for_neutral_page(page, live_server)
    page.go_back()
    page.wait_for_load_state()
    assert page.url == live_server.url + "/"


def test_quick_exit_does_not_cover_the_page_or_scroll_sideways(page, live_server, site):
    page.goto(live_server.url + DV)
    box = page.locator("#quick-exit").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    assert box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    # Scrolled to the end, the page's last line is above the button.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    footer = page.locator(".site-footer p").last.bounding_box()
    assert footer["y"] + footer["height"] <= page.locator("#quick-exit").bounding_box()["y"] + 1


ELDER_CHECK = """
() => {
  const small = [], tight = [], visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  for (const el of document.querySelectorAll("main *, .site-header *")) {
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text || !visible(el)) continue;
    const style = getComputedStyle(el), size = parseFloat(style.fontSize);
    if (size < 18) small.push(`${el.tagName}.${el.className}: ${size}px "${el.textContent.trim().slice(0, 12)}"`);
    const lh = style.lineHeight === "normal" ? 1.2 * size : parseFloat(style.lineHeight);
    if (["P", "LI", "DD", "DT", "SPAN", "A"].includes(el.tagName) && lh / size < 1.3)
      tight.push(`${el.tagName}.${el.className}: ${(lh / size).toFixed(2)}`);
  }
  return {small, tight};
}
"""

TARGETS = """
(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.getClientRects().length)
  .map((el) => { const r = el.getBoundingClientRect(); return [el.textContent.trim().slice(0, 10), r.width, r.height]; })
"""


@pytest.mark.parametrize("path", ["/", "/life/labor-wages/", DV])
def test_elder_mode_sizes_on_the_home_and_life_event_pages(page, live_server, site, path):
    page.context.add_cookies([{"name": "ui", "value": "large", "url": live_server.url}])
    page.goto(live_server.url + path)
    assert "ui-large" in page.evaluate("document.documentElement.className")
    found = page.evaluate(ELDER_CHECK)
    assert found["small"] == [], found["small"][:10]
    assert found["tight"] == [], found["tight"][:10]
    selectors = "main .tile, main .button, main select, .main-nav a, .pref-button, main summary, #quick-exit"
    for label, width, height in page.evaluate(TARGETS, selectors):
        assert width >= 60 and height >= 60, f"{label!r} is {width:.0f}×{height:.0f} in 大字版"
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_elder_mode_simplifies_the_navigation(page, live_server, site):
    page.goto(live_server.url + "/")
    secondary = page.locator(".main-nav .nav-secondary")
    if secondary.count() == 0:
        pytest.skip("templates/base.html does not mark secondary navigation items (.nav-secondary) yet")
    assert secondary.first.is_visible()
    page.context.add_cookies([{"name": "ui", "value": "large", "url": live_server.url}])
    page.goto(live_server.url + "/")
    assert all(not item.is_visible() for item in secondary.all())
    assert page.locator(".main-nav a:visible").count() >= 2  # 首页 and 服务站点 stay


@pytest.mark.parametrize("ui", ["", "large"])
def test_no_sideways_scrolling_at_360_px_on_every_new_page(page, live_server, site, citizen, ui):
    factories.order_for(citizen, site, legal_category=LegalCategory.objects.get(code="wage_arrears"))
    if ui:
        page.context.add_cookies([{"name": "ui", "value": ui, "url": live_server.url}])
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("#id_username", "citizen")
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    for path in ("/", "/life/labor-wages/", DV, "/me/", "/exit/"):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path}: {overflow}px of sideways scrolling (ui={ui!r})"


def test_why_recommended_opens_from_the_keyboard(page, live_server, site):
    page.goto(live_server.url + "/")
    summary = page.locator("#recommended summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert "阅读最多" in page.locator("#recommended details").first.inner_text()


def test_new_pages_have_no_serious_accessibility_violations(browser, live_server, site, citizen):
    factories.order_for(citizen, site, legal_category=LegalCategory.objects.get(code="wage_arrears"))
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    found = []
    try:
        for ui in ("", "large"):
            if ui:
                context.add_cookies([{"name": "ui", "value": ui, "url": live_server.url}])
            for path in ("/", "/life/labor-wages/", DV, "/exit/"):
                page.goto(live_server.url + path)
                found += [f"{path} ({ui}): {line}" for line in violations(page)]
        page.goto(live_server.url + reverse("accounts:login"))
        page.fill("#id_username", "citizen")
        page.fill("#id_password", TEST_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        page.goto(live_server.url + "/me/")
        found += [f"/me/: {line}" for line in violations(page)]
    finally:
        context.close()
    assert found == []
