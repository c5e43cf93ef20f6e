#!/usr/bin/env python
"""The benchmark suite of PERFORMANCE.md ("Benchmark suite"), B0–B4:

  B0 framework.floor    bare Django views (hello, point read, bare create), ratio to hello
  B1 intake.api         POST /api/v1/work-orders/ with a bearer token and an Idempotency-Key,
                        ratio to the B0 bare create AND to a raw Python sqlite3 1 KB insert
  B2 intake.contention  the same intake with 2 and 4 gunicorn workers, ratio to 1 worker;
                        "database is locked" errors counted (whole machine, not pinned)
  B3 workorder.read     GET /api/v1/work-orders/{id}/, ratio to the B0 point read; p95
  B4 agent.queue_list   inbox page + count + tab counts over N orders, selectors vs raw SQL
                        (in process); p95 of GET /api/v1/work-orders/?… over HTTP
  B8 search.law         GET /api/v1/laws/search/ (segmentation, ranked top 10, snippets) vs the bare
                        engine query on the same index; two-word and frequent-word sets (bench/search.py)
  B9 search.index_build segment + index the statute corpus vs raw jieba.lcut; one article re-indexed
  B10 queue.call_latency   call next → event at 50 SSE displays per center, vs a raw commit
                        seen by a raw poller; ticket issue vs raw commit (bench/hall.py)
  B11 queue.display_fanout idle push connections' CPU vs the same displays polling /board/
  B12 ai.router         classify() p95 and questions/s vs jieba on the same question; topic accuracy
                        and statute Recall@k/MRR vs baselines trained in the same run (bench/assist.py)
  B13 portal.web_vitals  LCP, CLS, TBT, INP, transfer of four pages in headless Chromium under the
                        mobile profile, LCP vs a static page of the same size (bench/web_vitals.py)

Servers are gunicorn (1 sync worker pinned to CPU 0 unless said otherwise), loaded from Python
client processes pinned to CPU 1 over loopback, interleaved A-B-A (reference, subject,
reference). A ratio = subject / mean(reference before, after) per round, reported as the
median and IQR over the rounds; absolute figures are for information only.

    .venv/bin/python bench/run.py [--only B1,B3] [--orders N] [--database-url postgres://...]

Writes var/bench/B<n>-<timestamp>.json per benchmark and prints a summary. See bench/README.md.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"
SERVER_CPU = 0
CLIENT_CPU = 1
REFERENCE = "hello"
SUBJECTS = ("read", "create")
ALL_BENCHMARKS = ("B0", "B1", "B2", "B3", "B4", "B8", "B9", "B10", "B11", "B12", "B13")
HALL_BENCHMARKS = {"B10", "B11"}  # bench/hall.py: their own servers
BROWSER_BENCHMARKS = {"B13"}  # bench/web_vitals.py: the real site on its own demo database
SEARCH_BENCHMARKS = {"B8", "B9"}  # bench/search.py: the statute library on its own database
ASSIST_BENCHMARKS = {"B12"}  # bench/assist.py: classification + statute retrieval in process (alias ASSIST)
WORKORDER_BENCHMARKS = {"B1", "B2", "B3", "B4"}
API_LIST = "/api/v1/work-orders/"
# The kinds of request a client process sends, and the status that counts as success.
EXPECTED = {"hello": 200, "read": 200, "create": 201, "api_create": 201, "api_detail": 200, "api_list": 200}
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length: *(\d+)")
CREATE_BODY = ("基准" + "x" * 1018).encode("utf-8")  # 1,024 bytes
assert len(CREATE_BODY) == 1024


def env_number(name: str, default: float, kind=int):
    value = os.environ.get(name)
    return kind(value) if value not in (None, "") else default


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="database to benchmark (default SQLite var/bench/b0.sqlite3)",
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=env_number("BENCH_ROWS", 100_000),
        help="rows in the point-read table (env BENCH_ROWS, default 100000)",
    )
    parser.add_argument("--seed", type=int, default=env_number("BENCH_SEED", 12348))
    parser.add_argument(
        "--duration",
        type=float,
        default=env_number("BENCH_DURATION", 3.0, float),
        help="seconds per run, at most 10 (env BENCH_DURATION, default 3)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=env_number("BENCH_ROUNDS", 5),
        help="A-B-A rounds, at least 5 for a valid result (env BENCH_ROUNDS, default 5)",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=env_number("BENCH_CLIENTS", 4),
        help="load-generator processes (env BENCH_CLIENTS, default 4)",
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of unmeasured load per view first")
    parser.add_argument("--hall-centers", type=int, default=env_number("BENCH_HALL_CENTERS", 10), help="B10/B11")
    parser.add_argument("--hall-displays", type=int, default=50, help="B10: SSE displays per center")
    parser.add_argument("--hall-calls", type=int, default=40, help="B10: calls pressed")
    parser.add_argument("--hall-rounds", type=int, default=3, help="B10: ticket-issue rounds (raw, tickets, raw)")
    parser.add_argument("--hall-idle", type=int, default=1000, help="B11: idle push connections")
    parser.add_argument("--hall-idle-seconds", type=float, default=15, help="B11: seconds measured idle")
    parser.add_argument(
        "--only",
        default=os.environ.get("BENCH_ONLY", ",".join(ALL_BENCHMARKS)),
        help=f"comma-separated benchmarks to run, e.g. B1,B3 (env BENCH_ONLY, default all: {','.join(ALL_BENCHMARKS)})",
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=env_number("BENCH_ORDERS", 100_000),
        help="work orders in the B1–B4 data set (env BENCH_ORDERS, default 100000; PERFORMANCE.md: 1000000)",
    )
    parser.add_argument(
        "--contention-clients",
        type=int,
        default=env_number("BENCH_CONTENTION_CLIENTS", 8),
        help="load-generator processes for B2, the same for 1, 2 and 4 workers (default 8)",
    )
    parser.add_argument(
        "--queue-iterations",
        type=int,
        default=env_number("BENCH_QUEUE_ITERATIONS", 10),
        help="B4: timed calls per side per round (default 10)",
    )
    parser.add_argument(
        "--pg-test-fsync",
        action="store_true",
        help="also run pg_test_fsync (about 20 s) to record the disk's fdatasync rate",
    )
    args = parser.parse_args()
    if not 0 < args.duration <= 10:
        parser.error("--duration must be in (0, 10] seconds")
    if args.rounds < 1 or args.clients < 1 or args.rows < 1 or args.orders < 1:
        parser.error("--rounds, --clients, --rows and --orders must be positive")
    only = [name.strip().upper() for name in args.only.split(",") if name.strip()]
    only = ["B12" if name == "ASSIST" else name for name in only]
    unknown = sorted(set(only) - set(ALL_BENCHMARKS))
    if unknown or not only:
        parser.error(f"--only takes a comma-separated list of {', '.join(ALL_BENCHMARKS)}; unknown: {unknown}")
    args.only = [name for name in ALL_BENCHMARKS if name in only]
    return args


# --- load generator (runs in child processes) -----------------------------------------------


class HttpClient:
    """A minimal HTTP/1.1 client for the load generator: one request per sendall, keep-alive
    when the server allows it, and it closes at once when the server says `Connection: close`.

    gunicorn's sync worker closes every connection and then lingers until the client has
    closed too (gunicorn 27, RFC 9112 §9.6), so a slow client leaves the worker idle. Measured
    here, 4 client processes on CPU 1 against hello: with http.client the worker's CPU was idle
    15 % of the time (≈ 1,000 req/s); with this client 2 % (≈ 1,330 req/s), and one process
    already nearly saturates it. The server, not the load generator, must be the bottleneck."""

    def __init__(self, port: int):
        self.port = port
        self.sock: socket.socket | None = None
        self.connects = 0

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def request(self, message: bytes) -> int:
        """Send one complete request message; return the response status."""
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.connects += 1
        sock = self.sock
        sock.sendall(message)
        buffer = b""
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed before the response headers")
            buffer += chunk
        head = buffer[:end].lower()
        status = int(head[9:12])
        closing = b"\r\nconnection: close" in head
        length = CONTENT_LENGTH.search(head)
        if length:
            remaining = int(length.group(1)) - (len(buffer) - end - 4)
            while remaining > 0:
                chunk = sock.recv(min(65536, remaining))
                if not chunk:
                    raise ConnectionError("connection closed inside the response body")
                remaining -= len(chunk)
        else:  # no length: the body ends when the server closes
            closing = True
            while sock.recv(65536):
                pass
        if closing:
            self.close()
        return status


def message(method: str, path: str, port: int, body: bytes = b"", headers: dict | None = None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    if body:
        if "Content-Type" not in (headers or {}):
            head += "Content-Type: text/plain; charset=utf-8\r\n"
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode("ascii") + b"\r\n" + body


INTAKE_TEXT = "单位拖欠工资三个月，想咨询如何维权。"


def intake_body(spec: dict, rng: random.Random) -> bytes:
    """A ~1 KB JSON intake body, like a caller system's: the description is padded to size."""
    body = {
        "channel": "api",
        "service_item": "consultation",
        "area": spec["intake_area"],
        "applicant_name": "王小明",
        "applicant_phone": f"138{rng.randrange(10**8):08d}",
        "description": INTAKE_TEXT,
        "legal_category": "labor",
    }
    size = len(json.dumps(body, ensure_ascii=False).encode("utf-8"))
    body["description"] = INTAKE_TEXT + "x" * max(0, 1024 - size)
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def build_request(kind: str, port: int, rng: random.Random, spec: dict, number: int, seed: int) -> bytes:
    if kind == "hello":
        return message("GET", "/hello", port)
    if kind == "read":
        return message("GET", f"/read/{rng.randint(1, spec['rows'])}", port)
    if kind == "create":
        return message("POST", "/create", port, CREATE_BODY)
    if kind == "api_create":
        headers = {
            "Authorization": f"Bearer {spec['write_token']}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"{spec.get('key_prefix', 'bench')}-{seed}-{number}",
        }
        return message("POST", API_LIST, port, intake_body(spec, rng), headers)
    if kind == "api_detail":
        headers = {"Authorization": f"Bearer {spec['read_token']}"}
        return message("GET", f"{API_LIST}{rng.randint(1, spec['orders'])}/", port, headers=headers)
    if kind == "api_list":
        query = f"?status=received&channel=hotline&area={spec['filter_area']}&page_size=20"
        return message("GET", API_LIST + query, port, headers={"Authorization": f"Bearer {spec['read_token']}"})
    raise ValueError(kind)


