"""B8 `search.law` and B9 `search.index_build` (PERFORMANCE.md), run by bench/run.py
(`--only B8,B9`) or alone:

    .venv/bin/python bench/search.py [--only B8,B9] [--rounds 5] [--articles 100000] [--database-url URL]

Data: its own database (var/bench/b8.sqlite3, or --database-url for PostgreSQL) holding the
real national library (`importlaws --no-local` from OPEN12348_DATA_DIR) when
the data set is present, else a seeded corpus of --articles articles whose words follow a Zipf
law over jieba's dictionary (same seed, same corpus). Kept between runs (both are idempotent).

B8: the site as `make run` serves it (gunicorn, config/gunicorn.conf.py, one sync worker pinned
to CPU 0) answers `GET /api/v1/laws/search/?q=…` (jieba segmentation of the query, ranked top 10
of valid documents, highlighted snippets, JSON); one client on CPU 1, one request at a time.
Reference, same run, same index: the bare engine query of the same tokens from a plain Python
driver (SQLite: `sqlite3`, FTS5 bm25() top 10; PostgreSQL: psycopg, ts_rank_cd top 10). Two
query sets drawn from the corpus: "two-word" (two words of one article, each in 20–2,000
documents) and "frequent" (the most frequent non-stop words, one a query). Each round runs raw,
HTTP, raw (A-B-A) over both sets; per round p50/p95; figures are medians over rounds.
Targets: two-word HTTP p95 ≤ raw p95 + 20 ms and ≤ 50 ms (issue 6); frequent HTTP p95 ≤ 1.2×
raw p95; every p95 ≤ 300 ms.

B9 (in one process, the bench database): segmenting and indexing a sample of the corpus as new
documents through the search backend (jieba + legal dictionary, rows and engine index written,
one transaction per 2,000) in characters per second, against raw `jieba.lcut` over the same texts
(A-B-A); and re-indexing one article (its own transaction) p50/p95. Targets: ≥ 0.7× raw jieba;
one article ≤ 50 ms.

Writes var/bench/B8-<stamp>.json and B9-<stamp>.json (bench/run.py) or b8.json / b9.json."""

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"
DATABASE = OUT_DIR / "b8.sqlite3"
SERVER_CPU, CLIENT_CPU = 0, 1
SEARCH = "/api/v1/laws/search/"
TARGETS = {"selective_over_raw_ms": 20, "selective_p95_ms": 50, "frequent_ratio": 1.2, "absolute_p95_ms": 300,
           "index_ratio": 0.7, "reindex_one_p95_ms": 50}  # fmt: skip


# --- processes ---


def site_env(database_url: str = "", port: int | None = None) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "BENCH_DATABASE_URL"}
    }
    env.update(
        OPEN12348_DOTENV="0",
        DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SEARCH_SETTINGS", "config.settings"),
        DEBUG="false",
        SECRET_KEY="bench-b8-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        PII_KEYS="bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        PII_HASH_KEY="bench-only-hash-key",
        AUDIT_HMAC_KEY="bench-only-audit-key",
        DATABASE_URL=database_url or f"sqlite:///{DATABASE}",
        SECURE_COOKIES="false",
        WEB_CONCURRENCY="1",
        TRUSTED_PROXY_COUNT="1",  # a distinct X-Forwarded-For per request: the anonymous throttle is not measured
        LOG_LEVEL="WARNING",
    )
    if port is not None:
        env["PORT"] = str(port)
    return env


def run_manage(database_url: str, *command: str) -> str:
    from bench.run import manage_in

    return manage_in(site_env(database_url), *command)


