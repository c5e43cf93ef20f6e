"""The push stream of hall displays, driven in process through the push server's ASGI
application (`config.asgi.push_application`: its URLconf, the full middleware, the async view
and the per-process pump), with events committed by other database connections."""

import asyncio
import importlib
import json
import runpy
import threading
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection, connections
from django.test import RequestFactory, override_settings
from django.utils import timezone

from config.asgi import push_application
from open12348.orgs.models import Site
from open12348.queuing import push, services
from open12348.queuing.models import QueueEvent, Ticket


def live(test):
    """Other threads (the push app's, the "other app process") must see committed rows; a
    transactional test ends with a flush, which the audit trail's triggers allow only so."""
    return pytest.mark.usefixtures("audit_trail_flushable")(pytest.mark.django_db(transaction=True)(test))


WAIT = 5.0  # seconds a test waits for a frame before failing


def stream_path(site) -> str:
    return f"/push/queue/sites/{site.pk}/stream"


class Display:
    """One EventSource, as a browser would hold it: the raw ASGI messages of the push app."""

    def __init__(self, path: str, *, query: str = "", headers: dict[str, str] | None = None):
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.outbox: asyncio.Queue = asyncio.Queue()
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1:8001"), (b"accept", b"text/event-stream")]
            + [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8001),
        }
        self.buffer = ""
        self.status = None
        self.headers: dict[str, str] = {}
        self.task = None
        self.hello = None

    async def open(self) -> "Display":
        self.inbox.put_nowait({"type": "http.request", "body": b"", "more_body": False})
        self.task = asyncio.create_task(push_application(self.scope, self.inbox.get, self.outbox.put))
        start = await asyncio.wait_for(self.outbox.get(), WAIT)
        assert start["type"] == "http.response.start"
        self.status = start["status"]
        self.headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
        if self.status == 200:
            # The stream says hello once it is subscribed: from here on, nothing is missed.
            self.hello = await self.frame()
        return self

    async def body(self) -> str:
        """The whole body of a response that ends (e.g. a 404)."""
        chunks = []
        while True:
            message = await asyncio.wait_for(self.outbox.get(), WAIT)
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                return b"".join(chunks).decode()

    async def frame(self) -> str:
        """The next SSE frame (up to the blank line)."""
        while "\n\n" not in self.buffer:
            message = await asyncio.wait_for(self.outbox.get(), WAIT)
            assert message.get("more_body", False), "the stream ended"
            self.buffer += message["body"].decode()
        text, self.buffer = self.buffer.split("\n\n", 1)
        return text

    async def event(self) -> dict:
        """The next frame that is an event (skipping comments and the retry hint)."""
        while True:
            fields = {}
            for line in (await self.frame()).split("\n"):
                if line and not line.startswith(":"):
                    name, _, value = line.partition(": ")
                    fields[name] = value
            if "event" in fields:
                fields["id"] = int(fields["id"])
                fields["data"] = json.loads(fields["data"])
                return fields

    async def close(self) -> None:
        self.inbox.put_nowait({"type": "http.disconnect"})
        await asyncio.wait_for(self.task, WAIT)


def run(coroutine):
    """Run an async scenario, then close the connections its sync threads opened."""

    async def scenario():
        try:
            return await coroutine
        finally:
            await sync_to_async(connections.close_all)()

    return asyncio.run(scenario())


def publish(site, kind="board", **payload) -> int:
    return QueueEvent.objects.create(site=site, kind=kind, payload=payload, at=timezone.now()).pk


async def committed_elsewhere(function, *args, **kwargs):
    """Run `function` in a fresh thread: its own database connection, committed on return."""

    def work():
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return await asyncio.to_thread(work)


# --- The stream ----------------------------------------------------------------------------------


