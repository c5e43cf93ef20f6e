import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from open12348.audit.models import Event
from open12348.audit.services import record


def verify():
    call_command("verifyaudit")


@pytest.fixture
def five_events(db):
    return [record(verb=f"test.event{i}", payload={"n": i}) for i in range(1, 6)]


def drop_append_only_triggers():
    """What an attacker with owner rights on the database could do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        else:
            cursor.execute("DROP TRIGGER audit_event_append_only ON audit_event")


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_intact_chain_verifies(five_events, capsys):
    verify()
    assert "完整" in capsys.readouterr().out


def test_events_are_chained_in_sequence(five_events):
    assert [e.seq for e in five_events] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in zip(five_events, five_events[1:], strict=False))


def test_an_edited_event_is_named(five_events):
    drop_append_only_triggers()
    raw("UPDATE audit_event SET payload = %s WHERE seq = 3", ['{"n": 99}'])
    with pytest.raises(CommandError, match="第 3 号事件"):
        verify()


def test_a_deleted_event_is_named(five_events):
    drop_append_only_triggers()
    raw("DELETE FROM audit_event WHERE seq = 2")
    with pytest.raises(CommandError, match="第 3 号事件"):
        verify()


def test_a_deleted_last_event_is_detected(five_events):
    drop_append_only_triggers()
    raw("DELETE FROM audit_event WHERE seq = 5")
    with pytest.raises(CommandError, match="第 5 号事件"):
        verify()


def test_an_event_inserted_out_of_order_is_named(five_events):
    drop_append_only_triggers()
    forged = five_events[1]
    raw("UPDATE audit_event SET seq = seq + 100 WHERE seq >= 3")
    raw(
        "INSERT INTO audit_event (seq, at, actor_label, verb, target_type, target_id, payload, request_id, prev_hash, hash)"
        " VALUES (3, %s, '', 'forged', '', '', '{}', '', %s, %s)",
        [forged.at, forged.hash, forged.hash],
    )
    raw("UPDATE audit_event SET seq = seq - 99 WHERE seq >= 103")
    with pytest.raises(CommandError, match="第 3 号事件"):
        verify()


def test_the_database_refuses_to_update_or_delete_events(five_events):
    for statement in ("UPDATE audit_event SET verb = 'x' WHERE seq = 1", "DELETE FROM audit_event WHERE seq = 1"):
        with pytest.raises(DatabaseError), transaction.atomic():
            raw(statement)
    assert Event.objects.count() == 5


def test_the_application_cannot_update_or_delete_events(five_events):
    event = five_events[0]
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        Event.objects.filter(seq=1).update(verb="x")
    with pytest.raises(PermissionError):
        Event.objects.all().delete()


def test_an_event_rolls_back_with_the_business_write(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        record(verb="test.doomed")
        raise RuntimeError
    assert not Event.objects.filter(verb="test.doomed").exists()
    record(verb="test.after")
    verify()


def test_events_carry_actor_target_org_and_time(clerk_a, town_a):
    event = record(actor=clerk_a, verb="test.touched", target=town_a, org=town_a)
    assert (event.actor, event.actor_label, event.target_type, event.target_id, event.org) == (
        clerk_a,
        "clerk_a",
        "orgs.orgnode",
        str(town_a.pk),
        town_a,
    )
    assert event.at.tzinfo is not None
