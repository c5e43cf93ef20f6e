"""Routing as a pure function: (service item, legal category, area, complexity) → the org
level and post that handles an order, and why. Rules are data (RoutingRule rows, edited by
bureau administrators); this module only evaluates them.

Locality (属地): general matters go to the area's own street/town or district; complex or
difficult ones go up to the city (seed 002 §5.5.2(1))."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    service_item: str | None  # service item code; None matches any
    legal_category: str | None  # category code; a parent category matches its sub-categories
    complex_only: bool | None  # True: only complex matters; False: only general ones; None: either
    target: str  # "street" | "district" | "city" | "area"
    post_code: str
    priority: int


@dataclass(frozen=True)
class Route:
    target_level: str
    post_code: str
    rule: Rule | None
    reason: str


DEFAULT_REASON = gettext_lazy("未匹配到分派规则：按属地原则由受理所在区域办理，等待负责人分派。")


def _matches(rule: Rule, item: str, categories: tuple[str, ...], is_complex: bool) -> bool:
    return (
        (rule.service_item is None or rule.service_item == item)
        and (rule.legal_category is None or rule.legal_category in categories)
        and (rule.complex_only is None or rule.complex_only == is_complex)
    )


def _specificity(rule: Rule) -> int:
    return sum(x is not None for x in (rule.service_item, rule.legal_category, rule.complex_only))


def route(rules: list[Rule], *, item: str, categories: tuple[str, ...], is_complex: bool) -> Route:
    """`categories`: the order's category code and its ancestors' codes."""
    candidates = [rule for rule in rules if _matches(rule, item, categories, is_complex)]
    if not candidates:
        return Route("area", "", None, str(DEFAULT_REASON))
    best = min(candidates, key=lambda rule: (-_specificity(rule), rule.priority, rule.id))
    return Route(
        best.target,
        best.post_code,
        best,
        _("按规则「{name}」分派（{conditions}）。").format(name=best.name, conditions=_describe(best)),
    )


LEVEL_NAMES = {
    "street": gettext_lazy("属地街镇"),
    "district": gettext_lazy("属地区县"),
    "city": gettext_lazy("市级"),
    "area": gettext_lazy("受理所在区域"),
}


def _describe(rule: Rule) -> str:
    conditions = []
    if rule.service_item:
        conditions.append(_("事项 {service_item}").format(service_item=rule.service_item))
    if rule.legal_category:
        conditions.append(_("类别 {legal_category}").format(legal_category=rule.legal_category))
    if rule.complex_only is not None:
        conditions.append(_("疑难复杂") if rule.complex_only else _("一般事项"))
    where = LEVEL_NAMES[rule.target] + (
        _("的 {post_code} 岗位").format(post_code=rule.post_code) if rule.post_code else ""
    )
    return ("、".join(conditions) or _("所有事项")) + f" → {where}"
