"""Template helpers of the public site: the quick-exit button's target, and which legal
categories are sensitive enough for it (`{% if consultation.legal_category|needs_quick_exit %}
{% include "includes/quick_exit.html" %}{% endif %}`)."""

from django import template
from django.conf import settings
from django.urls import reverse

from open12348.portal import life_events

register = template.Library()


@register.simple_tag
def quick_exit_url() -> str:
    """settings.QUICK_EXIT_URL (default /exit/, the site's neutral calendar page)."""
    return getattr(settings, "QUICK_EXIT_URL", "") or reverse("portal:exit")


@register.filter
def needs_quick_exit(category) -> bool:
    """True for a legal category (object or code) of a sensitive life event — 婚姻家庭 and
    家庭暴力 — or under one of them (离婚, 抚养 …)."""
    if category is None or category == "":
        return False
    codes = {getattr(category, "code", category)}
    parent = getattr(category, "parent", None)
    if parent is not None:
        codes.add(parent.code)
    return bool(codes & life_events.SENSITIVE_CATEGORIES)
