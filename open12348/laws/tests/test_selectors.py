"""laws.selectors: finding a cited article among versions of the same law."""

import datetime

import pytest

from open12348.laws import selectors
from open12348.laws.models import Article, Law

pytestmark = pytest.mark.django_db


def version(source_id: str, status: str, published: datetime.date | None) -> Article:
    law = Law.objects.create(
        source_id=source_id, title="中华人民共和国测试法", level=Law.Level.LAW, status=status, published_on=published
    )
    return Article.objects.create(law=law, position=0, number_text="第三条", number=3, slug="3", text=source_id)


def test_a_citation_prefers_the_valid_version_then_the_newest():
    version("t-repealed", Law.Status.REPEALED, datetime.date(2020, 1, 1))
    version("t-amended", Law.Status.AMENDED, datetime.date(2019, 1, 1))
    valid_old = version("t-valid-old", Law.Status.VALID, datetime.date(2001, 1, 1))
    valid_new = version("t-valid-new", Law.Status.VALID, datetime.date(2010, 1, 1))
    assert selectors.article_by_citation("中华人民共和国测试法", "第三条") == valid_new
    valid_new.law.delete()
    assert selectors.article_by_citation("中华人民共和国测试法", "第三条") == valid_old


def test_a_citation_with_its_law_version_gets_that_version():
    repealed = version("t-repealed", Law.Status.REPEALED, None)
    valid = version("t-valid", Law.Status.VALID, None)
    assert selectors.article_by_citation("中华人民共和国测试法", "第三条", source_id="t-repealed") == repealed
    assert selectors.article_by_citation("中华人民共和国测试法", "第三条", source_id="t-gone") == valid
    assert selectors.article_by_citation("中华人民共和国测试法", "第九条") is None


def test_articles_by_ids_leaves_out_unknown_ids():
    article = version("t-valid", Law.Status.VALID, None)
    assert selectors.articles_by_ids([article.pk, 987654]) == {article.pk: article}
    assert selectors.articles_by_ids([]) == {}
