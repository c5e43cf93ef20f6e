"""Online consultation (issue 5, E3/E9). A citizen's question is a work order (channel web)
wrapped by a Consultation that holds what the public page shows: the masked title and text,
the answers of volunteers and professionals, the follow-up thread under each answer, the
adopted answer and its rating. Volunteers belong to units, keep weekly shifts and earn points
for adopted answers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from open12348.core.fields import personal
from open12348.core.models import TimeStampedModel


class VolunteerUnit(TimeStampedModel):
    """A volunteer unit (志愿服务队): a law firm's team, a university legal clinic, a bureau's corps."""

    class Kind(models.TextChoices):
        LAW_FIRM = "law_firm", _("律师事务所")
        UNIVERSITY = "university", _("高校法律诊所")
        LEGAL_AID = "legal_aid", _("法律援助机构")
        GRASSROOTS = "grassroots", _("基层法律服务所")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    area = models.ForeignKey("orgs.OrgNode", verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Volunteer(TimeStampedModel):
    """Someone who answers online questions: a practitioner (lawyer, notary …) or a law student,
    always with a platform account. Answers questions of their area's subtree in their specialties."""

    class Kind(models.TextChoices):
        PRACTITIONER = "practitioner", _("执业人员")
        STUDENT = "student", _("法学学生")
        STAFF = "staff", _("工作人员")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("平台账户"), on_delete=models.CASCADE, related_name="volunteer"
    )
    display_name = personal(models.CharField(_("公开称呼"), max_length=50), _("解答者公开署名"))
    kind = models.CharField(_("身份"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(
        VolunteerUnit,
        verbose_name=_("志愿服务队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteers",
    )
    practitioner = models.OneToOneField(
        "directory.Practitioner",
        verbose_name=_("执业信息"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    area = models.ForeignKey(
        "orgs.OrgNode",
        verbose_name=_("服务区域"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("解答本区域及下级区域的问题"),
    )
    specialties = models.ManyToManyField("catalog.LegalCategory", verbose_name=_("擅长领域"), blank=True)
    points = models.IntegerField(_("积分"), default=0, help_text=_("由积分流水累计，勿手工修改"))
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["-points", "id"]

    def __str__(self):
        return self.display_name


class Shift(TimeStampedModel):
    """A fixed weekly shift (固定排班): weekday 0 = Monday, times in Beijing time."""

    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(
        _("星期"),
        choices=[
            (i, n)
            for i, n in enumerate(
                [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")]
            )
        ],
    )
    starts = models.TimeField(_("开始时间"))
    ends = models.TimeField(_("结束时间"))

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends__gt=models.F("starts")), name="shift_ends_after_start")
        ]


class Consultation(TimeStampedModel):
    class Status(models.TextChoices):
        WAITING = "waiting", _("待解答")
        ANSWERED = "answered", _("已解答")
        ADOPTED = "adopted", _("已采纳")
        CLOSED = "closed", _("已关闭")

    class Escalation(models.IntegerChoices):
        NONE = 0, _("未升级")
        DUTY = 1, _("已派给值班人员")
        DIRECTOR = 2, _("已报负责人")

    work_order = models.OneToOneField(
        "workorders.WorkOrder", verbose_name=_("工单"), on_delete=models.PROTECT, related_name="consultation"
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提问人"), on_delete=models.PROTECT, related_name="consultations"
    )
    title = personal(models.CharField(_("标题"), max_length=60), _("咨询原文（提问人可见）"))
    body = personal(models.TextField(_("问题描述")), _("咨询原文（提问人及解答者可见）"))
    public_title = models.CharField(_("公开标题"), max_length=60, help_text=_("已遮盖身份证号、手机号"))
    public_body = models.TextField(_("公开内容"), help_text=_("已遮盖身份证号、手机号"))
    is_public = models.BooleanField(_("公开"), default=True)
    legal_category = models.ForeignKey(
        "catalog.LegalCategory", verbose_name=_("法律类别"), on_delete=models.PROTECT, related_name="+"
    )
    suggested_category = models.ForeignKey(
        "catalog.LegalCategory",
        verbose_name=_("系统建议类别"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    area = models.ForeignKey("orgs.OrgNode", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    answer_due_at = models.DateTimeField(_("承诺首次答复时间"))
    first_answered_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(_("升级"), choices=Escalation.choices, default=Escalation.NONE)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    adopted_answer = models.OneToOneField(
        "Answer", verbose_name=_("采纳的解答"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adopted_at = models.DateTimeField(_("采纳时间"), null=True, blank=True)
    adopted_by_moderator = models.BooleanField(_("由管理员代为采纳"), default=False)
    rating = models.PositiveSmallIntegerField(
        _("评价"), null=True, blank=True, choices=[(i, str(i)) for i in range(1, 6)], help_text=_("1—5 星")
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    close_reason = models.CharField(_("关闭原因"), max_length=500, blank=True)
    submit_key = models.CharField(
        max_length=64, unique=True, editable=False, help_text=_("防重复提交（提问人与提交键的摘要）")
    )
    view_count = models.PositiveIntegerField(_("浏览次数"), default=0)

    class Meta:
        verbose_name = _("在线咨询")
        verbose_name_plural = _("在线咨询")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "answer_due_at"]), models.Index(fields=["is_public", "-created_at"])]
        permissions = [
            ("answer_consultation", _("可以解答在线咨询")),
            ("moderate_consultation", _("可以管理在线咨询（派单、代为采纳、关闭）")),
        ]

    def __str__(self):
        return self.public_title


class Answer(TimeStampedModel):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("解答人"), on_delete=models.PROTECT, related_name="+"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    body = models.TextField(_("解答内容"))
    points_awarded = models.PositiveSmallIntegerField(_("获得积分"), default=0)

    class Meta:
        verbose_name = _("解答")
        verbose_name_plural = _("解答")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["consultation", "author"], name="one_answer_per_author")]


class Message(TimeStampedModel):
    """The follow-up thread under an answer: the answerer asks (追问), the asker replies, and
    the other way round."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_asker = models.BooleanField(_("提问人发出"))
    body = personal(models.TextField(_("内容")), _("追问与补充说明原文（提问人及该解答人可见）"))
    public_body = models.TextField(_("公开内容"), blank=True, help_text=_("已遮盖身份证号、手机号"))

    class Meta:
        verbose_name = _("追问")
        verbose_name_plural = _("追问")
        ordering = ["created_at", "id"]


class PointEntry(models.Model):
    """The points ledger; Volunteer.points is its running sum."""

    class Reason(models.TextChoices):
        ADOPTED = "adopted", _("解答被采纳")
        MODERATOR_ADOPTED = "moderator_adopted", _("解答被管理员采纳")
        RATING_BONUS = "rating_bonus", _("获得好评")
        ADJUSTMENT = "adjustment", _("人工调整")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="point_entries")
    points = models.IntegerField(_("积分"))
    reason = models.CharField(_("原因"), max_length=20, choices=Reason.choices)
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.volunteer} {self.points:+d}"


class Dispatch(models.Model):
    """An unanswered question sent to a named volunteer (临时派单), by the escalation sweep
    (by = None) or by a director."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="dispatches")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="dispatches")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("派单时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["consultation", "volunteer"], name="one_dispatch_per_volunteer")]

    def __str__(self):
        return f"{self.consultation_id} → {self.volunteer}"


class Entrustment(TimeStampedModel):
    """「委托该律师」: the asker asks the answering lawyer to take the matter on. It opens its own
    work order (service item: lawyer services) linked here."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="entrustments")
    answer = models.ForeignKey(Answer, on_delete=models.PROTECT, related_name="entrustments")
    practitioner = models.ForeignKey(
        "directory.Practitioner", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    work_order = models.OneToOneField("workorders.WorkOrder", on_delete=models.PROTECT, related_name="entrustment")

    class Meta:
        verbose_name = _("委托律师申请")
        verbose_name_plural = _("委托律师申请")
        constraints = [models.UniqueConstraint(fields=["consultation", "answer"], name="one_entrustment_per_answer")]
