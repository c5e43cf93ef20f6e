"""The multiple-file upload field of work-order forms (intake, citizen submit, detail page).
Each file is inspected by `workorders.uploads` while the form is cleaned, so a refused file
keeps the rest of the form as typed and nothing is written. Imports no other form module."""

from django import forms
from django.core.exceptions import ValidationError

from open12348.workorders import uploads

ACCEPT = ".jpg,.jpeg,.png,.pdf,.ofd,image/jpeg,image/png,application/pdf"
FILE_HELP = (
    f"可上传{uploads.ALLOWED_LABEL}格式，每个不超过{uploads.MAX_FILE_BYTES // uploads.MB}MB，"
    f"每件最多{uploads.MAX_FILES_PER_ORDER}个、合计不超过{uploads.MAX_ORDER_BYTES // uploads.MB}MB。"
    "图片中的拍摄地点等信息会被清除。"
)
FILE_ERRORS = {
    "invalid": "没有收到文件，请检查表单的编码方式。",
    "missing": "没有收到文件。",
    "empty": "文件是空的，请重新选择。",
    "required": "请选择要上传的文件。",
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
            f"每件工单最多上传{uploads.MAX_FILES_PER_ORDER}个附件（已有{count}个，本次选择了{len(files)}个）。",
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
        errors.append(f"每件工单的附件合计不能超过{uploads.MAX_ORDER_BYTES // uploads.MB}MB。")
    if errors:
        raise ValidationError(errors, code="file")
    return list(files)


def attachments_field(label: str = "附件（选填）") -> MultipleFileField:
    return MultipleFileField(label=label, required=False)
