from django.db import models

from open12348.core.models import TimeStampedModel


class LegalCategory(TimeStampedModel):
    """Legal categories (法律类别). The top level holds exactly the 20 topic labels the
    question classifier predicts; sub-categories (继承 under 婚姻家庭 …) refine them."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40)
    parent = models.ForeignKey(
        "self", verbose_name="上级类别", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "法律类别"
        verbose_name_plural = "法律类别"
        ordering = ["sort", "code"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="legal_category_name_unique")]

    def __str__(self):
        return f"{self.parent.name}·{self.name}" if self.parent_id else self.name


class ServiceItem(TimeStampedModel):
    """An item of the public service catalog (基本项目清单)."""

    class Category(models.TextChoices):
        LEGAL_AID = "legal_aid", "法律援助"
        MEDIATION = "mediation", "人民调解"
        APPRAISAL = "appraisal", "司法鉴定"
        NOTARY = "notary", "公证服务"
        LAWYER = "lawyer", "律师服务"
        EXAM = "exam", "法律职业资格考试"
        CONSULTATION = "consultation", "法律咨询"
        GUIDANCE = "guidance", "法律事务指引"
        GRASSROOTS = "grassroots", "基层法律服务"
        COMPLAINT = "complaint", "投诉建议"

    class Channel(models.TextChoices):
        WINDOW = "window", "窗口"
        HOTLINE = "hotline", "12348热线"
        WEB = "web", "网上办理"
        WECHAT = "wechat", "微信"
        HOME_VISIT = "home_visit", "上门服务"

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("事项名称", max_length=80)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    responsible_body = models.CharField("责任主体", max_length=80)
    time_limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    time_limit_note = models.CharField("时限说明", max_length=200, blank=True)
    materials = models.JSONField("所需材料", default=list, blank=True)
    fee_note = models.CharField("收费说明", max_length=200)
    is_free = models.BooleanField("免费", default=True)
    channels = models.JSONField("办理渠道", default=list)
    description = models.TextField("事项说明", blank=True)
    basis = models.CharField("依据", max_length=200, blank=True)
    is_core = models.BooleanField("6+X 主要事项", default=False)
    sort = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务事项"
        verbose_name_plural = "服务事项"
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name

    def channel_labels(self) -> list[str]:
        labels = dict(self.Channel.choices)
        return [labels.get(code, code) for code in self.channels]
