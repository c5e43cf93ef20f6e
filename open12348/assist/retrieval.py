"""Statute retrieval for plain-language questions (issue 6 item 4).

    retrieve(query, *, k=10, scope="national", province=None, valid_only=True) -> list[Hit]

Method (chosen on stard/dev, see bench/README.md "assist"):
1. Candidates: BM25 over jieba words of law title + article text, the same BM25 with a
   law-prior, articles labelled on the most similar training questions, query-expansion BM25
   (lay word → statutory words learned from the training pairs) and character-bigram BM25.
2. A gradient-boosted re-ranker (scikit-learn HistGradientBoosting, pointwise) over ~20
   features per candidate: BM25 per field (text, title, chapter, bigrams, expansion), how often
   the law and the article answer training questions, nearest-question votes, level, length.
   Features of training questions are cross-fitted (a question never votes for itself).
3. Optionally an LLM re-orders the top few (rerank.py) when AI_BASE_URL/AI_MODEL are set.

Scope "national" = 宪法, 法律, 行政法规, 司法解释; "national+province" adds the local regulations
of `province`. valid_only keeps 现行有效 versions only. A Hit names a stored article; when the
library is in the database, hits are resolved to Article rows and any that is not stored is
dropped (no citation outside the library)."""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.utils.translation import gettext as _

from open12348.assist import text as qtext
from open12348.assist import tokens
from open12348.assist.bm25 import BM25, top_indices
from open12348.assist.corpus import NATIONAL_LEVELS, VALID, Statute, normal_name

logger = logging.getLogger(__name__)

SCOPES = ("national", "national+province")
MAX_K = 200
LEVEL_CODES = {level: i for i, level in enumerate(NATIONAL_LEVELS)}
N_CANDIDATES = 200
N_NEIGHBOURS = 10
RANK_DEPTH = 1000


@dataclass(frozen=True, slots=True)
class Hit:
    citation: str
    law_title: str
    number_text: str
    article_id: int | None
    score: float
    source_id: str = ""
    position: int = -1
    text: str = ""
    url: str = ""


# --- the statute index (built once per artifact) -----------------------------------------------


class StatuteIndex:
    """The library tokenised into BM25 matrices per field, plus per-article arrays."""

    def __init__(self, statutes: list[Statute]):
        self.statutes = statutes
        n = len(statutes)
        title_tokens: dict[str, list[str]] = {}
        chapter_tokens: dict[str, list[str]] = {}
        text_toks, title_toks, chapter_toks, bigram_toks = [], [], [], []
        for s in statutes:
            tt = title_tokens.get(s.law_title)
            if tt is None:
                tt = title_tokens[s.law_title] = tokens.cut(s.law_title)
            words = tokens.cut(s.text)
            text_toks.append(words + tt)
            title_toks.append(tt)
            ct = chapter_tokens.get(s.chapter)
            if ct is None:
                ct = chapter_tokens[s.chapter] = tokens.cut(s.chapter)
            chapter_toks.append(ct)
            bigram_toks.append(tokens.bigrams(s.text))
        self.content = BM25(text_toks)
        self.title = BM25(title_toks)
        self.chapter = BM25(chapter_toks)
        self.bigram = BM25(bigram_toks)
        laws: dict[str, int] = {}
        self.law_of = np.fromiter((laws.setdefault(s.law_title, len(laws)) for s in statutes), np.int32, n)
        self.law_titles = list(laws)
        self.level = np.fromiter((LEVEL_CODES.get(s.level, len(LEVEL_CODES)) for s in statutes), np.int8, n)
        self.national = self.level < len(LEVEL_CODES)
        self.valid = np.fromiter((s.status == VALID for s in statutes), bool, n)
        self.region = np.array([s.region for s in statutes], dtype=object)
        self.log_length = np.log1p(np.fromiter((len(s.text) for s in statutes), np.float32, n))
        # STARD-style normalised names → the article (a valid national version first).
        self.by_name: dict[str, int] = {}
        order = sorted(range(n), key=lambda i: (not self.valid[i], not self.national[i], i))
        for i in order:
            self.by_name.setdefault(normal_name(statutes[i].citation), i)

    def __len__(self) -> int:
        return len(self.statutes)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_words", None)  # training-time cache
        return state

    def words_of(self, i: int) -> frozenset[str]:
        """The words of a statute (law title + text), as indexed; cached while training."""
        cache = self.__dict__.setdefault("_words", {})
        words = cache.get(i)
        if words is None:
            s = self.statutes[i]
            words = cache[i] = frozenset(tokens.cut(s.text) + tokens.cut(s.law_title))
        return words

    def mask(self, scope: str, province: str | None, valid_only: bool) -> np.ndarray:
        """Which statutes are in scope (cached per distinct scope; do not modify the result)."""
        if scope not in SCOPES:
            raise ValueError(_("检索范围只能是 national 或 national+province。"))
        province = (province or None) if scope == "national+province" else None
        key = (province, bool(valid_only))
        cache = self.__dict__.setdefault("_masks", {})
        keep = cache.get(key)
        if keep is None:
            keep = self.national.copy()
            if province:
                keep |= self.region == province
            if valid_only:
                keep &= self.valid
            keep.setflags(write=False)
            if len(cache) < 64:
                cache[key] = keep
        return keep


