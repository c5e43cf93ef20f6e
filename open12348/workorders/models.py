"""The work order: the one envelope of every request from every channel (ADR 0001).
Specialised records (queue tickets, calls, online questions, applications) link to one."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from open12348.core.fields import BlindIndexField, EncryptedCharField, personal
from open12348.core.models import TimeStampedModel


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口")
    HOTLINE = "hotline", _("12348热线")
    WEB = "web", _("网上平台")
    WECHAT = "wechat", _("微信")
    NATIONAL_12348 = "national_12348", _("中国法律服务网指派")
    HOTLINE_12345 = "hotline_12345", _("12345转办")
    API = "api", _("系统接口")


class Status(models.TextChoices):
    RECEIVED = "received", _("已受理")
    ASSIGNED = "assigned", _("已分派")
    IN_PROGRESS = "in_progress", _("办理中")
    AWAITING_MATERIALS = "awaiting_materials", _("待补正材料")
    RESOLVED = "resolved", _("已办结")
    RETURN_VISIT = "return_visit", _("回访中")
    CLOSED = "closed", _("已归档")
    REFERRED = "referred", _("已转外部门")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = frozenset({Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_MATERIALS})
FINAL_STATUSES = frozenset({Status.CLOSED, Status.REFERRED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED})


# action → (states it may start from, state it leads to). The one guarded transition
# service (`workorders.services.workorder_transition`) consults this table and nothing else.
_WORKING = {Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS}
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "claim": (frozenset({Status.RECEIVED}), Status.ASSIGNED),
    "assign": (frozenset(_WORKING), Status.ASSIGNED),
    "start": (frozenset({Status.ASSIGNED}), Status.IN_PROGRESS),
    "request_materials": (frozenset({Status.IN_PROGRESS}), Status.AWAITING_MATERIALS),
    "materials_received": (frozenset({Status.AWAITING_MATERIALS}), Status.IN_PROGRESS),
    "resolve": (frozenset({Status.IN_PROGRESS}), Status.RESOLVED),
    "return_visit": (frozenset({Status.RESOLVED}), Status.RETURN_VISIT),
    "close": (frozenset({Status.RETURN_VISIT}), Status.CLOSED),
    "transfer": (frozenset(_WORKING), Status.RECEIVED),
    "escalate": (frozenset(_WORKING | {Status.AWAITING_MATERIALS}), Status.RECEIVED),
    "refer_out": (frozenset(_WORKING), Status.REFERRED),
    "reject": (frozenset({Status.RECEIVED, Status.ASSIGNED}), Status.REJECTED),
    "withdraw": (frozenset(OPEN_STATUSES), Status.WITHDRAWN),
    "reopen": (frozenset({Status.RESOLVED, Status.RETURN_VISIT, Status.CLOSED}), Status.IN_PROGRESS),
    "merge": (frozenset(OPEN_STATUSES), Status.MERGED),
}
ACTION_LABELS = {
    "claim": _("认领"),
    "assign": _("分派"),
    "start": _("开始办理"),
    "request_materials": _("通知补正材料"),
    "materials_received": _("材料已补正"),
    "resolve": _("办结"),
    "return_visit": _("回访"),
    "close": _("归档"),
    "transfer": _("转办"),
    "escalate": _("上报"),
    "refer_out": _("转外部门"),
    "reject": _("不予受理"),
    "withdraw": _("撤回"),
    "reopen": _("重新办理"),
    "merge": _("合并"),
}


class Priority(models.IntegerChoices):
    NORMAL = 0, _("一般")
    URGENT = 1, _("紧急")


class Satisfaction(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


class ReferralBody(models.TextChoices):
    COURT = "court", _("人民法院")
    POLICE = "police", _("公安机关")
    HR_SOCIAL_SECURITY = "hr_social_security", _("人力资源和社会保障部门")
    CIVIL_AFFAIRS = "civil_affairs", _("民政部门")
    PETITION_OFFICE = "petition_office", _("信访部门")
    HOTLINE_12345 = "hotline_12345", _("12345政务服务热线")
    OTHER = "other", _("其他部门")


class Post(TimeStampedModel):
    """A professional post (岗位) of an org — 法律援助、人民调解、法律咨询 … — where orders
    wait until someone claims them or a director assigns them."""

    class Assignment(models.TextChoices):
        MANUAL = "manual", _("认领或由负责人分派")
        ROUND_ROBIN = "round_robin", _("轮流分派")
        LEAST_LOADED = "least_loaded", _("分派给在办最少者")

    org = models.ForeignKey("orgs.OrgNode", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="posts")
    code = models.SlugField(_("岗位代码"), max_length=40)
    name = models.CharField(_("岗位名称"), max_length=60)
    assignment = models.CharField(_("分派方式"), max_length=16, choices=Assignment.choices, default=Assignment.MANUAL)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("岗位人员"), blank=True, related_name="posts"
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["org__path", "code"]
        constraints = [models.UniqueConstraint(fields=["org", "code"], name="post_code_unique_per_org")]

    def __str__(self):
        return f"{self.org.name}·{self.name}"


class RoutingRule(TimeStampedModel):
    """One routing rule, edited by bureau administrators; `workorders.routing` evaluates
    them (most specific match first, then `priority`). Blank conditions match anything."""

    class Target(models.TextChoices):
        STREET = "street", _("属地街镇")
        DISTRICT = "district", _("属地区县")
        CITY = "city", _("市级")
        AREA = "area", _("受理所在区域")

    name = models.CharField(_("规则名称"), max_length=100)
    service_item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("服务事项"), null=True, blank=True, on_delete=models.CASCADE
    )
    legal_category = models.ForeignKey(
        "catalog.LegalCategory", verbose_name=_("法律类别"), null=True, blank=True, on_delete=models.CASCADE
    )
    complex_only = models.BooleanField(
        _("仅限疑难复杂事项"), null=True, blank=True, help_text=_("空：不论是否疑难复杂")
    )
    target = models.CharField(_("办理层级"), max_length=10, choices=Target.choices, default=Target.DISTRICT)
    post_code = models.SlugField(_("岗位代码"), max_length=40, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100, help_text=_("数字小者优先"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("分派规则")
        verbose_name_plural = _("分派规则")
        ordering = ["priority", "id"]

    def __str__(self):
        return self.name


class Applicant(TimeStampedModel):
    """The person a request is for: a citizen account, or a walk-in or caller record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicant_records",
    )
    name = personal(models.CharField(_("姓名"), max_length=50), _("申请人姓名，办理与回访"))
    phone = EncryptedCharField(_("联系电话"), purpose=_("联系、回访、凭电话查询办理进度"), plain_max_length=20)
    phone_hash = BlindIndexField(source="phone", kind="phone")
    resident_id = EncryptedCharField(_("身份证号码"), purpose=_("核实身份、查询既往诉求"), plain_max_length=18)
    resident_id_hash = BlindIndexField(source="resident_id", kind="resident_id")
    address = EncryptedCharField(_("住址"), purpose=_("送达与上门服务"), plain_max_length=200)

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")

    def __str__(self):
        return self.name


