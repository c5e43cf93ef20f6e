#!/usr/bin/env python
"""B12 and the assist figures of issue 6 (bench/README.md "assist"), measured in one run:

  classification  accuracy + macro-F1 on lawbench_topic/dev of the shipped method trained on
                  train, and of the char TF-IDF + logistic-regression baseline trained in the
                  same run (both also 5-fold cross-validated on train+dev, --cv)
  B12 ai.router   classify() p50/p95 per question and questions/s, vs jieba segmentation of
                  the same question (the reference, same process)
  retrieval       Recall@5/@10/@100 + MRR@10 on stard/dev for BM25 alone and the full method
                  (trained on train), p50/p95 per question over the national library, and the
                  index build time

    .venv/bin/python bench/assist.py [--data DIR] [--no-cv] [--local]
    .venv/bin/python bench/run.py --only B12          (alias: --only ASSIST)

Reads the data sets from OPEN12348_DATA_DIR (default ../shared/data); the
statutes straight from the LawRefBook files (no database). Writes var/bench/assist.json (and
B12-<stamp>.json when run from bench/run.py). One process, single-threaded BLAS/OpenMP."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"
ROUTER_REPEATS = 5
TARGETS = {
    "classification_accuracy": 0.55,
    "recall@10": 0.55,
    "recall@100": 0.80,
    "retrieval_p95_ms": 50.0,
    "router_p95_ms": 50.0,
}


def _setup() -> None:
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def pct(values, q):
    values = sorted(values)
    if not values:
        return None
    return round(values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))], 3)


def _baseline(train, test):
    """The README's baseline: char 1–3-gram TF-IDF + logistic regression, C=10."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    x = vectorizer.fit_transform([e["text"] for e in train])
    model = LogisticRegression(C=10, max_iter=5000).fit(x, [e["label"] for e in train])
    return list(model.predict(vectorizer.transform([e["text"] for e in test])))


def _method(train, test):
    """The shipped classifier (calibrated: with the uniform prior the temperature matters)."""
    from open12348.assist.training import fit_classifier

    model = fit_classifier(train)
    return [model.predict(e["text"]).label for e in test]


def _scores(truth, predicted):
    from sklearn.metrics import accuracy_score, f1_score

    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", labels=sorted(set(truth)))), 4),
    }


def classification(data, cv: bool) -> dict:
    from open12348.assist import corpus, training

    train = corpus.topic_examples(data, "train")
    dev = corpus.topic_examples(data, "dev")
    truth = [e["label"] for e in dev]
    out = {
        "train": len(train),
        "dev": len(dev),
        "baseline_dev": _scores(truth, _baseline(train, dev)),
        "method_dev": _scores(truth, _method(train, dev)),
    }
    if cv:
        from sklearn.model_selection import StratifiedKFold

        pool = train + dev
        labels = [e["label"] for e in pool]
        folds = {"baseline": [], "method": []}
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(pool, labels):
            a, b = [pool[i] for i in tr], [pool[i] for i in te]
            t = [e["label"] for e in b]
            folds["baseline"].append(_scores(t, _baseline(a, b))["accuracy"])
            folds["method"].append(_scores(t, _method(a, b))["accuracy"])
        out["cv5_train_dev_accuracy"] = {
            k: {"mean": round(statistics.mean(v), 4), "stdev": round(statistics.stdev(v), 4)} for k, v in folds.items()
        }

    # B12: the shipped router (trained on train, calibrated) per question vs jieba on the same text.
    import jieba

    model = training.fit_classifier(train)
    jieba.lcut("预热")  # i18n: data
    for e in dev[:5]:
        model.predict(e["text"])
    router, reference = [], []
    for _ in range(ROUTER_REPEATS):
        for e in dev:
            started = time.perf_counter()
            jieba.lcut(e["text"])
            reference.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            model.predict(e["text"])
            router.append((time.perf_counter() - started) * 1000)
    out["router"] = {
        "questions": len(router),
        "p50_ms": pct(router, 50),
        "p95_ms": pct(router, 95),
        "questions_per_s": round(len(router) / (sum(router) / 1000), 1),
        "jieba_p50_ms": pct(reference, 50),
        "jieba_p95_ms": pct(reference, 95),
        "ratio_p95_vs_jieba": round(pct(router, 95) / max(pct(reference, 95), 1e-6), 1),
        "accuracy_dev": training.evaluate_classifier(model, dev)["accuracy"],
    }
    return out


