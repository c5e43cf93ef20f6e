"""API: /api/v1/laws/search/, /api/v1/laws/{id}/, /api/v1/laws/articles/{id}/."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from open12348.laws.models import Article, Law

pytestmark = pytest.mark.django_db
SEARCH = "/api/v1/laws/search/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_search_returns_ranked_hits_with_snippets(client, library):
    response = client.get(SEARCH, {"q": "解除 劳动合同"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] >= 2 and data["page"] == 1 and data["pages"] == 1 and data["relaxed"] is False
    assert data["tokens"] == ["解除", "劳动合同"]
    hit = data["results"][0]
    assert data["more"] is False
    assert set(hit) == {"key", "kind", "title", "url", "snippet_html", "score", "level", "status", "region", "date"}
    assert "<mark>" in hit["snippet_html"] and hit["status"] == "valid"


def test_search_filters(client, library):
    valid = client.get(SEARCH, {"q": "工资支付"}).json()["results"]
    assert valid and not [hit for hit in valid if hit["url"].startswith("/laws/lrb-wages/")]
    repealed = client.get(SEARCH, {"q": "工资支付", "status": "repealed"}).json()
    assert [hit["url"] for hit in repealed["results"]][0].startswith("/laws/lrb-wages/")
    assert client.get(SEARCH, {"q": "工资支付", "status": "all"}).json()["count"] >= 1
    assert client.get(SEARCH, {"q": "物业", "region": "national"}).json()["count"] == 0
    assert client.get(SEARCH, {"q": "物业", "region": "上海"}).json()["results"][0]["region"] == "上海"
    level = client.get(SEARCH, {"q": "劳动", "level": "judicial_interpretation"}).json()
    assert {hit["level"] for hit in level["results"]} == {"judicial_interpretation"}
    paged = client.get(SEARCH, {"q": "劳动", "page_size": 1, "page": 2}).json()
    assert paged["page"] == 2 and len(paged["results"]) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "劳" * 2000}, "q"),
        ({"q": "劳动", "level": "nonsense"}, "level"),
        ({"q": "劳动", "status": "nonsense"}, "status"),
        ({"q": "劳动", "page": "0"}, "page"),
        ({"q": "劳动", "page": "abc"}, "page"),
        ({"q": "劳动", "date_from": "2021-13-01"}, "date_from"),
        ({"q": "劳动", "date_from": "2022-01-01", "date_to": "2021-01-01"}, "date_to"),
        ({"q": "劳动", "unknown": "1"}, "unknown"),
    ],
)
def test_bad_search_input_is_a_400_naming_the_parameter(client, library, params, field):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("query", ["😀", '"', "*", "NEAR(", "-", "劳动 -合同", "'; DROP TABLE laws_law; --", "勞動"])
def test_odd_queries_are_answered(client, library, query):
    assert client.get(SEARCH, {"q": query}).status_code == 200


def test_anonymous_callers_are_throttled_per_ip(client, library):
    for _ in range(30):
        assert client.get(SEARCH, {"q": "劳动"}).status_code == 200
    response = client.get(SEARCH, {"q": "劳动"})
    assert response.status_code == 429


def test_signed_in_callers_are_not_throttled_by_the_anonymous_limit(client, clerk_a, library):
    client.force_login(clerk_a)
    for _ in range(32):
        assert client.get(SEARCH, {"q": "劳动"}).status_code == 200


def test_law_detail_has_its_articles(client, library):
    law = Law.objects.get(source_id="lrb-civil")
    data = client.get(f"/api/v1/laws/{law.pk}/").json()
    assert (
        data["title"] == "中华人民共和国民法典" and data["status"] == "valid" and data["status_display"] == "现行有效"
    )
    assert data["url"] == "/laws/lrb-civil/" and data["level_display"] == "法律"
    assert [a["number_text"] for a in data["articles"]] == ["第一条", "第一百零四条", "第一百八十八条"]


def test_article_detail_has_its_citation_and_permanent_url(client, library):
    article = Article.objects.get(law__source_id="lrb-civil", slug="104")
    data = client.get(f"/api/v1/laws/articles/{article.pk}/").json()
    assert data["citation"] == "中华人民共和国民法典第一百零四条" and data["url"] == "/laws/lrb-civil/104/"
    assert data["law"] == article.law_id and data["number"] == 104


def test_unknown_ids_are_404(client, library):
    assert client.get("/api/v1/laws/999999/").status_code == 404
    assert client.get("/api/v1/laws/articles/999999/").status_code == 404


def test_the_api_is_read_only(client, library):
    assert client.post(f"{SEARCH}?q=劳动").status_code == 405


def test_the_schema_lists_the_laws_endpoints_under_their_tag(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    for path in ("/api/v1/laws/search/", "/api/v1/laws/{id}/", "/api/v1/laws/articles/{id}/"):
        assert schema["paths"][path]["get"]["tags"] == ["法律法规"]
    assert {} in schema["paths"]["/api/v1/laws/search/"]["get"]["security"]