def run_worker(database_url: str, name: str, **params) -> dict:
    """One of the in-Django steps below, in a child process on the bench database."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", name, json.dumps(params)],
        cwd=ROOT,
        env=site_env(database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"bench/search.py worker {name} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_site(database_url: str, port: int, log_path: Path, pin: bool) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py"]
    if pin and shutil.which("taskset"):
        command = ["taskset", "-c", str(SERVER_CPU), *command]
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=site_env(database_url, port),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def stop(server: subprocess.Popen | None) -> None:
    from bench.run import stop_server

    if server is not None:
        stop_server(server)


class Client:
    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.number = 0

    def get(self, path: str) -> tuple[int, bytes]:
        self.number += 1
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                n = self.number
                self.conn.request(
                    "GET", path, headers={"X-Forwarded-For": f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250}"}
                )
                response = self.conn.getresponse()
                body = response.read()
                if response.getheader("connection", "").lower() == "close":
                    self.close()
                return response.status, body
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def wait_ready(server: subprocess.Popen, client: Client, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            if client.get("/healthz")[0] in (200, 503):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {timeout} s")


# --- the raw engine query (reference) ---


class RawEngine:
    def __init__(self, database_url: str):
        self.vendor = "postgresql" if database_url.startswith(("postgres://", "postgresql://")) else "sqlite"
        if self.vendor == "sqlite":
            path = Path(database_url.removeprefix("sqlite:///") if database_url else DATABASE).resolve()
            self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        else:
            import psycopg

            self.conn = psycopg.connect(database_url, autocommit=True)

    def query(self, tokens: list[str]) -> int:
        if self.vendor == "sqlite":
            match = " AND ".join('"' + t.replace('"', '""') + '"' for t in tokens)
            rows = self.conn.execute(
                "SELECT rowid, bm25(laws_search_fts, 4.0, 1.0) AS s FROM laws_search_fts "
                "WHERE laws_search_fts MATCH ? ORDER BY s LIMIT 10",
                (match,),
            ).fetchall()
        else:
            with self.conn.cursor() as cursor:
                cursor.execute(
                    "SELECT d.id, ts_rank_cd(d.tsv, q.query, 1) AS s FROM laws_searchdocument d, "
                    "(SELECT plainto_tsquery('simple'::regconfig, %s) AS query) q WHERE d.tsv @@ q.query "
                    "ORDER BY s DESC LIMIT 10",
                    (" ".join(tokens),),
                )
                rows = cursor.fetchall()
        return len(rows)

    def close(self) -> None:
        self.conn.close()


# --- statistics ---


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))], 2)


def median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


# --- B8 ---


def run_b8(database_url: str, rounds: int, queries: dict, pin: bool, stamp: str) -> dict:
    port = free_port()
    log_path = OUT_DIR / f"B8-{stamp}.server.log"
    server = start_site(database_url, port, log_path, pin)
    client = Client(port)
    raw = RawEngine(database_url)
    errors, statuses = 0, {}
    previous_affinity = os.sched_getaffinity(0) if pin else None
    if pin:
        os.sched_setaffinity(0, {CLIENT_CPU})
    per_round: dict[str, list[dict]] = {"selective": [], "frequent": []}
    floors: list[dict] = []
    try:
        wait_ready(server, client, log_path)

        def http_pass(items) -> list[float]:
            nonlocal errors
            out = []
            for item in items:
                path = f"{SEARCH}?{urllib.parse.urlencode({'q': item['q']})}"
                started = time.perf_counter()
                status, body = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if status == 200:
                    out.append(elapsed)
                else:
                    errors += 1
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
            return out

        def raw_pass(items) -> list[float]:
            out = []
            for item in items:
                started = time.perf_counter()
                raw.query(item["tokens"])
                out.append((time.perf_counter() - started) * 1000)
            return out

        def floor_pass(count: int = 50) -> list[float]:
            """The same endpoint refusing an empty query (400): the site's HTTP + DRF floor."""
            out = []
            for _ in range(count):
                started = time.perf_counter()
                status, _body = client.get(f"{SEARCH}?q=%20")
                if status == 400:
                    out.append((time.perf_counter() - started) * 1000)
            return out

        for name in per_round:  # warm-up, not measured: page cache, jieba, connections
            http_pass(queries[name])
            raw_pass(queries[name])
        floor_pass(10)
        for _ in range(rounds):
            floor = floor_pass()
            floors.append({"p50_ms": pct(floor, 0.5), "p95_ms": pct(floor, 0.95)})
            for name, items in queries.items():
                before, subject, after = raw_pass(items), http_pass(items), raw_pass(items)
                raw_p95 = statistics.mean([pct(before, 0.95), pct(after, 0.95)])
                raw_p50 = statistics.mean([pct(before, 0.5), pct(after, 0.5)])
                per_round[name].append(
                    {
                        "http_p50_ms": pct(subject, 0.5),
                        "http_p95_ms": pct(subject, 0.95),
                        "raw_p50_ms": round(raw_p50, 2),
                        "raw_p95_ms": round(raw_p95, 2),
                        "ratio_p95": round(pct(subject, 0.95) / raw_p95, 2) if raw_p95 else None,
                        "over_raw_p95_ms": round(pct(subject, 0.95) - raw_p95, 2),
                    }
                )
    finally:
        client.close()
        raw.close()
        stop(server)
        if previous_affinity is not None:
            os.sched_setaffinity(0, previous_affinity)
    if log_path.exists() and log_path.stat().st_size == 0:
        log_path.unlink()
    summary = {
        name: {key: median([r[key] for r in runs]) for key in runs[0]} if runs else {}
        for name, runs in per_round.items()
    }
    summary["api_floor"] = {key: median([f[key] for f in floors]) for key in ("p50_ms", "p95_ms")}
    selective, frequent = summary["selective"], summary["frequent"]
    summary["targets"] = {
        "selective_p95_within_raw_plus_20ms": selective.get("over_raw_p95_ms") is not None
        and selective["over_raw_p95_ms"] <= TARGETS["selective_over_raw_ms"],
        "two_word_p95_50ms": selective.get("http_p95_ms") is not None
        and selective["http_p95_ms"] <= TARGETS["selective_p95_ms"],
        "frequent_p95_within_1.2x_raw": frequent.get("ratio_p95") is not None
        and frequent["ratio_p95"] <= TARGETS["frequent_ratio"],
        "absolute_p95_300ms": all(
            s.get("http_p95_ms") is not None and s["http_p95_ms"] <= TARGETS["absolute_p95_ms"]
            for s in (selective, frequent)
        ),
    }
    return {
        "benchmark": "B8",
        "name": "search.law",
        "started_at": stamp,
        "config": {
            "rounds": rounds,
            "queries": {name: len(items) for name, items in queries.items()},
            "examples": {name: [item["q"] for item in items[:5]] for name, items in queries.items()},
            "server": "gunicorn, config/gunicorn.conf.py, 1 sync worker"
            + (" on CPU 0, client on CPU 1" if pin else ""),
            "subject": f"GET {SEARCH}?q=… (valid documents, top 10, snippets, JSON)",
            "reference": f"bare {raw.vendor} engine query of the same tokens, top 10, plain driver",
        },
        "summary": summary,
        "rounds": {**per_round, "api_floor": floors},
        "errors": errors,
        "statuses": statuses,
        "valid": rounds >= 5 and errors == 0,
    }


