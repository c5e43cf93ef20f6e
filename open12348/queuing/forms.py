"""Forms of the hall pages. They check what a person typed and hand clean values to the
services (queuing.services), which check again and write; no form saves anything."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.core import pii
from open12348.queuing.models import Device, GreenReason
from open12348.workorders.models import Satisfaction

PHONE_ERROR = _("手机号码格式不正确，请输入11位手机号码。")
RESIDENT_ID_ERROR = _("身份证号码不正确，请核对后重新输入（18位，最后一位可以是X）。")
RATING_CHOICES = [(level.value, level.label) for level in Satisfaction]
PART_CHOICES = [("", _("不评"))] + RATING_CHOICES
STATS_MAX_DAYS = 366


def _keypad_input(label: str, *, maxlength: int, autocomplete: str = "off") -> forms.TextInput:
    # inputmode "none": the kiosk's own keypad types here, the tablet's keyboard stays closed.
    return forms.TextInput(
        attrs={
            "inputmode": "none",
            "autocomplete": autocomplete,
            "maxlength": maxlength,
            "class": "keypad-target",
            "data-keypad-label": label,
        }
    )


class TicketForm(forms.Form):
    """Kiosk: one service (the button pressed), optionally a phone number, a resident ID
    number and a staff member from the staff board."""

    service = forms.CharField(required=False, max_length=40)
    staff = forms.IntegerField(required=False, min_value=1)
    phone = forms.CharField(
        label=_("手机号码（选填，用于叫号提醒）"),
        required=False,
        max_length=20,
        widget=_keypad_input(_("手机号码"), maxlength=11),
    )
    resident_id = forms.CharField(
        label=_("身份证号码（选填，70岁以上老人优先办理）"),
        required=False,
        max_length=18,
        widget=_keypad_input(_("身份证号码"), maxlength=18),
    )
    green_reason = forms.ChoiceField(
        label=_("绿色通道（优先办理，窗口工作人员将核验）"),
        required=False,
        choices=[("", _("不需要"))]
        + [(value, label) for value, label in GreenReason.choices if value != GreenReason.ELDERLY],
        help_text=_("70周岁以上老人填写身份证号码即可，不必选择。"),
    )
    # One per screen: a retried submission (network blip) gets the same ticket, not a second.
    request_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_phone(self) -> str:
        raw = (self.cleaned_data.get("phone") or "").strip()
        if not raw:
            return ""
        try:
            return pii.validate_phone(raw, mobile_only=True)
        except ValidationError:
            raise ValidationError(PHONE_ERROR) from None

    def clean_resident_id(self) -> str:
        raw = (self.cleaned_data.get("resident_id") or "").strip()
        if not raw:
            return ""
        try:
            return pii.validate_resident_id(raw)
        except ValidationError:
            raise ValidationError(RESIDENT_ID_ERROR) from None


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("预约码"),
        max_length=20,
        error_messages={"required": _("请输入预约码。"), "max_length": _("预约码不正确。")},
        widget=_keypad_input(_("预约码"), maxlength=8),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class EvaluationForm(forms.Form):
    ticket_id = forms.IntegerField(
        min_value=1, widget=forms.HiddenInput, error_messages={"required": _("没有待评价的服务。")}
    )
    overall = forms.TypedChoiceField(
        label=_("总体评价"),
        choices=RATING_CHOICES,
        coerce=int,
        error_messages={"required": _("请选择总体评价。"), "invalid_choice": _("请选择总体评价。")},
    )
    attitude = forms.TypedChoiceField(
        label=_("服务态度"), choices=PART_CHOICES, coerce=int, required=False, empty_value=None
    )
    efficiency = forms.TypedChoiceField(
        label=_("办事效率"), choices=PART_CHOICES, coerce=int, required=False, empty_value=None
    )
    competence = forms.TypedChoiceField(
        label=_("业务水平"), choices=PART_CHOICES, coerce=int, required=False, empty_value=None
    )


class FinishForm(forms.Form):
    """Window console: finish the current ticket and open a work order from it, or link an
    order that already exists (tracking code or number)."""

    description = forms.CharField(
        label=_("诉求内容"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("填写后将以“窗口”渠道生成工单；已有工单时请在下方填写查询码或编号。"),
    )
    applicant_name = forms.CharField(label=_("申请人姓名"), required=False, max_length=50)
    applicant_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    resolve = forms.BooleanField(
        label=_("当场办结"),
        required=False,
        initial=True,
        help_text=_(
            "窗口已当场解答或办理完毕：生成的工单直接办结，评价器的评价记为该工单的回访。"
            "需转交后台继续办理的（如法律援助申请），请取消勾选。"
        ),
    )
    reply = forms.CharField(
        label=_("给群众的答复（当场办结时，可选）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    existing_order = forms.CharField(label=_("关联已有工单（查询码或编号）"), required=False, max_length=40)

    def clean_applicant_phone(self) -> str:
        raw = (self.cleaned_data.get("applicant_phone") or "").strip()
        if not raw:
            return ""
        try:
            return pii.validate_phone(raw)
        except ValidationError:
            raise ValidationError(gettext("联系电话格式不正确。")) from None

    def clean(self):
        data = super().clean()
        if not (data.get("description") or "").strip() and not (data.get("existing_order") or "").strip():
            if not self.errors:
                raise ValidationError(gettext("请填写诉求内容，或填写要关联的已有工单。"))
        if (data.get("description") or "").strip() and not (data.get("applicant_name") or "").strip():
            self.add_error("applicant_name", gettext("生成工单需要填写申请人姓名。"))
        return data


class TransferForm(forms.Form):
    service_code = forms.ChoiceField(
        label=_("转到业务"),
        error_messages={"required": _("请选择要转到的业务。"), "invalid_choice": _("请选择要转到的业务。")},
    )

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_code"].choices = [("", gettext("请选择"))] + [
            (s.code, f"{s.prefix} {s.name}") for s in services
        ]


class DeviceCreateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("设备类型"),
        choices=[("", _("请选择"))] + list(Device.Kind.choices),
        error_messages={"required": _("请选择设备类型。"), "invalid_choice": _("请选择设备类型。")},
    )
    name = forms.CharField(label=_("设备名称"), max_length=50, error_messages={"required": _("请填写设备名称。")})
    window = forms.ModelChoiceField(
        label=_("绑定窗口"),
        queryset=None,
        required=False,
        empty_label=_("不绑定"),
        help_text=_("评价器和窗口LED屏须绑定窗口。"),
        error_messages={"invalid_choice": _("请选择本站点的窗口。")},
    )

    def __init__(self, *args, windows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["window"].queryset = windows

    def clean(self):
        data = super().clean()
        if data.get("kind") in (Device.Kind.EVALUATOR, Device.Kind.LED) and not data.get("window"):
            self.add_error("window", gettext("评价器和窗口LED屏须绑定窗口。"))
        return data


class StatsRangeForm(forms.Form):
    day_from = forms.DateField(
        label=_("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入正确的日期。")},
    )
    day_to = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入正确的日期。")},
    )

    def clean(self):
        data = super().clean()
        day_from, day_to = data.get("day_from"), data.get("day_to")
        if day_from and day_to:
            if day_from > day_to:
                raise ValidationError(gettext("开始日期不能晚于结束日期。"))
            if (day_to - day_from) > datetime.timedelta(days=STATS_MAX_DAYS):
                raise ValidationError(gettext("统计区间最长一年。"))
        return data
