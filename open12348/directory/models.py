"""The directory (issue 5, E2): legal service institutions and practitioners, with their
credit records (administrative penalties, industry sanctions). Public information by law;
the people in the demo data are fictitious and marked so."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from open12348.core.fields import personal
from open12348.core.models import TimeStampedModel


class Institution(TimeStampedModel):
    class Kind(models.TextChoices):
        LAW_FIRM = "law_firm", _("律师事务所")
        NOTARY_OFFICE = "notary_office", _("公证机构")
        APPRAISAL = "appraisal", _("司法鉴定机构")
        MEDIATION = "mediation", _("人民调解委员会")
        LEGAL_AID = "legal_aid", _("法律援助机构")
        GRASSROOTS = "grassroots", _("基层法律服务所")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=120, unique=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    licence_no = models.CharField(_("执业许可证号"), max_length=40, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    leader = models.CharField(_("负责人"), max_length=50, blank=True)
    team_size = models.PositiveIntegerField(_("执业人员数"), default=0)
    area = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="institutions"
    )
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    specialties = models.ManyToManyField("catalog.LegalCategory", verbose_name=_("业务专长"), blank=True)
    introduction = models.TextField(_("简介"), blank=True)
    is_fictitious = models.BooleanField(_("演示数据（虚构）"), default=False)
    is_active = models.BooleanField(_("公开"), default=True)

    class Meta:
        verbose_name = _("法律服务机构")
        verbose_name_plural = _("法律服务机构")
        ordering = ["area__path", "kind", "name"]

    def __str__(self):
        return self.name


class Practitioner(TimeStampedModel):
    class Kind(models.TextChoices):
        LAWYER = "lawyer", _("律师")
        NOTARY = "notary", _("公证员")
        APPRAISER = "appraiser", _("司法鉴定人")
        MEDIATOR = "mediator", _("人民调解员")
        GRASSROOTS = "grassroots", _("基层法律服务工作者")
        LEGAL_AID = "legal_aid", _("法律援助人员")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = personal(models.CharField(_("姓名"), max_length=50), _("执业信息公开（法律服务人员姓名）"))
    photo = personal(
        models.ImageField(_("照片"), upload_to="directory/photos/", blank=True), _("执业信息公开（法律服务人员照片）")
    )
    licence_no = models.CharField(_("执业证号"), max_length=40, blank=True, db_index=True)
    practising_since = models.DateField(_("首次执业日期"), null=True, blank=True)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("执业机构"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    area = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="practitioners"
    )
    specialties = models.ManyToManyField("catalog.LegalCategory", verbose_name=_("业务专长"), blank=True)
    languages = models.CharField(_("语言和方言"), max_length=100, blank=True, help_text=_("例如：普通话、吴语"))
    introduction = models.TextField(_("简介"), blank=True)
    user = models.OneToOneField(
        "accounts.User",
        verbose_name=_("平台账户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practitioner",
        help_text=_("关联后，其在平台办理的服务计入服务记录"),
    )
    is_fictitious = models.BooleanField(_("演示数据（虚构）"), default=False)
    is_active = models.BooleanField(_("公开"), default=True)

    class Meta:
        verbose_name = _("法律服务人员")
        verbose_name_plural = _("法律服务人员")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class CreditRecord(TimeStampedModel):
    """A sanction on an institution or a practitioner (行政处罚、行业惩戒), as published."""

    class Kind(models.TextChoices):
        ADMINISTRATIVE_PENALTY = "administrative_penalty", _("行政处罚")
        INDUSTRY_SANCTION = "industry_sanction", _("行业惩戒")

    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="credit_records"
    )
    practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.CASCADE, related_name="credit_records"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    decided_on = models.DateField(_("决定日期"))
    reason = models.TextField(_("违法违规事实"))
    measure = models.CharField(_("处理结果"), max_length=300)
    issuing_body = models.CharField(_("决定机关"), max_length=120)
    document_no = models.CharField(_("决定书文号"), max_length=80, blank=True)
    public_until = models.DateField(_("公示截止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(institution__isnull=False, practitioner__isnull=True)
                | Q(institution__isnull=True, practitioner__isnull=False),
                name="credit_record_has_one_subject",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.decided_on}"
