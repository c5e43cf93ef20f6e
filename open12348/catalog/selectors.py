from django.db.models import Prefetch, QuerySet

from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.core import refcache


def service_item_list(*, category: str = "", channel: str = "") -> QuerySet[ServiceItem]:
    """The public catalog: active items in display order."""
    items = ServiceItem.objects.filter(is_active=True)
    if category:
        items = items.filter(category=category)
    if channel:
        # JSONField containment is not supported on SQLite; the catalog is small.
        codes = [item.code for item in items if channel in item.channels]
        items = items.filter(code__in=codes)
    return items.order_by("sort", "code")


def service_item_by_code(code: str) -> ServiceItem | None:
    """An active item by its code (reference cache: no query per intake)."""
    return _active_by_code(ServiceItem).get(code)


def legal_category_by_code(code: str) -> LegalCategory | None:
    """An active legal category by its code, with its parents loaded (routing reads them)."""
    return _active_by_code(LegalCategory).get(code)


def top_category_by_name(name: str) -> LegalCategory | None:
    """An active top-level category by its name: the classifier's 20 topic labels are these
    names (reference cache, no query)."""
    categories = _active_by_code(LegalCategory).values()
    return next((c for c in categories if c.parent_id is None and c.name == name), None)


def _active_by_code(model) -> dict:
    def load():
        rows = model.objects.filter(is_active=True)
        if model is LegalCategory:
            rows = rows.select_related("parent__parent")
        return {row.code: row for row in rows}

    return refcache.cached(f"{model._meta.label}:active", load, models=(model,))


def legal_category_tree() -> QuerySet[LegalCategory]:
    """Top-level categories with their active sub-categories prefetched."""
    children = LegalCategory.objects.filter(is_active=True).order_by("sort", "code")
    return (
        LegalCategory.objects.filter(parent__isnull=True, is_active=True)
        .prefetch_related(Prefetch("children", queryset=children))
        .order_by("sort", "code")
    )