# --- what the training questions teach ---------------------------------------------------------


class QuestionStats:
    """Learned from labelled questions: law and article priors, the questions themselves (for
    nearest-neighbour votes), and a lay-word → statute-word expansion table (co-occurrence of a
    question word with the words of the question's statutes, PMI-weighted)."""

    def __init__(self, index: StatuteIndex, questions: list[dict], *, expansion_terms: int = 20):
        n_docs, n_laws = len(index), len(index.law_titles)
        self.law_count = np.zeros(n_laws, np.float32)
        self.article_count = np.zeros(n_docs, np.float32)
        rows, cols, labelled = [], [], []
        for q in questions:
            positives = q["_positives"]
            if not positives:
                continue
            labelled.append(q)
            for p in positives:
                self.law_count[index.law_of[p]] += 1
                self.article_count[p] += 1
                rows.append(len(labelled) - 1)
                cols.append(p)
        ones = np.ones(len(rows), np.float32)
        self.votes = sp.csr_matrix((ones, (rows, cols)), shape=(len(labelled), n_docs))
        law_cols = index.law_of[np.asarray(cols, np.int64)] if cols else np.zeros(0, np.int32)
        self.law_votes = sp.csr_matrix((ones, (rows, law_cols)), shape=(len(labelled), n_laws))
        self.questions = BM25([q["_tokens"] for q in labelled])
        self.answers = BM25([q["_tokens"] + q.get("_answer_tokens", []) for q in labelled])
        self.expansion = self._expansion(index, labelled, expansion_terms)

    @staticmethod
    def _expansion(index: StatuteIndex, questions: list[dict], top: int) -> dict[str, list[tuple[str, float]]]:
        co: dict[str, Counter] = defaultdict(Counter)
        q_count: Counter = Counter()
        d_count: Counter = Counter()
        for q in questions:
            words = set(q["_tokens"])
            doc_words = frozenset().union(*(index.words_of(p) for p in q["_positives"]))
            q_count.update(words)
            d_count.update(doc_words)
            for t in words:
                co[t].update(doc_words)
        n = max(len(questions), 1)
        table = {}
        for t, counts in co.items():
            if q_count[t] < 2:
                continue
            scored = []
            for u, m in counts.items():
                if m < 2 or u == t:
                    continue
                pmi = math.log(m * n / (q_count[t] * d_count[u]))
                if pmi > 0:
                    scored.append((pmi * m / q_count[t], u))
            scored.sort(reverse=True)
            if scored:
                table[t] = [(u, round(float(s), 4)) for s, u in scored[:top]]
        return table

    def expand(self, words: list[str], limit: int = 60) -> dict[str, float]:
        """Statute words associated with the question's words, the `limit` strongest."""
        weights: dict[str, float] = defaultdict(float)
        for t in set(words):
            for u, s in self.expansion.get(t, ()):
                weights[u] += s
        if len(weights) > limit:
            return dict(sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:limit])
        return weights