class WorkOrder(TimeStampedModel):
    """The envelope. Status changes only through `workorders.services.workorder_transition`,
    which checks TRANSITIONS and writes the audit event."""

    tracking_code = models.CharField(_("查询码"), max_length=9, unique=True, editable=False)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    service_item = models.ForeignKey("catalog.ServiceItem", verbose_name=_("服务事项"), on_delete=models.PROTECT)
    legal_category = models.ForeignKey(
        "catalog.LegalCategory", verbose_name=_("法律类别"), null=True, blank=True, on_delete=models.PROTECT
    )
    area = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("诉求所在区域"), on_delete=models.PROTECT, related_name="work_orders"
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="work_orders"
    )
    description = personal(models.TextField(_("诉求内容")), _("案情事实，办理诉求"))
    first_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首问负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="first_owned_orders",
    )
    handling_org = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="handled_orders"
    )
    post = models.ForeignKey(Post, verbose_name=_("承办岗位"), null=True, blank=True, on_delete=models.PROTECT)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_orders",
    )
    priority = models.PositiveSmallIntegerField(_("紧急程度"), choices=Priority.choices, default=Priority.NORMAL)
    green_channel = models.BooleanField(_("绿色通道"), default=False)
    is_complex = models.BooleanField(_("疑难复杂"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    received_at = models.DateTimeField(_("受理时间"))
    deadline = models.DateTimeField(_("办理期限"), null=True, blank=True)
    clock_paused_at = models.DateTimeField(_("暂停计时时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    outcome_code = models.CharField(_("办理结果"), max_length=40, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), choices=Satisfaction.choices, null=True, blank=True)
    referred_to = models.CharField(_("转往部门"), max_length=30, choices=ReferralBody.choices, blank=True)
    referred_to_name = models.CharField(_("接收单位名称"), max_length=100, blank=True)
    status_reason = models.CharField(_("原因"), max_length=500, blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并至"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged_orders"
    )

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["handling_org", "status", "deadline"], name="wo_inbox"),
            # The inbox tabs (`selectors.inbox_counts`, one COUNT per tab) each read one of these
            # and never the wide rows: "mine" (assignee, status) and "unassigned" (assignee null,
            # status, handling org) here; "post" (post, assignee null, status) in wo_post_open;
            # "due_soon", "overdue" and "awaiting" (status, deadline, then the scope columns) in
            # wo_open_counts.
            models.Index(fields=["assignee", "status", "handling_org"], name="wo_assignee"),
            models.Index(fields=["post", "assignee", "status"], name="wo_post_open"),
            models.Index(fields=["area", "received_at"], name="wo_area_received"),
            models.Index(fields=["channel", "received_at"], name="wo_channel_received"),
            models.Index(
                fields=["status", "deadline", "assignee", "handling_org", "area", "post", "first_owner"],
                name="wo_open_counts",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False) | ~Q(status="merged"),
                name="merged_order_points_somewhere",
            )
        ]
        permissions = [
            ("assign_workorder", _("可以分派工单")),
            ("handle_workorder", _("可以办理工单")),
            ("intake_workorder", _("可以登记受理工单")),
            ("export_ledger", _("可以导出台账")),
        ]

    def __str__(self):
        return self.tracking_code


class Party(TimeStampedModel):
    """Another person or organisation involved (对方当事人 …)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=30, default=_("对方当事人"))
    name = personal(models.CharField(_("姓名或名称"), max_length=100), _("当事人信息，办理诉求"))
    phone = EncryptedCharField(_("联系电话"), purpose=_("联系当事人"), plain_max_length=20)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")

    def __str__(self):
        return self.name


class Note(TimeStampedModel):
    """An internal note, or a reply the citizen sees on the tracking page."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    body = personal(models.TextField(_("内容")), _("办理记录"))
    is_public = models.BooleanField(_("群众可见"), default=False)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.work_order} · {self.created_at:%Y-%m-%d}"


