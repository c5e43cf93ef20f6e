"""A full visit to the hall in a real browser (Debian's Chromium through Playwright): a kiosk
ticket, the window clerk calling it, the hall display showing and announcing it, finishing
with a work order, and the evaluator recording the rating. The display gets the call from
the push application (Server-Sent Events), run in this process beside live_server so that it
reads the same test database; its polling fallback is left at 10 s, so only the push can show
the call in time. Skipped only when /usr/bin/chromium is absent."""

import time

import pytest
from django.urls import reverse

from open12348.accounts.tests.factories import TEST_PASSWORD
from open12348.queuing.models import Device, Evaluation, Ticket
from open12348.queuing.tests.asgi_server import ThreadedASGIServer
from open12348.workorders.models import Channel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def push_server(settings):
    """The push application on a free port; display pages told to use it (and allowed to)."""
    from config.asgi import push_application

    server = ThreadedASGIServer(push_application)
    url = server.start()
    settings.PUSH_URL = url
    settings.SECURE_CSP = {**settings.SECURE_CSP, "connect-src": [*settings.SECURE_CSP["connect-src"], url]}
    yield server
    server.stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context
    context.close()


def new_page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def device_url(live_server, device) -> str:
    return live_server.url + reverse("queuing:device", args=[device.key])


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def test_kiosk_ticket_window_call_display_announcement_finish_and_rating(
    browser, context, live_server, push_server, hall, clerk_a
):
    errors = []

    # The hall display and the evaluator are on before anyone comes in.
    display = new_page(context)
    display.on("pageerror", lambda error: errors.append(str(error)))
    clips = []
    display.on("request", lambda request: "/static/queuing/voice/" in request.url and clips.append(request.url))
    display.goto(device_url(live_server, hall.display))
    display.wait_for_selector("#voice-overlay:not([hidden])")
    display.get_by_role("button", name="点击启用语音播报").click()  # browsers want one tap for sound
    assert display.is_hidden("#voice-overlay")
    evaluator = new_page(context)
    evaluator.on("pageerror", lambda error: errors.append(str(error)))
    evaluator.goto(device_url(live_server, hall.evaluator))
    assert evaluator.is_visible("#screen-idle") and not evaluator.is_visible("#screen-rate")

    # A citizen takes a ticket at the kiosk, typing the phone on the on-screen keypad.
    kiosk = new_page(context)
    kiosk.on("pageerror", lambda error: errors.append(str(error)))
    kiosk.goto(device_url(live_server, hall.kiosk))
    kiosk.get_by_text("填写手机号码、身份证号码或选择绿色通道（选填）").click()
    kiosk.click("#id_phone")
    for digit in "13912345678":
        kiosk.locator("#take-form .keypad-key", has_text=digit).first.click()
    assert kiosk.input_value("#id_phone") == "13912345678"
    with kiosk.expect_navigation():
        kiosk.get_by_role("button", name="法律咨询").click()
    assert kiosk.inner_text("#ticket-number") == "B001"
    assert kiosk.locator(".ticket-qr img").get_attribute("src").startswith("data:image/svg+xml")
    ticket = Ticket.objects.get()
    assert ticket.phone == "13912345678"

    # The clerk, at the window's own PC (another browser), opens window 1 and calls with
    # the keyboard shortcut.
    staff_pc = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    console = new_page(staff_pc)
    sign_in(console, live_server, "clerk_a")
    console.goto(live_server.url + reverse("queuing:windows"))
    with console.expect_navigation():
        console.get_by_role("button", name="在此窗口上岗").first.click()
    console.wait_for_selector("#btn-call-next:not([disabled])")
    console.locator("h1").click()  # the focus outside any field: shortcuts are live
    pressed = time.monotonic()
    console.keyboard.press("n")
    console.wait_for_selector("#current-number:has-text('B001')")

    # The display, pushed, shows the number and announces it (PERFORMANCE.md B10 measures the
    # latency; here it must come well before the 10 s polling fallback could).
    display.wait_for_selector("#announce:has-text('请 B001 号到 1 号窗口办理')", timeout=5_000)
    shown = time.monotonic() - pressed
    assert shown < 3.0, f"display updated after {shown:.1f} s"
    assert display.is_hidden("#conn-badge")
    assert any(path.startswith(f"/push/queue/sites/{hall.site.pk}/stream") for path in push_server.paths)
    tile = f".window-tile[data-window-id='{hall.windows[1].pk}'] [data-role=current]"
    assert display.inner_text(tile) == "B001"
    assert "B001" in display.inner_text("#recent-calls")
    assert display.get_attribute("#announce", "aria-live") == "assertive"
    # Headless Chromium has no local Chinese voice: the announcement plays the offline clips
    # (after the chime), 请 · B · 0 · 0 · 1 · 号 · 到 · 1 · 号窗口办理.
    display.wait_for_function("() => document.querySelector('#announce').textContent.length > 0")
    deadline = time.monotonic() + 5
    while not any(url.endswith("/chuangkou.wav") for url in clips) and time.monotonic() < deadline:
        display.wait_for_timeout(100)
    names = [url.rsplit("/", 1)[1] for url in clips]
    assert {"qing.wav", "B.wav", "0.wav", "1.wav", "hao.wav", "dao.wav", "chuangkou.wav"} <= set(names), names

    # Start, then finish with a description: a work order (channel window) is opened and,
    # 当场办结 being ticked by default, resolved at once.
    console.get_by_role("button", name="开始办理").click()
    console.wait_for_selector("#current-status:has-text('办理中')")
    console.fill("#id_description", "咨询劳动合同解除后的经济补偿。")
    console.fill("#id_applicant_name", "王小明")
    console.get_by_role("button", name="办结", exact=True).click()
    console.wait_for_selector("#console-flash:has-text('已办结')")
    ticket.refresh_from_db()
    order = ticket.work_order
    assert ticket.status == Ticket.Status.DONE and order.channel == Channel.WINDOW
    assert order.status == "resolved"
    assert order.tracking_code in console.inner_text("#console-flash")

    # The evaluator at window 1 shows the rating screen; the citizen rates.
    evaluator.wait_for_selector("#screen-rate:not([hidden])", timeout=8_000)
    assert evaluator.inner_text("#rate-number") == "B001"
    evaluator.get_by_label("非常满意").first.check()  # 服务态度 (optional part)
    with evaluator.expect_navigation():
        evaluator.get_by_role("button", name="非常满意").click()
    evaluator.wait_for_selector("#screen-thanks:not([hidden])")
    evaluation = Evaluation.objects.get()
    assert (evaluation.overall, evaluation.attitude) == (5, 5)
    assert evaluation.ticket == ticket and evaluation.work_order == order and evaluation.staff == clerk_a
    order.refresh_from_db()  # the rating is the order's return visit
    assert (order.status, order.satisfaction, order.return_visits.get().method) == ("return_visit", 5, "evaluator")

    staff_pc.close()

    # Every device page has sent its heartbeat.
    assert Device.objects.filter(last_seen_at__isnull=False).count() >= 3
    assert errors == []
