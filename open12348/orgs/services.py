"""Writes to the administrative tree, sites and windows. Upserts keyed by code/name make
the reference and demo loaders idempotent."""

from django.db import transaction
from django.utils.translation import gettext as _

from open12348.audit.services import record
from open12348.orgs.models import OrgNode, Site, SiteContact, Window


@transaction.atomic
def org_node_upsert(
    *, actor=None, code: str, name: str, level: str, parent: OrgNode | None = None, sort: int | None = None
) -> OrgNode:
    """Create the node `code` under `parent`, or rename/re-level it in place. A node never
    moves: its descendants' materialised paths would be left pointing at the old place.
    `sort=None` leaves the display order as it is."""
    node = OrgNode.objects.filter(code=code).first()
    if node is not None and node.parent_id != (parent.pk if parent else None):
        raise ValueError(_("区划 {code} 已挂在其他上级之下，移动节点须另行处理。").format(code=code))
    if node is not None and (node.name, node.level) == (name, level) and sort in (None, node.sort):
        return node
    created = node is None
    node = node or OrgNode(code=code, parent=parent)
    node.name, node.level = name, level
    if sort is not None:
        node.sort = sort
    node.save()
    record(
        actor=actor,
        verb="org.created" if created else "org.updated",
        target=node,
        org=node,
        payload={"code": code, "name": name, "level": level},
    )
    return node


@transaction.atomic
def site_upsert(*, actor=None, name: str, org: OrgNode, kind: str, services=(), **details) -> Site:
    fields = {"org": org, "kind": kind, **details}
    site = Site.objects.filter(name=name).first()
    services = list(services)
    if (
        site is not None
        and not _differs(site, fields)
        and {s.pk for s in site.services.all()} == {s.pk for s in services}
    ):
        return site
    created = site is None
    site = site or Site(name=name)
    for key, value in fields.items():
        setattr(site, key, value)
    site.save()
    site.services.set(services)
    record(
        actor=actor,
        verb="site.created" if created else "site.updated",
        target=site,
        org=org,
        payload={"name": name, "kind": kind},
    )
    return site


@transaction.atomic
def site_contacts_replace(*, actor=None, site: Site, contacts: list[dict]) -> None:
    """Replace the published contacts of `site` with `contacts` (dicts of role, name,
    phone), in that order. Writes nothing when the list is what the site already shows."""
    wanted = [(c["role"], c["name"], c.get("phone", "")) for c in contacts]
    current = list(site.contacts.order_by("sort", "id").values_list("role", "name", "phone"))
    if current == wanted:
        return
    site.contacts.all().delete()
    SiteContact.objects.bulk_create(SiteContact(site=site, sort=i, **c) for i, c in enumerate(contacts))
    record(actor=actor, verb="site.contacts_replaced", target=site, org=site.org, payload={"count": len(contacts)})


@transaction.atomic
def window_upsert(
    *, actor=None, site: Site, number: int, name: str, services=(), is_active: bool | None = None
) -> Window:
    """Create or update window `number` of `site`. `is_active=None` leaves it as it is."""
    services = list(services)
    window = Window.objects.filter(site=site, number=number).first()
    if (
        window is not None
        and window.name == name
        and is_active in (None, window.is_active)
        and {s.pk for s in window.services.all()} == {s.pk for s in services}
    ):
        return window
    created = window is None
    window = window or Window(site=site, number=number)
    window.name = name
    if is_active is not None:
        window.is_active = is_active
    window.save()
    window.services.set(services)
    record(
        actor=actor,
        verb="window.created" if created else "window.updated",
        target=window,
        org=site.org,
        payload={"number": number, "name": name},
    )
    return window


@transaction.atomic
def window_delete(*, actor=None, window: Window) -> None:
    site, number, name = window.site, window.number, window.name
    window.delete()
    record(
        actor=actor,
        verb="window.deleted",
        target=site,
        org=site.org,
        payload={"number": number, "name": name},
    )


def _differs(instance, fields: dict) -> bool:
    return any(getattr(instance, key) != value for key, value in fields.items())
