"""Search through the configured backend (FTS5 on SQLite, tsvector on PostgreSQL: the suite
runs on both), on the tiny imported library."""

import datetime

import pytest

from open12348.content import services as content_services
from open12348.content.models import Article as ContentItem
from open12348.content.tests.factories import draft, editor, published
from open12348.laws import importer, segment
from open12348.laws.models import Law, SearchDocument
from open12348.laws.search import IndexDoc, SearchFilters, get_backend, highlight

pytestmark = pytest.mark.django_db
VALID = SearchFilters(status=[Law.Status.VALID])


def search(query, filters=None, **kwargs):
    return get_backend().search(query, filters=filters, **kwargs)


def test_two_words_find_the_article_holding_both_ranked_and_highlighted(library):
    result = search("解除 劳动合同", VALID)
    assert result.total >= 2 and not result.relaxed
    assert all(hit.kind == "article" for hit in result.hits)
    assert {hit.url for hit in result.hits} >= {"/laws/lrb-labour2012/37/", "/laws/lrb-labour2012/47-1/"}
    top = result.hits[0]
    assert "<mark>解除</mark>" in top.snippet_html and "<mark>劳动合同</mark>" in top.snippet_html
    assert top.score >= result.hits[-1].score
    assert top.level == Law.Level.LAW and top.status == Law.Status.VALID
    assert top.date == datetime.date(2013, 7, 1)


def test_the_title_weighs_more_than_the_text(library):
    hits = search("民法典", VALID).hits
    assert hits[0].key.startswith("law:") and hits[0].title == "中华人民共和国民法典（总则编）"
    cited = search("民法典第一百零四条", VALID).hits
    assert cited[0].url == "/laws/lrb-civil/104/"


def test_words_inside_longer_words_are_found(library):
    assert search("劳动合同法").total >= 1
    urls = [hit.url for hit in search("合同法", VALID).hits]
    assert "/laws/lrb-labour2012/" in urls


def test_filters_by_status_level_region_kind_and_date(library):
    valid = {hit.url.split("/")[2] for hit in search("工资", VALID).hits}
    assert valid == {"lrb-case1", "lrb-labour2012"}  # the repealed regulation is filtered out
    repealed = search("工资", SearchFilters(status=[Law.Status.REPEALED])).hits
    assert {hit.url.split("/")[2] for hit in repealed} == {"lrb-wages"}
    assert search("劳动合同", SearchFilters(status=[Law.Status.AMENDED])).total >= 1
    assert (
        search("劳动", SearchFilters(level=[Law.Level.JUDICIAL_INTERPRETATION]))
        .hits[0]
        .url.startswith("/laws/lrb-interp/")
    )
    assert search("物业", SearchFilters(region=[""])).total == 0
    assert search("物业", SearchFilters(region=["", "上海"])).hits[0].region == "上海"
    assert search("物业", SearchFilters(region=[])).total == 0
    assert search("拖欠", SearchFilters(kind=["case"])).hits[0].title == "拖欠农民工工资案"
    recent = SearchFilters(date_from=datetime.date(2021, 1, 1), date_to=datetime.date(2021, 12, 31))
    assert {hit.date.year for hit in search("总则", recent).hits} == {2021}


def test_no_document_with_every_word_falls_back_to_any_word(library):
    result = search("非法人组织 物业", VALID)
    assert result.relaxed and result.total >= 2


def test_pagination_counts_and_pages(library):
    first = search("劳动", None, page=1, per_page=2)
    second = search("劳动", None, page=2, per_page=2)
    assert first.total == second.total > 2 and first.pages == (first.total + 1) // 2
    assert len(first.hits) == 2 and not {h.key for h in first.hits} & {h.key for h in second.hits}
    assert search("劳动", None, page="abc", per_page="x").page == 1
    tiny = search("劳动", None, per_page=1)
    assert tiny.reachable == 100 and not tiny.more


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "劳" * 2000,
        "😀",
        "😀劳动😀",
        '"',
        '"劳动',
        "*",
        "劳动*",
        "NEAR(劳动 合同",
        "NEAR(",
        "-劳动",
        "劳动 OR 合同 AND NOT",
        "title_seg:劳动",
        "'; DROP TABLE laws_law; --",
        "\x00",
        "!!!&&&|||",
        "勞動合同",  # traditional characters: no crash (conversion is the assistant's job)
        "labour contract",
    ],
)
def test_odd_queries_never_fail(library, query):
    result = search(query)
    assert result.total >= 0 and isinstance(result.hits, list)


