"""Forms of publishing. They only check what a person typed; writes go through
`content.services`, whose ValidationErrors `apply_service_errors` puts back on the field of
the same name (the input stays as typed)."""

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from open12348.catalog.models import LegalCategory
from open12348.content import sanitize, selectors, services
from open12348.content.models import Article

REQUIRED = _("请填写{}。")
CHOOSE = _("请选择{}。")
INDENT = "\u3000"
BODY_HELP = format_lazy(
    _("可直接输入文字（空行分段），也可使用以下格式标签：{tags}。脚本、样式、图片和事件属性等会在保存时被清除。"),
    tags="p、br、strong、em、ul、ol、li、h2、h3、a、blockquote、table",
)


def _required(label, choose: bool = False) -> dict:
    return {"required": format_lazy(CHOOSE if choose else REQUIRED, label)}


class CategoryMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return INDENT + obj.name if obj.parent_id else obj.name


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ArticleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("栏目"),
        choices=Article.Kind.choices,
        error_messages=_required(_("栏目"), True) | {"invalid_choice": _("请从列表中选择栏目。")},
    )
    title = forms.CharField(
        label=_("标题"),
        max_length=services.TITLE_MAX,
        error_messages=_required(_("标题"))
        | {"max_length": _("标题不能超过%(limit_value)d个字（当前%(show_value)d字）。")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    area = AreaChoiceField(
        label=_("发布区域"),
        queryset=None,
        help_text=_("市级信息显示在市门户和各区县子站，区县信息只显示在本区县子站。"),
        error_messages=_required(_("发布区域"), True) | {"invalid_choice": _("请从列表中选择发布区域。")},
    )
    summary = forms.CharField(
        label=_("摘要（选填）"),
        required=False,
        max_length=services.SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("摘要不能超过%(limit_value)d个字（当前%(show_value)d字）。")},
    )
    body = forms.CharField(
        label=_("正文"),
        strip=False,
        max_length=services.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=BODY_HELP,
        error_messages=_required(_("正文"))
        | {"max_length": _("正文不能超过%(limit_value)d个字符（当前%(show_value)d个）。")},
    )
    categories = CategoryMultipleChoiceField(
        label=_("法律类别（选填，可多选）"),
        required=False,
        queryset=LegalCategory.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={
            "invalid_choice": _("请从列表中选择法律类别。"),
            "invalid_pk_value": _("请从列表中选择法律类别。"),
        },
    )
    interprets = forms.ModelChoiceField(
        label=_("解读的政策（仅“政策解读”栏目）"),
        required=False,
        queryset=Article.objects.none(),
        error_messages={"invalid_choice": _("请从列表中选择已发布的政策文件。")},
    )
    source = forms.CharField(label=_("来源（选填）"), required=False, max_length=services.SOURCE_MAX)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = services.publishing_areas(user)
        self.fields["categories"].queryset = _tree_ordered()
        self.fields["interprets"].queryset = selectors.published_policies()

    @staticmethod
    def initial_from(article: Article) -> dict:
        return {
            "kind": article.kind,
            "title": article.title,
            "area": article.area_id,
            "summary": article.summary,
            "body": article.body,
            "categories": list(article.categories.values_list("pk", flat=True)),
            "interprets": article.interprets_id,
            "source": article.source,
        }

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not sanitize.visible_text(sanitize.clean_html(body)):
            raise forms.ValidationError(_("请填写正文（不安全的代码会被清除，清除后正文为空）。"))
        return body


def _tree_ordered():
    """Top-level categories each followed by their sub-categories."""
    rows = list(LegalCategory.objects.filter(is_active=True).order_by("sort", "code"))
    ordered = []
    for top in (row for row in rows if row.parent_id is None):
        ordered.append(top.pk)
        ordered.extend(row.pk for row in rows if row.parent_id == top.pk)
    position = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ordered)], output_field=IntegerField())
    return LegalCategory.objects.filter(pk__in=ordered).annotate(position=position).order_by("position")


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(key, label) for key, label in services.ACTION_LABELS.items()])
    reason = forms.CharField(
        label=_("原因"),
        required=False,
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("原因不能超过%(limit_value)d个字（当前%(show_value)d字）。")},
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("附件"),
        help_text=_("可上传 JPG、PNG、PDF、OFD 格式，每个不超过20MB；按文件内容识别类型并进行病毒扫描。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.ofd"}),
        error_messages={
            "required": _("请选择要上传的文件。"),
            "empty": _("文件是空的，请重新选择。"),
            "invalid": _("没有收到文件，请检查表单的编码方式。"),
            "missing": _("没有收到文件。"),
        },
    )


class PublicFilterForm(forms.Form):
    """The public list's filters; a bad value is ignored with a message, never an error page."""

    kind = forms.ChoiceField(label=_("栏目"), required=False, choices=[("", _("全部栏目")), *Article.Kind.choices])
    category = forms.ChoiceField(label=_("法律类别"), required=False)
    q = forms.CharField(
        label=_("标题关键词"),
        required=False,
        max_length=50,
        error_messages={"max_length": _("关键词不能超过%(limit_value)d个字。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tops = LegalCategory.objects.filter(is_active=True, parent__isnull=True).order_by("sort", "code")
        self.fields["category"].choices = [("", _("全部类别")), *((c.code, c.name) for c in tops)]
        self.fields["category"].error_messages["invalid_choice"] = _("请从列表中选择法律类别。")
        self.fields["kind"].error_messages["invalid_choice"] = _("请从列表中选择栏目。")
