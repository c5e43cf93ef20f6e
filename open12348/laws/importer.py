"""Import of the LawRefBook library (gzip JSONL, see the data set's README) into Law, Article
and the search index. Idempotent and incremental: every law carries a hash of what was
derived from the data (fields, status, articles); an unchanged law is skipped, a changed one
is updated in place and its articles and search documents are replaced, a new one created.
One transaction per batch of laws. The legal user dictionary (titles, short titles, defined
terms) is rebuilt first; when it changed, every stored search document is segmented again.

Status: `expired` true → repealed; among versions of the same title (and subtitle and region)
the newest non-expired one is valid and every older one is amended (已被修改); when all
versions are expired, the newest is repealed and the older ones amended."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from open12348.audit import services as audit
from open12348.laws import documents, segment
from open12348.laws.models import Article, Law
from open12348.laws.search import get_backend

DATASET = "lawrefbook_laws"
NATIONAL = ("laws.jsonl.gz", "articles.jsonl.gz")
LOCAL = ("local_laws.jsonl.gz", "local_articles.jsonl.gz")
BATCH_LAWS = 100
IMPORT_VERSION = "1"  # bump when the mapping below changes: every law is then re-imported

LEVELS = {  # i18n: data (the data set's level names)
    "宪法": Law.Level.CONSTITUTION,  # i18n: data
    "法律": Law.Level.LAW,  # i18n: data
    "行政法规": Law.Level.ADMINISTRATIVE_REGULATION,  # i18n: data
    "司法解释": Law.Level.JUDICIAL_INTERPRETATION,  # i18n: data
    "部门规章": Law.Level.DEPARTMENTAL_RULE,  # i18n: data
    "地方性法规": Law.Level.LOCAL_REGULATION,  # i18n: data
    "案例": Law.Level.CASE,  # i18n: data
    "其他": Law.Level.OTHER,  # i18n: data
}
FALLBACK_BODIES = {
    Law.Level.CONSTITUTION: "全国人民代表大会",  # i18n: data
    Law.Level.ADMINISTRATIVE_REGULATION: "国务院",  # i18n: data
}
_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))  # i18n: data
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}  # i18n: data
_MEETING = re.compile(
    r"\d+日\s*(.*?)第[一二三四五六七八九十百]+届(.*?)第[一二三四五六七八九十百]+次(?:全体)?会议"  # i18n: data
)
_COURTS = re.compile(r"^((?:最高人民法院|最高人民检察院)(?:[、\s]+(?:最高人民法院|最高人民检察院))*)")  # i18n: data
_SUB = re.compile(r"之([一二三四五六七八九十]+)$")  # i18n: data


class DataNotFound(Exception):
    pass


@dataclass
class ImportStats:
    laws_seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    pruned: int = 0
    articles: int = 0
    documents: int = 0
    dictionary_words: int = 0
    dictionary_changed: bool = False
    reindexed: int = 0
    seconds: float = 0.0
    sets: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


# --- reading ---


def find_dataset(path: Path | str | None = None) -> Path:
    """The folder holding laws.jsonl.gz: PATH itself or PATH/lawrefbook_laws (default: the
    OPEN12348_DATA_DIR setting)."""
    base = Path(path) if path else Path(settings.OPEN12348_DATA_DIR)
    for candidate in (base, base / DATASET):
        if (candidate / NATIONAL[0]).is_file():
            return candidate
    raise DataNotFound(str(base))


def read_jsonl(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def cn_number(text: str) -> int | None:
    """第一百零四条 → 104 (also 十七, 二十, 一千零一)."""
    total, current = 0, 0
    digits = re.sub(r"^第|条.*$", "", text)  # i18n: data
    if digits.isdigit():
        return int(digits)
    if not digits:
        return None
    for ch in digits:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def article_slug(number_text: str, number: int | None, position: int) -> str:
    if number is None:
        return f"p{position}"
    sub = _SUB.search(number_text)
    return f"{number}-{cn_number(sub.group(1))}" if sub else str(number)


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def region_of(category: str) -> str:
    """ "DLC/上海地方法规/…" → 上海."""
    parts = (category or "").split("/")
    if len(parts) > 1 and parts[0] == "DLC":
        return re.sub(r"地方法规$", "", parts[1])  # i18n: data
    return ""


def issuing_body(record: dict, level: str) -> str:
    for line in record.get("meta") or []:
        m = _MEETING.search(line)
        if m:
            return (m.group(1) + m.group(2)).strip()
    m = _COURTS.match(record.get("title") or "")
    if m:
        return "、".join(re.split(r"[、\s]+", m.group(1)))  # i18n: data
    category = record.get("category") or ""
    if category.startswith("部门规章/"):  # i18n: data
        return category.split("/", 1)[1]
    return FALLBACK_BODIES.get(level, "")


def assign_statuses(records: list[dict]) -> dict[str, str]:
    """doc_id → status, from `expired` and the versions of each title (see module doc)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in records:
        groups[(r["title"], r.get("subtitle") or "", region_of(r.get("category") or ""))].append(r)
    status = {}
    for versions in groups.values():
        versions.sort(key=lambda r: (r.get("publish") or "", r.get("valid_from") or "", r["doc_id"]))
        live = [r for r in versions if not r.get("expired")]
        current = live[-1] if live else None
        for r in versions:
            if r is current:
                status[r["doc_id"]] = Law.Status.VALID
            elif current is None and r is versions[-1]:
                status[r["doc_id"]] = Law.Status.REPEALED
            else:
                status[r["doc_id"]] = Law.Status.AMENDED
    return status


