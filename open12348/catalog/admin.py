"""Administration of the reference data: the service catalog and the legal categories.
Writes go through catalog.services (audit trail, validation of channels and time limits).
Nothing is deleted here — an item or category others refer to is switched off instead."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from open12348.catalog import services
from open12348.catalog.models import LegalCategory, ServiceItem


class ServiceItemForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("办理渠道"), choices=ServiceItem.Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    materials = forms.CharField(
        label=gettext_lazy("所需材料"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("每行一项。"),
    )

    class Meta:
        model = ServiceItem
        fields = ["code", *services.EDITABLE_SERVICE_ITEM_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "materials" in self.fields:
            self.initial["materials"] = "\n".join(self.instance.materials)

    def clean_materials(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["materials"].splitlines() if line.strip()]

    def clean_time_limit_days(self) -> int:
        days = self.cleaned_data["time_limit_days"]
        if days < 1:
            raise forms.ValidationError(_("办理时限至少为 1 个工作日。"))
        return days


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    form = ServiceItemForm
    list_display = ["name", "code", "category", "time_limit_days", "is_free", "is_core", "sort", "is_active"]
    list_filter = ["category", "is_core", "is_free", "is_active"]
    search_fields = ["name", "code", "responsible_body", "description"]
    ordering = ["sort", "code"]

    def get_readonly_fields(self, request, obj=None):
        # Sites, windows and work orders refer to an item by its code.
        return ["code"] if obj else []

    def save_model(self, request, obj, form, change):
        item = services.service_item_upsert(
            actor=request.user,
            code=obj.code,
            **{key: getattr(obj, key) for key in services.EDITABLE_SERVICE_ITEM_FIELDS},
        )
        _adopt(obj, item)

    def has_delete_permission(self, request, obj=None):
        return False


class LegalCategoryForm(forms.ModelForm):
    class Meta:
        model = LegalCategory
        fields = ["code", "name", "parent", "sort", "is_active"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.instance.pk:
            if parent.pk == self.instance.pk:
                raise forms.ValidationError(_("类别不能以自身为上级。"))
            if self.instance.children.exists():
                raise forms.ValidationError(_("该类别下还有下级类别，不能挂到其他类别之下。"))
        return parent


@admin.register(LegalCategory)
class LegalCategoryAdmin(admin.ModelAdmin):
    form = LegalCategoryForm
    list_display = ["name", "code", "parent", "sort", "is_active"]
    list_filter = ["is_active", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    fields = ["code", "name", "parent", "sort", "is_active"]
    ordering = ["parent__sort", "sort", "code"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # Two levels: a sub-category hangs under one of the top-level categories.
            kwargs["queryset"] = LegalCategory.objects.filter(parent__isnull=True).order_by("sort", "code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        category = services.legal_category_upsert(
            actor=request.user, code=obj.code, name=obj.name, parent=obj.parent, sort=obj.sort, is_active=obj.is_active
        )
        _adopt(obj, category)

    def has_delete_permission(self, request, obj=None):
        return False


def _adopt(obj, saved) -> None:
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db
    for f in type(saved)._meta.concrete_fields:
        setattr(obj, f.attname, getattr(saved, f.attname))
