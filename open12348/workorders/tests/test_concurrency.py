"""Races that SQLite hides (it serialises writers): each runs on PostgreSQL, threads with a
connection each (`scripts/test-postgres.sh`). On SQLite they are skipped."""

import threading

import pytest
from django.db import connection, connections

from open12348.accounts.tests.factories import make_staff
from open12348.workorders import services
from open12348.workorders.exceptions import AlreadyClaimed
from open12348.workorders.models import DeadlineAlert, Status, WorkOrder
from open12348.workorders.tasks import deadline_sweep
from open12348.workorders.tests.factories import make_order

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
    # The flush after each test truncates the audit trail (see conftest); the connection its
    # teardown opens is closed again so the test database can be dropped at the end.
    pytest.mark.usefixtures("_close_connection_after_module", "audit_trail_flushable"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; run on PostgreSQL"),
]
THREADS = 10


@pytest.fixture(scope="module")
def _close_connection_after_module(django_db_setup):
    yield
    connection.close()


def run_at_once(count, work):
    """Start `count` threads that call work(i) together; returns each result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # collected for the assertions
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_exactly_one_of_ten_simultaneous_claims_wins(clerk_a, town_a, area_a):
    claimers = [make_staff(f"claimer{i}", area_a, "window_clerk") for i in range(THREADS)]
    order = make_order(actor=clerk_a, area=town_a)

    def claim(i):
        return services.workorder_transition(
            actor=claimers[i], order=WorkOrder.objects.get(pk=order.pk), action="claim"
        )

    results = run_at_once(THREADS, claim)
    winners = [r for r in results if isinstance(r, WorkOrder)]
    losers = [r for r in results if isinstance(r, AlreadyClaimed)]
    assert len(winners) == 1, results
    assert len(losers) == THREADS - 1, results
    order.refresh_from_db()
    assert order.status == Status.ASSIGNED
    assert all(loser.holder == order.assignee and str(order.assignee) in loser.message for loser in losers)


def test_two_sweeps_at_once_send_each_alert_once(clerk_a, town_a):
    import datetime

    orders = [make_order(actor=clerk_a, area=town_a) for _ in range(5)]
    later = max(o.deadline for o in orders) + datetime.timedelta(days=1)
    results = run_at_once(4, lambda i: deadline_sweep(later))
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["escalations"] for r in results) == 5
    assert DeadlineAlert.objects.filter(kind=DeadlineAlert.Kind.ESCALATION).count() == 5


def test_concurrent_idempotent_creates_make_one_order_and_the_others_replay_it(clerk_a, town_a):
    """The key is written in the order's transaction: a concurrent duplicate waits on the
    unique index for the first transaction, then replays its order (no in-flight 409)."""
    from open12348.workorders.tests.factories import APPLICANT_PHONE, service_item

    item = service_item()

    def create(i):
        return services.workorder_create_idempotent(
            key="same-key",
            request_hash="h",
            actor=clerk_a,
            channel="api",
            service_item=item,
            area=town_a,
            applicant_name="王小明",
            applicant_phone=APPLICANT_PHONE,
            description="工资被拖欠",
        )

    results = run_at_once(THREADS, create)
    assert all(isinstance(r, tuple) for r in results), results
    assert sum(1 for r in results if r[1]) == 1
    assert len({r[0].pk for r in results}) == 1
    assert WorkOrder.objects.count() == 1
