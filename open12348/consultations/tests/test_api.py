"""The consultation API: status codes per role (anonymous, asker, another citizen, volunteer,
staff, a director of another area), the public list and page, asking with idempotency and the
rate limit, answering, follow-up, adoption and rating, and the OpenAPI schema."""

import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from open12348.consultations import services
from open12348.consultations.models import Consultation
from open12348.consultations.tests.factories import ANSWER_BODY, QUESTION_BODY, QUESTION_TITLE, ask

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def url(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def post(client, target: str, data: dict, **headers):
    return client.post(target, json.dumps(data), content_type="application/json", headers=headers)


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def private(asker, town_a, catalog):
    return ask(
        asker, town_a, is_public=False, title="不公开的问题：工资被扣", body="公司扣了我的工资，我不想公开这个问题。"
    )


@pytest.fixture
def answered(question, volunteer_a):
    return services.answer_post(actor=volunteer_a.user, consultation=question, body=ANSWER_BODY)


# --- reading ------------------------------------------------------------------------------------


def test_the_public_list_is_open_to_anonymous_visitors_and_shows_only_public_text(client, question, private):
    response = client.get(url("consultation-list"))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [question.pk]
    assert set(rows[0]) >= {"id", "title", "body", "category", "status", "created_at", "answers"}
    assert (rows[0]["category"]["code"], rows[0]["answers"], rows[0]["status"]) == ("labor", 0, "waiting")


def test_the_list_filters_and_refuses_unknown_parameters(client, question):
    assert client.get(url("consultation-list"), {"category": "labor"}).json()["count"] == 1
    assert client.get(url("consultation-list"), {"q": "抚养费"}).json()["count"] == 0
    for params, field in (
        ({"colour": "red"}, "colour"),
        ({"category": "nope"}, "category"),
        ({"status": "x"}, "status"),
    ):
        refused = client.get(url("consultation-list"), params)
        assert refused.status_code == 400 and set(refused.json()["errors"]) == {field}


def test_a_public_question_is_masked_for_the_public_and_whole_for_its_asker(client, asker, town_a, catalog):
    consultation = ask(asker, town_a, title="工资被拖欠，电话13812345678")
    public = client.get(url("consultation-detail", consultation.pk)).json()
    assert public["title"] == "工资被拖欠，电话138********"
    own = as_user(client, asker).get(url("consultation-detail", consultation.pk)).json()
    assert own["title"] == "工资被拖欠，电话13812345678"


def test_a_private_question_is_a_404_for_everyone_but_those_who_may_see_it(
    client, private, asker, other_citizen, volunteer_a, outsider_b
):
    target = url("consultation-detail", private.pk)
    assert client.get(target).status_code == 404
    for user, expected in ((other_citizen, 404), (outsider_b, 404), (asker, 200), (volunteer_a.user, 200)):
        assert as_user(client, user).get(target).status_code == expected, user
    assert client.get(url("consultation-detail", 999999)).status_code == 404


def test_the_detail_lists_answers_with_the_authors_public_name(client, question, answered, volunteer_a):
    body = client.get(url("consultation-detail", question.pk)).json()
    assert [(a["author"], a["body"], a["adopted"]) for a in body["answer_list"]] == [
        (volunteer_a.display_name, ANSWER_BODY, False)
    ]
    assert body["answers"] == 1 and body["time_message"] == ""


# --- asking -------------------------------------------------------------------------------------

QUESTION = {"title": QUESTION_TITLE, "body": QUESTION_BODY, "area": "320585100"}


def test_asking_needs_a_citizen_account(client, town_a, catalog, clerk_a):
    assert post(client, url("consultation-list"), QUESTION).status_code == 401
    assert post(as_user(client, clerk_a), url("consultation-list"), QUESTION).status_code == 403
    assert Consultation.objects.count() == 0


def test_a_citizen_asks_and_gets_the_question_back(client, asker, town_a, catalog):
    response = post(
        as_user(client, asker), url("consultation-list"), {**QUESTION, "submit_key": "k1", "is_public": False}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    consultation = Consultation.objects.get()
    assert (body["id"], body["title"], body["is_public"], body["category"]["code"]) == (
        consultation.pk,
        QUESTION_TITLE,
        False,
        "labor",
    )
    assert consultation.area.code == "320585100" and consultation.work_order.channel == "web"


def test_a_repeated_submit_key_or_idempotency_key_returns_the_first_question(client, asker, town_a, catalog):
    as_user(client, asker)
    first = post(client, url("consultation-list"), {**QUESTION, "submit_key": "k1"})
    again = post(client, url("consultation-list"), {**QUESTION, "submit_key": "k1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    by_header = post(client, url("consultation-list"), QUESTION, **{"Idempotency-Key": "h1"})
    by_header_again = post(client, url("consultation-list"), QUESTION, **{"Idempotency-Key": "h1"})
    assert (by_header.status_code, by_header_again.status_code) == (201, 200)
    assert Consultation.objects.count() == 2
    assert post(client, url("consultation-list"), QUESTION, **{"Idempotency-Key": "键"}).status_code == 400


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"title": "", "body": ""}, {"title", "body"}),
        ({"title": "短", "body": QUESTION_BODY}, {"title"}),
        ({"title": QUESTION_TITLE, "body": "长" * 5001}, {"body"}),
        ({**QUESTION, "legal_category": "nope"}, {"legal_category"}),
        ({**QUESTION, "area": "999999"}, {"area"}),
        ({**QUESTION, "colour": "red"}, {"colour"}),
    ],
)
def test_bad_input_is_a_400_naming_each_field(client, asker, town_a, catalog, data, fields):
    response = post(as_user(client, asker), url("consultation-list"), data)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == fields
    assert Consultation.objects.count() == 0


