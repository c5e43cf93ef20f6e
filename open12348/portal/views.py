"""The public site: home by life event (tiles, "为您推荐", site finder, service catalog,
hotline), the life-event pages, the site finder page, display preferences (大字版, 高对比度),
the citizen account (/me/), the neutral page of the quick-exit button (/exit/), the
after-login dispatch and the staff console."""

import calendar
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from open12348.accounts import roles
from open12348.accounts.views import safe_next
from open12348.catalog.selectors import service_item_by_code, service_item_list
from open12348.content import recommend
from open12348.core.middleware import CHOICES, PREFERENCE_COOKIE
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import area_of, finder_areas, in_area, org_by_code, site_list, visible_orgs
from open12348.portal import account, life_events

SITES_PER_PAGE = 20
PREFERENCE_MAX_AGE = 365 * 24 * 3600
# The area a visitor chose in the site finder: the home page's "为您推荐" and the life-event
# pages use it (a coarse preference, like `ui`; no account needed).
AREA_COOKIE = "area"
RECOMMENDATIONS = 6
LIFE_EVENT_ARTICLES = 8
FINDER_LEVELS = (OrgNode.Level.CITY, OrgNode.Level.DISTRICT, OrgNode.Level.STREET)
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


def chosen_area(request) -> OrgNode | None:
    """The area remembered from the site finder (the `area` cookie), if it is still a finder area."""
    code = (request.COOKIES.get(AREA_COOKIE) or "").strip()
    if not (code.isascii() and code.isdigit() and len(code) <= 12):
        return None
    area = org_by_code(code)
    return area if area is not None and area.level in FINDER_LEVELS else None


def _remember_area(response, area: OrgNode | None):
    if area is not None:
        response.set_cookie(
            AREA_COOKIE,
            area.code,
            max_age=PREFERENCE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def consult_url(category: str = "") -> str:
    """The ask form of online consultation, with the category it starts with."""
    try:
        url = reverse("consultations:ask")
    except NoReverseMatch:
        url = "/consult/ask/"
    return f"{url}?category={category}" if category else url


@require_GET
def home(request):
    area = chosen_area(request)
    context = {
        "items": service_item_list(),
        "area_choices": _area_choices(),
        "area_code": area.code if area else "",
        "searched": False,
        "life_events": life_events.EVENTS,
        "recommendations": recommend.recommend_for(request.user, area=area, limit=RECOMMENDATIONS),
        "signed_in_citizen": account.is_citizen_account(request.user),
    }
    return render(request, "portal/home.html", context)


@require_GET
def life_event(request, slug: str):
    """One life event: what to do, the services, the articles, the consultation form, the hotline
    and the sites. Sensitive events (domestic violence …) carry the quick-exit button and are
    never cached."""
    event = life_events.get(slug)
    if event is None:
        raise Http404(_("没有找到该事项。"))
    area = chosen_area(request)
    services = [service_item_by_code(code) for code in event.services]
    context = {
        "event": event,
        "services": [item for item in services if item is not None],
        "articles": recommend.articles_in_categories(
            list(event.categories), site=recommend.site_of(area), limit=LIFE_EVENT_ARTICLES, family=False
        ),
        "consult_url": consult_url(event.consult_category),
        "area": area,
        "sites_url": reverse("portal:sites") + (f"?area={area.code}" if area else ""),
        "other_events": [other for other in life_events.EVENTS if other.slug != event.slug],
    }
    response = render(request, "portal/life_event.html", context)
    if event.sensitive:
        response["Cache-Control"] = "no-store, max-age=0"
    return response


@require_GET
@vary_on_headers("HX-Request")
def sites(request):
    """Service sites by area. Without JavaScript a full page; with htmx only the results."""
    context = _site_finder(request) | {"area_choices": _area_choices()}
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "portal/sites.html#site-results", context)
    else:
        response = render(request, "portal/sites.html", context)
    return _remember_area(response, context["area"])


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


# ---- the citizen account -----------------------------------------------------------------------


def _staff_home(user) -> str:
    if user.has_perm("accounts.view_staff_console"):
        return reverse("portal:console")
    return reverse("admin:index") if user.is_staff else reverse("accounts:profile")


@never_cache
@require_GET
@login_required
def me(request):
    """我的: my requests, my consultations, my ratings and what is recommended to me. Staff
    have their console instead."""
    user = request.user
    if not account.is_citizen_account(user):
        return redirect(_staff_home(user))
    consultations = list(account.my_consultations(user)[: account.LIST_LIMIT])
    for consultation in consultations:
        consultation.url = account.consultation_url(consultation)
    context = {
        "orders": account.my_requests_rows(user),
        "consultations": consultations,
        "ratings": account.my_ratings(user),
        "recommendations": recommend.recommend_for(user, area=chosen_area(request), limit=RECOMMENDATIONS),
        "reads": recommend.reads_of(user, limit=10),
        "consult_url": consult_url(),
        "list_limit": account.LIST_LIMIT,
        "read_keep_days": recommend.READ_KEEP_DAYS,
    }
    return render(request, "portal/me.html", context)


@require_POST
@login_required
def me_track(request, code: str):
    """Open one of my requests on the public tracking page (where it can also be rated) without
    typing the code and phone again: the page reads them from the session, as after a look-up."""
    from open12348.workorders.views import TRACKED_KEY

    if not account.is_citizen_account(request.user):
        return redirect(_staff_home(request.user))
    order = account.my_request_by_code(request.user, code)
    if order is None:
        raise Http404(_("没有找到该诉求。"))
    request.session[TRACKED_KEY] = {"code": order.tracking_code, "phone": order.applicant.phone}
    return redirect("requests:track")


@require_POST
@login_required
def me_reads_clear(request):
    deleted = recommend.article_reads_clear(actor=request.user)
    if deleted:
        messages.success(request, _("已清除您的阅读记录，推荐内容将不再参考这些记录。"))
    else:
        messages.info(request, _("您没有阅读记录。"))
    return redirect(reverse("portal:me") + "#reads")


# ---- the neutral page of the quick-exit button ------------------------------------------------


@require_GET
def quick_exit_page(request):
    """Where 一键离开 leaves to (settings.QUICK_EXIT_URL, default /exit/): a plain calendar, with
    nothing of the site on it (no header, no legal words), so a glance at the screen or at the
    tab gives nothing away."""
    today = timezone.localdate()
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(today.year, today.month)
    context = {
        "today": today,
        "weeks": [[(day, day.month == today.month) for day in week] for week in weeks],
        "weekday_names": [
            _("一"),
            _("二"),
            _("三"),
            _("四"),
            _("五"),
            _("六"),
            _("日"),
        ],
        "weekday": [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")][
            today.weekday()
        ],
    }
    response = render(request, "portal/exit.html", context)
    response["Cache-Control"] = "no-store, max-age=0"
    return response
