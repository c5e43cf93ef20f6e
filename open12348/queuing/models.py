"""The service-center hall (issue 4): queue services with a letter prefix per site, tickets
numbered per site, day and prefix, the calls that display boards show, evaluations at the
window, and the devices (kiosk, display, evaluator) that run the browser pages.

A ticket that is served links to a work order (channel `window`): the work order stays the
one envelope of the request (ADR 0001)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from open12348.core.fields import BlindIndexField, EncryptedCharField, personal
from open12348.core.models import TimeStampedModel


def new_device_key() -> str:
    return secrets.token_urlsafe(24)


def new_follow_code() -> str:
    return secrets.token_urlsafe(9)


class QueueService(TimeStampedModel):
    """A queue a kiosk offers at one site (取号业务), e.g. A 法律援助: one service item of the
    catalog, which prefills the work order when a ticket is served."""

    site = models.ForeignKey(
        "orgs.Site", verbose_name=_("站点"), on_delete=models.CASCADE, related_name="queue_services"
    )
    service_item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("服务事项"), on_delete=models.PROTECT, related_name="+"
    )
    prefix = models.CharField(_("号码字母"), max_length=1, help_text=_("一个大写字母，例如 A"))
    name = models.CharField(_("取号机显示名称"), max_length=30)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("取号业务")
        verbose_name_plural = _("取号业务")
        ordering = ["site", "sort", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["site", "prefix"], name="queue_service_prefix_unique_per_site"),
            models.UniqueConstraint(fields=["site", "service_item"], name="queue_service_item_unique_per_site"),
            models.CheckConstraint(condition=Q(prefix__regex=r"^[A-Z]$"), name="queue_service_prefix_letter"),
        ]

    def __str__(self):
        return f"{self.prefix} {self.name}"

    @property
    def code(self) -> str:
        return self.service_item.code


class TicketCounter(models.Model):
    """The last number given per site, Beijing day and prefix. Numbers restart each day
    because the day is part of the key (no midnight job); allocation is one conditional
    UPDATE in the ticket's transaction."""

    site = models.ForeignKey("orgs.Site", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    prefix = models.CharField(max_length=1)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "day", "prefix"], name="ticket_counter_unique")]

    def __str__(self):
        return f"{self.day} {self.prefix}{self.last:03d}"


class GreenReason(models.TextChoices):
    ELDERLY = "elderly", _("70周岁以上老年人")
    DISABLED = "disabled", _("残疾人")
    HARDSHIP = "hardship", _("困难群众")
    MIGRANT_WAGE = "migrant_wage", _("农民工讨薪")
    PREGNANT = "pregnant", _("孕妇")
    MILITARY = "military", _("军人军属")


