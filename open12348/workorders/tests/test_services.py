import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from open12348.audit.models import Event
from open12348.workorders import selectors, services
from open12348.workorders.exceptions import (
    AlreadyClaimed,
    IdempotencyInFlight,
    IdempotencyMismatch,
    TransitionNotAllowed,
)
from open12348.workorders.models import (
    TRANSITIONS,
    Applicant,
    FollowUp,
    IdempotencyKey,
    Note,
    Post,
    RoutingRule,
    Satisfaction,
    Status,
    WorkOrder,
)
from open12348.workorders.tests.factories import (
    APPLICANT_PHONE,
    legal_category,
    loaded_calendar,  # noqa: F401  (fixture)
    make_order,
    post,
    routing_rule,
    service_item,
)

pytestmark = pytest.mark.django_db
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def at(*args):
    return datetime.datetime(*args, tzinfo=BEIJING)


def transition(actor, order, action, **details):
    return services.workorder_transition(actor=actor, order=order, action=action, **details)


# --- every (action, status) pair ----------------------------------------------------------

DETAILS = {
    "transfer": {"reason": "属沙溪镇辖区"},
    "escalate": {"reason": "疑难复杂"},
    "refer_out": {"referred_to": "court", "referred_to_name": "太仓市人民法院", "reason": "已起诉"},
    "reject": {"reason": "不属于受理范围"},
    "withdraw": {"reason": "申请人撤回"},
    "reopen": {"reason": "群众反映未解决"},
    "request_materials": {"reason": "缺少劳动合同"},
    "resolve": {"outcome_code": "answered", "reply": "已电话答复。"},
}


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_each_action_is_allowed_exactly_from_its_listed_statuses(action, status, director_a, clerk_a, town_a, town_a2):
    order = make_order(actor=director_a, area=town_a)
    other = make_order(actor=director_a, area=town_a, applicant_phone="13900001111")
    WorkOrder.objects.filter(pk=order.pk).update(
        status=status,
        assignee=None,
        merged_into=other if status == Status.MERGED else None,
        clock_paused_at=order.received_at if status == Status.AWAITING_MATERIALS else None,
    )
    order.refresh_from_db()
    details = dict(DETAILS.get(action, {}))
    if action == "assign":
        details["assignee"] = clerk_a
    if action == "transfer":
        details["org"] = town_a2
    if action == "merge":
        details["into"] = other
    sources, target = TRANSITIONS[action]
    if status in sources:
        transition(director_a, order, action, **details)
        assert order.status == target
        event = Event.objects.filter(verb=f"workorder.{action}", target_id=str(order.pk)).get()
        assert (event.payload["from"], event.payload["to"]) == (status, target)
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            transition(director_a, order, action, **details)
        label = str(Status(status).label)
        assert label in refused.value.message
        order.refresh_from_db()
        assert order.status == status
        assert not Event.objects.filter(verb=f"workorder.{action}", target_id=str(order.pk)).exists()


def test_an_unknown_action_is_a_validation_error(director_a, town_a):
    with pytest.raises(ValidationError):
        transition(director_a, make_order(actor=director_a, area=town_a), "teleport")


# --- intake ---------------------------------------------------------------------------------


def test_a_window_order_is_received_with_code_deadline_owner_and_audit(clerk_a, town_a):
    order = make_order(actor=clerk_a, area=town_a)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", order.tracking_code)
    assert order.status == Status.RECEIVED
    assert order.first_owner == clerk_a
    assert order.handling_org == town_a
    assert order.deadline is not None
    event = Event.objects.get(verb="workorder.created", target_id=str(order.pk))
    assert event.actor == clerk_a
    assert event.payload["tracking_code"] == order.tracking_code
    assert APPLICANT_PHONE not in str(event.payload)