def law_fields(record: dict, status: str) -> dict:
    level = LEVELS.get(record.get("level") or "", Law.Level.OTHER)
    title = (record.get("title") or "").strip()[:300]
    names = segment.short_titles(title)
    has_articles = bool(record.get("n_articles"))
    return {
        "title": title,
        "subtitle": (record.get("subtitle") or "").strip()[:200],
        "short_title": (names[-1] if len(names) > 1 else "")[:200],
        "level": level,
        "category": (record.get("category") or "")[:200],
        "issuing_body": issuing_body(record, level)[:200],
        "published_on": _date(record.get("publish")),
        "effective_on": _date(record.get("valid_from")),
        "status": status,
        "region": region_of(record.get("category") or "")[:32],
        "history": "\n".join(record.get("meta") or []),
        "body": "" if has_articles else (record.get("text") or ""),
        "source_path": (record.get("path") or "")[:500],
    }


def article_rows(records: list[dict]) -> list[dict]:
    rows, used = [], set()
    for r in sorted(records, key=lambda r: r["idx"]):
        number_text = (r.get("article_no") or "").strip()[:32]
        number = r.get("article_num")
        if number is None:
            number = cn_number(number_text)
        slug = article_slug(number_text, number, r["idx"])
        if slug in used:
            slug = f"p{r['idx']}"
        used.add(slug)
        rows.append(
            {
                "position": r["idx"],
                "chapter": (r.get("chapter") or "")[:300],
                "number_text": number_text,
                "number": number or 0,
                "slug": slug,
                "text": r.get("text") or "",
            }
        )
    return rows


