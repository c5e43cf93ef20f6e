"""Public reads of the directory: search, the public pages' data, and the credit look-up.
Everything here is public information (only active rows, only records still on display)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.directory.models import CreditRecord, Institution, Practitioner
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import in_area
from open12348.workorders.models import Status, WorkOrder

PER_PAGE = 20
CREDIT_QUERY_MIN = 2
CREDIT_QUERY_MAX = 50
CREDIT_RESULTS_MAX = 50
# A work order counts as a service rendered once it is resolved (办结), whatever follows.
SERVED_STATUSES = (Status.RESOLVED, Status.RETURN_VISIT, Status.CLOSED)


def _today() -> datetime.date:
    return timezone.localdate()


def shown_credit_records(today: datetime.date | None = None) -> QuerySet[CreditRecord]:
    """Records still on public display: no end date, or the end date not yet passed."""
    today = today or _today()
    return CreditRecord.objects.filter(Q(public_until__isnull=True) | Q(public_until__gte=today))


def category_with_children(category: LegalCategory) -> list[LegalCategory]:
    """The category and its sub-categories (the tree is two levels deep; deeper is followed too)."""
    found, frontier = [category], [category.pk]
    while frontier:
        children = list(LegalCategory.objects.filter(parent_id__in=frontier))
        found.extend(children)
        frontier = [child.pk for child in children]
    return found


def _filter(rows: QuerySet, *, kind: str, specialty: LegalCategory | None, area: OrgNode | None) -> QuerySet:
    if kind:
        rows = rows.filter(kind=kind)
    if specialty is not None:
        ids = [category.pk for category in category_with_children(specialty)]
        rows = rows.filter(pk__in=rows.model.objects.filter(specialties__in=ids).values("pk"))
    if area is not None:
        rows = rows.filter(area__path__startswith=area.path)
    return rows


def institution_search(
    *, kind: str = "", specialty: LegalCategory | None = None, area: OrgNode | None = None, q: str = ""
) -> QuerySet[Institution]:
    """Active institutions by kind, specialty (with its sub-categories), area (its subtree)
    and text (name or address), ordered by area, kind and name."""
    rows = Institution.objects.filter(is_active=True)
    rows = _filter(rows, kind=kind, specialty=specialty, area=area)
    if q := (q or "").strip():
        rows = rows.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return (
        rows.select_related("area")
        .prefetch_related("specialties")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("area__path", "kind", "name", "id")
    )


def practitioner_search(
    *, kind: str = "", specialty: LegalCategory | None = None, area: OrgNode | None = None, q: str = ""
) -> QuerySet[Practitioner]:
    """Active practitioners by kind, specialty (with its sub-categories), area (its subtree)
    and name, ordered by name."""
    rows = Practitioner.objects.filter(is_active=True)
    rows = _filter(rows, kind=kind, specialty=specialty, area=area)
    if q := (q or "").strip():
        rows = rows.filter(name__icontains=q)
    return rows.select_related("area", "institution").prefetch_related("specialties").order_by("name", "id")


def institution_public(pk) -> Institution | None:
    """An active institution with what its public page shows."""
    members = Practitioner.objects.filter(is_active=True).order_by("kind", "name", "id")
    return (
        Institution.objects.filter(is_active=True, pk=pk)
        .select_related("area")
        .prefetch_related(
            "specialties",
            Prefetch("members", queryset=members, to_attr="public_members"),
            Prefetch("credit_records", queryset=shown_credit_records(), to_attr="shown_records"),
        )
        .first()
    )


def practitioner_public_qs() -> QuerySet[Practitioner]:
    return (
        Practitioner.objects.filter(is_active=True)
        .select_related("area", "institution")
        .prefetch_related(
            "specialties",
            Prefetch("credit_records", queryset=shown_credit_records(), to_attr="shown_records"),
        )
    )


def years_of_practice(since: datetime.date | None, today: datetime.date | None = None) -> int | None:
    """Whole years from the first practising date to today (None when not known)."""
    if since is None:
        return None
    today = today or _today()
    years = today.year - since.year - ((today.month, today.day) < (since.month, since.day))
    return max(years, 0)


@dataclass
class ServiceCounts:
    total: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)


def service_counts(user) -> ServiceCounts:
    """Work orders on the platform the user handled to the end (assignee, resolved or later),
    by service category. Zero when no account is linked."""
    if user is None:
        return ServiceCounts()
    rows = (
        WorkOrder.objects.filter(assignee=user, status__in=SERVED_STATUSES)
        .values("service_item__category")
        .annotate(count=Count("id"))
        .order_by("-count", "service_item__category")
    )
    labels = dict(ServiceItem.Category.choices)
    by_category = [(str(labels.get(row["service_item__category"], "")), row["count"]) for row in rows]
    return ServiceCounts(total=sum(count for _, count in by_category), by_category=by_category)


@dataclass
class PractitionerProfile:
    practitioner: Practitioner
    years: int | None
    specialties: list[LegalCategory]
    languages: list[str]
    services: ServiceCounts
    credit_records: list[CreditRecord]


def split_languages(text: str) -> list[str]:
    for separator in ("，", ",", "；", ";", "/", " "):  # i18n: data — separators people type
        text = text.replace(separator, "、")
    return [part.strip() for part in text.split("、") if part.strip()]


def practitioner_profile(pk) -> PractitionerProfile | None:
    """What a practitioner's public page shows; None for unknown or inactive practitioners."""
    practitioner = practitioner_public_qs().filter(pk=pk).first()
    if practitioner is None:
        return None
    return PractitionerProfile(
        practitioner=practitioner,
        years=years_of_practice(practitioner.practising_since),
        specialties=list(practitioner.specialties.all()),
        languages=split_languages(practitioner.languages),
        services=service_counts(practitioner.user if practitioner.user_id else None),
        credit_records=practitioner.shown_records,
    )


