"""B10 `queue.call_latency` and B11 `queue.display_fanout` (PERFORMANCE.md), run by bench/run.py
(`--only B10,B11`). Both start the product's two servers on the bench database: the site
(gunicorn sync worker, bench/gunicorn.conf.py) and the push server of hall displays
(config/gunicorn_push.conf.py: gunicorn's asyncio worker, `config.asgi:push_application`).

B10: `--hall-displays` (default 50) SSE clients per center for `--hall-centers` centers in one
asyncio process; a clerk takes a ticket and presses "call next" through the API, one call
every 0.25 s round the centers. Measured per call and display: press → `event: call`
received (end to end, without the browser's DOM/voice, which the Playwright visit checks),
and response → received. Reference: the raw path on the same engine, a Python sqlite3
commit seen by a raw poller at the pump's interval (SQLite has no NOTIFY). Also ticket issue
(POST /api/v1/queue/tickets/) in a closed loop vs a raw sqlite3 1 KB commit, A-B-A.

B11: `--hall-idle` (default 1000) idle connections held by the push server for
`--hall-idle-seconds` (default 15: every connection gets one heartbeat), its CPU (utime +
stime of master and worker, /proc) per second, against the CPU the site server spends on
the same number of displays polling GET /api/v1/queue/sites/{id}/board/ every 2 s: CPU per
board request measured under a closed loop, × 0.5 request/s × the same number of displays."""

import asyncio
import json
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

CALL_FRAME = re.compile(rb"event: call\ndata: (\{.*?\})\n\n")
TICKS = os.sysconf("SC_CLK_TCK")
CALL_EVERY = 0.25  # seconds between two presses (round the centers)


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


# --- servers ------------------------------------------------------------------------------------


def start_push(run, args, port: int, log_path: Path, pin_cpu) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn_push.conf.py"]
    if pin_cpu is not None:
        command = ["taskset", "-c", str(pin_cpu), *command]
    env = dict(run.bench_env(args), PUSH_PORT=str(port), LOG_LEVEL="WARNING")
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command, cwd=run.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


def wait_push_ready(server: subprocess.Popen, port: int, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"push server exited with {server.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(f"GET /push/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
                if sock.recv(64).startswith(b"HTTP/1.1 404"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"push server did not answer on 127.0.0.1:{port} within {timeout} s")


def process_tree(pid: int) -> list[int]:
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


# --- SSE displays (one asyncio process) -------------------------------------------------------


async def _display(port: int, site_id: int, received: list, state: list, stop: asyncio.Event) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /push/queue/sites/{site_id}/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise ConnectionError(head[:40])
    buffer = b""
    stopped = asyncio.ensure_future(stop.wait())
    while True:
        read = asyncio.ensure_future(reader.read(65536))
        await asyncio.wait({read, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not read.done():
            read.cancel()
            break
        chunk = read.result()
        if not chunk:
            break
        at = time.monotonic()
        state[0] = True  # the first bytes (the hello) come once the stream is subscribed
        buffer += chunk
        for match in CALL_FRAME.finditer(buffer):
            payload = json.loads(match.group(1))
            received.append((site_id, payload["number"], payload["window_id"], at))
        cut = buffer.rfind(b"\n\n")
        if cut >= 0:
            buffer = buffer[cut + 2 :]
    writer.close()


def displays_process(port, sites, per_site, cpu, ready_count, stop_flag, results) -> None:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})

    async def main():
        received: list = []
        stop = asyncio.Event()
        tasks, states = [], []
        for site_id in sites:
            for _ in range(per_site):
                states.append([False])
                tasks.append(asyncio.create_task(_display(port, site_id, received, states[-1], stop)))
                await asyncio.sleep(0)
        while not stop_flag.is_set():
            ready_count.value = sum(1 for state in states if state[0])
            errors = sum(1 for task in tasks if task.done() and task.exception() is not None)
            if errors:
                results.put({"error": repr(next(t.exception() for t in tasks if t.done() and t.exception()))})
                return
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        results.put({"received": received})

    asyncio.run(main())


def idle_process(port, site_ids, count, cpu, ready_count, stop_flag, results) -> None:
    """`count` idle EventSources spread over the sites; counts what they were sent."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})

    async def hold(index, site_id, got):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /push/queue/sites/{site_id}/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        await reader.readuntil(b"\r\n\r\n")
        got[index] = 0
        while chunk := await reader.read(65536):
            got[index] += len(chunk)

    async def main():
        got: dict[int, int] = {}
        tasks = [asyncio.create_task(hold(i, site_ids[i % len(site_ids)], got)) for i in range(count)]
        while not stop_flag.is_set():
            ready_count.value = len(got)
            failed = [task for task in tasks if task.done() and task.exception() is not None]
            if failed:
                results.put({"error": repr(failed[0].exception())})
                return
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        results.put({"bytes": sum(got.values()), "connections": len(got)})

    asyncio.run(main())


def settle(pids: list[int], quiet: float = 0.02, timeout: float = 60) -> None:
    """Wait until the processes use less than `quiet` CPU-seconds per second over a second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pids)
        time.sleep(1.0)
        if cpu_seconds(pids) - before < quiet:
            return