def content_hash(fields: dict, articles: list[dict]) -> str:
    payload = json.dumps([IMPORT_VERSION, fields, articles], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


# --- the import ---


def _load_set(folder: Path, names: tuple[str, str]) -> tuple[list[dict], dict[str, list[dict]]]:
    laws = list(read_jsonl(folder / names[0]))
    articles: dict[str, list[dict]] = defaultdict(list)
    if (folder / names[1]).is_file():
        for r in read_jsonl(folder / names[1]):
            articles[r["doc_id"]].append(r)
    return laws, articles


def dictionary_words(prepared: list[tuple[dict, list[dict]]]) -> set[str]:
    """Titles, short titles and defined terms of the data being imported and of every law
    already stored (an import of the national set alone keeps the local laws' words)."""
    words: set[str] = set()
    for fields, articles in prepared:
        words.update(segment.short_titles(fields["title"]))
        for row in articles:
            if "所称" in row["text"]:  # i18n: data
                words.update(segment.defined_terms(row["text"]))
    for title in Law.objects.values_list("title", flat=True).distinct():
        words.update(segment.short_titles(title))
    for text in Article.objects.filter(text__contains="所称").values_list("text", flat=True):  # i18n: data
        words.update(segment.defined_terms(text))
    return words


def import_library(
    path: Path | str | None = None,
    *,
    local: bool = True,
    prune: bool = False,
    log: Callable[[str], None] = lambda message: None,
) -> ImportStats:
    started = time.monotonic()
    folder = find_dataset(path)
    stats = ImportStats()
    records: list[dict] = []
    articles_by_doc: dict[str, list[dict]] = {}
    sets = [NATIONAL] + ([LOCAL] if local and (folder / LOCAL[0]).is_file() else [])
    for names in sets:
        laws, articles = _load_set(folder, names)
        records += laws
        articles_by_doc.update(articles)
        stats.sets.append(names[0])
    log(f"read {len(records)} documents from {folder}")

    statuses = assign_statuses(records)
    prepared = []
    for r in records:
        fields = law_fields(r, statuses[r["doc_id"]])
        rows = article_rows(articles_by_doc.get(r["doc_id"], []))
        prepared.append((r["doc_id"], fields, rows, content_hash(fields, rows)))
    stats.laws_seen = len(prepared)

    words = dictionary_words([(f, rows) for _, f, rows, _ in prepared])
    _, _, changed = segment.write_user_dictionary(words)
    stats.dictionary_words, stats.dictionary_changed = len(words), changed is None or bool(changed)
    backend = get_backend()
    if stats.dictionary_changed:
        # Only the stored documents holding an added or removed word segment differently.
        stats.reindexed = backend.reindex_all(containing=changed)
        log(f"user dictionary changed ({len(words)} words): re-segmented {stats.reindexed} stored documents")

    existing = dict(Law.objects.values_list("source_id", "content_hash"))
    todo = [item for item in prepared if existing.get(item[0]) != item[3]]
    stats.unchanged = len(prepared) - len(todo)
    for i in range(0, len(todo), BATCH_LAWS):
        _import_batch(todo[i : i + BATCH_LAWS], existing, backend, stats)
        log(f"  {min(i + BATCH_LAWS, len(todo))}/{len(todo)} changed or new documents written")

    if prune:
        seen = {doc_id for doc_id, *_ in prepared}
        scope = Law.objects.all() if local else Law.objects.filter(region="")
        stale = list(scope.exclude(source_id__in=seen).values_list("pk", flat=True))
        with transaction.atomic():
            Law.objects.filter(pk__in=stale).delete()  # cascades to articles and search documents
        stats.pruned = len(stale)

    stats.seconds = round(time.monotonic() - started, 1)
    if stats.created or stats.updated or stats.pruned or stats.reindexed:
        with transaction.atomic():
            audit.record(verb="laws.imported", actor_label="importlaws", payload=stats.summary())
    return stats


def _import_batch(batch, existing, backend, stats: ImportStats) -> None:
    with transaction.atomic():
        changed_ids = [doc_id for doc_id, *_ in batch if doc_id in existing]
        old = {law.source_id: law for law in Law.objects.filter(source_id__in=changed_ids)}
        if old:
            old_pks = [law.pk for law in old.values()]
            old_articles = Article.objects.filter(law_id__in=old_pks).values_list("pk", flat=True)
            backend.remove([documents.article_key(pk) for pk in old_articles])
            Article.objects.filter(law_id__in=old_pks).delete()
        laws, new_laws = [], []
        for doc_id, fields, rows, digest in batch:
            law = old.get(doc_id) or Law(source_id=doc_id)
            for name, value in fields.items():
                setattr(law, name, value)
            law.content_hash = digest
            law.article_count = len(rows)
            laws.append((law, rows))
            if law.pk is None:
                new_laws.append(law)
        if new_laws:
            Law.objects.bulk_create(new_laws)
        updated = [law for law, _ in laws if law.source_id in old]
        now = timezone.now()
        for law in updated:
            law.updated_at = now
        if updated:
            Law.objects.bulk_update(updated, [*batch[0][1].keys(), "content_hash", "article_count", "updated_at"])
        created_articles = Article.objects.bulk_create(
            [Article(law=law, **row) for law, rows in laws for row in rows], batch_size=1000
        )
        by_law: dict[int, list[Article]] = defaultdict(list)
        for article in created_articles:
            by_law[article.law_id].append(article)
        stats.documents += backend.index(doc for law, _ in laws for doc in documents.law_docs(law, by_law[law.pk]))
        stats.articles += len(created_articles)
        stats.created += len(new_laws)
        stats.updated += len(updated)
