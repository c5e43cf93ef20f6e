"""The work-order walk in a real browser (Debian's Chromium through Playwright): a window
clerk from intake to resolution, and a citizen from web submission to tracking and rating.
Skipped only when /usr/bin/chromium is absent."""

import re

import pytest

from open12348.accounts.tests.factories import TEST_PASSWORD
from open12348.workorders import services
from open12348.workorders.models import ReturnVisit, Status, WorkOrder
from open12348.workorders.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def item(town_a):
    return factories.service_item(code="consultation", days=5)


def _sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_window_clerk_takes_an_intake_then_claims_starts_and_resolves_it(page, live_server, clerk_a, town_a, item):
    earlier = factories.make_order(actor=clerk_a, area=town_a, service_item=item, applicant_phone="13912345678")
    _sign_in(page, live_server, "clerk_a")
    page.get_by_role("link", name=re.compile("窗口受理")).first.click()
    page.wait_for_selector("h1:has-text('窗口受理登记')")

    page.fill("#id_applicant_name", "王小明")
    page.locator("#id_applicant_phone").press_sequentially("13912345678")
    # As the clerk types, the caller's earlier orders appear (htmx, after a short pause).
    page.wait_for_selector(f"#applicant-history a:has-text('{earlier.tracking_code}')")
    page.select_option("#id_service_item", str(item.pk))
    page.select_option("#id_area", str(town_a.pk))
    page.wait_for_selector("#route-preview dt:has-text('承办单位')")
    assert town_a.name in page.inner_text("#route-preview")
    page.fill("#id_description", "公司拖欠工资三个月，想咨询如何维权。")
    with page.expect_navigation():
        page.get_by_role("button", name="登记受理").click()

    order = WorkOrder.objects.exclude(pk=earlier.pk).get()
    assert order.tracking_code in page.inner_text(".messages")
    assert page.url.endswith(f"/console/orders/{order.pk}/")

    for label in ("认领", "开始办理"):
        with page.expect_navigation():
            page.locator("#actions").get_by_role("button", name=label, exact=True).click()
        assert f"已{label}。" in page.inner_text(".messages")
    page.select_option("#resolve-outcome", "answered")
    page.fill("#resolve-reply", "已解答：可向劳动监察大队投诉或申请劳动仲裁。")
    with page.expect_navigation():
        page.locator("#actions").get_by_role("button", name="办结", exact=True).click()
    assert "已办结。" in page.inner_text(".messages")
    assert "已办结" in page.inner_text(".lead")
    order.refresh_from_db()
    assert order.status == Status.RESOLVED and order.assignee == clerk_a
    assert "开始办理" in page.inner_text("#timeline")


def test_citizen_submits_on_the_web_tracks_and_rates_after_staff_resolved_it(page, live_server, clerk_a, town_a, item):
    page.goto(live_server.url + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="我要提出诉求").click()
    page.get_by_label("法律咨询").check()
    page.fill("#id_applicant_name", "陈七")
    page.fill("#id_applicant_phone", "13600001234")
    page.select_option("#id_area", town_a.code)
    page.fill("#id_description", "父亲去世后房产如何继承？")
    page.get_by_label("我已阅读并同意个人信息保护告知").check()
    with page.expect_navigation():
        page.get_by_role("button", name="提交诉求").click()

    code = page.inner_text("#tracking-code").strip()
    order = WorkOrder.objects.get()
    assert code == order.tracking_code
    assert "办理期限" in page.inner_text("main")

    # A staff member handles it meanwhile.
    services.workorder_transition(actor=clerk_a, order=order, action="claim")
    services.workorder_transition(actor=clerk_a, order=order, action="start")
    services.workorder_transition(
        actor=clerk_a,
        order=order,
        action="resolve",
        outcome_code="answered",
        reply="按法定继承，由配偶、子女、父母继承。",
    )

    with page.expect_navigation():
        page.get_by_role("link", name="查询办理进度").click()
    page.fill("#id_code", code.lower())
    page.fill("#id_phone", "13600001234")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert page.inner_text("#track-status") == "已办结"
    assert "由配偶、子女、父母继承" in page.inner_text("main")

    page.get_by_label("非常满意").check()
    page.fill("#id_comment", "答复很清楚")
    with page.expect_navigation():
        page.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in page.inner_text(".messages")
    visit = ReturnVisit.objects.get(work_order=order)
    assert visit.satisfaction == 5 and visit.method == ReturnVisit.Method.SELF


def test_work_order_pages_fit_a_360_px_screen_in_standard_and_large_type(browser, live_server, clerk_a, town_a, item):
    order = factories.make_order(actor=clerk_a, area=town_a, service_item=item)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    try:
        _sign_in(page, live_server, "clerk_a")
        paths = [
            "/requests/",
            "/requests/track/",
            "/console/orders/?tab=unassigned",
            "/console/orders/intake/?channel=hotline",
            f"/console/orders/{order.pk}/",
            "/console/orders/ledgers/visits/",
        ]
        for cookie in ("", "large"):
            if cookie:
                context.add_cookies([{"name": "ui", "value": cookie, "url": live_server.url}])
            for path in paths:
                page.goto(live_server.url + path)
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{path}: horizontal scroll of {overflow}px with ui={cookie!r}"
                if cookie == "large":
                    size = page.evaluate(
                        "parseFloat(getComputedStyle(document.querySelector('main p, main label')).fontSize)"
                    )
                    assert size >= 18, f"{path}: text is {size}px in 大字版"
    finally:
        context.close()
