"""Targeted push (issue 5 item 6, E6): "为您推荐" on the home page and in the citizen account.

A signed-in reader's interests are the legal categories of what they did — questions asked
(consultations.Consultation.legal_category), requests made (WorkOrder.legal_category via
applicant.user) and items read (ArticleRead, written here when a signed-in reader opens a
published item) — each weighted by its kind and halved every HALF_LIFE_DAYS. Categories count
by family (a question about 拖欠工资 is a 劳动纠纷 interest). The reader gets the published items
of their strongest families that they have not read yet, on the site of their area, and the
catalog's services for those categories (through the life-event mapping,
portal/life_events.py), each with a plain reason ("因为您咨询过“劳动纠纷”问题"). What is left
is filled, as for anonymous visitors, with the area's most-read items ("太仓市近期阅读最多").

The reading history is the reader's own: it is written without an audit event (auditing it
would turn the audit trail into a browsing history), shown only to the reader, cleared on
request, and pruned after READ_KEEP_DAYS."""

import datetime
import math
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.catalog.selectors import service_item_by_code
from open12348.content import selectors
from open12348.content.models import Article, ArticleRead
from open12348.core import refcache
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import ancestors_or_self, area_of

READ_KEEP_DAYS = 180
HISTORY_DAYS = 365  # signals older than this are not read at all
HALF_LIFE_DAYS = 30
RECENT_DAYS = 180  # "近期阅读最多": items published within this many days first
SIGNALS_PER_KIND = 50
WEIGHTS = {"consultation": 3.0, "order": 3.0, "read": 1.0}
MAX_SERVICES = 2
# Categories whose traces could endanger a reader (someone else may look at their account or
# screen): items tagged with them are never written to the reading history, and signals of
# them never become a personal recommendation or its reason.
SENSITIVE_CATEGORIES = frozenset({"domestic_violence"})  # i18n: data


@dataclass(frozen=True)
class Recommendation:
    item: Article | ServiceItem
    reason: str
    url: str

    @property
    def kind(self) -> str:
        return "article" if isinstance(self.item, Article) else "service"

    @property
    def title(self) -> str:
        return self.item.title if isinstance(self.item, Article) else self.item.name


@dataclass
class Interest:
    """One family of legal categories the reader cares about, and why."""

    family: str  # the top-level category code
    score: float
    reason: str
    codes: list[str]  # the specific categories seen, strongest first
    best: float = 0.0


# --- reading history (writes) ------------------------------------------------------------------


def article_read_record(*, actor, article: Article, now: datetime.datetime | None = None) -> bool:
    """Remember that a signed-in reader opened a published item (one row per reader and item);
    prune the reader's rows older than READ_KEEP_DAYS. Anonymous readers leave no trace."""
    if not getattr(actor, "is_authenticated", False) or article.status != Article.Status.PUBLISHED:
        return False
    if is_sensitive(article):
        return False
    now = now or timezone.now()
    with transaction.atomic():
        updated = ArticleRead.objects.filter(user=actor, article=article).update(at=now)
        if not updated:
            try:
                with transaction.atomic():
                    ArticleRead.objects.create(user=actor, article=article, at=now)
            except IntegrityError:  # a second tab recorded it first
                ArticleRead.objects.filter(user=actor, article=article).update(at=now)
        ArticleRead.objects.filter(user=actor, at__lt=now - datetime.timedelta(days=READ_KEEP_DAYS)).delete()
    return True


def article_reads_clear(*, actor) -> int:
    """The reader clears their own reading history; returns how many rows went."""
    if not getattr(actor, "is_authenticated", False):
        return 0
    with transaction.atomic():
        deleted, _counts = ArticleRead.objects.filter(user=actor).delete()
    return deleted


def reads_of(user, *, limit: int = 20) -> list[ArticleRead]:
    """The reader's recent reading (their own account page only), newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        ArticleRead.objects.filter(user=user, article__status=Article.Status.PUBLISHED)
        .select_related("article")
        .order_by("-at", "-id")[:limit]
    )


# --- reference data ----------------------------------------------------------------------------


def _categories() -> dict[int, LegalCategory]:
    def load():
        return {row.pk: row for row in LegalCategory.objects.filter(is_active=True).select_related("parent__parent")}

    return refcache.cached("recommend:categories", load, models=(LegalCategory,))


def _root(category: LegalCategory) -> LegalCategory:
    while category.parent_id is not None and category.parent is not None:
        category = category.parent
    return category


def sensitive_ids() -> set[int]:
    return {pk for pk, row in _categories().items() if row.code in SENSITIVE_CATEGORIES}


def is_sensitive(article: Article) -> bool:
    return Article.categories.through.objects.filter(
        article_id=article.pk, legalcategory_id__in=sensitive_ids()
    ).exists()


def family_ids(codes: list[str]) -> list[int]:
    """The ids of these categories' whole families (the top-level category and everything under it)."""
    rows = _categories()
    roots = {_root(row).pk for row in rows.values() if row.code in codes}
    return [pk for pk, row in rows.items() if _root(row).pk in roots]


