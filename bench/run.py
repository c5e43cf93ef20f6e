#!/usr/bin/env python
"""Benchmark B0 `framework.floor` (PERFORMANCE.md, "Benchmark suite"): bare Django views —
hello, point read, bare create — served by gunicorn (1 sync worker pinned to CPU 0), loaded
from Python client processes pinned to CPU 1 over loopback, interleaved A-B-A with hello as
the reference. Reports ratio = subject / mean(hello before, hello after) per round, as the
median and IQR over the rounds; absolute req/s are for information only.

    .venv/bin/python bench/run.py [--database-url postgres://...] [--rows N] [--rounds R]

Writes var/bench/B0-<timestamp>.json and prints a summary. See bench/README.md.
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
    parser.add_argument(
        "--pg-test-fsync",
        action="store_true",
        help="also run pg_test_fsync (about 20 s) to record the disk's fdatasync rate",
    )
    args = parser.parse_args()
    if not 0 < args.duration <= 10:
        parser.error("--duration must be in (0, 10] seconds")
    if args.rounds < 1 or args.clients < 1 or args.rows < 1:
        parser.error("--rounds, --clients and --rows must be positive")
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


def message(method: str, path: str, port: int, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    if body:
        head += f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
    return head.encode("ascii") + b"\r\n" + body


def client_loop(port: int, kind: str, start_at: float, end_at: float, seed: int, rows: int, cpu, results) -> None:
    """Closed loop: one request at a time; counts requests that completed inside [start_at, end_at]."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    rng = random.Random(seed)
    client = HttpClient(port)
    expected = 201 if kind == "create" else 200
    fixed = message("POST", "/create", port, CREATE_BODY) if kind == "create" else message("GET", "/hello", port)
    done = errors = 0
    latencies: list[float] = []
    first_error = ""
    while (now := time.monotonic()) < start_at:
        time.sleep(min(0.01, start_at - now))
    while True:
        sent = time.monotonic()
        if sent >= end_at:
            break
        if kind == "read":
            request = message("GET", f"/read/{rng.randint(1, rows)}", port)
        else:
            request = fixed
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
            first_error = first_error or f"HTTP {status} for {request[:40]!r}"
    client.close()
    results.put(
        {
            "done": done,
            "errors": errors,
            "connects": client.connects,
            "latencies": latencies,
            "first_error": first_error,
        }
    )


