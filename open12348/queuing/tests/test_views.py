"""The hall pages through Django's test client: who may open what (device keys, the window
console, the director's pages, the public follow page), bad input on every form (a Chinese
message, the typed values kept, nothing written), and a full visit through the views."""

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from stdnum.cn import ric

from open12348.queuing import selectors, services
from open12348.queuing.models import Appointment, Device, Evaluation, Ticket, WindowSession
from open12348.workorders.models import Channel, WorkOrder
from open12348.workorders.tests import factories as workorder_factories

pytestmark = pytest.mark.django_db
BAD_KEY = "no-such-device-key"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def resident_id(birth: str, sequence: str = "123") -> str:
    body = f"320585{birth}{sequence}"
    return body + ric.calc_check_digit(body + "0")


def device_url(name: str, device_or_key, *extra) -> str:
    key = getattr(device_or_key, "key", device_or_key)
    return reverse(f"queuing:{name}", args=[key, *extra])


def text(response) -> str:
    return response.content.decode()


def take(client, hall, service="consultation", **fields):
    return client.post(device_url("kiosk-take", hall.kiosk), {"service": service, **fields})


def opened(user, window):
    services.window_open(actor=user, window=window)
    return window


def called(user, hall, number=1):
    """A ticket taken at the kiosk and called at `number`'s window by `user`."""
    window = hall.windows[number]
    ticket = services.ticket_issue(site=hall.site, service_code="consultation", phone=PHONE)
    if not WindowSession.objects.filter(window=window, closed_at__isnull=True).exists():
        opened(user, window)
    services.call_next(actor=user, window=window)
    ticket.refresh_from_db()
    return ticket


# ---- permissions: device pages ----------------------------------------------------------------

DEVICE_GETS = ["device", "evaluator-pending"]
DEVICE_POSTS = ["device-heartbeat", "kiosk-take", "kiosk-check-in", "evaluator-submit"]


@pytest.mark.parametrize("name", DEVICE_GETS + DEVICE_POSTS)
def test_a_wrong_device_key_is_a_404_on_every_device_url(client, hall, name):
    method = client.get if name in DEVICE_GETS else client.post
    assert method(device_url(name, BAD_KEY)).status_code == 404


def test_a_wrong_key_on_the_kiosk_ticket_page_is_a_404(client, hall):
    ticket = services.ticket_issue(site=hall.site, service_code="consultation")
    assert client.get(device_url("kiosk-ticket", BAD_KEY, ticket.follow_code)).status_code == 404
    assert client.get(device_url("kiosk-ticket", hall.kiosk, ticket.follow_code)).status_code == 200


def test_a_disabled_device_is_a_404(client, hall):
    Device.objects.filter(pk=hall.kiosk.pk).update(is_active=False)
    assert client.get(device_url("device", hall.kiosk)).status_code == 404


@pytest.mark.parametrize(
    ("name", "kind"),
    [("kiosk-take", "display"), ("kiosk-check-in", "evaluator"), ("evaluator-submit", "kiosk")],
)
def test_a_device_key_of_another_kind_is_a_404(client, hall, name, kind):
    device = {"kiosk": hall.kiosk, "display": hall.display, "evaluator": hall.evaluator}[kind]
    assert client.post(device_url(name, device), {"service": "consultation"}).status_code == 404
    assert client.get(device_url("evaluator-pending", hall.kiosk)).status_code == 404
    assert not Ticket.objects.exists()


def test_a_kiosk_ticket_page_shows_only_tickets_of_its_own_site(client, hall, town_a2):
    from open12348.orgs.tests.factories import SiteFactory
    from open12348.queuing.tests.factories import make_hall

    other = make_hall(SiteFactory(org=town_a2, name="沙溪镇公共法律服务工作站"))
    ticket = services.ticket_issue(site=other.site, service_code="consultation")
    assert client.get(device_url("kiosk-ticket", hall.kiosk, ticket.follow_code)).status_code == 404


def test_the_heartbeat_records_the_device_and_accepts_only_post(client, hall):
    assert client.get(device_url("device-heartbeat", hall.kiosk)).status_code == 405
    response = client.post(device_url("device-heartbeat", hall.kiosk))
    assert response.status_code == 200
    hall.kiosk.refresh_from_db()
    assert hall.kiosk.last_seen_at is not None and hall.kiosk.last_ip == "127.0.0.1"


