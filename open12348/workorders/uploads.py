"""Upload checks for work-order attachments (SECURITY.md C31). Pure: bytes in, verdict out —
no ORM, no storage. The type is sniffed from the content and must match the extension;
images are re-encoded (EXIF, GPS, comments and anything appended to the image dropped);
OFD containers (ZIP + XML) are opened with the limits of C31. Messages are Chinese."""

import io
import secrets
import stat
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB
MAX_FILES_PER_ORDER = 30
MAX_ORDER_BYTES = 100 * MB
MAX_PIXELS = 40_000_000
OFD_MAX_UNPACKED = 100 * MB
OFD_MAX_ENTRIES = 1000
OFD_MAX_RATIO = 100
OFD_ROOT_XML_MAX = 1 * MB
NAME_MAX = 200

# extension → kind; kind → (content type, stored extension, label)
EXTENSIONS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".pdf": "pdf", ".ofd": "ofd"}
KINDS = {
    "jpeg": ("image/jpeg", ".jpg", gettext_lazy("JPEG 图片")),
    "png": ("image/png", ".png", gettext_lazy("PNG 图片")),
    "pdf": ("application/pdf", ".pdf", gettext_lazy("PDF 文档")),
    "ofd": ("application/ofd", ".ofd", gettext_lazy("OFD 版式文档")),
}
ALLOWED_LABEL = "JPG、PNG、PDF、OFD"
# Active content a PDF viewer would run or launch: refused outright.
PDF_ACTIVE = (b"/JavaScript", b"/Launch")


class UploadRejected(ValueError):
    """The file is refused; `message` says why, in Chinese, for the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Checked:
    """What may be stored: the (possibly re-encoded) bytes and what they are."""

    data: bytes
    kind: str
    content_type: str
    extension: str
    original_name: str


def clean_name(name: str) -> str:
    """The original name as a person reads it: no directories, no control characters (CR/LF
    cannot reach a header), no leading dots, at most NAME_MAX characters."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = unicodedata.normalize("NFC", name).strip().lstrip(".").strip()
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:NAME_MAX]
    return name or _("附件")


def extension_of(name: str) -> str:
    return PurePosixPath(name.lower()).suffix