@live
def test_a_call_pressed_elsewhere_reaches_a_connected_display(hall, clerk_a):
    services.ticket_issue(site=hall.site, service_code="consultation")

    async def scenario():
        display = await Display(stream_path(hall.site)).open()
        assert display.status == 200
        assert display.headers["content-type"] == "text/event-stream"
        assert display.headers["access-control-allow-origin"] == "*"
        assert display.headers["cache-control"] == "no-cache, no-transform"
        assert display.hello.startswith("retry: ")

        ticket = await committed_elsewhere(services.call_next, actor=clerk_a, window=hall.windows[1])
        event = await display.event()
        await display.close()
        return ticket, event

    ticket, event = run(scenario())

    assert event["event"] == "call"
    assert event["id"] == QueueEvent.objects.get(kind="call").pk
    assert event["data"]["number"] == ticket.number == "B001"
    assert event["data"]["window_number"] == 1


@live
@pytest.mark.parametrize("how", ["header", "query"])
def test_a_reconnecting_display_gets_what_it_missed_then_live_events(hall, how):
    seen = publish(hall.site, note="seen")
    missed = [publish(hall.site, note=f"missed {n}") for n in range(3)]
    publish(Site.objects.create(org=hall.site.org, name="另一个站点"), note="other site")
    if how == "header":
        options = {"headers": {"Last-Event-ID": str(seen)}}
    else:
        options = {"query": f"last_event_id={seen}"}

    async def scenario():
        display = await Display(stream_path(hall.site), **options).open()
        replayed = [await display.event() for _ in missed]
        live_id = await committed_elsewhere(publish, hall.site, note="live")
        live = await display.event()
        await display.close()
        return replayed, live, live_id

    replayed, live, live_id = run(scenario())

    assert [event["id"] for event in replayed] == missed
    assert [event["data"]["note"] for event in replayed] == ["missed 0", "missed 1", "missed 2"]
    assert (live["id"], live["data"]["note"]) == (live_id, "live")


@live
def test_a_display_more_than_100_events_behind_is_told_to_reset(hall):
    first = publish(hall.site)
    QueueEvent.objects.bulk_create(
        [QueueEvent(site=hall.site, kind="board", payload={}, at=timezone.now()) for _ in range(101)]
    )
    latest = QueueEvent.objects.latest("id").pk

    async def scenario():
        display = await Display(stream_path(hall.site), headers={"Last-Event-ID": str(first)}).open()
        reset = await display.event()
        live_id = await committed_elsewhere(publish, hall.site, kind="call", number="A001")
        live = await display.event()
        await display.close()
        return reset, live, live_id

    reset, live, live_id = run(scenario())

    assert (reset["event"], reset["id"], reset["data"]) == ("reset", latest, {"last_event_id": latest})
    assert (live["event"], live["id"]) == ("call", live_id)


@live
def test_exactly_100_missed_events_are_replayed_not_reset(hall):
    first = publish(hall.site)
    QueueEvent.objects.bulk_create(
        [QueueEvent(site=hall.site, kind="board", payload={"n": n}, at=timezone.now()) for n in range(100)]
    )

    async def scenario():
        display = await Display(stream_path(hall.site), headers={"Last-Event-ID": str(first)}).open()
        events = [await display.event() for _ in range(100)]
        await display.close()
        return events

    events = run(scenario())

    assert [event["data"]["n"] for event in events] == list(range(100))


@live
def test_a_display_without_a_last_id_starts_from_now(hall):
    publish(hall.site, note="old")

    async def scenario():
        display = await Display(stream_path(hall.site)).open()
        live_id = await committed_elsewhere(publish, hall.site, note="new")
        event = await display.event()
        await display.close()
        return event, live_id

    event, live_id = run(scenario())

    assert (event["id"], event["data"]["note"]) == (live_id, "new")


@live
def test_an_idle_stream_sends_a_ping_comment(hall, monkeypatch):
    monkeypatch.setattr(push, "HEARTBEAT", 0.05)

    async def scenario():
        display = await Display(stream_path(hall.site)).open()
        ping = await display.frame()
        await display.close()
        return ping

    assert run(scenario()) == ": ping"