class IdempotencyKey(models.Model):
    """What an `Idempotency-Key` was first used for: a retry returns the same order."""

    key = models.CharField(max_length=100, unique=True)
    request_hash = models.CharField(max_length=64)
    work_order = models.ForeignKey(WorkOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key


class ReturnVisit(TimeStampedModel):
    """A return visit after resolution (回访): how the applicant rated the handling."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话回访")
        SMS = "sms", _("短信回访")
        VISIT = "visit", _("上门回访")
        SELF = "self", _("群众自评")
        EVALUATOR = "evaluator", _("评价器")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="return_visits")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    method = models.CharField(_("回访方式"), max_length=10, choices=Method.choices)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), choices=Satisfaction.choices)
    comment = personal(models.TextField(_("意见建议"), blank=True), _("群众评价意见"))
    at = models.DateTimeField(_("回访时间"))

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.work_order} · {self.get_satisfaction_display()}"


class FollowUp(TimeStampedModel):
    """A mandatory follow-up of a 不满意/非常不满意 rating, in the director's queue of `owner_org`."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="follow_ups")
    return_visit = models.ForeignKey(ReturnVisit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("原因"), max_length=500)
    deadline = models.DateTimeField(_("整改期限"))
    owner_org = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(_("处理情况"), blank=True)

    class Meta:
        verbose_name = _("不满意整改")
        verbose_name_plural = _("不满意整改")
        ordering = ["deadline", "id"]

    def __str__(self):
        return f"{self.work_order} · {self.reason}"


class RatingAppeal(TimeStampedModel):
    """Staff ask the director to set aside a rating they consider unfair (评价申诉)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="rating_appeals")
    return_visit = models.ForeignKey(ReturnVisit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申诉人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("申诉理由"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    upheld = models.BooleanField(_("申诉成立"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("评价申诉")
        verbose_name_plural = _("评价申诉")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return gettext("{work_order} · 申诉").format(work_order=self.work_order)


class Callback(TimeStampedModel):
    """A call back correcting a wrong answer discovered later (seed 004 §2.3)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="callbacks")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回拨人"), on_delete=models.PROTECT, related_name="+"
    )
    correction = personal(models.TextField(_("更正内容")), _("更正答复，办理诉求"))
    at = models.DateTimeField(_("回拨时间"))

    class Meta:
        verbose_name = _("纠错回拨")
        verbose_name_plural = _("纠错回拨")
        ordering = ["at", "id"]

    def __str__(self):
        return gettext("{work_order} · 回拨").format(work_order=self.work_order)


