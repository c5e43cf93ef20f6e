"""/api/v1/catalog/: the public service catalog and the legal category tree."""

import pytest
from django.urls import reverse

from open12348.catalog.models import LegalCategory, ServiceItem

pytestmark = pytest.mark.django_db

ITEM_LIST = reverse("api:catalog-item-list")
CATEGORY_LIST = reverse("api:catalog-category-list")


def item_detail(code: str) -> str:
    return reverse("api:catalog-item-detail", kwargs={"code": code})


@pytest.fixture
def items(db):
    legal_aid = ServiceItem.objects.create(
        code="legal_aid",
        name="法律援助",
        category=ServiceItem.Category.LEGAL_AID,
        responsible_body="法律援助中心",
        time_limit_days=7,
        time_limit_note="材料齐全的，7日内作出决定。",
        materials=["法律援助申请表", "申请人身份证件"],
        fee_note="免费。",
        is_free=True,
        channels=["window", "hotline", "web"],
        description="经济困难的群众可以申请免费的律师代理。",
        basis="《中华人民共和国法律援助法》第四十三条",
        is_core=True,
        sort=10,
    )
    notary = ServiceItem.objects.create(
        code="notary",
        name="公证服务",
        category=ServiceItem.Category.NOTARY,
        responsible_body="公证处",
        time_limit_days=15,
        fee_note="按物价部门核定的标准收费。",
        is_free=False,
        channels=["window"],
        sort=20,
    )
    retired = ServiceItem.objects.create(
        code="retired",
        name="已停用事项",
        category=ServiceItem.Category.GUIDANCE,
        responsible_body="司法局",
        time_limit_days=1,
        fee_note="免费。",
        channels=["web"],
        sort=5,
        is_active=False,
    )
    return {"legal_aid": legal_aid, "notary": notary, "retired": retired}


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_the_catalog_is_public_in_catalog_order_without_inactive_items(client, items):
    assert codes(client.get(ITEM_LIST)) == ["legal_aid", "notary"]


def test_an_item_carries_the_documented_fields(client, items):
    response = client.get(item_detail("legal_aid"))

    assert response.status_code == 200
    assert response.json() == {
        "code": "legal_aid",
        "name": "法律援助",
        "category": "legal_aid",
        "category_display": "法律援助",
        "responsible_body": "法律援助中心",
        "time_limit_days": 7,
        "time_limit_note": "材料齐全的，7日内作出决定。",
        "materials": ["法律援助申请表", "申请人身份证件"],
        "fee_note": "免费。",
        "is_free": True,
        "channels": ["window", "hotline", "web"],
        "channels_display": ["窗口", "12348热线", "网上办理"],
        "description": "经济困难的群众可以申请免费的律师代理。",
        "basis": "《中华人民共和国法律援助法》第四十三条",
        "is_core": True,
    }


def test_the_list_and_the_detail_show_the_same_item(client, items):
    listed = client.get(ITEM_LIST).json()["results"][1]

    assert listed == client.get(item_detail("notary")).json()


def test_an_inactive_or_unknown_item_is_a_404_in_chinese(client, items):
    for code in ("retired", "no_such_item"):
        response = client.get(item_detail(code))
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}


def test_category_and_channel_filters(client, items):
    assert codes(client.get(ITEM_LIST, {"category": "notary"})) == ["notary"]
    assert codes(client.get(ITEM_LIST, {"channel": "hotline"})) == ["legal_aid"]
    assert codes(client.get(ITEM_LIST, {"channel": "window", "category": "legal_aid"})) == ["legal_aid"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"category": "magic"}, "category"),
        ({"channel": "fax"}, "channel"),
        ({"q": "援助"}, "q"),
        ({"page": "-1"}, "page"),
    ],
)
def test_a_bad_catalog_filter_is_a_400_naming_the_field(client, items, params, field):
    response = client.get(ITEM_LIST, params)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_the_catalog_is_read_only(client, items):
    response = client.post(ITEM_LIST, {"code": "new"}, content_type="application/json")

    assert response.status_code == 405
    assert response.json() == {"detail": "该接口不支持 POST 请求方法。"}


@pytest.fixture
def categories(db):
    family = LegalCategory.objects.create(code="marriage_family", name="婚姻家庭", sort=10)
    LegalCategory.objects.create(code="inheritance", name="继承", parent=family, sort=2)
    LegalCategory.objects.create(code="divorce", name="离婚", parent=family, sort=1)
    LegalCategory.objects.create(code="old_child", name="已停用下级", parent=family, sort=3, is_active=False)
    LegalCategory.objects.create(code="labor", name="劳动争议", sort=20)
    LegalCategory.objects.create(code="retired_top", name="已停用类别", sort=30, is_active=False)


def test_the_category_tree_lists_active_categories_with_their_children(client, categories):
    response = client.get(CATEGORY_LIST)

    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "marriage_family",
            "name": "婚姻家庭",
            "children": [{"code": "divorce", "name": "离婚"}, {"code": "inheritance", "name": "继承"}],
        },
        {"code": "labor", "name": "劳动争议", "children": []},
    ]


def test_the_category_tree_is_not_paginated_and_takes_no_parameters(client, categories):
    response = client.get(CATEGORY_LIST, {"page": "2"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"page": ["未知查询参数。"]}