def test_device_pages_need_the_csrf_token_like_every_form(hall):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(device_url("kiosk-take", hall.kiosk), {"service": "consultation"}).status_code == 403
    page = strict.get(device_url("device", hall.kiosk))
    token = re.search(r'name="csrf-token" content="([^"]+)"', text(page)).group(1)
    response = strict.post(device_url("device-heartbeat", hall.kiosk), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


# ---- permissions: staff pages -------------------------------------------------------------------


def staff_urls(hall):
    window = hall.windows[1]
    return {
        "get": [
            reverse("queuing:windows"),
            reverse("queuing:console", args=[window.pk]),
            reverse("queuing:site-stats", args=[hall.site.pk]),
            reverse("queuing:site-devices", args=[hall.site.pk]),
        ],
        "post": [
            reverse("queuing:window-open", args=[window.pk]),
            reverse("queuing:window-close", args=[window.pk]),
            reverse("queuing:console-act", args=[window.pk]),
            reverse("queuing:console-finish", args=[window.pk]),
        ],
    }


def test_staff_pages_send_anonymous_visitors_to_the_login_page(client, hall):
    urls = staff_urls(hall)
    for url in urls["get"]:
        assert "/accounts/login/" in client.get(url)["Location"], url
    for url in urls["post"]:
        assert "/accounts/login/" in client.post(url)["Location"], url


def test_a_citizen_is_refused_every_staff_page(client, hall, citizen):
    client.force_login(citizen)
    urls = staff_urls(hall)
    for url in urls["get"]:
        assert client.get(url).status_code == 403, url
    for url in urls["post"]:
        assert client.post(url).status_code == 403, url


def test_an_outsider_sees_no_window_of_area_a_and_gets_404_on_them(client, hall, outsider_b):
    client.force_login(outsider_b)
    response = client.get(reverse("queuing:windows"))
    assert response.status_code == 200
    assert hall.site.name not in text(response)
    urls = staff_urls(hall)
    for url in urls["get"][1:]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"action": "call_next"}).status_code == 404, url
    assert not WindowSession.objects.exists()


def test_a_window_clerk_operates_the_windows_of_their_site_but_not_the_director_pages(client, hall, clerk_a):
    client.force_login(clerk_a)
    response = client.get(reverse("queuing:windows"))
    assert response.status_code == 200
    for number in (1, 2, 3):
        assert f"{number}号窗口" in text(response)
    assert "大厅管理" not in text(response)
    assert client.get(reverse("queuing:console", args=[hall.windows[1].pk])).status_code == 200
    assert client.get(reverse("queuing:site-stats", args=[hall.site.pk])).status_code == 403
    assert client.get(reverse("queuing:site-devices", args=[hall.site.pk])).status_code == 403


def test_a_clerk_of_another_site_cannot_open_this_sites_windows(client, hall, town_a2):
    from open12348.accounts.tests.factories import make_staff
    from open12348.orgs.tests.factories import SiteFactory

    other = SiteFactory(org=town_a2, name="沙溪镇公共法律服务工作站")
    clerk = make_staff("clerk_other", town_a2, "window_clerk", site=other)
    client.force_login(clerk)
    assert client.get(reverse("queuing:console", args=[hall.windows[1].pk])).status_code == 404
    assert client.post(reverse("queuing:window-open", args=[hall.windows[1].pk])).status_code == 404


def test_the_director_operates_any_window_and_sees_stats_and_devices(client, hall, director_a):
    client.force_login(director_a)
    response = client.get(reverse("queuing:windows"))
    assert "大厅管理" in text(response) and hall.site.name in text(response)
    assert client.get(reverse("queuing:console", args=[hall.windows[3].pk])).status_code == 200
    assert client.get(reverse("queuing:site-stats", args=[hall.site.pk])).status_code == 200
    assert client.get(reverse("queuing:site-devices", args=[hall.site.pk])).status_code == 200


