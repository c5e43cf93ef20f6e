"""Publishing (issue 5, E1): policies with their interpretations, notices, legal publicity,
typical cases, legal risk alerts and service news. Each item belongs to the area of the
bureau that publishes it (the city portal, or a district's sub-site at /d/<code>/) and goes
draft → review → published (→ withdrawn). Rich text is sanitised when it is saved."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from open12348.core.fields import personal
from open12348.core.models import TimeStampedModel


class Article(TimeStampedModel):
    class Kind(models.TextChoices):
        POLICY = "policy", _("政策文件")
        INTERPRETATION = "interpretation", _("政策解读")
        NOTICE = "notice", _("通知公告")
        PUBLICITY = "publicity", _("普法宣传")
        CASE = "case", _("典型案例")
        RISK_ALERT = "risk_alert", _("法律风险提示")
        NEWS = "news", _("工作动态")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEW = "review", _("待审核")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    kind = models.CharField(_("栏目"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    body = models.TextField(_("正文"), help_text=_("保存时清除脚本等不安全内容"))
    area = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("发布区域"), on_delete=models.PROTECT, related_name="articles"
    )
    categories = models.ManyToManyField("catalog.LegalCategory", verbose_name=_("法律类别"), blank=True)
    interprets = models.ForeignKey(
        "self",
        verbose_name=_("解读的政策"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interpretations",
        limit_choices_to={"kind": "policy"},
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撰稿人"), on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("来源"), max_length=100, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    status_reason = models.CharField(_("退回或撤回原因"), max_length=500, blank=True)
    view_count = models.PositiveIntegerField(_("阅读次数"), default=0)

    class Meta:
        verbose_name = _("信息")
        verbose_name_plural = _("信息")
        ordering = ["-published_at", "-id"]
        permissions = [
            ("edit_article", _("撰写和提交信息")),
            ("review_article", _("审核、发布和撤回信息")),
        ]
        indexes = [models.Index(fields=["status", "kind", "-published_at"], name="article_public_list")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="article_published_has_time"
            )
        ]

    def __str__(self):
        return self.title


class ArticleAttachment(models.Model):
    """A file published with an item (PDF, image, OFD): checked as work-order attachments are."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(_("原文件名"), max_length=200)
    stored_name = models.CharField(_("存储名"), max_length=200, unique=True, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信息附件")
        verbose_name_plural = _("信息附件")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.original_name


class ArticleRead(models.Model):
    """A signed-in reader opened a published item (issue 5, E6: "为您推荐" learns from what one
    reads). One row per reader and item, its time moved on each reading; only the reader sees
    it (/me/), may clear it, and rows older than content.recommend.READ_KEEP_DAYS are pruned."""

    user = personal(
        models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("读者"), on_delete=models.CASCADE, related_name="+"),
        _("阅读记录，用于“为您推荐”"),
    )
    article = models.ForeignKey(Article, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="reads")
    at = models.DateTimeField(_("阅读时间"))

    class Meta:
        verbose_name = _("阅读记录")
        verbose_name_plural = _("阅读记录")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "article"], name="article_read_once_per_reader")]
        indexes = [models.Index(fields=["user", "-at"], name="article_read_recent")]

    def __str__(self):
        return f"{self.user_id} · {self.article_id}"