def client_loop(port: int, kind: str, start_at: float, end_at: float, seed: int, spec: dict, cpu, results) -> None:
    """Closed loop: one request at a time; counts requests that completed inside [start_at, end_at]."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    rng = random.Random(seed)
    client = HttpClient(port)
    expected = EXPECTED[kind]
    done = errors = 0
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    first_error = ""
    while (now := time.monotonic()) < start_at:
        time.sleep(min(0.01, start_at - now))
    number = 0
    while True:
        sent = time.monotonic()
        if sent >= end_at:
            break
        number += 1
        request = build_request(kind, port, rng, spec, number, seed)
        try:
            status = client.request(request)
        except (OSError, ValueError, IndexError) as exc:
            client.close()
            status = 0
            first_error = first_error or repr(exc)
        finished = time.monotonic()
        if finished > end_at:
            break
        if status == expected:
            done += 1
            latencies.append((finished - sent) * 1000)
        else:
            errors += 1
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            first_error = first_error or f"HTTP {status} for {request[:60]!r}"
    client.close()
    results.put(
        {
            "done": done,
            "errors": errors,
            "statuses": statuses,
            "connects": client.connects,
            "latencies": latencies,
            "first_error": first_error,
        }
    )


def load(port: int, kind: str, duration: float, clients: int, seed: int, spec: dict, pin: bool) -> dict:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    start_at = time.monotonic() + 0.3
    end_at = start_at + duration
    processes = [
        ctx.Process(
            target=client_loop,
            args=(port, kind, start_at, end_at, seed * 1000 + i, spec, CLIENT_CPU if pin else None, results),
        )
        for i in range(clients)
    ]
    for process in processes:
        process.start()
    parts = [results.get(timeout=duration + 60) for _ in processes]
    for process in processes:
        process.join(timeout=10)
    latencies = sorted(x for part in parts for x in part["latencies"])
    done = sum(part["done"] for part in parts)
    statuses: dict[str, int] = {}
    for part in parts:
        for status, count in part["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "view": kind,
        "clients": clients,
        "requests": done,
        "errors": sum(part["errors"] for part in parts),
        "error_statuses": statuses,
        "first_error": next((part["first_error"] for part in parts if part["first_error"]), ""),
        "connections": sum(part["connects"] for part in parts),
        "seconds": duration,
        "rps": done / duration,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
    }


def raw_sqlite_loop(path: str, synchronous: str, duration: float, cpu, results) -> None:
    """The raw commit limit: Python sqlite3, WAL, the bench database's synchronous mode, one
    ~1 KB row per transaction, on the server's CPU."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("CREATE TABLE IF NOT EXISTS entry (id INTEGER PRIMARY KEY, title TEXT, body TEXT, created_at TEXT)")
    conn.execute("DELETE FROM entry")
    body = CREATE_BODY.decode("utf-8")
    count = 0
    end = time.monotonic() + duration
    while time.monotonic() < end:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO entry (title, body, created_at) VALUES (?, ?, ?)",
            ("基准测试 B1", body, datetime.now(UTC).isoformat()),
        )
        conn.execute("COMMIT")
        count += 1
    conn.close()
    results.put(count / duration)


