"""B13 `portal.web_vitals` (PERFORMANCE.md), run by bench/run.py (`--only B13`) or alone:

    .venv/bin/python bench/web_vitals.py [--rounds 5]

The site as `make run` serves it — gunicorn with config/gunicorn.conf.py, DEBUG off, static
files collected (WhiteNoise: hashed names, gzip) — on its own demo database
(var/bench/b13.sqlite3: migrate, syncroles, loadreference, loadcalendar, seeddemo), loaded by
headless Chromium (Debian's /usr/bin/chromium through Playwright) under the mobile profile:
360×740 viewport, CDP network emulation (150 ms RTT, 1.6 Mbps down, 750 kbps up), 4× CPU
slowdown, cache disabled (every load is a first load). Pages: the home page, the consultation
list (/consult/), a directory search (/directory/?q=律师) and the ask form (/consult/ask/,
signed in as demo_citizen); a page the site does not serve yet is reported as such.

Per load: LCP (PerformanceObserver largest-contentful-paint, buffered), CLS (layout-shift
without recent input, summed), TBT (long tasks beyond 50 ms until load + 1 s: the lab proxy
of INP), INP (the longest event-timing entry of one interaction: typing in the page's first
text field, else opening its first disclosure, else a tap on the heading) and the bytes
transferred (Σ encodedDataLength of CDP Network.loadingFinished).

Reference, same run: a static HTML page of the same byte size as the page's first-load
transfer, served by Python's http.server under the same emulation ("floor = RTT + HTML").
Each round loads static, page, static (A-B-A); ratio = page LCP / mean(static LCPs).

Targets: LCP ≤ 2.5 s, CLS ≤ 0.1, first-load transfer ≤ 500 KB, LCP ≤ 2× static; INP ≤ 200 ms.
Writes var/bench/b13.json (bench/run.py also writes B13-<timestamp>.json)."""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"
DATABASE = OUT_DIR / "b13.sqlite3"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 360, "height": 740}
RTT_MS = 150
DOWN_BPS = 1_600_000
UP_BPS = 750_000
CPU_SLOWDOWN = 4
SETTLE_MS = 1000  # after the load event, before LCP/CLS/TBT are read
PAGES = [
    ("home", "/", False),
    ("consult_list", "/consult/", False),
    ("directory_search", "/directory/?q=%E5%BE%8B%E5%B8%88", False),  # ?q=律师
    ("ask_form", "/consult/ask/", True),
]
DEMO_USER = "demo_citizen"
TARGETS = {"lcp_ms": 2500, "cls": 0.1, "transfer_bytes": 500 * 1024, "lcp_vs_static": 2.0, "inp_ms": 200}
# Read before the page's own scripts run, in every document of the context.
OBSERVERS = """
(() => {
  const v = (window.__vitals = {lcp: null, cls: 0, tbt: 0, fcp: null, inp: 0, longtasks: 0});
  const watch = (type, each, extra) => {
    try { new PerformanceObserver((list) => list.getEntries().forEach(each)).observe({type, buffered: true, ...extra}); }
    catch (e) { /* not supported */ }
  };
  watch("largest-contentful-paint", (e) => { v.lcp = e.renderTime || e.loadTime || e.startTime; });
  watch("layout-shift", (e) => { if (!e.hadRecentInput) v.cls += e.value; });
  watch("longtask", (e) => { v.longtasks += 1; v.tbt += Math.max(0, e.duration - 50); });
  watch("paint", (e) => { if (e.name === "first-contentful-paint") v.fcp = e.startTime; });
  watch("event", (e) => { if (e.interactionId) v.inp = Math.max(v.inp, e.duration); }, {durationThreshold: 16});
})();
"""
INTERACT = """
async () => {
  const field = [...document.querySelectorAll("main input[type=text], main input[type=search], main textarea")]
    .find((el) => el.getClientRects().length);
  if (field) return "field";
  if ([...document.querySelectorAll("main summary")].find((el) => el.getClientRects().length)) return "summary";
  return "heading";
}
"""