# --- the in-Django workers ---


def _django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def worker_seed(articles: int, seed: int) -> dict:
    """A Zipf corpus over jieba's dictionary (only when the real library is absent)."""
    _django()
    import jieba

    from open12348.laws.models import SearchDocument
    from open12348.laws.search import IndexDoc, get_backend

    have = SearchDocument.objects.filter(key__startswith="seed:").count()
    if have >= articles:
        return {"generated": 0, "articles": have}
    jieba.initialize()
    words = sorted(
        (w for w, f in jieba.dt.FREQ.items() if f > 0 and 2 <= len(w) <= 4 and "\u4e00" <= w[0] <= "\u9fff"),
        key=lambda w: -jieba.dt.FREQ[w],
    )[:30000]
    weights = [1 / (rank + 1) ** 1.07 for rank in range(len(words))]
    rng = random.Random(seed)
    backend = get_backend()
    started = time.monotonic()

    def docs():
        for n in range(have, articles):
            body = "".join(rng.choices(words, weights, k=rng.randint(25, 90)))
            yield IndexDoc(
                key=f"seed:{n}",
                kind="article",
                title=f"基准法规{n // 100}第{n % 100 + 1}条",  # i18n: data
                text=body + "。",
                url=f"/laws/seed-{n // 100}/{n % 100 + 1}/",
                level="law",
                status="valid" if rng.random() < 0.9 else "repealed",
            )

    backend.index(docs())
    return {"generated": articles - have, "articles": articles, "seconds": round(time.monotonic() - started, 1)}


