"""Reads of the statute library. Everything here is public (no org scoping: statutes are
the same for everyone); search goes through the configured backend."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Case, F, Q, When

from open12348.laws.models import Article, Law
from open12348.laws.search import SearchFilters, SearchResult, get_backend

_ANCHOR_UNSAFE = re.compile(r"[^0-9a-z-]")


def law_search(*, query: str, filters: SearchFilters | None = None, page: int = 1, per_page: int = 10) -> SearchResult:
    return get_backend().search(query, filters=filters, page=page, per_page=per_page)


def law_get(source_id: str) -> Law | None:
    return Law.objects.filter(source_id=source_id).first()


def law_articles(law: Law) -> list[Article]:
    return list(law.articles.order_by("position"))


def article_get(source_id: str, slug: str) -> Article | None:
    return Article.objects.select_related("law").filter(law__source_id=source_id, slug=slug).first()


def articles_by_ids(ids) -> dict[int, Article]:
    """Articles (with their law) by primary key; unknown ids are left out."""
    ids = list(ids)
    return {a.pk: a for a in Article.objects.filter(pk__in=ids).select_related("law")} if ids else {}


def article_by_citation(title: str, number_text: str, *, source_id: str = "") -> Article | None:
    """The article cited as "<law title><number>": in the law version `source_id` when it has
    it, else the valid version first (then amended, then repealed), the newest first."""
    rows = Article.objects.select_related("law").filter(law__title=title, number_text=number_text)
    if source_id:
        article = rows.filter(law__source_id=source_id).first()
        if article is not None:
            return article
    status_rank = Case(
        When(law__status=Law.Status.VALID, then=0), When(law__status=Law.Status.AMENDED, then=1), default=2
    )
    return rows.order_by(status_rank, F("law__published_on").desc(nulls_last=True), "-law_id").first()


def article_neighbours(article: Article) -> tuple[Article | None, Article | None]:
    siblings = Article.objects.filter(law_id=article.law_id).only("law_id", "slug", "number_text", "position")
    previous = siblings.filter(position__lt=article.position).order_by("-position").first()
    following = siblings.filter(position__gt=article.position).order_by("position").first()
    return previous, following


def law_versions(law: Law) -> list[Law]:
    """Every version of the same title (and subtitle, region), newest first, this one included."""
    return list(
        Law.objects.filter(title=law.title, subtitle=law.subtitle, region=law.region)
        .only("source_id", "title", "subtitle", "status", "published_on", "effective_on")
        .order_by("-published_on", "-id")
    )


def region_choices() -> list[str]:
    return list(Law.objects.exclude(region="").values_list("region", flat=True).distinct().order_by("region"))


def library_counts() -> dict[str, int]:
    return {
        "laws": Law.objects.count(),
        "valid": Law.objects.filter(status=Law.Status.VALID).count(),
        "articles": Article.objects.count(),
    }


def recent_laws(limit: int = 8) -> list[Law]:
    return list(
        Law.objects.filter(status=Law.Status.VALID)
        .filter(~Q(level=Law.Level.CASE))
        .exclude(published_on=None)
        .order_by("-published_on", "-id")[:limit]
    )


# --- the chapter outline of a law page ---


@dataclass
class OutlineNode:
    title: str
    anchor: str
    children: list[OutlineNode] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    first_article: Article | None = None
    last_article: Article | None = None


@dataclass
class Outline:
    nodes: list[OutlineNode]
    sections: list[tuple[list[str], list[Article]]]  # (headings that start here, articles)

    @property
    def has_chapters(self) -> bool:
        return bool(self.nodes)


def law_outline(articles: list[Article]) -> Outline:
    """The 编/章/节 tree of a law from its articles' chapter paths ("第一编 总则 / 第一章 …"),
    each node with an anchor and its first and last article; and the article list cut into
    sections, each headed by the headings that begin at it."""
    roots: list[OutlineNode] = []
    index: dict[tuple[str, ...], OutlineNode] = {}
    sections: list[tuple[list[str], list[Article]]] = []
    previous: tuple[str, ...] = ()
    for article in articles:
        path = tuple(p.strip() for p in (article.chapter or "").split(" / ") if p.strip())
        if path != previous or not sections:
            common = 0
            while common < min(len(path), len(previous)) and path[common] == previous[common]:
                common += 1
            headings = []
            for depth in range(common, len(path)):
                key = path[: depth + 1]
                if key not in index:
                    node = OutlineNode(title=path[depth], anchor=f"c{len(index) + 1}")
                    index[key] = node
                    (index[key[:-1]].children if depth else roots).append(node)
                headings.append(index[key])
            sections.append((headings, []))
            previous = path
        sections[-1][1].append(article)
        for depth in range(len(path)):
            node = index[path[: depth + 1]]
            node.first_article = node.first_article or article
            node.last_article = article
    return Outline(nodes=roots, sections=sections)