@dataclass
class CreditSubject:
    kind: str  # "institution" or "practitioner"
    subject: Institution | Practitioner
    records: list[CreditRecord]


def credit_query_valid(q: str) -> bool:
    q = (q or "").strip()
    return CREDIT_QUERY_MIN <= len(q) <= CREDIT_QUERY_MAX


def credit_lookup(q: str) -> list[CreditSubject]:
    """Institutions and practitioners whose licence number (or the institution's credit code)
    is exactly `q`, or whose name contains it, each with their records still on display.
    Too short or too long a query finds nothing (callers say why)."""
    q = (q or "").strip()
    if not credit_query_valid(q):
        return []
    records = shown_credit_records()
    exact = q.upper()
    institutions = (
        Institution.objects.filter(is_active=True)
        .filter(Q(licence_no__iexact=q) | Q(credit_code=exact) | Q(name__icontains=q))
        .select_related("area")
        .prefetch_related(Prefetch("credit_records", queryset=records, to_attr="shown_records"))
        .order_by("name", "id")[:CREDIT_RESULTS_MAX]
    )
    practitioners = (
        Practitioner.objects.filter(is_active=True)
        .filter(Q(licence_no__iexact=q) | Q(name__icontains=q))
        .select_related("area", "institution")
        .prefetch_related(Prefetch("credit_records", queryset=records, to_attr="shown_records"))
        .order_by("name", "id")[:CREDIT_RESULTS_MAX]
    )
    subjects = [CreditSubject("practitioner", p, p.shown_records) for p in practitioners]
    subjects += [CreditSubject("institution", i, i.shown_records) for i in institutions]
    return subjects


def areas_for_filter() -> QuerySet[OrgNode]:
    """Areas a visitor can filter by: cities, districts and streets/towns."""
    return OrgNode.objects.filter(
        level__in=[OrgNode.Level.CITY, OrgNode.Level.DISTRICT, OrgNode.Level.STREET]
    ).order_by("path")


def categories_for_filter() -> list[LegalCategory]:
    """Active legal categories, each top-level one followed by its sub-categories."""
    rows = list(LegalCategory.objects.filter(is_active=True).order_by("sort", "code"))
    children: dict[int | None, list[LegalCategory]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    ordered = []
    for top in children.get(None, []):
        ordered.append(top)
        ordered.extend(children.get(top.pk, []))
    return ordered


# --- administration (scoped) ---------------------------------------------------------------


def institutions_for_admin(user) -> QuerySet[Institution]:
    return in_area(Institution.objects.select_related("area"), user, via="area")


def practitioners_for_admin(user) -> QuerySet[Practitioner]:
    return in_area(Practitioner.objects.select_related("area", "institution"), user, via="area")