def site_of(area: OrgNode | None) -> OrgNode | None:
    """The public site an area belongs to: its district's sub-site, or None for the city portal."""
    if area is None:
        return None
    for node in ancestors_or_self(area):  # deepest first
        if node.level == OrgNode.Level.DISTRICT:
            return node
    return None


def user_area(user) -> OrgNode | None:
    """The area of an account: a staff member's org; a citizen's area is that of their latest
    question or request (citizen accounts have no area of their own)."""
    if not getattr(user, "is_authenticated", False):
        return None
    area = area_of(user)
    if area is not None:
        return area
    from open12348.workorders.models import WorkOrder

    order = WorkOrder.objects.filter(applicant__user=user).select_related("area").order_by("-received_at").first()
    return order.area if order is not None else None


# --- interests ---------------------------------------------------------------------------------


def _signals(user, since: datetime.datetime) -> list[tuple[str, int, datetime.datetime]]:
    """(kind, legal category id, when) of the user's questions, requests and reads."""
    from open12348.consultations.models import Consultation
    from open12348.workorders.models import WorkOrder

    found: list[tuple[str, int, datetime.datetime]] = []
    rows = (
        Consultation.objects.filter(asker=user, created_at__gte=since)
        .order_by("-created_at")
        .values_list("legal_category_id", "created_at")[:SIGNALS_PER_KIND]
    )
    found += [("consultation", category, at) for category, at in rows]
    orders = WorkOrder.objects.filter(
        applicant__user=user,
        legal_category__isnull=False,
        received_at__gte=since,
        consultation__isnull=True,  # a question counts once, as a question
    )
    rows = orders.order_by("-received_at").values_list("legal_category_id", "received_at")[:SIGNALS_PER_KIND]
    found += [("order", category, at) for category, at in rows]
    reads = dict(
        ArticleRead.objects.filter(user=user, at__gte=since)
        .order_by("-at")
        .values_list("article_id", "at")[: SIGNALS_PER_KIND * 2]
    )
    if reads:
        tags = Article.categories.through.objects.filter(article_id__in=list(reads)).values_list(
            "article_id", "legalcategory_id"
        )
        found += [("read", category, reads[article]) for article, category in tags]
    return found


def _reason(kind: str, name: str) -> str:
    if kind == "consultation":
        return _("因为您咨询过“{name}”问题").format(name=name)
    if kind == "order":
        return _("因为您办理过“{name}”相关事项").format(name=name)
    return _("因为您阅读过“{name}”相关信息").format(name=name)


def interests_of(user, *, now: datetime.datetime | None = None) -> list[Interest]:
    """The user's category families, strongest first. Each signal weighs WEIGHTS[kind] ×
    ½^(age / HALF_LIFE_DAYS); the reason names the strongest single signal of the family."""
    if not getattr(user, "is_authenticated", False):
        return []
    now = now or timezone.now()
    rows = _categories()
    interests: dict[str, Interest] = {}
    for kind, category_id, at in _signals(user, now - datetime.timedelta(days=HISTORY_DAYS)):
        category = rows.get(category_id)
        if category is None or category.code in SENSITIVE_CATEGORIES:
            continue
        age_days = max(0.0, (now - at).total_seconds() / 86400)
        weight = WEIGHTS[kind] * math.pow(0.5, age_days / HALF_LIFE_DAYS)
        root = _root(category)
        interest = interests.setdefault(root.code, Interest(family=root.code, score=0.0, reason="", codes=[]))
        interest.score += weight
        if category.code not in interest.codes:
            interest.codes.append(category.code)
        if weight > interest.best:
            interest.best = weight
            interest.reason = _reason(kind, category.name)
    return sorted(interests.values(), key=lambda interest: (-interest.score, interest.family))


# --- candidates --------------------------------------------------------------------------------