# --- the site and the reference server ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(port: int | None = None) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "BENCH_DATABASE_URL"}
    }
    env.update(
        OPEN12348_DOTENV="0",  # the environment alone: never the developer's .env
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY="bench-b13-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        PII_KEYS="bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        PII_HASH_KEY="bench-only-hash-key",
        AUDIT_HMAC_KEY="bench-only-audit-key",
        DATABASE_URL=f"sqlite:///{DATABASE}",
        SECURE_COOKIES="false",  # plain http on the loopback
        WEB_CONCURRENCY="2",
        LOG_LEVEL="WARNING",
    )
    if port is not None:
        env["PORT"] = str(port)
    return env


def manage(*command: str) -> None:
    from bench.run import manage_in

    manage_in(site_env(), *command)


def prepare() -> float:
    """The demo database (kept between runs; every step is idempotent) and the static files."""
    started = time.monotonic()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    manage("migrate", "--noinput", "--verbosity", "0")
    for command in ("syncroles", "loadreference", "loadcalendar", "seeddemo"):
        manage(command)
    manage("collectstatic", "--noinput", "--verbosity", "0")
    return round(time.monotonic() - started, 1)


def start_site(port: int, log_path: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py"]
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=site_env(port), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


def start_static(port: int, directory: Path, log_path: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)]
    with log_path.open("wb") as log:
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def wait_ready(server: subprocess.Popen, url: str, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{url}: server exited with {server.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def stop(server: subprocess.Popen | None) -> None:
    from bench.run import stop_server

    if server is not None:
        stop_server(server)


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


STATIC_HEAD = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>静态参考页</title></head>'
    '<body><main><h1>有法律问题，找12348</h1><p class="lead">法律咨询、法律援助、人民调解、公证、司法鉴定、'
    "律师服务等公共法律服务，可以拨打热线、到就近的服务站点，或在网上办理。</p>"
)
STATIC_PARAGRAPH = "<p>公共法律服务中心、工作站和工作室就近为您提供法律咨询、人民调解、法律援助申请等服务。</p>"
STATIC_TAIL = "</main></body></html>"


def static_page(size: int) -> bytes:
    """An HTML page of exactly `size` bytes (at least the head): text only, its LCP a paragraph."""
    head, tail = STATIC_HEAD.encode(), STATIC_TAIL.encode()
    body = bytearray()
    paragraph = STATIC_PARAGRAPH.encode()
    while len(head) + len(body) + len(paragraph) + len(tail) <= size:
        body += paragraph
    page = head + bytes(body)
    padding = size - len(page) - len(tail)
    if padding > 0:
        page += b"<!--" + b"x" * max(0, padding - 7) + b"-->" if padding >= 7 else b" " * padding
    return page + tail


# --- one measured load ---------------------------------------------------------------------------


def measure(browser, url: str, *, storage_state=None, interact: bool = True) -> dict:
    context = browser.new_context(
        viewport=VIEWPORT, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN",
        storage_state=storage_state,
    )  # fmt: skip
    try:
        context.add_init_script(OBSERVERS)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        transferred = {"bytes": 0, "requests": 0}

        def finished(event):
            transferred["bytes"] += event.get("encodedDataLength", 0)
            transferred["requests"] += 1

        cdp.on("Network.loadingFinished", finished)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": RTT_MS,
                "downloadThroughput": DOWN_BPS / 8,
                "uploadThroughput": UP_BPS / 8,
            },
        )
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        started = time.monotonic()
        response = page.goto(url, wait_until="load", timeout=60_000)
        load_ms = (time.monotonic() - started) * 1000
        page.wait_for_timeout(SETTLE_MS)
        vitals = page.evaluate("() => ({...window.__vitals})")
        interaction = ""
        if interact:
            interaction = page.evaluate(INTERACT)
            if interaction == "field":
                field = page.locator("main input[type=text], main input[type=search], main textarea").first
                field.click()
                page.keyboard.type("abc", delay=50)  # key events: an IME-free interaction
            elif interaction == "summary":
                page.locator("main summary").first.click()
            else:
                page.locator("h1").first.click()
            page.wait_for_timeout(500)
            vitals["inp"] = page.evaluate("() => window.__vitals.inp")
        return {
            "status": response.status if response else 0,
            "final_url": page.url,
            "lcp_ms": round(vitals["lcp"], 1) if vitals["lcp"] is not None else None,
            "fcp_ms": round(vitals["fcp"], 1) if vitals["fcp"] is not None else None,
            "cls": round(vitals["cls"], 4),
            "tbt_ms": round(vitals["tbt"], 1),
            "inp_ms": round(vitals["inp"], 1) if interact else None,
            "interaction": interaction,
            "transfer_bytes": transferred["bytes"],
            "requests": transferred["requests"],
            "load_ms": round(load_ms, 1),
        }
    finally:
        context.close()


