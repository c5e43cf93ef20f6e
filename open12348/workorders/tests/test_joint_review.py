"""Joint review (联审会办): a director attaches several orgs to one order, each gives its own
opinion, and only the lead org resolves — once every other org has given its opinion."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from open12348.audit.models import Event
from open12348.workorders import services
from open12348.workorders.exceptions import TransitionNotAllowed
from open12348.workorders.models import JointReview, Status
from open12348.workorders.tests import factories


def transition(actor, order, action, **details):
    return services.workorder_transition(actor=actor, order=order, action=action, **details)


@pytest.fixture
def order_a(clerk_a, town_a):
    return factories.make_order(actor=clerk_a, area=town_a)


@pytest.fixture
def in_progress(clerk_a, order_a):
    transition(clerk_a, order_a, "claim")
    return transition(clerk_a, order_a, "start")


def open_review(director_a, order, town_a, town_a2):
    return services.joint_review_open(actor=director_a, order=order, orgs=[town_a2], lead=town_a)


# ---- services ---------------------------------------------------------------------------------


def test_a_director_opens_a_joint_review_with_one_lead(director_a, order_a, town_a, town_a2):
    reviews = open_review(director_a, order_a, town_a, town_a2)

    assert [(r.org, r.is_lead) for r in reviews] == [(town_a, True), (town_a2, False)]
    event = Event.objects.get(verb="workorder.joint_review_opened")
    assert event.payload == {"lead": town_a.code, "orgs": [town_a.code, town_a2.code]}


def test_a_clerk_cannot_open_a_joint_review(clerk_a, order_a, town_a, town_a2):
    with pytest.raises(PermissionDenied):
        services.joint_review_open(actor=clerk_a, order=order_a, orgs=[town_a2], lead=town_a)
    assert not JointReview.objects.exists()


def test_an_outsider_cannot_open_a_joint_review(outsider_b, order_a, town_a, town_b):
    with pytest.raises(PermissionDenied):
        services.joint_review_open(actor=outsider_b, order=order_a, orgs=[town_b], lead=town_a)


def test_orgs_outside_the_directors_area_are_refused(director_a, order_a, town_a, town_b):
    with pytest.raises(ValidationError) as caught:
        services.joint_review_open(actor=director_a, order=order_a, orgs=[town_b], lead=town_a)
    assert "玉山镇不在您的辖区内" in caught.value.messages[0]
    assert not JointReview.objects.exists()


def test_a_joint_review_needs_another_org_than_the_lead(director_a, order_a, town_a):
    with pytest.raises(ValidationError, match="至少需要"):
        services.joint_review_open(actor=director_a, order=order_a, orgs=[town_a], lead=town_a)


def test_a_second_joint_review_is_refused(director_a, order_a, town_a, town_a2):
    open_review(director_a, order_a, town_a, town_a2)
    with pytest.raises(TransitionNotAllowed, match="已发起"):
        open_review(director_a, order_a, town_a, town_a2)


def test_only_staff_of_the_org_give_its_opinion(director_a, clerk_a, clerk_a2, order_a, town_a, town_a2):
    open_review(director_a, order_a, town_a, town_a2)
    other = JointReview.objects.get(org=town_a2)

    with pytest.raises(PermissionDenied, match="沙溪镇"):
        services.joint_review_opinion(actor=clerk_a, review=other, opinion="同意")
    with pytest.raises(ValidationError, match="请填写会办意见"):
        services.joint_review_opinion(actor=clerk_a2, review=other, opinion="  ")
    services.joint_review_opinion(actor=clerk_a2, review=other, opinion="建议先行调解。")

    other.refresh_from_db()
    assert (other.opinion, other.opinion_by) == ("建议先行调解。", clerk_a2)
    assert Event.objects.filter(verb="workorder.joint_review_opinion").count() == 1


def test_the_lead_resolves_only_after_every_other_opinion(director_a, clerk_a, clerk_a2, in_progress, town_a, town_a2):
    open_review(director_a, in_progress, town_a, town_a2)

    with pytest.raises(TransitionNotAllowed, match="沙溪镇还没有填写会办意见"):
        transition(clerk_a, in_progress, "resolve", outcome_code="answered")
    in_progress.refresh_from_db()
    assert in_progress.status == Status.IN_PROGRESS

    services.joint_review_opinion(actor=clerk_a2, review=JointReview.objects.get(org=town_a2), opinion="同意")
    with pytest.raises(PermissionDenied, match="牵头单位城厢镇"):
        transition(clerk_a2, in_progress, "resolve", outcome_code="answered")

    transition(clerk_a, in_progress, "resolve", outcome_code="answered")
    in_progress.refresh_from_db()
    assert in_progress.status == Status.RESOLVED


def test_resolve_is_offered_only_to_the_lead_once_every_opinion_is_in(
    director_a, clerk_a, clerk_a2, in_progress, town_a, town_a2
):
    open_review(director_a, in_progress, town_a, town_a2)
    assert "resolve" not in services.allowed_actions(actor=clerk_a, order=in_progress)
    services.joint_review_opinion(actor=clerk_a2, review=JointReview.objects.get(org=town_a2), opinion="同意")
    assert "resolve" in services.allowed_actions(actor=clerk_a, order=in_progress)
    assert not services.can_transition(actor=clerk_a2, order=in_progress, action="resolve")


def test_an_order_without_joint_review_resolves_as_before(clerk_a, in_progress):
    assert transition(clerk_a, in_progress, "resolve", outcome_code="answered").status == Status.RESOLVED


# ---- pages ------------------------------------------------------------------------------------


def test_the_director_opens_a_joint_review_on_the_detail_page(client, director_a, order_a, town_a, town_a2):
    client.force_login(director_a)
    detail = client.get(reverse("workorders:detail", args=[order_a.pk])).content.decode()
    assert "发起联审会办" in detail

    response = client.post(
        reverse("workorders:joint-review-open", args=[order_a.pk]), {"lead": town_a.pk, "orgs": [town_a2.pk]}
    )

    assert response.status_code == 302
    assert JointReview.objects.filter(work_order=order_a).count() == 2


def test_bad_input_keeps_the_form_with_a_message(client, director_a, order_a, town_a):
    client.force_login(director_a)

    response = client.post(reverse("workorders:joint-review-open", args=[order_a.pk]), {"lead": town_a.pk})

    assert response.status_code == 400
    assert "请至少选择一个会办单位。" in response.content.decode()
    assert not JointReview.objects.exists()


def test_joint_review_pages_refuse_clerks_and_hide_from_outsiders(client, clerk_a, outsider_b, order_a, town_a):
    url = reverse("workorders:joint-review-open", args=[order_a.pk])
    client.force_login(clerk_a)
    assert client.post(url, {"lead": town_a.pk}).status_code == 403
    client.force_login(outsider_b)
    assert client.post(url, {"lead": town_a.pk}).status_code == 404


def test_a_participating_org_sees_the_order_and_gives_its_opinion(
    client, director_a, clerk_a2, order_a, town_a, town_a2
):
    open_review(director_a, order_a, town_a, town_a2)
    review = JointReview.objects.get(org=town_a2)
    client.force_login(clerk_a2)

    page = client.get(reverse("workorders:detail", args=[order_a.pk]))
    empty = client.post(reverse("workorders:joint-review-opinion", args=[order_a.pk, review.pk]), {"opinion": ""})
    saved = client.post(
        reverse("workorders:joint-review-opinion", args=[order_a.pk, review.pk]), {"opinion": "同意牵头单位意见。"}
    )

    assert page.status_code == 200 and "沙溪镇的会办意见" in page.content.decode()
    assert empty.status_code == 400 and "请填写会办意见。" in empty.content.decode()
    assert saved.status_code == 302
    review.refresh_from_db()
    assert review.opinion == "同意牵头单位意见。"


def test_resolving_too_early_on_the_page_says_who_is_missing(client, director_a, clerk_a, in_progress, town_a, town_a2):
    open_review(director_a, in_progress, town_a, town_a2)
    client.force_login(clerk_a)

    response = client.post(
        reverse("workorders:act", args=[in_progress.pk]), {"action": "resolve", "outcome_code": "answered"}, follow=True
    )

    assert "沙溪镇还没有填写会办意见" in response.content.decode()
    in_progress.refresh_from_db()
    assert in_progress.status == Status.IN_PROGRESS


# ---- API ----------------------------------------------------------------------------------------


def review_url(order, opinion=False) -> str:
    name = "api:workorder-joint-review-opinion" if opinion else "api:workorder-joint-review"
    return reverse(name, args=[order.pk])


def test_the_api_opens_a_review_gathers_opinions_and_lets_the_lead_resolve(
    client, director_a, clerk_a, clerk_a2, in_progress, town_a, town_a2
):
    client.force_login(director_a)
    opened = client.post(
        review_url(in_progress), {"lead": town_a.code, "orgs": [town_a2.code]}, content_type="application/json"
    )
    assert opened.status_code == 201
    assert [(r["org"], r["is_lead"], r["opinion_at"]) for r in opened.json()] == [
        (town_a.code, True, None),
        (town_a2.code, False, None),
    ]
    assert (
        client.post(
            review_url(in_progress), {"lead": town_a.code, "orgs": [town_a2.code]}, content_type="application/json"
        ).status_code
        == 409
    )

    client.force_login(clerk_a2)
    given = client.post(
        review_url(in_progress, opinion=True), {"opinion": "同意调解方案"}, content_type="application/json"
    )
    assert given.status_code == 200 and given.json()["org"] == town_a2.code and given.json()["opinion_by"] == "clerk_a2"

    client.force_login(clerk_a)
    listed = client.get(review_url(in_progress)).json()
    assert [r["opinion"] for r in listed] == ["", "同意调解方案"]
    resolved = client.post(
        reverse("api:workorder-resolve", args=[in_progress.pk]),
        {"outcome_code": "advised"},
        content_type="application/json",
    )
    assert resolved.status_code == 200, resolved.json()


def test_the_api_refuses_bad_input_and_staff_outside_the_review(
    client, director_a, clerk_a, outsider_b, in_progress, town_a, town_b
):
    client.force_login(director_a)
    alone = client.post(review_url(in_progress), {"lead": town_a.code, "orgs": []}, content_type="application/json")
    assert alone.status_code == 400 and "orgs" in alone.json()["errors"]
    foreign = client.post(
        review_url(in_progress), {"lead": town_a.code, "orgs": [town_b.code]}, content_type="application/json"
    )
    assert foreign.status_code == 400 and "不在您的服务区域内" in foreign.json()["errors"]["orgs"][0]
    assert not JointReview.objects.exists()

    client.force_login(clerk_a)  # a clerk may not open one
    assert client.post(
        review_url(in_progress), {"lead": town_a.code, "orgs": ["320585101"]}, content_type="application/json"
    ).status_code in (400, 403)
    assert not JointReview.objects.exists()
    not_in = client.post(review_url(in_progress, opinion=True), {"opinion": "意见"}, content_type="application/json")
    assert not_in.status_code == 400 and "没有参与" in not_in.json()["errors"]["org"][0]

    client.force_login(outsider_b)
    assert client.get(review_url(in_progress)).status_code == 404
    client.logout()
    assert client.get(review_url(in_progress)).status_code in (401, 403)
