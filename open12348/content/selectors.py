"""Reads of publishing, and where its scoping is decided. The public sees published items only:
the city portal (/news/) the items of the city node, a district's sub-site (/d/<code>/) the
district's own items plus the city's (and those of any node above it). Editors and reviewers
see every status of the items in their own area's subtree."""

from django.db.models import Prefetch, Q, QuerySet

from open12348.catalog.models import LegalCategory
from open12348.content.models import Article, ArticleAttachment
from open12348.core import refcache
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import ancestors_or_self, in_area, org_by_code

PUBLISHED = Article.Status.PUBLISHED
PAGE_SIZE = 20


def city_node() -> OrgNode | None:
    """The node of the city portal: the (shallowest) city node, else the root of the tree."""

    def load():
        node = OrgNode.objects.filter(level=OrgNode.Level.CITY).order_by("depth", "path").first()
        return node or OrgNode.objects.filter(parent__isnull=True).order_by("path").first()

    return refcache.cached("content:city-node", load, models=(OrgNode,))


def district_by_code(code: str) -> OrgNode | None:
    """The district of a sub-site by its code; None for anything else (unknown, a town, a city)."""
    code = (code or "").strip()
    if not (code.isascii() and code.isdigit() and len(code) <= 12):
        return None
    node = org_by_code(code)
    return node if node is not None and node.level == OrgNode.Level.DISTRICT else None


def site_areas(site: OrgNode | None) -> list[OrgNode]:
    """The nodes whose items a site shows: the site's node and the nodes above it."""
    site = site or city_node()
    return ancestors_or_self(site) if site is not None else []


def _public() -> QuerySet[Article]:
    return (
        Article.objects.filter(status=PUBLISHED)
        .select_related("area")
        .prefetch_related(Prefetch("categories", queryset=LegalCategory.objects.order_by("sort", "code")))
    )


def _category_filter(articles: QuerySet[Article], category: LegalCategory | None) -> QuerySet[Article]:
    """Items tagged with `category` or one of its sub-categories."""
    if category is None:
        return articles
    ids = [category.pk, *LegalCategory.objects.filter(parent=category).values_list("pk", flat=True)]
    return articles.filter(
        pk__in=Article.categories.through.objects.filter(legalcategory_id__in=ids).values("article_id")
    )


def article_public_list(
    *, site: OrgNode | None = None, kind: str = "", category: LegalCategory | None = None, q: str = ""
) -> QuerySet[Article]:
    """Published items a site shows (the city portal when `site` is None), newest first."""
    areas = site_areas(site)
    articles = _public().filter(area__in=[node.pk for node in areas])
    if kind:
        articles = articles.filter(kind=kind)
    articles = _category_filter(articles, category)
    q = " ".join((q or "").split())
    if q:
        for word in q.split()[:5]:
            articles = articles.filter(title__icontains=word)
    return articles.order_by("-published_at", "-id")


def article_most_read(*, site: OrgNode | None = None, kind: str = "", limit: int = 5) -> list[Article]:
    """The most-read published items a site shows (for the home page and anonymous visitors)."""
    articles = article_public_list(site=site, kind=kind)
    return list(articles.order_by("-view_count", "-published_at", "-id")[:limit])


def article_latest_by_kind(*, site: OrgNode | None = None, per_kind: int = 5) -> list[tuple[str, str, list[Article]]]:
    """(kind, label, latest items) for each kind that has items on the site, in the kinds' order."""
    sections = []
    for kind, label in Article.Kind.choices:
        items = list(article_public_list(site=site, kind=kind)[:per_kind])
        if items:
            sections.append((kind, label, items))
    return sections


def article_public_get(pk: int) -> Article | None:
    """A published item by id (any area: an item's page is one address for every site)."""
    return _public().select_related("interprets").filter(pk=pk).first()


def interpretations_of(policy: Article) -> list[Article]:
    return list(
        Article.objects.filter(interprets=policy, status=PUBLISHED).select_related("area").order_by("-published_at")
    )


def published_policies() -> QuerySet[Article]:
    """Policies an interpretation may link to."""
    return Article.objects.filter(kind=Article.Kind.POLICY, status=PUBLISHED).order_by("-published_at", "-id")


# --- the editors' console ------------------------------------------------------------------------


def article_console_list(user, *, status: str = "", kind: str = "", q: str = "") -> QuerySet[Article]:
    """Every item of the user's area subtree, in every status (most recently changed first)."""
    articles = in_area(Article.objects.select_related("area", "author", "reviewer"), user, via="area")
    if status:
        articles = articles.filter(status=status)
    if kind:
        articles = articles.filter(kind=kind)
    q = " ".join((q or "").split())
    if q:
        articles = articles.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    return articles.order_by("-updated_at", "-id")


def article_console_counts(user) -> dict[str, int]:
    from django.db.models import Count

    rows = in_area(Article.objects.all(), user, via="area").values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def article_console_get(user, pk: int) -> Article | None:
    return (
        article_console_list(user)
        .select_related("interprets")
        .prefetch_related("categories", "attachments")
        .filter(pk=pk)
        .first()
    )


def attachment_for_download(user, article_pk: int, attachment_pk: int) -> ArticleAttachment | None:
    """An attachment of a published item for anyone; of any other item only for the staff of
    its area who may edit or review it."""
    attachment = (
        ArticleAttachment.objects.select_related("article__area")
        .filter(pk=attachment_pk, article_id=article_pk)
        .first()
    )
    if attachment is None:
        return None
    if attachment.article.status == PUBLISHED:
        return attachment
    if not (user.has_perm("content.edit_article") or user.has_perm("content.review_article")):
        return None
    return attachment if article_console_list(user).filter(pk=article_pk).exists() else None