def sign_in(browser, base: str) -> dict:
    """demo_citizen's session (signed in without emulation; the cookies are reused)."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(base + "/accounts/login/")
        page.fill("#id_username", DEMO_USER)
        page.fill("#id_password", os.environ.get("DEMO_PASSWORD") or "Open12348-Demo")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        if "/accounts/login/" in page.url:
            raise SystemExit(f"B13: {DEMO_USER} could not sign in (DEMO_PASSWORD?)")
        return context.storage_state()
    finally:
        context.close()


# --- the benchmark -------------------------------------------------------------------------------


def _median(values):
    values = [value for value in values if value is not None]
    return round(statistics.median(values), 4) if values else None


def _iqr(values):
    values = [value for value in values if value is not None]
    if len(values) < 2:
        return None
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return [round(q1, 4), round(q3, 4)]


def run(rounds: int = 5, stamp: str | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    stamp = stamp or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    print("B13: preparing the demo database and static files …", flush=True)
    prepare_s = prepare()
    site_port, static_port = free_port(), free_port()
    site_log = OUT_DIR / f"B13-{stamp}.server.log"
    static_log = OUT_DIR / f"B13-{stamp}.static.log"
    base, static_base = f"http://127.0.0.1:{site_port}", f"http://127.0.0.1:{static_port}"
    site = static = None
    pages: dict[str, dict] = {}
    errors = 0
    with tempfile.TemporaryDirectory(dir=OUT_DIR, prefix="b13-static-") as tmp:
        try:
            site = start_site(site_port, site_log)
            wait_ready(site, base + "/", site_log)
            (Path(tmp) / "index.html").write_bytes(static_page(1024))
            static = start_static(static_port, Path(tmp), static_log)
            wait_ready(static, static_base + "/index.html", static_log)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    state = None
                    for name, path, needs_login in PAGES:
                        status = status_of(base + path) if not needs_login else None
                        if needs_login:
                            state = state or sign_in(browser, base)
                        print(f"  {name} {path} …", flush=True)
                        probe = measure(browser, base + path, storage_state=state if needs_login else None)
                        if (
                            probe["status"] != 200
                            or (status not in (None, 200))
                            or "/accounts/login/" in probe["final_url"]
                        ):
                            pages[name] = {
                                "path": path,
                                "available": False,
                                "note": f"HTTP {probe['status']} at {probe['final_url'].removeprefix(base)}: "
                                "not served by the site yet",
                            }
                            continue
                        size = probe["transfer_bytes"]
                        reference = f"{name}-{size}.html"
                        (Path(tmp) / reference).write_bytes(static_page(size))
                        loads, statics, ratios = [], [], []
                        for _ in range(rounds):
                            before = measure(browser, f"{static_base}/{reference}", interact=False)
                            subject = measure(browser, base + path, storage_state=state if needs_login else None)
                            after = measure(browser, f"{static_base}/{reference}", interact=False)
                            loads.append(subject)
                            statics += [before, after]
                            floor = [m["lcp_ms"] for m in (before, after) if m["lcp_ms"]]
                            if subject["lcp_ms"] and floor:
                                ratios.append(subject["lcp_ms"] / statistics.mean(floor))
                            if subject["status"] != 200:
                                errors += 1
                        pages[name] = summarise(path, loads, statics, ratios, size)
                finally:
                    browser.close()
        finally:
            stop(site)
            stop(static)
    for log in (site_log, static_log):
        if log.exists() and log.stat().st_size == 0:
            log.unlink()
    measured = [page for page in pages.values() if page.get("available", True)]
    targets = {
        key: (all(page["targets"][key] for page in measured) if measured else None)
        for key in ("lcp", "cls", "transfer", "lcp_vs_static", "inp")
    }
    result = {
        "benchmark": "B13",
        "name": "portal.web_vitals",
        "started_at": stamp,
        "config": {
            "rounds": rounds,
            "viewport": VIEWPORT,
            "device_scale_factor": 2,
            "rtt_ms": RTT_MS,
            "down_bps": DOWN_BPS,
            "up_bps": UP_BPS,
            "cpu_slowdown": CPU_SLOWDOWN,
            "settle_ms": SETTLE_MS,
            "server": "gunicorn, config/gunicorn.conf.py, 2 sync workers, DEBUG off, WhiteNoise (gzip)",
            "reference": "static HTML of the page's first-load transfer size, Python http.server, same emulation",
            "database": str(DATABASE.relative_to(ROOT)),
            "prepare_s": prepare_s,
        },
        "summary": {"pages": pages, "targets": targets},
        "errors": errors,
        "valid": rounds >= 5 and errors == 0,
    }
    (OUT_DIR / "b13.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


def summarise(path: str, loads: list[dict], statics: list[dict], ratios: list[float], size: int) -> dict:
    lcp = _median([m["lcp_ms"] for m in loads])
    cls = max((m["cls"] for m in loads), default=None)
    transfer = max(m["transfer_bytes"] for m in loads)
    inp = _median([m["inp_ms"] for m in loads])
    ratio = _median(ratios)
    return {
        "path": path,
        "available": True,
        "lcp_ms_median": lcp,
        "lcp_ms_iqr": _iqr([m["lcp_ms"] for m in loads]),
        "fcp_ms_median": _median([m["fcp_ms"] for m in loads]),
        "cls_max": cls,
        "tbt_ms_median": _median([m["tbt_ms"] for m in loads]),
        "inp_ms_median": inp,
        "interaction": loads[0]["interaction"] if loads else "",
        "transfer_bytes_max": transfer,
        "requests": loads[0]["requests"] if loads else 0,
        "static_size_bytes": size,
        "static_lcp_ms_median": _median([m["lcp_ms"] for m in statics]),
        "lcp_vs_static_median": ratio,
        "lcp_vs_static_iqr": _iqr(ratios),
        "loads": loads,
        "targets": {
            "lcp": lcp is not None and lcp <= TARGETS["lcp_ms"],
            "cls": cls is not None and cls <= TARGETS["cls"],
            "transfer": transfer <= TARGETS["transfer_bytes"],
            "lcp_vs_static": ratio is not None and ratio <= TARGETS["lcp_vs_static"],
            "inp": inp is not None and inp <= TARGETS["inp_ms"],
        },
    }


def print_summary(result: dict) -> None:
    pages = result["summary"]["pages"]
    print(
        f"  mobile profile: {RTT_MS} ms RTT, {DOWN_BPS / 1e6:g} Mbps down / {UP_BPS / 1e3:g} kbps up, "
        f"{CPU_SLOWDOWN}× CPU, {VIEWPORT['width']}×{VIEWPORT['height']}; {result['config']['rounds']} rounds A-B-A"
    )
    header = f"  {'page':<18}{'LCP ms':>9}{'static':>9}{'ratio':>8}{'CLS':>8}{'TBT ms':>8}{'INP ms':>8}{'KB':>8}"
    print(header)
    for name, page in pages.items():
        if not page.get("available", True):
            print(f"  {name:<18}{page['note']}")
            continue
        print(
            f"  {name:<18}{page['lcp_ms_median'] or 0:>9.0f}{page['static_lcp_ms_median'] or 0:>9.0f}"
            f"{page['lcp_vs_static_median'] or 0:>8.2f}{page['cls_max']:>8.3f}{page['tbt_ms_median'] or 0:>8.0f}"
            f"{page['inp_ms_median'] or 0:>8.0f}{page['transfer_bytes_max'] / 1024:>8.1f}"
        )
    print(
        f"  targets: LCP ≤ {TARGETS['lcp_ms']} ms, CLS ≤ {TARGETS['cls']}, transfer ≤ {TARGETS['transfer_bytes'] // 1024} KB, "
        f"LCP ≤ {TARGETS['lcp_vs_static']:g}× static, INP ≤ {TARGETS['inp_ms']} ms"
    )


def run_b13(run_module, args, stamp: str) -> dict:
    """bench/run.py's hook: the suite's rounds (at least 5 for a valid result)."""
    return run(rounds=args.rounds, stamp=stamp)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="A-B-A rounds per page (at least 5 for a valid result)")
    args = parser.parse_args()
    result = run(rounds=args.rounds)
    print_summary(result)
    print(f"  JSON: {(OUT_DIR / 'b13.json').relative_to(ROOT)}")
    missed = [key for key, met in result["summary"]["targets"].items() if met is False]
    if missed:
        print(f"  MISSED: {', '.join(missed)}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
