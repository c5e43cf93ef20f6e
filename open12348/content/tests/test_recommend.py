"""为您推荐 (E6): a reader's categories from questions, requests and reading, weighted by
recency; items already read left out; anonymous visitors get the area's most-read items; the
reading history is the reader's own and skips sensitive items."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from open12348.consultations.models import Consultation
from open12348.content import recommend
from open12348.content.models import Article, ArticleRead
from open12348.content.tests import factories
from open12348.portal.tests import factories as portal
from open12348.workorders.tests import factories as wo

pytestmark = pytest.mark.django_db


@pytest.fixture
def cats():
    return portal.labor_tree() | portal.family_tree() | {"real_estate": portal.category("real_estate", "房产纠纷")}


@pytest.fixture
def publish(city_editor, city_reviewer):
    """Publish a city item tagged with `categories`; returns the Article."""

    def make(title: str, *categories, area=None, editor=None, reviewer=None, views: int = 0, days_ago: int = 1):
        article = factories.published(
            editor or city_editor,
            reviewer or city_reviewer,
            area or city_editor.staff_profile.org,
            title=title,
            categories=list(categories),
        )
        Article.objects.filter(pk=article.pk).update(
            view_count=views, published_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
        article.refresh_from_db()
        return article

    return make


def titles(recommendations) -> list[str]:
    return [rec.title for rec in recommendations]


def test_a_citizen_who_asked_a_labour_question_gets_labour_items_with_the_reason(citizen, town_a, cats, publish):
    wage = publish("拖欠工资维权指引", cats["wage_arrears"])
    injury = publish("工伤认定须知", cats["work_injury"])
    divorce = publish("离婚财产分割典型案例", cats["divorce"], views=500)
    wo.service_item("labor_arbitration_guide", name="劳动人事争议仲裁指引")
    portal.consultation_for(citizen, town_a, cats["labor"])

    recs = recommend.recommend_for(citizen, limit=6)

    by_title = {rec.title: rec for rec in recs}
    assert by_title[wage.title].reason == "因为您咨询过“劳动纠纷”问题"
    assert by_title[injury.title].reason == "因为您咨询过“劳动纠纷”问题"
    assert by_title["劳动人事争议仲裁指引"].reason == "因为您咨询过“劳动纠纷”问题"
    assert by_title["劳动人事争议仲裁指引"].kind == "service"
    assert by_title["劳动人事争议仲裁指引"].url == reverse("portal:life-event", args=["labor-wages"]) + "#services"
    assert by_title[wage.title].url == reverse("content:detail", args=[wage.pk])
    # The unrelated (if popular) item only fills what is left, with its own reason.
    order = titles(recs)
    assert order.index(divorce.title) > order.index(wage.title)
    assert by_title[divorce.title].reason == "太仓市近期阅读最多"  # the area of their question


def test_a_request_counts_and_names_its_own_category(citizen, town_a, cats, publish):
    publish("工伤认定须知", cats["work_injury"])
    portal.order_for(citizen, town_a, legal_category=cats["work_injury"])
    (rec,) = [rec for rec in recommend.recommend_for(citizen) if rec.kind == "article"]
    assert rec.reason == "因为您办理过“工伤”相关事项"


def test_items_already_read_are_not_recommended_and_reading_is_a_signal(citizen, cats, publish):
    read = publish("租房押金不退怎么办", cats["real_estate"])
    other = publish("物业费纠纷调解案例", cats["real_estate"])
    recommend.article_read_record(actor=citizen, article=read)

    recs = recommend.recommend_for(citizen)

    assert read.title not in titles(recs)
    assert {rec.title: rec.reason for rec in recs}[other.title] == "因为您阅读过“房产纠纷”相关信息"


def test_recent_interests_outrank_old_ones(citizen, town_a, cats, publish):
    labor = publish("拖欠工资维权指引", cats["wage_arrears"])
    housing = publish("租房合同注意事项", cats["real_estate"])
    seen = publish("物业纠纷案例", cats["real_estate"])
    old = portal.consultation_for(citizen, town_a, cats["labor"])
    Consultation.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=200))
    recommend.article_read_record(actor=citizen, article=seen)  # today

    interests = recommend.interests_of(citizen)
    assert [interest.family for interest in interests] == ["real_estate", "labor"]
    order = titles(recommend.recommend_for(citizen))
    assert order.index(housing.title) < order.index(labor.title)


def test_signals_older_than_the_history_window_are_ignored(citizen, town_a, cats):
    old = portal.consultation_for(citizen, town_a, cats["labor"])
    Consultation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=recommend.HISTORY_DAYS + 1)
    )
    assert recommend.interests_of(citizen) == []


def test_anonymous_visitors_get_their_areas_most_read_items(area_a, area_b, cats, publish, city_editor):
    editor_a = factories.editor("editor_ta", area_a)
    reviewer_a = factories.reviewer("reviewer_ta", area_a)
    editor_b = factories.editor("editor_ks", area_b)
    reviewer_b = factories.reviewer("reviewer_ks", area_b)
    local = publish("太仓市劳动维权提示", cats["labor"], area=area_a, editor=editor_a, reviewer=reviewer_a, views=90)
    city_item = publish("苏州市普法动态", cats["labor"], views=40)
    quiet = publish("太仓市工作动态", area=area_a, editor=editor_a, reviewer=reviewer_a, views=1)
    kunshan = publish("昆山市热门文章", area=area_b, editor=editor_b, reviewer=reviewer_b, views=999)
    old = publish("太仓市旧文章", area=area_a, editor=editor_a, reviewer=reviewer_a, views=500, days_ago=400)

    recs = recommend.recommend_for(None, area=area_a, limit=6)

    assert titles(recs) == [local.title, city_item.title, quiet.title, old.title]
    assert [rec.reason for rec in recs[:3]] == ["太仓市近期阅读最多"] * 3
    assert recs[3].reason == "太仓市阅读最多"  # older than RECENT_DAYS: no "近期"
    assert kunshan.title not in titles(recs)
    # Without an area: the city portal's own items.
    assert titles(recommend.recommend_for(None)) == [city_item.title]
    assert recommend.recommend_for(None)[0].reason == "苏州市近期阅读最多"


def test_a_town_counts_as_its_districts_sub_site(town_a, area_a, publish):
    editor_a = factories.editor("editor_ta", area_a)
    reviewer_a = factories.reviewer("reviewer_ta", area_a)
    local = publish("太仓市劳动维权提示", area=area_a, editor=editor_a, reviewer=reviewer_a, views=5)
    (rec,) = recommend.recommend_for(None, area=town_a)
    assert rec.title == local.title
    assert rec.reason == "太仓市近期阅读最多"


def test_limit_is_respected_and_zero_gives_nothing(publish, cats):
    for number in range(8):
        publish(f"第{number}篇", cats["labor"], views=number)
    assert len(recommend.recommend_for(None, limit=3)) == 3
    assert recommend.recommend_for(None, limit=0) == []


def test_reading_an_item_page_records_it_for_signed_in_readers_only(client, citizen, cats, publish):
    article = publish("拖欠工资维权指引", cats["wage_arrears"])
    client.get(reverse("content:detail", args=[article.pk]))
    assert ArticleRead.objects.count() == 0
    client.force_login(citizen, backend="open12348.accounts.backends.RoleBackend")
    client.get(reverse("content:detail", args=[article.pk]))
    client.get(reverse("content:detail", args=[article.pk]))
    assert list(ArticleRead.objects.values_list("user_id", "article_id")) == [(citizen.pk, article.pk)]


def test_reading_history_is_pruned_after_the_keep_period(citizen, publish, cats):
    old = publish("旧文章", cats["labor"])
    new = publish("新文章", cats["labor"])
    recommend.article_read_record(
        actor=citizen, article=old, now=timezone.now() - datetime.timedelta(days=recommend.READ_KEEP_DAYS + 1)
    )
    recommend.article_read_record(actor=citizen, article=new)
    assert [read.article for read in recommend.reads_of(citizen)] == [new]


def test_sensitive_items_leave_no_reading_trace_and_no_personal_reason(citizen, town_a, cats, publish):
    dv = publish("人身安全保护令怎么申请", cats["domestic_violence"])
    assert recommend.article_read_record(actor=citizen, article=dv) is False
    assert ArticleRead.objects.count() == 0
    portal.consultation_for(citizen, town_a, cats["domestic_violence"], title="家里有人打我怎么办")
    recs = recommend.recommend_for(citizen)
    assert all("家庭暴力" not in rec.reason for rec in recs)
    assert all(not rec.reason.startswith("因为") for rec in recs)


def test_a_reader_clears_their_own_history_only(citizen, cats, publish):
    other = portal.other_citizen()
    article = publish("拖欠工资维权指引", cats["wage_arrears"])
    recommend.article_read_record(actor=citizen, article=article)
    recommend.article_read_record(actor=other, article=article)
    assert recommend.article_reads_clear(actor=citizen) == 1
    assert list(ArticleRead.objects.values_list("user_id", flat=True)) == [other.pk]


def test_withdrawn_items_are_neither_recorded_nor_recommended(citizen, cats, publish, city_reviewer):
    from open12348.content import services

    article = publish("拖欠工资维权指引", cats["wage_arrears"], views=10)
    services.article_transition(actor=city_reviewer, article=article, action="withdraw", reason="内容过时")
    article.refresh_from_db()
    assert recommend.article_read_record(actor=citizen, article=article) is False
    assert recommend.recommend_for(None) == []


def test_staff_recommendations_use_their_own_area(clerk_a, area_a, publish):
    editor_a = factories.editor("editor_ta", area_a)
    reviewer_a = factories.reviewer("reviewer_ta", area_a)
    local = publish("太仓市工作动态", area=area_a, editor=editor_a, reviewer=reviewer_a, views=3)
    assert recommend.user_area(clerk_a).name == "城厢镇"
    assert [rec.title for rec in recommend.recommend_for(clerk_a)] == [local.title]
