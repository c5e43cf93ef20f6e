"""Training and evaluation of the assist models (used by `manage.py trainassist`, the eval
commands, the first-use fallback and bench/assist.py).

Decisions (measured, see bench/README.md "assist"):
- The shipped artifact is fitted on train + dev of each data set: hyper-parameters were chosen
  on dev and by cross-validation; the score that matters is on the held-out test, and with
  292 (topics) and 981 (statutes) training items every labelled example helps. meta.json still
  records the dev metrics of a train-only fit made in the same run.
- Re-ranker features of a training question are cross-fitted (5 folds): its priors and
  neighbour votes come from the other folds only, as they will for an unseen question."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from open12348.assist import corpus, tokens
from open12348.assist.classifier import TopicClassifier
from open12348.assist.labels import TOPIC_LABELS
from open12348.assist.retrieval import QuestionStats, Retriever, StatuteIndex, candidate_features

logger = logging.getLogger(__name__)

FOLDS = 5
METHOD_VERSION = "3"  # bump when features or tokenisation change: `trainassist --if-present` then retrains
RANKER_PARAMS = {
    "max_iter": 200,
    "learning_rate": 0.05,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 40,
    "early_stopping": False,
    "random_state": 0,
}
CLASSIFIER_PARAMS = {"C": 30.0, "lexicon_weight": 0.3, "ngram_range": (1, 3)}


# --- statute retrieval -------------------------------------------------------------------------


def prepare_questions(index: StatuteIndex, questions: Iterable[dict]) -> list[dict]:
    """Tokenise and map each question's positive ids (STARD names) to statutes of the index;
    positives not in the library are dropped from training (kept for evaluation)."""
    out = []
    for q in questions:
        positives = []
        for name in q.get("positive_ids") or []:
            i = index.by_name.get(corpus.normal_name(name))
            if i is not None and i not in positives:
                positives.append(i)
        out.append(
            {
                **q,
                "_tokens": tokens.cut(q["query"]),
                "_answer_tokens": tokens.cut(q.get("answer") or ""),
                "_positives": positives,
            }
        )
    return out


def _ranker_rows(index: StatuteIndex, questions: list[dict], folds: int = FOLDS):
    """Feature rows and labels of every candidate of every question, cross-fitted."""
    fold_of = np.arange(len(questions)) % folds
    mask = index.mask("national", None, True)
    xs, ys = [], []
    for f in range(folds):
        stats = QuestionStats(index, [q for q, g in zip(questions, fold_of, strict=True) if g != f])
        for q, g in zip(questions, fold_of, strict=True):
            if g != f or not q["_positives"] or not q["_tokens"]:
                continue
            cand, features, _ = candidate_features(index, stats, q["_tokens"], q["query"], mask)
            positives = set(q["_positives"])
            xs.append(features)
            ys.append(np.fromiter((c in positives for c in cand), bool, len(cand)))
    if not xs:
        return None, None
    return np.vstack(xs), np.concatenate(ys)


def fit_ranker(index: StatuteIndex, questions: list[dict]):
    from sklearn.ensemble import HistGradientBoostingClassifier

    if len(questions) < FOLDS * 2:
        return None
    x, y = _ranker_rows(index, questions)
    if x is None or y.sum() == 0 or y.all():
        return None
    model = HistGradientBoostingClassifier(**RANKER_PARAMS)
    model.fit(x, y)
    return model


def build_retriever(index: StatuteIndex, questions: list[dict], *, rerank: bool = True, meta=None) -> Retriever:
    stats = QuestionStats(index, questions)
    ranker = fit_ranker(index, questions) if rerank else None
    return Retriever(index, stats, ranker, meta=meta)


def bm25_only(index: StatuteIndex) -> Retriever:
    """Plain BM25 (jieba words of title + text), the baseline of the benchmark."""
    return Retriever(index, QuestionStats(index, []), None, meta={"method": "bm25"})


def bm25_rank(index: StatuteIndex, query: str, k: int, mask) -> list[str]:
    from open12348.assist.bm25 import top_indices

    scores = index.content.score(tokens.cut(query))
    scores[~mask] = -1
    out, seen = [], set()
    for i in top_indices(scores, k * 2):
        c = index.statutes[i].citation
        if c not in seen and scores[i] > 0:
            seen.add(c)
            out.append(int(i))
        if len(out) >= k:
            break
    return out


def evaluate_retrieval(
    rank: Callable[[str], list[int]], index: StatuteIndex, questions: list[dict], ks=(5, 10, 100)
) -> dict:
    """Recall@k (share of a question's labelled articles in the top k, averaged) and MRR@10,
    positives compared by STARD's normalised names."""
    recall = dict.fromkeys(ks, 0.0)
    mrr = 0.0
    timings = []
    for q in questions:
        started = time.perf_counter()
        ranked = rank(q["query"])
        timings.append(time.perf_counter() - started)
        names = [corpus.normal_name(index.statutes[i].citation) for i in ranked]
        positives = {corpus.normal_name(p) for p in q["positive_ids"]}
        for k in ks:
            recall[k] += len(positives & set(names[:k])) / len(positives)
        for r, name in enumerate(names[:10]):
            if name in positives:
                mrr += 1 / (r + 1)
                break
    n = max(len(questions), 1)
    ms = np.asarray(timings) * 1000 if timings else np.zeros(1)
    return {
        **{f"recall@{k}": round(v / n, 4) for k, v in recall.items()},
        "mrr@10": round(mrr / n, 4),
        "questions": len(questions),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def full_rank(retriever: Retriever, k: int = 100):
    return lambda query: [i for i, _ in retriever.rank(query, k=k)]


# --- classification ----------------------------------------------------------------------------


def corrections() -> list[dict]:
    from open12348.assist.models import LabelCorrection

    return [
        {"text": text, "label": label}
        for text, label in LabelCorrection.objects.filter(label__in=TOPIC_LABELS).values_list("text", "label")
    ]


def fit_classifier(examples: list[dict]) -> TopicClassifier:
    examples = [e for e in examples if e.get("label") in TOPIC_LABELS and (e.get("text") or "").strip()]
    return TopicClassifier(**CLASSIFIER_PARAMS).fit([e["text"] for e in examples], [e["label"] for e in examples])


def evaluate_classifier(model, examples: list[dict]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    if not examples:
        return {}
    texts = [e["text"] for e in examples]
    truth = [e["label"] for e in examples]
    started = time.perf_counter()
    predicted = [model.predict(t).label for t in texts]
    elapsed = time.perf_counter() - started
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", labels=sorted(set(truth)))), 4),
        "items": len(examples),
        "ms_per_item": round(elapsed * 1000 / len(examples), 3),
    }


def train_classifier_in_memory(data=None) -> TopicClassifier:
    examples = corpus.topic_examples(data, "train")
    try:
        examples += corpus.topic_examples(data, "dev")
    except corpus.DataNotFound:
        pass
    return fit_classifier(examples)


# --- the whole artifact ------------------------------------------------------------------------


def fingerprint(data: str | Path | None = None, *, include_corrections: bool = False) -> str:
    """What an artifact was trained from: the method version, the data files (size, mtime), the
    statute library (database rows or files) and, when included, the corrections."""
    import hashlib
    import json

    parts: list = [METHOD_VERSION]
    base = corpus.data_dir(data)
    for folder in ("lawbench_topic", "stard", "lecoqa"):
        for split in ("train", "dev"):
            f = base / folder / f"{split}.jsonl"
            parts.append([str(f), *((f.stat().st_size, int(f.stat().st_mtime)) if f.is_file() else ())])
    if corpus.db_has_statutes():
        from django.db.models import Count, Max

        from open12348.laws.models import Law

        agg = Law.objects.aggregate(n=Count("articles"), at=Max("updated_at"))
        parts.append(["database", agg["n"], str(agg["at"])])
    else:
        folder = corpus.library_folder(data)
        for f in sorted(folder.glob("*.jsonl.gz")) if folder else ():
            parts.append([f.name, f.stat().st_size, int(f.stat().st_mtime)])
    if include_corrections:
        from django.db.models import Count, Max

        from open12348.assist.models import LabelCorrection

        agg = LabelCorrection.objects.aggregate(n=Count("id"), at=Max("at"))
        parts.append(["corrections", agg["n"], str(agg["at"])])
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:16]


def train(
    data: str | Path | None = None,
    *,
    include_corrections: bool = False,
    log: Callable[[str], None] = logger.info,
) -> Path:
    """Train both models, evaluate a train-only fit on dev, refit on train + dev, and write a
    new versioned artifact (artifacts.save points `current` at it). Returns its folder."""
    from open12348.assist import artifacts

    meta: dict = {
        "data_dir": str(corpus.data_dir(data)),
        "include_corrections": include_corrections,
        "fingerprint": fingerprint(data, include_corrections=include_corrections),
        "method_version": METHOD_VERSION,
    }
    timings: dict = {}

    started = time.perf_counter()
    topic_train = corpus.topic_examples(data, "train")
    topic_dev = _optional(corpus.topic_examples, data, "dev")
    extra = corrections() if include_corrections else []
    dev_model = fit_classifier(topic_train)
    meta["classifier"] = {
        "method": "char 1-3 TF-IDF + topic lexicon, logistic regression, uniform prior, temperature-scaled",
        "params": {**CLASSIFIER_PARAMS, "ngram_range": list(CLASSIFIER_PARAMS["ngram_range"])},
        "dev": evaluate_classifier(dev_model, topic_dev),
        "trained_on": {"train": len(topic_train), "dev": len(topic_dev), "corrections": len(extra)},
    }
    classifier = fit_classifier(topic_train + topic_dev + extra)
    meta["classifier"]["temperature"] = round(classifier.temperature, 4)
    timings["classifier_s"] = round(time.perf_counter() - started, 2)
    log(f"classifier: dev {meta['classifier']['dev']}")

    started = time.perf_counter()
    statutes, source = corpus.load_statutes(data)
    index = StatuteIndex(statutes)
    timings["index_s"] = round(time.perf_counter() - started, 2)
    log(f"statute index: {len(index)} articles from the {source} in {timings['index_s']} s")

    started = time.perf_counter()
    q_train = prepare_questions(index, corpus.statute_questions(data, "train"))
    q_dev = prepare_questions(index, _optional(corpus.statute_questions, data, "dev"))
    dev_retriever = build_retriever(index, q_train)
    meta["retrieval"] = {
        "method": "BM25 + learned priors, neighbour votes, expansion; gradient-boosted re-ranker",
        "source": source,
        "articles": len(index),
        "params": RANKER_PARAMS,
        "dev": evaluate_retrieval(full_rank(dev_retriever), index, q_dev) if q_dev else {},
        "dev_bm25": evaluate_retrieval(
            lambda q: bm25_rank(index, q, 100, index.mask("national", None, True)), index, q_dev
        )
        if q_dev
        else {},
        "trained_on": {"train": len(q_train), "dev": len(q_dev)},
    }
    log(f"retrieval: dev {meta['retrieval']['dev']} (BM25 {meta['retrieval']['dev_bm25']})")
    retriever = build_retriever(index, q_train + q_dev, meta={"source": source})
    timings["retrieval_s"] = round(time.perf_counter() - started, 2)
    meta["timings"] = timings

    version = artifacts.new_version_dir()
    meta["version"] = version.name
    artifacts.save(version, classifier=classifier, retriever=retriever, meta=meta)
    log(f"artifact {version}")
    return version


def _optional(loader, data, split):
    try:
        return loader(data, split)
    except corpus.DataNotFound:
        return []
