"""Administration of the hall: queue services, devices (with the page address a terminal
opens), appointments, and read-only lists of tickets, evaluations and window sessions.
Every list is scoped to the sites in the administrator's area (orgs.selectors.in_area);
writes go through queuing.services, so they are audited. Hall managers
(`queuing.manage_hall`) may use these pages without further model permissions."""

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.catalog.models import ServiceItem
from open12348.core import pii
from open12348.orgs.models import Site, Window
from open12348.orgs.selectors import in_area
from open12348.queuing import services
from open12348.queuing.models import Appointment, Device, Evaluation, QueueService, Ticket, WindowSession
from open12348.queuing.selectors import PERM_MANAGE, beijing_today

DEVICE_PAGE = "/hall/d/{key}/"


def _manager(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and user.has_perm(PERM_MANAGE))


class HallAdmin(admin.ModelAdmin):
    """Rows of sites in the user's area; hall managers may view, add and change."""

    site_via = "site__org"

    def get_queryset(self, request):
        return in_area(super().get_queryset(request), request.user, via=self.site_via)

    def has_module_permission(self, request):
        return _manager(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _manager(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return _manager(request)

    def has_change_permission(self, request, obj=None):
        return _manager(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "site":
            kwargs["queryset"] = in_area(Site.objects.all(), request.user)
        elif db_field.name == "window":
            kwargs["queryset"] = in_area(Window.objects.select_related("site"), request.user, via="site__org")
        elif db_field.name == "service":
            kwargs["queryset"] = in_area(QueueService.objects.select_related("site"), request.user, via="site__org")
        elif db_field.name == "service_item":
            kwargs["queryset"] = ServiceItem.objects.filter(is_active=True).order_by("sort", "code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# The services check these too; the forms say it per field before the save instead of a 500.


class QueueServiceForm(forms.ModelForm):
    class Meta:
        model = QueueService
        fields = ["site", "service_item", "prefix", "name", "sort", "is_active"]

    def clean_prefix(self):
        return (self.cleaned_data.get("prefix") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        site = cleaned.get("site") or getattr(self.instance, "site", None)
        item = cleaned.get("service_item") or getattr(self.instance, "service_item", None)
        if site is not None and item is not None and not site.services.filter(pk=item.pk).exists():
            self.add_error(None, gettext("请选择本站点提供的服务事项（先在站点中添加该事项）。"))
        return cleaned


class DeviceForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = ["site", "kind", "name", "window", "is_active"]

    def clean(self):
        cleaned = super().clean()
        site = cleaned.get("site") or (self.instance.site if self.instance.site_id else None)
        kind = cleaned.get("kind") or self.instance.kind
        window = cleaned.get("window")
        if window is not None and site is not None and window.site_id != site.pk:
            self.add_error("window", gettext("绑定的窗口应属于本站点。"))
        elif window is None and kind in (Device.Kind.EVALUATOR, Device.Kind.LED):
            self.add_error("window", gettext("评价器和窗口LED屏须绑定窗口。"))
        return cleaned


class AppointmentForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["service", "day", "slot", "name", "phone"]

    def clean_phone(self):
        try:
            return pii.validate_phone(self.cleaned_data.get("phone") or "")
        except ValidationError as error:
            raise ValidationError(error.messages[0]) from None

    def clean_day(self):
        day = self.cleaned_data.get("day")
        if isinstance(day, datetime.date) and day < beijing_today():
            raise ValidationError(gettext("预约日期不能早于今天。"))
        return day


class ReadOnlyHallAdmin(HallAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields or [])


@admin.register(QueueService)
class QueueServiceAdmin(HallAdmin):
    form = QueueServiceForm
    list_display = ["prefix", "name", "site", "service_item", "sort", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "site__name", "service_item__code"]
    list_select_related = ["site", "service_item"]
    fields = ["site", "service_item", "prefix", "name", "sort", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # The queue is its (site, service item): change those by making another queue.
        return ["site", "service_item"] if obj else []

    def save_model(self, request, obj, form, change):
        saved = services.queue_service_upsert(
            actor=request.user,
            site=obj.site,
            service_item=obj.service_item,
            prefix=obj.prefix,
            name=obj.name,
            sort=obj.sort,
            is_active=obj.is_active,
        )
        obj.pk, obj.prefix = saved.pk, saved.prefix


@admin.register(Device)
class DeviceAdmin(HallAdmin):
    form = DeviceForm
    list_display = ["name", "kind", "site", "window", "is_active", "last_seen_at", "page"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "site__name"]
    list_select_related = ["site", "window"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["site", "kind", "name", "window"]
        return ["site", "kind", "name", "window", "is_active", "page", "last_seen_at", "last_ip"]

    def get_readonly_fields(self, request, obj=None):
        return ["site", "kind", "page", "last_seen_at", "last_ip"] if obj else []

    @admin.display(description=_("设备页面地址"))
    def page(self, device):
        url = DEVICE_PAGE.format(key=device.key)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    def save_model(self, request, obj, form, change):
        if change:
            services.device_update(
                actor=request.user, device=obj, name=obj.name, window=obj.window, is_active=obj.is_active
            )
            return
        made = services.device_create(
            actor=request.user, site=obj.site, kind=obj.kind, name=obj.name, window=obj.window
        )
        obj.pk, obj.key = made.pk, made.key


@admin.register(Appointment)
class AppointmentAdmin(HallAdmin):
    form = AppointmentForm
    list_display = ["code", "site", "service", "day", "slot", "masked_name", "masked_phone", "ticket"]
    list_filter = ["day"]
    search_fields = ["code"]
    list_select_related = ["site", "service", "ticket"]
    date_hierarchy = "day"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["service", "day", "slot", "name", "phone"]
        return ["code", "site", "service", "day", "slot", "masked_name", "masked_phone", "ticket"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("姓名"))
    def masked_name(self, booking):
        return pii.mask_name(booking.name)

    @admin.display(description=_("手机号码"))
    def masked_phone(self, booking):
        return pii.mask_phone(booking.phone)

    def save_model(self, request, obj, form, change):
        made = services.appointment_create(
            actor=request.user, service=obj.service, day=obj.day, slot=obj.slot, name=obj.name, phone=obj.phone
        )
        obj.pk, obj.code, obj.site = made.pk, made.code, made.site


@admin.register(Ticket)
class TicketAdmin(ReadOnlyHallAdmin):
    list_display = ["number", "day", "site", "service", "status", "priority", "window", "staff", "queued_at"]
    list_filter = ["status", "priority", "day"]
    search_fields = ["site__name", "follow_code"]
    list_select_related = ["site", "service", "window", "staff"]
    date_hierarchy = "day"
    fields = [
        "number",
        "day",
        "site",
        "service",
        "status",
        "priority",
        "green_reason",
        "queued_at",
        "masked_phone",
        "masked_resident_id",
        "preferred_staff",
        "appointment_code",
        "window",
        "staff",
        "called_at",
        "call_count",
        "started_at",
        "finished_at",
        "requeued",
        "reminded",
        "work_order",
    ]

    @admin.display(description=_("手机号码"))
    def masked_phone(self, ticket):
        return pii.mask_phone(ticket.phone)

    @admin.display(description=_("身份证号码"))
    def masked_resident_id(self, ticket):
        return pii.mask_resident_id(ticket.resident_id)


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyHallAdmin):
    site_via = "ticket__site__org"
    list_display = ["ticket", "window", "staff", "overall", "attitude", "efficiency", "competence", "created_at"]
    list_filter = ["overall"]
    list_select_related = ["ticket", "window", "staff"]
    fields = ["ticket", "window", "staff", "work_order", "overall", "attitude", "efficiency", "competence", "comment"]


@admin.register(WindowSession)
class WindowSessionAdmin(ReadOnlyHallAdmin):
    site_via = "window__site__org"
    list_display = ["window", "user", "opened_at", "closed_at"]
    list_select_related = ["window__site", "user"]
    fields = ["window", "user", "opened_at", "closed_at"]
