"""The demo items of publishing: loaded by seeddemo through the services (four eyes, audited),
visible on the right sites, and a second run creates nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from open12348.audit.models import Event
from open12348.content import selectors
from open12348.content.models import Article
from open12348.core.demo.loader import PASSWORD_ENV
from open12348.orgs.models import OrgNode

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_password(monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def seed():
    call_command("seeddemo", stdout=StringIO())


def test_seeddemo_publishes_the_demo_items_once():
    seed()
    articles = Article.objects.all()
    assert articles.count() == 12 and not articles.exclude(status=Article.Status.PUBLISHED).exists()
    assert articles.filter(kind=Article.Kind.RISK_ALERT).count() == 3
    assert articles.filter(kind=Article.Kind.CASE).count() == 2
    reading = articles.get(kind=Article.Kind.INTERPRETATION)
    assert reading.interprets.kind == Article.Kind.POLICY
    assert all(article.author_id != article.reviewer_id for article in articles)
    assert Event.objects.filter(verb="article.published").count() == 12
    events, rows = Event.objects.count(), Article.objects.count()
    seed()
    assert Event.objects.count() == events and Article.objects.count() == rows


def test_demo_items_reach_the_city_portal_and_the_taicang_site():
    seed()
    taicang = OrgNode.objects.get(code="320585")
    city_items = set(selectors.article_public_list().values_list("area__code", flat=True))
    assert city_items == {"320500"}
    assert set(selectors.article_public_list(site=taicang).values_list("area__code", flat=True)) == {
        "320500",
        "320585",
    }