def test_a_tracking_code_already_taken_is_drawn_again_within_the_same_transaction(clerk_a, town_a, monkeypatch):
    taken = make_order(actor=clerk_a, area=town_a).tracking_code
    draws = iter([taken, taken, "ABCD-EFGH"])
    monkeypatch.setattr(services, "new_tracking_code", lambda: next(draws))
    order = make_order(actor=clerk_a, area=town_a)
    assert order.tracking_code == "ABCD-EFGH"
    assert WorkOrder.objects.filter(tracking_code=taken).count() == 1
    assert Event.objects.get(verb="workorder.created", target_id=str(order.pk)).payload["tracking_code"] == "ABCD-EFGH"


def test_every_invalid_field_gets_a_chinese_message_and_nothing_is_written(clerk_a, town_a):
    with pytest.raises(ValidationError) as invalid:
        services.workorder_create(
            actor=clerk_a,
            channel="fax",
            service_item=None,
            area=None,
            applicant_name=" ",
            applicant_phone="12345",
            description="",
            applicant_resident_id="110101199003071234",
        )
    errors = invalid.value.message_dict
    assert set(errors) == {
        "channel",
        "service_item",
        "area",
        "applicant_name",
        "applicant_phone",
        "description",
        "applicant_resident_id",
    }
    assert all(re.search(r"[\u4e00-\u9fff]", messages[0]) for messages in errors.values())
    assert WorkOrder.objects.count() == Applicant.objects.count() == 0


def test_a_description_over_5000_characters_is_refused(clerk_a, town_a):
    with pytest.raises(ValidationError) as invalid:
        make_order(actor=clerk_a, area=town_a, description="字" * 5001)
    assert "5000" in invalid.value.message_dict["description"][0]


def test_staff_can_only_take_in_orders_in_their_own_area(clerk_a, town_a2):
    with pytest.raises(ValidationError) as invalid:
        make_order(actor=clerk_a, area=town_a2)
    assert "area" in invalid.value.message_dict


def test_staff_without_the_intake_permission_cannot_take_in_orders(lawyer_a, town_a):
    with pytest.raises(PermissionDenied):
        make_order(actor=lawyer_a, area=town_a)


def test_a_citizen_submission_has_no_first_owner(citizen, town_a):
    order = make_order(actor=citizen, area=town_a, channel="web", applicant_user=citizen)
    assert order.first_owner is None
    assert order.applicant.user == citizen


def test_the_applicant_is_found_by_phone_and_their_name_updated(clerk_a, town_a):
    first = make_order(actor=clerk_a, area=town_a, applicant_phone="139 1234 5678")
    second = make_order(actor=clerk_a, area=town_a, applicant_phone="+86 13912345678", applicant_name="王晓明")
    assert first.applicant_id == second.applicant_id
    assert Applicant.objects.get().name == "王晓明"


def test_parties_are_stored_with_the_order(clerk_a, town_a):
    order = make_order(actor=clerk_a, area=town_a, parties=[{"name": "某建筑公司", "phone": ""}])
    assert list(order.parties.values_list("name", flat=True)) == ["某建筑公司"]


@pytest.mark.usefixtures("loaded_calendar")
def test_the_deadline_skips_national_day_and_counts_the_make_up_saturday(clerk_a, town_a):
    with time_machine.travel(at(2026, 9, 30, 10, 0), tick=False):
        order = make_order(actor=clerk_a, area=town_a, service_item=service_item(days=5))
    assert order.deadline == at(2026, 10, 13, 23, 59, 59)


@pytest.mark.usefixtures("loaded_calendar")
def test_the_legal_aid_deadline_skips_spring_festival(clerk_a, town_a):
    item = service_item(code="legal_aid", days=7, name="法律援助", category="legal_aid")
    with time_machine.travel(at(2026, 2, 12, 9, 0), tick=False):
        order = make_order(actor=clerk_a, area=town_a, service_item=item)
    assert order.deadline == at(2026, 2, 28, 23, 59, 59)


def test_an_order_received_just_before_midnight_counts_from_the_next_day(clerk_a, town_a):
    with time_machine.travel(at(2027, 3, 1, 23, 59, 59), tick=False):  # Monday
        order = make_order(actor=clerk_a, area=town_a, service_item=service_item(days=1))
    assert order.deadline == at(2027, 3, 2, 23, 59, 59)


# --- routing --------------------------------------------------------------------------------