def load(port: int, kind: str, duration: float, clients: int, seed: int, rows: int, pin: bool) -> dict:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    start_at = time.monotonic() + 0.3
    end_at = start_at + duration
    processes = [
        ctx.Process(
            target=client_loop,
            args=(port, kind, start_at, end_at, seed * 1000 + i, rows, CLIENT_CPU if pin else None, results),
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
    return {
        "view": kind,
        "requests": done,
        "errors": sum(part["errors"] for part in parts),
        "first_error": next((part["first_error"] for part in parts if part["first_error"]), ""),
        "connections": sum(part["connects"] for part in parts),
        "seconds": duration,
        "rps": done / duration,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
    }


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
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=bench_env(args),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(command)} failed")
    return result.stdout


def start_server(args: argparse.Namespace, port: int, log_path: Path, pin: bool) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--config", "bench/gunicorn.conf.py"]
    preexec = None
    if pin and shutil.which("taskset"):
        command = ["taskset", "-c", str(SERVER_CPU), *command]
    elif pin:

        def preexec():
            os.sched_setaffinity(0, {SERVER_CPU})

    env = dict(bench_env(args), BENCH_PORT=str(port), BENCH_WORKERS="1")
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


def summarise(rounds: list[dict]) -> dict:
    summary = {}
    for view in (REFERENCE, *SUBJECTS):
        rps = [run["rps"] for rnd in rounds for run in rnd["runs"] if run["view"] == view]
        summary[view] = {
            "rps_median": round(statistics.median(rps), 1),
            "rps_min": round(min(rps), 1),
            "rps_max": round(max(rps), 1),
        }
    for subject in SUBJECTS:
        ratios = [rnd["ratios"][subject] for rnd in rounds]
        entry = summary[subject]
        entry["ratios"] = [round(r, 4) for r in ratios]
        entry["ratio_median"] = round(statistics.median(ratios), 4)
        if len(ratios) >= 2:
            q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive")
        else:
            q1 = q3 = ratios[0]
        entry["ratio_q1"], entry["ratio_q3"], entry["ratio_iqr"] = round(q1, 4), round(q3, 4), round(q3 - q1, 4)
    return summary


def main() -> int:
    args = parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    pinned = hasattr(os, "sched_setaffinity") and {SERVER_CPU, CLIENT_CPU} <= os.sched_getaffinity(0)
    if args.rounds < 5:
        print(f"warning: {args.rounds} rounds: PERFORMANCE.md asks for at least 5; the result is marked invalid")

    print(f"B0 framework.floor: preparing {args.rows} rows (seed {args.seed}) …", flush=True)
    manage(args, "migrate", "--run-syncdb", "--noinput", "--verbosity", "0")
    seed_info = json.loads(
        manage(args, "benchseed", "--rows", str(args.rows), "--seed", str(args.seed)).strip().splitlines()[-1]
    )
    env = environment(args, pinned, seed_info)

    port = free_port()
    log_path = OUT_DIR / f"B0-{stamp}.server.log"
    server = start_server(args, port, log_path, pinned)
    rounds: list[dict] = []
    try:
        wait_until_ready(server, port, log_path)
        for view in (REFERENCE, *SUBJECTS):  # warm caches, connections, page cache; not measured
            load(port, view, args.warmup, args.clients, args.seed, args.rows, pinned)
        for number in range(1, args.rounds + 1):
            # A-B-A-C-A: every subject has a reference run right before and right after it.
            order = [REFERENCE]
            for subject in SUBJECTS:
                order += [subject, REFERENCE]
            runs = []
            for index, view in enumerate(order):
                runs.append(
                    load(port, view, args.duration, args.clients, args.seed + number * 100 + index, args.rows, pinned)
                )
            ratios = {}
            for position, subject in enumerate(SUBJECTS):
                before, run, after = runs[2 * position], runs[2 * position + 1], runs[2 * position + 2]
                ratios[subject] = run["rps"] / ((before["rps"] + after["rps"]) / 2)
            rounds.append({"round": number, "runs": runs, "ratios": ratios})
            print(
                f"  round {number}/{args.rounds}: "
                + "  ".join(f"{run['view']} {run['rps']:.0f}/s" for run in runs)
                + "  →  "
                + "  ".join(f"{subject} {ratio:.3f}×" for subject, ratio in ratios.items()),
                flush=True,
            )
    finally:
        stop_server(server)

    errors = sum(run["errors"] for rnd in rounds for run in rnd["runs"])
    summary = summarise(rounds)
    report = {
        "benchmark": "B0",
        "name": "framework.floor",
        "started_at": stamp,
        "valid": args.rounds >= 5 and errors == 0,
        "config": {
            "rows": args.rows,
            "seed": args.seed,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "clients": args.clients,
            "warmup_s": args.warmup,
            "server": "gunicorn, 1 sync worker",
            "reference": REFERENCE,
            "order": "A-B-A-C-A per round (hello, read, hello, create, hello)",
            "create_body_bytes": len(CREATE_BODY),
        },
        "environment": env,
        "summary": summary,
        "errors": errors,
        "rounds": rounds,
    }
    out = OUT_DIR / f"B0-{stamp}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if log_path.exists() and log_path.stat().st_size == 0:
        log_path.unlink()

    db = env["database"]
    where = f"SQLite {db['version']}" if db["vendor"] == "sqlite" else db["version"].split(" on ")[0]
    print()
    print(
        f"B0 framework.floor — {where}; {args.rows} rows; gunicorn 1 sync worker"
        f"{' on CPU 0, load on CPU 1' if pinned else ' (not pinned)'}; {args.clients} clients; "
        f"{args.rounds} rounds × {args.duration:g} s"
    )
    print(
        f"{env['cpu_model']}; Python {env['python']}, Django {env['django']}; "
        f"fdatasync {env['fdatasync_8k_ops_per_s']:.0f}/s"
    )
    print(f"{'view':<8}{'ratio to hello: median [q1–q3]':<34}{'req/s median (min–max)':<26}")
    for view in (REFERENCE, *SUBJECTS):
        entry = summary[view]
        ratio = (
            "1 (reference)"
            if view == REFERENCE
            else (f"{entry['ratio_median']:.3f} [{entry['ratio_q1']:.3f}–{entry['ratio_q3']:.3f}]")
        )
        print(f"{view:<8}{ratio:<34}{entry['rps_median']:>7.0f} ({entry['rps_min']:.0f}–{entry['rps_max']:.0f})")
    if errors:
        first = next(run["first_error"] for rnd in rounds for run in rnd["runs"] if run["first_error"])
        print(f"ERRORS: {errors} failed requests (first: {first}); see {log_path}")
    print(f"JSON: {out.relative_to(ROOT)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
