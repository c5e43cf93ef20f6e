"""/api/v1/orgs/ (staff, scoped to their area) and /api/v1/sites/ (public)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from open12348.accounts.services import api_token_issue
from open12348.catalog.models import ServiceItem
from open12348.orgs.models import OrgNode, Site, SiteContact, SiteQRCode
from open12348.orgs.tests.factories import OrgNodeFactory, SiteFactory, WindowFactory

pytestmark = pytest.mark.django_db

ORG_LIST = reverse("api:org-list")
SITE_LIST = reverse("api:site-list")


def org_detail(code: str) -> str:
    return reverse("api:org-detail", kwargs={"code": code})


def site_detail(pk: int) -> str:
    return reverse("api:site-detail", kwargs={"pk": pk})


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def village_a(town_a):
    return OrgNodeFactory(code="320585100001", name="城东村", level=OrgNode.Level.COMMUNITY, parent=town_a)


# --- /api/v1/orgs/ -----------------------------------------------------------------------


def test_clerk_session_sees_only_the_chengxiang_subtree(client, clerk_a, village_a, town_a2, town_b):
    client.force_login(clerk_a)

    assert codes(client.get(ORG_LIST)) == ["320585100", "320585100001"]


def test_director_sees_all_of_taicang_and_nothing_of_kunshan(client, director_a, town_a, town_a2, town_b):
    client.force_login(director_a)

    response = client.get(ORG_LIST)

    assert codes(response) == ["320585", "320585100", "320585101"]
    assert response.json()["count"] == 3


def test_org_nodes_carry_the_documented_fields(client, director_a, town_a):
    client.force_login(director_a)

    rows = client.get(ORG_LIST).json()["results"]

    assert rows[1] == {
        "code": "320585100",
        "name": "城厢镇",
        "level": "street",
        "level_display": "街道乡镇",
        "parent": "320585",
        "depth": 2,
        "path": "/320500/320585/320585100/",
    }


def test_outsider_sees_nothing_of_area_a_in_list_or_detail(client, outsider_b, area_a, town_a, town_a2):
    client.force_login(outsider_b)

    assert codes(client.get(ORG_LIST)) == ["320583100"]
    for code in (area_a.code, town_a.code, town_a2.code):
        response = client.get(org_detail(code))
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}


def test_out_of_area_detail_looks_the_same_as_a_missing_one(client, outsider_b, town_a):
    client.force_login(outsider_b)

    assert client.get(org_detail(town_a.code)).json() == client.get(org_detail("999999999")).json()


def test_detail_of_a_node_inside_the_area(client, director_a, town_a2):
    client.force_login(director_a)

    response = client.get(org_detail(town_a2.code))

    assert response.status_code == 200
    assert response.json()["name"] == "沙溪镇"
    assert response.json()["parent"] == "320585"


def test_level_filter_lists_only_that_level(client, director_a, village_a, town_a2):
    client.force_login(director_a)

    assert codes(client.get(ORG_LIST, {"level": "street"})) == ["320585100", "320585101"]
    assert codes(client.get(ORG_LIST, {"level": "community"})) == ["320585100001"]


def test_under_filter_narrows_to_a_subtree(client, director_a, village_a, town_a2):
    client.force_login(director_a)

    assert codes(client.get(ORG_LIST, {"under": "320585100"})) == ["320585100", "320585100001"]
    assert codes(client.get(ORG_LIST, {"under": "320585100", "level": "community"})) == ["320585100001"]


def test_under_a_node_outside_the_area_is_empty_not_leaked(client, director_a, town_a, town_b, city):
    client.force_login(director_a)

    assert codes(client.get(ORG_LIST, {"under": town_b.code})) == []
    assert codes(client.get(ORG_LIST, {"under": city.code})) == []  # an ancestor does not widen the view
    assert codes(client.get(ORG_LIST, {"under": "000000"})) == []


def test_a_bad_level_is_a_400_naming_level(client, director_a):
    client.force_login(director_a)

    response = client.get(ORG_LIST, {"level": "planet"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["level"]


def test_an_unknown_query_parameter_is_a_400_naming_it(client, director_a):
    client.force_login(director_a)

    response = client.get(ORG_LIST, {"levle": "street"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"levle": ["未知查询参数。"]}


def test_a_citizen_is_refused_with_403(client, citizen):
    client.force_login(citizen)

    response = client.get(ORG_LIST)

    assert response.status_code == 403
    assert response.json() == {"detail": "仅限工作人员查看行政区域。"}


def test_the_audit_administrator_reads_no_org_tree(client, audit_admin):
    client.force_login(audit_admin)

    assert client.get(ORG_LIST).status_code == 403


def test_anonymous_detail_is_401_not_404(client, town_a):
    assert client.get(org_detail(town_a.code)).status_code == 401


def test_a_token_narrowed_to_a_town_sees_only_that_town(client, director_a, village_a, town_a2):
    _, secret = api_token_issue(actor=None, user=director_a, org=village_a.parent)

    assert codes(client.get(ORG_LIST, headers=bearer(secret))) == ["320585100", "320585100001"]
    assert client.get(org_detail(town_a2.code), headers=bearer(secret)).status_code == 404
    assert client.get(org_detail("320585"), headers=bearer(secret)).status_code == 404


def test_a_narrowed_token_cannot_widen_with_under(client, director_a, town_a, town_a2):
    _, secret = api_token_issue(actor=None, user=director_a, org=town_a)

    assert codes(client.get(ORG_LIST, {"under": "320585"}, headers=bearer(secret))) == []


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_org_list_query_count_does_not_grow_with_the_tree(client, director_a, town_a, town_a2):
    client.force_login(director_a)
    client.get(ORG_LIST)  # the session's first request writes its timestamps
    few = queries_for(client, ORG_LIST)
    for number in range(20):
        OrgNodeFactory(code=f"320585100{number:03d}", level=OrgNode.Level.COMMUNITY, parent=town_a)

    assert queries_for(client, ORG_LIST) == few


# --- /api/v1/sites/ ------------------------------------------------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def make_item(code: str, name: str, *, category=ServiceItem.Category.CONSULTATION, **extra) -> ServiceItem:
    defaults = {
        "category": category,
        "responsible_body": "司法局",
        "time_limit_days": 0,
        "fee_note": "免费",
        "channels": ["window"],
    }
    return ServiceItem.objects.create(code=code, name=name, **{**defaults, **extra})


@pytest.fixture
def items(db):
    return {
        "legal_aid": make_item("legal_aid", "法律援助", category=ServiceItem.Category.LEGAL_AID, sort=10),
        "mediation": make_item("mediation", "人民调解", category=ServiceItem.Category.MEDIATION, sort=20),
        "retired": make_item("retired", "已停用事项", is_active=False, sort=30),
    }


@pytest.fixture
def sites(station_a, town_a2, area_a, town_b, items):
    station_a.services.set([items["legal_aid"], items["mediation"], items["retired"]])
    station_a.latitude, station_a.longitude = "31.457200", "121.130500"
    station_a.save()
    window = WindowFactory(site=station_a, number=1, name="法律援助窗口")
    window.services.set([items["legal_aid"], items["retired"]])
    WindowFactory(site=station_a, number=2, name="已停用窗口", is_active=False)
    SiteContact.objects.create(site=station_a, role=SiteContact.Role.MEDIATOR, name="王调解", phone="13900000000")
    SiteQRCode.objects.create(
        site=station_a, title="城厢镇法律服务群", image=SimpleUploadedFile("qr.png", PNG, content_type="image/png")
    )
    center_a = SiteFactory(org=area_a, kind=Site.Kind.CENTER, name="太仓市公共法律服务中心")
    center_a.services.set([items["mediation"]])
    return {
        "station_a": station_a,
        "center_a": center_a,
        "station_a2": SiteFactory(org=town_a2, name="沙溪镇公共法律服务工作站"),
        "station_b": SiteFactory(org=town_b, name="玉山镇公共法律服务工作站"),
        "closed": SiteFactory(org=town_a2, name="已撤销工作站", is_active=False),
    }


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_sites_are_public_and_list_only_active_ones(client, sites):
    assert names(client.get(SITE_LIST)) == [
        "玉山镇公共法律服务工作站",  # by area code: 昆山市 320583 before 太仓市 320585
        "太仓市公共法律服务中心",
        "城厢镇公共法律服务工作站",
        "沙溪镇公共法律服务工作站",
    ]


def test_a_site_carries_the_documented_fields(client, sites):
    site = sites["station_a"]

    row = client.get(site_detail(site.pk)).json()

    qr_image = row["qr_codes"][0].pop("image")
    assert qr_image.startswith("http://testserver/media/sites/qr/") and qr_image.endswith(".png")
    assert row == {
        "id": site.pk,
        "name": "城厢镇公共法律服务工作站",
        "kind": "station",
        "kind_display": "公共法律服务工作站",
        "org": "320585100",
        "org_name": "城厢镇",
        "address": "测试路1号",
        "hours": "工作日 9:00-17:00",
        "phone": "0512-53520000",
        "latitude": 31.4572,
        "longitude": 121.1305,
        "services": [{"code": "legal_aid", "name": "法律援助"}, {"code": "mediation", "name": "人民调解"}],
        "windows": [{"number": 1, "name": "法律援助窗口", "services": ["legal_aid"]}],
        "contacts": [{"role": "mediator", "role_display": "人民调解员", "name": "王调解", "phone": "13900000000"}],
        "qr_codes": [{"title": "城厢镇法律服务群"}],
    }


def test_sites_without_coordinates_give_null(client, sites):
    row = client.get(site_detail(sites["station_b"].pk)).json()

    assert row["latitude"] is None and row["longitude"] is None


def test_area_filter_lists_the_sites_of_the_subtree(client, sites):
    assert names(client.get(SITE_LIST, {"area": "320585"})) == [
        "太仓市公共法律服务中心",
        "城厢镇公共法律服务工作站",
        "沙溪镇公共法律服务工作站",
    ]
    assert names(client.get(SITE_LIST, {"area": "320585101"})) == ["沙溪镇公共法律服务工作站"]


def test_kind_and_service_filters(client, sites):
    assert names(client.get(SITE_LIST, {"kind": "center"})) == ["太仓市公共法律服务中心"]
    assert names(client.get(SITE_LIST, {"service": "legal_aid"})) == ["城厢镇公共法律服务工作站"]
    assert names(client.get(SITE_LIST, {"service": "mediation", "area": "320585"})) == [
        "太仓市公共法律服务中心",
        "城厢镇公共法律服务工作站",
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"area": "999999"}, "area"),
        ({"area": ""}, "area"),
        ({"kind": "palace"}, "kind"),
        ({"service": "no_such_item"}, "service"),
        ({"service": "retired"}, "service"),
        ({"service": "不是代码"}, "service"),
        ({"region": "320585"}, "region"),
        ({"page": "abc"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "501"}, "page_size"),
        ({"area": "3205\x0085"}, "area"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(client, sites, params, field):
    response = client.get(SITE_LIST, params)

    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [field]
    assert body["detail"].startswith("请求参数有误")


def test_an_inactive_or_missing_site_is_404(client, sites):
    assert client.get(site_detail(sites["closed"].pk)).status_code == 404
    assert client.get(site_detail(10**6)).status_code == 404
    assert client.get(site_detail(10**30)).status_code == 404  # beyond a 64-bit integer: still no 500


def test_the_site_list_query_count_does_not_grow_with_the_sites(client, sites):
    few = queries_for(client, SITE_LIST)
    for _ in range(10):
        site = SiteFactory(org=sites["station_a"].org)
        site.services.set(sites["station_a"].services.all())
        WindowFactory(site=site, number=1).services.set(sites["station_a"].services.all())
        SiteContact.objects.create(site=site, role=SiteContact.Role.DIRECTOR, name="李站长")

    assert queries_for(client, SITE_LIST) == few
