"""The public shell in a real browser (Debian's Chromium through Playwright): narrow
screens, 大字版, keyboard-only use. Skipped only when /usr/bin/chromium is absent."""

import pytest

from open12348.accounts.tests.factories import TEST_PASSWORD, make_staff
from open12348.catalog.models import ServiceItem
from open12348.orgs.models import OrgNode
from open12348.orgs.tests.factories import OrgNodeFactory, SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def public_data():
    city = OrgNodeFactory(code="320500", name="苏州市", level=OrgNode.Level.CITY)
    district = OrgNodeFactory(code="320585", name="太仓市", level=OrgNode.Level.DISTRICT, parent=city)
    town = OrgNodeFactory(code="320585100", name="城厢镇", level=OrgNode.Level.STREET, parent=district)
    SiteFactory(
        org=district,
        kind="center",
        name="太仓市公共法律服务中心",
        address="太仓市城厢镇县府东街99号市民服务中心一楼东侧（长地址测试）",
    )
    SiteFactory(org=town, name="城厢镇公共法律服务工作站")
    ServiceItem.objects.create(
        code="legal-aid",
        name="法律援助申请受理与审查（经济困难公民和特殊案件当事人）",
        category=ServiceItem.Category.LEGAL_AID,
        responsible_body="法律援助中心",
        time_limit_days=7,
        fee_note="免费",
        channels=["window", "hotline", "web", "wechat", "home_visit"],
        description="经济困难公民和符合法定条件的其他当事人，可以申请免费的法律咨询、代理、刑事辩护等法律服务。",
    )
    return town


def _tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received the keyboard focus")


def test_home_has_no_horizontal_scroll_at_360_px_in_standard_and_large_type(page, live_server, public_data):
    for cookie in ("", "large"):
        if cookie:
            page.context.add_cookies([{"name": "ui", "value": cookie, "url": live_server.url}])
        page.goto(live_server.url + "/")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"horizontal scroll of {overflow}px with ui={cookie!r}"


def test_large_type_switch_works_from_the_keyboard_and_enlarges_body_text(page, live_server, public_data):
    page.goto(live_server.url + "/")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # the skip link shows when focused

    _tab_to(page, "#pref-large")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "ui-large" in page.evaluate("document.documentElement.className")
    for selector in ("body", ".lead", ".card-text", ".facts dd", "label[for=id_area]"):
        size = page.evaluate("(s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", selector)
        assert size >= 18, f"{selector} is {size}px in 大字版"
    line_height = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.lead')).lineHeight)")
    lead_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.lead')).fontSize)")
    assert line_height / lead_size >= 1.3
    visible_boxes = (
        "(els) => els.filter((e) => e.getClientRects().length)"
        ".map((e) => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    for selector in (".pref-button", ".main-nav a", ".button", "select"):
        for box in page.eval_on_selector_all(selector, visible_boxes):  # 大字版 hides secondary nav items
            assert box[0] >= 60 and box[1] >= 60, f"{selector} target is {box} in 大字版"
    assert page.locator("#pref-large").inner_text() == "标准版"

    _tab_to(page, "#pref-large")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "ui-large" not in page.evaluate("document.documentElement.className")


def test_site_finder_swaps_the_results_in_place_with_htmx(page, live_server, public_data):
    page.goto(live_server.url + "/")
    page.select_option("#id_area", public_data.code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#site-results-title")
    assert page.url == live_server.url + "/"  # swapped in place, no navigation
    assert "城厢镇的服务站点（共1个）" in page.inner_text("#site-results")
    assert page.evaluate("document.activeElement.id") == "site-results-title"


def test_login_form_can_be_filled_and_submitted_with_the_keyboard_only(page, live_server, public_data):
    make_staff("clerk_kb", public_data, "window_clerk")
    page.goto(live_server.url + "/accounts/login/")
    _tab_to(page, "#id_username")
    page.keyboard.type("clerk_kb")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(TEST_PASSWORD)
    with page.expect_navigation(url=f"{live_server.url}/console/"):
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "工作台"
    assert "城厢镇" in page.inner_text("main")


def test_login_errors_are_announced_and_keep_the_user_name(page, live_server, public_data):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "someone")
    page.fill("#id_password", "Wrong-password-1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    assert "手机号（用户名）或密码不正确" in alert.inner_text()
    assert page.input_value("#id_username") == "someone"
