from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(gettext("审计事件只能追加，不能修改。"))

    def delete(self):
        raise PermissionError(gettext("审计事件只能追加，不能删除。"))


class Event(models.Model):
    """One thing that happened: who did what to which record, in which area. Append-only;
    database triggers refuse UPDATE and DELETE as well (migration 0002)."""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人账号"), max_length=150, blank=True)
    verb = models.CharField(_("动作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    org = models.ForeignKey(
        "orgs.OrgNode", verbose_name=_("所属区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("客户端IP"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-seq"]
        permissions = [("verify_event", _("可以校验审计链"))]
        # A record's timeline (every event about one work order, account …) is one index range.
        indexes = [models.Index(fields=["target_type", "target_id", "seq"], name="audit_event_target")]

    def __str__(self):
        return f"#{self.seq} {self.verb} {self.actor_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(gettext("审计事件只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(gettext("审计事件只能追加，不能删除。"))

    def sealed_content(self) -> dict:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "verb": self.verb,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "org": self.org_id,
            "payload": self.payload,
            "ip": self.ip,
            "request_id": self.request_id,
        }


class ChainHead(models.Model):
    """A single row holding the tail of the chain. Locking it serialises appends, so two
    concurrent writers can never fork the chain; it also exposes truncation of the tail."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计链尾")
        verbose_name_plural = _("审计链尾")

    def __str__(self):
        return f"#{self.last_seq}"
