"""Where the models' data comes from.

Statutes: the library in the database (open12348.laws Article rows) when it holds any,
otherwise the LawRefBook files under OPEN12348_DATA_DIR read straight (same titles, article
numbers, levels and statuses as `importlaws` gives them, through the importer's own helpers),
so citations are the same either way. Training sets: lawbench_topic (topics), stard (questions
labelled with statute articles), lecoqa (lawyers' answers to the same questions), read from
OPEN12348_DATA_DIR; staff corrections from the database."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

NATIONAL_LEVELS = ("constitution", "law", "administrative_regulation", "judicial_interpretation")
VALID = "valid"


class DataNotFound(FileNotFoundError):
    """A data set the command needs is not under the data directory."""


@dataclass(frozen=True, slots=True)
class Statute:
    source_id: str
    position: int
    law_title: str
    subtitle: str
    number_text: str
    level: str  # open12348.laws.models.Law.Level value
    status: str  # Law.Status value
    region: str
    chapter: str
    text: str

    @property
    def citation(self) -> str:
        return f"{self.law_title}{self.number_text}"


def data_dir(path: str | Path | None = None) -> Path:
    if path:
        return Path(path)
    return Path(settings.OPEN12348_DATA_DIR)


def normal_name(name: str) -> str:
    """STARD's normalised article name: without 中华人民共和国, whitespace, the 、 between the two
    courts, and with full-width brackets (民法典第五十六条)."""
    name = "".join((name or "").split()).replace("中华人民共和国", "")  # i18n: data
    name = name.replace("最高人民法院、最高人民检察院", "最高人民法院最高人民检察院")  # i18n: data
    return name.replace("(", "（").replace(")", "）")


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# --- statutes ----------------------------------------------------------------------------------


def statutes_from_db() -> list[Statute]:
    from open12348.laws.models import Article

    rows = Article.objects.order_by("law_id", "position").values_list(
        "law__source_id",
        "position",
        "law__title",
        "law__subtitle",
        "number_text",
        "law__level",
        "law__status",
        "law__region",
        "chapter",
        "text",
    )
    return [Statute(*row) for row in rows.iterator(chunk_size=5000)]


def library_folder(path: str | Path | None = None) -> Path | None:
    base = data_dir(path)
    for candidate in (base, base / "lawrefbook_laws"):
        if (candidate / "articles.jsonl.gz").is_file() and (candidate / "laws.jsonl.gz").is_file():
            return candidate
    return None


def statutes_from_files(path: str | Path | None = None, *, local: bool = True) -> list[Statute]:
    from open12348.laws.importer import LEVELS, assign_statuses, region_of

    folder = library_folder(path)
    if folder is None:
        raise DataNotFound(str(data_dir(path)))
    sets = [("laws.jsonl.gz", "articles.jsonl.gz")]
    if local and (folder / "local_articles.jsonl.gz").is_file():
        sets.append(("local_laws.jsonl.gz", "local_articles.jsonl.gz"))
    statutes: list[Statute] = []
    for laws_name, articles_name in sets:
        laws = read_jsonl(folder / laws_name)
        status = assign_statuses(laws)
        by_id = {law["doc_id"]: law for law in laws}
        for a in read_jsonl(folder / articles_name):
            law = by_id.get(a["doc_id"])
            number_text = (a.get("article_no") or "").strip()[:32]
            if law is None or not number_text:
                continue
            statutes.append(
                Statute(
                    source_id=a["doc_id"],
                    position=int(a["idx"]),
                    law_title=(law.get("title") or "").strip()[:300],
                    subtitle=(law.get("subtitle") or "").strip()[:200],
                    number_text=number_text,
                    level=str(LEVELS.get(law.get("level") or "", "other")),
                    status=str(status[law["doc_id"]]),
                    region=region_of(law.get("category") or "")[:32],
                    chapter=(a.get("chapter") or "")[:300],
                    text=a.get("text") or "",
                )
            )
    return statutes


def db_has_statutes() -> bool:
    try:
        from open12348.laws.models import Article

        return Article.objects.exists()
    except Exception:  # no laws table yet (before migrate)
        return False


def load_statutes(path: str | Path | None = None) -> tuple[list[Statute], str]:
    """(statutes, "database" | "files"); raises DataNotFound when neither has any."""
    if db_has_statutes():
        return statutes_from_db(), "database"
    return statutes_from_files(path), "files"


# --- training sets -----------------------------------------------------------------------------


def _split(path: str | Path | None, folder: str, split: str) -> list[dict]:
    file = data_dir(path) / folder / f"{split}.jsonl"
    if not file.is_file():
        raise DataNotFound(str(file))
    return read_jsonl(file)


def topic_examples(path: str | Path | None = None, split: str = "train") -> list[dict]:
    """lawbench_topic: [{id, text, label}]."""
    return _split(path, "lawbench_topic", split)


def statute_questions(path: str | Path | None = None, split: str = "train") -> list[dict]:
    """stard: [{qid, query, positive_ids}] (+ lecoqa's answer when present)."""
    questions = _split(path, "stard", split)
    try:
        answers = {row["qid"]: row.get("answer") or "" for row in _split(path, "lecoqa", split)}
    except DataNotFound:
        answers = {}
    for q in questions:
        q["answer"] = answers.get(q["qid"], "")
    return questions


def has_training_data(path: str | Path | None = None) -> bool:
    base = data_dir(path)
    return (base / "lawbench_topic" / "train.jsonl").is_file() and (base / "stard" / "train.jsonl").is_file()