def _votes(bm25: BM25, votes: sp.csr_matrix, words: list[str], k: int) -> np.ndarray:
    if bm25.n_docs == 0:
        return np.zeros(votes.shape[1], np.float32)
    sims = bm25.score(words)
    top = top_indices(sims, k)
    best = float(sims[top].max()) if len(top) else 0.0
    if best <= 0:
        return np.zeros(votes.shape[1], np.float32)
    # Relative to a perfect match, not to the best one: neighbours that share only "我" and
    # "怎么办" with the question must not vote with full weight.
    scale = max(best, bm25.self_score(words))
    return np.asarray(votes[top].T @ (sims[top] / scale), dtype=np.float32).ravel()


def _normalised(scores: np.ndarray) -> np.ndarray:
    best = float(scores.max()) if len(scores) else 0.0
    return scores / best if best > 0 else scores


FEATURES = (
    "bm25",
    "bm25_norm",
    "title",
    "chapter",
    "bigram",
    "bigram_norm",
    "expansion",
    "expansion_norm",
    "votes10",
    "law_votes10",
    "law_prior",
    "article_prior",
    "log_rank",
    "log_length",
    "combined",
    "level_constitution",
    "level_law",
    "level_regulation",
    "level_interpretation",
    "votes30",
    "answer_votes10",
    "votes3",
)


def candidate_features(index: StatuteIndex, stats: QuestionStats, words: list[str], raw: str, mask: np.ndarray):
    """(candidate indices, feature matrix, first-stage score) for one question within `mask`."""
    off = ~mask
    s_text = index.content.score(words)
    s_text[off] = 0
    s_bigram = index.bigram.score(tokens.bigrams(raw))
    s_bigram[off] = 0
    expansion = stats.expand(words)
    s_exp = index.content.score([], expansion) if expansion else np.zeros(len(index), np.float32)
    s_exp[off] = 0
    votes10 = _votes(stats.questions, stats.votes, words, N_NEIGHBOURS)
    votes10[off] = 0
    law_votes = _votes(stats.questions, stats.law_votes, words, N_NEIGHBOURS)[index.law_of]
    law_prior = np.log1p(stats.law_count)[index.law_of]
    article_prior = np.log1p(stats.article_count)
    n_text = _normalised(s_text)
    combined = n_text + 0.1 * law_prior + 0.3 * votes10
    combined[off] = -1

    pools = [
        top_indices(s_text, N_CANDIDATES),
        top_indices(combined, N_CANDIDATES),
        np.flatnonzero(votes10),
        top_indices(s_exp, 50),
        top_indices(s_bigram, 50),
    ]
    cand = np.unique(np.concatenate(pools))
    cand = cand[mask[cand]]
    if len(cand) == 0:
        return cand, np.zeros((0, len(FEATURES)), np.float32), combined
    head = s_text[top_indices(s_text, RANK_DEPTH)]
    rank = np.searchsorted(-head, -s_text[cand], side="left")  # capped at RANK_DEPTH
    s_title = index.title.score_rows(words, cand)
    s_chapter = index.chapter.score_rows(words, cand)
    votes30 = _votes(stats.questions, stats.votes, words, 30)
    votes3 = _votes(stats.questions, stats.votes, words, 3)
    answer_votes = _votes(stats.answers, stats.votes, words, N_NEIGHBOURS)
    level = index.level[cand]
    columns = [
        s_text[cand],
        n_text[cand],
        s_title,
        s_chapter,
        s_bigram[cand],
        _normalised(s_bigram)[cand],
        s_exp[cand],
        _normalised(s_exp)[cand],
        votes10[cand],
        law_votes[cand],
        law_prior[cand],
        article_prior[cand],
        np.log1p(rank),
        index.log_length[cand],
        combined[cand],
        *[(level == code).astype(np.float32) for code in range(len(LEVEL_CODES))],
        votes30[cand],
        answer_votes[cand],
        votes3[cand],
    ]
    return cand, np.column_stack(columns).astype(np.float32), combined


