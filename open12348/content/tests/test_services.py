"""The editorial workflow: who may write, submit, publish, return and withdraw what; four
eyes; area scoping; the audit trail; validation messages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from open12348.audit.models import Event
from open12348.content import services
from open12348.content.models import Article
from open12348.content.tests.factories import draft, editor, published

pytestmark = pytest.mark.django_db


def verbs(article) -> list[str]:
    return list(
        Event.objects.filter(target_type="content.article", target_id=str(article.pk))
        .order_by("seq")
        .values_list("verb", flat=True)
    )


def test_an_editor_writes_a_draft_for_their_district_and_it_is_audited(editor_a, area_a):
    article = draft(editor_a, area_a, title="  太仓 信息  ")
    assert article.status == Article.Status.DRAFT
    assert article.author == editor_a and article.title == "太仓 信息"
    event = Event.objects.get(verb="article.created")
    assert event.actor == editor_a and event.org == area_a and event.payload["area"] == area_a.code


def test_a_district_editor_cannot_publish_for_the_city_or_another_district(editor_a, city, area_b):
    for area in (city, area_b):
        with pytest.raises(ValidationError) as error:
            draft(editor_a, area)
        assert "只能为本单位所辖区域发布信息" in error.value.message_dict["area"][0]
    assert not Article.objects.exists()


def test_a_city_editor_may_publish_for_the_city_and_its_districts(city_editor, city, area_a):
    assert draft(city_editor, city).area == city
    assert draft(city_editor, area_a).area == area_a


def test_a_town_is_not_a_publishing_area(city_editor, town_a):
    with pytest.raises(ValidationError) as error:
        draft(city_editor, town_a)
    assert "市或区县" in error.value.message_dict["area"][0]


def test_a_clerk_without_the_permission_cannot_write(clerk_a, area_a, citizen):
    for actor in (clerk_a, citizen):
        with pytest.raises(PermissionDenied):
            draft(actor, area_a)


def test_empty_and_too_long_titles_are_refused_in_chinese(editor_a, area_a):
    with pytest.raises(ValidationError) as error:
        draft(editor_a, area_a, title="   ")
    assert error.value.message_dict["title"] == ["请填写标题。"]
    with pytest.raises(ValidationError) as error:
        draft(editor_a, area_a, title="长" * 201)
    assert "不能超过200个字（当前201字）" in error.value.message_dict["title"][0]


def test_a_body_that_is_only_script_is_empty_after_cleaning(editor_a, area_a):
    with pytest.raises(ValidationError) as error:
        draft(editor_a, area_a, body="<script>alert(1)</script>")
    assert "正文" in error.value.message_dict["body"][0]


def test_the_body_is_sanitised_on_save(editor_a, area_a):
    article = draft(editor_a, area_a, body='<p onclick="x()">好</p><script>alert(1)</script>')
    assert article.body == "<p>好</p>"


def test_the_whole_workflow_is_audited(editor_a, bureau_admin, area_a):
    article = draft(editor_a, area_a)
    services.article_submit(actor=editor_a, article=article)
    services.article_return(actor=bureau_admin, article=article, reason="标题需更准确")
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.status_reason == "标题需更准确"
    services.article_update(
        actor=editor_a, article=article, kind=article.kind, title="新标题", body=article.body, area=area_a
    )
    services.article_submit(actor=editor_a, article=article)
    services.article_publish(actor=bureau_admin, article=article)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.reviewer == bureau_admin
    assert article.published_at is not None and article.status_reason == ""
    services.article_withdraw(actor=bureau_admin, article=article, reason="政策已调整")
    article.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN and article.withdrawn_at is not None
    assert verbs(article) == [
        "article.created",
        "article.submitted",
        "article.returned",
        "article.updated",
        "article.submitted",
        "article.published",
        "article.withdrawn",
    ]
    withdrawn = Event.objects.get(verb="article.withdrawn")
    assert withdrawn.payload["reason"] == "政策已调整" and withdrawn.actor == bureau_admin


def test_four_eyes_nobody_publishes_their_own_draft(bureau_admin, area_a):
    article = draft(bureau_admin, area_a)
    services.article_submit(actor=bureau_admin, article=article)
    assert not services.can_act(actor=bureau_admin, article=article, action="publish")
    with pytest.raises(PermissionDenied) as error:
        services.article_publish(actor=bureau_admin, article=article)
    assert "双人审核" in str(error.value)
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert "article.published" not in verbs(article)


def test_an_editor_cannot_publish_return_or_withdraw(editor_a, area_a, bureau_admin):
    other = editor("editor_a_colleague", area_a)
    article = draft(other, area_a)
    services.article_submit(actor=other, article=article)
    with pytest.raises(PermissionDenied):
        services.article_publish(actor=editor_a, article=article)
    with pytest.raises(PermissionDenied):
        services.article_return(actor=editor_a, article=article, reason="x")
    services.article_publish(actor=bureau_admin, article=article)
    with pytest.raises(PermissionDenied):
        services.article_withdraw(actor=editor_a, article=article, reason="x")


def test_a_reviewer_of_another_district_cannot_act(editor_a, area_a, reviewer_b):
    article = draft(editor_a, area_a)
    services.article_submit(actor=editor_a, article=article)
    with pytest.raises(PermissionDenied) as error:
        services.article_publish(actor=reviewer_b, article=article)
    assert "发布区域" in str(error.value)


def test_a_city_reviewer_may_publish_a_district_item(editor_a, area_a, city_reviewer):
    article = published(editor_a, city_reviewer, area_a)
    assert article.status == Article.Status.PUBLISHED


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "publish"),
        ("draft", "withdraw"),
        ("review", "submit"),
        ("review", "withdraw"),
        ("published", "submit"),
        ("published", "return"),
        ("withdrawn", "publish"),
    ],
)
def test_refused_transitions_name_the_status(editor_a, bureau_admin, area_a, status, action):
    article = draft(editor_a, area_a)
    if status != "draft":
        services.article_submit(actor=editor_a, article=article)
    if status in ("published", "withdrawn"):
        services.article_publish(actor=bureau_admin, article=article)
    if status == "withdrawn":
        services.article_withdraw(actor=bureau_admin, article=article, reason="撤回")
    actor = editor_a if action == "submit" else bureau_admin
    with pytest.raises(services.ArticleConflict) as error:
        services.article_transition(actor=actor, article=article, action=action, reason="原因")
    assert str(Article.Status(status).label) in error.value.message


def test_return_and_withdraw_need_a_reason(editor_a, bureau_admin, area_a):
    article = draft(editor_a, area_a)
    services.article_submit(actor=editor_a, article=article)
    with pytest.raises(ValidationError) as error:
        services.article_return(actor=bureau_admin, article=article, reason="  ")
    assert "原因" in error.value.message_dict["reason"][0]
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


def test_only_drafts_can_be_edited(editor_a, bureau_admin, area_a):
    article = published(editor_a, bureau_admin, area_a)
    with pytest.raises(services.ArticleConflict):
        services.article_update(
            actor=editor_a, article=article, kind=article.kind, title="改", body=article.body, area=area_a
        )
    services.article_withdraw(actor=bureau_admin, article=article, reason="需修改")
    services.article_revise(actor=editor_a, article=article)
    updated = services.article_update(
        actor=editor_a, article=article, kind=article.kind, title="改", body=article.body, area=area_a
    )
    assert updated.title == "改" and updated.status == Article.Status.DRAFT


def test_an_unchanged_update_writes_no_event(editor_a, area_a):
    article = draft(editor_a, area_a)
    services.article_update(
        actor=editor_a, article=article, kind=article.kind, title=article.title, body=article.body, area=area_a
    )
    assert "article.updated" not in verbs(article)


def test_an_interpretation_links_to_a_published_policy(city_editor, city_reviewer, city):
    policy_draft = draft(city_editor, city, kind=Article.Kind.POLICY, title="政策")
    with pytest.raises(ValidationError) as error:
        draft(city_editor, city, kind=Article.Kind.INTERPRETATION, interprets=policy_draft)
    assert "已发布的政策文件" in error.value.message_dict["interprets"][0]
    with pytest.raises(ValidationError) as error:
        draft(city_editor, city, kind=Article.Kind.INTERPRETATION)
    assert "政策解读须选择" in error.value.message_dict["interprets"][0]
    policy = published(city_editor, city_reviewer, city, kind=Article.Kind.POLICY, title="已发布政策")
    with pytest.raises(ValidationError) as error:
        draft(city_editor, city, kind=Article.Kind.NEWS, interprets=policy)
    assert "interprets" in error.value.message_dict
    reading = published(city_editor, city_reviewer, city, kind=Article.Kind.INTERPRETATION, interprets=policy)
    assert list(policy.interpretations.all()) == [reading]


def test_a_view_is_counted_only_on_a_published_item(editor_a, bureau_admin, area_a):
    article = draft(editor_a, area_a)
    assert services.article_record_view(article_id=article.pk) is False
    services.article_submit(actor=editor_a, article=article)
    services.article_publish(actor=bureau_admin, article=article)
    services.article_record_view(article_id=article.pk)
    services.article_record_view(article_id=article.pk)
    article.refresh_from_db()
    assert article.view_count == 2
