"""API of the hall (issue 4, item 10): public sites, tickets, follow look-up, board and LED line;
the window actions of staff, with a permission test for every URL."""

import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from stdnum.cn import ric

from open12348.accounts.services import api_token_issue
from open12348.accounts.tests.factories import make_staff
from open12348.orgs.models import Site
from open12348.orgs.tests.factories import SiteFactory
from open12348.queuing import api
from open12348.queuing.models import QueueEvent, Ticket
from open12348.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

SITES = reverse("api:queue-site-list")
TICKETS = reverse("api:queue-ticket-issue")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def action_url(window, action: str) -> str:
    return reverse(f"api:queue-window-{action}", args=[window.pk])


def take(client, hall, service="consultation", **extra):
    response = client.post(
        TICKETS, {"site": hall.site.pk, "service": service, **extra}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def resident_id(birth: str, sequence: str = "123") -> str:
    body = f"320585{birth}{sequence}"
    return body + ric.calc_check_digit(body + "0")  # it reads the first 17 digits


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def other_site_clerk(town_a2):
    other = SiteFactory(org=town_a2, name="沙溪镇公共法律服务工作站")
    return make_staff("clerk_other_site", town_a2, "window_clerk", site=other)


@pytest.fixture
def staff_client(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


# --- Sites ---------------------------------------------------------------------------------


def test_site_list_is_public_with_queues_and_the_codes_each_window_handles(client, hall):
    response = client.get(SITES)

    assert response.status_code == 200
    (site,) = response.json()["results"]
    assert site["id"] == hall.site.pk
    assert site["name"] == "城厢镇公共法律服务工作站"
    assert site["services"] == [
        {"code": "legal_aid", "prefix": "A", "name": "法律援助"},
        {"code": "consultation", "prefix": "B", "name": "法律咨询"},
        {"code": "mediation", "prefix": "C", "name": "人民调解"},
    ]
    assert site["windows"] == [
        {"id": hall.windows[1].pk, "number": 1, "name": "综合受理", "services": ["consultation", "mediation"]},
        {"id": hall.windows[2].pk, "number": 2, "name": "法律援助", "services": ["consultation", "legal_aid"]},
        {"id": hall.windows[3].pk, "number": 3, "name": "人民调解", "services": ["mediation"]},
    ]


def test_site_list_leaves_out_closed_sites_sites_without_queues_and_paused_queues(client, hall, town_a2):
    SiteFactory(org=town_a2, name="没有取号业务的站点")
    hall.services["A"].is_active = False
    hall.services["A"].save()
    hall.windows[3].is_active = False
    hall.windows[3].save()

    (site,) = client.get(SITES).json()["results"]

    assert [s["code"] for s in site["services"]] == ["consultation", "mediation"]
    assert [w["number"] for w in site["windows"]] == [1, 2]
    assert site["windows"][1]["services"] == ["consultation"]  # legal_aid is paused

    Site.objects.filter(pk=hall.site.pk).update(is_active=False)
    assert client.get(SITES).json()["results"] == []


# --- Taking a ticket -----------------------------------------------------------------------


def test_an_anonymous_visitor_takes_numbered_tickets_with_people_ahead_and_a_follow_code(client, hall):
    first = take(client, hall)
    second = take(client, hall)

    assert (first["number"], first["people_ahead"]) == ("B001", 0)
    assert (second["number"], second["people_ahead"]) == ("B002", 1)
    assert second["estimated_wait_minutes"] >= 0
    ticket = Ticket.objects.get(follow_code=second["tracking"])
    assert ticket.number == "B002"
    assert second["follow_url"] == f"http://testserver/hall/t/{ticket.follow_code}/"
    assert (second["service"], second["service_name"], second["site"]) == ("consultation", "法律咨询", hall.site.pk)
    assert second["green_channel"] is False
    assert take(client, hall, service="legal_aid")["number"] == "A001"


def test_a_ticket_keeps_phone_and_resident_id_and_puts_the_elderly_on_the_green_channel(client, hall):
    body = take(client, hall, phone="138 0013 8000", id_number=resident_id("19400101"))

    ticket = Ticket.objects.get(follow_code=body["tracking"])
    assert ticket.phone == "13800138000"
    assert ticket.resident_id == resident_id("19400101")
    assert body["green_channel"] is True
    assert ticket.green_reason == "elderly"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service": "notary"}, "service"),
        ({"service": ""}, "service"),
        ({"site": 999_999}, "site"),
        ({"site": "abc"}, "site"),
        ({"phone": "12345"}, "phone"),
        ({"id_number": "320585194001011230"}, "id_number"),
        ({"id_number": "3205851940"}, "id_number"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_ticket_input_is_a_chinese_400_per_field_and_no_ticket(client, hall, body, field):
    response = client.post(
        TICKETS, {"site": hall.site.pk, "service": "consultation", **body}, content_type="application/json"
    )

    assert response.status_code == 400, response.content
    messages = response.json()["errors"][field]
    assert all(CHINESE.search(message) for message in messages)
    assert not Ticket.objects.exists()


def test_a_closed_site_or_a_paused_queue_gives_no_ticket(client, hall):
    hall.services["B"].is_active = False
    hall.services["B"].save()
    response = client.post(TICKETS, {"site": hall.site.pk, "service": "consultation"}, content_type="application/json")
    assert response.status_code == 400
    assert CHINESE.search(response.json()["errors"]["service"][0])

    Site.objects.filter(pk=hall.site.pk).update(is_active=False)
    response = client.post(TICKETS, {"site": hall.site.pk, "service": "mediation"}, content_type="application/json")
    assert response.status_code == 400
    assert CHINESE.search(response.json()["errors"]["site"][0])
    assert not Ticket.objects.exists()


def test_taking_tickets_is_throttled_per_ip(client, hall):
    for _ in range(30):
        take(client, hall)

    response = client.post(TICKETS, {"site": hall.site.pk, "service": "consultation"}, content_type="application/json")

    assert response.status_code == 429
    assert response.json()["detail"].startswith("请求过于频繁")
    assert Ticket.objects.count() == 30
    other_ip = client.post(
        TICKETS,
        {"site": hall.site.pk, "service": "consultation"},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.9",
    )
    assert other_ip.status_code == 201


# --- Follow, board, LED (public) --------------------------------------------------------------


def test_the_follow_look_up_shows_status_and_people_ahead_without_personal_data(client, hall):
    take(client, hall)
    mine = take(client, hall, phone="13800138000", id_number=resident_id("19800101"))

    response = client.get(reverse("api:queue-ticket-follow", args=[mine["tracking"]]))

    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["status"], body["status_display"]) == ("B002", "waiting", "等候中")
    assert body["people_ahead"] == 1
    assert body["window_number"] is None
    text = json.dumps(body, ensure_ascii=False)
    assert "13800138000" not in text and "8000" not in text and "19800101" not in text


def test_the_follow_look_up_of_an_unknown_code_is_a_chinese_404(client, hall):
    response = client.get(reverse("api:queue-ticket-follow", args=["no-such-code"]))

    assert response.status_code == 404
    assert response.json() == {"detail": "未找到该排队号，请核对查询码。"}


def test_the_board_is_public_and_carries_no_personal_data(client, staff_client, hall, clerk_a):
    take(client, hall, phone="13800138000", id_number=resident_id("19800101"))
    staff = staff_client(clerk_a)
    assert staff.post(action_url(hall.windows[1], "open")).status_code == 200
    assert staff.post(action_url(hall.windows[1], "call-next")).status_code == 200
    staff.logout()

    response = client.get(reverse("api:queue-board", args=[hall.site.pk]))

    assert response.status_code == 200
    board = response.json()
    assert board["site"] == {"id": hall.site.pk, "name": hall.site.name}
    assert board["last_event_id"] == QueueEvent.objects.filter(site=hall.site).latest("id").pk
    assert {"windows", "recent_calls", "waiting", "alerts", "figures", "staff_on_duty", "day"} <= set(board)
    assert board["recent_calls"][0]["number"] == "B001"
    text = json.dumps(board, ensure_ascii=False)
    assert "13800138000" not in text and "19800101" not in text
    assert response["Cache-Control"] == "no-store"


def test_the_board_of_an_unknown_or_closed_site_is_404(client, hall):
    assert client.get(reverse("api:queue-board", args=[999_999])).status_code == 404
    Site.objects.filter(pk=hall.site.pk).update(is_active=False)
    response = client.get(reverse("api:queue-board", args=[hall.site.pk]))
    assert response.status_code == 404
    assert CHINESE.search(response.json()["detail"])


def test_the_led_line_shows_the_current_number_or_out_of_service(client, staff_client, hall, clerk_a):
    led = reverse("api:queue-window-led", args=[hall.windows[1].pk])
    idle = client.get(led)
    assert idle.status_code == 200
    assert idle["Content-Type"] == "text/plain; charset=utf-8"
    assert idle.content.decode() == "1号窗口 暂停服务"

    take(client, hall)
    staff = staff_client(clerk_a)
    staff.post(action_url(hall.windows[1], "call-next"))
    staff.logout()

    assert client.get(led, headers={"Accept": "text/plain"}).content.decode() == "1号窗口 B001"
    missing = client.get(reverse("api:queue-window-led", args=[999_999]), headers={"Accept": "text/plain"})
    assert missing.status_code == 404
    assert missing.content.decode() == "未找到该窗口，或该窗口已停用。"


# --- Window actions: who may press the buttons ---------------------------------------------------

ACTIONS = sorted(api.ACTIONS)


@pytest.mark.parametrize("action", ACTIONS)
def test_window_actions_refuse_anonymous_visitors_citizens_and_staff_without_the_permission(
    client, hall, citizen, lawyer_a, action
):
    url = action_url(hall.windows[1], action)
    assert client.post(url).status_code == 401

    client.force_login(citizen)
    assert client.post(url).status_code == 403

    client.force_login(lawyer_a)
    response = client.post(url)
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有窗口叫号的权限。"}


@pytest.mark.parametrize("action", ACTIONS)
def test_window_actions_hide_the_windows_of_other_sites_and_areas(client, hall, outsider_b, other_site_clerk, action):
    url = action_url(hall.windows[1], action)
    for user in (outsider_b, other_site_clerk):
        client.force_login(user)
        response = client.post(url, {}, content_type="application/json")
        assert response.status_code == 404, (user, response.content)
    assert not QueueEvent.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ["clerk_a", "director_a"])
def test_the_sites_clerk_and_the_areas_director_may_press_every_button(client, hall, request, who, action):
    client.force_login(request.getfixturevalue(who))

    response = client.post(action_url(hall.windows[1], action), {}, content_type="application/json")

    # With nothing to act on some actions are refused by state (409) or ask for a field (400),
    # never by permission.
    assert response.status_code in (200, 400, 409), response.content
    assert CHINESE.search(json.dumps(response.json(), ensure_ascii=False)) or response.status_code == 200


def test_a_window_that_does_not_exist_is_404(client, clerk_a, hall):
    client.force_login(clerk_a)
    assert client.post(reverse("api:queue-window-call-next", args=[999_999])).status_code == 404


def test_a_read_token_cannot_press_buttons_and_a_token_of_another_town_does_not_see_the_window(
    client, hall, director_a, town_a2
):
    _, read = api_token_issue(actor=None, user=director_a, scope="read")
    response = client.post(action_url(hall.windows[1], "call-next"), headers={"Authorization": f"Bearer {read}"})
    assert response.status_code == 403

    _, elsewhere = api_token_issue(actor=None, user=director_a, scope="write", org=town_a2)
    response = client.post(action_url(hall.windows[1], "call-next"), headers={"Authorization": f"Bearer {elsewhere}"})
    assert response.status_code == 404

    _, write = api_token_issue(actor=None, user=director_a, scope="write")
    response = client.post(action_url(hall.windows[1], "call-next"), headers={"Authorization": f"Bearer {write}"})
    assert response.status_code == 200


# --- Window actions: what they do ---------------------------------------------------------


def test_a_visit_open_call_recall_start_finish_and_close(client, hall, clerk_a):
    take(client, hall, service="mediation")
    client.force_login(clerk_a)
    window = hall.windows[1]

    opened = client.post(action_url(window, "open")).json()
    assert (opened["window"], opened["number"], opened["open"], opened["staff"]) == (window.pk, 1, True, "clerk_a")

    called = client.post(action_url(window, "call-next"))
    assert called.status_code == 200
    ticket = called.json()
    assert (ticket["number"], ticket["status"], ticket["window"], ticket["window_number"]) == (
        "C001",
        "called",
        window.pk,
        1,
    )
    assert ticket["called_at"] and ticket["call_count"] == 1 and ticket["staff"] == "clerk_a"
    assert QueueEvent.objects.filter(site=hall.site, kind="call").latest("id").payload["number"] == "C001"

    recalled = client.post(action_url(window, "recall")).json()
    assert recalled["call_count"] == 2
    assert QueueEvent.objects.filter(site=hall.site, kind="recall").exists()

    assert client.post(action_url(window, "start")).json()["status"] == "serving"
    finished = client.post(
        action_url(window, "finish"),
        {"description": "邻里纠纷，请求调解", "applicant_name": "王五", "applicant_phone": "13900139000"},
        content_type="application/json",
    )
    assert finished.status_code == 200, finished.content
    done = finished.json()
    assert done["status"] == "done" and done["finished_at"]
    order = WorkOrder.objects.get(pk=done["work_order"])
    assert order.channel == "window"

    closed = client.post(action_url(window, "close")).json()
    assert closed["open"] is False and closed["staff"] is None


def test_finish_resolving_on_site_resolves_the_new_order(client, hall, clerk_a):
    take(client, hall, service="consultation")
    client.force_login(clerk_a)
    window = hall.windows[1]
    client.post(action_url(window, "open"))
    client.post(action_url(window, "call-next"))

    body = {"description": "咨询工资拖欠", "applicant_name": "王五", "applicant_phone": "13900139000"}
    finished = client.post(
        action_url(window, "finish"),
        {**body, "resolve": True, "reply": "可申请劳动仲裁"},
        content_type="application/json",
    )

    assert finished.status_code == 200, finished.content
    order = WorkOrder.objects.get(pk=finished.json()["work_order"])
    assert (order.status, order.assignee) == ("resolved", clerk_a)


def test_call_next_with_nobody_waiting_answers_ticket_null(client, hall, clerk_a):
    client.force_login(clerk_a)

    response = client.post(action_url(hall.windows[1], "call-next"))

    assert response.status_code == 200
    assert response.json() == {"ticket": None}


def test_call_next_while_holding_a_ticket_is_a_409(client, hall, clerk_a):
    take(client, hall)
    take(client, hall)
    client.force_login(clerk_a)
    client.post(action_url(hall.windows[1], "call-next"))

    response = client.post(action_url(hall.windows[1], "call-next"))

    assert response.status_code == 409
    assert response.json() == {"detail": "请先办结或过号当前号码"}
    assert Ticket.objects.filter(status="called").count() == 1


def test_two_windows_calling_get_different_tickets(client, hall, clerk_a, director_a):
    take(client, hall)
    take(client, hall)
    client.force_login(clerk_a)
    first = client.post(action_url(hall.windows[1], "call-next")).json()
    client.force_login(director_a)
    second = client.post(action_url(hall.windows[2], "call-next")).json()

    assert {first["number"], second["number"]} == {"B001", "B002"}


def test_skip_then_requeue_once(client, hall, clerk_a):
    take(client, hall)
    client.force_login(clerk_a)
    window = hall.windows[1]
    called = client.post(action_url(window, "call-next")).json()

    skipped = client.post(action_url(window, "skip"))
    assert skipped.json()["status"] == "no_show"

    again = client.post(action_url(window, "requeue"), {"ticket": called["id"]}, content_type="application/json")
    assert again.status_code == 200 and again.json()["status"] == "waiting" and again.json()["requeued"] is True

    client.post(action_url(window, "call-next"))
    client.post(action_url(window, "skip"))
    twice = client.post(action_url(window, "requeue"), {"ticket": called["id"]}, content_type="application/json")
    assert twice.status_code == 409
    assert CHINESE.search(twice.json()["detail"])


def test_requeue_and_resume_want_a_ticket_of_this_site(client, hall, clerk_a):
    client.force_login(clerk_a)
    for action in ("requeue", "resume"):
        missing = client.post(action_url(hall.windows[1], action), {}, content_type="application/json")
        assert missing.status_code == 400 and "ticket" in missing.json()["errors"]
        unknown = client.post(action_url(hall.windows[1], action), {"ticket": 999_999}, content_type="application/json")
        assert unknown.json()["errors"]["ticket"] == ["本站点没有该排队号。"]


def test_park_and_resume(client, hall, clerk_a):
    take(client, hall)
    client.force_login(clerk_a)
    window = hall.windows[1]
    called = client.post(action_url(window, "call-next")).json()

    assert client.post(action_url(window, "park")).json()["status"] == "parked"
    resumed = client.post(action_url(window, "resume"), {"ticket": called["id"]}, content_type="application/json")

    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["number"] == called["number"]
    assert resumed.json()["status"] in ("called", "serving")


def test_transfer_keeps_the_number_and_moves_the_queue(client, hall, clerk_a):
    take(client, hall)
    client.force_login(clerk_a)
    window = hall.windows[1]
    client.post(action_url(window, "call-next"))

    unknown = client.post(action_url(window, "transfer"), {"service": "notary"}, content_type="application/json")
    assert unknown.status_code == 400
    assert CHINESE.search(unknown.json()["errors"]["service"][0])

    moved = client.post(action_url(window, "transfer"), {"service": "legal_aid"}, content_type="application/json")
    assert moved.status_code == 200, moved.content
    assert (moved.json()["number"], moved.json()["service"]) == ("B001", "legal_aid")


def test_finish_refuses_a_bad_phone_and_both_a_new_and_an_existing_order(client, hall, clerk_a):
    take(client, hall)
    client.force_login(clerk_a)
    window = hall.windows[1]
    client.post(action_url(window, "call-next"))

    bad_phone = client.post(
        action_url(window, "finish"), {"description": "咨询", "applicant_phone": "123"}, content_type="application/json"
    )
    assert bad_phone.status_code == 400 and "applicant_phone" in bad_phone.json()["errors"]
    unknown_order = client.post(action_url(window, "finish"), {"work_order": 999_999}, content_type="application/json")
    assert unknown_order.json()["errors"]["work_order"] == ["未找到该工单，或其不在您的服务区域内。"]
    assert Ticket.objects.get().status == "called"


def test_opening_a_window_someone_else_holds_is_a_409(client, hall, clerk_a, director_a):
    client.force_login(clerk_a)
    client.post(action_url(hall.windows[1], "open"))
    client.force_login(director_a)

    response = client.post(action_url(hall.windows[1], "open"))

    assert response.status_code == 409
    assert "clerk_a" in response.json()["detail"] or CHINESE.search(response.json()["detail"])


# --- Schema -------------------------------------------------------------------------------------


def test_every_hall_endpoint_is_documented_in_chinese_under_its_tag(client):
    schema = json.loads(client.get(reverse("api:schema"), {"format": "json"}).content)
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/v1/queue/")}

    expected = {
        "/api/v1/queue/sites/",
        "/api/v1/queue/sites/{id}/board/",
        "/api/v1/queue/tickets/",
        "/api/v1/queue/tickets/{follow_code}/",
        "/api/v1/queue/windows/{id}/led.txt",
        *(f"/api/v1/queue/windows/{{id}}/{action}/" for action in ACTIONS),
    }
    assert set(paths) == expected
    for operations in paths.values():
        for operation in operations.values():
            assert operation["tags"] == ["大厅排队叫号"]
            assert CHINESE.search(operation["summary"])
    assert {} in schema["paths"]["/api/v1/queue/tickets/"]["post"]["security"]
    assert {} not in schema["paths"]["/api/v1/queue/windows/{id}/call-next/"]["post"]["security"]
