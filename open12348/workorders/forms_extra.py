"""Forms of attachments, joint review (联审会办), call backs, rating appeals, follow-ups and
the duty-roster and reception-day ledgers. They only check what a person typed; writes go
through `workorders.services`."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.orgs.models import OrgNode, Site, Window
from open12348.orgs.selectors import area_of, visible_orgs
from open12348.workorders.forms import AreaChoiceField, area_label
from open12348.workorders.forms_files import MultipleFileField

REQUIRED = _("请填写{}。")
CHOOSE = _("请选择{}。")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class AttachmentForm(forms.Form):
    """The upload form on the detail page."""

    files = MultipleFileField(label=_("选择文件"), required=True)

    def __init__(self, *args, count: int = 0, total: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].existing = (count, total)


# ---- Joint review ---------------------------------------------------------------------


class JointReviewForm(forms.Form):
    lead = AreaChoiceField(
        label=_("牵头单位"),
        queryset=OrgNode.objects.none(),
        empty_label=_("请选择"),
        error_messages={"required": _("请选择牵头单位。")},
    )
    orgs = forms.ModelMultipleChoiceField(
        label=_("会办单位"),
        queryset=OrgNode.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个会办单位。"), "invalid_choice": _("请选择有效的会办单位。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = visible_orgs(user).order_by("path")
        self.fields["lead"].queryset = orgs
        self.fields["lead"].top = min((node.depth for node in orgs), default=0)
        self.fields["orgs"].queryset = orgs
        self.fields["orgs"].label_from_instance = lambda node: area_label(node, self.fields["lead"].top)


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label=_("会办意见"),
        max_length=5000,
        error_messages={"required": format_lazy(REQUIRED, _("会办意见")), "max_length": _("会办意见不能超过5000字。")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# ---- Return visits: call backs, appeals, follow-ups ------------------------------------


class CallbackForm(forms.Form):
    correction = forms.CharField(
        label=_("更正内容（回拨群众时更正的答复）"),
        max_length=5000,
        error_messages={"required": format_lazy(REQUIRED, _("更正内容")), "max_length": _("更正内容不能超过5000字。")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RatingAppealForm(forms.Form):
    reason = forms.CharField(
        label=_("申诉理由"),
        max_length=2000,
        error_messages={"required": format_lazy(REQUIRED, _("申诉理由")), "max_length": _("申诉理由不能超过2000字。")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FollowUpResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("整改处理情况"),
        max_length=5000,
        error_messages={
            "required": format_lazy(REQUIRED, _("整改处理情况")),
            "max_length": _("处理情况不能超过5000字。"),
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppealDecideForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("审核结果"),
        choices=[("yes", _("申诉成立（撤销该评价）")), ("no", _("申诉不成立（维持评价）"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": format_lazy(CHOOSE, _("审核结果")),
            "invalid_choice": format_lazy(CHOOSE, _("审核结果")),
        },
    )
    note = forms.CharField(
        label=_("审核意见（选填）"),
        required=False,
        max_length=500,
        error_messages={"max_length": _("审核意见不能超过500字。")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# ---- Ledgers: duty roster and reception days -------------------------------------------


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": format_lazy(REQUIRED, label), "invalid": _("请输入有效的日期和时间。")},
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name or obj.username


class DutyShiftForm(forms.Form):
    org = AreaChoiceField(
        label=_("所属区域"),
        queryset=OrgNode.objects.none(),
        error_messages={"required": format_lazy(CHOOSE, _("所属区域")), "invalid_choice": _("请选择您辖区内的区域。")},
    )
    user = StaffChoiceField(
        label=_("值班人员"),
        queryset=get_user_model().objects.none(),
        error_messages={
            "required": format_lazy(CHOOSE, _("值班人员")),
            "invalid_choice": _("请选择您辖区内的工作人员。"),
        },
    )
    site = forms.ModelChoiceField(
        label=_("站点（选填）"),
        queryset=Site.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("请选择有效的站点。")},
    )
    window = forms.ModelChoiceField(
        label=_("窗口（选填）"),
        queryset=Window.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("请选择有效的窗口。")},
    )
    seat_label = forms.CharField(label=_("热线坐席（选填）"), required=False, max_length=40)
    starts_at = _datetime_field(_("开始时间"))
    ends_at = _datetime_field(_("结束时间"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = visible_orgs(user).order_by("path")
        self.fields["org"].queryset = orgs
        self.fields["org"].top = min((node.depth for node in orgs), default=0)
        area = area_of(user)
        path = area.path if area is not None else "\x00"
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, staff_profile__org__path__startswith=path)
            .order_by("username")
        )
        self.fields["site"].queryset = Site.objects.filter(org__path__startswith=path).order_by("name")
        self.fields["window"].queryset = (
            Window.objects.filter(site__org__path__startswith=path)
            .select_related("site")
            .order_by("site__name", "name")
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", gettext("结束时间应晚于开始时间。"))
        return cleaned


class ReceptionDayForm(forms.Form):
    org = AreaChoiceField(
        label=_("所属区域"),
        queryset=OrgNode.objects.none(),
        error_messages={"required": format_lazy(CHOOSE, _("所属区域")), "invalid_choice": _("请选择您辖区内的区域。")},
    )
    leader_name = forms.CharField(
        label=_("接待领导"), max_length=50, error_messages={"required": format_lazy(REQUIRED, _("接待领导"))}
    )
    date = forms.DateField(
        label=_("接待日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": format_lazy(REQUIRED, _("接待日期")), "invalid": _("请输入有效日期。")},
    )
    place = forms.CharField(
        label=_("接待地点"), max_length=120, error_messages={"required": format_lazy(REQUIRED, _("接待地点"))}
    )
    topic = forms.CharField(label=_("接待主题（选填）"), required=False, max_length=200)
    records = forms.CharField(
        label=_("接待记录（选填）"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = visible_orgs(user).order_by("path")
        self.fields["org"].queryset = orgs
        self.fields["org"].top = min((node.depth for node in orgs), default=0)