def worker_queries(seed: int, selective: int, frequent: int) -> dict:
    _django()
    from django.db import connection

    from open12348.laws import segment
    from open12348.laws.models import SearchDocument

    rng = random.Random(seed)
    ids = list(SearchDocument.objects.filter(kind="article").values_list("id", flat=True))
    sample = rng.sample(ids, min(len(ids), 600))
    df_cache: dict[str, int] = {}

    def df(token: str) -> int:
        if token not in df_cache:
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute(
                        "SELECT count(*) FROM laws_search_fts WHERE laws_search_fts MATCH %s",
                        ['"' + token.replace('"', '""') + '"'],
                    )
                else:
                    cursor.execute(
                        "SELECT count(*) FROM laws_searchdocument WHERE tsv @@ plainto_tsquery('simple'::regconfig, %s)",
                        [token],
                    )
                df_cache[token] = cursor.fetchone()[0]
        return df_cache[token]

    pairs, seen = [], set()
    texts = dict(SearchDocument.objects.filter(id__in=sample).values_list("id", "text"))
    for doc_id in sample:
        words = [w for w in dict.fromkeys(segment.cut(texts[doc_id])) if len(w) >= 2 and w not in segment.STOP_WORDS]
        words = [w for w in words if 20 <= df(w) <= 2000]
        if len(words) >= 2:
            a, b = rng.sample(words, 2)
            query = f"{a} {b}"
            if query not in seen and segment.cut_query(query) == [a, b]:
                seen.add(query)
                pairs.append({"q": query, "tokens": [a, b]})
        if len(pairs) >= selective:
            break
    ranked = sorted(((n, w) for w, n in df_cache.items() if w not in segment.STOP_WORDS), reverse=True)
    frequent_items = [{"q": w, "tokens": [w], "df": n} for n, w in ranked if segment.cut_query(w) == [w]][:frequent]
    return {"selective": pairs, "frequent": frequent_items, "documents": len(ids)}


