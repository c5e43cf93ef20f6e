"""The search form of /laws/ (a GET form: it only reads what was typed)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.laws import selectors
from open12348.laws.models import Law
from open12348.laws.search import MAX_QUERY_CHARS, SearchFilters

STATUS_ALL = "all"
REGION_NATIONAL = "national"


class LawSearchForm(forms.Form):
    """?q=&level=&status=&region=&date_from=&date_to=&page= — wrong values become messages,
    never errors of the page; a status not given means "现行有效"."""

    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=MAX_QUERY_CHARS,
        strip=True,
        error_messages={"max_length": _("关键词不能超过%(limit_value)d个字，请精简后再查询。")},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "placeholder": _("如：劳动合同 解除")}),
    )
    level = forms.ChoiceField(label=_("效力级别"), required=False)
    status = forms.ChoiceField(label=_("时效性"), required=False)
    region = forms.ChoiceField(label=_("地区"), required=False)
    date_from = forms.DateField(
        label=_("施行日期自"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入正确的日期，如 2021-01-01。")},
    )
    date_to = forms.DateField(
        label=_("施行日期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入正确的日期，如 2021-12-31。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("全部级别")), *Law.Level.choices]
        self.fields["level"].error_messages["invalid_choice"] = gettext("没有这种效力级别，请从列表中选择。")
        self.fields["status"].choices = [
            ("", _("现行有效")),
            (Law.Status.AMENDED, _("已被修改")),
            (Law.Status.REPEALED, _("已废止")),
            (STATUS_ALL, _("全部")),
        ]
        self.fields["status"].error_messages["invalid_choice"] = gettext("没有这种时效性，请从列表中选择。")
        self.fields["region"].choices = [("", _("全部地区")), (REGION_NATIONAL, _("全国"))] + [
            (r, r) for r in selectors.region_choices()
        ]
        self.fields["region"].error_messages["invalid_choice"] = gettext("没有这个地区的法规，请从列表中选择。")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", gettext("结束日期不能早于开始日期。"))
        return data

    def search_filters(self) -> SearchFilters:
        data = self.cleaned_data
        status = data.get("status") or Law.Status.VALID
        region = data.get("region") or ""
        return SearchFilters(
            level=[data["level"]] if data.get("level") else [],
            status=[] if status == STATUS_ALL else [status],
            region=None if not region else ([""] if region == REGION_NATIONAL else [region]),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
