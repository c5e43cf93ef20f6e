"""Administration of posts, routing rules (with a "why this route" preview) and a read-only,
scoped list of work orders. Writes go through workorders.services (audited)."""

from django import forms
from django.contrib import admin
from django.http import HttpResponse
from django.template import engines
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import in_area, visible_orgs
from open12348.workorders import selectors, services
from open12348.workorders.models import Attachment, JointReview, Post, RoutingRule, WorkOrder

# Kept here (not in templates/) so the admin page ships with the rules it previews.
PREVIEW_TEMPLATE = """{% extends "admin/base_site.html" %}{% load i18n %}
{% block breadcrumbs %}<div class="breadcrumbs"><a href="{% url 'admin:index' %}">{% translate "管理首页" %}</a> › <a href="{{ changelist_url }}">{% translate "分派规则" %}</a> › {% translate "分派预览" %}</div>{% endblock %}
{% block content %}
<form method="get">
  <table>{{ form.as_table }}</table>
  <input type="submit" value="{% translate "预览" %}">
</form>
{% if preview %}
<section aria-live="polite" id="route-preview">
  <h2>{% translate "分派结果" %}</h2>
  <p>{% translate "承办单位：" %}<strong>{{ preview.org.name }}</strong></p>
  <p>{% translate "承办岗位：" %}{% if preview.post %}<strong>{{ preview.post.name }}</strong>{% else %}{% translate "无（等待负责人分派）" %}{% endif %}</p>
  <p>{% translate "理由：" %}{{ preview.reason }}</p>
</section>
{% endif %}
{% endblock %}
"""


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "org", "assignment"]
    list_filter = ["assignment"]
    search_fields = ["name", "code", "org__name"]
    list_select_related = ["org"]
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return in_area(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org":
            kwargs["queryset"] = visible_orgs(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.post_upsert(actor=request.user, post=obj)

    def has_delete_permission(self, request, obj=None):
        return False


class RoutePreviewForm(forms.Form):
    service_item = forms.ModelChoiceField(ServiceItem.objects.filter(is_active=True), label=_("服务事项"))
    legal_category = forms.ModelChoiceField(
        LegalCategory.objects.filter(is_active=True), label=_("法律类别"), required=False
    )
    area = forms.ModelChoiceField(OrgNode.objects.all(), label=_("诉求所在区域"))
    is_complex = forms.BooleanField(label=_("疑难复杂"), required=False)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "service_item",
        "legal_category",
        "complex_only",
        "target",
        "post_code",
        "priority",
        "is_active",
    ]
    list_filter = ["is_active", "target", "complex_only"]
    list_editable = ["priority", "is_active"]
    search_fields = ["name", "post_code"]
    list_select_related = ["service_item", "legal_category"]

    def get_urls(self):
        view = self.admin_site.admin_view(self.preview_view)
        return [path("preview/", view, name="workorders_routingrule_preview"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "title": gettext("分派规则（可“预览分派结果”核对规则）")}
        return super().changelist_view(request, extra_context)

    def preview_view(self, request):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = RoutePreviewForm(request.GET or None)
        form.fields["area"].queryset = visible_orgs(request.user)
        preview = None
        if form.is_valid():
            preview = services.route_preview(**form.cleaned_data)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("分派预览：为什么这样分派"),
            "opts": self.model._meta,
            "form": form,
            "preview": preview,
            "changelist_url": reverse("admin:workorders_routingrule_changelist"),
        }
        return HttpResponse(engines["django"].from_string(PREVIEW_TEMPLATE).render(context, request))

    def save_model(self, request, obj, form, change):
        services.routing_rule_upsert(actor=request.user, rule=obj)


class ReadOnlyInline(admin.TabularInline):
    """Rows of an order shown with it, never changed here (the console's services change them)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_view_permission(self, request, obj=None):
        # Whoever may see the order (the order admin's scoped queryset) sees these with it.
        return request.user.has_perm("workorders.view_workorder")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "created_at", "download"]
    verbose_name_plural = _("附件（下载即记入审计）")

    @admin.display(description=_("下载"))
    def download(self, attachment):
        url = reverse("workorders:attachment-download", args=[attachment.work_order_id, attachment.pk])
        return format_html(gettext('<a href="{}">下载</a>'), url)


class JointReviewInline(ReadOnlyInline):
    model = JointReview
    fields = ["org", "is_lead", "opinion", "opinion_by", "opinion_at", "created_at"]


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only: orders change only through the transition service (the staff console)."""

    inlines = [AttachmentInline, JointReviewInline]

    list_display = [
        "tracking_code",
        "channel",
        "service_item",
        "area",
        "handling_org",
        "assignee",
        "status",
        "deadline",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["tracking_code"]
    list_select_related = ["service_item", "area", "handling_org", "assignee"]
    exclude = ["description"]

    def get_queryset(self, request):
        return selectors.visible_workorders(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name != "description"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
