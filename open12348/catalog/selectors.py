from django.db.models import Prefetch, QuerySet

from open12348.catalog.models import LegalCategory, ServiceItem


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
    return ServiceItem.objects.filter(code=code, is_active=True).first()


def legal_category_tree() -> QuerySet[LegalCategory]:
    """Top-level categories with their active sub-categories prefetched."""
    children = LegalCategory.objects.filter(is_active=True).order_by("sort", "code")
    return (
        LegalCategory.objects.filter(parent__isnull=True, is_active=True)
        .prefetch_related(Prefetch("children", queryset=children))
        .order_by("sort", "code")
    )
