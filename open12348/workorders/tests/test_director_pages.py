"""The director's pages: follow-ups of 不满意 ratings, pending rating appeals, call backs and
appeals on the detail page, and the duty-roster and reception-day create forms of the
ledgers. clerk_a is refused (403), outsider_b sees nothing of area A (404), director_a works;
bad input comes back with Chinese messages and what was typed, and nothing is written."""

import datetime

import pytest
from django.urls import reverse

from open12348.workorders import services
from open12348.workorders.models import Callback, DutyShift, FollowUp, RatingAppeal, ReceptionDay, Satisfaction
from open12348.workorders.tests import factories


def transition(actor, order, action, **details):
    return services.workorder_transition(actor=actor, order=order, action=action, **details)


@pytest.fixture
def resolved(clerk_a, town_a):
    order = factories.make_order(actor=clerk_a, area=town_a)
    transition(clerk_a, order, "claim")
    transition(clerk_a, order, "start")
    return transition(clerk_a, order, "resolve", outcome_code="answered")


@pytest.fixture
def follow_up(clerk_a, resolved):
    services.return_visit_record(
        actor=clerk_a, order=resolved, method="phone", satisfaction=Satisfaction.DISSATISFIED, comment="答复太笼统"
    )
    return FollowUp.objects.get(work_order=resolved)


@pytest.fixture
def appeal(clerk_a, follow_up):
    return services.rating_appeal_file(actor=clerk_a, order=follow_up.work_order, reason="群众误解了办理结果。")


def _text(response) -> str:
    return response.content.decode()


# ---- follow-ups -------------------------------------------------------------------------------


def test_the_director_sees_follow_ups_with_their_deadline(client, director_a, follow_up):
    client.force_login(director_a)

    response = client.get(reverse("workorders:follow-ups"))

    assert response.status_code == 200
    text = _text(response)
    assert follow_up.work_order.tracking_code in text
    assert f"{follow_up.deadline.astimezone(datetime.timezone(datetime.timedelta(hours=8))):%Y年%-m月%-d日}" in text


def test_the_director_resolves_a_follow_up(client, director_a, follow_up):
    client.force_login(director_a)

    response = client.post(
        reverse("workorders:follow-up-resolve", args=[follow_up.pk]),
        {f"f{follow_up.pk}-resolution": "已约谈承办人并重新答复群众。"},
    )

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.resolved_by, follow_up.resolution) == (director_a, "已约谈承办人并重新答复群众。")
    assert f'id="follow-up-{follow_up.pk}"' not in _text(client.get(reverse("workorders:follow-ups")))


def test_an_empty_resolution_comes_back_with_a_message(client, director_a, follow_up):
    client.force_login(director_a)

    response = client.post(
        reverse("workorders:follow-up-resolve", args=[follow_up.pk]), {f"f{follow_up.pk}-resolution": " "}
    )

    assert response.status_code == 400
    assert "请填写整改处理情况。" in _text(response)
    follow_up.refresh_from_db()
    assert follow_up.resolved_at is None


def test_follow_ups_refuse_a_clerk_and_hide_from_an_outsider(client, clerk_a, outsider_b, follow_up):
    client.force_login(clerk_a)
    assert client.get(reverse("workorders:follow-ups")).status_code == 403
    assert client.post(reverse("workorders:follow-up-resolve", args=[follow_up.pk])).status_code == 403

    client.force_login(outsider_b)
    assert follow_up.work_order.tracking_code not in _text(client.get(reverse("workorders:follow-ups")))
    response = client.post(
        reverse("workorders:follow-up-resolve", args=[follow_up.pk]), {f"f{follow_up.pk}-resolution": "x"}
    )
    assert response.status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.resolved_at is None


# ---- rating appeals ---------------------------------------------------------------------------


def test_staff_file_an_appeal_on_the_detail_page(client, clerk_a, follow_up):
    order = follow_up.work_order
    client.force_login(clerk_a)

    empty = client.post(reverse("workorders:rating-appeal-file", args=[order.pk]), {"reason": ""})
    filed = client.post(reverse("workorders:rating-appeal-file", args=[order.pk]), {"reason": "评价针对的是法律规定。"})

    assert empty.status_code == 400 and "请填写申诉理由。" in _text(empty)
    assert filed.status_code == 302
    assert RatingAppeal.objects.get(work_order=order).by == clerk_a


def test_the_director_upholds_an_appeal(client, director_a, appeal):
    client.force_login(director_a)
    listing = client.get(reverse("workorders:rating-appeals"))
    assert appeal.work_order.tracking_code in _text(listing)

    response = client.post(
        reverse("workorders:rating-appeal-decide", args=[appeal.pk]),
        {f"a{appeal.pk}-upheld": "yes", f"a{appeal.pk}-note": "核实属实。"},
    )

    assert response.status_code == 302
    appeal.refresh_from_db()
    appeal.work_order.refresh_from_db()
    assert (appeal.upheld, appeal.decided_by, appeal.work_order.satisfaction) == (True, director_a, None)


def test_a_decision_without_a_result_comes_back_with_the_note_kept(client, director_a, appeal):
    client.force_login(director_a)

    response = client.post(
        reverse("workorders:rating-appeal-decide", args=[appeal.pk]), {f"a{appeal.pk}-note": "需要再核实"}
    )

    assert response.status_code == 400
    assert "请选择审核结果。" in _text(response) and "需要再核实" in _text(response)
    appeal.refresh_from_db()
    assert appeal.upheld is None


