"""Administration of institutions and practitioners (with their credit records), scoped to the
administrator's area. Every write goes through directory.services (validated, audited)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from open12348.directory import selectors, services
from open12348.directory.models import CreditRecord, Institution, Practitioner
from open12348.orgs.selectors import visible_orgs

CREDIT_FIELDS = ["kind", "decided_on", "reason", "measure", "issuing_body", "document_no", "public_until"]


def _service_errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DirectoryAdminMixin:
    """The form runs the service's checks while it is validated, so that errors come back on
    the page, per field, in Chinese, before anything is written; saving calls the service."""

    service = None  # the upsert of the model
    checker = None  # the check of the model (same arguments, writes nothing)
    instance_arg = ""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "area":
            kwargs["queryset"] = visible_orgs(request.user).order_by("path")
        elif db_field.name == "institution":
            kwargs["queryset"] = selectors.institutions_for_admin(request.user).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        admin_self = self

        class CheckedForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                try:
                    admin_self.service_check(request, self)
                except ValidationError as error:
                    _service_errors_to_form(self, error)
                except PermissionDenied as error:
                    self.add_error(None, str(error) or _("您没有执行此操作的权限。"))

        return CheckedForm

    def _arguments(self, request, form) -> dict:
        specialties = form.cleaned_data.get("specialties")
        return {
            "actor": request.user,
            "specialties": list(specialties) if specialties is not None else None,
            self.instance_arg: form.instance,
        }

    def service_check(self, request, form) -> None:
        type(self).checker(**self._arguments(request, form))

    def write(self, request, form):
        return type(self).service(**self._arguments(request, form))

    def save_model(self, request, obj, form, change):
        self.write(request, form)

    def save_related(self, request, form, formsets, change):
        # Specialties were set by the service; only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        return False  # a listing is withdrawn by unticking "公开", so its history stays


class CreditRecordFormSet(BaseInlineFormSet):
    """New records go through credit_record_check (on validation) and credit_record_add;
    removed ones through credit_record_remove."""

    def _subject(self) -> dict:
        subject = self.instance
        return {"institution": subject} if isinstance(subject, Institution) else {"practitioner": subject}

    @staticmethod
    def _values(form) -> dict:
        values = {name: form.cleaned_data.get(name) for name in CREDIT_FIELDS}
        return {k: ("" if v is None and k not in ("decided_on", "public_until") else v) for k, v in values.items()}

    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return
        for form in self.extra_forms:
            if not form.has_changed() or not form.is_valid() or self._should_delete_form(form):
                continue
            try:
                services.credit_record_check(actor=self.request.user, **self._subject(), **self._values(form))
            except ValidationError as error:
                _service_errors_to_form(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))

    def save(self, commit=True):
        request = self.request
        saved = []
        self.changed_objects, self.deleted_objects = [], []
        for form in self.deleted_forms:
            if form.instance.pk:
                self.deleted_objects.append(form.instance)
                services.credit_record_remove(actor=request.user, record=form.instance)
        for form in self.extra_forms:
            if not form.has_changed() or form in self.deleted_forms:
                continue
            saved.append(services.credit_record_add(actor=request.user, **self._subject(), **self._values(form)))
        self.new_objects = saved
        return saved


class CreditRecordInline(admin.StackedInline):
    """New records are added and wrong ones removed; a published record is never edited."""

    model = CreditRecord
    formset = CreditRecordFormSet
    extra = 0
    fields = CREDIT_FIELDS

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is not None and request.user.has_perm("directory.add_creditrecord")


class InstitutionCreditInline(CreditRecordInline):
    fk_name = "institution"


class PractitionerCreditInline(CreditRecordInline):
    fk_name = "practitioner"


@admin.register(Institution)
class InstitutionAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    service = services.institution_upsert
    checker = services.institution_check
    instance_arg = "institution"
    inlines = [InstitutionCreditInline]
    list_display = ["name", "kind", "area", "team_size", "phone", "is_active", "is_fictitious"]
    list_filter = ["kind", "is_active", "is_fictitious"]
    search_fields = ["name", "address", "credit_code", "licence_no"]
    list_select_related = ["area"]
    filter_horizontal = ["specialties"]

    def get_queryset(self, request):
        return selectors.institutions_for_admin(request.user)


@admin.register(Practitioner)
class PractitionerAdmin(DirectoryAdminMixin, admin.ModelAdmin):
    service = services.practitioner_upsert
    checker = services.practitioner_check
    instance_arg = "practitioner"
    inlines = [PractitionerCreditInline]
    list_display = ["name", "kind", "licence_no", "institution", "area", "is_active", "is_fictitious"]
    list_filter = ["kind", "is_active", "is_fictitious"]
    search_fields = ["name", "licence_no", "institution__name"]
    list_select_related = ["area", "institution"]
    filter_horizontal = ["specialties"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        return selectors.practitioners_for_admin(request.user)
