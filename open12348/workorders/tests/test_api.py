"""The work-order API: intake (strict input, idempotency, who may post), the scoped list and
detail, one endpoint per transition, and the public tracking look-up. The transition table
itself is tested exhaustively in test_services.py; here, that each endpoint reaches it."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from open12348.accounts.services import api_token_issue
from open12348.audit.models import Event
from open12348.workorders import services
from open12348.workorders.models import Applicant, IdempotencyKey, Note, Party, Status, WorkOrder
from open12348.workorders.tests.factories import APPLICANT_PHONE, legal_category, make_order, service_item

pytestmark = pytest.mark.django_db

LIST = reverse("api:workorder-list")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def detail_url(order) -> str:
    return reverse("api:workorder-detail", kwargs={"pk": order.pk})


def action_url(order, action: str) -> str:
    return reverse(f"api:workorder-{action.replace('_', '-')}", kwargs={"pk": order.pk})


def track_url(code: str) -> str:
    return reverse("api:workorder-track", kwargs={"code": code})


@pytest.fixture
def item(db):
    return service_item(code="consultation", days=5)


@pytest.fixture
def labor(db):
    return legal_category("labor", "劳动纠纷")


@pytest.fixture
def write_token(clerk_a):
    _, secret = api_token_issue(actor=None, user=clerk_a, scope="write")
    return secret


@pytest.fixture
def body(item, labor, town_a):
    return {
        "channel": "api",
        "service_item": "consultation",
        "area": town_a.code,
        "applicant_name": "王小明",
        "applicant_phone": "139 1234 5678",
        "description": "单位拖欠工资三个月，想咨询如何维权。",
        "legal_category": "labor",
        "parties": [{"role": "用人单位", "name": "某某制造有限公司", "phone": "051253520000"}],
    }


def post(client, data, secret=None, **headers):
    if secret is not None:
        headers.update(bearer(secret))
    return client.post(LIST, data, content_type="application/json", headers=headers)


@pytest.fixture
def order(clerk_a, town_a, item):
    return make_order(actor=clerk_a, area=town_a, service_item=item)


# --- Intake ---------------------------------------------------------------------------------


def test_a_write_token_creates_an_order_and_gets_its_tracking_code_and_deadline(client, write_token, body, town_a):
    response = post(client, body, write_token)

    assert response.status_code == 201, response.content
    data = response.json()
    order = WorkOrder.objects.get()
    assert data["id"] == order.pk
    assert data["tracking_code"] == order.tracking_code
    assert (data["status"], data["status_display"]) == ("received", "已受理")
    assert data["deadline"].endswith("T23:59:59+08:00")
    assert data["handling_org"] == town_a.code
    assert data["post"] is None
    assert "承办单位" in data["route_reason"]
    assert set(data) == {
        "id",
        "tracking_code",
        "status",
        "status_display",
        "deadline",
        "handling_org",
        "post",
        "route_reason",
    }
    assert (order.channel, order.service_item.code, order.legal_category.code) == ("api", "consultation", "labor")
    assert order.applicant.phone == "13912345678"
    assert order.first_owner.username == "clerk_a"
    assert list(order.parties.values_list("role", "name")) == [("用人单位", "某某制造有限公司")]
    assert Event.objects.filter(verb="workorder.created", target_id=str(order.pk)).exists()


def test_a_session_with_the_intake_permission_creates_an_order(client, clerk_a, body):
    client.force_login(clerk_a)

    assert post(client, body).status_code == 201


def test_events_caused_by_an_external_system_name_its_api_token(client, clerk_a, body):
    """C18: an API call by an external system is audited as such (the token it used)."""
    token, secret = api_token_issue(actor=None, user=clerk_a, scope="write")
    by_token = post(client, body, secret).json()
    client.force_login(clerk_a)
    by_session = post(client, body).json()

    created = Event.objects.filter(verb="workorder.created")
    assert created.get(target_id=str(by_token["id"])).payload["api_token"] == token.pk
    assert "api_token" not in created.get(target_id=str(by_session["id"])).payload


def test_optional_fields_are_passed_through(client, write_token, body):
    body.update(is_complex=True, green_channel=True, priority=1, applicant_resident_id="11010519491231002X")

    response = post(client, body, write_token)

    assert response.status_code == 201, response.content
    order = WorkOrder.objects.get()
    assert (order.is_complex, order.green_channel, order.priority) == (True, True, 1)
    assert order.applicant.resident_id == "11010519491231002X"


def _without(field):
    def change(body):
        del body[field]

    return change


def _setting(field, value):
    def change(body):
        body[field] = value

    return change


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_without("applicant_name"), "applicant_name"),
        (_without("applicant_phone"), "applicant_phone"),
        (_without("description"), "description"),
        (_without("channel"), "channel"),
        (_setting("applicant_phone", "12345"), "applicant_phone"),
        (_setting("applicant_resident_id", "110105194912310021"), "applicant_resident_id"),
        (_setting("service_item", "no-such-item"), "service_item"),
        (_setting("legal_category", "no-such-category"), "legal_category"),
        (_setting("area", "320583100"), "area"),  # 玉山镇, 昆山市: outside the clerk's area
        (_setting("area", "999999"), "area"),
        (_setting("channel", "fax"), "channel"),
        (_setting("nmae", "王小明"), "nmae"),
        (_setting("is_complex", "maybe"), "is_complex"),
        (_setting("priority", "high"), "priority"),
        (_setting("applicant_name", ["王小明"]), "applicant_name"),
        (_setting("parties", "某某公司"), "parties"),
        (_setting("parties", [{"name": "某某公司", "age": 3}]), "parties.0.age"),
        (_setting("description", "   "), "description"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(client, write_token, body, town_b, change, field):
    change(body)

    response = post(client, body, write_token)

    assert response.status_code == 400, response.content
    data = response.json()
    assert data["detail"] == "请求参数有误，请按 errors 中的说明修改后重试。"
    assert field in data["errors"], data
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in message) for message in data["errors"][field]), data
    assert not WorkOrder.objects.exists()
    assert not Applicant.objects.exists()
    assert not Party.objects.exists()


def test_a_token_narrowed_to_a_town_cannot_file_for_another_town_of_its_users_area(
    client, director_a, body, town_a, town_a2
):
    _, secret = api_token_issue(actor=None, user=director_a, org=town_a, scope="write")
    body["area"] = town_a2.code

    response = post(client, body, secret)

    assert response.status_code == 400
    assert "area" in response.json()["errors"]
    assert not WorkOrder.objects.exists()


def test_a_body_that_is_not_an_object_is_a_400(client, write_token, item):
    response = post(client, ["x"], write_token)

    assert response.status_code == 400
    assert not WorkOrder.objects.exists()


# --- Idempotency ----------------------------------------------------------------------------


def test_the_same_idempotency_key_twice_creates_one_order_201_then_200_with_the_same_body(client, write_token, body):
    first = post(client, body, write_token, **{"Idempotency-Key": "req-0001"})
    second = post(client, body, write_token, **{"Idempotency-Key": "req-0001"})

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert WorkOrder.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_a_422(client, write_token, body):
    assert post(client, body, write_token, **{"Idempotency-Key": "req-0002"}).status_code == 201
    body["description"] = "另一件事：邻居噪音扰民。"

    response = post(client, body, write_token, **{"Idempotency-Key": "req-0002"})

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert WorkOrder.objects.count() == 1


def test_a_key_still_in_flight_is_a_409(client, write_token, body, clerk_a):
    # Only a key without an order (left by an older release that committed keys first) is
    # still seen "in flight"; concurrent duplicates now wait and replay (test_concurrency).
    IdempotencyKey.objects.create(key=f"u{clerk_a.pk}:req-0003", request_hash=_hash_of(body))

    response = post(client, body, write_token, **{"Idempotency-Key": "req-0003"})

    assert response.status_code == 409
    assert "处理中" in response.json()["detail"]
    assert not WorkOrder.objects.exists()


def _hash_of(body):
    from open12348.workorders.api import request_hash

    return request_hash(body)


def test_idempotency_keys_are_per_caller(client, write_token, body, director_a):
    _, other = api_token_issue(actor=None, user=director_a, scope="write")

    assert post(client, body, write_token, **{"Idempotency-Key": "shared"}).status_code == 201
    assert post(client, body, other, **{"Idempotency-Key": "shared"}).status_code == 201
    assert WorkOrder.objects.count() == 2


def test_a_malformed_idempotency_key_is_a_400_naming_the_header(client, write_token, body):
    response = post(client, body, write_token, **{"Idempotency-Key": "x" * 65})

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not WorkOrder.objects.exists()


def test_a_failed_validation_does_not_burn_the_key(client, write_token, body):
    bad = {**body, "applicant_phone": "12345"}
    assert post(client, bad, write_token, **{"Idempotency-Key": "req-0004"}).status_code == 400

    assert post(client, body, write_token, **{"Idempotency-Key": "req-0004"}).status_code == 201


# --- Who may post ---------------------------------------------------------------------------


def test_anonymous_intake_is_401(client, body):
    assert post(client, body).status_code == 401
    assert not WorkOrder.objects.exists()


def test_a_citizen_cannot_use_the_staff_intake(client, citizen, body):
    client.force_login(citizen)

    assert post(client, body).status_code == 403
    assert not WorkOrder.objects.exists()


def test_a_read_token_cannot_create(client, clerk_a, body):
    _, secret = api_token_issue(actor=None, user=clerk_a, scope="read")

    response = post(client, body, secret)

    assert response.status_code == 403
    assert response.json() == {"detail": "只读令牌只能读取数据，不能提交或修改。"}
    assert not WorkOrder.objects.exists()


def test_staff_without_the_intake_permission_cannot_create(client, lawyer_a, body):
    client.force_login(lawyer_a)

    response = post(client, body)

    assert response.status_code == 403
    assert response.json() == {"detail": "您没有登记受理工单的权限。"}


# --- List and detail ------------------------------------------------------------------------


def test_the_list_shows_the_callers_orders_with_the_applicant_masked(client, clerk_a, order):
    client.force_login(clerk_a)

    response = client.get(LIST)

    assert response.status_code == 200, response.content
    [row] = response.json()["results"]
    assert row["tracking_code"] == order.tracking_code
    assert row["applicant_name"] == "王*明"
    assert row["applicant_phone"] == "139****5678"
    assert row["service_item"] == {"code": "consultation", "name": "法律咨询"}
    assert (row["status"], row["status_display"], row["due_state"]) == ("received", "已受理", "on_time")
    assert row["deadline"].endswith("+08:00")
    assert APPLICANT_PHONE not in response.content.decode()


def test_a_list_page_costs_the_same_queries_for_one_order_or_many(
    client, director_a, clerk_a, town_a, item, labor, django_assert_max_num_queries
):
    """Inbox rows load only the columns they show; a column read later would be one query per row."""
    client.force_login(director_a)
    make_order(actor=clerk_a, area=town_a, service_item=item)
    client.get(LIST)  # warm the calendar and the session
    with django_assert_max_num_queries(12) as one:
        client.get(LIST)
    for _ in range(5):
        services.workorder_transition(
            actor=director_a,
            order=make_order(actor=clerk_a, area=town_a, service_item=item, legal_category=labor),
            action="assign",
            assignee=clerk_a,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        rows = client.get(LIST).json()["results"]
    assert len(rows) == 6 and {row["assignee"] for row in rows} == {None, "clerk_a"}


def test_outsider_b_sees_nothing_of_taicang(client, outsider_b, order):
    client.force_login(outsider_b)

    assert client.get(LIST).json()["results"] == []
    response = client.get(detail_url(order))
    assert response.status_code == 404
    assert client.post(action_url(order, "claim")).status_code == 404


def test_a_token_narrowed_to_another_town_does_not_see_the_order(client, director_a, order, town_a2):
    _, secret = api_token_issue(actor=None, user=director_a, org=town_a2)

    assert client.get(LIST, headers=bearer(secret)).json()["results"] == []
    assert client.get(detail_url(order), headers=bearer(secret)).status_code == 404


def test_a_read_token_reads_the_list_and_detail(client, director_a, order):
    _, secret = api_token_issue(actor=None, user=director_a)

    assert [r["id"] for r in client.get(LIST, headers=bearer(secret)).json()["results"]] == [order.pk]
    assert client.get(detail_url(order), headers=bearer(secret)).status_code == 200


def test_list_filters_are_applied(client, clerk_a, town_a, item):
    hotline = make_order(actor=clerk_a, area=town_a, service_item=item, channel="hotline")
    make_order(actor=clerk_a, area=town_a, service_item=item, channel="window")
    client.force_login(clerk_a)

    response = client.get(LIST, {"channel": "hotline", "status": "received", "area": town_a.code})

    assert [row["id"] for row in response.json()["results"]] == [hotline.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"channel": "fax"}, "channel"),
        ({"tab": "everything"}, "tab"),
        ({"tab": "awaiting_materials"}, "tab"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-11-02", "date_to": "2026-11-01"}, "date_to"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_list_filters_are_a_400_naming_the_parameter(client, clerk_a, params, field):
    client.force_login(clerk_a)

    response = client.get(LIST, params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_anonymous_and_citizens_cannot_list(client, citizen):
    assert client.get(LIST).status_code == 401
    client.force_login(citizen)
    assert client.get(LIST).status_code == 403


def test_the_detail_has_masked_parties_notes_and_the_timeline(client, clerk_a, town_a, item):
    order = make_order(
        actor=clerk_a, area=town_a, service_item=item, parties=[{"name": "李四海", "phone": "13800001111"}]
    )
    services.workorder_note_add(actor=clerk_a, order=order, body="内部：已电话联系用人单位。")
    services.workorder_note_add(actor=clerk_a, order=order, body="已受理，请耐心等待。", is_public=True)
    client.force_login(clerk_a)

    response = client.get(detail_url(order))

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["parties"] == [{"role": "对方当事人", "name": "李*海", "phone": "138****1111"}]
    assert [(n["body"], n["is_public"]) for n in data["notes"]] == [
        ("内部：已电话联系用人单位。", False),
        ("已受理，请耐心等待。", True),
    ]
    assert [entry["verb"] for entry in data["timeline"]][0] == "workorder.created"
    assert data["timeline"][0]["actor"] == "clerk_a"
    assert data["applicant_name"] == "王*明"


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_the_detail_body_is_what_the_documented_serializer_gives(client, clerk_a, director_a, town_a, item, labor):
    """The detail view builds its body directly (B3); it must stay what the schema documents."""
    from django.utils import timezone

    from open12348.workorders import selectors
    from open12348.workorders.api import WorkOrderDetailSerializer, workorder_detail_data

    other = make_order(actor=clerk_a, area=town_a, service_item=item)
    order = make_order(
        actor=clerk_a,
        area=town_a,
        service_item=item,
        legal_category=labor,
        parties=[{"name": "李四海", "phone": "13800001111"}, {"name": "某公司", "phone": "", "role": "用人单位"}],
    )
    services.workorder_note_add(actor=clerk_a, order=order, body="内部记录", is_public=False)
    services.attachment_add(actor=clerk_a, order=order, upload=SimpleUploadedFile("欠条.pdf", PDF))
    services.workorder_transition(actor=director_a, order=order, action="assign", assignee=clerk_a)
    services.workorder_transition(actor=clerk_a, order=order, action="start")
    services.workorder_transition(actor=clerk_a, order=order, action="request_materials", reason="缺劳动合同")
    services.workorder_transition(actor=clerk_a, order=order, action="merge", into=other)
    now = timezone.now()
    for each in (order, other):
        loaded = selectors.workorder_for(director_a, each.pk)
        assert workorder_detail_data(loaded, now=now) == WorkOrderDetailSerializer(loaded, context={"now": now}).data
    client.force_login(director_a)
    response = client.get(detail_url(order))
    assert response.json()["merged_into"] == other.tracking_code
    [attachment] = response.json()["attachments"]
    assert (attachment["original_name"], attachment["content_type"]) == ("欠条.pdf", "application/pdf")
    assert attachment["uploaded_by"] == "clerk_a"
    assert response.json()["timeline"][-1]["verb"] == "workorder.merge"


def test_the_intake_answer_is_what_the_documented_serializer_gives(client, write_token, body):
    from open12348.workorders.api import WorkOrderCreatedSerializer

    first = post(client, body, write_token, **{"Idempotency-Key": "same-answer"})
    again = post(client, body, write_token, **{"Idempotency-Key": "same-answer"})

    order = WorkOrder.objects.get()
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json() == WorkOrderCreatedSerializer(order).data
    assert first.json()["route_reason"]


def test_an_unknown_id_is_a_404(client, clerk_a):
    client.force_login(clerk_a)

    assert client.get(reverse("api:workorder-detail", kwargs={"pk": 999999})).status_code == 404


# --- Transitions ----------------------------------------------------------------------------


def _run(order, actor, *actions, **details):
    for action in actions:
        extra = {"reason": "测试"} if action in services.REASON_REQUIRED else {}
        if action == "resolve":
            extra = {"outcome_code": "answered"}
        order = services.workorder_transition(actor=actor, order=order, action=action, **extra)
    return order


ACTION_CASES = [
    # action, steps before (by director_a), body, status after
    ("claim", (), {}, Status.ASSIGNED),
    ("assign", (), {"assignee": "clerk_a"}, Status.ASSIGNED),
    ("start", ("claim",), {}, Status.IN_PROGRESS),
    ("request_materials", ("claim", "start"), {"reason": "请补交劳动合同复印件。"}, Status.AWAITING_MATERIALS),
    ("materials_received", ("claim", "start", "request_materials"), {}, Status.IN_PROGRESS),
    ("resolve", ("claim", "start"), {"outcome_code": "answered", "reply": "已解答。"}, Status.RESOLVED),
    ("return_visit", ("claim", "start", "resolve"), {}, Status.RETURN_VISIT),
    ("close", ("claim", "start", "resolve", "return_visit"), {}, Status.CLOSED),
    ("transfer", (), {"org": "320585101", "reason": "属沙溪镇辖区。"}, Status.RECEIVED),
    ("escalate", (), {"reason": "疑难复杂，报区县。"}, Status.RECEIVED),
    (
        "refer_out",
        (),
        {"referred_to": "court", "referred_to_name": "太仓市人民法院", "reason": "已起诉。"},
        Status.REFERRED,
    ),
    ("reject", (), {"reason": "不属于受理范围。"}, Status.REJECTED),
    ("withdraw", (), {"reason": "申请人撤回。"}, Status.WITHDRAWN),
    ("reopen", ("claim", "start", "resolve"), {"reason": "群众反映未解决。"}, Status.IN_PROGRESS),
]


@pytest.mark.parametrize(("action", "before", "body", "after"), ACTION_CASES, ids=[c[0] for c in ACTION_CASES])
def test_each_action_endpoint_performs_its_transition(
    client, director_a, clerk_a, town_a, town_a2, item, action, before, body, after
):
    order = _run(make_order(actor=clerk_a, area=town_a, service_item=item), director_a, *before)
    client.force_login(director_a)

    response = client.post(action_url(order, action), body, content_type="application/json")

    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == after
    assert response.json()["status"] == after
    assert Event.objects.filter(target_id=str(order.pk), verb=f"workorder.{action}").exists()


def test_resolve_with_a_reply_publishes_it(client, director_a, clerk_a, town_a, item):
    order = _run(make_order(actor=clerk_a, area=town_a, service_item=item), director_a, "claim", "start")
    client.force_login(director_a)

    client.post(
        action_url(order, "resolve"), {"outcome_code": "answered", "reply": "已解答。"}, content_type="application/json"
    )

    assert list(Note.objects.filter(work_order=order).values_list("body", "is_public")) == [("已解答。", True)]


def test_merge_by_tracking_code(client, director_a, clerk_a, town_a, item):
    duplicate = make_order(actor=clerk_a, area=town_a, service_item=item)
    main = make_order(actor=clerk_a, area=town_a, service_item=item)
    client.force_login(director_a)

    response = client.post(
        action_url(duplicate, "merge"), {"into": main.tracking_code.lower()}, content_type="application/json"
    )

    assert response.status_code == 200, response.content
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (Status.MERGED, main.pk)
    assert response.json()["merged_into"] == main.tracking_code


def test_merge_by_id_into_an_invisible_order_is_a_400(client, director_a, clerk_a, town_a, outsider_b, town_b, item):
    mine = make_order(actor=clerk_a, area=town_a, service_item=item)
    theirs = make_order(actor=outsider_b, area=town_b, service_item=item)
    client.force_login(director_a)

    response = client.post(action_url(mine, "merge"), {"into": str(theirs.pk)}, content_type="application/json")

    assert response.status_code == 400
    assert "into" in response.json()["errors"]


def test_an_illegal_transition_is_a_409_in_chinese(client, clerk_a, order):
    client.force_login(clerk_a)

    response = client.post(action_url(order, "resolve"), {"outcome_code": "answered"}, content_type="application/json")

    assert response.status_code == 409
    assert response.json()["detail"] == "工单当前状态为「已受理」，不能执行「办结」操作。"
    order.refresh_from_db()
    assert order.status == Status.RECEIVED


def test_the_second_claim_is_a_409_naming_who_holds_it(client, clerk_a, lawyer_a, order):
    client.force_login(clerk_a)
    assert client.post(action_url(order, "claim")).status_code == 200

    client.force_login(lawyer_a)
    response = client.post(action_url(order, "claim"))

    assert response.status_code == 409
    assert "clerk_a" in response.json()["detail"]
    order.refresh_from_db()
    assert order.assignee == clerk_a


def test_an_action_without_the_permission_is_a_403(client, clerk_a, order):
    client.force_login(clerk_a)  # a window clerk may handle but not assign

    response = client.post(action_url(order, "assign"), {"assignee": "clerk_a"}, content_type="application/json")

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.assignee is None


def test_a_read_token_cannot_perform_an_action(client, director_a, order):
    _, secret = api_token_issue(actor=None, user=director_a, scope="read")

    response = client.post(action_url(order, "claim"), headers=bearer(secret))

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == Status.RECEIVED


def test_a_write_token_performs_an_action(client, clerk_a, write_token, order):
    response = client.post(action_url(order, "claim"), headers=bearer(write_token))

    assert response.status_code == 200
    assert response.json()["assignee"] == "clerk_a"


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("reject", {}, "reason"),
        ("reject", {"reason": ""}, "reason"),
        ("claim", {"note": "x"}, "note"),
        ("assign", {}, "assignee"),
        ("assign", {"assignee": "outsider_b"}, "assignee"),
        ("assign", {"post": "no-such-post"}, "post"),
        ("transfer", {"org": "999999", "reason": "x"}, "org"),
        ("refer_out", {"referred_to": "moon", "reason": "x"}, "referred_to"),
        ("merge", {"into": "AAAA-AAAA"}, "into"),
    ],
)
def test_bad_action_details_are_a_400_naming_the_field(client, director_a, outsider_b, order, action, body, field):
    client.force_login(director_a)

    response = client.post(action_url(order, action), body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    order.refresh_from_db()
    assert order.status == Status.RECEIVED


def test_actions_refuse_anonymous_and_citizens(client, citizen, order):
    assert client.post(action_url(order, "claim")).status_code == 401
    client.force_login(citizen)
    assert client.post(action_url(order, "claim")).status_code == 403


# --- Public tracking ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_tracking_by_code_and_phone_shows_minimal_fields(client, clerk_a, director_a, order):
    order = _run(order, director_a, "claim", "start")
    services.workorder_note_add(actor=clerk_a, order=order, body="内部备注", is_public=False)
    services.workorder_transition(
        actor=director_a, order=order, action="resolve", outcome_code="answered", reply="建议先申请劳动仲裁。"
    )

    response = client.get(track_url(order.tracking_code), {"phone": APPLICANT_PHONE})

    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == {
        "tracking_code",
        "service_item",
        "status",
        "status_display",
        "received_at",
        "deadline",
        "due_state",
        "replies",
        "can_rate",
    }
    assert (data["tracking_code"], data["service_item"]) == (order.tracking_code, "法律咨询")
    assert (data["status"], data["status_display"], data["can_rate"]) == ("resolved", "已办结", True)
    assert [reply["body"] for reply in data["replies"]] == ["建议先申请劳动仲裁。"]
    assert "内部备注" not in response.content.decode()


def test_the_code_is_accepted_in_any_case_and_without_the_dash(client, order):
    code = order.tracking_code.replace("-", "").lower()

    assert client.get(track_url(code), {"phone": APPLICANT_PHONE}).status_code == 200


def test_a_wrong_phone_and_an_unknown_code_give_the_same_404(client, order):
    wrong_phone = client.get(track_url(order.tracking_code), {"phone": "13800009999"})
    unknown = client.get(track_url("ZZZZ-ZZZZ"), {"phone": APPLICANT_PHONE})
    garbage = client.get(track_url("x"), {"phone": APPLICANT_PHONE})

    assert wrong_phone.status_code == unknown.status_code == garbage.status_code == 404
    assert wrong_phone.json() == unknown.json() == garbage.json()


def test_tracking_needs_the_phone(client, order):
    response = client.get(track_url(order.tracking_code))

    assert response.status_code == 400
    assert "phone" in response.json()["errors"]


def test_a_merged_orders_code_still_tracks(client, director_a, clerk_a, town_a, item):
    duplicate = make_order(actor=clerk_a, area=town_a, service_item=item)
    main = make_order(actor=clerk_a, area=town_a, service_item=item)
    services.workorder_transition(actor=director_a, order=duplicate, action="merge", into=main)

    response = client.get(track_url(duplicate.tracking_code), {"phone": APPLICANT_PHONE})

    assert response.status_code == 200, response.content


def test_tracking_is_throttled_per_ip(client, order):
    statuses = [
        client.get(track_url("ZZZZ-ZZZZ"), {"phone": APPLICANT_PHONE}, REMOTE_ADDR="10.0.0.7").status_code
        for _ in range(31)
    ]

    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
    assert "请求过于频繁" in client.get(track_url("ZZZZ-ZZZZ"), {"phone": "1"}, REMOTE_ADDR="10.0.0.7").json()["detail"]
    # Another address is not affected.
    assert client.get(track_url("ZZZZ-ZZZZ"), {"phone": APPLICANT_PHONE}, REMOTE_ADDR="10.0.0.8").status_code == 404


def test_the_schema_lists_the_work_order_endpoints(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()

    assert {"get", "post"} <= set(schema["paths"]["/api/v1/work-orders/"])
    assert "get" in schema["paths"]["/api/v1/work-orders/{id}/"]
    assert "post" in schema["paths"]["/api/v1/work-orders/{id}/claim/"]
    assert "get" in schema["paths"]["/api/v1/track/{code}/"]