def test_appeals_refuse_a_clerk_and_hide_from_an_outsider(client, clerk_a, outsider_b, appeal):
    client.force_login(clerk_a)
    assert client.get(reverse("workorders:rating-appeals")).status_code == 403
    client.force_login(outsider_b)
    assert appeal.work_order.tracking_code not in _text(client.get(reverse("workorders:rating-appeals")))
    response = client.post(
        reverse("workorders:rating-appeal-decide", args=[appeal.pk]), {f"a{appeal.pk}-upheld": "yes"}
    )
    assert response.status_code == 404


# ---- call backs -------------------------------------------------------------------------------


def test_a_call_back_is_recorded_on_the_detail_page(client, director_a, resolved):
    client.force_login(director_a)
    url = reverse("workorders:callback-add", args=[resolved.pk])

    empty = client.post(url, {"correction": ""})
    saved = client.post(url, {"correction": "此前答复的仲裁时效有误，应为一年。"})

    assert empty.status_code == 400 and "请填写更正内容。" in _text(empty)
    assert saved.status_code == 302
    assert Callback.objects.get(work_order=resolved).by == director_a
    assert "此前答复的仲裁时效有误" in _text(client.get(reverse("workorders:detail", args=[resolved.pk])))


def test_an_outsider_cannot_record_a_call_back(client, outsider_b, resolved):
    client.force_login(outsider_b)
    response = client.post(reverse("workorders:callback-add", args=[resolved.pk]), {"correction": "x"})
    assert response.status_code == 404
    assert not Callback.objects.exists()


# ---- duty roster and reception days -----------------------------------------------------------


def _shift(town_a, clerk_a, **overrides):
    return {
        "org": town_a.pk,
        "user": clerk_a.pk,
        "seat_label": "A座3号",
        "starts_at": "2026-10-12T08:30",
        "ends_at": "2026-10-12T17:30",
        **overrides,
    }


def test_the_duty_ledger_offers_the_create_form_to_a_director(client, director_a, clerk_a):
    client.force_login(director_a)
    assert "新增值班安排" in _text(client.get(reverse("workorders:ledger", args=["duty"])))
    client.force_login(clerk_a)
    assert "新增值班安排" not in _text(client.get(reverse("workorders:ledger", args=["duty"])))


def test_the_director_adds_a_duty_shift(client, director_a, clerk_a, town_a):
    client.force_login(director_a)

    response = client.post(reverse("workorders:duty-shift-create"), _shift(town_a, clerk_a))

    assert response.status_code == 302
    shift = DutyShift.objects.get()
    assert (shift.org, shift.user, shift.seat_label) == (town_a, clerk_a, "A座3号")


def test_a_shift_ending_before_it_starts_comes_back_with_what_was_typed(client, director_a, clerk_a, town_a):
    client.force_login(director_a)

    response = client.post(reverse("workorders:duty-shift-create"), _shift(town_a, clerk_a, ends_at="2026-10-12T07:00"))

    assert response.status_code == 400
    assert "结束时间应晚于开始时间。" in _text(response) and "A座3号" in _text(response)
    assert not DutyShift.objects.exists()


def test_duty_create_refuses_a_clerk_and_an_outsiders_choice_of_area_a(client, clerk_a, outsider_b, town_a):
    client.force_login(clerk_a)
    assert client.post(reverse("workorders:duty-shift-create"), _shift(town_a, clerk_a)).status_code == 403

    client.force_login(outsider_b)
    response = client.post(reverse("workorders:duty-shift-create"), _shift(town_a, clerk_a))
    assert response.status_code == 400
    assert "请选择您辖区内的区域。" in _text(response) and "请选择您辖区内的工作人员。" in _text(response)
    assert not DutyShift.objects.exists()


def test_the_director_adds_a_reception_day(client, director_a, town_a):
    client.force_login(director_a)
    assert "新增领导接待日" in _text(client.get(reverse("workorders:ledger", args=["reception"])))

    missing = client.post(
        reverse("workorders:reception-day-create"), {"org": town_a.pk, "leader_name": "张局长", "date": "2026-10-15"}
    )
    saved = client.post(
        reverse("workorders:reception-day-create"),
        {"org": town_a.pk, "leader_name": "张局长", "date": "2026-10-15", "place": "城厢镇公共法律服务工作站"},
    )

    assert missing.status_code == 400 and "请填写接待地点。" in _text(missing) and "张局长" in _text(missing)
    assert saved.status_code == 302
    assert ReceptionDay.objects.get().leader_name == "张局长"


def test_reception_create_refuses_a_clerk_and_an_outsider(client, clerk_a, outsider_b, town_a):
    data = {"org": town_a.pk, "leader_name": "张局长", "date": "2026-10-15", "place": "工作站"}
    client.force_login(clerk_a)
    assert client.get(reverse("workorders:reception-day-create")).status_code == 403
    client.force_login(outsider_b)
    response = client.post(reverse("workorders:reception-day-create"), data)
    assert response.status_code == 400 and "请选择您辖区内的区域。" in _text(response)
    assert not ReceptionDay.objects.exists()
