"""Public pages: search with filters and tabs, an institution's and a practitioner's page,
the credit look-up form (bad input in Chinese), the demo marker, and who may open them."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from open12348.directory import services
from open12348.directory.models import Institution
from open12348.directory.tests.factories import categories, credit_fields, make_institution, make_practitioner

pytestmark = pytest.mark.django_db
SEARCH = reverse("directory:search")
CREDIT = reverse("directory:credit")


@pytest.fixture
def listed(town_a, town_a2, area_b):
    cats = categories()
    firm = make_institution(
        town_a,
        "城厢示例律师事务所",
        specialties=[cats["wage_arrears"]],
        latitude=31.4526,
        longitude=121.1084,
        phone="0512-53510001",
        leader="顾示例",
        team_size=18,
        founded_on=datetime.date(2009, 5, 18),
    )
    mediation = make_institution(
        town_a2, "沙溪示例人民调解委员会", kind=Institution.Kind.MEDIATION, licence_no="", address="沙溪镇新北西路1号"
    )
    lawyer = make_practitioner(
        town_a, "张示例", institution=firm, specialties=[cats["work_injury"]], languages="普通话，吴语"
    )
    far = make_practitioner(area_b, "王昆山", licence_no="13205201510000099", is_fictitious=False)
    return {"cats": cats, "firm": firm, "mediation": mediation, "lawyer": lawyer, "far": far}


@pytest.mark.parametrize("name", ["directory:search", "directory:credit"])
def test_pages_are_public(client, db, name):
    assert client.get(reverse(name)).status_code == 200


def test_detail_pages_are_public_and_unknown_ids_are_404(client, listed):
    assert client.get(reverse("directory:institution", args=[listed["firm"].pk])).status_code == 200
    assert client.get(reverse("directory:practitioner", args=[listed["lawyer"].pk])).status_code == 200
    assert client.get(reverse("directory:institution", args=[99999])).status_code == 404
    assert client.get(reverse("directory:practitioner", args=[99999])).status_code == 404


def test_hidden_listings_are_404(client, listed):
    services.practitioner_upsert(actor=None, practitioner=listed["lawyer"], is_active=False)
    assert client.get(reverse("directory:practitioner", args=[listed["lawyer"].pk])).status_code == 404


def test_pages_only_read(client, listed):
    assert client.post(SEARCH).status_code == 405
    assert client.post(CREDIT, {"q": "张示例"}).status_code == 405


def test_search_lists_institutions_by_default_with_both_tab_counts(client, listed):
    page = client.get(SEARCH).content.decode()
    assert "城厢示例律师事务所" in page and "沙溪示例人民调解委员会" in page and "张示例" not in page
    assert "（2）" in page  # two institutions, two practitioners
    assert 'aria-current="page">机构' in page


def test_search_filters_by_type_specialty_area_and_text(client, listed, town_a):
    page = client.get(SEARCH, {"kind": "mediation"}).content.decode()
    assert "沙溪示例人民调解委员会" in page and "城厢示例律师事务所" not in page
    page = client.get(SEARCH, {"specialty": "labor"}).content.decode()  # the parent of 拖欠工资
    assert "城厢示例律师事务所" in page and "沙溪示例人民调解委员会" not in page
    page = client.get(SEARCH, {"area": town_a.code}).content.decode()
    assert "城厢示例律师事务所" in page and "沙溪示例人民调解委员会" not in page
    page = client.get(SEARCH, {"q": "新北西路"}).content.decode()
    assert "沙溪示例人民调解委员会" in page and "城厢示例律师事务所" not in page


def test_practitioner_tab_lists_people_with_their_own_types(client, listed, area_b):
    page = client.get(SEARCH, {"tab": "practitioners", "area": area_b.code}).content.decode()
    assert "王昆山" in page and "张示例" not in page
    assert '<option value="lawyer">律师</option>' in page
    page = client.get(SEARCH, {"tab": "practitioners", "kind": "mediation"}).content.decode()
    assert "没有这种类型" in page  # an institution type on the people tab


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"area": "999999"}, "没有找到您选择的区域"),
        ({"specialty": "nope"}, "没有这项业务专长"),
        ({"kind": "bank"}, "没有这种类型"),
        ({"q": "长" * 51}, "查询文字不能超过50个字"),
    ],
)
def test_bad_filters_are_explained_in_chinese_and_the_input_kept(client, listed, params, message):
    response = client.get(SEARCH, params)
    page = response.content.decode()
    assert response.status_code == 200 and message in page and "查询未成功" in page
    assert "城厢示例律师事务所" not in page
    if "q" in params:
        assert params["q"] in page


def test_demo_listings_are_marked_on_every_page(client, listed):
    for url in (
        SEARCH,
        SEARCH + "?tab=practitioners",
        reverse("directory:institution", args=[listed["firm"].pk]),
        reverse("directory:practitioner", args=[listed["lawyer"].pk]),
        CREDIT + "?q=张示例",
    ):
        assert "（示例）" in client.get(url).content.decode(), url
    real = client.get(reverse("directory:practitioner", args=[listed["far"].pk])).content.decode()
    assert "（示例）" not in real


def test_institution_page_shows_facts_map_link_members_and_credit(client, listed):
    services.credit_record_add(actor=None, institution=listed["firm"], **credit_fields(measure="通报批评"))
    page = client.get(reverse("directory:institution", args=[listed["firm"].pk])).content.decode()
    for text in ("顾示例", "18人", "0512-53510001", "拖欠工资", "张示例", "通报批评", "太仓市司法局", "2009年5月18日"):
        assert text in page, text
    assert 'href="geo:31.452600,121.108400"' in page and "在地图中查看" in page
    body_scripts = re.findall(r"<script[^>]*>", page.split("</head>")[1])
    assert all('src="/static/assist/' in tag for tag in body_scripts), body_scripts  # no map scripts


def test_practitioner_page_shows_years_languages_services_and_credit(client, listed):
    page = client.get(reverse("directory:practitioner", args=[listed["lawyer"].pk])).content.decode()
    years = timezone.localdate().year - 2015 - (timezone.localdate() < datetime.date(timezone.localdate().year, 6, 1))
    assert f"{years}年" in page and "2015年6月" in page
    assert "普通话、吴语" in page and "工伤" in page and "城厢示例律师事务所" in page
    assert "在本平台办结服务 0 件" in page
    assert "公示期内无行政处罚或行业惩戒记录" in page


def test_practitioner_page_counts_resolved_orders_of_the_linked_account(client, listed, clerk_a, town_a):
    from open12348.directory.tests.test_selectors import resolved_by

    services.practitioner_upsert(actor=None, practitioner=listed["lawyer"], user=clerk_a)
    resolved_by(clerk_a, town_a)
    page = client.get(reverse("directory:practitioner", args=[listed["lawyer"].pk])).content.decode()
    assert "在本平台办结服务 1 件" in page and "法律咨询：1 件" in page


def test_credit_lookup_by_name_and_by_licence_number(client, listed):
    services.credit_record_add(actor=None, practitioner=listed["lawyer"], **credit_fields())
    page = client.get(CREDIT, {"q": "张示"}).content.decode()
    assert "张示例" in page and "警告" in page and "查询结果（共1个）" in page
    page = client.get(CREDIT, {"q": listed["lawyer"].licence_no}).content.decode()
    assert "张示例" in page and "警告" in page


def test_credit_lookup_hides_expired_records(client, listed):
    services.credit_record_add(
        actor=None,
        practitioner=listed["lawyer"],
        **credit_fields(decided_on=datetime.date(2020, 1, 1), public_until=datetime.date(2021, 1, 1)),
    )
    page = client.get(CREDIT, {"q": "张示例"}).content.decode()
    assert "张示例" in page and "警告" not in page and "公示期内无行政处罚" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "请输入要查询的姓名、机构名称或执业证号。"),
        ("张", "请输入至少2个字再查询。"),
        ("长" * 51, "查询文字不能超过50个字。"),
    ],
)
def test_credit_lookup_refuses_empty_or_too_short_input_in_chinese(client, listed, query, message):
    page = client.get(CREDIT, {"q": query}).content.decode()
    assert message in page and "查询结果" not in page


def test_credit_lookup_with_no_match_says_so(client, listed):
    page = client.get(CREDIT, {"q": "查无此人"}).content.decode()
    assert "没有找到相应的机构或人员" in page


def test_search_paginates_by_20(client, town_a):
    for index in range(21):
        make_practitioner(town_a, f"示例{index:02d}", licence_no=f"1320520151{index:07d}")
    page = client.get(SEARCH, {"tab": "practitioners"}).content.decode()
    assert "示例19" in page and "示例20" not in page and "第1页，共2页" in page
    page = client.get(SEARCH, {"tab": "practitioners", "page": 2}).content.decode()
    assert "示例20" in page


def test_large_type_mode_applies_to_directory_pages(client, listed):
    client.cookies["ui"] = "large"
    page = client.get(SEARCH).content.decode()
    assert "ui-large" in page.split(">")[1]
