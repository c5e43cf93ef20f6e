"""The push stream of hall displays: GET /push/queue/sites/{id}/stream, Server-Sent Events.

Served only by the push server (`make push`, started by `make run` beside the main one): a
gunicorn with its native ASGI worker running `config.asgi:push_application`, whose URLconf is
this module. The WSGI server never holds a stream (a sync worker per display would be gone).

Fan-out: ONE pump task per process polls `QueueEvent` (id > last seen) every 200 ms while any
display is connected and hands each new event to the connections of its site (an
`asyncio.Queue` each). The database cost is one small query per 200 ms, whatever the number
of displays; events written by any app process reach every push process through the table.

On connect a display gives the last event id it saw (`Last-Event-ID` header, which the
browser's EventSource sends on reconnect, or `?last_event_id=` from the board snapshot): the
events after it are replayed first, so it never shows a stale number. More than 100 behind:
`event: reset` instead, and the page fetches the board again.

Frames: `id: <QueueEvent.id>` / `event: <kind>` / `data: <payload JSON>`; a comment
`: ping` every 15 s keeps proxies from closing an idle connection. No cookies are needed and
nothing personal is sent, so any origin may read it (CORS `*`)."""

import asyncio
import contextvars
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.db import connection
from django.db.models import Q
from django.http import HttpResponseNotFound, HttpResponseServerError, StreamingHttpResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from open12348.orgs.models import Site
from open12348.queuing import selectors
from open12348.queuing.models import QueueEvent

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.2  # seconds between two looks at the event table
HEARTBEAT = 15.0  # seconds of silence before a `: ping`
REPLAY_LIMIT = 100  # a display further behind than this gets `event: reset`
QUEUE_LIMIT = 100  # undelivered frames per connection before it is reset (a stalled client)
RETRY_MS = 2000  # the browser's reconnection delay
BATCH = 500  # events read per poll
# PostgreSQL hands out ids at insert, so a transaction may commit an id below one already
# seen. Ids skipped over are looked for again during this many seconds.
GAP_SECONDS = 5.0
GAP_LIMIT = 1000
STREAM_PATH = "/push/queue/sites/{site_id}/stream"
TEXT = "text/plain; charset=utf-8"
RESET = object()


def frame(event_id: int, kind: str, payload) -> bytes:
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"id: {event_id}\nevent: {kind}\ndata: {data}\n\n".encode()


def reset_frame(event_id: int) -> bytes:
    return frame(event_id, "reset", {"last_event_id": event_id})


PING = b": ping\n\n"
HELLO = f"retry: {RETRY_MS}\n: connected\n\n".encode()


@dataclass(eq=False)
class Subscription:
    site_id: int
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(maxsize=QUEUE_LIMIT))

    def offer(self, item) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            # The client does not keep up: drop what is queued and tell it to start over.
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(RESET)


def latest_event_id(site_id: int | None = None) -> int:
    events = QueueEvent.objects.all() if site_id is None else QueueEvent.objects.filter(site_id=site_id)
    return events.order_by("-id").values_list("id", flat=True).first() or 0