class DeadlineAlert(models.Model):
    """A reminder before, or an escalation after, a deadline — recorded once per deadline,
    so a second sweep or a second process sends nothing twice."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("到期提醒")
        ESCALATION = "escalation", _("超期督办")

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="deadline_alerts")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    deadline = models.DateTimeField(_("期限"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("发送时间"))

    class Meta:
        verbose_name = _("期限提醒")
        verbose_name_plural = _("期限提醒")
        constraints = [models.UniqueConstraint(fields=["work_order", "kind", "deadline"], name="deadline_alert_once")]

    def __str__(self):
        return f"{self.work_order} · {self.get_kind_display()}"


class DutyShift(TimeStampedModel):
    """Who is on which window or hotline seat when (值班表, the duty-roster ledger)."""

    org = models.ForeignKey("orgs.OrgNode", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("orgs.Site", verbose_name=_("站点"), null=True, blank=True, on_delete=models.PROTECT)
    window = models.ForeignKey("orgs.Window", verbose_name=_("窗口"), null=True, blank=True, on_delete=models.PROTECT)
    seat_label = models.CharField(_("坐席"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("值班人员"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="duty_shift_ends_after_start")
        ]

    def __str__(self):
        return f"{self.user} · {self.starts_at:%Y-%m-%d %H:%M}"


class ReceptionDay(TimeStampedModel):
    """A leadership reception day (领导接待日): schedule and records."""

    org = models.ForeignKey("orgs.OrgNode", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    leader_name = models.CharField(_("接待领导"), max_length=50)
    date = models.DateField(_("接待日期"))
    place = models.CharField(_("接待地点"), max_length=120)
    topic = models.CharField(_("接待主题"), max_length=200, blank=True)
    records = personal(models.TextField(_("接待记录"), blank=True), _("来访群众诉求记录"))

    class Meta:
        verbose_name = _("领导接待日")
        verbose_name_plural = _("领导接待日")
        ordering = ["-date", "id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.leader_name}"


from open12348.workorders.models_files import Attachment, JointReview  # noqa: E402,F401 — models in a second module
