"""Administration of the administrative tree, sites and windows. Every list is scoped to the
administrator's own subtree through orgs.selectors (a system administrator at the city root
sees the whole city), and every write goes through orgs.services, so the audit trail and
the idempotency rules apply here as everywhere else."""

from django.contrib import admin

from open12348.catalog.models import ServiceItem
from open12348.orgs import services
from open12348.orgs.models import OrgNode, Site, SiteContact, SiteQRCode, Window
from open12348.orgs.selectors import in_area, visible_orgs


class AreaScopedAdmin(admin.ModelAdmin):
    """Rows whose org node (reached through `area_via`) lies in the user's subtree."""

    area_via = "org"

    def get_queryset(self, request):
        return in_area(super().get_queryset(request), request.user, via=self.area_via)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is ServiceItem:
            kwargs["queryset"] = ServiceItem.objects.filter(is_active=True).order_by("sort", "code")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # Many-to-many fields were written by the service in save_model; only inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(OrgNode)
class OrgNodeAdmin(AreaScopedAdmin):
    area_via = ""
    list_display = ["name", "code", "level", "parent", "sort"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    ordering = ["path"]

    def get_fields(self, request, obj=None):
        fields = ["code", "name", "level", "parent", "sort"]
        return fields + ["path", "depth"] if obj else fields

    def get_readonly_fields(self, request, obj=None):
        # Moving a node would orphan its descendants' materialised paths, and the code is
        # part of every descendant's path: both are fixed once the node exists.
        return ["code", "parent", "path", "depth"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # New nodes go under a node the administrator can see: no new roots from here.
            kwargs["queryset"] = visible_orgs(request.user)
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        node = services.org_node_upsert(
            actor=request.user, code=obj.code, name=obj.name, level=obj.level, parent=obj.parent, sort=obj.sort
        )
        _adopt(obj, node)

    def has_delete_permission(self, request, obj=None):
        return False


class SiteContactInline(admin.TabularInline):
    model = SiteContact
    fields = ["role", "name", "phone", "sort"]
    extra = 1


class SiteQRCodeInline(admin.TabularInline):
    model = SiteQRCode
    fields = ["title", "image"]
    extra = 0


SITE_DETAIL_FIELDS = ["address", "hours", "phone", "latitude", "longitude", "is_active"]


@admin.register(Site)
class SiteAdmin(AreaScopedAdmin):
    list_display = ["name", "kind", "org", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "address"]
    list_select_related = ["org"]
    fields = ["name", "org", "kind", *SITE_DETAIL_FIELDS, "services"]
    filter_horizontal = ["services"]
    inlines = [SiteContactInline, SiteQRCodeInline]

    def get_readonly_fields(self, request, obj=None):
        # The name is the key site_upsert finds a site by.
        return ["name"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org":
            kwargs["queryset"] = visible_orgs(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        site = services.site_upsert(
            actor=request.user,
            name=obj.name,
            org=obj.org,
            kind=obj.kind,
            services=form.cleaned_data["services"],
            **{key: getattr(obj, key) for key in SITE_DETAIL_FIELDS},
        )
        _adopt(obj, site)

    def save_formset(self, request, form, formset, change):
        if formset.model is not SiteContact:
            return super().save_formset(request, form, formset, change)
        kept = [
            (f.cleaned_data.get("sort") or 0, index, f.cleaned_data)
            for index, f in enumerate(formset.forms)
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        contacts = [
            {"role": data["role"], "name": data["name"], "phone": data.get("phone", "")}
            for _, _, data in sorted(kept, key=lambda entry: entry[:2])
        ]
        services.site_contacts_replace(actor=request.user, site=form.instance, contacts=contacts)
        # The admin's change message reads what formset.save() would have recorded.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        return None

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Window)
class WindowAdmin(AreaScopedAdmin):
    area_via = "site__org"
    list_display = ["__str__", "site", "number", "name", "is_active"]
    list_filter = ["is_active", "site__kind"]
    search_fields = ["name", "site__name"]
    list_select_related = ["site"]
    fields = ["site", "number", "name", "services", "is_active"]
    filter_horizontal = ["services"]

    def get_readonly_fields(self, request, obj=None):
        # Site and number are the key window_upsert finds a window by.
        return ["site", "number"] if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "site":
            kwargs["queryset"] = in_area(Site.objects.select_related("org"), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        window = services.window_upsert(
            actor=request.user,
            site=obj.site,
            number=obj.number,
            name=obj.name,
            services=form.cleaned_data["services"],
            is_active=obj.is_active,
        )
        _adopt(obj, window)

    def delete_model(self, request, obj):
        services.window_delete(actor=request.user, window=obj)

    def delete_queryset(self, request, queryset):
        for window in queryset:
            services.window_delete(actor=request.user, window=window)


def _adopt(obj, saved) -> None:
    """Make the admin's form instance the row the service wrote, for the redirect and the
    admin's own log entry."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db
    for f in type(saved)._meta.concrete_fields:
        setattr(obj, f.attname, getattr(saved, f.attname))