def wait_for(value, target: int, timeout: float, what: str, results=None) -> None:
    deadline = time.monotonic() + timeout
    while value.value < target:
        if results is not None and not results.empty():
            raise SystemExit(f"{what}: {results.get()}")
        if time.monotonic() > deadline:
            raise SystemExit(f"{what}: {value.value} of {target} within {timeout} s")
        time.sleep(0.05)


# --- raw reference: a sqlite3 commit seen by a raw poller ---------------------------------------


def _raw_writer(path: str, count: int, gap: float, stamps) -> None:
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    for _ in range(count):
        time.sleep(gap)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO ev (at) VALUES (0)")
        conn.execute("COMMIT")
        stamps.put(time.monotonic())
    conn.close()


def raw_poll_reference(path: Path, interval: float, count: int = 60) -> dict:
    import sqlite3

    path.unlink(missing_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE ev (id INTEGER PRIMARY KEY, at REAL)")
    ctx = multiprocessing.get_context("fork")
    stamps = ctx.Queue()
    writer = ctx.Process(target=_raw_writer, args=(str(path), count, 0.037, stamps))
    writer.start()
    seen: dict[int, float] = {}
    last = 0
    deadline = time.monotonic() + count * 0.037 + 5
    while len(seen) < count and time.monotonic() < deadline:
        for (row_id,) in conn.execute("SELECT id FROM ev WHERE id > ? ORDER BY id", (last,)).fetchall():
            seen[row_id] = time.monotonic()
            last = row_id
        time.sleep(interval)
    writer.join(timeout=10)
    committed = [stamps.get(timeout=5) for _ in range(count)]
    latencies = [(seen[i + 1] - committed[i]) * 1000 for i in range(count) if i + 1 in seen]
    conn.close()
    return {"p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95), "samples": len(latencies)}


# --- B10 ------------------------------------------------------------------------------------------


def api_post(port: int, path: str, body: dict | None, headers: dict) -> tuple[int, dict]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    data = json.dumps(body or {}).encode()
    conn.request("POST", path, data, {"Content-Type": "application/json", **headers})
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, (json.loads(payload) if payload else {})


def press_calls(port: int, hall: dict, calls: int) -> list[dict]:
    """Round the centers: take a ticket, press call next (timed), then mark it a no-show."""
    pressed = []
    sites = hall["sites"]
    for number in range(calls):
        site = sites[number % len(sites)]
        window = site["windows"][0]
        auth = {"Authorization": f"Bearer {site['token']}"}
        status, ticket = api_post(
            port,
            "/api/v1/queue/tickets/",
            {"site": site["id"], "service": hall["service"]},
            {"X-Forwarded-For": f"10.9.{number // 250}.{number % 250}"},
        )
        if status != 201:
            raise SystemExit(f"ticket: HTTP {status} {ticket}")
        started = time.monotonic()
        status, called = api_post(port, f"/api/v1/queue/windows/{window}/call-next/", None, auth)
        answered = time.monotonic()
        if status != 200 or not called.get("number"):
            raise SystemExit(f"call-next: HTTP {status} {called}")
        pressed.append(
            {"site": site["id"], "number": called["number"], "window": window, "pressed": started, "answered": answered}
        )
        time.sleep(CALL_EVERY)
        api_post(port, f"/api/v1/queue/windows/{window}/skip/", None, auth)
    return pressed


def ticket_load_loop(run, port, start_at, end_at, seed, token_site, service, cpu, results) -> None:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    client = run.HttpClient(port)
    done = errors = 0
    body = json.dumps({"site": token_site, "service": service}).encode()
    while time.monotonic() < start_at:
        time.sleep(0.005)
    number = 0
    while time.monotonic() < end_at:
        number += 1
        headers = {
            "Content-Type": "application/json",
            "X-Forwarded-For": f"10.{seed % 250}.{number // 250 % 250}.{number % 250}",
        }
        try:
            status = client.request(run.message("POST", "/api/v1/queue/tickets/", port, body, headers))
        except OSError:
            client.close()
            status = 0
        if time.monotonic() > end_at:
            break
        if status == 201:
            done += 1
        else:
            errors += 1
    client.close()
    results.put({"done": done, "errors": errors})


def ticket_rate(run, port, hall, duration, clients, cpu) -> dict:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    start_at = time.monotonic() + 0.3
    end_at = start_at + duration
    site = hall["sites"][-1]["id"]
    processes = [
        ctx.Process(target=ticket_load_loop, args=(run, port, start_at, end_at, i, site, hall["service"], cpu, results))
        for i in range(clients)
    ]
    for process in processes:
        process.start()
    parts = [results.get(timeout=duration + 60) for _ in processes]
    for process in processes:
        process.join(timeout=10)
    return {"rps": sum(p["done"] for p in parts) / duration, "errors": sum(p["errors"] for p in parts)}


def run_b10(run, args, pinned: bool, stamp: str, synchronous: str) -> dict:
    hall = json.loads(run.manage(args, "benchseed_hall", "--centers", str(args.hall_centers)).strip().splitlines()[-1])
    web_port, push_port = run.free_port(), run.free_port()
    logs = (run.OUT_DIR / f"B10-{stamp}.server.log", run.OUT_DIR / f"B10-{stamp}.push.log")
    os.environ["TRUSTED_PROXY_COUNT"] = "1"  # one "kiosk" per address: the ticket throttle is per IP
    try:
        web = run.start_server(args, web_port, logs[0], pinned)
    finally:
        os.environ.pop("TRUSTED_PROXY_COUNT", None)
    push = start_push(run, args, push_port, logs[1], run.SERVER_CPU if pinned else None)
    ctx = multiprocessing.get_context("fork")
    try:
        run.wait_until_ready(web, web_port, logs[0])
        wait_push_ready(push, push_port, logs[1])
        site_ids = [site["id"] for site in hall["sites"]]
        total = len(site_ids) * args.hall_displays
        ready, stop, results = ctx.Value("i", 0), ctx.Event(), ctx.Queue()
        clients = ctx.Process(
            target=displays_process,
            args=(push_port, site_ids, args.hall_displays, run.CLIENT_CPU if pinned else None, ready, stop, results),
        )
        clients.start()
        wait_for(ready, total, 60, "displays connected", results)
        pressed = press_calls(web_port, hall, args.hall_calls)
        time.sleep(2.0)
        stop.set()
        outcome = results.get(timeout=30)
        clients.join(timeout=10)
        if "error" in outcome:
            raise SystemExit(f"displays: {outcome['error']}")
        received: dict[tuple, list[float]] = {}
        for site_id, number, window, at in outcome["received"]:
            received.setdefault((site_id, number, window), []).append(at)
        end_to_end, after_response, slowest, missing = [], [], [], 0
        for call in pressed:
            times = received.get((call["site"], call["number"], call["window"]), [])
            missing += args.hall_displays - len(times)
            end_to_end += [(at - call["pressed"]) * 1000 for at in times]
            after_response += [(at - call["answered"]) * 1000 for at in times]
            if times:
                slowest.append((max(times) - call["pressed"]) * 1000)
        raw = raw_poll_reference(run.OUT_DIR / "raw_poll.sqlite3", 0.2)
        # Ticket issue vs raw commit, A-B-A per round.
        rounds = []
        for _ in range(args.hall_rounds):
            before = run.raw_sqlite(args.duration, synchronous or "FULL", pinned)["rps"]
            tickets = ticket_rate(run, web_port, hall, args.duration, args.clients, run.CLIENT_CPU if pinned else None)
            after = run.raw_sqlite(args.duration, synchronous or "FULL", pinned)["rps"]
            rounds.append({"tickets_rps": tickets["rps"], "errors": tickets["errors"], "raw_rps": (before + after) / 2})
    finally:
        run.stop_server(web)
        run.stop_server(push)
    ratios = [r["tickets_rps"] / r["raw_rps"] for r in rounds]
    p95 = percentile(end_to_end, 0.95)
    summary = {
        "displays": total,
        "calls": len(pressed),
        "receptions": len(end_to_end),
        "missing_receptions": missing,
        "press_to_display_ms": {"p50": percentile(end_to_end, 0.5), "p95": p95, "max": percentile(end_to_end, 1)},
        "response_to_display_ms": {"p50": percentile(after_response, 0.5), "p95": percentile(after_response, 0.95)},
        "slowest_display_per_call_p95_ms": percentile(slowest, 0.95),
        "raw_commit_poll_ms": raw,
        "vs_raw_poll_p95": round(p95 / raw["p95_ms"], 2) if p95 and raw["p95_ms"] else None,
        "ticket_issue": {
            "rps_median": sorted(r["tickets_rps"] for r in rounds)[len(rounds) // 2],
            "raw_commit_rps_median": sorted(r["raw_rps"] for r in rounds)[len(rounds) // 2],
            "ratio_median": sorted(ratios)[len(ratios) // 2],
            "ratio_min": min(ratios),
            "ratio_max": max(ratios),
        },
    }
    summary["targets"] = {
        "p95 ≤ 1 s": p95 is not None and p95 <= 1000,
        "server part ≤ 50× raw p95": summary["vs_raw_poll_p95"] is not None and summary["vs_raw_poll_p95"] <= 50,
        "ticket issue ≥ 0.02× raw commit": summary["ticket_issue"]["ratio_median"] >= 0.02,
        "every display got every call": missing == 0,
    }
    errors = missing + sum(r["errors"] for r in rounds)
    return {
        "benchmark": "B10",
        "name": "queue.call_latency",
        "summary": summary,
        "errors": errors,
        "rounds": rounds,
        "config": {
            "centers": args.hall_centers,
            "displays_per_center": args.hall_displays,
            "calls": args.hall_calls,
            "call_every_s": CALL_EVERY,
            "servers": "site: gunicorn 1 sync worker; push: gunicorn 1 asyncio worker (config/gunicorn_push.conf.py)",
        },
    }


# --- B11 ------------------------------------------------------------------------------------------


def board_load_loop(run, port, path, start_at, end_at, cpu, results) -> None:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    client = run.HttpClient(port)
    done = errors = 0
    while time.monotonic() < start_at:
        time.sleep(0.005)
    request = run.message("GET", path, port)
    while time.monotonic() < end_at:
        try:
            status = client.request(request)
        except OSError:
            client.close()
            status = 0
        done += status == 200
        errors += status != 200
    client.close()
    results.put({"done": done, "errors": errors})


def run_b11(run, args, pinned: bool, stamp: str) -> dict:
    hall = json.loads(run.manage(args, "benchseed_hall", "--centers", str(args.hall_centers)).strip().splitlines()[-1])
    site_ids = [site["id"] for site in hall["sites"]]
    web_port, push_port = run.free_port(), run.free_port()
    logs = (run.OUT_DIR / f"B11-{stamp}.server.log", run.OUT_DIR / f"B11-{stamp}.push.log")
    web = run.start_server(args, web_port, logs[0], pinned)
    push = start_push(run, args, push_port, logs[1], run.SERVER_CPU if pinned else None)
    ctx = multiprocessing.get_context("fork")
    seconds = args.hall_idle_seconds
    try:
        run.wait_until_ready(web, web_port, logs[0])
        wait_push_ready(push, push_port, logs[1])
        push_pids = process_tree(push.pid)
        rss_before = rss_kb(push_pids)
        ready, stop, results = ctx.Value("i", 0), ctx.Event(), ctx.Queue()
        holder = ctx.Process(
            target=idle_process,
            args=(push_port, site_ids, args.hall_idle, run.CLIENT_CPU if pinned else None, ready, stop, results),
        )
        holder.start()
        wait_for(ready, args.hall_idle, 120, "idle connections", results)
        settle(push_pids)  # connection set-up (the middleware, ~8 ms each) is not idle time
        cpu_before, started = cpu_seconds(push_pids), time.monotonic()
        time.sleep(seconds)
        push_cpu = cpu_seconds(push_pids) - cpu_before
        elapsed = time.monotonic() - started
        rss_idle = rss_kb(push_pids)
        stop.set()
        held = results.get(timeout=30)
        holder.join(timeout=10)
        if "error" in held:
            raise SystemExit(f"idle connections: {held['error']}")
        # The site server answering board polls: CPU per request under a closed loop.
        web_pids = process_tree(web.pid)
        path = f"/api/v1/queue/sites/{site_ids[0]}/board/"
        poll_results = ctx.Queue()
        duration = min(args.duration * 2, 10)
        start_at = time.monotonic() + 0.3
        loaders = [
            ctx.Process(
                target=board_load_loop,
                args=(
                    run,
                    web_port,
                    path,
                    start_at,
                    start_at + duration,
                    run.CLIENT_CPU if pinned else None,
                    poll_results,
                ),
            )
            for _ in range(args.clients)
        ]
        for loader in loaders:
            loader.start()
        time.sleep(0.3)
        web_before = cpu_seconds(web_pids)
        parts = [poll_results.get(timeout=duration + 60) for _ in loaders]
        web_cpu = cpu_seconds(web_pids) - web_before
        for loader in loaders:
            loader.join(timeout=10)
    finally:
        run.stop_server(web)
        run.stop_server(push)
    requests = sum(part["done"] for part in parts)
    cpu_per_request = web_cpu / requests if requests else None
    push_per_s = push_cpu / elapsed
    polling_per_s = cpu_per_request * 0.5 * args.hall_idle if cpu_per_request else None
    ratio = push_per_s / polling_per_s if polling_per_s else None
    summary = {
        "connections": held["connections"],
        "seconds": round(elapsed, 2),
        "push_cpu_s_per_s": round(push_per_s, 5),
        "push_cpu_us_per_connection_s": round(push_per_s / args.hall_idle * 1e6, 3),
        "push_rss_kb": rss_idle,
        "push_rss_kb_per_connection": round((rss_idle - rss_before) / args.hall_idle, 2) if rss_before else None,
        "bytes_sent_to_idle_displays": held["bytes"],
        "board_requests": requests,
        "board_rps": round(requests / duration, 1),
        "board_cpu_ms_per_request": round(cpu_per_request * 1000, 3) if cpu_per_request else None,
        "polling_cpu_s_per_s_projected": round(polling_per_s, 4) if polling_per_s else None,
        "push_vs_polling": round(ratio, 5) if ratio is not None else None,
    }
    summary["targets"] = {"push CPU ≤ 0.05× polling": ratio is not None and ratio <= 0.05}
    return {
        "benchmark": "B11",
        "name": "queue.display_fanout",
        "summary": summary,
        "errors": sum(part["errors"] for part in parts),
        "config": {
            "idle_connections": args.hall_idle,
            "idle_seconds": seconds,
            "centers": args.hall_centers,
            "poll_interval_s": 2,
            "servers": "site: gunicorn 1 sync worker; push: gunicorn 1 asyncio worker (config/gunicorn_push.conf.py)",
        },
    }


def print_summary(result: dict) -> None:
    summary = result["summary"]
    if result["benchmark"] == "B10":
        e2e, after, raw = (
            summary["press_to_display_ms"],
            summary["response_to_display_ms"],
            summary["raw_commit_poll_ms"],
        )
        tickets = summary["ticket_issue"]
        print(
            f"  {summary['displays']} displays, {summary['calls']} calls, {summary['receptions']} receptions "
            f"({summary['missing_receptions']} missing)"
        )
        print(
            f"  press → display p50 {e2e['p50']} ms, p95 {e2e['p95']} ms (target ≤ 1000); after the API answer p95 {after['p95']} ms"
        )
        print(
            f"  raw sqlite3 commit → raw poll (200 ms) p50 {raw['p50_ms']} ms, p95 {raw['p95_ms']} ms; "
            f"ratio p95 {summary['vs_raw_poll_p95']} (target ≤ 50)"
        )
        print(
            f"  ticket issue {tickets['rps_median']:.0f}/s vs raw commit {tickets['raw_commit_rps_median']:.0f}/s: "
            f"{tickets['ratio_median']:.3f} [{tickets['ratio_min']:.3f}–{tickets['ratio_max']:.3f}] (target ≥ 0.02)"
        )
    else:
        print(
            f"  {summary['connections']} idle connections for {summary['seconds']} s: push server "
            f"{summary['push_cpu_s_per_s'] * 1000:.2f} ms CPU/s ({summary['push_cpu_us_per_connection_s']} µs per "
            f"connection·s), RSS {summary['push_rss_kb'] / 1024:.0f} MB ({summary['push_rss_kb_per_connection']} kB/conn)"
        )
        print(
            f"  polling: {summary['board_cpu_ms_per_request']} ms CPU per board request ({summary['board_rps']}/s closed loop) "
            f"→ {summary['polling_cpu_s_per_s_projected']} CPU s/s for the same displays every 2 s"
        )
        print(f"  push vs polling {summary['push_vs_polling']} (target ≤ 0.05)")
