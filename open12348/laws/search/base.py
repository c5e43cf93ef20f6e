"""The search interface, the documents and results it deals in, and the write path shared by
the two database backends (rows of SearchDocument; the engine's index follows them)."""

from __future__ import annotations

import datetime
import functools
import html
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string

from open12348.laws import segment

MAX_QUERY_CHARS = 200  # longer queries are cut here (a question, not a document)
MAX_PAGE = 100
SNIPPET_CHARS = 120
HIGHLIGHT_SCAN_CHARS = 50_000
WRITE_BATCH = 2000  # documents a transaction when index() is called outside one


@dataclass(frozen=True)
class IndexDoc:
    """What a backend indexes. `key` is unique: "article:<pk>", "law:<pk>", "content:<pk>"."""

    key: str
    kind: str  # SearchDocument.Kind: article | law | case
    title: str
    text: str
    url: str
    level: str = ""
    status: str = ""
    region: str = ""
    date: datetime.date | None = None
    law_id: int | None = None


@dataclass
class SearchFilters:
    """Empty lists mean "any". region: [""] is the national library only; ["", "上海"] national
    plus Shanghai. Dates bound the document's date (effective date, else publication)."""

    level: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    region: list[str] | None = None
    kind: list[str] = field(default_factory=list)
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


@dataclass
class Hit:
    key: str
    kind: str
    title: str
    url: str
    snippet_html: str
    title_html: str
    score: float
    level: str
    status: str
    region: str
    date: datetime.date | None

    @property
    def object_id(self) -> int:
        return int(self.key.rsplit(":", 1)[1])


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    page: int = 1
    per_page: int = 10
    tokens: list[str] = field(default_factory=list)
    relaxed: bool = False  # no document had every word: documents with any of them, ranked
    truncated: bool = False  # the query was longer than MAX_QUERY_CHARS and was cut

    @property
    def reachable(self) -> int:
        """How many hits pagination reaches; `total` is counted up to one more than this."""
        return MAX_PAGE * self.per_page

    @property
    def more(self) -> bool:
        return self.total > self.reachable

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, (self.total + self.per_page - 1) // self.per_page) if self.total else 0


class SearchBackend(ABC):
    """One engine. Implementations: sqlite.Fts5Backend, postgres.PostgresBackend; an
    OpenSearch adapter implements the same four methods."""

    name = "abstract"

    @abstractmethod
    def index(self, docs: Iterable[IndexDoc]) -> int:
        """Insert or replace documents by key; returns how many were written."""

    @abstractmethod
    def remove(self, keys: Iterable[str]) -> int:
        """Remove documents by key; unknown keys are ignored."""

    @abstractmethod
    def search(
        self, query: str, *, filters: SearchFilters | None = None, page: int = 1, per_page: int = 10
    ) -> SearchResult: ...

    @abstractmethod
    def reindex_all(self, *, containing: Iterable[str] | None = None) -> int:
        """Segment stored documents again after the user dictionary changed: every one, or only
        those whose title or text contains one of the words `containing` (added or removed)."""


# --- query preparation and highlighting, shared by every backend ---


def prepare_query(query: str) -> tuple[list[str], bool]:
    """(tokens, truncated). Never raises on any string."""
    query = (query or "").replace("\x00", " ").strip()
    truncated = len(query) > MAX_QUERY_CHARS
    return segment.cut_query(query[:MAX_QUERY_CHARS]), truncated


def clamp_page(page, per_page) -> tuple[int, int]:
    try:
        page = int(page)
    except (TypeError, ValueError):
        page = 1
    try:
        per_page = int(per_page)
    except (TypeError, ValueError):
        per_page = 10
    return min(max(page, 1), MAX_PAGE), min(max(per_page, 1), 50)


@functools.lru_cache(maxsize=256)
def _token_pattern(tokens: tuple[str, ...]) -> re.Pattern | None:
    parts = sorted({t for t in tokens if t}, key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in parts)) if parts else None


def _fold(text: str) -> str:
    folded = text.lower()
    return folded if len(folded) == len(text) else text