def articles_in_categories(
    codes: list[str],
    *,
    site: OrgNode | None = None,
    limit: int = 8,
    exclude: set[int] = frozenset(),
    family: bool = True,
    without_sensitive: bool = False,
) -> list[Article]:
    """Published items a site shows (the city portal when `site` is None) tagged with one of
    these categories or their sub-categories — or, with `family`, any category of their
    families (a question about 拖欠工资 finds 工伤 items too) — newest first."""
    codes = list(codes)
    if family:
        ids = family_ids(codes)
    else:
        rows = _categories().values()
        ids = [row.pk for row in rows if row.code in codes or (row.parent is not None and row.parent.code in codes)]
    if not ids:
        return []
    through = Article.categories.through.objects
    articles = selectors.article_public_list(site=site).filter(
        pk__in=through.filter(legalcategory_id__in=ids).values("article_id")
    )
    if without_sensitive:
        articles = articles.exclude(pk__in=through.filter(legalcategory_id__in=sensitive_ids()).values("article_id"))
    if exclude:
        articles = articles.exclude(pk__in=list(exclude))
    return list(articles[:limit])


def _most_read(site: OrgNode | None, *, limit: int, exclude: set[int], now) -> list[tuple[Article, bool]]:
    """(item, recent?) — the site's most-read items published in the last RECENT_DAYS first, then older ones."""
    base: QuerySet[Article] = selectors.article_public_list(site=site)
    if exclude:
        base = base.exclude(pk__in=list(exclude))
    order = ("-view_count", "-published_at", "-id")
    cutoff = now - datetime.timedelta(days=RECENT_DAYS)
    recent = list(base.filter(published_at__gte=cutoff).order_by(*order)[:limit])
    older = []
    if len(recent) < limit:
        older = list(base.filter(published_at__lt=cutoff).order_by(*order)[: limit - len(recent)])
    return [(article, True) for article in recent] + [(article, False) for article in older]


def _area_name(site: OrgNode | None) -> str:
    node = site or selectors.city_node()
    return node.name if node is not None else ""


def _most_read_reason(site: OrgNode | None, recent: bool) -> str:
    name = _area_name(site)
    if recent:
        return _("{area}近期阅读最多").format(area=name) if name else _("近期阅读最多")
    return _("{area}阅读最多").format(area=name) if name else _("阅读最多")


def _article(article: Article, reason: str) -> Recommendation:
    return Recommendation(item=article, reason=reason, url=reverse("content:detail", args=[article.pk]))


def _service_url(codes: list[str]) -> str:
    from open12348.portal import life_events

    for code in codes:
        events = life_events.events_for_category(code)
        if events:
            return reverse("portal:life-event", args=[events[0].slug]) + "#services"
    return reverse("portal:home") + "#catalog"


def _services(interests: list[Interest], limit: int) -> list[Recommendation]:
    from open12348.portal import life_events

    found: list[Recommendation] = []
    seen: set[str] = set()
    for interest in interests:
        codes = interest.codes + [interest.family]
        wanted = [code for code in life_events.services_for_categories(codes) if code not in seen]
        if not wanted:
            continue
        for code in wanted:
            item = service_item_by_code(code)
            if item is not None:
                seen.add(code)
                found.append(Recommendation(item=item, reason=interest.reason, url=_service_url(codes)))
                break  # one service per interest, the most useful
        if len(found) >= limit:
            break
    return found


def _read_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(ArticleRead.objects.filter(user=user).values_list("article_id", flat=True))


def recommend_for(user, *, area: OrgNode | None = None, limit: int = 6) -> list[Recommendation]:
    """Up to `limit` recommendations with their reasons. `user` may be None or anonymous; `area`
    (a sub-site's district, or the area the visitor chose) wins over the account's own area."""
    if limit <= 0:
        return []
    now = timezone.now()
    signed_in = getattr(user, "is_authenticated", False)
    site = site_of(area if area is not None else (user_area(user) if signed_in else None))
    picked: list[Recommendation] = []
    seen = _read_ids(user) if signed_in else set()
    interests = interests_of(user, now=now) if signed_in else []
    if interests:
        services = _services(interests, min(MAX_SERVICES, max(1, limit // 3)))
        room = limit - len(services)
        total = sum(interest.score for interest in interests) or 1.0
        pools = []
        for interest in interests:
            quota = max(1, math.ceil(room * interest.score / total))
            articles = articles_in_categories(
                interest.codes + [interest.family], site=site, limit=room, exclude=seen, without_sensitive=True
            )
            pools.append((interest, quota, articles))
        for pass_number in (0, 1):  # first each family's quota, then whatever room is left
            for interest, quota, articles in pools:
                taken = 0
                for article in articles:
                    if len(picked) >= room or (pass_number == 0 and taken >= quota):
                        break
                    if article.pk in seen:
                        continue
                    seen.add(article.pk)
                    picked.append(_article(article, interest.reason))
                    taken += 1
        picked += services
    if len(picked) < limit:
        for article, recent in _most_read(site, limit=limit - len(picked), exclude=seen, now=now):
            picked.append(_article(article, _most_read_reason(site, recent)))
    return picked[:limit]
