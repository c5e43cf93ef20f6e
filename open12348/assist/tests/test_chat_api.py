"""POST /api/v1/assist/chat/: public, throttled per IP, the assistant's reply as JSON with
absolute links; 400 with a Chinese message on empty or malformed input; in the schema."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from open12348.accounts.tests.factories import sign_in
from open12348.assist import chat_api
from open12348.assist.llm import use_client
from open12348.assist.tests import test_chat
from open12348.assist.tests.test_chat import QUESTION, FakeClient, Hit

# The URL configuration of test_chat_views: the project's, plus the assistant until it is mounted.
pytestmark = pytest.mark.django_db

fakes = test_chat.fakes
labor = test_chat.labor
library = test_chat.library
URL = "/api/v1/assist/chat/"


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def post(client, data, **extra):
    return client.post(URL, json.dumps(data), content_type="application/json", **extra)


def test_the_url_is_named(db):
    assert reverse("api:assist-chat") == URL


def test_an_anonymous_question_gets_the_whole_reply(client, fakes, library, labor, town_a, station_a):
    fakes.hits = library.hits

    response = post(client, {"question": QUESTION, "area": town_a.code})

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {
        "answer",
        "kind",
        "question",
        "category",
        "citations",
        "similar",
        "services",
        "site",
        "actions",
        "notices",
        "disclaimer",
        "llm_used",
    }
    assert data["answer"].startswith("您的问题属于「劳动纠纷」。")
    assert data["category"] == {
        "label": "劳动纠纷",
        "code": "labor",
        "confidence": 0.82,
        "top3": [
            {"label": "劳动纠纷", "confidence": 0.82},
            {"label": "合同纠纷", "confidence": 0.1},
            {"label": "债权债务", "confidence": 0.03},
        ],
    }
    assert [c["url"] for c in data["citations"]] == [
        "http://testserver/laws/lrb-labor/30/",
        "http://testserver/laws/lrb-labor/38/",
    ]
    assert data["citations"][0]["citation"] == "中华人民共和国劳动合同法第三十条"
    assert data["services"][0] == {
        "name": "劳动人事争议仲裁指引",
        "code": "labor_arbitration_guide",
        "url": "http://testserver/#catalog",
    }
    assert data["site"]["name"] == station_a.name and data["site"]["url"].startswith("http://testserver/sites/")
    assert data["actions"][0]["kind"] == "consultation" and data["actions"][0]["url"].startswith("http://testserver/")
    assert (
        data["disclaimer"] == "以上内容由系统自动生成，仅供参考，不构成法律意见。如需帮助请拨打12348公共法律服务热线。"
    )
    assert data["llm_used"] is False and data["similar"] == []


def test_with_a_language_model_fabricated_citations_never_reach_the_caller(client, fakes, library, labor):
    fakes.hits = [
        library.hits[0],
        Hit("中华人民共和国刑法第九百九十九条", "中华人民共和国刑法", "第九百九十九条", None),
    ]

    with use_client(FakeClient("应当足额支付工资[1]。《刑法》第999条规定拒不支付要坐牢[2]。")):
        data = post(client, {"question": QUESTION}).json()

    assert data["llm_used"] is True
    assert [c["citation"] for c in data["citations"]] == ["中华人民共和国劳动合同法第三十条"]
    assert "999" not in data["answer"] and "[2]" not in data["answer"] and "[1]" in data["answer"]


def test_history_is_used_for_a_short_follow_up(client, fakes, labor):
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "可以申请仲裁。"}]

    response = post(client, {"question": "要多久？", "history": history})

    assert response.status_code == 200
    assert ("classify", f"{QUESTION} 要多久？") in fakes.calls


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"question": ""}, "question", "请输入您的问题。"),
        ({"question": "   "}, "question", "请输入您的问题。"),
        ({}, "question", "请输入您的问题。"),
        ({"question": None}, "question", "请输入您的问题。"),
        ({"question": "工资" * 10_001}, "question", "问题不能超过20000个字。"),
        ({"question": QUESTION, "area": "abc"}, "area", "没有找到该地区"),
        ({"question": QUESTION, "colour": "red"}, "colour", "未知字段。"),
        ({"question": QUESTION, "history": [{"role": "system", "content": "x"}]}, "history", "user 或 assistant"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, fakes, data, field, message):
    response = post(client, data)

    assert response.status_code == 400
    body = response.json()
    assert any(key.startswith(field) for key in body["errors"]), body
    assert message in json.dumps(body, ensure_ascii=False)
    assert fakes.calls == []


def test_a_question_of_only_control_characters_is_a_400(client, fakes):
    response = post(client, {"question": "\u200b\u200b"})

    assert response.status_code == 400 and "请输入您的问题。" in response.json()["errors"]["question"][0]


@pytest.mark.parametrize("question", ["😀😀", "How do I get my wages back?"])
def test_non_chinese_questions_get_a_polite_answer_not_an_error(client, fakes, question):
    response = post(client, {"question": question})

    assert response.status_code == 200
    data = response.json()
    assert data["kind"] == "not_chinese" and "请用中文描述" in data["answer"]
    assert data["citations"] == [] and data["category"] is None


def test_traditional_characters_and_a_long_question(client, fakes, labor):
    traditional = post(client, {"question": "老闆拖欠我三個月工資怎麼辦"}).json()
    long = post(client, {"question": "工资" * 10_000}).json()

    assert traditional["question"] == QUESTION and traditional["notices"]
    assert len(long["question"]) == 1000 and "只分析了前1000个字" in long["notices"][0]


def test_malformed_json_is_a_400_not_a_500(client, fakes):
    response = client.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400


def test_anonymous_callers_are_throttled_per_ip(client, fakes, labor, monkeypatch):
    monkeypatch.setattr(chat_api.ChatThrottle, "rate", "3/min")
    statuses = [post(client, {"question": QUESTION}).status_code for _ in range(4)]
    other_ip = post(client, {"question": QUESTION}, REMOTE_ADDR="10.0.0.9")

    assert statuses == [200, 200, 200, 429]
    assert other_ip.status_code == 200


def test_the_default_rate_is_20_a_minute():
    assert chat_api.ChatThrottle.rate == "20/min"


def test_a_signed_in_staff_member_gets_the_work_order_action(client, fakes, labor, clerk_a):
    assert sign_in(client, "clerk_a")

    data = post(client, {"question": QUESTION}, HTTP_X_CSRFTOKEN="x").json()

    assert [a["kind"] for a in data["actions"]] == ["consultation", "workorder"]


def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_the_endpoint_is_in_the_schema_with_its_tag(client):
    schema = json.loads(client.get(reverse("api:schema"), {"format": "json"}).content)

    operation = schema["paths"][URL]["post"]
    assert operation["tags"] == ["智能服务"]
    assert operation["summary"] == "智能咨询"
    assert {} in operation["security"]
    assert set(operation["responses"]) >= {"200", "400", "429"}
    assert "AssistChatReply" in schema["components"]["schemas"]