def retrieval(data, local: bool) -> dict:
    from open12348.assist import corpus, training
    from open12348.assist.retrieval import StatuteIndex

    started = time.perf_counter()
    statutes = corpus.statutes_from_files(data, local=local)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    index = StatuteIndex(statutes)
    build_s = time.perf_counter() - started
    train = training.prepare_questions(index, corpus.statute_questions(data, "train"))
    dev = training.prepare_questions(index, corpus.statute_questions(data, "dev"))
    started = time.perf_counter()
    retriever = training.build_retriever(index, train)
    fit_s = time.perf_counter() - started
    mask = index.mask("national", None, True)
    bm25 = training.evaluate_retrieval(lambda q: training.bm25_rank(index, q, 100, mask), index, dev)
    for q in dev[:5]:  # warm caches
        retriever.rank(q["query"], k=100)
    full = training.evaluate_retrieval(training.full_rank(retriever, 100), index, dev)
    return {
        "articles": len(index),
        "national_valid_articles": int(mask.sum()),
        "library": "national + local" if local else "national (all levels and versions)",
        "read_s": round(read_s, 1),
        "index_build_s": round(build_s, 1),
        "fit_s": round(fit_s, 1),
        "train": len(train),
        "dev": len(dev),
        "bm25": bm25,
        "full": full,
    }


def measure(data=None, *, cv: bool = True, local: bool = False) -> dict:
    _setup()
    from open12348.assist import corpus

    started = time.perf_counter()
    result = {
        "data_dir": str(corpus.data_dir(data)),
        "classification": classification(data, cv),
        "retrieval": retrieval(data, local),
    }
    c, r = result["classification"], result["retrieval"]
    result["targets"] = {
        "classification accuracy ≥ 0.55": c["method_dev"]["accuracy"] >= TARGETS["classification_accuracy"],
        "router accuracy ≥ baseline": c["router"]["accuracy_dev"] >= c["baseline_dev"]["accuracy"],
        "router p95 ≤ 50 ms": c["router"]["p95_ms"] <= TARGETS["router_p95_ms"],
        "recall@10 ≥ 0.55": r["full"]["recall@10"] >= TARGETS["recall@10"],
        "recall@100 ≥ 0.80": r["full"]["recall@100"] >= TARGETS["recall@100"],
        "retrieval p95 ≤ 50 ms": r["full"]["p95_ms"] <= TARGETS["retrieval_p95_ms"],
    }
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def print_summary(result: dict) -> None:
    s = result["summary"]
    c, r = s["classification"], s["retrieval"]
    print(
        f"  topics (lawbench dev): method acc {c['method_dev']['accuracy']:.3f} F1 {c['method_dev']['macro_f1']:.3f}; "
        f"baseline acc {c['baseline_dev']['accuracy']:.3f} F1 {c['baseline_dev']['macro_f1']:.3f}"
    )
    if "cv5_train_dev_accuracy" in c:
        cv = c["cv5_train_dev_accuracy"]
        print(
            f"  5-fold CV train+dev acc: method {cv['method']['mean']:.3f}±{cv['method']['stdev']:.3f}, "
            f"baseline {cv['baseline']['mean']:.3f}±{cv['baseline']['stdev']:.3f}"
        )
    ro = c["router"]
    print(
        f"  B12 router: p50 {ro['p50_ms']} ms, p95 {ro['p95_ms']} ms, {ro['questions_per_s']}/s; "
        f"jieba p95 {ro['jieba_p95_ms']} ms (ratio {ro['ratio_p95_vs_jieba']}×)"
    )
    for name in ("bm25", "full"):
        m = r[name]
        print(
            f"  statutes (stard dev) {name:<4}: R@5 {m['recall@5']:.3f} R@10 {m['recall@10']:.3f} "
            f"R@100 {m['recall@100']:.3f} MRR@10 {m['mrr@10']:.3f}; p50 {m['p50_ms']} ms p95 {m['p95_ms']} ms"
        )
    print(f"  index: {r['articles']} articles built in {r['index_build_s']} s (re-ranker fit {r['fit_s']} s)")
    print("  targets: " + "; ".join(f"{k}: {'met' if v else 'MISSED'}" for k, v in s["targets"].items()))


def run_b12(run_module, args, stamp: str) -> dict:
    """bench/run.py's hook: measure in a fresh process (the index holds a few hundred MB)."""
    out = OUT_DIR / "assist.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--out", str(out)]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-4000:])
        return {"benchmark": "B12", "name": "ai.router", "config": {}, "summary": {}, "errors": 1}
    summary = json.loads(out.read_text(encoding="utf-8"))
    return {
        "benchmark": "B12",
        "name": "ai.router + assist.statutes",
        "config": {
            "subject": "classify() / Retriever.rank() in process, trained on train, measured on dev",
            "reference": "jieba.lcut of the same question; char TF-IDF + LR and BM25 trained in the same run",
        },
        "summary": summary,
        "errors": 0,
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=None, help="data directory (default OPEN12348_DATA_DIR)")
    parser.add_argument("--no-cv", action="store_true", help="skip the 5-fold cross-validation")
    parser.add_argument("--local", action="store_true", help="index the local regulations too")
    parser.add_argument("--out", default=str(OUT_DIR / "assist.json"))
    args = parser.parse_args()
    result = measure(args.data, cv=not args.no_cv, local=args.local)
    result["measured_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_summary({"summary": result})
    print(f"  JSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