def test_the_staff_console_links_to_the_hall_for_window_staff_only(client, hall, clerk_a, operator):
    client.force_login(clerk_a)
    assert reverse("queuing:windows") in text(client.get(reverse("portal:console")))
    client.force_login(operator)
    assert reverse("queuing:windows") not in text(client.get(reverse("portal:console")))


# ---- kiosk ----------------------------------------------------------------------------------------


def test_the_kiosk_offers_one_button_per_active_queue_with_waiting_counts(client, hall):
    services.ticket_issue(site=hall.site, service_code="consultation")
    hall.services["C"].is_active = False
    hall.services["C"].save()
    page = text(client.get(device_url("device", hall.kiosk)))
    assert 'value="legal_aid"' in page and 'value="consultation"' in page
    assert 'value="mediation"' not in page
    assert re.search(r'data-waiting-for="consultation">1<', page)
    assert "老年模式" in page and "屏幕数字键盘" in page and "预约码" in page
    assert 'src="/static/queuing/kiosk.js"' in page and "<script>" not in page and "style=" not in page


def test_taking_a_ticket_leads_to_the_ticket_page_with_qr_code_and_wait(client, hall):
    services.ticket_issue(site=hall.site, service_code="consultation")
    response = take(client, hall, phone=PHONE)
    ticket = Ticket.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == device_url("kiosk-ticket", hall.kiosk, ticket.follow_code)
    assert ticket.number == "B002" and ticket.phone == PHONE
    page = text(client.get(response["Location"]))
    assert "B002" in page and "法律咨询" in page and "前面还有" in page and "1 人" in page
    assert "预计等候" in page
    assert 'src="data:image/svg+xml' in page
    assert 'http-equiv="refresh" content="30;url=' + device_url("device", hall.kiosk) in page
    assert "打印号票" in page


def test_a_retried_take_with_the_same_token_gives_the_same_ticket(client, hall):
    first = take(client, hall, request_token="tok-1")
    again = take(client, hall, request_token="tok-1")
    assert first["Location"] == again["Location"]
    assert Ticket.objects.count() == 1
    take(client, hall, request_token="tok-2")
    assert Ticket.objects.count() == 2


