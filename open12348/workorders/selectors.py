"""Reads of work orders. Scoping lives here: a staff member sees an order when its handling
org or its area lies in their subtree (orgs.selectors.in_area), or when they are its
first-inquiry owner or assignee. "Due soon" and "overdue" are derived from the deadline at
read time."""

import datetime

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from open12348.audit.models import Event
from open12348.catalog.models import ServiceItem
from open12348.core import workdays
from open12348.core.fields import lookup_hash
from open12348.core.prepared import PreparedQuery
from open12348.orgs.models import OrgNode
from open12348.orgs.selectors import area_of
from open12348.workorders import sla
from open12348.workorders.models import (
    OPEN_STATUSES,
    Channel,
    DutyShift,
    FollowUp,
    Note,
    Post,
    RatingAppeal,
    ReceptionDay,
    Status,
    WorkOrder,
)

TABS = ("mine", "post", "unassigned", "due_soon", "overdue", "awaiting")
OPEN = [str(status) for status in OPEN_STATUSES]
RUNNING = [Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS]  # open, clock not paused


def _subtree_ids(node: OrgNode) -> QuerySet[OrgNode]:
    """The ids of `node`'s subtree, as a subquery: the orders are then filtered on their own
    indexed foreign keys (`handling_org_id IN (…)`) instead of joining the org table twice
    and matching paths row by row."""
    return OrgNode.objects.filter(path__startswith=node.path).values("id")


def _scope_q(viewer) -> Q | None:
    area = area_of(viewer)
    if area is None:
        return None
    nodes = _subtree_ids(area)
    return Q(handling_org__in=nodes) | Q(area__in=nodes) | Q(first_owner=viewer) | Q(assignee=viewer)


def visible_workorders(viewer, *, within: OrgNode | None = None) -> QuerySet[WorkOrder]:
    """The orders `viewer` may see; narrowed to `within` (an API token's org, which lies in the
    viewer's area) when given: then only orders whose handling org or area is in that subtree."""
    if within is not None:
        area = area_of(viewer)
        if area is None or not within.is_within(area):
            return WorkOrder.objects.none()
        nodes = _subtree_ids(within)
        return WorkOrder.objects.filter(Q(handling_org__in=nodes) | Q(area__in=nodes))
    scope = _scope_q(viewer)
    if scope is None:
        return WorkOrder.objects.none()
    return WorkOrder.objects.filter(scope)


def is_visible(viewer, order: WorkOrder) -> bool:
    """The same rule as `visible_workorders`, on an order already in memory."""
    area = area_of(viewer)
    if area is None:
        return False
    return (
        order.handling_org.path.startswith(area.path)
        or order.area.path.startswith(area.path)
        or (order.first_owner_id is not None and order.first_owner_id == viewer.pk)
        or (order.assignee_id is not None and order.assignee_id == viewer.pk)
        or in_joint_review(area, order)
    )


def in_joint_review(area, order: WorkOrder) -> bool:
    """Staff of an org taking part in the order's joint review (联审会办) see the order's
    page (not their inbox lists): one indexed look-up, run only when nothing else matched."""
    from open12348.workorders.models import JointReview

    return JointReview.objects.filter(work_order_id=order.pk, org__path__startswith=area.path).exists()


def due_soon_cutoff(now: datetime.datetime) -> datetime.datetime:
    """Orders whose deadline is at or before this moment (and not past) are "due soon"."""
    last = sla.add_working_days(sla.local_date(now), sla.DUE_SOON_WORKING_DAYS, workdays.is_workday)
    return sla.end_of_day(last)


def _post_ids(viewer) -> list[int]:
    """The posts `viewer` is a member of: a short list, empty for most (directors, say), and
    then the "post" tab is empty without a query (`post__in=[]`)."""
    if viewer.pk is None:
        return []
    return list(Post.members.through.objects.filter(user_id=viewer.pk).values_list("post_id", flat=True))


def _tab_q(tab: str, viewer, now, *, posts: list[int] | None = None) -> Q:
    """The condition of one inbox tab; `posts` is `_post_ids(viewer)` when already known."""
    if tab == "mine":
        return Q(assignee=viewer, status__in=OPEN)
    if tab == "post":
        return Q(post__in=_post_ids(viewer) if posts is None else posts, assignee__isnull=True, status__in=OPEN)
    if tab == "unassigned":
        return Q(handling_org__in=_subtree_ids(area_of(viewer)), assignee__isnull=True, status__in=OPEN)
    if tab == "due_soon":
        return Q(status__in=RUNNING, deadline__gte=now, deadline__lte=due_soon_cutoff(now))
    if tab == "overdue":
        return Q(status__in=RUNNING, deadline__lt=now)
    if tab == "awaiting":
        return Q(status=Status.AWAITING_MATERIALS)
    raise ValueError(tab)


