"""Sub-site visibility: the city's items on the portal and on every district's sub-site, a
district's items only on its own; only published items; filters; the editors' scoped list."""

import pytest

from open12348.catalog.models import LegalCategory
from open12348.content import selectors, services
from open12348.content.models import Article
from open12348.content.tests.factories import draft, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(city, area_a, area_b, city_editor, city_reviewer, editor_a, editor_b, bureau_admin, reviewer_b):
    return {
        "city": published(city_editor, city_reviewer, city, title="市级通知", kind=Article.Kind.NOTICE),
        "a": published(editor_a, bureau_admin, area_a, title="太仓动态"),
        "b": published(editor_b, reviewer_b, area_b, title="昆山动态"),
        "a_draft": draft(editor_a, area_a, title="太仓草稿"),
    }


def titles(articles) -> set[str]:
    return {article.title for article in articles}


def test_the_city_portal_shows_the_city_items_only(items):
    assert titles(selectors.article_public_list()) == {"市级通知"}


def test_a_district_site_shows_its_own_and_the_city_items(items, area_a, area_b):
    assert titles(selectors.article_public_list(site=area_a)) == {"市级通知", "太仓动态"}
    assert titles(selectors.article_public_list(site=area_b)) == {"市级通知", "昆山动态"}


def test_withdrawn_items_leave_every_list(items, area_a, bureau_admin):
    services.article_withdraw(actor=bureau_admin, article=items["a"], reason="过期")
    assert "太仓动态" not in titles(selectors.article_public_list(site=area_a))
    assert selectors.article_public_get(items["a"].pk) is None
    assert selectors.article_public_get(items["a_draft"].pk) is None


def test_filters_by_kind_title_and_category(items, area_a, editor_a, bureau_admin):
    labor = LegalCategory.objects.create(code="labor", name="劳动纠纷")
    wages = LegalCategory.objects.create(code="wage_arrears", name="拖欠工资", parent=labor)
    published(editor_a, bureau_admin, area_a, title="讨薪提示", categories=[wages])
    assert titles(selectors.article_public_list(site=area_a, kind=Article.Kind.NOTICE)) == {"市级通知"}
    assert titles(selectors.article_public_list(site=area_a, q="动态")) == {"太仓动态"}
    assert titles(selectors.article_public_list(site=area_a, category=labor)) == {"讨薪提示"}
    assert titles(selectors.article_public_list(site=area_a, category=wages)) == {"讨薪提示"}


def test_most_read_orders_by_views(items, area_a):
    for _ in range(3):
        services.article_record_view(article_id=items["a"].pk)
    assert selectors.article_most_read(site=area_a, limit=1)[0].title == "太仓动态"


def test_district_by_code_accepts_districts_only(items, area_a, city, town_a):
    assert selectors.district_by_code(area_a.code) == area_a
    assert selectors.district_by_code(city.code) is None
    assert selectors.district_by_code(town_a.code) is None
    assert selectors.district_by_code("../x") is None


def test_the_console_shows_every_status_of_the_own_subtree(items, editor_a, city_editor, outsider_b):
    assert titles(selectors.article_console_list(editor_a)) == {"太仓动态", "太仓草稿"}
    assert titles(selectors.article_console_list(city_editor)) == {"市级通知", "太仓动态", "昆山动态", "太仓草稿"}
    assert not selectors.article_console_list(outsider_b).exists()
