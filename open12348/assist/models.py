"""What the assist app stores: staff corrections of suggested topics, kept as training data
(`trainassist --include-corrections`). The models themselves live in versioned files under
ASSIST_DIR (artifacts.py), not in the database."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from open12348.assist.labels import TOPIC_LABELS
from open12348.core.fields import personal

TOPIC_CHOICES = [(label, label) for label in TOPIC_LABELS]


class LabelCorrection(models.Model):
    class Source(models.TextChoices):
        CONSULTATION = "consultation", _("在线咨询")
        WORKORDER = "workorder", _("工单受理")
        HOTLINE = "hotline", _("12348热线")
        ASSISTANT = "assistant", _("智能助手")
        OTHER = "other", _("其他")

    text = personal(models.TextField(_("问题")), _("训练问题分类模型的样本（工作人员确认或更正的咨询问题）"))
    label = models.CharField(_("确认的类别"), max_length=20, choices=TOPIC_CHOICES)
    predicted = models.CharField(_("系统建议的类别"), max_length=20, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.OTHER)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("分类更正")
        verbose_name_plural = _("分类更正")
        ordering = ["-at"]
        indexes = [models.Index(fields=["label"], name="assist_correction_label")]

    def __str__(self):
        return f"{self.label}: {self.text[:20]}"

    @property
    def accepted(self) -> bool:
        """The suggestion was accepted as it was (no correction)."""
        return bool(self.predicted) and self.predicted == self.label
