"""Attachments (SECURITY.md C31/C33): a malicious-file corpus built here, each file refused or
neutralised with a Chinese message and nothing left in storage or the database; per-order
limits; the pages, the citizen form and the API; download headers."""

import io
import re
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from open12348.audit.models import Event
from open12348.workorders import services, uploads
from open12348.workorders.models import Attachment, Channel
from open12348.workorders.tests import factories

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def fresh_storage(settings, tmp_path):
    """A fresh in-memory default storage per test (and MEDIA_ROOT in a tmp dir)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    yield


def stored_files(directory: str = "") -> list[str]:
    if not default_storage.exists(directory or "."):
        return []
    dirs, files = default_storage.listdir(directory or ".")
    found = [f"{directory}/{name}".lstrip("/") for name in files]
    for sub in dirs:
        found += stored_files(f"{directory}/{sub}".lstrip("/"))
    return found


@pytest.fixture
def order_a(clerk_a, town_a):
    return factories.make_order(actor=clerk_a, area=town_a)


# ---- building the corpus ----------------------------------------------------------------------


def png_bytes(size=(4, 3), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(size=(8, 6), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (10, 120, 200))
    if exif is not None:
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Orientation] = 1
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 27.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 6.0, 0.0)
    return exif


def pdf_bytes(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R" + extra + b">>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels (no real image data)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")
    )


def ofd_bytes(entries: dict[str, bytes] | None = None, *, symlink: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml", b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'
        )
        for name, data in (entries or {}).items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (0o120777 << 16) | 0
            archive.writestr(info, b"/etc/passwd")
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", b"hello")
    return out.getvalue()


class LazyHugeUpload(UploadedFile):
    """Claims `size` bytes of zeros and produces them only if read: the limit must refuse it
    from the size, without reading 20 MB."""

    def __init__(self, name: str, size: int):
        super().__init__(file=io.BytesIO(), name=name, content_type="application/pdf", size=size)
        self.reads = 0

    def read(self, n=-1):
        self.reads += 1
        return b"\0" * (self.size if n is None or n < 0 else min(n, self.size))

    def seek(self, *args):
        return 0


REFUSED = [
    ("png-named-pdf", "scan.pdf", lambda: png_bytes(), "扩展名"),
    ("pdf-named-jpg", "photo.jpg", lambda: pdf_bytes(), "扩展名"),
    ("exe", "setup.exe", lambda: b"MZ\x90\x00\x03" + b"\x00" * 200, "不支持"),
    ("exe-named-pdf", "invoice.pdf", lambda: b"MZ\x90\x00\x03" + b"\x00" * 200, "不是"),
    ("html", "page.html", lambda: b"<html><script>alert(1)</script></html>", "不支持"),
    ("html-named-png", "image.png", lambda: b"<html><script>alert(1)</script></html>", "不是"),
    ("svg-named-png", "logo.png", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "不是"),
    ("double-extension", "photo.jpg.exe", lambda: jpeg_bytes(), "不支持"),
    ("rtl-override", "invoice\u202egpj.exe", lambda: jpeg_bytes(), "不支持"),
    ("no-extension", "README", lambda: pdf_bytes(), "不支持"),
    ("empty", "empty.pdf", lambda: b"", "空"),
    ("pdf-javascript", "form.pdf", lambda: pdf_bytes(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"), "脚本"),
    ("pdf-launch", "run.pdf", lambda: pdf_bytes(b"/OpenAction<</S/Launch/F(cmd.exe)>>"), "脚本"),
    ("pdf-truncated", "cut.pdf", lambda: pdf_bytes()[:40], "不完整"),
    ("corrupt-png", "broken.png", lambda: png_bytes()[:40] + b"garbage" * 10, "损坏"),
    ("41-megapixel", "huge.png", lambda: png_header_only(8000, 5125), "像素"),
    ("ofd-zip-bomb", "bomb.ofd", lambda: ofd_bytes({"Doc_0/Res/zeros.bin": b"\0" * (8 * uploads.MB)}), "压缩"),
    ("ofd-path-traversal", "evil.ofd", lambda: ofd_bytes({"../../etc/cron.d/x": b"* * * * * root sh"}), "路径"),
    ("ofd-absolute-path", "abs.ofd", lambda: ofd_bytes({"/etc/passwd": b"root"}), "路径"),
    ("ofd-symlink", "link.ofd", lambda: ofd_bytes(symlink="Doc_0/link"), "符号链接"),
    ("ofd-not-ofd", "plain.ofd", lambda: plain_zip(), "OFD"),
    ("ofd-too-many-entries", "many.ofd", lambda: ofd_bytes({f"Doc_0/{i}.xml": b"<a/>" for i in range(1001)}), "过多"),
    (
        "ofd-xxe",
        "xxe.ofd",
        lambda: ofd_bytes_root(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
        ),
        "XML",
    ),
    ("zip-named-pdf", "archive.pdf", lambda: plain_zip(), "不是"),
]


def ofd_bytes_root(root_xml: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("OFD.xml", root_xml)
    return out.getvalue()


@pytest.mark.parametrize(("case", "name", "make", "reason"), REFUSED, ids=[case[0] for case in REFUSED])
def test_the_malicious_corpus_is_refused_in_chinese_and_leaves_nothing(clerk_a, order_a, case, name, make, reason):
    events = Event.objects.filter(verb="workorder.attachment_added").count()

    with pytest.raises(ValidationError) as caught:
        services.attachment_add(actor=clerk_a, order=order_a, upload=SimpleUploadedFile(name, make()))

    message = "；".join(caught.value.messages)
    assert CHINESE.search(message) and reason in message, message
    assert Attachment.objects.count() == 0
    assert stored_files() == []
    assert Event.objects.filter(verb="workorder.attachment_added").count() == events


def test_an_oversize_file_is_refused_from_its_size_without_being_read(clerk_a, order_a):
    upload = LazyHugeUpload("big.pdf", uploads.MAX_FILE_BYTES + 1)

    with pytest.raises(ValidationError, match="20MB"):
        services.attachment_add(actor=clerk_a, order=order_a, upload=upload)

    assert upload.reads == 0
    assert Attachment.objects.count() == 0 and stored_files() == []


def test_exif_and_gps_are_stripped_from_a_jpeg(clerk_a, order_a):
    original = jpeg_bytes(size=(32, 24), exif=exif_with_gps())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the corpus has GPS

    attachment = services.attachment_add(actor=clerk_a, order=order_a, upload=SimpleUploadedFile("现场.jpg", original))

    with default_storage.open(attachment.stored_name, "rb") as handle:
        stored = handle.read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (32, 24)
    assert len(image.getexif()) == 0 and not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"Exif" not in stored and b"TestCam" not in stored
    assert attachment.original_name == "现场.jpg" and attachment.content_type == "image/jpeg"
    assert attachment.size == len(stored)


def test_bytes_appended_to_an_image_are_dropped_by_re_encoding(clerk_a, order_a):
    polyglot = png_bytes() + b"<html><script>alert(1)</script></html>" + plain_zip()

    attachment = services.attachment_add(actor=clerk_a, order=order_a, upload=SimpleUploadedFile("a.png", polyglot))

    with default_storage.open(attachment.stored_name, "rb") as handle:
        stored = handle.read()
    assert b"<script>" not in stored and b"PK\x03\x04" not in stored
    assert Image.open(io.BytesIO(stored)).size == (4, 3)


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("扫描件.PDF", pdf_bytes, "application/pdf"),
        ("photo.jpeg", jpeg_bytes, "image/jpeg"),
        ("截图.png", png_bytes, "image/png"),
        ("电子证照.ofd", ofd_bytes, "application/ofd"),
    ],
)
def test_allowed_files_are_stored_under_a_random_name(clerk_a, order_a, name, make, content_type):
    attachment = services.attachment_add(actor=clerk_a, order=order_a, upload=SimpleUploadedFile(name, make()))

    assert attachment.content_type == content_type and attachment.original_name == name
    assert re.fullmatch(r"workorders/[0-9a-f]{4}/[0-9a-f]{32}\.(jpg|png|pdf|ofd)", attachment.stored_name)
    assert stored_files() == [attachment.stored_name]
    assert len(attachment.sha256) == 64
    event = Event.objects.get(verb="workorder.attachment_added")
    assert event.payload["attachment"] == attachment.pk and event.actor == clerk_a


def test_a_name_with_path_and_line_breaks_is_cleaned(clerk_a, order_a):
    upload = SimpleUploadedFile("../../etc/x\r\nSet-Cookie: a=b.pdf", pdf_bytes())

    attachment = services.attachment_add(actor=clerk_a, order=order_a, upload=upload)

    assert attachment.original_name == "xSet-Cookie: a=b.pdf"
    assert "\r" not in attachment.original_name and "\n" not in attachment.original_name


def test_the_thirty_first_file_is_refused(clerk_a, order_a):
    for index in range(uploads.MAX_FILES_PER_ORDER):
        services.attachment_add(actor=clerk_a, order=order_a, upload=SimpleUploadedFile(f"{index}.pdf", pdf_bytes()))

    with pytest.raises(ValidationError, match="最多上传30个"):
        services.attachment_add(actor=clerk_a, order=order_a, upload=SimpleUploadedFile("31.pdf", pdf_bytes()))

    assert Attachment.objects.count() == uploads.MAX_FILES_PER_ORDER
    assert len(stored_files()) == uploads.MAX_FILES_PER_ORDER


def test_the_order_total_is_checked_under_the_lock_and_the_written_file_removed(clerk_a, order_a, monkeypatch):
    first = services.attachment_add(actor=clerk_a, order=order_a, upload=SimpleUploadedFile("a.pdf", pdf_bytes()))
    monkeypatch.setattr(uploads, "MAX_ORDER_BYTES", first.size + 10)

    with pytest.raises(ValidationError, match="合计不能超过"):
        services.attachment_add(actor=clerk_a, order=order_a, upload=SimpleUploadedFile("b.pdf", pdf_bytes()))

    assert list(Attachment.objects.values_list("pk", flat=True)) == [first.pk]
    assert stored_files() == [first.stored_name]


def test_a_failure_after_the_file_was_written_removes_it(clerk_a, order_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(services.audit, "record", broken)

    with pytest.raises(RuntimeError):
        services.attachment_add(actor=clerk_a, order=order_a, upload=SimpleUploadedFile("a.pdf", pdf_bytes()))

    assert Attachment.objects.count() == 0 and stored_files() == []


def test_staff_outside_the_area_cannot_attach(outsider_b, order_a):
    with pytest.raises(PermissionDenied):
        services.attachment_add(actor=outsider_b, order=order_a, upload=SimpleUploadedFile("a.pdf", pdf_bytes()))
    assert stored_files() == []


def test_an_anonymous_caller_may_attach_only_to_a_fresh_web_submission(town_a, clerk_a, order_a):
    web = factories.make_order(actor=None, area=town_a, channel=Channel.WEB)

    services.attachment_add(actor=None, order=web, upload=SimpleUploadedFile("a.pdf", pdf_bytes()))
    with pytest.raises(PermissionDenied):  # a window order: not the citizen's form
        services.attachment_add(actor=None, order=order_a, upload=SimpleUploadedFile("b.pdf", pdf_bytes()))
    services.workorder_transition(actor=clerk_a, order=web, action="claim")
    with pytest.raises(PermissionDenied):  # no longer just submitted
        services.attachment_add(actor=None, order=web, upload=SimpleUploadedFile("c.pdf", pdf_bytes()))


# ---- pages ------------------------------------------------------------------------------------


def test_the_detail_page_uploads_and_lists_attachments(client, clerk_a, order_a):
    client.force_login(clerk_a)
    url = reverse("workorders:attachment-upload", args=[order_a.pk])

    response = client.post(url, {"files": [SimpleUploadedFile("证据.pdf", pdf_bytes())]})

    assert response.status_code == 302
    page = client.get(reverse("workorders:detail", args=[order_a.pk])).content.decode()
    attachment = Attachment.objects.get()
    assert "证据.pdf" in page
    assert reverse("workorders:attachment-download", args=[order_a.pk, attachment.pk]) in page


def test_the_detail_page_refuses_a_bad_file_with_a_message_and_writes_nothing(client, clerk_a, order_a):
    client.force_login(clerk_a)
    url = reverse("workorders:attachment-upload", args=[order_a.pk])

    response = client.post(url, {"files": [SimpleUploadedFile("scan.pdf", png_bytes())]})

    assert response.status_code == 400
    assert "文件内容与扩展名不符" in response.content.decode()
    assert Attachment.objects.count() == 0 and stored_files() == []


def test_outsider_cannot_upload_or_download(client, clerk_a, outsider_b, order_a):
    attachment = services.attachment_add(actor=clerk_a, order=order_a, upload=SimpleUploadedFile("a.pdf", pdf_bytes()))
    client.force_login(outsider_b)

    upload = client.post(
        reverse("workorders:attachment-upload", args=[order_a.pk]),
        {"files": [SimpleUploadedFile("b.pdf", pdf_bytes())]},
    )
    download = client.get(reverse("workorders:attachment-download", args=[order_a.pk, attachment.pk]))

    assert upload.status_code == 404 and download.status_code == 404
    assert Attachment.objects.count() == 1
    assert not Event.objects.filter(verb="workorder.attachment_downloaded").exists()


def test_the_download_is_an_attachment_with_safe_headers(client, clerk_a, order_a):
    attachment = services.attachment_add(
        actor=clerk_a, order=order_a, upload=SimpleUploadedFile("合同\r\n扫描件.pdf", pdf_bytes())
    )
    client.force_login(clerk_a)

    response = client.get(reverse("workorders:attachment-download", args=[order_a.pk, attachment.pk]))

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E5%90%88%E5%90%8C%E6%89%AB%E6%8F%8F%E4%BB%B6.pdf" in disposition
    assert "\r" not in disposition and "\n" not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf_bytes()
    event = Event.objects.get(verb="workorder.attachment_downloaded")
    assert (event.actor, event.target_id, event.payload["attachment"]) == (clerk_a, str(order_a.pk), attachment.pk)


def test_the_intake_form_attaches_files_and_keeps_the_form_when_one_is_bad(client, clerk_a, town_a):
    item = factories.service_item()
    client.force_login(clerk_a)
    data = {
        "channel": "window",
        "applicant_name": "李四",
        "applicant_phone": "13800138000",
        "service_item": item.pk,
        "area": town_a.pk,
        "description": "邻里纠纷，想咨询调解。",
    }
    url = reverse("workorders:intake") + "?channel=window"

    bad = client.post(url, {**data, "attachments": [SimpleUploadedFile("x.jpg", pdf_bytes())]})
    assert bad.status_code == 200
    assert "文件内容与扩展名不符" in bad.content.decode() and "邻里纠纷" in bad.content.decode()
    assert Attachment.objects.count() == 0 and stored_files() == []
    assert not services.WorkOrder.objects.exists()

    good = client.post(url, {**data, "attachments": [SimpleUploadedFile("x.pdf", pdf_bytes())]})
    assert good.status_code == 302
    assert Attachment.objects.get().work_order.applicant.name == "李四"


def test_a_citizen_may_attach_on_the_submit_page(client, town_a):
    factories.service_item(code="consultation")
    response = client.post(
        reverse("requests:submit"),
        {
            "kind": "consultation",
            "applicant_name": "王五",
            "applicant_phone": "13900139000",
            "area": town_a.code,
            "description": "劳动合同纠纷。",
            "notice": "on",
            "attachments": [SimpleUploadedFile("合同.jpg", jpeg_bytes(exif=exif_with_gps()))],
        },
    )

    assert response.status_code == 302, response.content.decode()
    attachment = Attachment.objects.get()
    assert attachment.uploaded_by is None and attachment.work_order.channel == Channel.WEB


# ---- API --------------------------------------------------------------------------------------


def test_the_api_uploads_and_lists_attachments(client, clerk_a, order_a):
    client.force_login(clerk_a)
    url = reverse("api:workorder-attachments", args=[order_a.pk])

    created = client.post(url, {"file": SimpleUploadedFile("a.png", png_bytes())})
    refused = client.post(url, {"file": SimpleUploadedFile("b.pdf", png_bytes())})
    listed = client.get(url)

    assert created.status_code == 201, created.content
    assert created.json()["content_type"] == "image/png"
    assert refused.status_code == 400
    assert "扩展名" in refused.content.decode()
    assert [row["original_name"] for row in listed.json()] == ["a.png"]
    assert Attachment.objects.count() == 1 and len(stored_files()) == 1


def test_the_api_hides_orders_outside_the_area(client, outsider_b, order_a):
    client.force_login(outsider_b)
    url = reverse("api:workorder-attachments", args=[order_a.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"file": SimpleUploadedFile("a.png", png_bytes())}).status_code == 404


def test_the_submitter_may_attach_to_an_order_a_post_assigned_automatically_until_someone_acts(
    town_a, clerk_a, director_a
):
    from open12348.workorders.models import Post, Status

    factories.post(town_a, code="consultation", members=[clerk_a, director_a], assignment=Post.Assignment.ROUND_ROBIN)
    factories.routing_rule("咨询岗", target="street", post_code="consultation")
    web = factories.make_order(actor=None, area=town_a, channel=Channel.WEB)
    assert web.status == Status.ASSIGNED  # by the post, at intake

    services.attachment_add(actor=None, order=web, upload=SimpleUploadedFile("a.pdf", pdf_bytes()))
    services.attachment_add(actor=None, order=web, upload=SimpleUploadedFile("b.pdf", pdf_bytes()))
    other = clerk_a if web.assignee == director_a else director_a
    services.workorder_transition(actor=director_a, order=web, action="assign", assignee=other)
    assert web.status == Status.ASSIGNED
    with pytest.raises(PermissionDenied):  # still 已分派, but the director has acted on it
        services.attachment_add(actor=None, order=web, upload=SimpleUploadedFile("c.pdf", pdf_bytes()))
    assert Attachment.objects.filter(work_order=web).count() == 2
