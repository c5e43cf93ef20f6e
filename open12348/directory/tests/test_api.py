"""The public, read-only directory API: filters, paging, details, the credit look-up, errors
in Chinese, and the OpenAPI schema."""

import datetime

import pytest
from django.urls import reverse

from open12348.directory import services
from open12348.directory.models import Institution, Practitioner
from open12348.directory.tests.factories import categories, credit_fields, make_institution, make_practitioner
from open12348.directory.tests.test_selectors import resolved_by

pytestmark = pytest.mark.django_db
INSTITUTIONS = reverse("api:directory-institution-list")
PRACTITIONERS = reverse("api:directory-practitioner-list")
CREDIT = reverse("api:directory-credit")


@pytest.fixture
def listed(town_a, town_a2, area_b):
    cats = categories()
    firm = make_institution(
        town_a, "城厢示例律师事务所", specialties=[cats["wage_arrears"]], latitude=31.45, longitude=121.1
    )
    notary = make_institution(town_a2, "沙溪示例公证处", kind=Institution.Kind.NOTARY_OFFICE)
    lawyer = make_practitioner(town_a, "张示例", institution=firm, specialties=[cats["work_injury"]])
    mediator = make_practitioner(area_b, "李调解", licence_no="", kind=Practitioner.Kind.MEDIATOR)
    return {"firm": firm, "notary": notary, "lawyer": lawyer, "mediator": mediator}


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def test_lists_are_public_and_paged(client, listed):
    response = client.get(INSTITUTIONS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and {"next", "previous", "results"} <= set(body)
    row = body["results"][0]
    assert row["is_fictitious"] is True and row["area"] and row["latitude"] == 31.45
    assert row["specialties"] == [{"code": "wage_arrears", "name": "拖欠工资"}]


def test_institution_filters(client, listed, town_a):
    assert names(client.get(INSTITUTIONS, {"kind": "notary_office"})) == ["沙溪示例公证处"]
    assert names(client.get(INSTITUTIONS, {"specialty": "labor"})) == ["城厢示例律师事务所"]
    assert names(client.get(INSTITUTIONS, {"area": town_a.code})) == ["城厢示例律师事务所"]
    assert names(client.get(INSTITUTIONS, {"q": "公证"})) == ["沙溪示例公证处"]


def test_practitioner_filters(client, listed, area_a, area_b):
    assert names(client.get(PRACTITIONERS, {"kind": "mediator"})) == ["李调解"]
    assert names(client.get(PRACTITIONERS, {"specialty": "labor"})) == ["张示例"]
    assert names(client.get(PRACTITIONERS, {"area": area_a.code})) == ["张示例"]
    assert names(client.get(PRACTITIONERS, {"q": "调解"})) == ["李调解"]
    row = client.get(PRACTITIONERS, {"q": "张"}).json()["results"][0]
    assert row["institution"]["name"] == "城厢示例律师事务所" and isinstance(row["years_of_practice"], int)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "lawyer"}, "kind"),
        ({"specialty": "nope"}, "specialty"),
        ({"area": "999999"}, "area"),
        ({"x": "1"}, "x"),
    ],
)
def test_bad_filters_are_400_in_chinese(client, listed, params, field):
    response = client.get(INSTITUTIONS, params)
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"] and "请求参数有误" in body["detail"]


def test_page_size_defaults_to_20(client, town_a):
    for index in range(21):
        make_practitioner(town_a, f"示例{index:02d}", licence_no=f"1320520151{index:07d}")
    body = client.get(PRACTITIONERS).json()
    assert body["count"] == 21 and len(body["results"]) == 20 and body["next"]


def test_details_include_members_services_and_shown_credit_records(client, listed, clerk_a, town_a):
    services.practitioner_upsert(actor=None, practitioner=listed["lawyer"], user=clerk_a)
    resolved_by(clerk_a, town_a)
    services.credit_record_add(actor=None, practitioner=listed["lawyer"], **credit_fields())
    services.credit_record_add(
        actor=None,
        practitioner=listed["lawyer"],
        **credit_fields(
            document_no="过期", decided_on=datetime.date(2019, 1, 1), public_until=datetime.date(2020, 1, 1)
        ),
    )
    body = client.get(reverse("api:directory-practitioner-detail", args=[listed["lawyer"].pk])).json()
    assert body["service_counts"] == {"total": 1, "by_category": [{"category": "法律咨询", "count": 1}]}
    assert [r["document_no"] for r in body["credit_records"]] == [credit_fields()["document_no"]]
    assert "user" not in body
    firm = client.get(reverse("api:directory-institution-detail", args=[listed["firm"].pk])).json()
    assert [m["name"] for m in firm["members"]] == ["张示例"] and firm["credit_records"] == []


def test_unknown_or_hidden_details_are_404_in_chinese(client, listed):
    services.institution_upsert(actor=None, institution=listed["notary"], is_active=False)
    for url in (
        reverse("api:directory-institution-detail", args=[listed["notary"].pk]),
        reverse("api:directory-practitioner-detail", args=[99999]),
    ):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["detail"] == "未找到。"


def test_credit_lookup(client, listed):
    services.credit_record_add(actor=None, practitioner=listed["lawyer"], **credit_fields())
    body = client.get(CREDIT, {"q": "张示例"}).json()
    assert [(s["subject_type"], s["name"]) for s in body] == [("practitioner", "张示例")]
    assert body[0]["credit_records"][0]["measure"] == "警告"
    assert client.get(CREDIT, {"q": listed["lawyer"].licence_no}).json()[0]["id"] == listed["lawyer"].pk


@pytest.mark.parametrize(("params", "message"), [({}, "请提供查询参数 q"), ({"q": "张"}, "请输入至少2个字再查询。")])
def test_credit_lookup_refuses_missing_or_short_queries(client, listed, params, message):
    response = client.get(CREDIT, params)
    assert response.status_code == 400 and message in response.json()["errors"]["q"][0]


def test_the_api_is_read_only(client, listed):
    assert client.post(INSTITUTIONS, {}, content_type="application/json").status_code == 405
    assert client.post(CREDIT, {}, content_type="application/json").status_code == 405


def test_schema_documents_the_directory_endpoints_under_their_tag(client, db):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/directory/institutions/",
        "/api/v1/directory/institutions/{id}/",
        "/api/v1/directory/practitioners/",
        "/api/v1/directory/practitioners/{id}/",
        "/api/v1/directory/credit/",
    ):
        operation = paths[path]["get"]
        assert operation["tags"] == ["机构名录"] and operation["summary"], path
    params = {p["name"] for p in paths["/api/v1/directory/institutions/"]["get"]["parameters"]}
    assert {"kind", "specialty", "area", "q", "page", "page_size"} <= params
    assert "post" not in paths["/api/v1/directory/institutions/"]