def _marked(text: str, pattern: re.Pattern | None) -> str:
    if pattern is None:
        return html.escape(text)
    out, last = [], 0
    for m in pattern.finditer(_fold(text)):
        out.append(html.escape(text[last : m.start()]))
        out.append(f"<mark>{html.escape(text[m.start() : m.end()])}</mark>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def highlight(text: str, tokens: Sequence[str], *, width: int = SNIPPET_CHARS) -> str:
    """An HTML snippet of `text` around the densest run of query tokens, every token in
    <mark>; everything else escaped."""
    text = " ".join((text or "").split())
    pattern = _token_pattern(tuple(tokens))
    if len(text) <= width:
        return _marked(text, pattern)
    start = 0
    if pattern is not None:
        matches = list(pattern.finditer(_fold(text[:HIGHLIGHT_SCAN_CHARS])))[:300]
        best = -1
        for i, m in enumerate(matches):
            seen = {x.group() for x in matches[i:] if x.start() < m.start() + width}
            if len(seen) > best:
                best, start = len(seen), max(0, m.start() - width // 6)
    piece = text[start : start + width]
    return ("…" if start else "") + _marked(piece, pattern) + ("…" if start + width < len(text) else "")


def highlight_title(title: str, tokens: Sequence[str]) -> str:
    return _marked(title, _token_pattern(tuple(tokens)))


# --- the write path of the database backends ---


_TRAILING_ARTICLE_NO = re.compile(
    r"^(.*?)(第[一二三四五六七八九十百千零〇两]+条(?:之[一二三四五六七八九十]+)?)$"  # i18n: data
)


@functools.lru_cache(maxsize=4096)
def _segment_cached(seg: segment.Segmenter, text: str) -> str:
    return seg.index_text(text)


def segment_title(seg: segment.Segmenter, title: str) -> str:
    """An article's title is its law's title and its number: the law part is segmented once."""
    m = _TRAILING_ARTICLE_NO.match(title)
    if m and m.group(1):
        return f"{_segment_cached(seg, m.group(1))} {m.group(2)}"
    return _segment_cached(seg, title)


def segment_doc(doc: IndexDoc, seg: segment.Segmenter | None = None) -> tuple[str, str]:
    seg = seg or segment.get_segmenter()
    return segment_title(seg, doc.title), seg.index_text(doc.text)


INSERT_COLUMNS = (
    "key",
    "kind",
    "level",
    "status",
    "region",
    "date",
    "law_id",
    "url",
    "title",
    "title_seg",
    "text_seg",
    "text",
)


class DatabaseBackend(SearchBackend):
    """Documents are rows of SearchDocument; the engine index follows the rows (FTS5 triggers
    on SQLite, a generated column on PostgreSQL), inside the caller's transaction."""

    def index(self, docs: Iterable[IndexDoc]) -> int:
        from open12348.laws.models import SearchDocument

        written = 0
        batch: list[IndexDoc] = []

        def flush():
            nonlocal written
            if not batch:
                return
            seg = segment.get_segmenter()
            adapt_date = connection.ops.adapt_datefield_value
            unique = list({doc.key: doc for doc in batch}.values())  # a key given twice: the last wins
            rows = []
            for doc in unique:
                title_seg, text_seg = segment_doc(doc, seg)
                rows.append(
                    (
                        doc.key,
                        doc.kind,
                        doc.level,
                        doc.status,
                        doc.region,
                        adapt_date(doc.date),
                        doc.law_id,
                        doc.url[:400],
                        doc.title[:400],
                        title_seg,
                        text_seg,
                        doc.text,
                    )
                )
            # Plain executemany: the ORM's bulk_create spends more time building SQL than SQLite
            # spends writing. Column names are constants; every value is a parameter.
            table = connection.ops.quote_name(SearchDocument._meta.db_table)
            sql = (
                f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in INSERT_COLUMNS)}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(INSERT_COLUMNS))})"
            )
            with transaction.atomic():
                SearchDocument.objects.filter(key__in=[d.key for d in unique]).delete()
                with connection.cursor() as cursor:
                    cursor.executemany(sql, rows)
            written += len(rows)
            batch.clear()

        for doc in docs:
            batch.append(doc)
            if len(batch) >= WRITE_BATCH:
                flush()
        flush()
        return written

    def remove(self, keys: Iterable[str]) -> int:
        from open12348.laws.models import SearchDocument

        keys = list(keys)
        removed = 0
        for i in range(0, len(keys), WRITE_BATCH):
            removed += SearchDocument.objects.filter(key__in=keys[i : i + WRITE_BATCH]).delete()[0]
        return removed

    def reindex_all(self, *, containing: Iterable[str] | None = None) -> int:
        from open12348.laws.models import SearchDocument

        _segment_cached.cache_clear()
        seg = segment.get_segmenter()
        pattern = None
        if containing is not None:
            pattern = segment.words_pattern(containing)
            if pattern is None:
                return 0
        table = SearchDocument._meta.db_table
        done = 0
        last = 0
        while True:
            chunk = list(
                SearchDocument.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "title", "text")[:WRITE_BATCH]
            )
            if not chunk:
                return done
            last = chunk[-1][0]
            if pattern is not None:
                chunk = [row for row in chunk if pattern.search(row[1]) or pattern.search(row[2])]
            params = [
                (*segment_doc(IndexDoc(key="", kind="", title=title, text=text, url=""), seg), pk)
                for pk, title, text in chunk
            ]
            if params:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.executemany(f"UPDATE {table} SET title_seg = %s, text_seg = %s WHERE id = %s", params)  # noqa: S608
            done += len(params)

    def search(self, query, *, filters: SearchFilters | None = None, page=1, per_page=10) -> SearchResult:
        """All the query's words; when nothing has all of them, any of them (`relaxed`)."""
        page, per_page = clamp_page(page, per_page)
        tokens, truncated = prepare_query(query)
        if not tokens:
            return SearchResult(total=0, hits=[], page=page, per_page=per_page, truncated=truncated)
        where, params = self.filter_sql(filters)
        relaxed = False
        rows, total = self._run(self._match(tokens, "AND"), where, params, page, per_page)
        if total == 0 and len(tokens) > 1:
            relaxed = True
            rows, total = self._run(self._match(tokens, "OR"), where, params, page, per_page)
        return self.build_result(
            rows, total=total, tokens=tokens, page=page, per_page=per_page, relaxed=relaxed, truncated=truncated
        )

    # the engine's part
    @abstractmethod
    def _match(self, tokens: list[str], operator: str):
        """The engine's query for the tokens, joined with AND or OR."""

    @abstractmethod
    def _run(self, match, where: str, params: list, page: int, per_page: int) -> tuple[list, int]:
        """(rows of COLUMNS + score, best first, of the page; the total, counted up to MAX_PAGE pages)."""

    # helpers for the SQL of subclasses
    @staticmethod
    def filter_sql(filters: SearchFilters | None, alias: str = "d") -> tuple[str, list]:
        if filters is None:
            return "", []
        clauses, params = [], []
        for column, values in (
            ("level", filters.level),
            ("status", filters.status),
            ("region", filters.region),
            ("kind", filters.kind),
        ):
            if values is None or (column != "region" and not values):
                continue
            values = list(values)
            if not values:  # region=[]: nothing matches
                clauses.append("1 = 0")
                continue
            clauses.append(f"{alias}.{column} IN ({', '.join(['%s'] * len(values))})")
            params += values
        if filters.date_from:
            clauses.append(f"{alias}.date >= %s")
            params.append(filters.date_from)
        if filters.date_to:
            clauses.append(f"{alias}.date <= %s")
            params.append(filters.date_to)
        return "".join(f" AND {c}" for c in clauses), params

    def build_result(self, rows, *, total, tokens, page, per_page, relaxed, truncated) -> SearchResult:
        hits = [
            Hit(
                key=key,
                kind=kind,
                title=title,
                url=url,
                snippet_html=highlight(text, tokens),
                title_html=highlight_title(title, tokens),
                score=round(float(score), 4),
                level=level,
                status=status,
                region=region,
                date=_as_date(date),
            )
            for key, kind, title, text, url, level, status, region, date, score in rows
        ]
        return SearchResult(
            total=total,
            hits=hits,
            page=page,
            per_page=per_page,
            tokens=tokens,
            relaxed=relaxed,
            truncated=truncated,
        )


def _as_date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


BACKENDS = {
    "sqlite": "open12348.laws.search.sqlite.Fts5Backend",
    "fts5": "open12348.laws.search.sqlite.Fts5Backend",
    "postgres": "open12348.laws.search.postgres.PostgresBackend",
    "postgresql": "open12348.laws.search.postgres.PostgresBackend",
}


def get_backend() -> SearchBackend:
    """The configured backend (settings.SEARCH_BACKEND: auto | fts5 | postgres | dotted path)."""
    name = (getattr(settings, "SEARCH_BACKEND", "auto") or "auto").strip()
    if name == "auto":
        name = connection.vendor
    path = BACKENDS.get(name.lower(), name)
    return _instantiate(path)


@functools.lru_cache(maxsize=8)
def _instantiate(path: str) -> SearchBackend:
    return import_string(path)()
