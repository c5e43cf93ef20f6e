"""Administration of volunteer units and volunteers (E9), scoped to the administrator's area.
Writes go through `consultations.services` (permission-checked, audited); points come only
from the ledger. Questions, answers and the points ledger are shown read-only here: questions
are handled on the moderator's pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from open12348.consultations import services
from open12348.consultations.models import Consultation, PointEntry, Shift, Volunteer, VolunteerUnit
from open12348.orgs.selectors import in_area


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ShiftInline(ReadOnlyInline):
    model = Shift
    fields = ["weekday", "starts", "ends"]
    readonly_fields = fields
    verbose_name_plural = _("值班安排（志愿者在工作台中维护）")


class PointEntryInline(ReadOnlyInline):
    model = PointEntry
    fields = ["at", "points", "reason", "note"]
    readonly_fields = fields


@admin.register(VolunteerUnit)
class VolunteerUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    list_select_related = ["area"]

    def get_queryset(self, request):
        return in_area(super().get_queryset(request), request.user, via="area")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.volunteer_unit_save(actor=request.user, unit=obj)


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "kind", "unit", "area", "points", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["display_name"]
    list_select_related = ["unit", "area"]
    raw_id_fields = ["user", "practitioner"]
    filter_horizontal = ["specialties"]
    readonly_fields = ["points"]
    inlines = [ShiftInline, PointEntryInline]

    def get_queryset(self, request):
        return in_area(super().get_queryset(request), request.user, via="area")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.volunteer_save(actor=request.user, volunteer=obj, specialties=list(form.cleaned_data["specialties"]))

    def save_related(self, request, form, formsets, change):
        """Specialties are written by the service; the inlines are read-only."""


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["public_title", "status", "legal_category", "area", "is_public", "answer_due_at", "created_at"]
    list_filter = ["status", "is_public", "escalation"]
    search_fields = ["public_title"]
    list_select_related = ["legal_category", "area"]
    fields = [
        "public_title",
        "public_body",
        "status",
        "legal_category",
        "area",
        "is_public",
        "answer_due_at",
        "first_answered_at",
        "escalation",
        "adopted_at",
        "adopted_by_moderator",
        "rating",
        "closed_at",
        "close_reason",
        "view_count",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return in_area(super().get_queryset(request), request.user, via="area")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointEntry)
class PointEntryAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "points", "reason", "at"]
    list_filter = ["reason"]
    list_select_related = ["volunteer"]
    readonly_fields = ["volunteer", "points", "reason", "answer", "note", "at"]

    def get_queryset(self, request):
        return in_area(super().get_queryset(request), request.user, via="volunteer__area")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
