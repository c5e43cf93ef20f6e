"""Races of the hall, with real threads and a connection each: 50 kiosks taking tickets at
once get 50 distinct numbers; windows pressing "call next" together never get the same
ticket. They run on SQLite (writers serialised by BEGIN IMMEDIATE + busy timeout) and on
PostgreSQL (`make test-postgres`: row locks and the conditional UPDATE decide).

On SQLite the test database is in memory with a shared cache, where a second writer fails
at once ("database table is locked") instead of waiting: not how the platform runs. The
module therefore copies it to a file (WAL, busy timeout: the deployed setup) while it runs."""

import sqlite3
import threading

import pytest
from django.db import connection, connections

from open12348.accounts.tests.factories import make_staff
from open12348.queuing import services
from open12348.queuing.models import Ticket, TicketCounter
from open12348.queuing.tests.factories import make_hall

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The flush after each test truncates the audit trail (see conftest); the connection its
    # teardown opens is closed again so the test database can be dropped at the end.
    pytest.mark.usefixtures("_sqlite_on_file", "_close_connection_after_module", "audit_trail_flushable"),
]
TAKERS = 50


@pytest.fixture(scope="module")
def _sqlite_on_file(django_db_setup, django_db_blocker, tmp_path_factory):
    """SQLite in memory: copy the test database to a file and point every new connection at
    it for this module; the in-memory database is kept open aside (closing it would drop it)
    and put back afterwards."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path_factory.mktemp("hall") / "hall.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        in_memory, name = connection.connection, connection.settings_dict["NAME"]
        with sqlite3.connect(path) as copy:
            in_memory.backup(copy)
        copy.close()
        connection.connection = None
        connection.settings_dict["NAME"] = str(path)
    yield
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory


@pytest.fixture(scope="module")
def _close_connection_after_module(django_db_setup):
    yield
    connection.close()


@pytest.fixture
def hall_t(station_a):
    """The hall of the test factories, built in this transactional test's database."""
    return make_hall(station_a)


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


def test_fifty_simultaneous_takers_get_fifty_distinct_numbers(hall_t):
    """The first ticket of the day races on creating the counter row, the others on its
    conditional UPDATE."""
    results = run_at_once(TAKERS, lambda i: services.ticket_issue(site=hall_t.site, service_code="consultation"))
    tickets = [r for r in results if isinstance(r, Ticket)]
    assert len(tickets) == TAKERS, [r for r in results if not isinstance(r, Ticket)]
    assert sorted(t.seq for t in tickets) == list(range(1, TAKERS + 1))
    assert len({t.number for t in tickets}) == TAKERS
    assert TicketCounter.objects.get(site=hall_t.site, prefix="B").last == TAKERS


def test_takers_of_two_queues_at_once_count_each_queue_separately(hall_t):
    codes = ("consultation", "mediation")
    results = run_at_once(20, lambda i: services.ticket_issue(site=hall_t.site, service_code=codes[i % 2]))
    assert all(isinstance(r, Ticket) for r in results), results
    for prefix in ("B", "C"):
        assert sorted(Ticket.objects.filter(prefix=prefix).values_list("seq", flat=True)) == list(range(1, 11))


def test_windows_calling_next_at_once_never_get_the_same_ticket(hall_t, clerk_a, area_a):
    """Windows 1 and 2 both handle 法律咨询; three clerks of the site and a director press
    "call next" at each of three windows together, several rounds."""
    for _ in range(12):
        services.ticket_issue(site=hall_t.site, service_code="consultation")
    directors = [make_staff(f"director{i}", area_a, "site_director") for i in range(3)]
    windows = [hall_t.windows[1], hall_t.windows[2], hall_t.windows[3]]
    called = []
    for _round in range(4):
        results = run_at_once(3, lambda i: services.call_next(actor=directors[i], window=windows[i]))
        errors = [r for r in results if isinstance(r, Exception)]
        assert not errors, errors
        round_tickets = [r for r in results if isinstance(r, Ticket)]
        called.extend(t.pk for t in round_tickets)
        for i, ticket in enumerate(results):
            if isinstance(ticket, Ticket):
                services.finish(actor=directors[i], window=windows[i])
    assert len(called) == len(set(called)) == 8  # windows 1 and 2 each call one per round
    assert Ticket.objects.filter(status=Ticket.Status.DONE).count() == 8


def test_the_same_window_pressed_twice_at_once_calls_one_ticket(hall_t, clerk_a, director_a):
    for _ in range(3):
        services.ticket_issue(site=hall_t.site, service_code="consultation")
    actors = [clerk_a, director_a]
    results = run_at_once(2, lambda i: services.call_next(actor=actors[i], window=hall_t.windows[1]))
    winners = [r for r in results if isinstance(r, Ticket)]
    losers = [r for r in results if isinstance(r, services.QueueConflict)]
    assert (len(winners), len(losers)) == (1, 1), results
    assert Ticket.objects.filter(status=Ticket.Status.CALLED).count() == 1
