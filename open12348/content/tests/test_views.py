"""The pages: who may open what, the public lists of the portal and the sub-sites, the item
page (sanitised body, interpretations, view count), the console's form with bad input and
the workflow buttons, attachments (refused and accepted) and their download headers."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from open12348.audit.models import Event
from open12348.content.models import Article, ArticleAttachment
from open12348.content.tests.factories import draft, published
from open12348.core.scanning import EICAR

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def text(response) -> str:
    return response.content.decode()


CONSOLE_GETS = ["content:console", "content:console-create"]


@pytest.mark.parametrize("name", CONSOLE_GETS)
def test_console_pages_send_anonymous_visitors_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", CONSOLE_GETS)
def test_console_pages_refuse_citizens_and_clerks(client, citizen, clerk_a, name):
    for user in (citizen, clerk_a):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_an_item_of_another_area_is_not_found_in_the_console(client, editor_a, area_a, outsider_b, editor_b):
    article = draft(editor_a, area_a)
    client.force_login(editor_b)
    for name in ("content:console-detail", "content:console-edit"):
        assert client.get(reverse(name, args=[article.pk])).status_code == 404
    assert client.post(reverse("content:console-act", args=[article.pk]), {"action": "submit"}).status_code == 404
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


def test_public_pages_answer_anyone(client, city, area_a, city_editor, city_reviewer):
    article = published(city_editor, city_reviewer, city, title="公开信息")
    for url in (
        reverse("content:list"),
        reverse("content:detail", args=[article.pk]),
        reverse("content:district", args=[area_a.code]),
        reverse("content:district-list", args=[area_a.code]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "公开信息" in text(response)


def test_unknown_sub_sites_and_unpublished_items_are_404(client, city, town_a, editor_a, area_a):
    article = draft(editor_a, area_a)
    assert client.get(reverse("content:district", args=[town_a.code])).status_code == 404
    assert client.get(reverse("content:district", args=["999999"])).status_code == 404
    assert client.get(reverse("content:district-list", args=[city.code])).status_code == 404
    assert client.get(reverse("content:detail", args=[article.pk])).status_code == 404


def test_sub_sites_show_city_items_but_not_other_districts(
    client, city, area_a, area_b, city_editor, city_reviewer, editor_b, reviewer_b
):
    published(city_editor, city_reviewer, city, title="全市通知")
    published(editor_b, reviewer_b, area_b, title="昆山专属")
    page_a = text(client.get(reverse("content:district-list", args=[area_a.code])))
    page_b = text(client.get(reverse("content:district-list", args=[area_b.code])))
    assert "全市通知" in page_a and "昆山专属" not in page_a
    assert "全市通知" in page_b and "昆山专属" in page_b
    assert "昆山专属" not in text(client.get(reverse("content:list")))


def test_a_bad_filter_is_a_message_not_an_error(client, city):
    response = client.get(reverse("content:list"), {"kind": "<script>", "q": "x" * 60})
    assert response.status_code == 200
    assert "查询条件有误" in text(response) and "<script>" not in text(response)


def test_the_item_page_counts_the_view_and_links_policy_and_interpretation(client, city, city_editor, city_reviewer):
    policy = published(city_editor, city_reviewer, city, title="某政策", kind=Article.Kind.POLICY)
    reading = published(
        city_editor, city_reviewer, city, title="某政策的解读", kind=Article.Kind.INTERPRETATION, interprets=policy
    )
    page = text(client.get(reverse("content:detail", args=[policy.pk])))
    assert "某政策的解读" in page and reverse("content:detail", args=[reading.pk]) in page
    assert "某政策" in text(client.get(reverse("content:detail", args=[reading.pk])))
    policy.refresh_from_db()
    assert policy.view_count == 1


def test_the_body_is_rendered_as_sanitised_html(client, city, city_editor, city_reviewer):
    article = published(
        city_editor, city_reviewer, city, body="<p><strong>加粗</strong></p><script>alert('x')</script>＜script＞"
    )
    page = text(client.get(reverse("content:detail", args=[article.pk])))
    assert "<strong>加粗</strong>" in page and "alert('x')" not in page and "＜script＞" in page


# ---- the console form ----------------------------------------------------------------------


def form_data(area, **overrides) -> dict:
    return {
        "kind": "news",
        "title": "工作动态标题",
        "area": area.pk,
        "body": "第一段",
        "summary": "",
        "source": "",
    } | overrides


def test_an_editor_creates_a_draft_through_the_form(client, editor_a, area_a):
    client.force_login(editor_a)
    response = client.post(reverse("content:console-create"), form_data(area_a))
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("content:console-detail", args=[article.pk])
    assert article.body == "<p>第一段</p>" and article.author == editor_a


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "请填写标题。"),
        ({"title": "长" * 201}, "title", "标题不能超过200个字（当前201字）。"),
        ({"body": ""}, "body", "请填写正文。"),
        ({"body": "<script>alert(1)</script>"}, "body", "清除后正文为空"),
        ({"kind": "bogus"}, "kind", "请从列表中选择栏目。"),
        ({"kind": "interpretation"}, "interprets", "政策解读须选择"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_kept(client, editor_a, area_a, overrides, field, message):
    client.force_login(editor_a)
    data = form_data(area_a, **overrides)
    response = client.post(reverse("content:console-create"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert form.data["title"] == data["title"]
    assert data["title"][:20] in text(response)
    assert not Article.objects.exists()


def test_an_area_outside_the_editor_is_refused(client, editor_a, area_b):
    client.force_login(editor_a)
    response = client.post(reverse("content:console-create"), form_data(area_b))
    assert response.status_code == 400 and "area" in response.context["form"].errors
    assert not Article.objects.exists()


def test_buttons_follow_permission_and_four_eyes(client, editor_a, bureau_admin, area_a):
    article = draft(editor_a, area_a)
    client.force_login(editor_a)
    page = text(client.get(reverse("content:console-detail", args=[article.pk])))
    assert 'value="submit"' in page and 'value="publish"' not in page
    assert client.post(reverse("content:console-act", args=[article.pk]), {"action": "submit"}).status_code == 302
    refused = client.post(reverse("content:console-act", args=[article.pk]), {"action": "publish"})
    assert refused.status_code == 400 and "权限" in text(refused)
    client.force_login(bureau_admin)
    page = text(client.get(reverse("content:console-detail", args=[article.pk])))
    assert 'value="publish"' in page and 'value="return"' in page
    missing = client.post(reverse("content:console-act", args=[article.pk]), {"action": "return", "reason": ""})
    assert missing.status_code == 400 and "请填写退回修改的原因" in text(missing)
    assert client.post(reverse("content:console-act", args=[article.pk]), {"action": "publish"}).status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.reviewer == bureau_admin


def test_the_author_reviewer_sees_the_four_eyes_notice(client, bureau_admin, area_a):
    article = draft(bureau_admin, area_a)
    client.force_login(bureau_admin)
    client.post(reverse("content:console-act", args=[article.pk]), {"action": "submit"})
    page = text(client.get(reverse("content:console-detail", args=[article.pk])))
    assert "双人审核" in page and 'value="publish"' not in page


def test_the_console_list_has_status_tabs_and_is_scoped(client, editor_a, area_a, editor_b, area_b):
    draft(editor_a, area_a, title="太仓的稿")
    draft(editor_b, area_b, title="昆山的稿")
    client.force_login(editor_a)
    page = text(client.get(reverse("content:console"), {"status": "draft"}))
    assert "太仓的稿" in page and "昆山的稿" not in page and "待审核" in page


# ---- attachments ----------------------------------------------------------------------------


def upload(client, article, name, data):
    return client.post(
        reverse("content:console-attachment-add", args=[article.pk]), {"file": SimpleUploadedFile(name, data)}
    )


def test_a_good_file_is_stored_under_a_random_name_and_audited(client, editor_a, area_a):
    article = draft(editor_a, area_a)
    client.force_login(editor_a)
    assert upload(client, article, "通知.png", png_bytes()).status_code == 302
    attachment = ArticleAttachment.objects.get()
    assert attachment.original_name == "通知.png" and "通知" not in attachment.stored_name
    assert attachment.stored_name.startswith("content/") and default_storage.exists(attachment.stored_name)
    assert Event.objects.filter(verb="article.attachment_added").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.exe", b"MZ\x90\x00", "不支持该文件类型"),
        ("a.pdf", b"<html><script>alert(1)</script></html>", "文件内容不是"),
        ("a.png", b"%PDF-1.4\n%%EOF", "文件内容与扩展名不符"),
        ("a.pdf", b"%PDF-1.4\n" + EICAR + b"\n%%EOF", "病毒"),
    ],
)
def test_bad_files_are_refused_with_a_reason_and_nothing_stored(client, editor_a, area_a, name, data, message):
    article = draft(editor_a, area_a)
    client.force_login(editor_a)
    response = upload(client, article, name, data)
    assert response.status_code == 400 and message in text(response)
    assert not ArticleAttachment.objects.exists()
    assert not default_storage.exists("content")


def test_a_published_items_attachment_downloads_with_safe_headers(client, editor_a, bureau_admin, area_a, editor_b):
    article = draft(editor_a, area_a)
    client.force_login(editor_a)
    upload(client, article, "附件.png", png_bytes())
    attachment = ArticleAttachment.objects.get()
    url = reverse("content:attachment", args=[article.pk, attachment.pk])
    client.logout()
    assert client.get(url).status_code == 404  # not published yet
    client.force_login(editor_b)
    assert client.get(url).status_code == 404  # another district's draft
    client.force_login(editor_a)
    assert client.get(url).status_code == 200  # the editor's own area
    client.post(reverse("content:console-act", args=[article.pk]), {"action": "submit"})
    client.force_login(bureau_admin)
    client.post(reverse("content:console-act", args=[article.pk]), {"action": "publish"})
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("attachment;") and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"


def test_attachments_of_a_published_item_cannot_be_changed(client, editor_a, bureau_admin, area_a):
    article = published(editor_a, bureau_admin, area_a)
    client.force_login(editor_a)
    response = upload(client, article, "x.png", png_bytes())
    assert response.status_code == 400 and "只有草稿" in text(response)