def test_with_no_rule_the_area_itself_handles_the_order(clerk_a, town_a):
    preview = services.route_preview(service_item=service_item(), legal_category=None, area=town_a)
    assert (preview.org, preview.post) == (town_a, None)
    assert "属地" in preview.reason


def test_complex_matters_go_to_the_city_and_general_ones_stay_in_the_street(clerk_a, town_a, city):
    routing_rule("一般事项属地办理", complex_only=False, target=RoutingRule.Target.STREET)
    routing_rule("疑难复杂上交市级", complex_only=True, target=RoutingRule.Target.CITY)
    assert make_order(actor=clerk_a, area=town_a).handling_org == town_a
    complex_order = make_order(actor=clerk_a, area=town_a, is_complex=True)
    assert complex_order.handling_org == city
    created = Event.objects.get(verb="workorder.created", target_id=str(complex_order.pk))
    assert "疑难复杂上交市级" in created.payload["route_reason"]


def test_the_most_specific_rule_wins_and_the_post_is_found(clerk_a, town_a, area_a):
    labor = legal_category()
    aid_post = post(area_a, code="legal_aid", name="法律援助岗")
    routing_rule("全部到区县", target=RoutingRule.Target.DISTRICT, priority=1)
    routing_rule("劳动纠纷到区县援助岗", legal_category=labor, target="district", post_code="legal_aid", priority=50)
    order = make_order(actor=clerk_a, area=town_a, legal_category=labor)
    assert (order.handling_org, order.post) == (area_a, aid_post)
    assert order.status == Status.RECEIVED and order.assignee is None  # manual: waits for a claim


def test_a_sub_category_follows_its_parent_category_rule(clerk_a, town_a, area_a):
    family = legal_category("marriage_family", "婚姻家庭")
    inheritance = legal_category("inheritance", "继承", parent=family)
    routing_rule("婚姻家庭到区县", legal_category=family, target="district")
    assert make_order(actor=clerk_a, area=town_a, legal_category=inheritance).handling_org == area_a


def test_a_missing_post_is_explained_in_the_preview(town_a):
    routing_rule("到街镇调解岗", target="street", post_code="mediation")
    preview = services.route_preview(service_item=service_item(), legal_category=None, area=town_a)
    assert preview.post is None
    assert "未设置 mediation 岗位" in preview.reason


def test_round_robin_posts_hand_orders_to_members_in_turn(clerk_a, director_a, town_a):
    post(town_a, code="consultation", members=[clerk_a, director_a], assignment=Post.Assignment.ROUND_ROBIN)
    routing_rule("咨询岗", target="street", post_code="consultation")
    first, second = sorted([clerk_a, director_a], key=lambda user: user.pk)
    assignees = [make_order(actor=clerk_a, area=town_a).assignee for _ in range(3)]
    assert assignees == [first, second, first]


def test_least_loaded_posts_pick_the_member_with_fewest_open_orders(clerk_a, director_a, town_a):
    post(town_a, code="consultation", members=[clerk_a, director_a], assignment=Post.Assignment.LEAST_LOADED)
    routing_rule("咨询岗", target="street", post_code="consultation")
    first = make_order(actor=clerk_a, area=town_a)
    second = make_order(actor=clerk_a, area=town_a)
    assert {first.assignee, second.assignee} == {clerk_a, director_a}
    assert first.status == Status.ASSIGNED


# --- actions ----------------------------------------------------------------------------------


def test_claim_assigns_the_order_to_the_claimer(clerk_a, town_a):
    order = make_order(actor=clerk_a, area=town_a)
    transition(clerk_a, order, "claim")
    assert (order.status, order.assignee) == (Status.ASSIGNED, clerk_a)


def test_a_second_claim_is_told_who_holds_the_order(clerk_a, director_a, town_a):
    order = make_order(actor=clerk_a, area=town_a)
    transition(clerk_a, order, "claim")
    with pytest.raises(AlreadyClaimed) as taken:
        transition(director_a, order, "claim")
    assert taken.value.holder == clerk_a
    assert str(clerk_a) in taken.value.message


