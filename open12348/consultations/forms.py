"""Forms of online consultation. They only check what a person typed; every write goes
through `consultations.services`, whose ValidationErrors `apply_service_errors` puts back on
the field of the same name (the input stays as typed)."""

import uuid

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from open12348.catalog.models import LegalCategory
from open12348.consultations.models import Shift
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import finder_areas
from open12348.workorders.forms_files import attachments_field

TITLE_MIN, TITLE_MAX = 5, 60
BODY_MIN, BODY_MAX = 10, 5000
ANSWER_MAX = 5000
MESSAGE_MAX = 2000
REASON_MAX = 200
INDENT = "\u3000"
PUBLIC, PRIVATE = "public", "private"


def _required(label, choose: bool = False) -> dict:
    return {"required": format_lazy(_("请选择{}。") if choose else _("请填写{}。"), label)}


def top_categories():
    """The 20 top-level legal categories, in their display order."""
    return LegalCategory.objects.filter(is_active=True, parent__isnull=True).order_by("sort", "code")


def area_choices() -> list[tuple[str, str]]:
    """Districts and towns a citizen can pick, indented by level."""
    areas = list(finder_areas().filter(level__in=[OrgNode.Level.DISTRICT, OrgNode.Level.STREET]).order_by("path"))
    top = min((area.depth for area in areas), default=0)
    return [(area.code, INDENT * max(area.depth - top, 0) + area.name) for area in areas]


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AskForm(forms.Form):
    title = forms.CharField(
        label=_("标题"),
        min_length=TITLE_MIN,
        max_length=TITLE_MAX,
        help_text=_("用一句话说明您的问题，5至60个字。例如：公司拖欠三个月工资怎么办？"),
        error_messages=_required(_("标题"))
        | {
            "min_length": _("标题至少需要%(limit_value)d个字（当前%(show_value)d字）。"),
            "max_length": _("标题不能超过%(limit_value)d个字（当前%(show_value)d字）。"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("问题描述"),
        min_length=BODY_MIN,
        max_length=BODY_MAX,
        help_text=_("请写清楚事情经过、涉及的人和时间、您想知道什么，10至5000个字。不要填写身份证号、银行卡号等信息。"),
        error_messages=_required(_("问题描述"))
        | {
            "min_length": _("问题描述至少需要%(limit_value)d个字（当前%(show_value)d字）。"),
            "max_length": _("问题描述不能超过%(limit_value)d个字（当前%(show_value)d字）。"),
        },
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    legal_category = CategoryChoiceField(
        label=_("问题类别"),
        required=False,
        queryset=LegalCategory.objects.none(),
        empty_label=_("不确定（由系统根据问题内容判断）"),
        help_text=_("输入问题后系统会建议一个类别，您也可以自己选择。"),
        error_messages={"invalid_choice": _("请从列表中选择问题类别。")},
    )
    area = forms.ChoiceField(
        label=_("您所在的地区"),
        help_text=_("由该地区的律师和法律服务志愿者解答。"),
        error_messages=_required(_("您所在的地区"), True) | {"invalid_choice": _("请从列表中选择地区。")},
    )
    visibility = forms.ChoiceField(
        label=_("是否公开"),
        choices=[(PUBLIC, _("公开")), (PRIVATE, _("不公开"))],
        initial=PUBLIC,
        widget=forms.RadioSelect,
        help_text=_("公开：去掉身份证号、手机号后展示给其他群众参考。不公开：只有您和解答您问题的律师、志愿者能看到。"),
        error_messages=_required(_("是否公开"), True) | {"invalid_choice": _("请选择公开或不公开。")},
    )
    attachments = attachments_field(_("相关材料（选填）"))
    submit_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, suggest_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_category"].queryset = top_categories()
        self.fields["area"].choices = [("", _("请选择地区")), *area_choices()]
        self.fields["attachments"].help_text = format_lazy(
            "{}{}", self.fields["attachments"].help_text, _("材料只提供给办理人员和解答者，不会公开展示。")
        )
        if suggest_url:
            # htmx: the category suggestion as the asker types (debounced; POST, the text may be long).
            for name in ("title", "body"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-post": suggest_url,
                        "hx-trigger": "input changed delay:600ms",
                        "hx-target": "#suggest-hint",
                        "hx-sync": "this:replace",
                        "hx-params": "csrfmiddlewaretoken,title,body,legal_category,suggested",
                    }
                )
        if not self.is_bound:
            self.initial.setdefault("submit_key", uuid.uuid4().hex)

    def clean_submit_key(self):
        key = (self.cleaned_data.get("submit_key") or "").strip()
        if not key or not all(c.isascii() and (c.isalnum() or c == "-") for c in key):
            # A form without a key (an old page): a fresh one still protects this one submit.
            key = uuid.uuid4().hex
        return key


class FilterForm(forms.Form):
    """The public list's filters; a bad value is ignored with a message, never an error page."""

    category = forms.ChoiceField(label=_("问题类别"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=50,
        error_messages={"max_length": _("关键词不能超过%(limit_value)d个字。")},
    )

    def __init__(self, *args, status_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("全部类别")), *((c.code, c.name) for c in top_categories())]
        self.fields["status"].choices = [("", _("全部状态")), *status_choices]
        self.fields["category"].error_messages["invalid_choice"] = _("请从列表中选择问题类别。")
        self.fields["status"].error_messages["invalid_choice"] = _("请从列表中选择状态。")


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("解答内容"),
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("请给出明确的法律依据和可操作的建议。解答将署您的公开称呼。"),
        error_messages=_required(_("解答内容"))
        | {"max_length": _("解答内容不能超过%(limit_value)d个字（当前%(show_value)d字）。")},
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("追问或回复"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=_required(_("追问或回复内容"))
        | {"max_length": _("内容不能超过%(limit_value)d个字（当前%(show_value)d字）。")},
    )


RATING_CHOICES = [
    ("5", _("5星 非常满意")),
    ("4", _("4星 满意")),
    ("3", _("3星 一般")),
    ("2", _("2星 不满意")),
    ("1", _("1星 非常不满意")),
]


class AdoptForm(forms.Form):
    answer = forms.IntegerField(widget=forms.HiddenInput, error_messages=_required(_("要采纳的解答"), True))
    rating = forms.TypedChoiceField(
        label=_("评价（选填）"),
        required=False,
        choices=[("", _("暂不评价")), *RATING_CHOICES],
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("请选择1至5星。")},
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评价"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=_required(_("评价"), True) | {"invalid_choice": _("请选择1至5星。")},
    )


class AnswerPickForm(forms.Form):
    answer = forms.IntegerField(widget=forms.HiddenInput, error_messages=_required(_("解答"), True))


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("关闭原因"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_required(_("关闭原因"))
        | {"max_length": _("关闭原因不能超过%(limit_value)d个字（当前%(show_value)d字）。")},
    )


class VolunteerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        unit = f"（{obj.unit.name}）" if obj.unit_id else ""
        return f"{obj.display_name}{unit}"


class DispatchForm(forms.Form):
    volunteer = VolunteerChoiceField(
        label=_("派给志愿者"),
        queryset=None,
        empty_label=_("请选择志愿者"),
        error_messages=_required(_("志愿者"), True) | {"invalid_choice": _("请从列表中选择志愿者。")},
    )

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers


class ShiftForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("星期"),
        choices=[("", _("请选择"))]
        + [(str(value), label) for value, label in Shift._meta.get_field("weekday").choices],
        coerce=int,
        error_messages=_required(_("星期"), True) | {"invalid_choice": _("请从列表中选择星期。")},
    )
    starts = forms.TimeField(
        label=_("开始时间"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages=_required(_("开始时间")) | {"invalid": _("请按“时:分”填写时间，例如 09:00。")},
    )
    ends = forms.TimeField(
        label=_("结束时间"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages=_required(_("结束时间")) | {"invalid": _("请按“时:分”填写时间，例如 17:30。")},
    )

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("结束时间必须晚于开始时间。"))
        return data