def workorder_list(
    *,
    viewer,
    tab: str = "",
    status: str = "",
    channel: str = "",
    q: str = "",
    area_code: str = "",
    service_item: str = "",
    legal_category: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    now: datetime.datetime | None = None,
    within: OrgNode | None = None,
) -> QuerySet[WorkOrder]:
    """The inbox: scoped (narrowed to `within`, see `visible_workorders`), one tab, filters;
    urgent first, then by deadline."""
    orders = visible_workorders(viewer, within=within)
    if not orders.query.is_empty() and tab in TABS:
        orders = orders.filter(_tab_q(tab, viewer, now or timezone.now()))
    if status:
        orders = orders.filter(status=status)
    if channel:
        orders = orders.filter(channel=channel)
    if area_code:
        orders = orders.filter(area__in=OrgNode.objects.filter(path__contains=f"/{area_code}/").values("id"))
    if service_item:
        orders = orders.filter(service_item__code=service_item)
    if legal_category:
        orders = orders.filter(Q(legal_category__code=legal_category) | Q(legal_category__parent__code=legal_category))
    if date_from:
        orders = orders.filter(received_at__gte=_day_start(date_from))
    if date_to:
        orders = orders.filter(received_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    if q:
        text = q.strip()
        code = text.upper().replace(" ", "")
        condition = Q(description__icontains=text) | Q(tracking_code__iexact=code)
        if len(code) == 8 and "-" not in code:
            condition |= Q(tracking_code=f"{code[:4]}-{code[4:]}")
        if any(ch.isdigit() for ch in text):
            condition |= Q(applicant__phone_hash=lookup_hash("phone", text))
        orders = orders.filter(condition)
    orders = orders.select_related("service_item", "legal_category", "area", "handling_org", "assignee", "post")
    if tab in ("mine", "due_soon", "overdue"):
        return orders.order_by("-priority", "deadline", "-id")
    return orders.order_by("-received_at", "-id")


# The columns an inbox row shows (API list, B4): a page of 20 rows with every column of eight
# joined tables cost more in model building than the query itself.
INBOX_ROW_FIELDS = (
    "tracking_code",
    "channel",
    "status",
    "priority",
    "green_channel",
    "received_at",
    "deadline",
    "clock_paused_at",
    "service_item__code",
    "service_item__name",
    "legal_category__code",
    "legal_category__name",
    "area__code",
    "handling_org__code",
    "post__code",
    "assignee__username",
    "assignee__display_name",
    "applicant__name",
    "applicant__phone",
)


def inbox_rows(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """`workorder_list`'s orders narrowed to what an inbox row shows (with the applicant)."""
    return orders.select_related("applicant").only(*INBOX_ROW_FIELDS)


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=sla.BEIJING)


# Tabs whose condition puts an order in the viewer's scope by itself (`_scope_q`: assignee =
# viewer; handling org in the viewer's subtree): they are counted without the scope condition.
_TABS_IN_SCOPE = frozenset({"mine", "unassigned"})


def inbox_counts(*, viewer, now: datetime.datetime | None = None) -> dict[str, int]:
    """How many orders each tab holds (exact): one COUNT per tab, each read from an index that
    starts with the tab's own condition (models.WorkOrder.Meta.indexes), so a tab reads only
    its own orders' index entries, never the wide rows nor the other tabs' orders: "mine" and
    "unassigned" from wo_assignee, "post" from wo_post_open (no count when the viewer is in no
    post), "due_soon", "overdue" and "awaiting" from wo_open_counts, which also holds the
    scope columns."""
    now = now or timezone.now()
    if area_of(viewer) is None:
        return dict.fromkeys(TABS, 0)
    posts = _post_ids(viewer)
    scoped = visible_workorders(viewer)
    counts = {}
    for tab in TABS:
        if tab == "post" and not posts:
            counts[tab] = 0
            continue
        orders = WorkOrder.objects.all() if tab in _TABS_IN_SCOPE else scoped
        counts[tab] = orders.filter(_tab_q(tab, viewer, now, posts=posts)).count()
    return counts


_ORDER_WITH_RELATIONS = PreparedQuery(
    lambda pk: (
        WorkOrder.objects.select_related(
            "service_item",
            "legal_category",
            "area",
            "handling_org",
            "assignee",
            "post",
            "applicant",
            "first_owner",
            "merged_into",
        )
        .filter(pk=pk)
        .order_by()
    ),
    int,
)


def workorder_for(viewer, pk) -> WorkOrder | None:
    """The order with its relations if `viewer` may see it, else None. One primary-key read;
    the scope rule is checked on the row (`is_visible`, the order-page rule) instead of
    joining the org paths into the query."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63 or area_of(viewer) is None:  # beyond a bigint: no such order
        return None
    order = _ORDER_WITH_RELATIONS.first(pk)
    return order if order is not None and is_visible(viewer, order) else None


def workorder_track(*, code: str, phone: str) -> WorkOrder | None:
    """The citizen's look-up: code (any case, with or without the hyphen) + the applicant's
    phone; a merged order leads to the order it was merged into."""
    from open12348.workorders.services import normalise_tracking_code

    code = normalise_tracking_code(code)
    if not code or not (phone or "").strip():
        return None
    order = WorkOrder.objects.select_related("applicant").filter(tracking_code=code).first()
    if order is None or order.applicant.phone_hash != lookup_hash("phone", phone):
        return None
    seen = {order.pk}
    while order.merged_into_id is not None and order.merged_into_id not in seen:
        seen.add(order.merged_into_id)
        order = WorkOrder.objects.select_related("applicant").get(pk=order.merged_into_id)
    return WorkOrder.objects.select_related("service_item", "handling_org", "area").get(pk=order.pk)


def public_replies(order: WorkOrder) -> QuerySet[Note]:
    return Note.objects.filter(work_order=order, is_public=True).order_by("created_at", "id")


def applicant_history(*, viewer, phone: str, limit: int = 20) -> list[WorkOrder]:
    """Earlier orders of the caller with this phone number, open ones first (scoped)."""
    if not (phone or "").strip():
        return []
    orders = visible_workorders(viewer).filter(applicant__phone_hash=lookup_hash("phone", phone))
    return list(
        orders.annotate(
            is_open=Case(When(status__in=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .select_related("service_item", "handling_org")
        .order_by("is_open", "-received_at", "-id")[:limit]
    )


def workorder_timeline(order: WorkOrder) -> QuerySet[Event]:
    """The audit events of the order, oldest first."""
    return timeline_events(str(order.pk))


def timeline_events(target_id: str) -> QuerySet[Event]:
    return (
        Event.objects.filter(target_type=WorkOrder._meta.label_lower, target_id=target_id)
        .select_related("actor")
        .order_by("seq")
    )


def due_state(order: WorkOrder, now: datetime.datetime | None = None) -> str:
    if order.status not in OPEN_STATUSES:
        return ""
    return sla.due_state(
        order.deadline, now or timezone.now(), workdays.is_workday, paused=order.clock_paused_at is not None
    )


# --- ledgers (B7) --------------------------------------------------------------------------


def _ledger(viewer, **filters) -> QuerySet[WorkOrder]:
    return (
        visible_workorders(viewer)
        .filter(**filters)
        .select_related(
            "service_item", "legal_category", "area", "handling_org", "assignee", "first_owner", "applicant"
        )
        .order_by("-received_at", "-id")
    )


def ledger_visits(*, viewer) -> QuerySet[WorkOrder]:
    return _ledger(viewer, channel=Channel.WINDOW)


def ledger_calls(*, viewer) -> QuerySet[WorkOrder]:
    return _ledger(viewer, channel=Channel.HOTLINE)


def ledger_acceptance(*, viewer) -> QuerySet[WorkOrder]:
    return _ledger(viewer)


def ledger_complaints(*, viewer) -> QuerySet[WorkOrder]:
    return _ledger(viewer, service_item__category=ServiceItem.Category.COMPLAINT)


def ledger_duty_shifts(*, viewer) -> QuerySet[DutyShift]:
    area = area_of(viewer)
    if area is None:
        return DutyShift.objects.none()
    return (
        DutyShift.objects.filter(org__path__startswith=area.path)
        .select_related("org", "site", "window", "user")
        .order_by("-starts_at", "id")
    )


def ledger_reception_days(*, viewer) -> QuerySet[ReceptionDay]:
    area = area_of(viewer)
    if area is None:
        return ReceptionDay.objects.none()
    return ReceptionDay.objects.filter(org__path__startswith=area.path).select_related("org").order_by("-date", "id")


def follow_up_queue(*, viewer, open_only: bool = True) -> QuerySet[FollowUp]:
    """The director's follow-ups of 不满意 ratings, in their subtree, earliest deadline first."""
    area = area_of(viewer)
    if area is None:
        return FollowUp.objects.none()
    follow_ups = FollowUp.objects.filter(owner_org__path__startswith=area.path)
    if open_only:
        follow_ups = follow_ups.filter(resolved_at__isnull=True)
    return follow_ups.select_related("work_order", "owner_org").order_by("deadline", "id")


def rating_appeals_pending(*, viewer) -> QuerySet[RatingAppeal]:
    area = area_of(viewer)
    if area is None:
        return RatingAppeal.objects.none()
    return RatingAppeal.objects.filter(
        work_order__handling_org__path__startswith=area.path, upheld__isnull=True
    ).select_related("work_order", "by")


def assignable_staff(order: WorkOrder, *, limit: int = 200):
    """Active staff of the handling org's subtree, for the director's assign form."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(
        is_active=True, staff_profile__org__path__startswith=order.handling_org.path
    )
    return users.order_by("username")[:limit]


def workorder_route_reason(order: WorkOrder) -> str:
    """Why the order went where it went, as its `workorder.created` event recorded it."""
    from open12348.audit.models import Event

    event = (
        Event.objects.filter(target_type=WorkOrder._meta.label_lower, target_id=str(order.pk), verb="workorder.created")
        .only("payload")
        .first()
    )
    return str((event.payload or {}).get("route_reason", "")) if event is not None else ""
