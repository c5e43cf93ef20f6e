"""Reads of the administrative tree, and the one place where "staff see only their own
subtree" is decided: every other app scopes its querysets through `in_area`."""

from django.db.models import Prefetch, QuerySet

from open12348.catalog.models import ServiceItem
from open12348.core import refcache
from open12348.orgs.models import OrgNode, Site, Window


def area_of(user) -> OrgNode | None:
    """The org node whose subtree a staff member serves; None for citizens and anonymous users."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.org if profile else None


def subtree(node: OrgNode) -> QuerySet[OrgNode]:
    return OrgNode.objects.filter(path__startswith=node.path)


def in_area(queryset: QuerySet, user, *, via: str = "org", within: OrgNode | None = None) -> QuerySet:
    """Filter `queryset` to rows whose org node (reached through `via`) lies in the user's
    subtree — narrowed further to `within` (an API token's org) when given."""
    area = area_of(user)
    if area is None or (within is not None and not within.is_within(area)):
        return queryset.none()
    area = within or area
    prefix = f"{via}__path__startswith" if via else "path__startswith"
    return queryset.filter(**{prefix: area.path})


def visible_orgs(user, *, within: OrgNode | None = None) -> QuerySet[OrgNode]:
    return in_area(OrgNode.objects.select_related("parent"), user, via="", within=within)


def visible_org(user, code: str, *, within: OrgNode | None = None) -> OrgNode | None:
    """The node with `code` if `visible_orgs(user, within=within)` holds it: one look-up by the
    unique code, the subtree rule of `in_area` checked on the row."""
    area = area_of(user)
    if area is None or (within is not None and not within.is_within(area)):
        return None
    node = org_by_code(code)
    return node if node is not None and node.is_within(within or area) else None


def org_by_code(code: str) -> OrgNode | None:
    """The node with `code` (reference cache: intake reads it on every request)."""
    return refcache.cached(f"orgnode:{code}", lambda: OrgNode.objects.filter(code=code).first(), models=(OrgNode,))


def ancestors_or_self(node: OrgNode) -> list[OrgNode]:
    """The node and the nodes above it, deepest first (from its materialised path)."""
    codes = [code for code in node.path.split("/") if code]
    return refcache.cached(
        f"orgnode-up:{node.path}",
        lambda: list(OrgNode.objects.filter(code__in=codes).order_by("-depth")),
        models=(OrgNode,),
    )


def site_list(*, area: OrgNode | None = None, kind: str = "", service_code: str = "") -> QuerySet[Site]:
    """Public list of active sites, optionally within an area, of a kind, offering a service."""
    active_services = ServiceItem.objects.filter(is_active=True)
    windows = Window.objects.filter(is_active=True).prefetch_related(Prefetch("services", queryset=active_services))
    sites = (
        Site.objects.filter(is_active=True)
        .select_related("org")
        .prefetch_related(
            Prefetch("services", queryset=active_services),
            Prefetch("windows", queryset=windows),
            "contacts",
            "qr_codes",
        )
    )
    if area is not None:
        sites = sites.filter(org__path__startswith=area.path)
    if kind:
        sites = sites.filter(kind=kind)
    if service_code:
        sites = sites.filter(services__code=service_code).distinct()
    return sites.order_by("org__path", "kind", "name")


def finder_areas() -> QuerySet[OrgNode]:
    """Areas a citizen can pick in the site finder: cities, districts and streets/towns."""
    return OrgNode.objects.filter(level__in=[OrgNode.Level.CITY, OrgNode.Level.DISTRICT, OrgNode.Level.STREET])
