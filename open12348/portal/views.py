"""The public site: home (service catalog, site finder, hotline), the site finder page,
display preferences (大字版, 高对比度), the after-login dispatch and the staff console."""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from open12348.accounts import roles
from open12348.accounts.views import safe_next
from open12348.catalog.selectors import service_item_list
from open12348.core.middleware import CHOICES, PREFERENCE_COOKIE
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import area_of, finder_areas, in_area, org_by_code, site_list, visible_orgs

SITES_PER_PAGE = 20
PREFERENCE_MAX_AGE = 365 * 24 * 3600
INDENT = "\u3000"  # ideographic space: indents the areas of the finder by level


def _area_choices() -> list[tuple[str, str]]:
    areas = list(finder_areas().order_by("path"))
    top = min((area.depth for area in areas), default=0)
    return [(area.code, INDENT * (area.depth - top) + area.name) for area in areas]


def _site_finder(request) -> dict:
    """The finder's state from `?area=<code>&page=<n>`. An unknown code is a message, not an error page."""
    code = (request.GET.get("area") or "").strip()
    area, error = None, ""
    if code:
        area = org_by_code(code[:12]) if code.isascii() and code.isdigit() else None
        if area is None:
            error = _("没有找到您选择的区域，请从列表中重新选择后再查询。")
    sites = site_list(area=area) if not error else site_list().none()
    page = Paginator(sites, SITES_PER_PAGE).get_page(request.GET.get("page"))
    return {"area_code": code if area else "", "area": area, "finder_error": error, "page": page, "searched": True}


@require_GET
def home(request):
    context = {
        "items": service_item_list(),
        "area_choices": _area_choices(),
        "searched": False,
    }
    return render(request, "portal/home.html", context)


@require_GET
@vary_on_headers("HX-Request")
def sites(request):
    """Service sites by area. Without JavaScript a full page; with htmx only the results."""
    context = _site_finder(request) | {"area_choices": _area_choices()}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "portal/sites.html#site-results", context)
    return render(request, "portal/sites.html", context)


@require_POST
def preferences(request):
    """Large type and high contrast, kept in the `ui` cookie (read by DisplayPreferencesMiddleware).
    Each button posts `large=on|off` or `contrast=on|off`; the other choice is kept."""
    prefs = set(request.display_prefs)
    for name in CHOICES:
        value = request.POST.get(name)
        if value == "on":
            prefs.add(name)
        elif value == "off":
            prefs.discard(name)
    response = redirect(safe_next(request, reverse("portal:home")))
    if prefs:
        response.set_cookie(
            PREFERENCE_COOKIE,
            ".".join(sorted(prefs)),
            max_age=PREFERENCE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(PREFERENCE_COOKIE, samesite="Lax")
    return response


@login_required
def after_login(request):
    """Staff to their console, administrators without one to the admin, citizens to their profile."""
    user = request.user
    if user.is_staff_member and user.has_perm("accounts.view_staff_console"):
        default = reverse("portal:console")
    elif user.is_staff:
        default = reverse("admin:index")
    else:
        default = reverse("accounts:profile")
    return redirect(safe_next(request, default))


def _org_tree(nodes: list[OrgNode]) -> list[dict]:
    """Nest the (path-ordered) nodes of a subtree for display."""
    present = {node.pk for node in nodes}
    children, roots = defaultdict(list), []
    for node in nodes:
        (children[node.parent_id] if node.parent_id in present else roots).append(node)

    def branch(node):
        return {"node": node, "children": [branch(child) for child in children[node.pk]]}

    return [branch(node) for node in roots]


def _ancestry(area: OrgNode | None) -> list[OrgNode]:
    trail = []
    while area is not None:
        trail.append(area)
        area = area.parent
    return trail[::-1]


@login_required
@permission_required("accounts.view_staff_console", raise_exception=True)
def console(request):
    user = request.user
    area = area_of(user)
    role_names = [roles.get(code).name for code in sorted(user.role_codes) if code in roles.BY_CODE]
    context = {
        "area": area,
        "area_trail": _ancestry(area),
        "role_names": role_names,
        "org_tree": _org_tree(list(visible_orgs(user).order_by("path"))),
        "sites": in_area(site_list(), user),
        "staff_site": getattr(getattr(user, "staff_profile", None), "site", None),
    }
    return render(request, "portal/console.html", context)