def test_staff_outside_the_area_cannot_act_on_an_order(clerk_a, clerk_a2, outsider_b, town_a):
    order = make_order(actor=clerk_a, area=town_a)
    for stranger in (clerk_a2, outsider_b):
        with pytest.raises(PermissionDenied):
            transition(stranger, order, "claim")


def test_assigning_needs_the_assign_permission(clerk_a, director_a, town_a):
    order = make_order(actor=clerk_a, area=town_a)
    with pytest.raises(PermissionDenied):
        transition(clerk_a, order, "assign", assignee=clerk_a)
    transition(director_a, order, "assign", assignee=clerk_a)
    assert order.assignee == clerk_a


def test_a_director_cannot_assign_to_staff_outside_their_area(director_a, outsider_b, town_a):
    order = make_order(actor=director_a, area=town_a)
    with pytest.raises(ValidationError):
        transition(director_a, order, "assign", assignee=outsider_b)


def test_the_assignee_may_escalate_to_the_parent_org(clerk_a, town_a, area_a):
    order = make_order(actor=clerk_a, area=town_a)
    transition(clerk_a, order, "claim")
    transition(clerk_a, order, "escalate", reason="需要区县协调")
    assert (order.status, order.handling_org, order.assignee, order.post) == (Status.RECEIVED, area_a, None, None)


def test_escalating_from_the_top_is_refused(operator, city):
    from open12348.accounts.tests.factories import make_staff

    chief = make_staff("chief", city, "site_director")
    order = make_order(actor=operator, area=city)
    with pytest.raises(TransitionNotAllowed):
        transition(chief, order, "escalate", reason="无上级")


def test_a_reason_is_required_to_reject(director_a, town_a):
    with pytest.raises(ValidationError) as invalid:
        transition(director_a, make_order(actor=director_a, area=town_a), "reject")
    assert "reason" in invalid.value.message_dict


def test_transfer_moves_the_order_to_another_org_and_post(director_a, town_a, town_a2):
    target_post = post(town_a2, code="mediation", name="人民调解岗")
    order = make_order(actor=director_a, area=town_a)
    transition(director_a, order, "transfer", org=town_a2, post=target_post, reason="属沙溪镇辖区")
    assert (order.handling_org, order.post, order.status) == (town_a2, target_post, Status.RECEIVED)


def test_refer_out_records_the_receiving_body_and_reason(director_a, town_a):
    order = make_order(actor=director_a, area=town_a)
    transition(
        director_a,
        order,
        "refer_out",
        referred_to="hr_social_security",
        referred_to_name="太仓市人社局",
        reason="劳动监察事项",
    )
    assert (order.status, order.referred_to, order.referred_to_name, order.status_reason) == (
        Status.REFERRED,
        "hr_social_security",
        "太仓市人社局",
        "劳动监察事项",
    )


def handled(actor, area, **overrides):
    order = make_order(actor=actor, area=area, **overrides)
    transition(actor, order, "claim")
    transition(actor, order, "start")
    return order


def test_resolve_sets_the_outcome_and_a_public_reply(clerk_a, town_a):
    order = handled(clerk_a, town_a)
    transition(clerk_a, order, "resolve", outcome_code="answered", reply="已告知可申请劳动仲裁。")
    assert order.status == Status.RESOLVED and order.resolved_at and order.outcome_code == "answered"
    assert Note.objects.get(work_order=order).is_public


def test_resolve_needs_an_outcome_code(clerk_a, town_a):
    with pytest.raises(ValidationError):
        transition(clerk_a, handled(clerk_a, town_a), "resolve")


@pytest.mark.usefixtures("loaded_calendar")
def test_requesting_materials_stops_the_clock_and_their_arrival_restarts_it(clerk_a, town_a):
    with time_machine.travel(at(2026, 11, 16, 9, 0), tick=False):
        order = handled(clerk_a, town_a, service_item=service_item(days=4))
    assert order.deadline == at(2026, 11, 20, 23, 59, 59)
    with time_machine.travel(at(2026, 11, 17, 10, 0), tick=False):
        transition(clerk_a, order, "request_materials", reason="缺少劳动合同")
    assert order.clock_paused_at is not None
    assert selectors.due_state(order, at(2026, 12, 1)) == "paused"
    with time_machine.travel(at(2026, 11, 23, 15, 0), tick=False):
        transition(clerk_a, order, "materials_received")
    assert order.clock_paused_at is None
    assert order.deadline == at(2026, 11, 26, 23, 59, 59)