class Ticket(TimeStampedModel):
    class Status(models.TextChoices):
        WAITING = "waiting", _("等候中")
        CALLED = "called", _("已叫号")
        SERVING = "serving", _("办理中")
        PARKED = "parked", _("暂挂")
        DONE = "done", _("已办结")
        NO_SHOW = "no_show", _("过号")
        CANCELLED = "cancelled", _("已取消")

    class Priority(models.IntegerChoices):
        NORMAL = 0, _("普通")
        GREEN = 1, _("绿色通道")
        APPOINTMENT = 2, _("预约")

    site = models.ForeignKey("orgs.Site", verbose_name=_("站点"), on_delete=models.PROTECT, related_name="tickets")
    service = models.ForeignKey(QueueService, verbose_name=_("业务"), on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField(_("日期（北京时间）"))
    prefix = models.CharField(_("号码字母"), max_length=1)
    seq = models.PositiveIntegerField(_("序号"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.WAITING)
    priority = models.PositiveSmallIntegerField(_("优先级"), choices=Priority.choices, default=Priority.NORMAL)
    green_reason = models.CharField(_("绿色通道原因"), max_length=16, choices=GreenReason.choices, blank=True)
    # Position in the queue: the time taken, kept when transferred; a late no-show that is
    # re-queued goes to the end (now).
    queued_at = models.DateTimeField(_("排队时间"))
    phone = EncryptedCharField(_("手机号码"), purpose=_("排队提醒短信"), plain_max_length=20, blank=True)
    phone_hash = BlindIndexField(source="phone", kind="phone")
    resident_id = EncryptedCharField(
        _("身份证号码"), purpose=_("绿色通道核验、调取既往诉求"), plain_max_length=18, blank=True
    )
    resident_id_hash = BlindIndexField(source="resident_id", kind="resident_id")
    preferred_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指定工作人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appointment_code = models.CharField(_("预约码"), max_length=20, blank=True)
    follow_code = models.CharField(_("排队查询码"), max_length=16, unique=True, default=new_follow_code)
    window = models.ForeignKey(
        "orgs.Window", verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("叫号人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("叫号次数"), default=0)
    started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    requeued = models.BooleanField(_("过号后已重新排队"), default=False)
    reminded = models.BooleanField(_("已发送临近提醒"), default=False)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["-day", "prefix", "seq"]
        permissions = [
            ("operate_window", _("窗口叫号与办理")),
            ("manage_hall", _("管理大厅设备、取号业务与统计")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "prefix", "seq"], name="ticket_number_unique_per_day"),
        ]
        indexes = [
            # call-next: the waiting line of a site today, in serving order.
            models.Index(fields=["site", "day", "status", "-priority", "queued_at"], name="ticket_line"),
            models.Index(fields=["window", "status"], name="ticket_window_status"),
            # people ahead (every ticket taken, the phone page, reminders): one queue's line.
            models.Index(fields=["service", "day", "status", "-priority", "queued_at"], name="ticket_queue_line"),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"{self.prefix}{self.seq:03d}"


class QueueEvent(models.Model):
    """What display boards are told (a call, a recall, a change of the board). Its id is
    the stream's event id: a display that reconnects asks for what came after the last id
    it saw, so it never shows a stale number. Fan-out across app processes goes through
    this table (or Redis when configured), never process memory."""

    class Kind(models.TextChoices):
        CALL = "call", _("叫号")
        RECALL = "recall", _("重呼")
        BOARD = "board", _("大厅状态变化")

    site = models.ForeignKey("orgs.Site", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    payload = models.JSONField(default=dict)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["site", "id"], name="queue_event_site")]

    def __str__(self):
        return f"{self.kind} #{self.pk}"


class Evaluation(TimeStampedModel):
    """The citizen's rating on the window's evaluation device (D2), after "finish"."""

    ticket = models.OneToOneField(Ticket, verbose_name=_("排队号"), on_delete=models.PROTECT, related_name="evaluation")
    window = models.ForeignKey("orgs.Window", verbose_name=_("窗口"), on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 1..5 as workorders.Satisfaction (5 非常满意 … 1 非常不满意).
    overall = models.PositiveSmallIntegerField(_("总体评价"))
    attitude = models.PositiveSmallIntegerField(_("服务态度"), null=True, blank=True)
    efficiency = models.PositiveSmallIntegerField(_("办事效率"), null=True, blank=True)
    competence = models.PositiveSmallIntegerField(_("业务水平"), null=True, blank=True)
    comment = personal(models.CharField(_("意见建议"), max_length=200, blank=True), _("群众对窗口服务的意见"))

    class Meta:
        verbose_name = _("窗口评价")
        verbose_name_plural = _("窗口评价")
        ordering = ["-created_at"]


class Device(TimeStampedModel):
    """A kiosk, display, evaluation tablet or LED controller. Its page is reached by a URL
    with a secret key (no account on a public terminal); the page sends a heartbeat, so the
    director sees which devices are offline."""

    class Kind(models.TextChoices):
        KIOSK = "kiosk", _("取号机")
        DISPLAY = "display", _("大厅显示屏")
        EVALUATOR = "evaluator", _("评价器")
        LED = "led", _("窗口LED屏")

    site = models.ForeignKey("orgs.Site", verbose_name=_("站点"), on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50)
    window = models.ForeignKey(
        "orgs.Window",
        verbose_name=_("绑定窗口"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="devices",
        help_text=_("评价器和窗口LED屏须绑定窗口"),
    )
    key = models.CharField(_("设备密钥"), max_length=40, unique=True, default=new_device_key, editable=False)
    last_seen_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    last_ip = models.GenericIPAddressField(_("最近地址"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("大厅设备")
        verbose_name_plural = _("大厅设备")
        ordering = ["site", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["kiosk", "display"]) | Q(window__isnull=False),
                name="device_evaluator_led_need_window",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"


class WindowSession(TimeStampedModel):
    """A staff member open at a window (上岗): who is serving where now. Open sessions count
    as open windows for the wait estimate and put the staff member on the staff board."""

    window = models.ForeignKey("orgs.Window", verbose_name=_("窗口"), on_delete=models.CASCADE, related_name="sessions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), on_delete=models.PROTECT, related_name="window_sessions"
    )
    opened_at = models.DateTimeField(_("上岗时间"))
    closed_at = models.DateTimeField(_("离岗时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("窗口上岗记录")
        verbose_name_plural = _("窗口上岗记录")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"], condition=Q(closed_at__isnull=True), name="one_open_session_per_window"
            )
        ]


class Appointment(TimeStampedModel):
    """A booked visit (预约). Checking in at the kiosk with its code gives a ticket at the
    front of its queue."""

    site = models.ForeignKey("orgs.Site", verbose_name=_("站点"), on_delete=models.CASCADE, related_name="appointments")
    service = models.ForeignKey(QueueService, verbose_name=_("业务"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("预约日期"))
    slot = models.CharField(_("时段"), max_length=20, blank=True, help_text=_("例如 09:00-10:00"))
    name = personal(models.CharField(_("姓名"), max_length=50), _("预约人姓名，预约签到"))
    phone = EncryptedCharField(_("手机号码"), purpose=_("预约确认与提醒"), plain_max_length=20)
    phone_hash = BlindIndexField(source="phone", kind="phone")
    code = models.CharField(_("预约码"), max_length=8, unique=True)
    ticket = models.OneToOneField(
        Ticket, verbose_name=_("签到取号"), null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment"
    )

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["day", "slot"]
