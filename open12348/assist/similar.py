"""Similar answered questions (issue 6 item 5): the platform's own public consultations with an
adopted answer, and the lawyers' answers of LeCoQA (train and dev files under
`settings.OPEN12348_DATA_DIR/lecoqa`).

Tokens are jieba words (stop words dropped) plus the character bigrams of what is left. A
stored question is shown when its TF-IDF cosine similarity to the user's question (question
field, plus its answer at half weight) is at least THRESHOLD — which keeps off-topic questions
(weather, shopping, a broken phone) from showing anything — and those shown are ordered by
BM25 over "question + answer". Chosen on LeCoQA dev against train (a train question counts as
relevant when it shares a labelled statute article): BM25 ranking hit@1 .47 / hit@5 .73 (cosine
ranking .41 / .68; the README's BM25 question+answer baseline .48 / .69).

The file part is built once and stored under `settings.ASSIST_DIR/similar/` (pickle, keyed by
the files' names, sizes and modification times), then cached per process. The consultation
part is rebuilt when the set of answered public consultations changes (count and latest change,
one cheap query per call)."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import pickle
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Count, Max
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from scipy import sparse

logger = logging.getLogger(__name__)

INDEX_VERSION = 3
ANSWER_WEIGHT = 0.5
BM25_K1 = 1.2
BM25_B = 0.75
THRESHOLD = 0.3
MAX_QUERY_CHARS = 1000
LECOQA_FILES = ("train.jsonl", "dev.jsonl")
LECOQA_SOURCE = _("律师解答（LeCoQA）")
PLATFORM_SOURCE = _("本平台在线咨询")

_HAN = re.compile(r"[\u4e00-\u9fff]")
# Question words the segmenter's stop list does not hold; they say nothing about the topic.
EXTRA_STOP_WORDS = frozenset("归谁 多少 多少钱 是否 能否 哪里 应当 可以吗 怎么样".split())  # i18n: data


@dataclass(frozen=True)
class Similar:
    question: str
    answer: str
    source: str
    url: str | None
    score: float


def analyze(text: str) -> list[str]:
    """Tokens of `text`: jieba words without stop words, and the bigrams ("#xy") of the Chinese
    characters that remain (robust to segmentation differences)."""
    from open12348.laws.segment import STOP_WORDS, cut

    words = [t for t in cut(text) if t not in STOP_WORDS and t not in EXTRA_STOP_WORDS]
    chars = [c for c in "".join(words) if _HAN.match(c)]
    return words + ["#" + chars[i] + chars[i + 1] for i in range(len(chars) - 1)]


@dataclass
class _Stats:
    """Corpus statistics over "question + answer" documents: document frequencies, number of
    documents, total length. The consultations' model adds theirs to the files'."""

    df: Counter
    n_docs: int
    total_len: int

    @classmethod
    def of(cls, documents: list[list[str]]) -> _Stats:
        df: Counter = Counter()
        for tokens in documents:
            df.update(set(tokens))
        return cls(df=df, n_docs=len(documents), total_len=sum(map(len, documents)))

    def __add__(self, other: _Stats) -> _Stats:
        return _Stats(self.df + other.df, self.n_docs + other.n_docs, self.total_len + other.total_len)


class _Model:
    """Two views of the same vocabulary: TF-IDF (smoothed idf, sublinear tf, L2-normalised)
    for a bounded similarity, and BM25 weights for ranking."""

    def __init__(self, stats: _Stats):
        terms = sorted(stats.df)
        n = max(stats.n_docs, 1)
        self.vocabulary = {term: i for i, term in enumerate(terms)}
        self.idf = np.array([math.log((1 + n) / (1 + stats.df[t])) + 1 for t in terms], dtype=np.float32)
        self.bm25_idf = np.array(
            [math.log(1 + (n - stats.df[t] + 0.5) / (stats.df[t] + 0.5)) for t in terms], dtype=np.float32
        )
        self.avg_len = stats.total_len / n or 1.0

    def _matrix(self, token_lists, weigh) -> sparse.csr_matrix:
        rows, cols, values = [], [], []
        for row, tokens in enumerate(token_lists):
            counts = Counter(t for t in tokens if t in self.vocabulary)
            if not counts:
                continue
            ids = [self.vocabulary[t] for t in counts]
            weights = weigh(np.array(list(counts.values()), dtype=np.float32), ids, len(tokens))
            rows += [row] * len(ids)
            cols += ids
            values += weights.tolist()
        shape = (len(token_lists), len(self.vocabulary))
        return sparse.csr_matrix((values, (rows, cols)), shape=shape, dtype=np.float32)

    def tfidf(self, token_lists: list[list[str]]) -> sparse.csr_matrix:
        def weigh(counts, ids, _length):
            weights = (1 + np.log(counts)) * self.idf[ids]
            return weights / (float(np.linalg.norm(weights)) or 1.0)

        return self._matrix(token_lists, weigh)

    def bm25(self, token_lists: list[list[str]]) -> sparse.csr_matrix:
        def weigh(counts, ids, length):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * length / self.avg_len)
            return self.bm25_idf[ids] * counts * (BM25_K1 + 1) / (counts + norm)

        return self._matrix(token_lists, weigh)

    def presence(self, token_lists: list[list[str]]) -> sparse.csr_matrix:
        return self._matrix(token_lists, lambda counts, _ids, _length: np.ones_like(counts))


@dataclass
class _Index:
    questions: sparse.csr_matrix  # TF-IDF rows, L2-normalised
    answers: sparse.csr_matrix
    documents: sparse.csr_matrix  # BM25 weights of "question + answer"
    records: list  # (question, answer, url or None)

    @classmethod
    def build(cls, model: _Model, questions: list[list[str]], answers: list[list[str]], records: list) -> _Index:
        return cls(
            questions=model.tfidf(questions),
            answers=model.tfidf(answers),
            documents=model.bm25([q + a for q, a in zip(questions, answers, strict=True)]),
            records=records,
        )

    def best(self, model: _Model, tokens: list[str], k: int) -> list[tuple[int, float]]:
        """Up to `k` (row, similarity) with similarity ≥ THRESHOLD, in BM25 order."""
        if not self.records:
            return []
        vector = model.tfidf([tokens])
        if not vector.nnz:
            return []
        similarity = (vector @ self.questions.T).toarray()[0] + ANSWER_WEIGHT * (vector @ self.answers.T).toarray()[0]
        similarity /= 1 + ANSWER_WEIGHT
        candidates = np.flatnonzero(similarity >= THRESHOLD)
        if not len(candidates):
            return []
        ranking = (model.presence([tokens]) @ self.documents[candidates].T).toarray()[0]
        order = np.lexsort((-similarity[candidates], -ranking))[:k]
        return [(int(candidates[i]), float(similarity[candidates[i]])) for i in order]


# --- the LeCoQA part ------------------------------------------------------------------------


def _lecoqa_files() -> list[Path]:
    folder = Path(settings.OPEN12348_DATA_DIR) / "lecoqa"
    return [folder / name for name in LECOQA_FILES if (folder / name).is_file()]


def _files_key(files: list[Path]) -> str:
    parts = [f"v{INDEX_VERSION}"]
    for path in files:
        stat = path.stat()
        parts.append(f"{path.resolve()}:{stat.st_size}:{int(stat.st_mtime)}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _read_lecoqa(files: list[Path]) -> list[tuple[str, str, None]]:
    records, seen = [], set()
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                question = (row.get("query") or "").strip()
                answer = (row.get("answer") or "").strip()
                if question and answer and question not in seen:
                    seen.add(question)
                    records.append((question, answer, None))
    return records


def _build_file_part(files: list[Path]) -> dict:
    records = _read_lecoqa(files)
    questions = [analyze(q) for q, _a, _u in records]
    answers = [analyze(a) for _q, a, _u in records]
    stats = _Stats.of([q + a for q, a in zip(questions, answers, strict=True)])
    model = _Model(stats)
    return {
        "version": INDEX_VERSION,
        "stats": stats,
        "model": model,
        "index": _Index.build(model, questions, answers, records),
    }


def _load_or_build_file_part() -> dict | None:
    files = _lecoqa_files()
    if not files:
        return None
    key = _files_key(files)
    folder = Path(settings.ASSIST_DIR) / "similar"
    path = folder / f"lecoqa-{key}.pkl"
    try:
        with path.open("rb") as handle:
            part = pickle.load(handle)  # noqa: S301 — our own file under ASSIST_DIR
        if isinstance(part, dict) and part.get("version") == INDEX_VERSION:
            return part
    except FileNotFoundError:
        pass
    except Exception:  # a stale or broken file is rebuilt
        logger.warning("similar-question index %s unreadable; rebuilding", path, exc_info=True)
    part = _build_file_part(files)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(part, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in folder.glob("lecoqa-*.pkl"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        logger.warning("similar-question index could not be stored in %s", folder, exc_info=True)
    return part


# --- the platform's own consultations -------------------------------------------------------


def _answered_consultations():
    from open12348.consultations.models import Consultation

    return Consultation.objects.filter(is_public=True, adopted_answer__isnull=False).exclude(
        status=Consultation.Status.CLOSED
    )


def _consultation_signature() -> tuple:
    row = _answered_consultations().aggregate(
        n=Count("pk"), last=Max("updated_at"), adopted=Max("adopted_at"), answer=Max("adopted_answer__updated_at")
    )
    return (row["n"], row["last"], row["adopted"], row["answer"])


def _consultation_url(pk: int) -> str:
    try:
        return reverse("consultations:detail", args=[pk])
    except NoReverseMatch:
        return f"/consult/{pk}/"


def _consultation_rows(token_cache: dict) -> list[tuple]:
    """(question, answer, url, question tokens, answer tokens) of each answered public
    consultation, newest adoption first; tokens are reused while a row is unchanged."""
    rows = []
    fresh = {}
    for row in _answered_consultations().select_related("adopted_answer").order_by("-adopted_at", "-pk"):
        stamp = (row.updated_at, row.adopted_answer_id, row.adopted_answer.updated_at)
        cached = token_cache.get(row.pk)
        if cached is None or cached[0] != stamp:
            cached = (stamp, analyze(f"{row.public_title}\n{row.public_body}"), analyze(row.adopted_answer.body))
        fresh[row.pk] = cached
        rows.append((row.public_title, row.adopted_answer.body, _consultation_url(row.pk), cached[1], cached[2]))
    token_cache.clear()
    token_cache.update(fresh)
    return rows


# --- the cache ------------------------------------------------------------------------------

_lock = threading.Lock()
_state: dict = {}


def reset() -> None:
    """Forget the cached indexes (tests, or after the data files changed)."""
    with _lock:
        _state.clear()


def _file_part() -> dict | None:
    files_key = tuple((str(p), p.stat().st_mtime) for p in _lecoqa_files())
    if _state.get("files_key") != files_key or "file_part" not in _state:
        _state["file_part"] = _load_or_build_file_part()
        _state["files_key"] = files_key
        _state.pop("consult", None)  # its model adds to the file part's frequencies
    return _state["file_part"]


def _consult_part(file_part: dict | None) -> tuple[_Model | None, _Index | None]:
    """(model, index) of the answered consultations, rebuilt when they changed. The model's
    frequencies are the files' plus the consultations' own, so their words count too."""
    signature = _consultation_signature()
    cached = _state.get("consult")
    if cached and cached[0] == signature:
        return cached[1], cached[2]
    rows = _consultation_rows(_state.setdefault("consult_tokens", {})) if signature[0] else []
    model = index = None
    if rows:
        questions = [r[3] for r in rows]
        answers = [r[4] for r in rows]
        stats = _Stats.of([q + a for q, a in zip(questions, answers, strict=True)])
        if file_part:
            stats = stats + file_part["stats"]
        if stats.df:
            model = _Model(stats)
            index = _Index.build(model, questions, answers, [(q, a, u) for q, a, u, _qt, _at in rows])
    _state["consult"] = (signature, model, index)
    return model, index


def similar_questions(text: str, *, k: int = 3) -> list[Similar]:
    """Up to `k` answered questions like `text`, best first, from both sources; nothing when
    no stored question is close enough."""
    text = (text or "").strip()[:MAX_QUERY_CHARS]
    if not text or not _HAN.search(text) or k <= 0:
        return []
    tokens = analyze(text)
    if not tokens:
        return []
    with _lock:
        file_part = _file_part()
        consult_model, consult_index = _consult_part(file_part)
    sources = []
    if file_part:
        sources.append((file_part["model"], file_part["index"], str(LECOQA_SOURCE)))
    if consult_index is not None:
        sources.append((consult_model, consult_index, str(PLATFORM_SOURCE)))
    ranked: list[tuple[int, float, int, Similar]] = []
    for rank_of_source, (model, index, source) in enumerate(sources):
        for rank, (i, similarity) in enumerate(index.best(model, tokens, k)):
            question, answer, url = index.records[i]
            item = Similar(question=question, answer=answer, source=source, url=url, score=similarity)
            ranked.append((rank, -similarity, rank_of_source, item))
    # Interleave the sources by rank (each source's BM25 order), the more similar first.
    ranked.sort(key=lambda entry: entry[:3])
    unique, seen = [], set()
    for *_key, item in ranked:
        if item.question not in seen:
            seen.add(item.question)
            unique.append(item)
    return unique[:k]