def test_close_after_return_visit_sets_closed_at(clerk_a, town_a):
    order = handled(clerk_a, town_a)
    transition(clerk_a, order, "resolve", outcome_code="answered")
    transition(clerk_a, order, "return_visit")
    transition(clerk_a, order, "close")
    assert order.status == Status.CLOSED and order.closed_at


def test_reopen_clears_the_resolution_and_sets_a_new_deadline(clerk_a, town_a):
    order = handled(clerk_a, town_a)
    transition(clerk_a, order, "resolve", outcome_code="answered")
    transition(clerk_a, order, "reopen", reason="群众反映问题未解决")
    assert (order.status, order.resolved_at, order.outcome_code) == (Status.IN_PROGRESS, None, "")


# --- merge ----------------------------------------------------------------------------------


def test_a_merged_order_keeps_its_tracking_code_working(clerk_a, town_a):
    survivor = make_order(actor=clerk_a, area=town_a)
    duplicate = make_order(actor=clerk_a, area=town_a, channel="hotline")
    transition(clerk_a, duplicate, "merge", into=survivor)
    assert duplicate.status == Status.MERGED and duplicate.merged_into == survivor
    assert selectors.workorder_track(code=duplicate.tracking_code.lower(), phone=APPLICANT_PHONE) == survivor


def test_merging_follows_to_the_final_order_and_leaves_no_chains(clerk_a, town_a):
    a, b, c = (make_order(actor=clerk_a, area=town_a) for _ in range(3))
    transition(clerk_a, a, "merge", into=b)
    transition(clerk_a, b, "merge", into=c)
    a.refresh_from_db()
    assert a.merged_into == c and b.merged_into == c
    d = make_order(actor=clerk_a, area=town_a)
    transition(clerk_a, d, "merge", into=a)  # a was merged: d goes to c
    assert d.merged_into == c


def test_an_order_cannot_be_merged_into_itself(clerk_a, town_a):
    order = make_order(actor=clerk_a, area=town_a)
    with pytest.raises(ValidationError):
        transition(clerk_a, order, "merge", into=order)


# --- notes ----------------------------------------------------------------------------------


def test_notes_are_internal_unless_marked_public(clerk_a, town_a):
    order = make_order(actor=clerk_a, area=town_a)
    services.workorder_note_add(actor=clerk_a, order=order, body="内部：需核实工资条")
    services.workorder_note_add(actor=clerk_a, order=order, body="已受理，请耐心等待。", is_public=True)
    assert [n.body for n in selectors.public_replies(order)] == ["已受理，请耐心等待。"]
    with pytest.raises(ValidationError):
        services.workorder_note_add(actor=clerk_a, order=order, body="  ")


# --- idempotent create ------------------------------------------------------------------------


def idempotent(key, body_hash, clerk, area, **overrides):
    fields = {
        "actor": clerk,
        "channel": "api",
        "service_item": service_item(),
        "area": area,
        "applicant_name": "王小明",
        "applicant_phone": APPLICANT_PHONE,
        "description": "工资被拖欠",
        **overrides,
    }
    return services.workorder_create_idempotent(key=key, request_hash=body_hash, **fields)


def test_the_same_key_returns_the_first_order(clerk_a, town_a):
    first, created = idempotent("k-1", "h1", clerk_a, town_a)
    again, created_again = idempotent("k-1", "h1", clerk_a, town_a)
    assert (created, created_again) == (True, False)
    assert again == first
    assert WorkOrder.objects.count() == 1


