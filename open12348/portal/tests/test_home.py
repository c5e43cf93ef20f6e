"""The home page by life event, its "为您推荐" block and the neutral page of the quick exit."""

import re

import pytest
from django.urls import reverse

from open12348.content.models import Article
from open12348.content.tests import factories as content
from open12348.portal import life_events
from open12348.portal.tests import factories

pytestmark = pytest.mark.django_db


def test_home_has_a_tile_for_every_life_event(client):
    html = client.get(reverse("portal:home")).content.decode()
    for event in life_events.EVENTS:
        assert f'href="{reverse("portal:life-event", args=[event.slug])}"' in html
        assert str(event.title) in html
    assert "遇到这些事，看看怎么办" in html
    assert "找身边的服务点" in html


def test_home_recommends_the_areas_most_read_items_to_anonymous_visitors(client, city, area_a, town_a):
    editor_a, reviewer_a = content.editor("editor_ta", area_a), content.reviewer("reviewer_ta", area_a)
    popular = content.published(editor_a, reviewer_a, area_a, title="太仓市热门普法文章")
    Article.objects.filter(pk=popular.pk).update(view_count=50)
    editor_c, reviewer_c = content.editor("city_editor", city), content.reviewer("city_reviewer", city)
    content.published(editor_c, reviewer_c, city, title="苏州市工作动态")

    html = client.get(reverse("portal:home")).content.decode()
    block = html.split('id="recommended"', 1)[1].split("</section>", 1)[0]
    assert "苏州市工作动态" in block and "太仓市热门普法文章" not in block  # the city portal
    assert "<summary>为什么推荐？</summary>" in block
    assert "苏州市近期阅读最多" in block

    client.cookies["area"] = town_a.code  # chosen in the site finder
    html = client.get(reverse("portal:home")).content.decode()
    block = html.split('id="recommended"', 1)[1].split("</section>", 1)[0]
    assert block.index("太仓市热门普法文章") < block.index("苏州市工作动态")
    assert "太仓市近期阅读最多" in block
    assert f'<option value="{town_a.code}" selected>' in html


def test_home_recommends_by_the_citizens_own_questions(client, citizen, city, town_a):
    cats = factories.labor_tree()
    editor, reviewer = content.editor("city_editor", city), content.reviewer("city_reviewer", city)
    content.published(editor, reviewer, city, title="拖欠工资维权指引", categories=[cats["wage_arrears"]])
    factories.consultation_for(citizen, town_a, cats["labor"])
    client.force_login(citizen, backend="open12348.accounts.backends.RoleBackend")
    html = client.get(reverse("portal:home")).content.decode()
    assert "因为您咨询过“劳动纠纷”问题" in html
    assert f'href="{reverse("portal:me")}"' in html


def test_home_without_any_published_item_has_no_empty_recommendation_block(client):
    assert 'id="recommended"' not in client.get(reverse("portal:home")).content.decode()


def test_the_neutral_page_has_nothing_of_the_site_and_is_not_cached(client):
    response = client.get(reverse("portal:exit"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "日历" in title
    for word in ("法", "12348", "援助", "暴力", "咨询", "诉求", "司法"):
        assert word not in html, word
    assert 'aria-current="date"' in html
    assert " style=" not in html and "<script" not in html


@pytest.mark.parametrize("url", ["/", "/life/labor-wages/", "/me/"])
def test_page_titles_are_plain_text(client, citizen, url):
    client.force_login(citizen, backend="open12348.accounts.backends.RoleBackend")
    html = client.get(url).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "<" not in title and "\n" not in title
    assert title.endswith("12348公共法律服务平台")
