"""/api/v1/content/: public and read-only, published items only, filters, Chinese errors."""

import pytest
from django.urls import reverse

from open12348.catalog.models import LegalCategory
from open12348.content import services
from open12348.content.models import Article
from open12348.content.tests.factories import draft, published

pytestmark = pytest.mark.django_db

LIST = reverse("api:content-article-list")


def detail(pk: int) -> str:
    return reverse("api:content-article-detail", kwargs={"id": pk})


@pytest.fixture
def items(city, area_a, area_b, city_editor, city_reviewer, editor_a, editor_b, bureau_admin, reviewer_b):
    labor = LegalCategory.objects.create(code="labor", name="劳动纠纷")
    return {
        "city": published(city_editor, city_reviewer, city, title="市级风险提示", kind=Article.Kind.RISK_ALERT),
        "a": published(
            editor_a, bureau_admin, area_a, title="太仓讨薪案例", kind=Article.Kind.CASE, categories=[labor]
        ),
        "b": published(editor_b, reviewer_b, area_b, title="昆山动态"),
        "draft": draft(editor_a, area_a, title="太仓草稿"),
    }


def titles(response) -> set[str]:
    return {row["title"] for row in response.json()["results"]}


def test_the_list_is_public_and_shows_the_city_portal(client, items):
    response = client.get(LIST)
    assert response.status_code == 200
    assert titles(response) == {"市级风险提示"}


def test_filters_by_district_kind_category_and_title(client, items, area_a):
    assert titles(client.get(LIST, {"area": area_a.code})) == {"市级风险提示", "太仓讨薪案例"}
    assert titles(client.get(LIST, {"area": area_a.code, "kind": "case"})) == {"太仓讨薪案例"}
    assert titles(client.get(LIST, {"area": area_a.code, "category": "labor"})) == {"太仓讨薪案例"}
    assert titles(client.get(LIST, {"area": area_a.code, "q": "风险"})) == {"市级风险提示"}


def test_bad_filters_are_a_400_in_chinese(client, items, town_a):
    assert set(client.get(LIST, {"bogus": "1"}).json()["errors"]) == {"bogus"}
    response = client.get(LIST, {"area": town_a.code, "kind": "x", "category": "nope"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"area", "kind", "category"}
    assert "区县代码" in errors["area"][0] and "法律类别" in errors["category"][0]


def test_the_detail_gives_only_published_items(client, items, bureau_admin):
    response = client.get(detail(items["a"].pk))
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "太仓讨薪案例" and body["body"] == "<p>正文第一段。</p>" and body["area"] == "320585"
    assert client.get(detail(items["draft"].pk)).status_code == 404
    services.article_withdraw(actor=bureau_admin, article=items["a"], reason="过期")
    assert client.get(detail(items["a"].pk)).status_code == 404


def test_the_api_is_read_only(client, items):
    assert client.post(LIST, {"title": "x"}).status_code == 405


def test_the_schema_documents_the_endpoints_in_chinese(client, db):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/content/articles/"]["get"]
    assert operation["tags"] == ["信息发布"] and operation["summary"] == "已发布信息列表"
