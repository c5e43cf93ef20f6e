"""The admin of items: scoped to the administrator's area, writes through the services
(sanitised, audited), refuses bad input in Chinese."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from open12348.audit.models import Event
from open12348.content.models import Article
from open12348.content.tests.factories import draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(client, bureau_admin):
    device = TOTPDevice.objects.create(user=bureau_admin, name="测试令牌", confirmed=True)
    client.force_login(bureau_admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_the_list_is_scoped_to_the_area(admin_a, area_a, area_b, editor_a, editor_b):
    draft(editor_a, area_a, title="太仓草稿")
    draft(editor_b, area_b, title="昆山草稿")
    page = admin_a.get(reverse("admin:content_article_changelist")).content.decode()
    assert "太仓草稿" in page and "昆山草稿" not in page


def test_an_item_added_in_the_admin_goes_through_the_service(admin_a, area_a, bureau_admin):
    response = admin_a.post(
        reverse("admin:content_article_add"),
        {"kind": "news", "title": "后台新建", "body": "<p>好</p><script>x</script>", "area": area_a.pk, "source": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get()
    assert article.body == "<p>好</p>" and article.author == bureau_admin and article.status == Article.Status.DRAFT
    assert Event.objects.filter(verb="article.created", actor=bureau_admin).exists()


def test_bad_input_in_the_admin_is_refused(admin_a, area_a):
    response = admin_a.post(
        reverse("admin:content_article_add"),
        {"kind": "interpretation", "title": "解读", "body": "<script>x</script>", "area": area_a.pk},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "政策解读须选择" in page and "正文" in page
    assert not Article.objects.exists()
