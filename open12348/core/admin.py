"""The working-day calendar, edited by administrators: each year's holidays and make-up
working days as the State Council publishes them. A year without data counts plain weekdays."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _

from open12348.core import workdays
from open12348.core.models import CalendarDay, CalendarYear


class MissingYearsWarning:
    def changelist_view(self, request, extra_context=None):
        year = timezone.localdate().year
        missing = workdays.missing_years([year, year + 1])
        if missing and request.method == "GET":
            years = "、".join(_("{year}年").format(year=y) for y in missing)
            messages.warning(
                request,
                _(
                    "{years}的节假日安排尚未录入：期限暂按周一至周五计算。请按国务院办公厅通知录入节假日与调休，并发布该年度。"
                ).format(years=years),
            )
        return super().changelist_view(request, extra_context)


@admin.register(CalendarYear)
class CalendarYearAdmin(MissingYearsWarning, admin.ModelAdmin):
    list_display = ["year", "note"]

    def save_model(self, request, obj, form, change):
        workdays.calendar_save(actor=request.user, row=obj)

    def delete_model(self, request, obj):
        workdays.calendar_delete(actor=request.user, row=obj)


@admin.register(CalendarDay)
class CalendarDayAdmin(MissingYearsWarning, admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        workdays.calendar_save(actor=request.user, row=obj)

    def delete_model(self, request, obj):
        workdays.calendar_delete(actor=request.user, row=obj)

    def delete_queryset(self, request, queryset):
        for row in queryset:
            workdays.calendar_delete(actor=request.user, row=row)
