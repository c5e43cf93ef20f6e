"""Staff accept or correct a suggested topic: stored as training data, audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from open12348.assist.models import LabelCorrection
from open12348.assist.services import label_correction_record
from open12348.audit.models import Event

pytestmark = pytest.mark.django_db


def test_a_clerk_corrects_a_suggestion_and_it_is_audited(clerk_a):
    correction = label_correction_record(
        actor=clerk_a, text="  老闆欠薪  ", label="劳动纠纷", predicted="债权债务", source="workorder"
    )
    assert correction.text == "老板欠薪"
    assert correction.by == clerk_a and not correction.accepted
    event = Event.objects.get(verb="assist.label_corrected")
    assert event.target_id == str(correction.pk)
    assert event.payload["predicted"] == "债权债务"


def test_accepting_a_suggestion_is_recorded_as_confirmed(clerk_a):
    correction = label_correction_record(actor=clerk_a, text="离婚", label="婚姻家庭", predicted="婚姻家庭")
    assert correction.accepted
    assert Event.objects.filter(verb="assist.label_confirmed").count() == 1


@pytest.mark.parametrize("who", ["citizen", "anonymous"])
def test_citizens_and_anonymous_callers_may_not_record(who, citizen):
    from django.contrib.auth.models import AnonymousUser

    actor = citizen if who == "citizen" else AnonymousUser()
    with pytest.raises(PermissionDenied):
        label_correction_record(actor=actor, text="离婚", label="婚姻家庭")
    assert not LabelCorrection.objects.exists()


def test_bad_input_is_refused_by_field_and_nothing_is_written(clerk_a):
    with pytest.raises(ValidationError) as error:
        label_correction_record(actor=clerk_a, text="  ", label="不存在", predicted="也不存在", source="x")
    assert set(error.value.error_dict) == {"text", "label", "predicted", "source"}
    assert not LabelCorrection.objects.exists()
    assert not Event.objects.filter(verb__startswith="assist.").exists()
