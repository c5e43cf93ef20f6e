"""The pages of online consultation: every URL for anonymous visitors, the asker, another
citizen, a volunteer, the area's director and a director of another area (outsider_b); the
ask form's bad input (empty, too long, script), input kept on error, double submit, rate
limit; private questions hidden; masked text on the public page; the life cycle through the
pages (answer, follow-up, adopt, rate, entrust) and the volunteer's and moderator's pages."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from open12348.consultations import services
from open12348.consultations.models import Answer, Consultation, Dispatch, Entrustment, Message, Shift
from open12348.consultations.tests.factories import ANSWER_BODY, QUESTION_BODY, QUESTION_TITLE, age, ask, make_volunteer
from open12348.directory.tests.factories import make_practitioner

pytestmark = pytest.mark.django_db


ID_NUMBER = "320585199001011234"
PHONE = "13912345678"
XSS = '<script>alert("x")</script>＜script＞alert(1)＜/script＞<img src=x onerror=alert(2)>'


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def private_question(asker, town_a, catalog):
    return ask(
        asker, town_a, is_public=False, title="不公开的问题：工资被扣", body="公司扣了我的工资，我不想公开这个问题。"
    )


@pytest.fixture
def answer(question, volunteer_a) -> Answer:
    return services.answer_post(actor=volunteer_a.user, consultation=question, body=ANSWER_BODY)


@pytest.fixture
def cast(asker, other_citizen, volunteer_a, director_a, outsider_b):
    return {
        "anonymous": None,
        "asker": asker,
        "other_citizen": other_citizen,
        "volunteer": volunteer_a.user,
        "director": director_a,
        "outsider_b": outsider_b,
    }


def as_(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def to_login(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def ask_data(**overrides) -> dict:
    data = {
        "title": QUESTION_TITLE,
        "body": QUESTION_BODY,
        "legal_category": "",
        "area": "320585100",
        "visibility": "public",
        "submit_key": "k-" + overrides.pop("key", "1"),
    }
    data.update(overrides)
    return data


# --- who sees which page (GET) -------------------------------------------------------------------

GET_EXPECTED = {
    # url name: {who: status}; "login" = redirected to the login page
    "list": dict.fromkeys(("anonymous", "asker", "other_citizen", "volunteer", "director", "outsider_b"), 200),
    "detail": dict.fromkeys(("anonymous", "asker", "other_citizen", "volunteer", "director", "outsider_b"), 200),
    "private": {
        "anonymous": 404,
        "asker": 200,
        "other_citizen": 404,
        "volunteer": 200,
        "director": 200,
        "outsider_b": 404,
    },
    "answerer": dict.fromkeys(("anonymous", "asker", "other_citizen", "volunteer", "director", "outsider_b"), 200),
    "ask": {
        "anonymous": "login",
        "asker": 200,
        "other_citizen": 200,
        "volunteer": 403,
        "director": 403,
        "outsider_b": 403,
    },
    "queue": {
        "anonymous": "login",
        "asker": 403,
        "other_citizen": 403,
        "volunteer": 200,
        "director": 403,
        "outsider_b": 403,
    },
    "volunteer": {
        "anonymous": "login",
        "asker": 403,
        "other_citizen": 403,
        "volunteer": 200,
        "director": 403,
        "outsider_b": 403,
    },
    "manage": {
        "anonymous": "login",
        "asker": 403,
        "other_citizen": 403,
        "volunteer": 403,
        "director": 200,
        "outsider_b": 200,
    },
}


@pytest.mark.parametrize("page", list(GET_EXPECTED))
def test_each_page_answers_each_role_as_expected(client, cast, question, private_question, volunteer_a, page):
    url = {
        "list": reverse("consultations:list"),
        "detail": reverse("consultations:detail", args=[question.pk]),
        "private": reverse("consultations:detail", args=[private_question.pk]),
        "answerer": reverse("consultations:answerer", args=[volunteer_a.pk]),
        "ask": reverse("consultations:ask"),
        "queue": reverse("consultations:queue"),
        "volunteer": reverse("consultations:volunteer"),
        "manage": reverse("consultations:manage"),
    }[page]
    for who, expected in GET_EXPECTED[page].items():
        response = as_(client, cast[who]).get(url)
        if expected == "login":
            assert to_login(response), f"{page} as {who}: {response.status_code}"
            assert "next=" in response["Location"]
        else:
            assert response.status_code == expected, f"{page} as {who}: {response.status_code}"


def test_suggest_needs_an_account(client, asker, catalog):
    url = reverse("consultations:suggest")
    assert to_login(client.get(url, {"text": "公司拖欠工资"}))
    response = as_(client, asker).get(url, {"text": "公司拖欠工资"})
    assert response.status_code == 200


def test_unknown_question_and_answerer_are_404(client, asker, catalog):
    as_(client, asker)
    assert client.get(reverse("consultations:detail", args=[999999])).status_code == 404
    assert client.get(reverse("consultations:answerer", args=[999999])).status_code == 404


def test_every_action_refuses_anonymous_visitors_with_the_login_page(client, question, answer):
    for name, args in [
        ("adopt", [question.pk]),
        ("rate", [question.pk]),
        ("entrust", [question.pk]),
        ("message-add", [answer.pk]),
        ("answer-add", [question.pk]),
        ("close", [question.pk]),
        ("dispatch", [question.pk]),
        ("shift-add", []),
        ("shift-remove", [1]),
    ]:
        url = reverse(f"consultations:{name}", args=args)
        assert client.get(url).status_code == 405, name
        assert to_login(client.post(url, {})), name


# --- the public list ---------------------------------------------------------------------------


def test_list_shows_public_questions_masked_and_not_private_ones(client, asker, town_a, catalog, private_question):
    ask(asker, town_a, title="借钱不还怎么办", body=f"他借了我两万元不还，他的电话 {PHONE}，身份证 {ID_NUMBER}。")
    response = client.get(reverse("consultations:list"))
    html = response.content.decode()
    assert "借钱不还怎么办" in html
    assert PHONE not in html and ID_NUMBER not in html
    assert private_question.title not in html
    assert "我要咨询" in html and "12348" in html


def test_list_filters_by_category_status_and_words(client, asker, town_a, catalog, volunteer_a):
    labour = ask(asker, town_a)
    family = ask(
        asker,
        town_a,
        title="离婚后孩子抚养费怎么算",
        body="离婚时约定的抚养费对方一直不给，我该怎么办？",
        legal_category=catalog["marriage_family"],
    )
    services.answer_post(actor=volunteer_a.user, consultation=labour, body=ANSWER_BODY)
    url = reverse("consultations:list")

    html = client.get(url, {"category": "marriage_family"}).content.decode()
    assert family.public_title in html and labour.public_title not in html
    html = client.get(url, {"status": "answered"}).content.decode()
    assert labour.public_title in html and family.public_title not in html
    html = client.get(url, {"q": "抚养费"}).content.decode()
    assert family.public_title in html and labour.public_title not in html


def test_list_ignores_a_bad_filter_with_a_message(client, question):
    response = client.get(reverse("consultations:list"), {"category": "nonsense", "status": "bogus"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "查询条件有误" in html
    assert question.public_title in html


def test_list_answers_htmx_with_the_results_only(client, question):
    response = client.get(reverse("consultations:list"), {"q": "工资"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert question.public_title in html
    assert "<html" not in html and 'id="consult-results-title"' in html


def test_list_is_paginated(client, asker, town_a, catalog):
    for i in range(21):
        ask(asker, town_a, title=f"第{i}个关于工资的问题", submit_key=f"page-{i}")
    cache.clear()
    first = client.get(reverse("consultations:list")).content.decode()
    assert "第1页，共2页" in first
    second = client.get(reverse("consultations:list"), {"page": 2}).content.decode()
    assert second.count('class="card consult-card"') == 1


# --- the question page ------------------------------------------------------------------------


def test_public_page_shows_masked_text_and_the_asker_the_original(client, asker, other_citizen, town_a, catalog):
    consultation = ask(
        asker, town_a, title="欠款追讨问题", body=f"对方电话 {PHONE}，身份证号 {ID_NUMBER}，欠我三万元不还怎么办？"
    )
    url = reverse("consultations:detail", args=[consultation.pk])
    public = client.get(url).content.decode()
    assert PHONE not in public and ID_NUMBER not in public
    assert consultation.public_body.split("，")[0] in public
    mine = as_(client, asker).get(url).content.decode()
    assert PHONE in mine and ID_NUMBER in mine
    assert consultation.work_order.tracking_code in mine
    other = as_(client, other_citizen).get(url).content.decode()
    assert PHONE not in other and consultation.work_order.tracking_code not in other


def test_script_typed_into_a_question_is_shown_escaped(client, asker, town_a, catalog):
    consultation = ask(asker, town_a, title="工资问题<script>x</script>", body="公司拖欠工资怎么办 " + XSS)
    html = client.get(reverse("consultations:detail", args=[consultation.pk])).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_a_view_is_counted_except_the_askers_own(client, asker, question):
    url = reverse("consultations:detail", args=[question.pk])
    client.get(url)
    as_(client, asker).get(url)
    question.refresh_from_db()
    assert question.view_count == 1


def test_waiting_question_shows_the_answer_time_promise(client, question):
    html = client.get(reverse("consultations:detail", args=[question.pk])).content.decode()
    assert "首次答复" in html


# --- asking -----------------------------------------------------------------------------------


def test_ask_page_shows_the_form_the_promise_and_a_fresh_submit_key(client, asker, catalog, town_a):
    html = as_(client, asker).get(reverse("consultations:ask")).content.decode()
    assert "公开：去掉身份证号、手机号后展示给其他群众参考" in html
    assert "首次答复" in html
    keys = re.findall(r'name="submit_key" value="([0-9a-f]{32})"', html)
    assert len(keys) == 1
    again = client.get(reverse("consultations:ask")).content.decode()
    assert keys[0] not in again
    assert 'hx-post="/consult/suggest/"' in html.replace(reverse("consultations:suggest"), "/consult/suggest/")


def test_a_link_pre_fills_the_category_title_and_body(client, asker, catalog, town_a):
    url = reverse("consultations:ask") + "?category=labor&title=老板拖欠工资&body=三个月没发工资"
    response = as_(client, asker).get(url)

    form = response.context["form"]
    assert form["legal_category"].value() == catalog["labor"].pk
    assert form["title"].value() == "老板拖欠工资" and form["body"].value() == "三个月没发工资"
    assert as_(client, asker).get(reverse("consultations:ask") + "?category=nonsense").context["form"][
        "legal_category"
    ].value() in (None, "")


def test_asking_creates_the_question_and_shows_its_tracking_code(client, asker, catalog, town_a):
    response = as_(client, asker).post(reverse("consultations:ask"), ask_data(), follow=True)
    consultation = Consultation.objects.get()
    assert response.redirect_chain[-1][0] == reverse("consultations:detail", args=[consultation.pk])
    html = response.content.decode()
    assert "您的问题已提交" in html and consultation.work_order.tracking_code in html
    assert consultation.asker == asker and consultation.is_public
    assert consultation.area == town_a
    assert consultation.legal_category == catalog["labor"]  # suggested from 工资
    assert consultation.work_order.channel == "web"


def test_asking_privately_keeps_the_question_off_the_public_list(client, asker, catalog, town_a):
    as_(client, asker).post(reverse("consultations:ask"), ask_data(visibility="private"))
    consultation = Consultation.objects.get()
    assert not consultation.is_public
    client.logout()
    assert consultation.title not in client.get(reverse("consultations:list")).content.decode()
    assert client.get(reverse("consultations:detail", args=[consultation.pk])).status_code == 404


def test_a_chosen_category_is_kept(client, asker, catalog, town_a):
    as_(client, asker).post(reverse("consultations:ask"), ask_data(legal_category=str(catalog["debt"].pk)))
    assert Consultation.objects.get().legal_category == catalog["debt"]


def test_double_submit_creates_one_question(client, asker, catalog, town_a):
    as_(client, asker)
    first = client.post(reverse("consultations:ask"), ask_data(key="same"))
    second = client.post(reverse("consultations:ask"), ask_data(key="same"))
    assert Consultation.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "body": ""}, "title", "请填写标题"),
        ({"title": "", "body": ""}, "body", "请填写问题描述"),
        ({"title": "工资"}, "title", "标题至少需要5个字"),
        ({"title": "工" * 61}, "title", "标题不能超过60个字"),
        ({"body": "太短了"}, "body", "问题描述至少需要10个字"),
        ({"body": "长" * 5001}, "body", "问题描述不能超过5000个字"),
        ({"area": ""}, "area", "请选择您所在的地区"),
        ({"area": "999"}, "area", "请从列表中选择地区"),
        ({"legal_category": "999999"}, "legal_category", "请从列表中选择问题类别"),
        ({"visibility": "both"}, "visibility", "请选择公开或不公开"),
    ],
)
def test_bad_input_is_refused_with_a_chinese_message_and_the_input_kept(
    client, asker, catalog, town_a, data, field, message
):
    response = as_(client, asker).post(reverse("consultations:ask"), ask_data(**data))
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert message in response.content.decode()
    assert not Consultation.objects.exists()
    if "body" not in data:
        assert QUESTION_BODY in response.content.decode()  # the other input is kept


def test_whitespace_only_text_is_refused(client, asker, catalog, town_a):
    response = as_(client, asker).post(reverse("consultations:ask"), ask_data(title="      ", body="\u3000" * 20))
    assert response.status_code == 400
    assert not Consultation.objects.exists()


def test_script_in_a_refused_form_is_kept_escaped(client, asker, catalog, town_a):
    response = as_(client, asker).post(reverse("consultations:ask"), ask_data(title="", body=XSS))
    html = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_the_submit_key_survives_a_refused_form(client, asker, catalog, town_a):
    response = as_(client, asker).post(reverse("consultations:ask"), ask_data(title="", key="keep-me"))
    assert 'value="k-keep-me"' in response.content.decode()


@override_settings(CONSULT_ASK_PER_HOUR=2)
def test_too_many_questions_from_one_phone_get_a_friendly_429(
    client, asker, catalog, town_a, django_capture_on_commit_callbacks
):
    as_(client, asker)
    for key in ("a", "b"):
        with django_capture_on_commit_callbacks(execute=True):  # questions are counted after the commit
            assert client.post(reverse("consultations:ask"), ask_data(key=key)).status_code == 302
    response = client.post(reverse("consultations:ask"), ask_data(key="c"))
    assert response.status_code == 429
    assert "请一小时后再试" in response.content.decode()
    assert Consultation.objects.count() == 2


@override_settings(CONSULT_ASK_PER_IP_HOUR=1)
def test_too_many_questions_from_one_address_get_a_429(
    client, asker, other_citizen, catalog, town_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert as_(client, asker).post(reverse("consultations:ask"), ask_data(key="a")).status_code == 302
    assert as_(client, other_citizen).post(reverse("consultations:ask"), ask_data(key="b")).status_code == 429


def test_a_file_attached_to_the_question_goes_on_its_work_order(client, asker, catalog, town_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from open12348.workorders.tests.test_attachments import png_bytes

    upload = SimpleUploadedFile("工资条.png", png_bytes(), content_type="image/png")
    response = as_(client, asker).post(reverse("consultations:ask"), ask_data() | {"attachments": upload})
    assert response.status_code == 302
    assert Consultation.objects.get().work_order.attachments.count() == 1


def test_a_refused_file_keeps_the_form(client, asker, catalog, town_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00not really", content_type="application/octet-stream")
    response = as_(client, asker).post(reverse("consultations:ask"), ask_data() | {"attachments": upload})
    assert response.status_code == 400
    assert "病毒.exe" in response.content.decode() and QUESTION_TITLE in response.content.decode()
    assert not Consultation.objects.exists()


def test_staff_cannot_ask(client, volunteer_a, catalog, town_a):
    response = as_(client, volunteer_a.user).post(reverse("consultations:ask"), ask_data())
    assert response.status_code == 403
    assert not Consultation.objects.exists()


# --- the category suggestion ---------------------------------------------------------------------


def test_suggestion_picks_the_category_from_the_text(client, asker, catalog):
    response = as_(client, asker).post(
        reverse("consultations:suggest"), {"title": "老板拖欠工资", "body": "三个月没发工资了", "legal_category": ""}
    )
    html = response.content.decode()
    assert "建议类别：劳动纠纷" in html
    assert 'hx-swap-oob="true"' in html
    assert f'<option value="{catalog["labor"].pk}" selected>' in html


def test_suggestion_keeps_a_category_the_asker_chose(client, asker, catalog):
    response = as_(client, asker).post(
        reverse("consultations:suggest"),
        {"title": "老板拖欠工资", "body": "", "legal_category": str(catalog["debt"].pk), "suggested": ""},
    )
    html = response.content.decode()
    assert "建议类别：劳动纠纷" in html and "您已选择“债权债务”" in html
    assert f'<option value="{catalog["debt"].pk}" selected>' in html


def test_suggestion_follows_the_text_when_the_choice_was_the_previous_suggestion(client, asker, catalog):
    response = as_(client, asker).get(
        reverse("consultations:suggest"),
        {"text": "离婚后孩子抚养", "legal_category": str(catalog["labor"].pk), "suggested": str(catalog["labor"].pk)},
    )
    assert f'<option value="{catalog["marriage_family"].pk}" selected>' in response.content.decode()


def test_no_suggestion_for_text_without_clues(client, asker, catalog):
    html = as_(client, asker).get(reverse("consultations:suggest"), {"text": "你好"}).content.decode()
    assert "建议类别" not in html


# --- answering, follow-up, adoption, rating, entrustment -------------------------------------------


def test_volunteer_answers_from_the_page(client, question, volunteer_a):
    url = reverse("consultations:detail", args=[question.pk])
    assert "我来解答" in as_(client, volunteer_a.user).get(url).content.decode()
    response = client.post(reverse("consultations:answer-add", args=[question.pk]), {"body": ANSWER_BODY})
    answer = Answer.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#answer-{answer.pk}")
    html = client.get(url).content.decode()
    assert ANSWER_BODY in html and "我来解答" not in html
    assert reverse("consultations:answerer", args=[volunteer_a.pk]) in html


def test_answer_refused_for_the_wrong_people(client, cast, question, volunteer_b):
    url = reverse("consultations:answer-add", args=[question.pk])
    for who in ("asker", "other_citizen", "director", "outsider_b"):
        assert as_(client, cast[who]).post(url, {"body": ANSWER_BODY}).status_code == 403, who
    assert as_(client, volunteer_b.user).post(url, {"body": ANSWER_BODY}).status_code == 403
    assert not Answer.objects.exists()


def test_empty_answer_is_refused_with_the_form(client, question, volunteer_a):
    response = as_(client, volunteer_a.user).post(
        reverse("consultations:answer-add", args=[question.pk]), {"body": " "}
    )
    assert response.status_code == 400
    assert "请填写解答内容" in response.content.decode()


def test_second_answer_by_the_same_volunteer_goes_back_with_the_reason(client, question, answer, volunteer_a):
    response = as_(client, volunteer_a.user).post(
        reverse("consultations:answer-add", args=[question.pk]), {"body": "再答一次"}, follow=True
    )
    assert Answer.objects.count() == 1
    assert "您已解答过该问题" in response.content.decode()


def test_follow_up_thread_between_answerer_and_asker_only(client, asker, other_citizen, question, answer, volunteer_a):
    url = reverse("consultations:message-add", args=[answer.pk])
    assert as_(client, volunteer_a.user).post(url, {f"m{answer.pk}-body": "请问您签劳动合同了吗？"}).status_code == 302
    assert as_(client, asker).post(url, {f"m{answer.pk}-body": "签了，合同在我手上。"}).status_code == 302
    assert as_(client, other_citizen).post(url, {f"m{answer.pk}-body": "我也想问"}).status_code == 403
    assert Message.objects.count() == 2
    html = as_(client, other_citizen).get(reverse("consultations:detail", args=[question.pk])).content.decode()
    assert "请问您签劳动合同了吗？" in html and "签了，合同在我手上。" in html
    assert f'name="m{answer.pk}-body"' not in html  # no reply box for others


def test_empty_follow_up_keeps_the_page_with_the_error(client, asker, question, answer):
    response = as_(client, asker).post(
        reverse("consultations:message-add", args=[answer.pk]), {f"m{answer.pk}-body": ""}
    )
    assert response.status_code == 400
    assert "请填写追问或回复内容" in response.content.decode()


def test_asker_adopts_with_a_rating_and_the_answerer_gets_points(client, asker, question, answer, volunteer_a):
    url = reverse("consultations:detail", args=[question.pk])
    html = as_(client, asker).get(url).content.decode()
    assert "采纳此解答" in html
    response = client.post(reverse("consultations:adopt", args=[question.pk]), {"answer": answer.pk, "rating": "5"})
    assert response.status_code == 302
    question.refresh_from_db()
    volunteer_a.refresh_from_db()
    assert question.status == Consultation.Status.ADOPTED and question.adopted_answer == answer
    assert question.rating == 5
    assert volunteer_a.points == 10
    html = client.get(url).content.decode()
    assert "已采纳" in html and "采纳此解答" not in html
    assert "您的评价：5星" in html
    profile = client.get(reverse("consultations:answerer", args=[volunteer_a.pk])).content.decode()
    assert 'id="stat-points">10<' in profile and question.public_title in profile


def test_asker_adopts_without_rating_then_rates(client, asker, question, answer):
    as_(client, asker).post(reverse("consultations:adopt", args=[question.pk]), {"answer": answer.pk, "rating": ""})
    html = client.get(reverse("consultations:detail", args=[question.pk])).content.decode()
    assert "提交评价" in html
    response = client.post(reverse("consultations:rate", args=[question.pk]), {"rating": "4"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.rating == 4
    again = client.post(reverse("consultations:rate", args=[question.pk]), {"rating": "1"}, follow=True)
    question.refresh_from_db()
    assert question.rating == 4
    assert again.status_code == 200


def test_rating_out_of_range_is_refused(client, asker, question, answer):
    as_(client, asker).post(reverse("consultations:adopt", args=[question.pk]), {"answer": answer.pk})
    response = client.post(reverse("consultations:rate", args=[question.pk]), {"rating": "9"})
    assert response.status_code == 400
    assert "请选择1至5星" in response.content.decode()


def test_others_cannot_adopt(client, cast, question, answer):
    url = reverse("consultations:adopt", args=[question.pk])
    for who in ("other_citizen", "volunteer", "director"):
        assert as_(client, cast[who]).post(url, {"answer": answer.pk}).status_code == 403, who
    question.refresh_from_db()
    assert question.adopted_answer is None


def test_director_adopts_on_behalf_only_after_seven_days(client, director_a, question, answer):
    url = reverse("consultations:detail", args=[question.pk])
    assert "代提问人采纳此解答" not in as_(client, director_a).get(url).content.decode()
    assert client.post(reverse("consultations:adopt", args=[question.pk]), {"answer": answer.pk}).status_code == 403
    age(question, days=8)
    assert "代提问人采纳此解答" in client.get(url).content.decode()
    assert client.post(reverse("consultations:adopt", args=[question.pk]), {"answer": answer.pk}).status_code == 302
    question.refresh_from_db()
    assert question.adopted_by_moderator
    assert "管理员代为采纳" in client.get(url).content.decode()


def test_entrusting_the_answering_lawyer(client, asker, question, town_a, area_a, catalog):
    lawyer = make_practitioner(area_a, "李律师")
    from open12348.accounts.tests.factories import make_staff

    user = make_staff("lawyer_li", area_a, "lawyer", "volunteer")
    volunteer = make_volunteer(user, area_a, practitioner=lawyer, specialties=[catalog["labor"]])
    answer = services.answer_post(actor=volunteer.user, consultation=question, body=ANSWER_BODY)
    url = reverse("consultations:detail", args=[question.pk])
    assert "委托该律师" in as_(client, asker).get(url).content.decode()
    response = client.post(reverse("consultations:entrust", args=[question.pk]), {"answer": answer.pk}, follow=True)
    entrustment = Entrustment.objects.get()
    html = response.content.decode()
    assert entrustment.work_order.tracking_code in html and "委托申请已提交" in html
    assert "委托该律师" not in html.split("已申请委托")[0].split(f'id="answer-{answer.pk}"')[1]


def test_no_entrust_button_for_a_volunteer_who_is_not_a_lawyer(client, asker, question, answer):
    html = as_(client, asker).get(reverse("consultations:detail", args=[question.pk])).content.decode()
    assert "委托该律师" not in html
    response = client.post(reverse("consultations:entrust", args=[question.pk]), {"answer": answer.pk})
    assert response.status_code in (302, 403)
    assert not Entrustment.objects.exists()


# --- volunteers ---------------------------------------------------------------------------------


def test_queue_lists_questions_in_the_volunteers_area_and_specialty(
    client, asker, question, volunteer_a, volunteer_b, town_a, catalog
):
    family = ask(
        asker,
        town_a,
        title="离婚财产怎么分割",
        body="结婚十年要离婚了，房子怎么分？",
        legal_category=catalog["marriage_family"],
    )
    html = as_(client, volunteer_a.user).get(reverse("consultations:queue")).content.decode()
    assert question.public_title in html and family.public_title not in html  # labour only
    other = as_(client, volunteer_b.user).get(reverse("consultations:queue")).content.decode()
    assert question.public_title not in other  # 昆山 volunteer


def test_queue_puts_dispatched_questions_first_and_marks_overdue(
    client, asker, town_a, director_a, volunteer_a, catalog
):
    first = ask(asker, town_a, title="第一个关于工资的问题")
    second = ask(asker, town_a, title="第二个关于工资的问题")
    Consultation.objects.filter(pk=first.pk).update(answer_due_at=first.created_at.replace(year=2020))
    services.consultation_dispatch(actor=director_a, consultation=second, volunteer=volunteer_a)
    html = as_(client, volunteer_a.user).get(reverse("consultations:queue")).content.decode()
    assert html.index(second.public_title) < html.index(first.public_title)
    assert "派给我的" in html and "已超时" in html


def test_volunteer_dashboard_shows_queue_shifts_points_and_adopted(client, asker, question, answer, volunteer_a):
    services.answer_adopt(actor=asker, consultation=question, answer=answer)
    html = as_(client, volunteer_a.user).get(reverse("consultations:volunteer")).content.decode()
    assert 'id="my-points">10<' in html
    assert "解答被采纳" in html and question.public_title in html
    assert "添加值班时间" in html


def test_volunteer_adds_and_removes_a_shift(client, volunteer_a):
    as_(client, volunteer_a.user)
    response = client.post(reverse("consultations:shift-add"), {"weekday": "0", "starts": "09:00", "ends": "12:00"})
    assert response.status_code == 302
    shift = Shift.objects.get(volunteer=volunteer_a)
    assert "星期一 09:00—12:00" in client.get(reverse("consultations:volunteer")).content.decode()
    overlap = client.post(reverse("consultations:shift-add"), {"weekday": "0", "starts": "11:00", "ends": "13:00"})
    assert overlap.status_code == 400 and "重叠" in overlap.content.decode()
    backwards = client.post(reverse("consultations:shift-add"), {"weekday": "1", "starts": "12:00", "ends": "09:00"})
    assert backwards.status_code == 400 and "结束时间必须晚于开始时间" in backwards.content.decode()
    assert client.post(reverse("consultations:shift-remove", args=[shift.pk])).status_code == 302
    assert not Shift.objects.exists()


def test_a_volunteer_cannot_remove_someone_elses_shift(client, volunteer_a, student_a):
    shift = services.shift_create(actor=student_a.user, volunteer=student_a, weekday=2, starts="09:00", ends="10:00")
    assert as_(client, volunteer_a.user).post(reverse("consultations:shift-remove", args=[shift.pk])).status_code == 404
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_shift_forms_refuse_staff_without_a_volunteer_record(client, lawyer_a):
    response = as_(client, lawyer_a).post(
        reverse("consultations:shift-add"), {"weekday": "0", "starts": "09:00", "ends": "10:00"}
    )
    assert response.status_code == 403


# --- moderators ---------------------------------------------------------------------------------


def test_manage_lists_overdue_questions_of_the_directors_area_only(client, question, director_a, outsider_b):
    Consultation.objects.filter(pk=question.pk).update(answer_due_at=question.created_at.replace(year=2020))
    assert question.public_title in as_(client, director_a).get(reverse("consultations:manage")).content.decode()
    assert question.public_title not in as_(client, outsider_b).get(reverse("consultations:manage")).content.decode()


def test_director_dispatches_from_the_manage_page(client, question, director_a, volunteer_a):
    Consultation.objects.filter(pk=question.pk).update(answer_due_at=question.created_at.replace(year=2020))
    response = as_(client, director_a).post(
        reverse("consultations:dispatch", args=[question.pk]),
        {"back": "manage", f"d{question.pk}-volunteer": volunteer_a.pk},
    )
    assert response.status_code == 302 and response["Location"] == reverse("consultations:manage")
    assert Dispatch.objects.filter(consultation=question, volunteer=volunteer_a).exists()


def test_director_dispatches_and_closes_from_the_question_page(client, question, director_a, volunteer_a):
    as_(client, director_a)
    html = client.get(reverse("consultations:detail", args=[question.pk])).content.decode()
    assert "关闭咨询" in html and "派单" in html
    client.post(reverse("consultations:dispatch", args=[question.pk]), {"volunteer": volunteer_a.pk})
    assert Dispatch.objects.filter(consultation=question).count() == 1
    empty = client.post(reverse("consultations:close", args=[question.pk]), {"reason": ""})
    assert empty.status_code == 400 and "请填写关闭原因" in empty.content.decode()
    assert client.post(reverse("consultations:close", args=[question.pk]), {"reason": "重复提问"}).status_code == 302
    question.refresh_from_db()
    assert question.status == Consultation.Status.CLOSED
    client.logout()
    assert client.get(reverse("consultations:detail", args=[question.pk])).status_code == 404


def test_moderation_refused_to_citizens_volunteers_and_other_areas(client, cast, question, volunteer_a):
    for who in ("asker", "other_citizen", "volunteer", "outsider_b"):
        as_(client, cast[who])
        assert client.post(reverse("consultations:close", args=[question.pk]), {"reason": "x"}).status_code == 403, who
        response = client.post(reverse("consultations:dispatch", args=[question.pk]), {"volunteer": volunteer_a.pk})
        assert response.status_code in (400, 403), who
    question.refresh_from_db()
    assert question.status == Consultation.Status.WAITING
    assert not Dispatch.objects.exists()