def raw_sqlite(duration: float, synchronous: str, pin: bool) -> dict:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    process = ctx.Process(
        target=raw_sqlite_loop,
        args=(str(OUT_DIR / "raw.sqlite3"), synchronous, duration, SERVER_CPU if pin else None, results),
    )
    process.start()
    rate = results.get(timeout=duration + 60)
    process.join(timeout=10)
    return {"view": "raw_sqlite", "rps": rate, "seconds": duration, "synchronous": synchronous, "errors": 0}


def percentile(ordered: list[float], q: float):
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


# --- server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(args: argparse.Namespace) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings")
    if args.database_url:
        env["BENCH_DATABASE_URL"] = args.database_url
    else:
        env.pop("BENCH_DATABASE_URL", None)
    return env


def manage(args: argparse.Namespace, *command: str) -> str:
    return manage_in(bench_env(args), *command)


def manage_in(env: dict, *command: str) -> str:
    """Run `manage.py COMMAND` with `env`; its output, or exit with its errors."""
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(command)} failed")
    return result.stdout


def start_server(args: argparse.Namespace, port: int, log_path: Path, pin: bool, workers: int = 1) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--config", "bench/gunicorn.conf.py"]
    preexec = None
    if pin and shutil.which("taskset"):
        command = ["taskset", "-c", str(SERVER_CPU), *command]
    elif pin:

        def preexec():
            os.sched_setaffinity(0, {SERVER_CPU})

    env = dict(bench_env(args), BENCH_PORT=str(port), BENCH_WORKERS=str(workers))
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=preexec,
        )


