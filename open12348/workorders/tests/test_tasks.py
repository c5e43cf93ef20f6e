import datetime

import pytest
from django.core.management import call_command

from open12348.accounts.models import User
from open12348.audit.models import Event
from open12348.core.sms import MemorySmsBackend
from open12348.workorders import services
from open12348.workorders.models import DeadlineAlert
from open12348.workorders.tasks import deadline_sweep, deadline_sweep_task, director_of
from open12348.workorders.tests.factories import make_order, service_item

pytestmark = pytest.mark.django_db
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def at(*args):
    return datetime.datetime(*args, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def outbox():
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def claimed(clerk_a, town_a, django_capture_on_commit_callbacks):
    import time_machine

    User.objects.filter(pk=clerk_a.pk).update(phone="13700000001")
    with time_machine.travel(at(2027, 3, 1, 9, 0), tick=False):  # Monday; due Wednesday 3 March
        order = make_order(actor=clerk_a, area=town_a, service_item=service_item(days=2))
        services.workorder_transition(actor=clerk_a, order=order, action="claim")
    return order


def sweep(now, capture):
    with capture(execute=True):
        return deadline_sweep(now)


def test_the_assignee_is_reminded_the_working_day_before_the_deadline_once(
    claimed, outbox, django_capture_on_commit_callbacks
):
    assert claimed.deadline == at(2027, 3, 3, 23, 59, 59)
    assert sweep(at(2027, 3, 1, 18, 0), django_capture_on_commit_callbacks)["reminders"] == 0  # two days before
    assert sweep(at(2027, 3, 2, 8, 0), django_capture_on_commit_callbacks) == {"reminders": 1, "escalations": 0}
    assert sweep(at(2027, 3, 2, 9, 0), django_capture_on_commit_callbacks) == {"reminders": 0, "escalations": 0}
    assert len(outbox) == 1
    phone, message = outbox[0]
    assert phone == "13700000001" and claimed.tracking_code in message and "到期" in message
    alert = DeadlineAlert.objects.get()
    assert (alert.kind, alert.recipient.username) == ("reminder", "clerk_a")
    assert Event.objects.filter(verb="workorder.deadline_reminded").count() == 1


def test_the_director_is_told_once_when_the_deadline_has_passed(
    claimed, director_a, django_capture_on_commit_callbacks
):
    assert director_of(claimed.handling_org) == director_a
    assert sweep(at(2027, 3, 4, 0, 0), django_capture_on_commit_callbacks)["escalations"] == 1
    assert sweep(at(2027, 3, 5, 0, 0), django_capture_on_commit_callbacks)["escalations"] == 0
    alert = DeadlineAlert.objects.get(kind="escalation")
    assert alert.recipient == director_a
    assert Event.objects.filter(verb="workorder.overdue_escalated").count() == 1


def test_a_paused_clock_sends_nothing(claimed, clerk_a, django_capture_on_commit_callbacks):
    services.workorder_transition(actor=clerk_a, order=claimed, action="start")
    services.workorder_transition(actor=clerk_a, order=claimed, action="request_materials", reason="缺证据")
    assert sweep(at(2027, 3, 10, 0, 0), django_capture_on_commit_callbacks) == {"reminders": 0, "escalations": 0}


def test_a_new_deadline_gets_its_own_alerts(claimed, director_a, django_capture_on_commit_callbacks):
    assert sweep(at(2027, 3, 4, 0, 0), django_capture_on_commit_callbacks)["escalations"] == 1
    from open12348.workorders.models import WorkOrder

    WorkOrder.objects.filter(pk=claimed.pk).update(deadline=at(2027, 3, 8, 23, 59, 59))
    assert sweep(at(2027, 3, 9, 0, 0), django_capture_on_commit_callbacks)["escalations"] == 1


def test_finished_orders_are_not_chased(claimed, clerk_a, django_capture_on_commit_callbacks):
    services.workorder_transition(actor=clerk_a, order=claimed, action="withdraw", reason="已撤回")
    assert sweep(at(2027, 3, 10, 0, 0), django_capture_on_commit_callbacks) == {"reminders": 0, "escalations": 0}


def test_the_command_and_the_task_run_the_sweep(claimed, capsys):
    call_command("sweepdeadlines")
    assert "到期提醒" in capsys.readouterr().out
    result = deadline_sweep_task.enqueue()
    assert result.return_value == {"reminders": 0, "escalations": 0}