class Retriever:
    """An index, what the training questions taught, and a re-ranker (None: first stage only)."""

    def __init__(self, index: StatuteIndex, stats: QuestionStats, ranker=None, *, meta: dict | None = None):
        self.index = index
        self.stats = stats
        self.ranker = ranker
        self.meta = meta or {}

    def rank(self, query: str, *, k: int = 10, scope: str = "national", province=None, valid_only=True):
        """[(statute index, score)] best first, at most k, citations unique."""
        mask = self.index.mask(scope, province, valid_only)
        words = tokens.cut(query)
        if not words or len(self.index) == 0:
            return []
        cand, features, first = candidate_features(self.index, self.stats, words, query, mask)
        if len(cand) == 0:
            return []
        if self.ranker is not None:
            scores = self.ranker.predict_proba(features)[:, 1]
        else:
            scores = first[cand]
        order = np.lexsort((cand, -scores))
        ranked, seen = [], set()
        for i in order:
            s = self.index.statutes[cand[i]]
            if s.citation in seen:
                continue
            seen.add(s.citation)
            ranked.append((int(cand[i]), float(scores[i])))
            if len(ranked) >= k:
                break
        if len(ranked) < k:  # fill from the first stage beyond the candidates
            extra = top_indices(np.where(mask, first, -np.inf), k + len(cand))
            low = min((score for _, score in ranked), default=0.0)
            for j in extra:
                s = self.index.statutes[j]
                if s.citation in seen or not mask[j] or not np.isfinite(first[j]) or first[j] <= 0:
                    continue
                seen.add(s.citation)
                low = low * 0.999
                ranked.append((int(j), float(low)))
                if len(ranked) >= k:
                    break
        return ranked


# --- the public function -----------------------------------------------------------------------

_lock = threading.Lock()


def retrieve(
    query: str,
    *,
    k: int = 10,
    scope: str = "national",
    province: str | None = None,
    valid_only: bool = True,
    rerank_with_llm: bool = True,
) -> list[Hit]:
    """The articles that apply to `query`, best first (see the module doc).
    Raises ValueError (EmptyQuestion) for an empty question or an unknown scope."""
    from open12348.assist import artifacts, rerank

    if scope not in SCOPES:
        raise ValueError(_("检索范围只能是 national 或 national+province。"))
    question = qtext.normalize(query)
    k = max(1, min(int(k), MAX_K))
    retriever = artifacts.current_retriever()
    if retriever is None:
        return []
    ranked = retriever.rank(question, k=k, scope=scope, province=province, valid_only=valid_only)
    hits = resolve(retriever.index, ranked)
    if rerank_with_llm:
        hits = rerank.maybe_rerank(question, hits)
    return hits


def resolve(index: StatuteIndex, ranked: list[tuple[int, float]]) -> list[Hit]:
    """Hits for ranked statutes; with the library in the database, only stored articles (with
    their id), looked up by law source id and position."""
    from open12348.assist.corpus import db_has_statutes

    statutes = [(index.statutes[i], score) for i, score in ranked]
    if not statutes:
        return []
    if not db_has_statutes():
        return [
            Hit(s.citation, s.law_title, s.number_text, None, round(score, 6), s.source_id, s.position, s.text)
            for s, score in statutes
        ]
    from open12348.laws.models import Article

    rows = Article.objects.filter(
        law__source_id__in={s.source_id for s, _ in statutes}, position__in={s.position for s, _ in statutes}
    ).values_list("id", "law__source_id", "position", "law__title", "number_text", "text")
    stored = {(r[1], r[2]): r for r in rows}
    hits = []
    for s, score in statutes:
        row = stored.get((s.source_id, s.position))
        if row is None or (row[3], row[4]) != (s.law_title, s.number_text):
            continue  # not (or no longer) in the library
        hits.append(Hit(f"{row[3]}{row[4]}", row[3], row[4], row[0], round(score, 6), s.source_id, s.position, row[5]))
    return hits