def test_the_same_key_with_another_body_is_a_mismatch(clerk_a, town_a):
    idempotent("k-2", "h1", clerk_a, town_a)
    with pytest.raises(IdempotencyMismatch):
        idempotent("k-2", "h2", clerk_a, town_a, description="另一件事")


def test_a_key_still_in_flight_is_a_conflict_until_it_goes_stale(clerk_a, town_a):
    # Keys are now written in the order's own transaction, so a key without an order is one
    # an older release committed first (and then crashed): refused, then taken over.
    IdempotencyKey.objects.create(key="k-3", request_hash="h1")
    with pytest.raises(IdempotencyInFlight):
        idempotent("k-3", "h1", clerk_a, town_a)
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=61)):
        order, created = idempotent("k-3", "h1", clerk_a, town_a)
    assert created and IdempotencyKey.objects.get(key="k-3").work_order == order


def test_an_invalid_request_frees_its_key(clerk_a, town_a):
    with pytest.raises(ValidationError):
        idempotent("k-4", "h1", clerk_a, town_a, description="")
    assert not IdempotencyKey.objects.filter(key="k-4").exists()


# --- return visits, follow-ups, appeals, call backs ------------------------------------------


def resolved(actor, area, **overrides):
    order = handled(actor, area, **overrides)
    return transition(actor, order, "resolve", outcome_code="answered")


@pytest.mark.usefixtures("loaded_calendar")
def test_a_dissatisfied_return_visit_opens_a_follow_up_due_in_five_working_days(clerk_a, town_a):
    order = resolved(clerk_a, town_a)
    with time_machine.travel(at(2026, 9, 29, 10, 0), tick=False):
        visit = services.return_visit_record(
            actor=clerk_a, order=order, method="phone", satisfaction=Satisfaction.DISSATISFIED, comment="答复太笼统"
        )
    order.refresh_from_db()
    assert (order.status, order.satisfaction, visit.satisfaction) == (Status.RETURN_VISIT, 2, 2)
    follow_up = FollowUp.objects.get(work_order=order)
    # Tue 29 Sep: Wed 30, Thu 8, Fri 9, Sat 10 (make-up), Mon 12.
    assert follow_up.deadline == at(2026, 10, 12, 23, 59, 59)
    assert follow_up.owner_org == order.handling_org
    assert Event.objects.filter(verb="workorder.follow_up_created", target_id=str(order.pk)).exists()


def test_a_satisfied_return_visit_opens_no_follow_up(clerk_a, town_a):
    order = resolved(clerk_a, town_a)
    services.return_visit_record(actor=clerk_a, order=order, method="sms", satisfaction=Satisfaction.SATISFIED)
    assert not FollowUp.objects.exists()


def test_a_return_visit_before_resolution_is_refused(clerk_a, town_a):
    with pytest.raises(TransitionNotAllowed):
        services.return_visit_record(
            actor=clerk_a, order=make_order(actor=clerk_a, area=town_a), method="phone", satisfaction=5
        )


def test_the_citizen_rates_once_after_resolution_with_their_phone(clerk_a, town_a):
    order = make_order(actor=clerk_a, area=town_a)
    with pytest.raises(TransitionNotAllowed):
        services.citizen_rating_submit(order=order, phone=APPLICANT_PHONE, satisfaction=5)
    order = resolved(clerk_a, town_a)
    with pytest.raises(ValidationError):
        services.citizen_rating_submit(order=order, phone="13800000000", satisfaction=5)
    services.citizen_rating_submit(order=order, phone="139-1234-5678", satisfaction=1, comment="没解决")
    order.refresh_from_db()
    assert order.satisfaction == Satisfaction.VERY_DISSATISFIED
    assert FollowUp.objects.filter(work_order=order).count() == 1
    with pytest.raises(TransitionNotAllowed):
        services.citizen_rating_submit(order=order, phone=APPLICANT_PHONE, satisfaction=5)


