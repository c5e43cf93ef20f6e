from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _

from open12348.audit.models import Event
from open12348.audit.selectors import chain_first_break
from open12348.audit.services import record


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only view of the trail for the audit administrator; reading it is itself audited."""

    list_display = ["seq", "at", "actor_label", "verb", "target_type", "target_id", "org", "ip"]
    list_filter = ["verb", "at"]
    search_fields = ["actor_label", "verb", "target_id", "request_id"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in Event._meta.fields]
    list_select_related = ["org"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        record(actor=request.user, verb="audit.viewed", payload={"query": request.GET.urlencode()[:500]})
        extra_context = {**(extra_context or {}), "can_verify": request.user.has_perm("audit.verify_event")}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        verify = path("verify/", self.admin_site.admin_view(self.verify_view), name="audit_event_verify")
        return [verify, *super().get_urls()]

    def verify_view(self, request):
        if not request.user.has_perm("audit.verify_event"):
            raise PermissionDenied
        broken = chain_first_break()
        record(actor=request.user, verb="audit.verified", payload={"intact": broken is None})
        if broken:
            messages.error(
                request, _("审计链在第 {seq} 号事件处断开：{reason}").format(seq=broken[0], reason=broken[1])
            )
        else:
            messages.success(request, _("审计链完整，未发现改动、删除或插入。"))
        return redirect("admin:audit_event_changelist")