def sniff(head: bytes) -> str | None:
    """The kind the leading bytes show, or None. ZIP is reported as "zip" (OFD is checked
    separately: a ZIP is not an OFD until its container passes)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def storage_name(kind: str, *, prefix: str = "workorders") -> str:
    """A random name (128 bits) under `prefix`; nothing of the original name survives."""
    return f"{prefix}/{secrets.token_hex(2)}/{secrets.token_hex(16)}{KINDS[kind][1]}"


def check_size(size: int | None) -> None:
    if size is not None and size > MAX_FILE_BYTES:
        raise UploadRejected(_("文件过大：每个附件不能超过{max_file_mb}MB。").format(max_file_mb=MAX_FILE_BYTES // MB))


def check_order_limits(*, count: int, total: int, adding: int) -> None:
    """`count` files totalling `total` bytes are already on the order; one of `adding` bytes comes."""
    if count + 1 > MAX_FILES_PER_ORDER:
        raise UploadRejected(
            _("每件工单最多上传{max_files_per_order}个附件，已达上限。").format(max_files_per_order=MAX_FILES_PER_ORDER)
        )
    if total + adding > MAX_ORDER_BYTES:
        raise UploadRejected(
            _("每件工单的附件合计不能超过{max_order_mb}MB。").format(max_order_mb=MAX_ORDER_BYTES // MB)
        )


def inspect(data: bytes, name: str) -> Checked:
    """Accept, neutralise or refuse one file. Raises UploadRejected with the reason."""
    original = clean_name(name)
    check_size(len(data))
    if not data:
        raise UploadRejected(_("文件是空的，请重新选择。"))
    claimed = EXTENSIONS.get(extension_of(original))
    if claimed is None:
        raise UploadRejected(
            _("不支持该文件类型：只能上传{allowed_label}格式的文件。").format(allowed_label=ALLOWED_LABEL)
        )
    found = sniff(data[:16])
    if found == "zip" and claimed == "ofd":
        found = "ofd"
    if found is None or found == "zip":
        raise UploadRejected(
            _("文件内容不是{allowed_label}格式（按内容识别，而非扩展名），不能上传。").format(
                allowed_label=ALLOWED_LABEL
            )
        )
    if found != claimed:
        raise UploadRejected(
            _("文件内容与扩展名不符：扩展名是{extension}，内容却是{kind}，不能上传。").format(
                extension=extension_of(original), kind=KINDS[found][2]
            )
        )
    if found in ("jpeg", "png"):
        data = _reencode_image(data, found)
    elif found == "pdf":
        _check_pdf(data)
    else:
        _check_ofd(data)
    content_type, extension, _label = KINDS[found]
    return Checked(data=data, kind=found, content_type=content_type, extension=extension, original_name=original)


def _reencode_image(data: bytes, kind: str) -> bytes:
    """Decode and encode again: metadata (EXIF with GPS, XMP, comments, text chunks) and any
    bytes appended after the image are gone. The pixel count is checked from the header
    before anything is decoded."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise UploadRejected(
                        _("图片像素过大（{width}×{height}）：不能超过{max_pixels}万像素。").format(
                            width=width, height=height, max_pixels=MAX_PIXELS // 10_000
                        )
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)  # keep the picture upright once EXIF is gone
                if kind == "jpeg" and image.mode not in ("RGB", "L", "CMYK"):
                    image = image.convert("RGB")
                image.info = {}
                out = io.BytesIO()
                if kind == "jpeg":
                    image.save(out, format="JPEG", quality=92, optimize=True)
                else:
                    image.save(out, format="PNG", optimize=False)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected(
            _("图片像素过大：不能超过{max_pixels}万像素。").format(max_pixels=MAX_PIXELS // 10_000)
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise UploadRejected(_("图片已损坏或格式不正确，无法打开。")) from None
    result = out.getvalue()
    check_size(len(result))
    return result


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise UploadRejected(_("PDF 文件不完整或已损坏。"))
    for marker in PDF_ACTIVE:
        if marker in data:
            raise UploadRejected(_("PDF 文件含有脚本或自动运行的内容，出于安全原因不能上传。"))


def _unsafe_member(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return True
    if len(name) > 1 and name[1] == ":":  # C:...
        return True
    return any(part == ".." for part in name.split("/"))


def _check_ofd(data: bytes) -> None:
    """OFD (GB/T 33190) is a ZIP of XML: refuse bombs, too many entries, symlinks and
    paths that leave the container; the root must hold OFD.xml that is XML."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRejected(_("OFD 文件已损坏，无法打开。")) from None
    with archive:
        members = archive.infolist()
        if len(members) > OFD_MAX_ENTRIES:
            raise UploadRejected(
                _("OFD 文件内含文件过多（超过{ofd_max_entries}个），不能上传。").format(ofd_max_entries=OFD_MAX_ENTRIES)
            )
        unpacked = 0
        for info in members:
            if _unsafe_member(info.filename):
                raise UploadRejected(_("OFD 文件内含不安全的路径，不能上传。"))
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UploadRejected(_("OFD 文件内含符号链接，不能上传。"))
            unpacked += info.file_size
            if unpacked > OFD_MAX_UNPACKED:
                raise UploadRejected(
                    _("OFD 文件解压后过大（超过{ofd_max_unpacked_mb}MB），不能上传。").format(
                        ofd_max_unpacked_mb=OFD_MAX_UNPACKED // MB
                    )
                )
            if info.file_size > MB and info.file_size > OFD_MAX_RATIO * max(info.compress_size, 1):
                raise UploadRejected(_("OFD 文件压缩比异常（疑似压缩炸弹），不能上传。"))
        if unpacked > OFD_MAX_RATIO * max(len(data), 1):
            raise UploadRejected(_("OFD 文件压缩比异常（疑似压缩炸弹），不能上传。"))
        if "OFD.xml" not in archive.namelist():
            raise UploadRejected(_("不是有效的 OFD 文件（缺少 OFD.xml）。"))
        try:
            with archive.open("OFD.xml") as root:
                head = root.read(OFD_ROOT_XML_MAX + 1)
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError):
            raise UploadRejected(_("OFD 文件已损坏，无法打开。")) from None
        if len(head) > OFD_ROOT_XML_MAX:
            raise UploadRejected(_("OFD 文件的 OFD.xml 过大，不能上传。"))
        text = head.lstrip(b"\xef\xbb\xbf").lstrip()
        if not text.startswith(b"<") or b"<!DOCTYPE" in text or b"<!ENTITY" in text:
            raise UploadRejected(_("不是有效的 OFD 文件（OFD.xml 不是安全的 XML）。"))
