"""importlaws: mapping, statuses, idempotence, incremental replacement, flags."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from open12348.audit.models import Event
from open12348.laws import importer
from open12348.laws.models import Article, Law, SearchDocument
from open12348.laws.search import get_backend
from open12348.laws.tests import factories

pytestmark = pytest.mark.django_db


def test_import_maps_levels_dates_bodies_and_articles(library):
    assert (library.created, library.updated, library.unchanged) == (7, 0, 0)
    civil = Law.objects.get(source_id="lrb-civil")
    assert civil.level == Law.Level.LAW and civil.subtitle == "总则编" and civil.short_title == "民法典"
    assert civil.published_on == datetime.date(2020, 5, 28) and civil.effective_on == datetime.date(2021, 1, 1)
    assert civil.issuing_body == "全国人民代表大会"
    assert civil.history.startswith("2020年5月28日")
    assert civil.article_count == 3 and civil.body == ""
    article = civil.articles.get(number_text="第一百零四条")
    assert (article.number, article.slug, article.position) == (104, "104", 1)
    assert article.chapter == "第一编 总则 / 第四章 非法人组织"
    assert article.citation == "中华人民共和国民法典第一百零四条"
    assert article.get_absolute_url() == "/laws/lrb-civil/104/"
    assert Article.objects.get(number_text="第四十七条之一").slug == "47-1"
    assert Law.objects.get(source_id="lrb-interp").level == Law.Level.JUDICIAL_INTERPRETATION
    assert Law.objects.get(source_id="lrb-interp").issuing_body == "最高人民法院"
    assert Law.objects.get(source_id="lrb-wages").issuing_body == "国务院"
    case = Law.objects.get(source_id="lrb-case1")
    assert case.level == Law.Level.CASE and "拖欠农民工工资" in case.body and case.published_on is None


def test_local_regulations_carry_their_region(library):
    law = Law.objects.get(source_id="lrb-sh-property")
    assert law.level == Law.Level.LOCAL_REGULATION and law.region == "上海"
    assert law.issuing_body == "上海市人民代表大会常务委员会"
    assert law.status == Law.Status.VALID  # expired unknown (null): valid
    assert set(Law.objects.exclude(region="").values_list("region", flat=True)) == {"上海"}


def test_statuses_follow_expired_and_versions(library):
    status = dict(Law.objects.values_list("source_id", "status"))
    assert status["lrb-labour2012"] == Law.Status.VALID  # newest version, not expired
    assert status["lrb-labour2007"] == Law.Status.AMENDED  # an older version of the same title
    assert status["lrb-wages"] == Law.Status.REPEALED  # expired, no newer version


def test_an_old_version_still_unexpired_is_amended_and_all_expired_means_repealed():
    records = [
        {"doc_id": "a", "title": "某法", "publish": "2001-01-01", "expired": False},
        {"doc_id": "b", "title": "某法", "publish": "2010-01-01", "expired": None},
        {"doc_id": "c", "title": "旧法", "publish": "1990-01-01", "expired": True},
        {"doc_id": "d", "title": "旧法", "publish": "1995-01-01", "expired": True},
    ]
    assert importer.assign_statuses(records) == {
        "a": Law.Status.AMENDED,
        "b": Law.Status.VALID,
        "c": Law.Status.AMENDED,
        "d": Law.Status.REPEALED,
    }


def test_chinese_numbers_and_slugs():
    assert importer.cn_number("第一百零四条") == 104
    assert importer.cn_number("第十七条") == 17
    assert importer.cn_number("第二十条") == 20
    assert importer.cn_number("第一千二百六十条") == 1260
    assert importer.cn_number("第12条") == 12
    assert importer.cn_number("附则") is None
    assert importer.article_slug("第十七条之一", 17, 20) == "17-1"
    assert importer.article_slug("序言", None, 0) == "p0"


def test_search_documents_are_written_for_articles_laws_and_cases(library):
    kinds = {kind: SearchDocument.objects.filter(kind=kind).count() for kind in SearchDocument.Kind.values}
    assert kinds == {"article": Article.objects.count(), "law": 6, "case": 1}
    doc = SearchDocument.objects.get(key=f"article:{Article.objects.get(slug='104').pk}")
    assert doc.title == "中华人民共和国民法典第一百零四条" and doc.url == "/laws/lrb-civil/104/"
    assert {"非法人", "组织", "清偿债务"} <= set(doc.text_seg.split())


def test_a_second_import_changes_nothing(dataset, library):
    before = {
        "laws": list(Law.objects.order_by("pk").values_list("pk", "updated_at", "content_hash")),
        "articles": list(Article.objects.order_by("pk").values_list("pk", flat=True)),
        "docs": list(SearchDocument.objects.order_by("pk").values_list("pk", "key")),
    }
    events = Event.objects.count()
    again = importer.import_library(dataset)
    assert (again.created, again.updated, again.unchanged, again.articles, again.documents) == (0, 0, 7, 0, 0)
    assert not again.dictionary_changed
    assert before == {
        "laws": list(Law.objects.order_by("pk").values_list("pk", "updated_at", "content_hash")),
        "articles": list(Article.objects.order_by("pk").values_list("pk", flat=True)),
        "docs": list(SearchDocument.objects.order_by("pk").values_list("pk", "key")),
    }
    assert Event.objects.count() == events  # nothing done, nothing audited


def test_a_changed_law_is_replaced_and_the_others_are_left_alone(tmp_path, dataset, library):
    civil_articles = list(Article.objects.filter(law__source_id="lrb-civil").values_list("pk", flat=True))
    laws = factories.national_laws()
    laws[0]["_articles"][2]["text"] = "劳动者提前三十日以书面形式通知用人单位，可以解除劳动合同。试用期内提前三日通知。"
    laws[0]["_articles"].append(factories.art("第九十八条", 98, "本法自2008年1月1日起施行。", "第八章 附则"))
    factories.write_dataset(dataset, laws=laws)
    stats = importer.import_library(dataset)
    assert (stats.created, stats.updated, stats.unchanged, stats.articles) == (0, 1, 6, 6)
    labour = Law.objects.get(source_id="lrb-labour2012")
    assert labour.article_count == 6 and labour.articles.get(slug="37").text.endswith("试用期内提前三日通知。")
    assert list(Article.objects.filter(law__source_id="lrb-civil").values_list("pk", flat=True)) == civil_articles
    assert SearchDocument.objects.filter(law=labour, kind="article").count() == 6
    hits = get_backend().search("试用期 提前三日").hits
    assert [h.url for h in hits] == ["/laws/lrb-labour2012/37/"]
    assert Event.objects.filter(verb="laws.imported").count() == 2


def test_a_new_version_turns_the_old_one_into_amended(dataset, library):
    laws = factories.national_laws()
    newer = factories.law(
        "lrb-civil-2030",
        factories.CIVIL_CODE,
        subtitle="总则编",
        category="民法典",
        publish="2030-01-01",
        valid_from="2030-06-01",
        articles=[factories.art("第一条", 1, "新版本。")],
    )
    factories.write_dataset(dataset, laws=[*laws, newer])
    stats = importer.import_library(dataset)
    assert (stats.created, stats.updated) == (1, 1)
    assert Law.objects.get(source_id="lrb-civil").status == Law.Status.AMENDED
    assert SearchDocument.objects.filter(law__source_id="lrb-civil").exclude(status="amended").count() == 0


def test_no_local_skips_local_regulations_and_prune_removes_vanished_laws(dataset, db):
    stats = importer.import_library(dataset, local=False)
    assert stats.created == 6 and not Law.objects.filter(region="上海").exists()
    factories.write_dataset(dataset, laws=factories.national_laws()[:-1])
    stats = importer.import_library(dataset, local=False, prune=True)
    assert stats.pruned == 1 and not Law.objects.filter(source_id="lrb-case1").exists()
    assert not SearchDocument.objects.filter(title="拖欠农民工工资案").exists()


def test_the_command_prints_counts_and_accepts_the_dataset_folder(dataset, db, capsys):
    call_command("importlaws", str(dataset / "lawrefbook_laws"), "--no-local")
    out = capsys.readouterr().out
    assert "新增 6" in out and "条文 11" in out


def test_the_command_skips_quietly_when_the_data_is_absent_only_if_asked(tmp_path, db, capsys):
    call_command("importlaws", str(tmp_path / "missing"), "--if-present")
    assert capsys.readouterr().out == ""
    with pytest.raises(CommandError, match="找不到法律法规数据"):
        call_command("importlaws", str(tmp_path / "missing"))
    assert not Law.objects.exists()


def test_the_default_path_is_the_data_dir_setting(dataset, settings, db):
    settings.OPEN12348_DATA_DIR = dataset
    assert importer.find_dataset() == dataset / "lawrefbook_laws"


def test_the_dictionary_holds_titles_short_titles_and_defined_terms(library, userdict_path):
    words = {line.split()[0] for line in userdict_path.read_text(encoding="utf-8").splitlines()}
    assert {"中华人民共和国劳动合同法", "劳动合同法", "民法典", "用人单位", "上海市住宅物业管理规定"} <= words


def test_a_new_title_re_segments_only_the_documents_that_hold_it(dataset, library):
    laws = factories.national_laws()
    laws.append(factories.law("lrb-new", "农民工工资", level="部门规章", category="部门规章/人力资源社会保障部",
                              articles=[factories.art("第一条", 1, "按月足额支付。")]))  # fmt: skip
    factories.write_dataset(dataset, laws=laws)
    stats = importer.import_library(dataset)
    assert stats.created == 1 and stats.dictionary_changed
    assert stats.reindexed == 1  # the case whose text mentions 农民工工资; nothing else
    assert "农民工工资" in SearchDocument.objects.get(title="拖欠农民工工资案").text_seg.split()
    assert Law.objects.get(source_id="lrb-new").issuing_body == "人力资源社会保障部"


def test_importing_the_national_set_alone_keeps_the_local_words(dataset, library, userdict_path):
    stats = importer.import_library(dataset, local=False)
    assert not stats.dictionary_changed and stats.reindexed == 0
    assert "上海市住宅物业管理规定" in userdict_path.read_text(encoding="utf-8")