def test_the_kiosk_script_gets_a_redirect_header_instead_of_a_redirect(client, hall):
    response = (
        take(client, hall, HTTP_HX_REQUEST="true")
        if False
        else client.post(device_url("kiosk-take", hall.kiosk), {"service": "consultation"}, HTTP_HX_REQUEST="true")
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == device_url("kiosk-ticket", hall.kiosk, ticket.follow_code)


@pytest.mark.parametrize(
    ("fields", "message", "kept"),
    [
        ({"phone": "1391234"}, "手机号码格式不正确", 'value="1391234"'),
        ({"phone": "02112345678"}, "手机号码格式不正确", 'value="02112345678"'),
        ({"resident_id": "32058519500101123X"}, "身份证号码不正确", 'value="32058519500101123X"'),
        ({"resident_id": "12345"}, "身份证号码不正确", 'value="12345"'),
    ],
)
def test_bad_phone_or_id_number_gives_a_chinese_message_keeps_the_values_and_no_ticket(
    client, hall, fields, message, kept
):
    response = take(client, hall, **fields)
    assert response.status_code == 400
    page = text(response)
    assert message in page and kept in page and 'role="alert"' in page
    assert not Ticket.objects.exists()


def test_a_kiosk_refusal_for_the_script_is_the_start_partial(client, hall):
    response = client.post(
        device_url("kiosk-take", hall.kiosk), {"service": "consultation", "phone": "123"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    page = text(response)
    assert "手机号码格式不正确" in page and 'value="123"' in page
    assert "<html" not in page and 'id="take-form"' in page


@pytest.mark.parametrize(
    ("service", "message"),
    [("no_such_service", "本站点没有这项业务"), ("", "请选择要办理的业务")],
)
def test_an_unknown_or_missing_service_gives_a_clear_message_and_no_ticket(client, hall, service, message):
    response = take(client, hall, service=service)
    assert response.status_code == 400 and message in text(response)
    assert not Ticket.objects.exists()


def test_a_paused_queue_or_closed_site_gives_a_clear_message_and_no_ticket(client, hall):
    hall.services["B"].is_active = False
    hall.services["B"].save()
    response = take(client, hall)
    assert response.status_code == 400 and "暂停取号" in text(response)
    hall.site.is_active = False
    hall.site.save()
    response = take(client, hall, service="legal_aid")
    assert response.status_code == 400 and "该站点暂停服务" in text(response)
    assert not Ticket.objects.exists()


def test_an_elderly_resident_id_puts_the_ticket_on_the_green_channel(client, hall):
    take(client, hall, resident_id=resident_id("19400101"))
    ticket = Ticket.objects.get()
    assert ticket.priority == Ticket.Priority.GREEN and ticket.green_reason == "elderly"


def test_the_staff_board_takes_a_ticket_for_that_persons_queue(client, hall, clerk_a):
    opened(clerk_a, hall.windows[1])  # consultation + mediation
    page = text(client.get(device_url("device", hall.kiosk)))
    assert "今日在岗工作人员" in page and f'name="staff" value="{clerk_a.pk}"' in page

    # Two queues at that window: the citizen picks one of them (not legal aid).
    response = take(client, hall, service="", staff=str(clerk_a.pk))
    assert response.status_code == 200
    page = text(response)
    assert 'value="consultation"' in page and 'value="mediation"' in page and 'value="legal_aid"' not in page
    assert not Ticket.objects.exists()

    refused = take(client, hall, service="legal_aid", staff=str(clerk_a.pk))
    assert refused.status_code == 400 and "不办理该项业务" in text(refused)
    take(client, hall, service="mediation", staff=str(clerk_a.pk))
    ticket = Ticket.objects.get()
    assert ticket.preferred_staff == clerk_a and ticket.prefix == "C"


def test_a_staff_member_not_on_duty_cannot_be_chosen(client, hall, clerk_a):
    response = take(client, hall, service="consultation", staff=str(clerk_a.pk))
    assert response.status_code == 400 and "不在岗" in text(response)
    assert not Ticket.objects.exists()


def test_appointment_check_in_puts_the_person_first(client, hall):
    services.ticket_issue(site=hall.site, service_code="consultation")
    Appointment.objects.create(
        site=hall.site,
        service=hall.services["B"],
        day=selectors.beijing_today(),
        name="王小明",
        phone=PHONE,
        code="K7P2Q9",
    )
    bad = client.post(device_url("kiosk-check-in", hall.kiosk), {"code": "WRONG1"})
    assert bad.status_code == 400 and "预约码不正确" in text(bad) and 'value="WRONG1"' in text(bad)
    empty = client.post(device_url("kiosk-check-in", hall.kiosk), {"code": ""})
    assert empty.status_code == 400 and "请输入预约码" in text(empty)
    assert Ticket.objects.count() == 1

    response = client.post(device_url("kiosk-check-in", hall.kiosk), {"code": "k7p2q9"})
    ticket = Ticket.objects.latest("id")
    assert response.status_code == 302 and ticket.priority == Ticket.Priority.APPOINTMENT
    assert "前面还有" in text(client.get(response["Location"]))
    assert selectors.people_ahead(ticket) == 0


# ---- display, evaluator, LED -----------------------------------------------------------------------


def test_the_display_page_carries_the_board_stream_fallback_and_voice_settings(client, hall, clerk_a, settings):
    settings.QUEUE_FALLBACK_POLL_SECONDS = 1
    ticket = called(clerk_a, hall)
    page = text(client.get(device_url("device", hall.display)))
    assert f'data-board-url="/api/v1/queue/sites/{hall.site.pk}/board/"' in page
    assert f"/push/queue/sites/{hall.site.pk}/stream" in page
    assert 'data-poll-seconds="1"' in page and 'data-voice-base="/static/queuing/voice/"' in page
    assert 'id="announce"' in page and 'aria-live="assertive"' in page
    assert f"请 {ticket.number} 号到 1 号窗口办理" in page
    assert "点击启用语音播报" in page and "重新连接中" in page
    assert "<script>" not in page and "style=" not in page


def test_the_display_polls_every_ten_seconds_by_default(client, hall):
    assert 'data-poll-seconds="10"' in text(client.get(device_url("device", hall.display)))


def test_the_voice_clips_the_display_concatenates_are_all_there(settings):
    from pathlib import Path

    voice = Path(settings.BASE_DIR) / "static" / "queuing" / "voice"
    manifest = json.loads((voice / "manifest.json").read_text())
    names = list(manifest["phrases"].values()) + manifest["digits"] + list(manifest["letters"])
    for name in names:
        clip = voice / f"{name}.wav"
        assert clip.exists() and clip.read_bytes()[:4] == b"RIFF", name


def test_an_led_device_reads_its_windows_number_as_plain_text(client, hall, clerk_a):
    led = Device.objects.create(site=hall.site, kind=Device.Kind.LED, name="1号窗口LED", window=hall.windows[1])
    response = client.get(device_url("device", led))
    assert response["Content-Type"].startswith("text/plain") and "1号窗口" in text(response)
    ticket = called(clerk_a, hall)
    assert ticket.number in text(client.get(device_url("device", led)))


def test_the_evaluator_waits_then_rates_the_ticket_finished_at_its_window(client, hall, clerk_a):
    page = text(client.get(device_url("device", hall.evaluator)))
    assert "请对本次服务进行评价" in page and 'data-poll-seconds="3"' in page
    assert client.get(device_url("evaluator-pending", hall.evaluator)).json() == {"ticket": None}

    ticket = called(clerk_a, hall)
    services.finish(actor=clerk_a, window=hall.windows[1], description="咨询劳动合同", applicant_name="王小明")
    pending = client.get(device_url("evaluator-pending", hall.evaluator)).json()
    assert pending == {"ticket": {"id": ticket.pk, "number": ticket.number}}

    bad = client.post(device_url("evaluator-submit", hall.evaluator), {"ticket_id": ticket.pk, "overall": "9"})
    assert bad.status_code == 400 and "请选择总体评价" in text(bad)
    assert not Evaluation.objects.exists()

    response = client.post(
        device_url("evaluator-submit", hall.evaluator),
        {"ticket_id": ticket.pk, "overall": "5", "attitude": "5", "efficiency": "4", "competence": ""},
    )
    assert response.status_code == 302 and response["Location"].endswith("?thanks=1")
    evaluation = Evaluation.objects.get()
    assert (evaluation.overall, evaluation.attitude, evaluation.efficiency, evaluation.competence) == (5, 5, 4, None)
    assert evaluation.staff == clerk_a
    assert "感谢您的评价" in text(client.get(response["Location"]))
    assert client.get(device_url("evaluator-pending", hall.evaluator)).json() == {"ticket": None}

    again = client.post(device_url("evaluator-submit", hall.evaluator), {"ticket_id": ticket.pk, "overall": "1"})
    assert again.status_code == 400 and 'role="alert"' in text(again)
    assert Evaluation.objects.count() == 1


def test_an_evaluator_cannot_rate_a_ticket_of_another_window(client, hall, clerk_a):
    ticket = called(clerk_a, hall, number=2)
    services.finish(actor=clerk_a, window=hall.windows[2], description="法律援助咨询", applicant_name="李四")
    assert client.get(device_url("evaluator-pending", hall.evaluator)).json() == {"ticket": None}
    response = client.post(device_url("evaluator-submit", hall.evaluator), {"ticket_id": ticket.pk, "overall": "5"})
    assert response.status_code == 400
    assert not Evaluation.objects.exists()


# ---- phone follow page ----------------------------------------------------------------------------


def test_the_follow_page_is_public_and_refreshes_itself(client, hall):
    services.ticket_issue(site=hall.site, service_code="consultation")
    ticket = services.ticket_issue(site=hall.site, service_code="consultation", phone=PHONE)
    response = client.get(reverse("queuing:follow", args=[ticket.follow_code]))
    page = text(response)
    assert response.status_code == 200
    assert ticket.number in page and "等候中" in page and "1 人" in page and "预计等候" in page
    assert 'data-refresh-seconds="20"' in page and PHONE not in page
    assert client.get(reverse("queuing:follow", args=["nope"])).status_code == 404


# ---- window console -------------------------------------------------------------------------------


def act(client, window, action, htmx=True, **fields):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("queuing:console-act", args=[window.pk]), {"action": action, **fields}, **headers)


def test_opening_and_closing_a_window(client, hall, clerk_a, director_a):
    window = hall.windows[1]
    client.force_login(clerk_a)
    response = client.post(reverse("queuing:window-open", args=[window.pk]))
    assert response["Location"] == reverse("queuing:console", args=[window.pk])
    assert WindowSession.objects.get(closed_at__isnull=True).user == clerk_a

    client.force_login(director_a)
    refused = client.post(reverse("queuing:window-open", args=[window.pk]), follow=True)
    assert "正在1号窗口上岗" in text(refused)

    client.force_login(clerk_a)
    client.post(reverse("queuing:window-close", args=[window.pk]))
    assert not WindowSession.objects.filter(closed_at__isnull=True).exists()


def test_the_console_shows_shortcuts_and_the_waiting_line(client, hall, clerk_a):
    services.ticket_issue(site=hall.site, service_code="consultation")
    opened(clerk_a, hall.windows[1])
    client.force_login(clerk_a)
    page = text(client.get(reverse("queuing:console", args=[hall.windows[1].pk])))
    assert "<kbd>F1</kbd>" in page and 'aria-keyshortcuts="F1 N"' in page
    assert "B 法律咨询：1 人" in page
    assert 'src="/static/queuing/console.js"' in page


def test_call_recall_start_park_resume_and_finish_through_the_console(client, hall, clerk_a):
    window = opened(clerk_a, hall.windows[1])
    earlier = workorder_factories.make_order(
        actor=clerk_a, area=hall.site.org, applicant_phone=PHONE, service_item=hall.services["B"].service_item
    )
    services.ticket_issue(site=hall.site, service_code="consultation", phone=PHONE)
    client.force_login(clerk_a)

    response = act(client, window, "call_next")
    page = text(response)
    assert response.status_code == 200 and "已叫号：B001" in page and "<html" not in page
    assert earlier.tracking_code in page  # the person's earlier orders
    assert "139****5678" in page and PHONE not in page.replace(f'value="{PHONE}"', "")

    conflict = act(client, window, "call_next")
    assert conflict["X-Queue-Status"] == "409" and "请先办结或过号当前号码" in text(conflict)

    assert "已重呼" in text(act(client, window, "recall"))
    assert Ticket.objects.get().call_count == 2
    assert "已开始办理" in text(act(client, window, "start"))
    assert "已暂挂" in text(act(client, window, "park"))
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.PARKED
    assert "已恢复办理" in text(act(client, window, "resume", ticket=str(ticket.pk)))

    finish_url = reverse("queuing:console-finish", args=[window.pk])
    empty = client.post(finish_url, {}, HTTP_HX_REQUEST="true")
    assert "请填写诉求内容" in text(empty) and empty["X-Queue-Status"] == "400"
    no_name = client.post(finish_url, {"description": "劳动合同纠纷咨询"}, HTTP_HX_REQUEST="true")
    assert "生成工单需要填写申请人姓名" in text(no_name) and "劳动合同纠纷咨询" in text(no_name)
    bad_phone = client.post(
        finish_url, {"description": "咨询", "applicant_name": "王小明", "applicant_phone": "12"}, HTTP_HX_REQUEST="true"
    )
    assert "联系电话格式不正确" in text(bad_phone)
    assert Ticket.objects.get().status == Ticket.Status.SERVING
    assert WorkOrder.objects.count() == 1

    done = client.post(
        finish_url,
        {"description": "劳动合同纠纷咨询", "applicant_name": "王小明", "applicant_phone": PHONE},
        HTTP_HX_REQUEST="true",
    )
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.DONE and ticket.work_order.channel == Channel.WINDOW
    assert ticket.work_order.tracking_code in text(done)


def test_finish_links_an_existing_order_by_tracking_code_or_number(client, hall, clerk_a, outsider_b, town_b):
    window = opened(clerk_a, hall.windows[1])
    order = workorder_factories.make_order(actor=clerk_a, area=hall.site.org)
    hidden = workorder_factories.make_order(actor=outsider_b, area=town_b)
    services.ticket_issue(site=hall.site, service_code="consultation")
    services.call_next(actor=clerk_a, window=window)
    client.force_login(clerk_a)
    finish_url = reverse("queuing:console-finish", args=[window.pk])

    for unknown in ("ZZZZZZZZZ", str(hidden.pk)):
        response = client.post(finish_url, {"existing_order": unknown})
        assert response.status_code == 400 and "没有找到该工单" in text(response)
    assert Ticket.objects.get().status == Ticket.Status.CALLED

    response = client.post(finish_url, {"existing_order": order.tracking_code.lower()})
    assert response.status_code == 302
    assert Ticket.objects.get().work_order == order


def test_skip_requeue_and_transfer_through_the_console(client, hall, clerk_a):
    window = opened(clerk_a, hall.windows[1])
    services.ticket_issue(site=hall.site, service_code="consultation")
    client.force_login(clerk_a)
    act(client, window, "call_next")
    assert "B001 已过号" in text(act(client, window, "skip"))
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.NO_SHOW
    page = text(client.get(reverse("queuing:console", args=[window.pk])))
    assert "B001 重新排队" in page
    assert "已重新排队" in text(act(client, window, "requeue", ticket=str(ticket.pk)))
    again = act(client, window, "requeue", ticket=str(ticket.pk))
    assert again["X-Queue-Status"] == "409"

    act(client, window, "call_next")
    missing = act(client, window, "transfer")
    assert "请选择要转到的业务" in text(missing)
    assert "已转到其他业务" in text(act(client, window, "transfer", service_code="mediation"))
    ticket.refresh_from_db()
    assert ticket.service == hall.services["C"] and ticket.number == "B001"


def test_console_actions_without_htmx_redirect_with_a_message(client, hall, clerk_a):
    window = opened(clerk_a, hall.windows[1])
    client.force_login(clerk_a)
    response = act(client, window, "call_next", htmx=False)
    assert response.status_code == 302
    assert "当前没有等候的群众" in text(client.get(response["Location"]))
    unknown = act(client, window, "explode", htmx=False)
    assert "不支持的操作" in text(client.get(unknown["Location"]))
    bad_ticket = act(client, window, "resume", ticket="abc")
    assert "没有找到该号码" in text(bad_ticket)


# ---- director ---------------------------------------------------------------------------------------


def test_stats_show_tickets_served_waits_and_satisfaction(client, hall, clerk_a, director_a):
    ticket = called(clerk_a, hall)
    services.finish(actor=clerk_a, window=hall.windows[1], description="咨询", applicant_name="王小明")
    services.evaluation_submit(device=hall.evaluator, ticket_id=ticket.pk, overall=5)
    client.force_login(director_a)
    response = client.get(reverse("queuing:site-stats", args=[hall.site.pk]))
    page = text(response)
    assert response.status_code == 200
    assert "按日" in page and "按窗口" in page and "按业务" in page and "100%" in page
    assert "1号窗口 综合受理" in page and "B 法律咨询" in page


def test_stats_refuse_a_reversed_or_bad_date_range_in_chinese(client, hall, director_a):
    client.force_login(director_a)
    today = datetime.date.today()
    url = reverse("queuing:site-stats", args=[hall.site.pk])
    reversed_range = client.get(url, {"day_from": today.isoformat(), "day_to": (today - datetime.timedelta(days=3))})
    assert reversed_range.status_code == 400 and "开始日期不能晚于结束日期" in text(reversed_range)
    bad = client.get(url, {"day_from": "2025-13-40"})
    assert bad.status_code == 400 and "请输入正确的日期" in text(bad)


def test_the_director_creates_a_device_and_sees_its_page_url_and_health(client, hall, director_a):
    services.device_heartbeat(device=hall.kiosk)
    client.force_login(director_a)
    url = reverse("queuing:site-devices", args=[hall.site.pk])
    page = text(client.get(url))
    assert "● 在线" in page and "○ 离线" in page and "从未连接" in page

    missing_window = client.post(url, {"kind": "evaluator", "name": "2号窗口评价器"})
    assert missing_window.status_code == 400 and "须绑定窗口" in text(missing_window)
    no_name = client.post(url, {"kind": "display", "name": ""})
    assert no_name.status_code == 400 and "请填写设备名称" in text(no_name)
    assert Device.objects.count() == 3

    response = client.post(
        url, {"kind": "evaluator", "name": "2号窗口评价器", "window": hall.windows[2].pk}, follow=True
    )
    device = Device.objects.get(name="2号窗口评价器")
    assert device.window == hall.windows[2]
    assert f"/hall/d/{device.key}/" in text(response)


def test_a_director_cannot_bind_a_device_to_a_window_of_another_site(client, hall, director_a, town_a2):
    from open12348.orgs.tests.factories import SiteFactory
    from open12348.queuing.tests.factories import make_hall

    other = make_hall(SiteFactory(org=town_a2, name="沙溪镇公共法律服务工作站"))
    client.force_login(director_a)
    url = reverse("queuing:site-devices", args=[hall.site.pk])
    response = client.post(url, {"kind": "evaluator", "name": "外站评价器", "window": other.windows[1].pk})
    assert response.status_code == 400 and "请选择本站点的窗口" in text(response)
    assert not Device.objects.filter(name="外站评价器").exists()


# ---- a full visit through the views -------------------------------------------------------------------


def test_a_full_visit_kiosk_console_display_evaluator_work_order(client, hall, clerk_a):
    kiosk = client.post(device_url("kiosk-take", hall.kiosk), {"service": "consultation", "phone": PHONE})
    ticket = Ticket.objects.get()
    assert kiosk.status_code == 302

    client.force_login(clerk_a)
    window = hall.windows[1]
    client.post(reverse("queuing:window-open", args=[window.pk]))
    assert "已叫号：B001" in text(act(client, window, "call_next"))
    client.logout()

    display = text(client.get(device_url("device", hall.display)))
    assert "请 B001 号到 1 号窗口办理" in display
    follow = text(client.get(reverse("queuing:follow", args=[ticket.follow_code])))
    assert "1号窗口" in follow and "已叫号" in follow

    client.force_login(clerk_a)
    act(client, window, "start")
    client.post(
        reverse("queuing:console-finish", args=[window.pk]),
        {"description": "咨询劳动合同解除的补偿", "applicant_name": "王小明", "applicant_phone": PHONE},
    )
    client.logout()

    assert client.get(device_url("evaluator-pending", hall.evaluator)).json()["ticket"]["id"] == ticket.pk
    client.post(device_url("evaluator-submit", hall.evaluator), {"ticket_id": ticket.pk, "overall": "2"})
    ticket.refresh_from_db()
    evaluation = Evaluation.objects.get()
    assert evaluation.overall == 2 and evaluation.work_order == ticket.work_order
    order = ticket.work_order
    assert order.channel == Channel.WINDOW and order.description == "咨询劳动合同解除的补偿"
    # The order is still open (received): the rating stays on the Evaluation, linked to it;
    # services.evaluation_submit puts it on the order once the order is resolved.


def test_the_staff_board_photo_is_served_as_an_image_and_nothing_else_is(client, hall, clerk_a, settings):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    profile = clerk_a.staff_profile
    assert client.get(reverse("queuing:staff-photo", args=[profile.pk])).status_code == 404
    png = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 120, 200)).save(png, format="PNG")
    profile.photo.save("clerk.png", ContentFile(png.getvalue()))
    services.window_open(actor=clerk_a, window=hall.windows[1])

    [on_duty] = selectors.board_snapshot(hall.site)["staff_on_duty"]
    response = client.get(on_duty["photo_url"])

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png.getvalue()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("queuing:staff-photo", args=[profile.pk + 999])).status_code == 404


def test_the_kiosk_green_channel_puts_the_ticket_first_with_its_reason(client, hall):
    take(client, hall)
    response = take(client, hall, green_reason="migrant_wage")
    assert response.status_code == 302
    green = Ticket.objects.get(green_reason="migrant_wage")
    assert green.priority == Ticket.Priority.GREEN and green.number == "B002"
    assert selectors.people_ahead(green) == 0

    refused = take(client, hall, green_reason="vip")
    assert refused.status_code == 400 and "绿色通道" in text(refused)
    assert Ticket.objects.count() == 2