def test_an_overlong_query_is_cut_and_says_so(library):
    result = search("劳动合同" * 100)
    assert result.truncated and result.total >= 1


def test_snippets_escape_everything_but_mark():
    html = highlight("<script>alert(1)</script>劳动者&用人单位", ["劳动者"])
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>劳动者</mark>&amp;用人单位"
    long = "甲" * 300 + "劳动者" + "乙" * 300
    snippet = highlight(long, ["劳动者"])
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>劳动者</mark>" in snippet


@pytest.fixture
def editor_a(area_a):
    return editor("editor_a", area_a)


def test_index_replaces_by_key_and_remove_deletes(db):
    backend = get_backend()
    doc = IndexDoc(key="test:1", kind="case", title="甲案", text="独一无二的测试文字", url="/x/", status="valid")
    backend.index([doc, doc])
    assert SearchDocument.objects.filter(key="test:1").count() == 1
    backend.index([IndexDoc(**{**doc.__dict__, "text": "另一段说明"})])
    assert search("独一无二").total == 0 and search("说明").total == 1
    assert backend.remove(["test:1", "unknown:2"]) == 1
    assert search("说明").total == 0


def test_reindex_after_a_dictionary_change_finds_the_new_words(library, userdict_path):
    backend = get_backend()
    backend.index([IndexDoc(key="test:2", kind="case", title="乙案", text="适用罕见词汇甲乙丙的规定", url="/y/")])
    assert search("罕见词汇甲乙丙").tokens != ["罕见词汇甲乙丙"]  # an unknown word is cut into pieces
    words = userdict_path.read_text(encoding="utf-8").split("\n")
    segment.write_user_dictionary([w.split()[0] for w in words if w] + ["罕见词汇甲乙丙"])
    assert backend.reindex_all(containing=["罕见词汇甲乙丙"]) == 1  # only the document holding it
    assert backend.reindex_all() == SearchDocument.objects.count()
    assert "罕见词汇甲乙丙" in SearchDocument.objects.get(key="test:2").text_seg.split()
    result = search("罕见词汇甲乙丙")
    assert result.tokens == ["罕见词汇甲乙丙"] and result.hits[0].key == "test:2"
    segment.write_user_dictionary([w.split()[0] for w in words if w])  # as before, for the other tests


def test_a_published_content_case_is_searchable_and_withdrawing_removes_it(editor_a, bureau_admin, area_a):
    item = published(
        editor_a,
        bureau_admin,
        area_a,
        kind=ContentItem.Kind.CASE,
        title="装修纠纷调解案例",
        body="<p>业主与装修公司因工期延误发生纠纷，人民调解委员会调解成功。</p>",
    )
    hits = search("装修 调解", VALID).hits
    assert [(h.key, h.kind, h.url) for h in hits] == [(f"content:{item.pk}", "case", f"/news/{item.pk}/")]
    assert "<mark>调解</mark>" in hits[0].snippet_html
    content_services.article_withdraw(actor=bureau_admin, article=item, reason="内容需更新")
    assert search("装修 调解").total == 0


def test_only_published_cases_are_indexed(editor_a, bureau_admin, area_a):
    draft(editor_a, area_a, kind=ContentItem.Kind.CASE, title="草稿案例", body="<p>尚未发布的草稿案例。</p>")
    published(
        editor_a, bureau_admin, area_a, kind=ContentItem.Kind.NEWS, title="工作动态", body="<p>草稿案例培训。</p>"
    )
    assert not SearchDocument.objects.exists()


def test_importing_twice_keeps_content_cases(dataset, editor_a, bureau_admin, area_a):
    published(editor_a, bureau_admin, area_a, kind=ContentItem.Kind.CASE, title="欠薪案例", body="<p>欠薪。</p>")
    importer.import_library(dataset)
    importer.import_library(dataset)
    assert search("欠薪案例").total == 1
