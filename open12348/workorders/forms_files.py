"""The multiple-file upload field of work-order forms (intake, citizen submit, detail page).
Each file is inspected by `workorders.uploads` while the form is cleaned, so a refused file
keeps the rest of the form as typed and nothing is written. Imports no other form module."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.workorders import uploads

ACCEPT = ".jpg,.jpeg,.png,.pdf,.ofd,image/jpeg,image/png,application/pdf"
FILE_HELP = format_lazy(
    _(
        "可上传{allowed}格式，每个不超过{max_file_mb}MB，"
        "每件最多{max_files}个、合计不超过{max_order_mb}MB。"
        "图片中的拍摄地点等信息会被清除。"
    ),
    allowed=uploads.ALLOWED_LABEL,
    max_file_mb=uploads.MAX_FILE_BYTES // uploads.MB,
    max_files=uploads.MAX_FILES_PER_ORDER,
    max_order_mb=uploads.MAX_ORDER_BYTES // uploads.MB,
)
FILE_ERRORS = {
    "invalid": _("没有收到文件，请检查表单的编码方式。"),
    "missing": _("没有收到文件。"),
    "empty": _("文件是空的，请重新选择。"),
    "required": _("请选择要上传的文件。"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleaned to a list (empty when none was chosen). Each file
    is inspected by `workorders.uploads` here, so a refused file keeps the rest of the form
    as typed and nothing is written. `existing` is (files, bytes) already on the order."""

    existing = (0, 0)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("error_messages", FILE_ERRORS)
        kwargs.setdefault("help_text", FILE_HELP)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [super(MultipleFileField, self).clean(item, initial) for item in files]
        files = [item for item in files if item]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        count, total = self.existing
        return check_files(files, count=count, total=total)


def check_files(files, *, count: int = 0, total: int = 0) -> list:
    """Inspect every file (type, size, pixels, container) and the per-order limits, given
    `count` files of `total` bytes already on the order. Errors name the file."""
    errors = []
    if count + len(files) > uploads.MAX_FILES_PER_ORDER:
        raise ValidationError(
            gettext("每件工单最多上传{max_files_per_order}个附件（已有{count}个，本次选择了{files_count}个）。").format(
                max_files_per_order=uploads.MAX_FILES_PER_ORDER, count=count, files_count=len(files)
            ),
            code="file",
        )
    for upload in files:
        name = uploads.clean_name(getattr(upload, "name", ""))
        try:
            uploads.check_size(upload.size)
            upload.seek(0)
            checked = uploads.inspect(upload.read(uploads.MAX_FILE_BYTES + 1), name)
            upload.seek(0)
        except uploads.UploadRejected as error:
            errors.append(f"{name}：{error.message}")
            continue
        total += len(checked.data)
    if total > uploads.MAX_ORDER_BYTES:
        errors.append(
            gettext("每件工单的附件合计不能超过{max_order_mb}MB。").format(
                max_order_mb=uploads.MAX_ORDER_BYTES // uploads.MB
            )
        )
    if errors:
        raise ValidationError(errors, code="file")
    return list(files)


def attachments_field(label: str = _("附件（选填）")) -> MultipleFileField:
    return MultipleFileField(label=label, required=False)
