"""Forms of the public directory pages (GET forms: they only read what was typed) and the
admin forms, whose writes go through directory.services."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.directory import selectors
from open12348.directory.models import Institution, Practitioner

INDENT = "\u3000"  # ideographic space: indents tree levels in a select
TABS = (("institutions", _("机构")), ("practitioners", _("人员")))
Q_MAX = 50


def _kind_choices(tab: str):
    kinds = Practitioner.Kind.choices if tab == "practitioners" else Institution.Kind.choices
    return [("", _("全部类型")), *kinds]


class DirectorySearchForm(forms.Form):
    """?tab=&kind=&specialty=<category code>&area=<org code>&q= — unknown values are messages."""

    tab = forms.ChoiceField(choices=TABS, required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("类型"), required=False)
    specialty = forms.ChoiceField(label=_("业务专长"), required=False)
    area = forms.ChoiceField(label=_("所在区域"), required=False)
    q = forms.CharField(
        label=_("名称或地址"),
        required=False,
        max_length=Q_MAX,
        error_messages={"max_length": _("查询文字不能超过%(limit_value)d个字。")},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tab = self._tab()
        self.fields["kind"].choices = _kind_choices(self.tab)
        self.fields["kind"].error_messages["invalid_choice"] = gettext("没有这种类型，请从列表中选择。")
        self.categories = {c.code: c for c in selectors.categories_for_filter()}
        self.fields["specialty"].choices = [("", _("全部专长"))] + [
            (c.code, INDENT + c.name if c.parent_id else c.name) for c in self.categories.values()
        ]
        self.fields["specialty"].error_messages["invalid_choice"] = gettext("没有这项业务专长，请从列表中选择。")
        areas = list(selectors.areas_for_filter())
        top = min((a.depth for a in areas), default=0)
        self.areas = {a.code: a for a in areas}
        self.fields["area"].choices = [("", _("全部区域"))] + [
            (a.code, INDENT * (a.depth - top) + a.name) for a in areas
        ]
        self.fields["area"].error_messages["invalid_choice"] = gettext("没有找到您选择的区域，请从列表中重新选择。")
        if self.tab == "practitioners":
            self.fields["q"].label = _("姓名")

    def _tab(self) -> str:
        value = (self.data.get("tab") or "") if self.is_bound else ""
        return value if value in dict(TABS) else "institutions"

    def filters(self) -> dict:
        """Selector arguments from a valid form."""
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "specialty": self.categories.get(data.get("specialty") or ""),
            "area": self.areas.get(data.get("area") or ""),
            "q": (data.get("q") or "").strip(),
        }


class CreditLookupForm(forms.Form):
    q = forms.CharField(
        label=_("姓名、机构名称或执业证号"),
        help_text=_("输入至少2个字；执业证号（或统一社会信用代码）须完整输入。"),
        max_length=selectors.CREDIT_QUERY_MAX,
        error_messages={
            "required": _("请输入要查询的姓名、机构名称或执业证号。"),
            "max_length": _("查询文字不能超过%(limit_value)d个字。"),
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def clean_q(self):
        value = self.cleaned_data["q"].strip()
        if len(value) < selectors.CREDIT_QUERY_MIN:
            raise forms.ValidationError(
                gettext("请输入至少{min}个字再查询。").format(min=selectors.CREDIT_QUERY_MIN), code="too_short"
            )
        return value
