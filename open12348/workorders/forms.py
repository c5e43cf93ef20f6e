"""Forms of the work-order pages. They only check what a person typed; every write goes
through `workorders.services`, whose ValidationErrors `apply_service_errors` (accounts.forms)
puts back on the field of the same name."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.core import pii
from open12348.orgs.models import OrgNode
from open12348.workorders.forms_files import attachments_field
from open12348.workorders.models import Channel, ReferralBody, ReturnVisit, Satisfaction, Status

REQUIRED = _("请填写{}。")
CHOOSE = _("请选择{}。")
INDENT = "\u3000"  # ideographic space: indents tree levels in a select
PARTY_SLOTS = 2
MAX_DESCRIPTION = 5000


def _required(label: str, choose: bool = False) -> dict[str, str]:
    return {"required": format_lazy(CHOOSE if choose else REQUIRED, label)}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def area_label(node: OrgNode, top: int = 0) -> str:
    return INDENT * max(node.depth - top, 0) + node.name


def category_label(category: LegalCategory) -> str:
    return INDENT + category.name if category.parent_id else category.name


def clean_phone_value(value: str, *, mobile_only: bool = False) -> str:
    try:
        return pii.validate_phone(value, mobile_only=mobile_only)
    except ValidationError as error:
        raise ValidationError(error.messages, code="phone") from None


class AreaChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, top: int = 0, **kwargs):
        self.top = top
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return area_label(obj, self.top)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return category_label(obj)


class ServiceItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return (
            gettext("{name}（{time_limit_days}个工作日）").format(name=obj.name, time_limit_days=obj.time_limit_days)
            if obj.time_limit_days
            else obj.name
        )


def ordered_categories():
    """Top-level categories each followed by its sub-categories."""
    rows = list(LegalCategory.objects.filter(is_active=True).order_by("sort", "code"))
    children: dict[int | None, list] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    ordered = []
    for top in children.get(None, []):
        ordered.append(top)
        ordered.extend(children.get(top.pk, []))
    return ordered


# ---- Staff: inbox filters ------------------------------------------------------------


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100, help_text=_("查询码、申请人姓名或诉求内容"))
    status = forms.ChoiceField(label=_("状态"), required=False)
    channel = forms.ChoiceField(label=_("渠道"), required=False)
    service_item = forms.ChoiceField(label=_("服务事项"), required=False)
    date_from = forms.DateField(
        label=_("受理日期从"), required=False, widget=_date_input(), error_messages={"invalid": _("请输入有效日期。")}
    )
    date_to = forms.DateField(
        label=_("受理日期至"), required=False, widget=_date_input(), error_messages={"invalid": _("请输入有效日期。")}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", gettext("全部状态")), *Status.choices]
        self.fields["channel"].choices = [("", gettext("全部渠道")), *Channel.choices]
        items = ServiceItem.objects.filter(is_active=True).order_by("sort", "code")
        self.fields["service_item"].choices = [("", gettext("全部事项"))] + [(item.code, item.name) for item in items]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", gettext("结束日期不能早于开始日期。"))
        return cleaned


class DateRangeForm(forms.Form):
    date_from = forms.DateField(
        label=_("日期从"), required=False, widget=_date_input(), error_messages={"invalid": _("请输入有效日期。")}
    )
    date_to = forms.DateField(
        label=_("日期至"), required=False, widget=_date_input(), error_messages={"invalid": _("请输入有效日期。")}
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", gettext("结束日期不能早于开始日期。"))
        return cleaned


# ---- Staff: intake -------------------------------------------------------------------

INTAKE_CHANNELS = {Channel.WINDOW: _("窗口受理登记"), Channel.HOTLINE: _("热线来电登记")}


class IntakeForm(forms.Form):
    """Window and hotline intake. Field names are `workorder_create`'s argument names."""

    channel = forms.ChoiceField(choices=[(c.value, c.label) for c in INTAKE_CHANNELS], widget=forms.HiddenInput)
    applicant_name = forms.CharField(
        label=_("申请人姓名"),
        max_length=50,
        error_messages=_required(_("申请人姓名")),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        error_messages=_required(_("联系电话")),
        help_text=_("输入后下方显示该号码的既往诉求（未办结的在前）。"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_resident_id = forms.CharField(
        label=_("身份证号码（选填）"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    service_item = ServiceItemChoiceField(
        label=_("服务事项"),
        queryset=ServiceItem.objects.none(),
        empty_label=_("请选择"),
        error_messages=_required(_("服务事项"), True),
    )
    legal_category = CategoryChoiceField(
        label=_("法律类别（选填）"), queryset=LegalCategory.objects.none(), required=False, empty_label=_("未分类")
    )
    area = AreaChoiceField(
        label=_("诉求所在区域"),
        queryset=OrgNode.objects.none(),
        empty_label=None,
        error_messages=_required(_("诉求所在区域"), True),
    )
    description = forms.CharField(
        label=_("诉求内容"),
        max_length=MAX_DESCRIPTION,
        error_messages=_required(_("诉求内容"))
        | {"max_length": format_lazy(_("诉求内容不能超过{max_description}字。"), max_description=MAX_DESCRIPTION)},
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    is_complex = forms.BooleanField(label=_("疑难复杂事项（上报市级办理）"), required=False)
    green_channel = forms.BooleanField(label=_("绿色通道（老年人、残疾人、农民工等优先办理）"), required=False)
    attachments = attachments_field(_("材料附件（选填）"))

    def __init__(self, *args, user, channel: str = Channel.WINDOW, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        items = ServiceItem.objects.filter(is_active=True).order_by("sort", "code")
        codes = [item.code for item in items if not item.channels or channel in item.channels]
        self.fields["service_item"].queryset = items.filter(code__in=codes)
        self.fields["legal_category"].queryset = LegalCategory.objects.filter(is_active=True)
        self.fields["legal_category"].choices = [("", gettext("未分类"))] + [
            (category.pk, category_label(category)) for category in ordered_categories()
        ]
        areas = areas if areas is not None else OrgNode.objects.none()
        self.fields["area"].queryset = areas
        self.fields["area"].top = min((node.depth for node in areas), default=0)
        for slot in range(1, PARTY_SLOTS + 1):
            self.fields[f"party{slot}_name"] = forms.CharField(
                label=gettext("对方当事人{slot}姓名或名称（选填）").format(slot=slot), required=False, max_length=100
            )
            self.fields[f"party{slot}_phone"] = forms.CharField(
                label=gettext("对方当事人{slot}联系电话（选填）").format(slot=slot),
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "off"}),
            )

    def clean_applicant_name(self):
        name = (self.cleaned_data.get("applicant_name") or "").strip()
        if not name:
            raise ValidationError(REQUIRED.format(gettext("申请人姓名")), code="required")
        return name

    def clean_applicant_phone(self):
        return clean_phone_value(self.cleaned_data["applicant_phone"])

    def clean_applicant_resident_id(self):
        value = (self.cleaned_data.get("applicant_resident_id") or "").strip()
        if not value:
            return ""
        try:
            return pii.validate_resident_id(value)
        except ValidationError as error:
            raise ValidationError(error.messages, code="resident_id") from None

    def clean_description(self):
        text = (self.cleaned_data.get("description") or "").strip()
        if not text:
            raise ValidationError(REQUIRED.format(gettext("诉求内容")), code="required")
        return text

    def clean(self):
        cleaned = super().clean()
        for slot in range(1, PARTY_SLOTS + 1):
            name = (cleaned.get(f"party{slot}_name") or "").strip()
            phone = (cleaned.get(f"party{slot}_phone") or "").strip()
            if phone and not name:
                self.add_error(f"party{slot}_name", gettext("填写了当事人电话，请同时填写其姓名或名称。"))
            elif phone:
                try:
                    cleaned[f"party{slot}_phone"] = clean_phone_value(phone)
                except ValidationError as error:
                    self.add_error(f"party{slot}_phone", error)
        return cleaned

    def parties(self) -> list[dict]:
        found = []
        for slot in range(1, PARTY_SLOTS + 1):
            name = (self.cleaned_data.get(f"party{slot}_name") or "").strip()
            if name:
                found.append({"name": name, "phone": self.cleaned_data.get(f"party{slot}_phone") or ""})
        return found

    def party_fields(self):
        return [self[f"party{slot}_{part}"] for slot in range(1, PARTY_SLOTS + 1) for part in ("name", "phone")]

    def main_fields(self):
        return [self[name] for name in ("applicant_name", "applicant_phone", "applicant_resident_id")]

    def matter_fields(self):
        return [self[name] for name in ("service_item", "legal_category", "area", "description")]


# ---- Staff: detail page --------------------------------------------------------------


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("内容"),
        max_length=MAX_DESCRIPTION,
        error_messages=_required(_("记录内容")),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_public = forms.BooleanField(label=_("群众可见（作为答复显示在群众的查询页面上）"), required=False)

    def clean_body(self):
        text = (self.cleaned_data.get("body") or "").strip()
        if not text:
            raise ValidationError(REQUIRED.format(gettext("记录内容")), code="required")
        return text


OUTCOMES = [
    ("answered", _("已解答")),
    ("handled", _("已办理完毕")),
    ("mediated", _("调解成功")),
    ("mediation_failed", _("调解不成，已告知其他途径")),
    ("guided", _("已指引至有关部门")),
    ("not_reachable", _("无法联系申请人")),
    ("other", _("其他")),
]
OUTCOME_LABELS = dict(OUTCOMES)


class ActionForm(forms.Form):
    """One form for every transition; which details are required depends on the action
    (the service decides and says so with a ValidationError)."""

    action = forms.CharField(max_length=30)
    reason = forms.CharField(
        label=_("原因或说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome_code = forms.ChoiceField(label=_("办理结果"), required=False, choices=[("", _("请选择")), *OUTCOMES])
    reply = forms.CharField(
        label=_("答复群众"), required=False, max_length=MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 3})
    )
    referred_to = forms.ChoiceField(
        label=_("转往部门"), required=False, choices=[("", _("请选择")), *ReferralBody.choices]
    )
    referred_to_name = forms.CharField(label=_("接收单位名称"), required=False, max_length=100)
    assignee = forms.IntegerField(label=_("承办人"), required=False)
    org = forms.CharField(label=_("转办单位"), required=False, max_length=12)
    into = forms.CharField(label=_("合并至（查询码）"), required=False, max_length=12)


SATISFACTION_CHOICES = [(str(value), label) for value, label in Satisfaction.choices]


class ReturnVisitForm(forms.Form):
    METHODS = [(m.value, m.label) for m in (ReturnVisit.Method.PHONE, ReturnVisit.Method.SMS, ReturnVisit.Method.VISIT)]
    method = forms.ChoiceField(
        label=_("回访方式"),
        choices=METHODS,
        initial=ReturnVisit.Method.PHONE,
        widget=forms.RadioSelect,
        error_messages=_required(_("回访方式"), True),
    )
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=_required(_("满意度"), True),
    )
    comment = forms.CharField(
        label=_("群众意见（选填）"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


# ---- Citizens ------------------------------------------------------------------------

# kind → (label, catalog code of the service item the order is filed under)
PUBLIC_KINDS = {
    "consultation": (_("法律咨询"), "consultation"),
    "complaint": (_("投诉"), "complaint"),
    "suggestion": (_("意见建议"), "complaint"),
    "other": (_("其他诉求"), "consultation"),
}


class PublicRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("诉求类型"),
        choices=[(key, label) for key, (label, _code) in PUBLIC_KINDS.items()],
        initial="consultation",
        widget=forms.RadioSelect,
        error_messages=_required(_("诉求类型"), True),
    )
    applicant_name = forms.CharField(
        label=_("您的姓名"),
        max_length=50,
        error_messages=_required(_("您的姓名")),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    applicant_phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        error_messages=_required(_("手机号码")),
        help_text=_("用于联系您和回访，也是查询办理进度的凭证。"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel-national", "inputmode": "numeric"}),
    )
    area = forms.ChoiceField(label=_("您所在的区域"), error_messages=_required(_("您所在的区域"), True))
    description = forms.CharField(
        label=_("诉求内容"),
        max_length=MAX_DESCRIPTION,
        help_text=_("请写明发生了什么、您希望得到什么帮助。请勿填写身份证号码、银行卡号等无关的个人信息。"),
        error_messages=_required(_("诉求内容"))
        | {"max_length": format_lazy(_("诉求内容不能超过{max_description}字。"), max_description=MAX_DESCRIPTION)},
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = attachments_field(_("相关材料（选填）"))
    notice = forms.BooleanField(
        label=_("我已阅读并同意个人信息保护告知"),
        error_messages={"required": _("请阅读个人信息保护告知，并勾选“我已阅读并同意”。")},
    )

    def __init__(self, *args, area_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", gettext("请选择"))] + list(area_choices)

    def clean_applicant_name(self):
        name = (self.cleaned_data.get("applicant_name") or "").strip()
        if not name:
            raise ValidationError(REQUIRED.format(gettext("您的姓名")), code="required")
        return name

    def clean_applicant_phone(self):
        return clean_phone_value(self.cleaned_data["applicant_phone"], mobile_only=True)

    def clean_description(self):
        text = (self.cleaned_data.get("description") or "").strip()
        if not text:
            raise ValidationError(REQUIRED.format(gettext("诉求内容")), code="required")
        return text


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=20,
        error_messages=_required(_("查询码")),
        help_text=_("提交诉求后页面上显示的查询码。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        error_messages=_required(_("手机号码")),
        help_text=_("提交诉求时填写的手机号码。"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel-national", "inputmode": "numeric"}),
    )

    def clean_code(self):
        return "".join((self.cleaned_data.get("code") or "").split()).upper()

    def clean_phone(self):
        return pii.normalise_phone(self.cleaned_data.get("phone") or "")


class RatingForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("您对办理结果是否满意"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=_required(_("满意程度"), True),
    )
    comment = forms.CharField(
        label=_("意见和建议（选填）"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
