"""The work-order pages through Django's test client: who may open what, intake, the inbox
tabs, actions, notes and return visits, ledgers and their Excel export, and the citizens'
submit / track / rate pages with their rate limits."""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from open12348.catalog.models import ServiceItem
from open12348.workorders import services
from open12348.workorders.models import Channel, Note, ReturnVisit, Status, WorkOrder
from open12348.workorders.tests import factories

PHONE = factories.APPLICANT_PHONE


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def item(db):
    return factories.service_item(code="consultation", days=5)


@pytest.fixture
def complaint_item(db):
    return factories.service_item(code="complaint", name="投诉建议", days=15, category=ServiceItem.Category.COMPLAINT)


@pytest.fixture
def order_a(clerk_a, town_a, item):
    return factories.make_order(actor=clerk_a, area=town_a, service_item=item)


def _login(client, user):
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def _text(response) -> str:
    return response.content.decode()


# ---- permissions ----------------------------------------------------------------------------

STAFF_GETS = [
    ("workorders:inbox", {}),
    ("workorders:intake", {}),
    ("workorders:intake-history", {}),
    ("workorders:intake-route", {}),
    ("workorders:ledger", {"kind": "visits"}),
    ("workorders:ledger-export", {"kind": "visits"}),
]


@pytest.mark.parametrize(("name", "kwargs"), STAFF_GETS)
def test_staff_pages_send_anonymous_visitors_to_the_login_page(client, db, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_order_pages_send_anonymous_visitors_to_the_login_page(client, order_a):
    for name in ("workorders:detail",):
        assert "/accounts/login/" in client.get(reverse(name, args=[order_a.pk]))["Location"]
    for name in ("workorders:act", "workorders:note-add", "workorders:return-visit"):
        response = client.post(reverse(name, args=[order_a.pk]), {"action": "claim"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    order_a.refresh_from_db()
    assert order_a.status == Status.RECEIVED


@pytest.mark.parametrize(("name", "kwargs"), STAFF_GETS)
def test_staff_pages_refuse_citizens(client, citizen, name, kwargs):
    _login(client, citizen)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 403


def test_order_pages_refuse_citizens(client, citizen, order_a):
    _login(client, citizen)
    assert client.get(reverse("workorders:detail", args=[order_a.pk])).status_code == 403
    assert client.post(reverse("workorders:act", args=[order_a.pk]), {"action": "claim"}).status_code == 403
    order_a.refresh_from_db()
    assert order_a.assignee is None


def test_staff_of_another_area_get_404_for_an_area_a_order_and_change_nothing(client, outsider_b, order_a):
    _login(client, outsider_b)
    assert client.get(reverse("workorders:detail", args=[order_a.pk])).status_code == 404
    assert client.post(reverse("workorders:act", args=[order_a.pk]), {"action": "claim"}).status_code == 404
    assert (
        client.post(reverse("workorders:note-add", args=[order_a.pk]), {"body": "看看", "is_public": "on"}).status_code
        == 404
    )
    response = client.post(
        reverse("workorders:return-visit", args=[order_a.pk]), {"method": "phone", "satisfaction": "1"}
    )
    assert response.status_code == 404
    order_a.refresh_from_db()
    assert order_a.assignee is None and not Note.objects.exists() and not ReturnVisit.objects.exists()
    history = client.get(reverse("workorders:intake-history"), {"applicant_phone": PHONE})
    assert order_a.tracking_code not in _text(history)
    inbox = client.get(reverse("workorders:inbox"), {"tab": "unassigned"})
    assert order_a.tracking_code not in _text(inbox)
    ledger = client.get(reverse("workorders:ledger", args=["visits"]))
    assert order_a.tracking_code not in _text(ledger)


def test_supervisors_may_read_but_not_take_intake(client, city, order_a):
    from open12348.accounts.tests.factories import make_staff

    supervisor = make_staff("supervisor_a", city, "supervisor")
    _login(client, supervisor)
    assert client.get(reverse("workorders:inbox")).status_code == 200
    assert client.get(reverse("workorders:intake")).status_code == 403


def test_citizen_pages_are_open_without_an_account(client, db):
    assert client.get(reverse("requests:submit")).status_code == 200
    assert client.get(reverse("requests:track")).status_code == 200
    # Nothing submitted in this session: the confirmation page sends back to the form.
    assert client.get(reverse("requests:submitted"))["Location"] == reverse("requests:submit")


# ---- intake -----------------------------------------------------------------------------


def _intake_data(item, area, **overrides):
    data = {
        "channel": "window",
        "applicant_name": "李四",
        "applicant_phone": "13912340000",
        "applicant_resident_id": "",
        "service_item": str(item.pk),
        "legal_category": "",
        "area": str(area.pk),
        "description": "邻居装修噪音扰民，想咨询如何处理。",
        "party1_name": "赵六",
        "party1_phone": "13700001111",
    }
    data.update(overrides)
    return data


def test_window_intake_creates_the_order_and_redirects_to_it_showing_the_tracking_code(client, clerk_a, town_a, item):
    _login(client, clerk_a)
    page = client.get(reverse("workorders:intake"), {"channel": "window"})
    assert page.status_code == 200 and "窗口受理登记" in _text(page)
    response = client.post(reverse("workorders:intake") + "?channel=window", _intake_data(item, town_a))
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workorders:detail", args=[order.pk])
    assert order.channel == Channel.WINDOW and order.first_owner == clerk_a and order.area == town_a
    assert [party.name for party in order.parties.all()] == ["赵六"]
    detail = client.get(response["Location"])
    text = _text(detail)
    assert order.tracking_code in text and "李*" in text and "李四" not in text
    assert "139****0000" in text
    assert "登记受理" in text  # the timeline shows the audit event


def test_hotline_intake_records_the_hotline_channel(client, operator, town_a, item):
    _login(client, operator)
    response = client.post(reverse("workorders:intake"), _intake_data(item, town_a, channel="hotline"))
    assert response.status_code == 302
    assert WorkOrder.objects.get().channel == Channel.HOTLINE


def test_intake_with_bad_input_shows_field_messages_keeps_the_input_and_writes_nothing(client, clerk_a, town_a, item):
    _login(client, clerk_a)
    data = _intake_data(item, town_a, applicant_name="  ", applicant_phone="12345", applicant_resident_id="320585199")
    response = client.post(reverse("workorders:intake"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["applicant_name"] == ["请填写申请人姓名。"]
    assert form.errors["applicant_phone"]
    assert form.errors["applicant_resident_id"]
    text = _text(response)
    assert "提交未成功" in text and "邻居装修噪音扰民" in text and 'value="12345"' in text
    assert not WorkOrder.objects.exists()


def test_intake_refuses_an_area_outside_the_clerks_subtree(client, clerk_a, town_b, item):
    _login(client, clerk_a)
    response = client.post(reverse("workorders:intake"), _intake_data(item, town_b))
    assert response.status_code == 200
    assert "area" in response.context["form"].errors
    assert not WorkOrder.objects.exists()


def test_phone_typed_at_intake_shows_earlier_orders_open_ones_first(client, clerk_a, town_a, item):
    older = factories.make_order(actor=clerk_a, area=town_a, service_item=item)
    services.workorder_transition(actor=clerk_a, order=older, action="withdraw", reason="群众撤回")
    current = factories.make_order(actor=clerk_a, area=town_a, service_item=item)
    _login(client, clerk_a)
    response = client.get(reverse("workorders:intake-history"), {"applicant_phone": PHONE}, HTTP_HX_REQUEST="true")
    text = _text(response)
    assert "<html" not in text
    assert text.index(current.tracking_code) < text.index(older.tracking_code)
    assert "未办结" in text
    assert "请输入完整的电话号码" in _text(client.get(reverse("workorders:intake-history"), {"applicant_phone": "139"}))


def test_route_preview_names_the_handling_org_and_why(client, clerk_a, town_a, item):
    _login(client, clerk_a)
    response = client.get(reverse("workorders:intake-route"), {"service_item": item.pk, "area": town_a.pk})
    text = _text(response)
    assert "承办单位" in text and town_a.name in text and "分派理由" in text


# ---- inbox ---------------------------------------------------------------------------------


def test_inbox_tabs_are_scoped_and_counted(client, clerk_a, clerk_a2, outsider_b, town_a, item):
    mine = factories.make_order(actor=clerk_a, area=town_a, service_item=item)
    services.workorder_transition(actor=clerk_a, order=mine, action="claim")
    waiting = factories.make_order(actor=clerk_a, area=town_a, service_item=item)
    _login(client, clerk_a)
    page = client.get(reverse("workorders:inbox"), {"tab": "mine"})
    text = _text(page)
    assert mine.tracking_code in text and waiting.tracking_code not in text
    assert '我的待办<span class="tab-count">（1件）</span>' in text
    assert '待分派<span class="tab-count">（1件）</span>' in text
    unassigned = _text(client.get(reverse("workorders:inbox"), {"tab": "unassigned"}))
    assert waiting.tracking_code in unassigned and mine.tracking_code not in unassigned
    # Another town's clerk and another area's staff do not see town A's orders.
    _login(client, outsider_b)
    assert waiting.tracking_code not in _text(client.get(reverse("workorders:inbox"), {"tab": "unassigned"}))


def test_post_tab_shows_orders_waiting_in_the_posts_the_viewer_belongs_to(client, clerk_a, clerk_a2, town_a, item):
    factories.post(town_a, code="consultation", name="法律咨询岗", members=[clerk_a])
    factories.routing_rule(name="咨询到岗", service_item=item, target="area", post_code="consultation")
    order = factories.make_order(actor=clerk_a, area=town_a, service_item=item)
    assert order.post is not None and order.assignee is None
    _login(client, clerk_a)
    text = _text(client.get(reverse("workorders:inbox"), {"tab": "post"}))
    assert order.tracking_code in text and '本岗位<span class="tab-count">（1件）</span>' in text
    _login(client, clerk_a2)
    assert order.tracking_code not in _text(client.get(reverse("workorders:inbox"), {"tab": "post"}))


def test_inbox_filters_swap_only_the_results_with_htmx(client, clerk_a, town_a, item):
    order = factories.make_order(actor=clerk_a, area=town_a, service_item=item)
    other = factories.make_order(actor=clerk_a, area=town_a, service_item=item, channel=Channel.HOTLINE)
    _login(client, clerk_a)
    response = client.get(
        reverse("workorders:inbox"), {"tab": "unassigned", "channel": "window"}, HTTP_HX_REQUEST="true"
    )
    text = _text(response)
    assert "<html" not in text and "inbox-results-title" in text
    assert order.tracking_code in text and other.tracking_code not in text
    assert response["Vary"] and "HX-Request" in response["Vary"]
    by_code = _text(client.get(reverse("workorders:inbox"), {"tab": "all", "q": other.tracking_code.lower()}))
    assert other.tracking_code in by_code and order.tracking_code not in by_code


def test_inbox_shows_the_due_state_in_words(client, clerk_a, town_a, item):
    order = factories.make_order(actor=clerk_a, area=town_a, service_item=item)
    WorkOrder.objects.filter(pk=order.pk).update(deadline=order.received_at.replace(year=order.received_at.year - 1))
    _login(client, clerk_a)
    text = _text(client.get(reverse("workorders:inbox"), {"tab": "overdue"}))
    assert order.tracking_code in text and "已超期" in text


def test_inbox_reports_bad_dates_in_words(client, clerk_a, db):
    _login(client, clerk_a)
    response = client.get(reverse("workorders:inbox"), {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "结束日期不能早于开始日期" in _text(response)


# ---- actions, notes, return visits ---------------------------------------------------------


def _act(client, order, action, **data):
    return client.post(reverse("workorders:act", args=[order.pk]), {"action": action, **data}, follow=True)


def test_clerk_claims_starts_and_resolves_through_the_page(client, clerk_a, order_a):
    _login(client, clerk_a)
    detail = _text(client.get(reverse("workorders:detail", args=[order_a.pk])))
    assert 'value="claim"' in detail and 'value="close"' not in detail
    assert "已认领。" in _messages(_act(client, order_a, "claim"))
    assert "已开始办理。" in _messages(_act(client, order_a, "start"))
    response = _act(client, order_a, "resolve", outcome_code="answered", reply="已电话解答，建议先与对方协商。")
    assert "已办结。" in _messages(response)
    order_a.refresh_from_db()
    assert order_a.status == Status.RESOLVED and order_a.assignee == clerk_a and order_a.outcome_code == "answered"
    assert Note.objects.get(work_order=order_a).is_public
    assert "办理过程" in _text(response) and "认领" in _text(response)


def test_an_illegal_action_shows_a_message_and_changes_nothing(client, clerk_a, order_a):
    _login(client, clerk_a)
    response = _act(client, order_a, "close")
    assert any("不能执行「归档」" in message for message in _messages(response))
    assert "不能执行「归档」" in _text(response)
    order_a.refresh_from_db()
    assert order_a.status == Status.RECEIVED and order_a.closed_at is None


def test_an_action_missing_its_details_is_refused_with_a_message(client, clerk_a, order_a):
    _login(client, clerk_a)
    response = _act(client, order_a, "reject")
    assert any("原因" in message for message in _messages(response))
    order_a.refresh_from_db()
    assert order_a.status == Status.RECEIVED


def test_a_second_claim_is_told_who_holds_the_order(client, clerk_a, director_a, order_a):
    services.workorder_transition(actor=director_a, order=order_a, action="claim")
    _login(client, clerk_a)
    response = _act(client, order_a, "claim")
    assert any("已由" in message and "认领" in message for message in _messages(response))
    order_a.refresh_from_db()
    assert order_a.assignee == director_a


def test_requesting_materials_pauses_the_clock_and_shows_it(client, clerk_a, order_a):
    services.workorder_transition(actor=clerk_a, order=order_a, action="claim")
    services.workorder_transition(actor=clerk_a, order=order_a, action="start")
    _login(client, clerk_a)
    response = _act(client, order_a, "request_materials", reason="请补交劳动合同复印件")
    assert "已通知补正材料。" in _messages(response)
    text = _text(response)
    assert "暂停计时（待补正）" in text and 'value="materials_received"' in text
    order_a.refresh_from_db()
    assert order_a.status == Status.AWAITING_MATERIALS and order_a.clock_paused_at is not None
    awaiting = _text(client.get(reverse("workorders:inbox"), {"tab": "awaiting"}))
    assert order_a.tracking_code in awaiting
    _act(client, order_a, "materials_received")
    order_a.refresh_from_db()
    assert order_a.status == Status.IN_PROGRESS and order_a.clock_paused_at is None


def test_referral_to_another_body_is_recorded_from_the_page(client, clerk_a, order_a):
    _login(client, clerk_a)
    response = _act(
        client, order_a, "refer_out", referred_to="court", referred_to_name="太仓市人民法院", reason="已起诉"
    )
    assert "已转外部门。" in _messages(response)
    order_a.refresh_from_db()
    assert order_a.status == Status.REFERRED and order_a.referred_to == "court"
    assert "太仓市人民法院" in _text(response)


def test_clerks_cannot_assign_and_the_page_does_not_offer_it(client, clerk_a, clerk_a2, order_a):
    _login(client, clerk_a)
    assert 'value="assign"' not in _text(client.get(reverse("workorders:detail", args=[order_a.pk])))
    response = _act(client, order_a, "assign", assignee=str(clerk_a2.pk))
    assert "您没有执行此操作的权限。" in _messages(response)
    order_a.refresh_from_db()
    assert order_a.assignee is None


def test_director_assigns_from_the_page(client, director_a, clerk_a, order_a):
    _login(client, director_a)
    assert 'value="assign"' in _text(client.get(reverse("workorders:detail", args=[order_a.pk])))
    response = _act(client, order_a, "assign", assignee=str(clerk_a.pk))
    assert "已分派。" in _messages(response)
    order_a.refresh_from_db()
    assert order_a.assignee == clerk_a and order_a.status == Status.ASSIGNED


def test_internal_notes_and_public_replies(client, clerk_a, order_a):
    _login(client, clerk_a)
    url = reverse("workorders:note-add", args=[order_a.pk])
    client.post(url, {"body": "内部：需核实劳动合同"})
    client.post(url, {"body": "请携带劳动合同到窗口", "is_public": "on"})
    assert [(n.body, n.is_public) for n in order_a.notes.order_by("id")] == [
        ("内部：需核实劳动合同", False),
        ("请携带劳动合同到窗口", True),
    ]
    text = _text(client.get(reverse("workorders:detail", args=[order_a.pk])))
    assert "内部记录" in text and "群众可见" in text
    empty = client.post(url, {"body": "  "})
    assert empty.status_code == 400 and "请填写记录内容。" in _text(empty)
    assert order_a.notes.count() == 2


def _resolved(order, actor):
    services.workorder_transition(actor=actor, order=order, action="claim")
    services.workorder_transition(actor=actor, order=order, action="start")
    services.workorder_transition(actor=actor, order=order, action="resolve", outcome_code="answered", reply="已答复")
    order.refresh_from_db()
    return order


def test_return_visit_form_records_satisfaction_after_resolution(client, clerk_a, order_a):
    _login(client, clerk_a)
    assert 'id="return-visit"' not in _text(client.get(reverse("workorders:detail", args=[order_a.pk])))
    _resolved(order_a, clerk_a)
    assert 'id="return-visit"' in _text(client.get(reverse("workorders:detail", args=[order_a.pk])))
    url = reverse("workorders:return-visit", args=[order_a.pk])
    missing = client.post(url, {"method": "phone"})
    assert missing.status_code == 400 and "请选择满意度。" in _text(missing)
    response = client.post(url, {"method": "phone", "satisfaction": "2", "comment": "等待时间太长"}, follow=True)
    assert "回访结果已记录。" in _messages(response)
    order_a.refresh_from_db()
    assert order_a.status == Status.RETURN_VISIT and order_a.satisfaction == 2
    assert order_a.follow_ups.count() == 1  # 不满意 opens a follow-up


# ---- ledgers ------------------------------------------------------------------------------


def test_ledger_lists_scoped_rows_with_masked_names_and_links(client, clerk_a, town_a, item):
    order = factories.make_order(
        actor=clerk_a, area=town_a, service_item=item, applicant_name="欧阳小明", applicant_phone="13900000001"
    )
    hotline = factories.make_order(actor=clerk_a, area=town_a, service_item=item, channel=Channel.HOTLINE)
    _login(client, clerk_a)
    text = _text(client.get(reverse("workorders:ledger", args=["visits"])))
    assert order.tracking_code in text and "欧**明" in text and "欧阳小明" not in text
    assert reverse("workorders:detail", args=[order.pk]) in text
    assert hotline.tracking_code not in text
    assert hotline.tracking_code in _text(client.get(reverse("workorders:ledger", args=["calls"])))
    for kind in ("acceptance", "complaints", "duty", "reception"):
        assert client.get(reverse("workorders:ledger", args=[kind])).status_code == 200
    assert client.get(reverse("workorders:ledger", args=["nonsense"])).status_code == 404
    # The clerk may read ledgers but not export them.
    assert "导出Excel" not in text
    assert client.get(reverse("workorders:ledger-export", args=["visits"])).status_code == 403


def test_ledger_date_range_filters_rows(client, clerk_a, town_a, item):
    order = factories.make_order(actor=clerk_a, area=town_a, service_item=item)
    _login(client, clerk_a)
    day = order.received_at.astimezone(factories.services.sla.BEIJING).date()
    inside = _text(client.get(reverse("workorders:ledger", args=["visits"]), {"date_from": day, "date_to": day}))
    assert order.tracking_code in inside
    before = _text(client.get(reverse("workorders:ledger", args=["visits"]), {"date_to": "2000-01-01"}))
    assert order.tracking_code not in before


def test_ledger_export_is_excel_with_masked_names_and_no_formulas(client, director_a, clerk_a, town_a, item):
    factories.make_order(
        actor=clerk_a, area=town_a, service_item=item, applicant_name="王小明", description='=HYPERLINK("http://x")'
    )
    factories.make_order(
        actor=clerk_a,
        area=town_a,
        service_item=item,
        applicant_name="@张三",
        applicant_phone="13900000002",
        description="+1-2",
    )
    _login(client, director_a)
    page = _text(client.get(reverse("workorders:ledger", args=["visits"])))
    assert "导出Excel" in page
    response = client.get(reverse("workorders:ledger-export", args=["visits"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "%E6%9D%A5%E8%AE%BF" in disposition  # 来访 percent-encoded
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[:3] == ["受理时间", "查询码", "来访人"]
    names = {row[header.index("来访人")] for row in rows[1:]}
    summaries = {row[header.index("诉求摘要")] for row in rows[1:]}
    assert names == {"王*明", "'@*三"}
    assert summaries == {'\'=HYPERLINK("http://x")', "'+1-2"}
    for row in rows[1:]:
        for value in row:
            assert not str(value or "").startswith(("=", "+", "-", "@"))


# ---- citizens: submit, track, rate -----------------------------------------------------------


def _submit_data(area, **overrides):
    data = {
        "kind": "consultation",
        "applicant_name": "陈七",
        "applicant_phone": "13600001234",
        "area": area.code,
        "description": "父亲去世后房产如何继承？",
        "notice": "on",
    }
    data.update(overrides)
    return data


def test_citizen_submits_without_an_account_and_sees_the_tracking_code(client, town_a, item):
    page = _text(client.get(reverse("requests:submit")))
    assert town_a.name in page and "个人信息保护告知" in page
    response = client.post(reverse("requests:submit"), _submit_data(town_a))
    assert response["Location"] == reverse("requests:submitted")
    order = WorkOrder.objects.get()
    assert order.channel == Channel.WEB and order.service_item == item and order.first_owner is None
    assert order.applicant.user is None
    done = _text(client.get(response["Location"]))
    assert order.tracking_code in done and "办理期限" in done


def test_submit_requires_the_notice_and_keeps_what_was_typed(client, town_a, item):
    response = client.post(reverse("requests:submit"), _submit_data(town_a, notice="", applicant_phone="0512"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "notice" in errors and "applicant_phone" in errors
    assert "父亲去世后房产如何继承" in _text(response)
    assert not WorkOrder.objects.exists()


def test_a_complaint_is_filed_under_the_complaint_item(client, town_a, complaint_item):
    client.post(reverse("requests:submit"), _submit_data(town_a, kind="suggestion", description="窗口排队太久"))
    order = WorkOrder.objects.get()
    assert order.service_item == complaint_item and "窗口排队太久" in order.description


def test_signed_in_citizen_gets_name_and_phone_prefilled_and_the_order_linked(client, citizen, town_a, item):
    _login(client, citizen)
    form = client.get(reverse("requests:submit")).context["form"]
    assert form.initial["applicant_phone"] == citizen.phone and form.initial["applicant_name"] == "张三"
    client.post(reverse("requests:submit"), _submit_data(town_a, applicant_phone=citizen.phone))
    assert WorkOrder.objects.get().applicant.user == citizen


def _track(client, code, phone):
    return client.post(reverse("requests:track"), {"code": code, "phone": phone}, follow=True)


def test_track_shows_status_public_replies_and_deadline_then_takes_a_rating(client, clerk_a, town_a, item):
    client.post(reverse("requests:submit"), _submit_data(town_a))
    order = WorkOrder.objects.get()
    services.workorder_note_add(actor=clerk_a, order=order, body="内部：查房产登记", is_public=False)
    text = _text(_track(client, order.tracking_code.lower().replace("-", ""), "136 0000 1234"))
    assert "已受理" in text and "办理期限" in text and "内部：查房产登记" not in text
    assert "提交评价" not in text
    _resolved(order, clerk_a)
    text = _text(client.get(reverse("requests:track")))
    assert "已办结" in text and "已答复" in text and "提交评价" in text
    missing = client.post(reverse("requests:track"), {"action": "rate"})
    assert missing.status_code == 400
    response = client.post(
        reverse("requests:track"), {"action": "rate", "satisfaction": "5", "comment": "很及时"}, follow=True
    )
    assert "感谢您的评价！" in _messages(response)
    visit = ReturnVisit.objects.get(work_order=order)
    assert visit.method == ReturnVisit.Method.SELF and visit.satisfaction == 5
    assert "提交评价" not in _text(response) and "您已评价" in _text(response)


def test_unknown_code_and_wrong_phone_get_the_same_message(client, town_a, item):
    client.post(reverse("requests:submit"), _submit_data(town_a))
    order = WorkOrder.objects.get()
    wrong_phone = _text(_track(client, order.tracking_code, "13600009999"))
    unknown = _text(_track(client, "ABCD-EFGH", "13600001234"))
    message = "查询码或手机号码不正确，请核对后重新输入。"
    assert message in wrong_phone and message in unknown
    assert "办理状态" not in wrong_phone and "办理状态" not in unknown
    # Rating without a successful look-up does nothing.
    client.post(reverse("requests:track"), {"action": "rate", "satisfaction": "1"})
    assert not ReturnVisit.objects.exists()


def test_submissions_are_limited_per_phone(client, town_a, item):
    for _ in range(5):
        assert client.post(reverse("requests:submit"), _submit_data(town_a)).status_code == 302
    response = client.post(reverse("requests:submit"), _submit_data(town_a))
    assert response.status_code == 429 and "一小时后再试" in _text(response)
    assert WorkOrder.objects.count() == 5
    # Another phone from the same address is still accepted.
    assert (
        client.post(reverse("requests:submit"), _submit_data(town_a, applicant_phone="13600005678")).status_code == 302
    )


def test_submissions_are_limited_per_ip(client, town_a, item):
    for n in range(20):
        phone = f"136000{n:05d}"
        assert client.post(reverse("requests:submit"), _submit_data(town_a, applicant_phone=phone)).status_code == 302
    response = client.post(reverse("requests:submit"), _submit_data(town_a, applicant_phone="13700000000"))
    assert response.status_code == 429
    other = client.post(
        reverse("requests:submit"), _submit_data(town_a, applicant_phone="13700000001"), REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302


def test_failed_look_ups_are_limited_per_ip(client, db):
    for _ in range(20):
        _track(client, "ABCD-EFGH", "13600001234")
    response = client.post(reverse("requests:track"), {"code": "ABCD-EFGH", "phone": "13600001234"})
    assert response.status_code == 429


def test_portal_links_to_the_citizen_pages_and_console_to_the_inbox(client, clerk_a):
    home = _text(client.get(reverse("portal:home")))
    assert reverse("requests:submit") in home and reverse("requests:track") in home
    _login(client, clerk_a)
    console = _text(client.get(reverse("portal:console")))
    assert reverse("workorders:inbox") in console
    assert re.search(r"窗口受理|受理登记", console)


def test_duty_and_reception_ledgers_list_and_export_their_rows(client, director_a, clerk_a, area_a, town_a):
    start = timezone.now().replace(microsecond=0)
    services.duty_shift_create(
        actor=director_a,
        org=town_a,
        user=clerk_a,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        seat_label="1号坐席",
    )
    services.reception_day_create(
        actor=director_a, org=area_a, leader_name="局长", date=start.date(), place="市民服务中心", records="-来访3人"
    )
    _login(client, director_a)
    duty = _text(client.get(reverse("workorders:ledger", args=["duty"])))
    assert "1号坐席" in duty and "clerk_a" in duty
    reception = _text(client.get(reverse("workorders:ledger", args=["reception"])))
    assert "市民服务中心" in reception
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("workorders:ledger-export", args=["reception"])).content)
    ).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["接待日期", "接待领导", "接待地点"]
    assert rows[1][rows[0].index("接待记录")] == "'-来访3人"
