"""Writes of the assist app: a staff member accepts or corrects a suggested topic; the
question and the confirmed topic become training data for the next `trainassist
--include-corrections`."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from open12348.assist import text as qtext
from open12348.assist.labels import TOPIC_LABELS
from open12348.assist.models import LabelCorrection
from open12348.audit import services as audit

TEXT_MAX = 2000


def can_record_correction(user) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "is_staff_member", False))


@transaction.atomic
def label_correction_record(
    *, actor, text: str, label: str, predicted: str = "", source: str = LabelCorrection.Source.OTHER
) -> LabelCorrection:
    if not can_record_correction(actor):
        raise PermissionDenied(_("只有工作人员可以确认或更正问题分类。"))
    errors = {}
    try:
        question = qtext.normalize(text, max_chars=TEXT_MAX)
    except qtext.EmptyQuestion:
        errors["text"] = _("问题不能为空。")
        question = ""
    if label not in TOPIC_LABELS:
        errors["label"] = _("请选择有效的问题类别。")
    if predicted and predicted not in TOPIC_LABELS:
        errors["predicted"] = _("系统建议的类别无效。")
    if source not in LabelCorrection.Source.values:
        errors["source"] = _("来源无效。")
    if errors:
        raise ValidationError(errors)
    correction = LabelCorrection.objects.create(
        text=question, label=label, predicted=predicted or "", source=source, by=actor
    )
    audit.record(
        actor=actor,
        verb="assist.label_corrected" if predicted and predicted != label else "assist.label_confirmed",
        target=correction,
        payload={"label": label, "predicted": predicted or "", "source": source},
    )
    return correction
