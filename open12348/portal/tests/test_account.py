"""The citizen account /me/ (E5): my requests, my consultations, my ratings — only mine — and
the recommendations; staff are sent to their console."""

import pytest
from django.urls import reverse
from django.utils import timezone

from open12348.content import recommend
from open12348.content.models import ArticleRead
from open12348.content.tests import factories as content
from open12348.portal.tests import factories
from open12348.workorders.models import ReturnVisit, WorkOrder

pytestmark = pytest.mark.django_db
BACKEND = "open12348.accounts.backends.RoleBackend"


def sign_in(client, user):
    client.force_login(user, backend=BACKEND)


@pytest.fixture
def cats():
    return factories.labor_tree() | factories.family_tree()


@pytest.fixture
def mine(citizen, town_a, cats):
    order = factories.order_for(citizen, town_a, legal_category=cats["wage_arrears"], code="mediation")
    question = factories.consultation_for(citizen, town_a, cats["labor"], title="公司拖欠工资三个月怎么办")
    return order, question


@pytest.fixture
def theirs(town_a, cats):
    other = factories.other_citizen()
    order = factories.order_for(
        other, town_a, legal_category=cats["divorce"], code="notary", applicant_phone="13800138002"
    )
    question = factories.consultation_for(other, town_a, cats["divorce"], title="离婚后孩子抚养费怎么算")
    return order, question


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("portal:me"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("who", "target"), [("clerk_a", "portal:console"), ("bureau_admin", "portal:console")])
def test_staff_are_sent_to_their_console(client, request, who, target):
    sign_in(client, request.getfixturevalue(who))
    response = client.get(reverse("portal:me"))
    assert response.status_code == 302
    assert response.url == reverse(target)


def test_the_audit_administrator_is_sent_to_the_admin(client, audit_admin):
    sign_in(client, audit_admin)
    assert client.get(reverse("portal:me")).url == reverse("admin:index")


def test_a_citizen_sees_their_own_requests_and_consultations_and_not_anyone_elses(client, citizen, mine, theirs):
    order, question = mine
    sign_in(client, citizen)
    response = client.get(reverse("portal:me"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    # my request: tracking code, service, status, deadline, the tracking link
    assert order.tracking_code in html
    assert "人民调解" in html or order.service_item.name in html
    assert order.get_status_display() in html
    assert timezone.localtime(order.deadline).strftime("%Y年%-m月%-d日") in html
    assert reverse("portal:me-track", args=[order.tracking_code]) in html
    assert reverse("requests:track") in html
    # my question, listed once (its work order is not repeated as a request)
    assert "公司拖欠工资三个月怎么办" in html
    assert question.work_order.tracking_code not in html
    # nothing of the other citizen's
    other_order, other_question = theirs
    assert other_order.tracking_code not in html
    assert "离婚后孩子抚养费怎么算" not in html
    assert reverse("accounts:profile") in html


def test_my_ratings_list_the_return_visits_of_my_requests_and_my_consultation_stars(client, citizen, mine, theirs):
    order, question = mine
    ReturnVisit.objects.create(
        work_order=order, method=ReturnVisit.Method.SELF, satisfaction=4, comment="调解员很耐心", at=timezone.now()
    )
    type(question).objects.filter(pk=question.pk).update(rating=5)
    other_order, _ = theirs
    ReturnVisit.objects.create(
        work_order=other_order, method=ReturnVisit.Method.PHONE, satisfaction=1, at=timezone.now()
    )
    sign_in(client, citizen)
    html = client.get(reverse("portal:me")).content.decode()
    ratings = html.split('id="ratings"', 1)[1].split('id="recommended"', 1)[0]
    assert f"诉求 {order.tracking_code}" in ratings and "满意" in ratings and "调解员很耐心" in ratings
    assert "公司拖欠工资三个月怎么办" in ratings and "非常满意" in ratings
    assert other_order.tracking_code not in ratings and "非常不满意" not in ratings


def test_an_empty_account_says_so_and_offers_the_next_steps(client, citizen):
    sign_in(client, citizen)
    html = client.get(reverse("portal:me")).content.decode()
    assert "您还没有用本账户提出过诉求" in html
    assert "您还没有在线咨询过" in html
    assert "您还没有评价过" in html
    assert 'href="/consult/ask/"' in html
    assert reverse("requests:submit") in html


def test_the_account_shows_recommendations_with_their_reason(client, citizen, mine, city, cats):
    editor, reviewer = content.editor("city_editor", city), content.reviewer("city_reviewer", city)
    content.published(editor, reviewer, city, title="拖欠工资维权指引", categories=[cats["wage_arrears"]])
    sign_in(client, citizen)
    html = client.get(reverse("portal:me")).content.decode()
    block = html.split('id="recommended"', 1)[1]
    assert "拖欠工资维权指引" in block
    assert "为什么推荐？" in block
    assert "因为您咨询过“劳动纠纷”问题" in block


def test_opening_my_request_on_the_tracking_page_needs_no_code_or_phone(client, citizen, mine):
    order, _ = mine
    sign_in(client, citizen)
    response = client.post(reverse("portal:me-track", args=[order.tracking_code]))
    assert response.status_code == 302
    assert response.url == reverse("requests:track")
    html = client.get(response.url).content.decode()
    assert order.tracking_code in html
    assert order.get_status_display() in html


def test_nobody_opens_another_citizens_request_that_way(client, citizen, mine, theirs):
    other_order, _ = theirs
    sign_in(client, citizen)
    response = client.post(reverse("portal:me-track", args=[other_order.tracking_code]))
    assert response.status_code == 404
    html = client.get(reverse("requests:track")).content.decode()
    assert other_order.tracking_code not in html


def test_the_tracking_shortcut_refuses_get_anonymous_and_staff(client, citizen, mine, clerk_a):
    order, _ = mine
    url = reverse("portal:me-track", args=[order.tracking_code])
    assert client.post(url).url.startswith(reverse("accounts:login"))
    sign_in(client, citizen)
    assert client.get(url).status_code == 405
    sign_in(client, clerk_a)
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("portal:console")
    assert "workorders_tracked" not in client.session


def test_a_citizen_clears_their_reading_history_from_the_account(client, citizen, city, cats):
    editor, reviewer = content.editor("city_editor", city), content.reviewer("city_reviewer", city)
    article = content.published(editor, reviewer, city, title="工伤认定须知", categories=[cats["work_injury"]])
    recommend.article_read_record(actor=citizen, article=article)
    sign_in(client, citizen)
    html = client.get(reverse("portal:me")).content.decode()
    assert "工伤认定须知" in html.split('id="reads"', 1)[1]
    response = client.post(reverse("portal:me-reads-clear"), follow=True)
    assert "已清除您的阅读记录" in response.content.decode()
    assert ArticleRead.objects.count() == 0
    assert client.get(reverse("portal:me-reads-clear")).status_code == 405


def test_clearing_the_reading_history_needs_an_account(client):
    response = client.post(reverse("portal:me-reads-clear"))
    assert response.url.startswith(reverse("accounts:login"))


def test_requests_of_my_account_only_are_mine_even_with_the_same_phone(client, citizen, town_a):
    """A walk-in request with my phone number but no link to my account stays off my page."""
    from open12348.workorders.tests.factories import make_order

    walk_in = make_order(area=town_a, applicant_phone="13800138000")
    assert WorkOrder.objects.filter(pk=walk_in.pk, applicant__user__isnull=True).exists()
    sign_in(client, citizen)
    assert walk_in.tracking_code not in client.get(reverse("portal:me")).content.decode()
