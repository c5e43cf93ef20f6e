from django.db import models
from django.utils.translation import gettext_lazy as _

from open12348.core.models import TimeStampedModel


class LegalCategory(TimeStampedModel):
    """Legal categories (法律类别). The top level holds exactly the 20 topic labels the
    question classifier predicts; sub-categories (继承 under 婚姻家庭 …) refine them."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("法律类别")
        verbose_name_plural = _("法律类别")
        ordering = ["sort", "code"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="legal_category_name_unique")]

    def __str__(self):
        return f"{self.parent.name}·{self.name}" if self.parent_id else self.name


class ServiceItem(TimeStampedModel):
    """An item of the public service catalog (基本项目清单)."""

    class Category(models.TextChoices):
        LEGAL_AID = "legal_aid", _("法律援助")
        MEDIATION = "mediation", _("人民调解")
        APPRAISAL = "appraisal", _("司法鉴定")
        NOTARY = "notary", _("公证服务")
        LAWYER = "lawyer", _("律师服务")
        EXAM = "exam", _("法律职业资格考试")
        CONSULTATION = "consultation", _("法律咨询")
        GUIDANCE = "guidance", _("法律事务指引")
        GRASSROOTS = "grassroots", _("基层法律服务")
        COMPLAINT = "complaint", _("投诉建议")

    class Channel(models.TextChoices):
        WINDOW = "window", _("窗口")
        HOTLINE = "hotline", _("12348热线")
        WEB = "web", _("网上办理")
        WECHAT = "wechat", _("微信")
        HOME_VISIT = "home_visit", _("上门服务")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=80)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    responsible_body = models.CharField(_("责任主体"), max_length=80)
    time_limit_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    time_limit_note = models.CharField(_("时限说明"), max_length=200, blank=True)
    materials = models.JSONField(_("所需材料"), default=list, blank=True)
    fee_note = models.CharField(_("收费说明"), max_length=200)
    is_free = models.BooleanField(_("免费"), default=True)
    channels = models.JSONField(_("办理渠道"), default=list)
    description = models.TextField(_("事项说明"), blank=True)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    is_core = models.BooleanField(_("6+X 主要事项"), default=False)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name

    def channel_labels(self) -> list[str]:
        labels = dict(self.Channel.choices)
        return [labels.get(code, code) for code in self.channels]