def test_the_director_resolves_a_follow_up(clerk_a, director_a, town_a):
    order = resolved(clerk_a, town_a)
    services.return_visit_record(actor=clerk_a, order=order, method="phone", satisfaction=1)
    follow_up = selectors.follow_up_queue(viewer=director_a).get()
    with pytest.raises(PermissionDenied):
        services.follow_up_resolve(actor=clerk_a, follow_up=follow_up, resolution="已回电解释")
    services.follow_up_resolve(actor=director_a, follow_up=follow_up, resolution="已回电解释并重新答复")
    assert not selectors.follow_up_queue(viewer=director_a).exists()


def test_an_upheld_rating_appeal_sets_the_rating_aside(clerk_a, director_a, town_a):
    order = resolved(clerk_a, town_a)
    services.return_visit_record(actor=clerk_a, order=order, method="phone", satisfaction=1)
    appeal = services.rating_appeal_file(actor=clerk_a, order=order, reason="群众对法律规定本身不满，非服务问题")
    with pytest.raises(PermissionDenied):
        services.rating_appeal_decide(actor=clerk_a, appeal=appeal, upheld=True)
    services.rating_appeal_decide(actor=director_a, appeal=appeal, upheld=True, note="情况属实")
    order.refresh_from_db()
    assert order.satisfaction is None
    with pytest.raises(TransitionNotAllowed):
        services.rating_appeal_decide(actor=director_a, appeal=appeal, upheld=False)


def test_a_rejected_rating_appeal_keeps_the_rating(clerk_a, director_a, town_a):
    order = resolved(clerk_a, town_a)
    services.return_visit_record(actor=clerk_a, order=order, method="phone", satisfaction=2)
    appeal = services.rating_appeal_file(actor=clerk_a, order=order, reason="不公平")
    services.rating_appeal_decide(actor=director_a, appeal=appeal, upheld=False)
    order.refresh_from_db()
    assert order.satisfaction == 2


def test_a_call_back_corrects_a_wrong_answer_on_the_record(operator, city):
    order = make_order(actor=operator, area=city, channel="hotline")
    callback = services.callback_record(actor=operator, order=order, correction="诉讼时效应为三年，特此更正。")
    assert callback.work_order == order
    assert Event.objects.filter(verb="workorder.callback_recorded", target_id=str(order.pk)).exists()


# --- ledgers --------------------------------------------------------------------------------


def test_duty_shifts_and_reception_days_are_created_in_the_directors_area(director_a, clerk_a, town_a, town_b):
    start = at(2026, 11, 23, 9, 0)
    shift = services.duty_shift_create(
        actor=director_a,
        org=town_a,
        user=clerk_a,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=8),
        seat_label="1号窗口",
    )
    assert list(selectors.ledger_duty_shifts(viewer=director_a)) == [shift]
    with pytest.raises(PermissionDenied):
        services.duty_shift_create(
            actor=director_a, org=town_b, user=clerk_a, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
        )
    with pytest.raises(ValidationError):
        services.duty_shift_create(actor=director_a, org=town_a, user=clerk_a, starts_at=start, ends_at=start)
    day = services.reception_day_create(
        actor=director_a, org=town_a, leader_name="李局长", date=datetime.date(2026, 11, 25), place="城厢镇工作站"
    )
    assert list(selectors.ledger_reception_days(viewer=director_a)) == [day]
    with pytest.raises(PermissionDenied):
        services.reception_day_create(
            actor=clerk_a, org=town_a, leader_name="李局长", date=datetime.date(2026, 11, 25), place="工作站"
        )


def test_allowed_actions_follow_status_and_role(clerk_a, director_a, outsider_b, town_a):
    order = make_order(actor=clerk_a, area=town_a)
    assert services.allowed_actions(actor=clerk_a, order=order) == ["claim", "refer_out", "reject", "withdraw", "merge"]
    assert services.allowed_actions(actor=director_a, order=order) == [
        "claim",
        "assign",
        "transfer",
        "escalate",
        "refer_out",
        "reject",
        "withdraw",
        "merge",
    ]
    assert services.allowed_actions(actor=outsider_b, order=order) == []
    transition(clerk_a, order, "claim")
    assert "escalate" in services.allowed_actions(actor=clerk_a, order=order)  # the assignee may escalate
    assert not services.can_transition(actor=director_a, order=order, action="claim")