def worker_b9(sample: int, seed: int, rounds: int, one: int) -> dict:
    _django()
    import jieba
    from django.db import transaction

    from open12348.laws import segment
    from open12348.laws.models import SearchDocument
    from open12348.laws.search import IndexDoc, get_backend

    rng = random.Random(seed)
    ids = list(SearchDocument.objects.filter(kind="article").values_list("id", flat=True))
    chosen = rng.sample(ids, min(sample, len(ids)))
    rows = list(
        SearchDocument.objects.filter(id__in=chosen).values(
            "key", "kind", "title", "text", "url", "level", "status", "region", "date", "law_id"
        )
    )
    docs = [IndexDoc(**row) for row in rows]
    texts = [d.text for d in docs]
    chars = sum(len(t) for t in texts) + sum(len(d.title) for d in docs)
    backend = get_backend()
    jieba.initialize()
    segment.cut("预热")

    def raw() -> float:
        started = time.perf_counter()
        for doc in docs:
            jieba.lcut(doc.title)
            jieba.lcut(doc.text)
        return chars / (time.perf_counter() - started)

    fresh = [IndexDoc(**{**doc.__dict__, "key": f"b9:{doc.key}"}) for doc in docs]

    def index() -> float:
        """A build: new documents (their copies under other keys), removed again untimed."""
        started = time.perf_counter()
        backend.index(fresh)
        elapsed = time.perf_counter() - started
        backend.remove(doc.key for doc in fresh)
        return chars / elapsed

    raw(), index()  # warm-up
    per_round = []
    for _ in range(rounds):
        before, subject, after = raw(), index(), raw()
        reference = statistics.mean([before, after])
        per_round.append(
            {
                "index_chars_per_s": round(subject),
                "raw_jieba_chars_per_s": round(reference),
                "ratio": round(subject / reference, 3),
            }
        )
    latencies = []
    for doc in rng.sample(docs, min(one, len(docs))):
        started = time.perf_counter()
        with transaction.atomic():
            backend.index([doc])
        latencies.append((time.perf_counter() - started) * 1000)
    summary = {
        "index_chars_per_s": median([r["index_chars_per_s"] for r in per_round]),
        "raw_jieba_chars_per_s": median([r["raw_jieba_chars_per_s"] for r in per_round]),
        "ratio": median([r["ratio"] for r in per_round]),
        "reindex_one_p50_ms": pct(latencies, 0.5),
        "reindex_one_p95_ms": pct(latencies, 0.95),
    }
    summary["targets"] = {
        "index_at_least_0.7x_raw_jieba": summary["ratio"] is not None and summary["ratio"] >= TARGETS["index_ratio"],
        "reindex_one_50ms": summary["reindex_one_p95_ms"] is not None
        and summary["reindex_one_p95_ms"] <= TARGETS["reindex_one_p95_ms"],
    }
    return {"summary": summary, "rounds": per_round, "articles": len(docs), "chars": chars}


WORKERS = {"seed": worker_seed, "queries": worker_queries, "b9": worker_b9}


# --- orchestration ---


def data_present() -> bool:
    base = Path(os.environ.get("OPEN12348_DATA_DIR") or ROOT.parent / "shared" / "data")
    return (base / "lawrefbook_laws" / "laws.jsonl.gz").is_file()


def prepare(args) -> dict:
    started = time.monotonic()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    run_manage(args.database_url, "migrate", "--noinput", "--verbosity", "0")
    if data_present() and not args.seeded:
        out = run_manage(args.database_url, "importlaws", "--no-local")
        corpus = {"corpus": "national library (LawRefBook, importlaws --no-local)", "import": out.strip()}
    else:
        seeded = run_worker(args.database_url, "seed", articles=args.articles, seed=args.seed)
        corpus = {"corpus": f"seeded Zipf corpus of {args.articles} articles (seed {args.seed})", **seeded}
    corpus["prepare_s"] = round(time.monotonic() - started, 1)
    return corpus


def run_all(args, stamp: str | None = None) -> list[dict]:
    stamp = stamp or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    pin = hasattr(os, "sched_setaffinity") and {SERVER_CPU, CLIENT_CPU} <= os.sched_getaffinity(0)
    print("B8/B9: preparing the search corpus …", flush=True)
    corpus = prepare(args)
    print(f"  {corpus['corpus']} ready in {corpus['prepare_s']} s", flush=True)
    results = []
    if "B8" in args.only:
        queries = run_worker(args.database_url, "queries", seed=args.seed, selective=args.queries, frequent=20)
        corpus["documents"] = queries.pop("documents")
        print(
            f"B8 … ({len(queries['selective'])} two-word and {len(queries['frequent'])} frequent-word queries)",
            flush=True,
        )
        result = run_b8(args.database_url, args.rounds, queries, pin, stamp)
        result["dataset"] = corpus
        results.append(result)
    if "B9" in args.only:
        print("B9 …", flush=True)
        measured = run_worker(
            args.database_url, "b9", sample=args.b9_articles, seed=args.seed, rounds=args.rounds, one=50
        )
        results.append(
            {
                "benchmark": "B9",
                "name": "search.index_build",
                "started_at": stamp,
                "config": {
                    "rounds": args.rounds,
                    "articles": measured.pop("articles"),
                    "chars": measured.pop("chars"),
                    "subject": "backend.index() of new documents: jieba with the legal dictionary, rows + engine index, 2000 a transaction",
                    "reference": "jieba.lcut (default mode) over the same titles and texts, same process",
                },
                "summary": measured["summary"],
                "rounds": measured["rounds"],
                "dataset": corpus,
                "errors": 0,
                "valid": args.rounds >= 5,
            }
        )
    return results


