"""Where the time of one B1 intake goes: the product's WSGI handler called in process (no HTTP,
no load generator), on the bench database, with each phase of the request timed, beside B0's
bare create. It explains B1's figure; it sets no target (run.py measures B1).

    .venv/bin/python bench/intake_profile.py --orders 1000000     # after bench/run.py --only B1

Batches of `--batch` requests alternate between bare create and intake; each figure is the
best batch (the least disturbed by the rest of the machine), in ms per request. "database" is
the time inside the database calls (statements and the commit) through Django's cursor layer."""

import argparse
import collections
import functools
import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run

PHASES = (  # (module, object, attribute, label): what each timer wraps
    ("rest_framework.views", "APIView", "perform_authentication", "sign-in"),
    ("rest_framework.views", "APIView", "check_permissions", "permissions"),
    ("open12348.workorders.api", "WorkOrderCreateSerializer", "is_valid", "validation"),
    ("open12348.workorders.services", None, "_replayed_order", "idempotency look-up"),
    ("open12348.workorders.services", None, "_intake_prepare", "rules and route"),
    ("open12348.workorders.services", None, "_applicant", "applicant"),
    ("open12348.workorders.services", None, "_insert_with_code", "order insert"),
    ("open12348.audit.services", None, "record", "audit event"),
    ("open12348.workorders.services", None, "_intake_write", "writes (applicant, order, audit)"),
    ("open12348.workorders.api", None, "created_data", "answer"),
    ("open12348.workorders.api", "WorkOrderListCreateView", "post", "post() (validation to answer)"),
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--orders",
        type=int,
        default=run.env_number("BENCH_ORDERS", 100_000),
        help="work orders in the bench data set, as for run.py (a different number regenerates it)",
    )
    parser.add_argument("--seed", type=int, default=12348)
    parser.add_argument("--batch", type=int, default=60, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=15, help="batches of each kind")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    return parser.parse_args()


class Timers:
    """Seconds spent in each wrapped callable, and in the database, since the last reset."""

    def __init__(self):
        self.spent: dict[str, float] = collections.defaultdict(float)

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[label] += time.perf_counter() - started

        setattr(owner, name, timed)

    def database(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.spent["database"] += time.perf_counter() - started


def install(timers: Timers) -> None:
    import importlib

    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    for module, owner, name, label in PHASES:
        target = importlib.import_module(module)
        timers.wrap(getattr(target, owner) if owner else target, name, label)
    connection.execute_wrappers.append(timers.database)
    timers.wrap(type(connection), "commit", "database commit")


def wsgi_call(app, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> str:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
    }
    for key, value in (headers or {}).items():
        environ["CONTENT_TYPE" if key == "Content-Type" else "HTTP_" + key.upper().replace("-", "_")] = value
    status = []
    b"".join(app(environ, lambda line, _headers, *rest: status.append(line)))
    return status[0]


def main() -> int:
    args = parse_args()
    env = run.bench_env(args)
    spec = json.loads(
        run.manage_in(env, "benchseed_workorders", "--orders", str(args.orders), "--seed", str(args.seed))
        .strip()
        .splitlines()[-1]
    )
    os.environ.update({key: env[key] for key in ("DJANGO_SETTINGS_MODULE", "BENCH_DATABASE_URL") if key in env})
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    app, rng, timers = WSGIHandler(), random.Random(args.seed), Timers()
    install(timers)
    headers = {"Authorization": f"Bearer {spec['write_token']}", "Content-Type": "application/json"}
    counter = iter(range(10**9))

    def intake():
        key = {"Idempotency-Key": f"profile-{time.time_ns()}-{next(counter)}"}
        return wsgi_call(app, "POST", run.API_LIST, run.intake_body(spec, rng), {**headers, **key})

    def bare():
        return wsgi_call(app, "POST", "/create", run.CREATE_BODY)

    for call, expected in ((intake, "201"), (bare, "201")):
        status = call()
        if not status.startswith(expected):
            raise SystemExit(f"unexpected answer {status}")
    best: dict[str, tuple[float, dict]] = {}
    for _ in range(args.rounds):
        for kind, call in (("bare create", bare), ("intake", intake)):
            timers.spent.clear()
            started = time.perf_counter()
            for _ in range(args.batch):
                call()
            total = (time.perf_counter() - started) / args.batch * 1000
            if kind not in best or total < best[kind][0]:
                best[kind] = (total, {k: v / args.batch * 1000 for k, v in timers.spent.items()})
    for kind, (total, phases) in best.items():
        database = phases.get("database", 0) + phases.get("database commit", 0)
        print(
            f"{kind}: {total:.2f} ms a request: {database:.2f} ms in the database, {total - database:.2f} ms in Python"
        )
        for label, ms in sorted(phases.items(), key=lambda item: -item[1]):
            print(f"  {label:32s} {ms:6.3f} ms")
    print(f"ratio (in process): {best['bare create'][0] / best['intake'][0]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