@live
def test_a_stream_of_an_unknown_or_closed_site_is_404(hall):
    Site.objects.filter(pk=hall.site.pk).update(is_active=False)

    async def scenario():
        closed = await Display(stream_path(hall.site)).open()
        unknown = await Display("/push/queue/sites/999999/stream").open()
        other = await Display("/api/v1/queue/sites/").open()  # the push server serves /push/ only
        bodies = [await display.body() for display in (closed, unknown, other)]
        return (closed.status, unknown.status, other.status), bodies

    statuses, bodies = run(scenario())

    assert statuses == (404, 404, 404)
    assert bodies[0] == "未找到该站点，或该站点已停用。"
    assert bodies[2].startswith("未找到。")


@live
def test_one_pump_serves_every_display_with_one_query_per_interval(hall, monkeypatch):
    """The database cost does not grow with the number of displays."""
    monkeypatch.setattr(push, "POLL_INTERVAL", 0.05)

    async def scenario():
        # All at once: displays connecting together must not start a pump each.
        displays = await asyncio.gather(*(Display(stream_path(hall.site)).open() for _ in range(20)))
        pump = push.pump()
        assert pump.connections == 20
        threads = threading.active_count()
        polls_before = pump.polls
        await asyncio.sleep(0.5)
        polls = pump.polls - polls_before
        live_id = await committed_elsewhere(publish, hall.site, kind="call")
        received = [(await display.event())["id"] for display in displays]
        for display in displays:
            await display.close()
        await asyncio.sleep(0.2)
        return polls, received, live_id, pump.connections, pump.task.done(), threads - threads_before

    threads_before = threading.active_count()
    polls, received, live_id, left, stopped, new_threads = run(scenario())

    assert 3 <= polls <= 12  # ~10 polls of 50 ms in 0.5 s, for 20 displays
    assert new_threads <= 2  # not a thread (and a database connection) per display
    assert received == [live_id] * 20
    assert left == 0
    assert stopped  # no display: the pump stops reading


@live
def test_events_of_another_site_are_not_sent(hall):
    other = Site.objects.create(org=hall.site.org, name="另一个站点")

    async def scenario():
        display = await Display(stream_path(hall.site)).open()
        await committed_elsewhere(publish, other, note="elsewhere")
        mine = await committed_elsewhere(publish, hall.site, note="here")
        event = await display.event()
        await display.close()
        return event, mine

    event, mine = run(scenario())

    assert (event["id"], event["data"]["note"]) == (mine, "here")


# --- The pump's rules, without a server -------------------------------------------------------


def test_an_event_committed_late_into_a_gap_is_still_delivered():
    """PostgreSQL: id 6 may commit after id 7 was read; the pump looks for skipped ids again."""

    async def scenario():
        pump = push.Pump()
        pump.loop = asyncio.get_running_loop()
        pump.last_id = 5
        subscription = push.Subscription(site_id=1)
        pump.subscribers[1].add(subscription)
        pump.dispatch([(7, 1, "call", {"number": "A002"})])
        gaps_after_first = set(pump.gaps)
        pump.dispatch([(6, 1, "call", {"number": "A001"})])
        delivered = [subscription.queue.get_nowait()[0] for _ in range(subscription.queue.qsize())]
        return gaps_after_first, set(pump.gaps), pump.last_id, delivered

    gaps_after_first, gaps_after_second, last_id, delivered = asyncio.run(scenario())

    assert gaps_after_first == {6}
    assert gaps_after_second == set()
    assert last_id == 7
    assert delivered == [7, 6]


def test_a_display_that_does_not_keep_up_is_reset():
    async def scenario():
        subscription = push.Subscription(site_id=1)
        for event_id in range(push.QUEUE_LIMIT + 5):
            subscription.offer((event_id, b""))
        return [subscription.queue.get_nowait() for _ in range(subscription.queue.qsize())]

    queued = asyncio.run(scenario())

    # What was queued is dropped; the display is reset, then gets what came after.
    assert queued[0] is push.RESET
    assert [item[0] for item in queued[1:]] == list(range(push.QUEUE_LIMIT + 1, push.QUEUE_LIMIT + 5))