def print_summary(result: dict) -> None:
    summary = result["summary"]
    if result["benchmark"] == "B8":
        for name, label in (("selective", "two-word"), ("frequent", "frequent-word")):
            s = summary[name]
            print(
                f"  {label:<14} HTTP p50 {s['http_p50_ms']} ms, p95 {s['http_p95_ms']} ms; "
                f"raw p50 {s['raw_p50_ms']} ms, p95 {s['raw_p95_ms']} ms; p95 ratio {s['ratio_p95']}, "
                f"+{s['over_raw_p95_ms']} ms"
            )
        print("  targets: two-word p95 ≤ raw + 20 ms and ≤ 50 ms; frequent p95 ≤ 1.2× raw; every p95 ≤ 300 ms")
    else:
        print(
            f"  index {summary['index_chars_per_s']:,.0f} chars/s vs raw jieba.lcut {summary['raw_jieba_chars_per_s']:,.0f}"
            f" chars/s: ratio {summary['ratio']} (target ≥ 0.7); one article re-indexed p50 "
            f"{summary['reindex_one_p50_ms']} ms, p95 {summary['reindex_one_p95_ms']} ms (target ≤ 50 ms)"
        )
    print("  targets: " + "; ".join(f"{k}: {'met' if v else 'MISSED'}" for k, v in summary["targets"].items()))


def run_b8_b9(run_module, args, stamp: str) -> list[dict]:
    """bench/run.py's hook: the suite's rounds and database."""
    options = argparse.Namespace(
        only=[name for name in ("B8", "B9") if name in args.only],
        rounds=args.rounds,
        database_url=args.database_url,
        articles=env_int("BENCH_SEARCH_ARTICLES", 100_000),
        b9_articles=env_int("BENCH_SEARCH_B9_ARTICLES", 5_000),
        queries=50,
        seed=args.seed,
        seeded=False,
    )
    return run_all(options, stamp)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        print(json.dumps(WORKERS[sys.argv[2]](**json.loads(sys.argv[3])), ensure_ascii=False))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="B8,B9", help="B8, B9 or both (default)")
    parser.add_argument("--rounds", type=int, default=5, help="A-B-A rounds (at least 5 for a valid result)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--articles", type=int, default=env_int("BENCH_SEARCH_ARTICLES", 100_000),
                        help="seeded corpus size when the real library is absent (PERFORMANCE.md: 1000000)")  # fmt: skip
    parser.add_argument("--b9-articles", type=int, default=env_int("BENCH_SEARCH_B9_ARTICLES", 5_000))
    parser.add_argument("--queries", type=int, default=50, help="two-word queries")
    parser.add_argument("--seed", type=int, default=12348)
    parser.add_argument("--seeded", action="store_true", help="use the seeded corpus even when the real data exists")
    args = parser.parse_args()
    args.only = [name.strip().upper() for name in args.only.split(",") if name.strip()]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results = run_all(args, stamp)
    for result in results:
        out = OUT_DIR / f"{result['benchmark'].lower()}.json"
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        print(f"{result['benchmark']} {result['name']}")
        print_summary(result)
        print(f"  JSON: {out.relative_to(ROOT)}")
    return 1 if any(result["errors"] for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