def wait_until_ready(server: subprocess.Popen, port: int, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/hello")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer on 127.0.0.1:{port} within {timeout} s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


# --- environment ----------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fdatasync_rate(seconds: float = 1.0) -> float:
    """8 kB write + fdatasync in a loop on the benchmark's disk, like pg_test_fsync's fdatasync line."""
    block = b"\0" * 8192
    fd, name = tempfile.mkstemp(dir=OUT_DIR, prefix="fsync-probe-")
    try:
        count = 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            os.pwrite(fd, block, 0)
            os.fdatasync(fd)
            count += 1
        return round(count / seconds, 1)
    finally:
        os.close(fd)
        os.unlink(name)


def pg_test_fsync() -> dict | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_test_fsync"))
    binary = shutil.which("pg_test_fsync") or (str(candidates[-1]) if candidates else None)
    if not binary:
        return None
    with tempfile.TemporaryDirectory(dir=OUT_DIR) as tmp:
        result = subprocess.run(
            [binary, "-s", "1", "-f", str(Path(tmp) / "probe")],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    for line in result.stdout.splitlines():
        if line.strip().startswith("fdatasync") and "ops/sec" in line:
            return {"fdatasync_ops_per_s": float(line.split()[1]), "output": result.stdout}
    return {"output": result.stdout + result.stderr}


def environment(args: argparse.Namespace, pinned: bool, seed_info: dict) -> dict:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "absent"

    import sqlite3

    env = {
        "cpu_model": cpu_model(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": version("Django"),
        "gunicorn": version("gunicorn"),
        "sqlite": sqlite3.sqlite_version,
        "database": seed_info["database"],
        "settings": seed_info["settings"],
        "pinning": {
            "server_cpu": SERVER_CPU if pinned else None,
            "client_cpu": CLIENT_CPU if pinned else None,
            "method": ("taskset" if shutil.which("taskset") else "sched_setaffinity") if pinned else "none",
        },
        "fdatasync_8k_ops_per_s": fdatasync_rate(),
    }
    if args.pg_test_fsync:
        env["pg_test_fsync"] = pg_test_fsync()
    return env


# --- the benchmark --------------------------------------------------------------------------


def ratio_stats(ratios: list[float]) -> dict:
    if len(ratios) >= 2:
        q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive")
    else:
        q1 = q3 = ratios[0]
    return {
        "ratios": [round(r, 4) for r in ratios],
        "ratio_median": round(statistics.median(ratios), 4),
        "ratio_q1": round(q1, 4),
        "ratio_q3": round(q3, 4),
        "ratio_iqr": round(q3 - q1, 4),
    }


def rps_stats(rounds: list[dict], view: str) -> dict:
    runs = [run for rnd in rounds for run in rnd["runs"] if run["view"] == view]
    rps = [run["rps"] for run in runs]
    p95 = [run["p95_ms"] for run in runs if run.get("p95_ms") is not None]
    stats = {
        "rps_median": round(statistics.median(rps), 1),
        "rps_min": round(min(rps), 1),
        "rps_max": round(max(rps), 1),
    }
    if p95:
        stats["p95_ms_median"] = round(statistics.median(p95), 3)
    return stats


def aba(port, reference: str, subjects, args, spec: dict, pinned: bool, clients: int, label: str, extra=None):
    """Rounds of reference, subject, reference[, subject, reference …]; `extra(number)` may add
    runs of its own before and after each round (B1's raw insert)."""
    rounds = []
    for number in range(1, args.rounds + 1):
        order = [reference]
        for subject in subjects:
            order += [subject, reference]
        outside_before = extra() if extra else None
        runs = [
            load(port, view, args.duration, clients, args.seed + number * 100 + index, spec, pinned)
            for index, view in enumerate(order)
        ]
        outside_after = extra() if extra else None
        ratios = {}
        for position, subject in enumerate(subjects):
            before, run, after = runs[2 * position], runs[2 * position + 1], runs[2 * position + 2]
            ratios[subject] = run["rps"] / ((before["rps"] + after["rps"]) / 2)
        record = {"round": number, "runs": runs, "ratios": ratios}
        if extra:
            record["outside"] = [outside_before, outside_after]
        rounds.append(record)
        print(
            f"  {label} round {number}/{args.rounds}: "
            + "  ".join(f"{run['view']} {run['rps']:.0f}/s" for run in runs)
            + (f"  raw {outside_before['rps']:.0f}/s {outside_after['rps']:.0f}/s" if extra else "")
            + "  →  "
            + "  ".join(f"{subject} {ratio:.3f}×" for subject, ratio in ratios.items()),
            flush=True,
        )
    return rounds


def errors_of(rounds: list[dict]) -> int:
    return sum(run.get("errors", 0) for rnd in rounds for run in rnd["runs"])


def first_error(rounds: list[dict]) -> str:
    return next((run["first_error"] for rnd in rounds for run in rnd["runs"] if run.get("first_error")), "")


# --- the benchmarks -------------------------------------------------------------------------


def run_b0(port, args, spec, pinned) -> dict:
    rounds = aba(port, REFERENCE, SUBJECTS, args, spec, pinned, args.clients, "B0")
    summary = {REFERENCE: rps_stats(rounds, REFERENCE)}
    for subject in SUBJECTS:
        summary[subject] = {**rps_stats(rounds, subject), **ratio_stats([r["ratios"][subject] for r in rounds])}
    return {
        "benchmark": "B0",
        "name": "framework.floor",
        "config": {"reference": REFERENCE, "order": "A-B-A-C-A per round (hello, read, hello, create, hello)"},
        "summary": summary,
        "errors": errors_of(rounds),
        "rounds": rounds,
    }


def run_b1(port, args, spec, pinned, synchronous: str | None) -> dict:
    spec = {**spec, "key_prefix": "b1"}
    extra = (lambda: raw_sqlite(args.duration, synchronous, pinned)) if synchronous else None
    rounds = aba(port, "create", ["api_create"], args, spec, pinned, args.clients, "B1", extra)
    summary = {
        "create": rps_stats(rounds, "create"),
        "api_create": {
            **rps_stats(rounds, "api_create"),
            "vs_bare_create": ratio_stats([r["ratios"]["api_create"] for r in rounds]),
        },
    }
    if synchronous:
        vs_raw = []
        for rnd in rounds:
            api = next(run for run in rnd["runs"] if run["view"] == "api_create")["rps"]
            raw = (rnd["outside"][0]["rps"] + rnd["outside"][1]["rps"]) / 2
            vs_raw.append(api / raw)
        raws = [side["rps"] for rnd in rounds for side in rnd["outside"]]
        summary["raw_sqlite"] = {"rps_median": round(statistics.median(raws), 1), "synchronous": synchronous}
        summary["api_create"]["vs_raw_sqlite"] = ratio_stats(vs_raw)
    summary["targets"] = {
        "vs_bare_create >= 0.6": summary["api_create"]["vs_bare_create"]["ratio_median"] >= 0.6,
        "vs_raw_sqlite >= 0.02": (summary["api_create"]["vs_raw_sqlite"]["ratio_median"] >= 0.02)
        if synchronous
        else None,
    }
    return {
        "benchmark": "B1",
        "name": "intake.api",
        "config": {
            "subject": "POST /api/v1/work-orders/ (bearer write token, Idempotency-Key, ~1 KB JSON)",
            "references": ["B0 bare create (POST /create)", "raw sqlite3 1 KB row, 1 txn/row, same synchronous"],
            "order": "raw, create, api, create, raw per round",
            "body_bytes": len(intake_body(spec, random.Random(0))),
        },
        "summary": summary,
        "errors": errors_of(rounds),
        "rounds": rounds,
    }


def run_b2(args, spec, log_prefix: Path) -> dict:
    """1, 2 and 4 workers, three servers side by side (idle when not loaded), not pinned."""
    spec = {**spec, "key_prefix": "b2"}
    servers, ports, logs = {}, {}, {}
    try:
        for workers in (1, 2, 4):
            ports[workers] = free_port()
            logs[workers] = Path(f"{log_prefix}.w{workers}.server.log")
            servers[workers] = start_server(args, ports[workers], logs[workers], False, workers=workers)
        for workers in (1, 2, 4):
            wait_until_ready(servers[workers], ports[workers], logs[workers])
            load(ports[workers], "api_create", args.warmup, args.contention_clients, args.seed + workers, spec, False)
        rounds = []
        for number in range(1, args.rounds + 1):
            order = [1, 2, 1, 4, 1]
            runs = []
            for index, workers in enumerate(order):
                run = load(
                    ports[workers], "api_create", args.duration, args.contention_clients,
                    args.seed + 7000 + number * 100 + index, spec, False,
                )  # fmt: skip
                run["workers"] = workers
                runs.append(run)
            ratios = {
                "2_workers": runs[1]["rps"] / ((runs[0]["rps"] + runs[2]["rps"]) / 2),
                "4_workers": runs[3]["rps"] / ((runs[2]["rps"] + runs[4]["rps"]) / 2),
            }
            rounds.append({"round": number, "runs": runs, "ratios": ratios})
            print(
                f"  B2 round {number}/{args.rounds}: "
                + "  ".join(f"{run['workers']}w {run['rps']:.0f}/s" for run in runs)
                + "  →  "
                + "  ".join(f"{name} {ratio:.3f}×" for name, ratio in ratios.items()),
                flush=True,
            )
    finally:
        for server in servers.values():
            stop_server(server)
    locked = {workers: log.read_text(errors="replace").count("database is locked") for workers, log in logs.items()}
    for log in logs.values():
        if log.exists() and log.stat().st_size == 0:
            log.unlink()
    summary = {
        "1_worker": {"rps_median": round(statistics.median(r["runs"][i]["rps"] for r in rounds for i in (0, 2, 4)), 1)},
        "2_workers": {"rps_median": round(statistics.median(r["runs"][1]["rps"] for r in rounds), 1),
                      **ratio_stats([r["ratios"]["2_workers"] for r in rounds])},
        "4_workers": {"rps_median": round(statistics.median(r["runs"][3]["rps"] for r in rounds), 1),
                      **ratio_stats([r["ratios"]["4_workers"] for r in rounds])},
        "database_is_locked": sum(locked.values()),
        "database_is_locked_by_workers": locked,
    }  # fmt: skip
    summary["targets"] = {
        "2 workers >= 1.3x": summary["2_workers"]["ratio_median"] >= 1.3,
        "0 database is locked": summary["database_is_locked"] == 0,
    }
    return {
        "benchmark": "B2",
        "name": "intake.contention",
        "config": {
            "subject": "POST /api/v1/work-orders/ with 2 and 4 gunicorn sync workers",
            "reference": "the same with 1 worker",
            "clients": args.contention_clients,
            "pinning": "none: whole machine (servers, load generator and SQLite share every CPU)",
            "order": "1w, 2w, 1w, 4w, 1w per round",
        },
        "summary": summary,
        "errors": errors_of(rounds),
        "rounds": rounds,
    }


def run_b3(port, args, spec, pinned) -> dict:
    rounds = aba(port, "read", ["api_detail"], args, spec, pinned, args.clients, "B3")
    # Latency with one client (no queueing in front of the single worker): read, detail, read.
    latency = [load(port, view, args.duration, 1, args.seed + 9000 + i, spec, pinned) for i, view in
               enumerate(["read", "api_detail", "read"])]  # fmt: skip
    summary = {
        "read": rps_stats(rounds, "read"),
        "api_detail": {**rps_stats(rounds, "api_detail"), **ratio_stats([r["ratios"]["api_detail"] for r in rounds])},
        "one_client_p95_ms": {
            "read": round((latency[0]["p95_ms"] + latency[2]["p95_ms"]) / 2, 3),
            "api_detail": latency[1]["p95_ms"],
        },
        "one_client_p50_ms": {
            "read": round((latency[0]["p50_ms"] + latency[2]["p50_ms"]) / 2, 3),
            "api_detail": latency[1]["p50_ms"],
        },
    }
    summary["targets"] = {
        "ratio >= 0.5": summary["api_detail"]["ratio_median"] >= 0.5,
        "p95 <= 50 ms": (summary["one_client_p95_ms"]["api_detail"] or 1e9) <= 50,
    }
    return {
        "benchmark": "B3",
        "name": "workorder.read",
        "config": {
            "subject": "GET /api/v1/work-orders/{id}/ (read token of the district director; random id)",
            "reference": "B0 point read GET /read/{pk}",
            "orders": spec["orders"],
            "order": "read, detail, read per round; then one client each for latency",
        },
        "summary": summary,
        "errors": errors_of(rounds) + sum(run["errors"] for run in latency),
        "rounds": rounds,
        "latency_runs": latency,
    }


def run_b4(port, args, spec, pinned, info: dict) -> dict:
    output = manage(
        args, "benchqueue", "--viewer-id", str(info["director_id"]), "--area", info["filter_area"],
        "--rounds", str(args.rounds), "--iterations", str(args.queue_iterations),
    )  # fmt: skip
    queue = json.loads(output.strip().splitlines()[-1])
    http = load(port, "api_list", args.duration, 1, args.seed + 11000, spec, pinned)
    rounds = queue["rounds"]
    summary = {
        "orm_vs_raw_p95": ratio_stats([r["ratio_p95"] for r in rounds]),
        "orm_vs_raw_p50": ratio_stats([r["ratio_p50"] for r in rounds]),
        "orm_p95_ms_median": round(statistics.median(r["orm_p95_ms"] for r in rounds), 3),
        "raw_p95_ms_median": round(statistics.median(r["raw_p95_ms"] for r in rounds), 3),
        "api_list_one_client": {"p50_ms": http["p50_ms"], "p95_ms": http["p95_ms"], "rps": round(http["rps"], 1)},
        "answer": queue["answer"],
    }
    summary["targets"] = {
        "orm <= 1.5x raw (p95)": summary["orm_vs_raw_p95"]["ratio_median"] <= 1.5,
        "p95 <= 100 ms (ORM, in process)": summary["orm_p95_ms_median"] <= 100,
    }
    return {
        "benchmark": "B4",
        "name": "agent.queue_list",
        "config": {
            "subject": "workorder_list(status, channel, town) first page of 20 + count + inbox_counts (all tabs)",
            "reference": "the same three queries as hand-written SQL on the same connection",
            "viewer": "district director (the whole data set is in scope)",
            "orders": spec["orders"],
            "iterations_per_side": args.queue_iterations,
        },
        "summary": summary,
        "errors": http["errors"],
        "rounds": rounds,
        "http_run": http,
        "sql": {"orm_page": queue["orm_page_sql"], "raw": queue["raw_sql"]},
    }


# --- output ---------------------------------------------------------------------------------


def fmt_ratio(stats: dict) -> str:
    return f"{stats['ratio_median']:.3f} [{stats['ratio_q1']:.3f}–{stats['ratio_q3']:.3f}]"


def print_summary(result: dict) -> None:
    name, summary = result["benchmark"], result["summary"]
    print(f"{name} {result['name']}")
    if name == "B0":
        print(f"  {'view':<8}{'ratio to hello: median [q1–q3]':<34}{'req/s median (min–max)':<26}")
        for view in (REFERENCE, *SUBJECTS):
            entry = summary[view]
            ratio = "1 (reference)" if view == REFERENCE else fmt_ratio(entry)
            print(f"  {view:<8}{ratio:<34}{entry['rps_median']:>7.0f} ({entry['rps_min']:.0f}–{entry['rps_max']:.0f})")
    elif name == "B1":
        api = summary["api_create"]
        print(f"  api intake {api['rps_median']:.0f}/s; bare create {summary['create']['rps_median']:.0f}/s", end="")
        print(f"; raw sqlite3 {summary['raw_sqlite']['rps_median']:.0f}/s" if "raw_sqlite" in summary else "")
        print(f"  vs bare create {fmt_ratio(api['vs_bare_create'])} (target ≥ 0.6)")
        if "vs_raw_sqlite" in api:
            print(
                f"  vs raw sqlite3 ({summary['raw_sqlite']['synchronous']}) {fmt_ratio(api['vs_raw_sqlite'])} (target ≥ 0.02)"
            )
    elif name == "B2":
        print(f"  1 worker {summary['1_worker']['rps_median']:.0f}/s")
        for key in ("2_workers", "4_workers"):
            print(f"  {key.replace('_', ' ')} {summary[key]['rps_median']:.0f}/s  ratio {fmt_ratio(summary[key])}")
        print(
            f"  'database is locked': {summary['database_is_locked']} (target 0); failed requests: {result['errors']}"
        )
    elif name == "B3":
        detail = summary["api_detail"]
        print(
            f"  detail {detail['rps_median']:.0f}/s vs point read {summary['read']['rps_median']:.0f}/s: {fmt_ratio(detail)} (target ≥ 0.5)"
        )
        p95 = summary["one_client_p95_ms"]
        print(f"  one client p95: detail {p95['api_detail']} ms, point read {p95['read']} ms (target ≤ 50 ms)")
    elif name == "B4":
        print(
            f"  selectors vs raw SQL, p95: {fmt_ratio(summary['orm_vs_raw_p95'])} (target ≤ 1.5); "
            f"p50: {fmt_ratio(summary['orm_vs_raw_p50'])}"
        )
        print(
            f"  p95 in process: ORM {summary['orm_p95_ms_median']} ms, raw {summary['raw_p95_ms_median']} ms "
            f"(target ≤ 100 ms); HTTP list p95 {summary['api_list_one_client']['p95_ms']} ms"
        )
    elif name in HALL_BENCHMARKS:
        from bench import hall

        hall.print_summary(result)
    elif name in ASSIST_BENCHMARKS:
        from bench import assist

        assist.print_summary(result)
        return
    elif name in SEARCH_BENCHMARKS:
        from bench import search

        search.print_summary(result)
        return
    elif name in BROWSER_BENCHMARKS:
        from bench import web_vitals

        web_vitals.print_summary(result)
    if "targets" in summary:
        print(
            "  targets: "
            + "; ".join(
                f"{k}: {'met' if v else ('n/a' if v is None else 'MISSED')}" for k, v in summary["targets"].items()
            )
        )
    if result["errors"]:
        print(f"  ERRORS: {result['errors']} failed requests")


def main() -> int:
    args = parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    pinned = hasattr(os, "sched_setaffinity") and {SERVER_CPU, CLIENT_CPU} <= os.sched_getaffinity(0)
    if args.rounds < 5:
        print(f"warning: {args.rounds} rounds: PERFORMANCE.md asks for at least 5; the result is marked invalid")

    print(f"Benchmarks {', '.join(args.only)}: preparing {args.rows} B0 rows (seed {args.seed}) …", flush=True)
    manage(args, "migrate", "--run-syncdb", "--noinput", "--verbosity", "0")
    seed_info = json.loads(
        manage(args, "benchseed", "--rows", str(args.rows), "--seed", str(args.seed)).strip().splitlines()[-1]
    )
    spec = {"rows": args.rows}
    workorders = None
    if WORKORDER_BENCHMARKS & set(args.only):
        print(f"  work orders: {args.orders} (seed {args.seed}) …", flush=True)
        workorders = json.loads(
            manage(args, "benchseed_workorders", "--orders", str(args.orders), "--seed", str(args.seed))
            .strip()
            .splitlines()[-1]
        )
        print(f"  data set ready in {workorders['seconds']} s (generated: {workorders['generated']})", flush=True)
        spec.update(
            {key: workorders[key] for key in ("orders", "write_token", "read_token", "intake_area", "filter_area")}
        )
    env = environment(args, pinned, seed_info)
    database = env["database"]
    synchronous = database.get("synchronous") if database["vendor"] == "sqlite" else None

    results: list[dict] = []
    port = free_port()
    log_path = OUT_DIR / f"bench-{stamp}.server.log"
    own_servers = HALL_BENCHMARKS | BROWSER_BENCHMARKS | SEARCH_BENCHMARKS | ASSIST_BENCHMARKS
    single = [name for name in args.only if name != "B2" and name not in own_servers]
    if single:
        server = start_server(args, port, log_path, pinned)
        try:
            wait_until_ready(server, port, log_path)
            warm = {"B0": ["hello", "read", "create"], "B1": ["create", "api_create"], "B3": ["read", "api_detail"],
                    "B4": ["api_list"]}  # fmt: skip
            for view in dict.fromkeys(v for name in single for v in warm[name]):  # not measured
                load(port, view, args.warmup, args.clients, args.seed, {**spec, "key_prefix": "warm"}, pinned)
            for name in single:
                print(f"{name} …", flush=True)
                if name == "B0":
                    results.append(run_b0(port, args, spec, pinned))
                elif name == "B1":
                    results.append(run_b1(port, args, spec, pinned, synchronous))
                elif name == "B3":
                    results.append(run_b3(port, args, spec, pinned))
                elif name == "B4":
                    results.append(run_b4(port, args, spec, pinned, workorders))
        finally:
            stop_server(server)
    if "B2" in args.only:
        if database["vendor"] != "sqlite":
            print("B2 runs on SQLite only (writer contention); skipped for this database.")
        else:
            print("B2 …", flush=True)
            results.append(run_b2(args, spec, OUT_DIR / f"B2-{stamp}"))
    if HALL_BENCHMARKS & set(args.only):
        sys.path.insert(0, str(ROOT))
        from bench import hall

        this = sys.modules[__name__]
        if "B10" in args.only:
            print("B10 …", flush=True)
            results.append(hall.run_b10(this, args, pinned, stamp, synchronous))
        if "B11" in args.only:
            print("B11 …", flush=True)
            results.append(hall.run_b11(this, args, pinned, stamp))
    if SEARCH_BENCHMARKS & set(args.only):
        sys.path.insert(0, str(ROOT))
        from bench import search

        results += search.run_b8_b9(sys.modules[__name__], args, stamp)
    if "B12" in args.only:
        sys.path.insert(0, str(ROOT))
        from bench import assist

        print("B12 …", flush=True)
        results.append(assist.run_b12(sys.modules[__name__], args, stamp))
    if "B13" in args.only:
        sys.path.insert(0, str(ROOT))
        from bench import web_vitals

        print("B13 …", flush=True)
        results.append(web_vitals.run_b13(sys.modules[__name__], args, stamp))
    if log_path.exists() and log_path.stat().st_size == 0:
        log_path.unlink()

    config = {
        "rows": args.rows,
        "orders": args.orders,
        "seed": args.seed,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "clients": args.clients,
        "warmup_s": args.warmup,
        "server": "gunicorn sync workers (1 unless said otherwise)",
    }
    where = f"SQLite {database['version']}" if database["vendor"] == "sqlite" else database["version"].split(" on ")[0]
    print()
    print(
        f"{where}; gunicorn{' on CPU 0, load on CPU 1' if pinned else ' (not pinned)'}; {args.clients} clients; "
        f"{args.rounds} rounds × {args.duration:g} s; {env['cpu_model']}; Python {env['python']}, "
        f"Django {env['django']}; fdatasync {env['fdatasync_8k_ops_per_s']:.0f}/s"
    )
    failed = 0
    for result in results:
        result.update(started_at=stamp, valid=args.rounds >= 5 and result["errors"] == 0, environment=env)
        result["config"] = {**config, **result["config"]}
        if workorders and result["benchmark"] not in (
            "B0",
            *BROWSER_BENCHMARKS,
            *SEARCH_BENCHMARKS,
            *ASSIST_BENCHMARKS,
        ):
            result["dataset"] = {k: v for k, v in workorders.items() if not k.endswith("_token")}
        out = OUT_DIR / f"{result['benchmark']}-{stamp}.json"
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        print_summary(result)
        print(f"  JSON: {out.relative_to(ROOT)}")
        failed += result["errors"]
    if failed:
        print(f"ERRORS: {failed} failed requests; see the JSON and {log_path.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