@pytest.mark.django_db
def test_the_pump_reads_the_events_since_its_last_id_and_the_gaps(hall):
    first, second = publish(hall.site), publish(hall.site)
    pump = push.Pump()
    pump.last_id = second
    pump.gaps = {first: 1e12}

    rows = pump.fetch()

    assert [row[0] for row in rows] == [first]
    third = publish(hall.site)
    pump.gaps = {}
    assert [row[0] for row in pump.fetch()] == [third]


# --- Where pages connect, and what serves the stream ----------------------------------------------


@pytest.mark.parametrize(
    ("push_url", "host", "expected"),
    [
        (None, "127.0.0.1:8000", "//127.0.0.1:8101/push/queue/sites/7/stream"),
        (None, "hall.example.gov.cn", "//hall.example.gov.cn:8101/push/queue/sites/7/stream"),
        (None, "[::1]:8000", "//[::1]:8101/push/queue/sites/7/stream"),
        ("", "12348.example.gov.cn", "/push/queue/sites/7/stream"),
        (
            "https://push.example.gov.cn/",
            "12348.example.gov.cn",
            "https://push.example.gov.cn/push/queue/sites/7/stream",
        ),
    ],
)
def test_push_stream_url_follows_push_url_or_the_pages_host(push_url, host, expected):
    site = Site(pk=7)
    request = RequestFactory().get("/hall/d/key/", HTTP_HOST=host)
    with override_settings(PUSH_URL=push_url, PUSH_PORT=8101, ALLOWED_HOSTS=["*"]):
        assert push.push_stream_url(request, site) == expected


@pytest.mark.django_db
def test_the_main_site_does_not_serve_the_stream(client, hall):
    """Sync (WSGI) workers must never hold a stream: the URL exists on the push server only."""
    assert client.get(stream_path(hall.site)).status_code == 404


@pytest.mark.parametrize(
    ("push_url", "hosts", "expected"),
    [
        (None, ["127.0.0.1", "localhost", "[::1]"], ["127.0.0.1:8101", "localhost:8101"]),
        (None, [".example.gov.cn"], ["*.example.gov.cn:8101"]),
        ("", ["12348.example.gov.cn"], []),  # same origin: 'self'
        ("https://push.example.gov.cn/", ["12348.example.gov.cn"], ["https://push.example.gov.cn"]),
    ],
)
def test_the_csp_lets_pages_connect_to_the_push_server(monkeypatch, push_url, hosts, expected):
    config_settings = importlib.import_module("config.settings")
    monkeypatch.setattr(config_settings, "PUSH_URL", push_url)
    monkeypatch.setattr(config_settings, "PUSH_PORT", 8101)
    monkeypatch.setattr(config_settings, "ALLOWED_HOSTS", hosts)

    assert config_settings._push_connect_sources() == expected


def test_the_running_csp_includes_the_push_server():
    assert set(importlib.import_module("config.settings")._push_connect_sources()) <= set(
        settings.SECURE_CSP["connect-src"]
    )


def test_the_push_server_runs_the_push_app_on_gunicorns_asyncio_worker():
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "config" / "gunicorn_push.conf.py"))

    assert conf["wsgi_app"] == "config.asgi:push_application"
    assert conf["worker_class"] == "asgi"
    assert conf["bind"] == f"127.0.0.1:{settings.PUSH_PORT}"


@live
def test_a_ticket_taken_while_displays_listen_is_pushed_without_personal_data(hall):
    async def scenario():
        display = await Display(stream_path(hall.site)).open()
        await committed_elsewhere(
            services.ticket_issue, site=hall.site, service_code="consultation", phone="13800138000"
        )
        event = await display.event()
        await display.close()
        return event

    event = run(scenario())

    assert event["event"] == "board"
    assert "13800138000" not in json.dumps(event["data"])
    assert Ticket.objects.count() == 1
