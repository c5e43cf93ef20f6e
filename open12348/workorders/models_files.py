"""Attachments of a work order (C31/C33) and joint review (联审会办). A second module of the
`workorders` app's models, imported at the end of `workorders.models`; models never import
services."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from open12348.core.fields import personal


class Attachment(models.Model):
    """A file attached to an order. The bytes live in the default storage (MEDIA_ROOT, which
    no URL serves) under a random name; they are read only through the download view, which
    checks that the order is visible. What was stored has passed `workorders.uploads`."""

    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    original_name = personal(models.CharField(_("原文件名"), max_length=200), _("附件原文件名（可能含当事人姓名）"))
    stored_name = models.CharField(_("存储名"), max_length=200, unique=True, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.original_name


class JointReview(models.Model):
    """One org taking part in the joint review of an order (联审会办): each gives its own
    opinion; the lead org resolves the order once every other org has given one."""

    work_order = models.ForeignKey("workorders.WorkOrder", on_delete=models.CASCADE, related_name="joint_reviews")
    org = models.ForeignKey("orgs.OrgNode", verbose_name=_("会办单位"), on_delete=models.PROTECT, related_name="+")
    is_lead = models.BooleanField(_("牵头单位"), default=False)
    opinion = personal(models.TextField(_("会办意见"), blank=True), _("会办单位对诉求的处理意见"))
    opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("意见人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opinion_at = models.DateTimeField(_("意见时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联审会办")
        verbose_name_plural = _("联审会办")
        ordering = ["-is_lead", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "org"], name="joint_review_org_once"),
            models.UniqueConstraint(fields=["work_order"], condition=Q(is_lead=True), name="joint_review_one_lead"),
        ]

    def __str__(self):
        return f"{self.work_order_id} · {self.org_id}"
