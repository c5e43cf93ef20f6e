"""Account administration for the security administrator: who holds which role where.
Every write goes through accounts.services, so role rules and the audit trail apply here too."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.accounts import services
from open12348.accounts.models import RoleAssignment, StaffProfile, User
from open12348.accounts.selectors import staff_list
from open12348.core.pii import mask_phone
from open12348.orgs.selectors import area_of, visible_orgs


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ["role", "granted_by", "granted_at"]
    readonly_fields = ["role", "granted_by", "granted_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["username", "display_name", "masked_phone", "role_names", "area", "is_active", "last_login"]
    list_filter = ["is_active", "role_assignments__role"]
    search_fields = ["username", "display_name"]
    fields = ["username", "display_name", "masked_phone", "is_active", "last_login", "date_joined"]
    readonly_fields = ["username", "masked_phone", "last_login", "date_joined"]
    inlines = [RoleAssignmentInline]
    actions = ["unlock_accounts"]

    @admin.display(description=_("手机号码"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("角色"))
    def role_names(self, obj):
        return "、".join(a.get_role_display() for a in obj.role_assignments.all())

    @admin.display(description=_("所属区域"))
    def area(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.org if profile else "—"

    def get_queryset(self, request):
        return staff_list(viewer=request.user).prefetch_related("role_assignments")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("解除所选账户的登录锁定"), permissions=["unlock"])
    def unlock_accounts(self, request, queryset):
        for user in queryset:
            services.account_unlock(actor=request.user, username=user.username)
        messages.success(request, gettext("已解除 {count} 个账户的锁定。").format(count=queryset.count()))

    def has_unlock_permission(self, request):
        return request.user.has_perm("accounts.unlock_account")


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("user") and cleaned.get("role"):
            try:
                services.role_grant_check(actor=self.actor, user=cleaned["user"], role=cleaned["role"])
            except PermissionDenied as denied:
                raise ValidationError(str(denied)) from None
        return cleaned


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ["user", "role", "granted_by", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name"]
    fields = ["user", "role"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        staff = staff_list(viewer=request.user)
        return super().get_queryset(request).filter(user__in=staff).select_related("user", "granted_by")

    def has_add_permission(self, request):
        return request.user.has_perm("accounts.assign_role")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("accounts.assign_role")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = staff_list(viewer=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.role_grant(actor=request.user, user=obj.user, role=obj.role)

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, user=obj.user, role=obj.role)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "org", "site", "title"]
    search_fields = ["user__username", "user__display_name"]
    raw_id_fields = ["user", "site"]

    def get_queryset(self, request):
        area = area_of(request.user)
        profiles = super().get_queryset(request).select_related("user", "org", "site")
        return profiles.filter(org__path__startswith=area.path) if area else profiles.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org":
            kwargs["queryset"] = visible_orgs(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.staff_profile_save(actor=request.user, profile=obj, changed=form.changed_data)