def test_script_is_stored_and_returned_as_text(client, asker, town_a, catalog):
    payload = "<script>alert(1)</script>＜script＞alert(2)＜/script＞"
    response = post(as_user(client, asker), url("consultation-list"), {**QUESTION, "body": f"请问{payload}怎么办"})
    assert response.status_code == 201
    assert payload in response.json()["body"]
    assert response["Content-Type"].startswith("application/json")


@override_settings(CONSULT_ASK_PER_HOUR=2)
def test_too_many_questions_from_one_phone_is_a_429(client, asker, town_a, catalog, django_capture_on_commit_callbacks):
    as_user(client, asker)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, url("consultation-list"), {**QUESTION, "submit_key": "a"}).status_code == 201
        assert post(client, url("consultation-list"), {**QUESTION, "submit_key": "b"}).status_code == 201
    refused = post(client, url("consultation-list"), {**QUESTION, "submit_key": "c"})
    assert refused.status_code == 429 and "12348" in refused.json()["detail"]
    assert post(client, url("consultation-list"), {**QUESTION, "submit_key": "a"}).status_code == 200  # a replay
    assert Consultation.objects.count() == 2


# --- answering, follow-up, adoption, rating -------------------------------------------------------------


def test_answering_by_role(client, question, volunteer_a, volunteer_b, asker, other_citizen, lawyer_a):
    target = url("consultation-answer", question.pk)
    data = {"body": ANSWER_BODY}
    assert post(client, target, data).status_code == 401
    for user in (asker, other_citizen, volunteer_b.user):
        assert post(as_user(client, user), target, data).status_code == 403, user
    response = post(as_user(client, volunteer_a.user), target, data)
    assert response.status_code == 201 and response.json()["author"] == volunteer_a.display_name
    assert post(client, target, data).status_code == 409
    assert post(as_user(client, lawyer_a), target, {"body": "短"}).status_code == 400
    assert post(client, url("consultation-answer", 999999), data).status_code == 404


def test_answering_a_private_question_of_another_area_is_a_404(client, private, volunteer_b):
    assert (
        post(
            as_user(client, volunteer_b.user), url("consultation-answer", private.pk), {"body": ANSWER_BODY}
        ).status_code
        == 404
    )


def test_follow_up_by_the_asker_and_the_answerer_only(client, answered, asker, other_citizen, volunteer_a):
    target = url("consultation-message", answered.pk)
    assert post(as_user(client, asker), target, {"body": "我的电话13812345678"}).status_code == 201
    assert post(as_user(client, volunteer_a.user), target, {"body": "好的，请问有劳动合同吗？"}).status_code == 201
    assert post(as_user(client, other_citizen), target, {"body": "我也想问"}).status_code == 403
    assert post(client, url("consultation-message", 999999), {"body": "我也想问"}).status_code == 404
    public = client.logout() or client.get(url("consultation-detail", answered.consultation_id)).json()
    assert [m["body"] for m in public["answer_list"][0]["messages"]] == [
        "我的电话138********",
        "好的，请问有劳动合同吗？",
    ]


def test_adoption_and_rating_by_role(client, question, answered, asker, other_citizen, volunteer_a, director_a):
    adopt = url("consultation-adopt", question.pk)
    rate = url("consultation-rate", question.pk)
    assert post(as_user(client, asker), rate, {"rating": 5}).status_code == 409  # not adopted yet
    assert post(as_user(client, other_citizen), adopt, {"answer": answered.pk}).status_code == 403
    assert post(as_user(client, volunteer_a.user), adopt, {"answer": answered.pk}).status_code == 403
    assert post(as_user(client, director_a), adopt, {"answer": answered.pk}).status_code == 403  # not 7 days yet
    assert post(as_user(client, asker), adopt, {"answer": 999999}).status_code == 400
    response = post(client, adopt, {"answer": answered.pk})
    assert response.status_code == 200
    assert response.json()["status"] == "adopted" and response.json()["adopted_answer"] == answered.pk
    assert post(client, adopt, {"answer": answered.pk}).status_code == 409
    assert post(client, rate, {"rating": 9}).status_code == 400
    assert post(client, rate, {"rating": 4}).json()["rating"] == 4
    assert post(client, rate, {"rating": 5}).status_code == 409
    assert post(as_user(client, other_citizen), rate, {"rating": 5}).status_code == 403


def test_actions_need_a_signed_in_user(client, question, answered):
    for target, data in (
        (url("consultation-adopt", question.pk), {"answer": answered.pk}),
        (url("consultation-rate", question.pk), {"rating": 5}),
        (url("consultation-message", answered.pk), {"body": "追问"}),
    ):
        assert post(client, target, data).status_code == 401


def test_a_closed_question_refuses_answers_with_a_409_for_those_who_still_see_it(
    client, question, director_a, lawyer_a
):
    services.consultation_close(actor=director_a, consultation=question, reason="重复")
    assert (
        post(as_user(client, lawyer_a), url("consultation-answer", question.pk), {"body": ANSWER_BODY}).status_code
        == 409
    )


# --- schema ---------------------------------------------------------------------------------------


def test_the_schema_describes_the_endpoints_without_warnings(client, tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
    )
    text = (tmp_path / "schema.yaml").read_text(encoding="utf-8")
    for endpoint in (
        "/api/v1/consultations/:",
        "/api/v1/consultations/{id}/:",
        "/api/v1/consultations/{id}/answers/:",
        "/api/v1/consultations/{id}/adopt/:",
        "/api/v1/consultations/{id}/rate/:",
        "/api/v1/consultations/answers/{id}/messages/:",
    ):
        assert endpoint in text
    assert "在线咨询" in text
