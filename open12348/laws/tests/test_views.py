"""Public pages: search, a law with its outline, an article at its permanent address."""

import pytest
from django.urls import reverse

from open12348.laws.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["anonymous", "citizen", "clerk_a"])
def visitor(request, client):
    """Every page is public: the same for anyone."""
    if request.param != "anonymous":
        client.force_login(request.getfixturevalue(request.param))
    return client


def test_the_search_page_without_a_query_shows_the_library(visitor, library):
    response = visitor.get(reverse("laws:search"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "法律法规库" in html and "最近公布" in html and "/laws/lrb-civil/" in html


def test_the_search_page_shows_ranked_highlighted_hits(visitor, library):
    response = visitor.get(reverse("laws:search"), {"q": "解除 劳动合同"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>解除</mark>" in html and "/laws/lrb-labour2012/37/" in html
    assert "现行有效" in html and "检索结果（共" in html


def test_the_search_page_defaults_to_valid_laws_and_can_show_repealed_ones(client, library):
    assert "/laws/lrb-wages/4/" not in client.get(reverse("laws:search"), {"q": "工资支付"}).content.decode()
    repealed = client.get(reverse("laws:search"), {"q": "工资支付", "status": "repealed"}).content.decode()
    assert "/laws/lrb-wages/4/" in repealed and "已废止" in repealed


def test_the_search_page_filters_by_region(client, library):
    html = client.get(reverse("laws:search"), {"q": "物业", "region": "上海"}).content.decode()
    assert "/laws/lrb-sh-property/1/" in html
    html = client.get(reverse("laws:search"), {"q": "物业", "region": "national"}).content.decode()
    assert "/laws/lrb-sh-property/1/" not in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"q": "劳" * 2000}, "q", "关键词不能超过200个字"),
        ({"q": "劳动", "date_from": "2021-13-45"}, "date_from", "请输入正确的日期"),
        ({"q": "劳动", "date_from": "2022-01-01", "date_to": "2021-01-01"}, "date_to", "结束日期不能早于开始日期"),
        ({"q": "劳动", "level": "nonsense"}, "level", "没有这种效力级别"),
        ({"q": "劳动", "region": "火星"}, "region", "没有这个地区的法规"),
    ],
)
def test_bad_search_input_is_a_message_with_the_other_input_kept(client, library, params, field, message):
    response = client.get(reverse("laws:search"), {**params, "status": "all"})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "检索未成功" in html
    assert 'value="all" selected' in html  # the other input is kept


@pytest.mark.parametrize("query", ["", "   ", "😀", '"', "*", "NEAR(", "-", "'; DROP TABLE x; --", "勞動"])
def test_odd_queries_are_never_an_error(client, library, query):
    assert client.get(reverse("laws:search"), {"q": query}).status_code == 200


def test_pages_past_the_end_and_bad_page_numbers_are_harmless(client, library):
    assert client.get(reverse("laws:search"), {"q": "劳动", "page": "999"}).status_code == 200
    assert client.get(reverse("laws:search"), {"q": "劳动", "page": "x"}).status_code == 200


def test_the_law_page_has_status_history_outline_and_anchored_articles(visitor, library):
    response = visitor.get(reverse("laws:law", args=["lrb-civil"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "中华人民共和国民法典" in html and "总则编" in html
    assert "现行有效" in html and "2021-01-01 施行" in html
    assert "制定与修改沿革" in html and "第十三届全国人民代表大会第三次会议通过" in html
    assert "<details open>" in html and "<summary>第一编 总则</summary>" in html and 'id="c1"' in html
    assert 'href="#c2"' in html and 'id="c2"' in html  # 第一章 基本规定
    assert 'id="a104"' in html and 'href="/laws/lrb-civil/104/"' in html
    assert "第一百零四条至第一百零四条" not in html


def test_an_old_version_says_so_and_links_the_versions(client, library):
    html = client.get(reverse("laws:law", args=["lrb-labour2007"])).content.decode()
    assert "已被修改" in html and "本文件已被修改" in html and 'href="/laws/lrb-labour2012/"' in html


def test_a_document_without_articles_shows_its_text(client, library):
    html = client.get(reverse("laws:law", args=["lrb-case1"])).content.decode()
    assert "<h2>基本案情</h2>" in html and "劳动者申请劳动仲裁" in html


def test_the_article_page_shows_the_article_its_law_and_neighbours(visitor, library):
    response = visitor.get(reverse("laws:article", args=["lrb-labour2012", "37"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "第三十七条" in html and "可以解除劳动合同" in html
    assert 'href="/laws/lrb-labour2012/2/"' in html and 'href="/laws/lrb-labour2012/47/"' in html
    assert "第四章 劳动合同的解除和终止" in html and "http://testserver/laws/lrb-labour2012/37/" in html


def test_the_article_url_survives_a_reimport(client, dataset, library):
    from open12348.laws import importer
    from open12348.laws.tests import factories

    laws = factories.national_laws()
    laws[0]["_articles"][2]["text"] = "修改后的第三十七条。"
    factories.write_dataset(dataset, laws=laws)
    importer.import_library(dataset)
    html = client.get("/laws/lrb-labour2012/37/").content.decode()
    assert "修改后的第三十七条。" in html
    assert (
        Article.objects.get(law__source_id="lrb-labour2012", slug="37").get_absolute_url() == "/laws/lrb-labour2012/37/"
    )


@pytest.mark.parametrize("url", ["/laws/nope/", "/laws/lrb-civil/9999/", "/laws/nope/1/"])
def test_unknown_laws_and_articles_are_404(client, library, url):
    assert client.get(url).status_code == 404


def test_pages_refuse_post(client, library):
    assert client.post(reverse("laws:search")).status_code == 405
