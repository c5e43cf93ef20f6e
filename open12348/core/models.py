from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class CalendarYear(models.Model):
    """A year whose working-day schedule (国务院办公厅关于部分节假日安排的通知) has been
    entered. A year without a row counts plain weekdays, and /healthz says so."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    note = models.CharField(_("来源说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["-year"]

    def __str__(self):
        return gettext("{year}年").format(year=self.year)


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a weekday holiday (is_workday=False) or a weekend
    make-up working day (调休上班, is_workday=True). Ordinary days have no row."""

    date = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=40, blank=True, help_text=_("如：国庆节、国庆节调休上班"))

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {gettext('上班') if self.is_workday else gettext('休息')} {self.name}".strip()