class Pump:
    """Polls the event table for the whole process; runs while anyone is subscribed."""

    def __init__(self):
        self.subscribers: dict[int, set[Subscription]] = defaultdict(set)
        self.last_id = 0
        self.gaps: dict[int, float] = {}  # id → give up looking at (loop time)
        self.task: asyncio.Task | None = None
        self.ready = asyncio.Event()  # set once the pump knows where the table ends
        self.loop: asyncio.AbstractEventLoop | None = None
        self.polls = 0  # for tests and the bench: proof that the cost does not grow per display

    def subscribe(self, site_id: int) -> Subscription:
        """Register a connection and start the pump if it is not running. Synchronous on
        purpose: displays connecting at the same moment must not start a pump each. Await
        `ready` before replaying: an event committed meanwhile is then either in the replay
        or delivered by the pump (the stream drops the duplicate)."""
        subscription = Subscription(site_id)
        self.subscribers[site_id].add(subscription)
        if self.task is None or self.task.done():
            self.ready = asyncio.Event()
            self.loop = asyncio.get_running_loop()
            # A context of its own: the pump outlives the request that happened to start it.
            self.task = self.loop.create_task(self.run(), name="queue-push-pump", context=contextvars.Context())
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscribers = self.subscribers.get(subscription.site_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self.subscribers[subscription.site_id]

    @property
    def connections(self) -> int:
        return sum(len(subs) for subs in self.subscribers.values())

    async def run(self) -> None:
        while self.subscribers:
            try:
                if not self.ready.is_set():
                    self.last_id = await sync_to_async(latest_event_id)()
                    self.gaps.clear()
                    self.ready.set()
                rows = await sync_to_async(self.fetch)()
            except Exception:
                log.exception(_("队列事件读取失败，1 秒后重试 / reading queue events failed, retrying in 1 s"))
                await sync_to_async(connection.close)()
                await asyncio.sleep(1.0)
                continue
            self.dispatch(rows)
            await asyncio.sleep(POLL_INTERVAL)

    def fetch(self) -> list[tuple]:
        """New events (and late commits into earlier gaps), oldest first. Runs in the sync thread."""
        self.polls += 1
        condition = Q(id__gt=self.last_id)
        if self.gaps:
            condition |= Q(id__in=list(self.gaps))
        return list(
            QueueEvent.objects.filter(condition).order_by("id").values_list("id", "site_id", "kind", "payload")[:BATCH]
        )

    def dispatch(self, rows: list[tuple]) -> None:
        now = self.loop.time()
        self.gaps = {event_id: until for event_id, until in self.gaps.items() if until > now}
        for event_id, site_id, kind, payload in rows:
            self.gaps.pop(event_id, None)
            if event_id > self.last_id:
                if event_id - self.last_id <= GAP_LIMIT:  # a wider jump is not a commit race
                    self.gaps.update(dict.fromkeys(range(self.last_id + 1, event_id), now + GAP_SECONDS))
                self.last_id = event_id
            subscribers = self.subscribers.get(site_id)
            if subscribers:
                encoded = frame(event_id, kind, payload)  # once per event, not per display
                for subscription in subscribers:
                    subscription.offer((event_id, encoded))
        if len(self.gaps) > GAP_LIMIT:
            self.gaps = dict(sorted(self.gaps.items())[-GAP_LIMIT:])


_pumps: dict[asyncio.AbstractEventLoop, Pump] = {}


def pump() -> Pump:
    """The pump of the running event loop (one per process in the push server; tests run
    several loops one after the other)."""
    loop = asyncio.get_running_loop()
    for other in [other for other in _pumps if other.is_closed()]:
        del _pumps[other]
    if loop not in _pumps:
        _pumps[loop] = Pump()
    return _pumps[loop]


def last_event_id_of(request) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or ""
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


async def events(site_id: int, after: int | None):
    """The body of one stream."""
    subscription = pump().subscribe(site_id)
    try:
        await pump().ready.wait()
        yield HELLO
        floor = after  # the display has every event up to here (None: it starts from now)
        replayed: set[int] = set()
        if after is not None:
            backlog = await sync_to_async(selectors.events_after)(site_id, after, limit=REPLAY_LIMIT + 1)
            if len(backlog) > REPLAY_LIMIT:
                floor = await sync_to_async(latest_event_id)(site_id)
                yield reset_frame(floor)
            else:
                for event in backlog:
                    replayed.add(event.pk)
                    yield frame(event.pk, event.kind, event.payload)
        while True:
            try:
                item = await asyncio.wait_for(subscription.queue.get(), timeout=HEARTBEAT)
            except TimeoutError:
                yield PING
                continue
            if item is RESET:
                floor = await sync_to_async(latest_event_id)(site_id)
                replayed.clear()
                yield reset_frame(floor)
                continue
            event_id, encoded = item
            if event_id in replayed or (floor is not None and event_id <= floor):
                continue  # sent by the replay, or older than what the display has
            yield encoded
    finally:
        pump().unsubscribe(subscription)


def _site_exists(site_id: int) -> bool:
    return Site.objects.filter(pk=site_id, is_active=True).exists()


def not_found(request, exception=None):
    return HttpResponseNotFound(_("未找到。推送服务只提供 /push/queue/sites/<站点编号>/stream。"), content_type=TEXT)


def server_error(request):
    return HttpResponseServerError(_("推送服务出错，请稍后重试。"), content_type=TEXT)


@require_GET
async def site_stream(request, site_id: int):
    if not await sync_to_async(_site_exists)(site_id):
        return HttpResponseNotFound(_("未找到该站点，或该站点已停用。"), content_type=TEXT)
    response = StreamingHttpResponse(events(site_id, last_event_id_of(request)), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each frame on at once
    response["Access-Control-Allow-Origin"] = "*"  # no cookies, nothing personal
    return response


# The push server's URLconf: the stream, and 404 for anything else. The site's own URLs come
# last so that reverse() in the shared middleware (a login redirect) still works; the
# catch-all before them means the push server never serves a page.
urlpatterns = [
    path("push/queue/sites/<int:site_id>/stream", site_stream, name="queue-stream"),
    re_path(r"", not_found),
    path("", include(settings.ROOT_URLCONF)),
]
handler404 = not_found
handler500 = server_error


class PushRequest(ASGIRequest):
    urlconf = __name__  # only the push URLs, whatever ROOT_URLCONF says


class PushASGIHandler(ASGIHandler):
    """Django's ASGI handler with the push URLconf (full middleware: security headers, CSP).

    Without Django's per-request ThreadSensitiveContext: under it every open stream would
    keep a thread of its own (for the sync middleware) and that thread's database
    connection, a thousand of each for a thousand displays. Here the little sync work of a
    connection (middleware, the site look-up) and the pump's reads share asgiref's one
    thread and one connection."""

    request_class = PushRequest

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(_("推送服务只处理 HTTP 连接，不处理 {type}。").format(type=scope["type"]))
        await self.handle(scope, receive, send)


def push_stream_url(request, site) -> str:
    """Where a display page opens its EventSource. PUSH_URL when set (production: the
    reverse proxy routes /push/ to the push server; "" = the page's own origin), else the
    push server beside the page's host: //<host>:<PUSH_PORT>."""
    stream = STREAM_PATH.format(site_id=getattr(site, "pk", site))
    if settings.PUSH_URL is not None:
        return settings.PUSH_URL.rstrip("/") + stream
    host = urlsplit("//" + request.get_host()).hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"  # IPv6
    return f"//{host}:{settings.PUSH_PORT}{stream}"
