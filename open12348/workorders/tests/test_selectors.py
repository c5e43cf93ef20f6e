import datetime

import pytest
import time_machine

from open12348.catalog.models import ServiceItem
from open12348.workorders import selectors, services
from open12348.workorders.models import Status
from open12348.workorders.tests.factories import APPLICANT_PHONE, legal_category, make_order, post, service_item

pytestmark = pytest.mark.django_db
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def at(*args):
    return datetime.datetime(*args, tzinfo=BEIJING)


@pytest.fixture
def orders(clerk_a, clerk_a2, outsider_b, town_a, town_a2, town_b):
    complaint = service_item("complaint", days=10, name="投诉", category=ServiceItem.Category.COMPLAINT)
    return {
        "chengxiang_window": make_order(actor=clerk_a, area=town_a),
        "chengxiang_complaint": make_order(actor=clerk_a, area=town_a, service_item=complaint),
        "shaxi_hotline": make_order(actor=clerk_a2, area=town_a2, channel="hotline"),
        "yushan_window": make_order(actor=outsider_b, area=town_b),
    }


LISTS = {
    "inbox": lambda viewer: selectors.workorder_list(viewer=viewer),
    "unassigned": lambda viewer: selectors.workorder_list(viewer=viewer, tab="unassigned"),
    "overdue": lambda viewer: selectors.workorder_list(viewer=viewer, tab="overdue", now=at(2030, 1, 1)),
    "due_soon": lambda viewer: selectors.workorder_list(viewer=viewer, tab="due_soon"),
    "mine": lambda viewer: selectors.workorder_list(viewer=viewer, tab="mine"),
    "awaiting": lambda viewer: selectors.workorder_list(viewer=viewer, tab="awaiting"),
    "visits": lambda viewer: selectors.ledger_visits(viewer=viewer),
    "calls": lambda viewer: selectors.ledger_calls(viewer=viewer),
    "acceptance": lambda viewer: selectors.ledger_acceptance(viewer=viewer),
    "complaints": lambda viewer: selectors.ledger_complaints(viewer=viewer),
    "history": lambda viewer: selectors.applicant_history(viewer=viewer, phone=APPLICANT_PHONE),
}


@pytest.mark.parametrize("name", LISTS)
def test_clerk_a_sees_nothing_of_shaxi_in_any_list(name, orders, clerk_a):
    codes = {order.area.name for order in LISTS[name](clerk_a)}
    assert codes <= {"城厢镇"}


@pytest.mark.parametrize("name", LISTS)
def test_outsider_b_sees_nothing_of_taicang_in_any_list(name, orders, outsider_b):
    assert all(order.area.name == "玉山镇" for order in LISTS[name](outsider_b))


@pytest.mark.parametrize("name", LISTS)
def test_citizens_and_anonymous_users_see_no_list(name, orders, citizen):
    from django.contrib.auth.models import AnonymousUser

    assert list(LISTS[name](citizen)) == list(LISTS[name](AnonymousUser())) == []


def test_the_director_sees_both_towns_and_the_city_operator_sees_everything(orders, director_a, operator):
    assert {o.area.name for o in selectors.workorder_list(viewer=director_a)} == {"城厢镇", "沙溪镇"}
    assert {o.area.name for o in selectors.workorder_list(viewer=operator)} == {"城厢镇", "沙溪镇", "玉山镇"}


def test_the_ledgers_split_by_channel_and_category(orders, director_a):
    assert {o.channel for o in selectors.ledger_visits(viewer=director_a)} == {"window"}
    assert [o.area.name for o in selectors.ledger_calls(viewer=director_a)] == ["沙溪镇"]
    assert list(selectors.ledger_complaints(viewer=director_a)) == [orders["chengxiang_complaint"]]
    assert selectors.ledger_acceptance(viewer=director_a).count() == 3


def test_an_order_is_seen_by_its_first_owner_after_it_leaves_their_area(orders, clerk_a, operator, town_b):
    order = orders["chengxiang_window"]
    from open12348.accounts.tests.factories import make_staff

    city_director = make_staff("city_director", operator.staff_profile.org, "site_director")
    services.workorder_transition(actor=city_director, order=order, action="transfer", org=town_b, reason="属昆山")
    assert selectors.workorder_for(clerk_a, order.pk) == order  # first-inquiry owner stays accountable


def test_workorder_for_hides_orders_outside_the_viewers_scope(orders, clerk_a, outsider_b):
    order = orders["chengxiang_window"]
    assert selectors.workorder_for(clerk_a, order.pk) == order
    assert selectors.workorder_for(outsider_b, order.pk) is None
    assert selectors.workorder_for(clerk_a, "not-a-number") is None


def test_the_tabs_follow_assignment_posts_and_the_clock(clerk_a, director_a, town_a):
    consultation_post = post(town_a, members=[clerk_a])
    with time_machine.travel(at(2026, 11, 16, 9, 0), tick=False):  # Monday
        mine = make_order(actor=clerk_a, area=town_a, service_item=service_item(days=2))
        services.workorder_transition(actor=clerk_a, order=mine, action="claim")
        waiting = make_order(actor=clerk_a, area=town_a, service_item=service_item(days=2))
        in_post = make_order(actor=clerk_a, area=town_a, service_item=service_item(days=2))
    from open12348.workorders.models import WorkOrder

    WorkOrder.objects.filter(pk=in_post.pk).update(post=consultation_post)
    ids = lambda tab, now: {o.pk for o in selectors.workorder_list(viewer=clerk_a, tab=tab, now=now)}  # noqa: E731
    monday = at(2026, 11, 16, 10, 0)
    assert ids("mine", monday) == {mine.pk}
    assert ids("post", monday) == {in_post.pk}
    assert ids("unassigned", monday) == {waiting.pk, in_post.pk}
    assert ids("due_soon", monday) == {mine.pk, waiting.pk, in_post.pk}  # due Wednesday
    assert ids("overdue", monday) == set()
    assert ids("overdue", at(2026, 11, 19, 0, 0)) == {mine.pk, waiting.pk, in_post.pk}
    services.workorder_transition(actor=clerk_a, order=mine, action="start")
    services.workorder_transition(actor=clerk_a, order=mine, action="request_materials", reason="缺证据")
    assert ids("awaiting", monday) == {mine.pk}
    assert mine.pk not in ids("overdue", at(2026, 11, 19, 0, 0))  # the clock is stopped
    counts = selectors.inbox_counts(viewer=clerk_a, now=at(2026, 11, 19, 0, 0))
    assert counts == {"mine": 1, "post": 1, "unassigned": 2, "due_soon": 0, "overdue": 2, "awaiting": 1}
    assert selectors.due_state(waiting, at(2026, 11, 19, 0, 0)) == "overdue"
    assert selectors.due_state(mine, at(2026, 11, 19, 0, 0)) == "paused"


def test_inbox_counts_are_zero_for_outsiders(orders, outsider_b, citizen):
    assert selectors.inbox_counts(viewer=citizen) == dict.fromkeys(selectors.TABS, 0)
    assert selectors.inbox_counts(viewer=outsider_b)["unassigned"] == 1


def test_filters_narrow_the_inbox(orders, director_a, town_a2):
    code = orders["shaxi_hotline"].tracking_code
    assert [o.pk for o in selectors.workorder_list(viewer=director_a, channel="hotline")] == [
        orders["shaxi_hotline"].pk
    ]
    assert selectors.workorder_list(viewer=director_a, q=code.replace("-", "").lower()).get() == orders["shaxi_hotline"]
    assert selectors.workorder_list(viewer=director_a, q=APPLICANT_PHONE).count() == 3
    assert selectors.workorder_list(viewer=director_a, q="拖欠工资").count() == 3
    assert selectors.workorder_list(viewer=director_a, q="离婚").count() == 0
    assert selectors.workorder_list(viewer=director_a, area_code=town_a2.code).count() == 1
    assert selectors.workorder_list(viewer=director_a, service_item="complaint").count() == 1
    assert selectors.workorder_list(viewer=director_a, status=Status.RECEIVED).count() == 3
    today = orders["shaxi_hotline"].received_at.astimezone(BEIJING).date()
    assert selectors.workorder_list(viewer=director_a, date_from=today, date_to=today).count() == 3
    assert selectors.workorder_list(viewer=director_a, date_to=today - datetime.timedelta(days=1)).count() == 0


def test_a_parent_category_filter_includes_sub_categories(clerk_a, town_a):
    family = legal_category("marriage_family", "婚姻家庭")
    make_order(actor=clerk_a, area=town_a, legal_category=legal_category("inheritance", "继承", parent=family))
    assert selectors.workorder_list(viewer=clerk_a, legal_category="marriage_family").count() == 1


def test_tracking_needs_the_code_and_the_applicants_phone(orders):
    order = orders["chengxiang_window"]
    code = order.tracking_code
    assert selectors.workorder_track(code=code, phone=APPLICANT_PHONE) == order
    assert selectors.workorder_track(code=code.replace("-", "").lower(), phone="139 1234 5678") == order
    assert selectors.workorder_track(code=code, phone="13800000000") is None
    assert selectors.workorder_track(code="ABCD-EFGH", phone=APPLICANT_PHONE) is None
    assert selectors.workorder_track(code="not a code", phone=APPLICANT_PHONE) is None
    assert selectors.workorder_track(code=code, phone="") is None


def test_applicant_history_lists_open_orders_first(clerk_a, town_a):
    still_open = make_order(actor=clerk_a, area=town_a)
    newer_but_withdrawn = make_order(actor=clerk_a, area=town_a)
    services.workorder_transition(actor=clerk_a, order=newer_but_withdrawn, action="withdraw", reason="已自行解决")
    history = selectors.applicant_history(viewer=clerk_a, phone=APPLICANT_PHONE)
    assert history == [still_open, newer_but_withdrawn]
    assert selectors.applicant_history(viewer=clerk_a, phone="") == []


def test_the_timeline_lists_the_orders_events_oldest_first(clerk_a, town_a):
    order = make_order(actor=clerk_a, area=town_a)
    services.workorder_transition(actor=clerk_a, order=order, action="claim")
    services.workorder_transition(actor=clerk_a, order=order, action="start")
    assert [e.verb for e in selectors.workorder_timeline(order)] == [
        "workorder.created",
        "workorder.claim",
        "workorder.start",
    ]


# --- inbox counts: exact, for every kind of viewer ----------------------------------------


@pytest.fixture
def mixed_orders(clerk_a, clerk_a2, director_a, outsider_b, lawyer_a, area_a, town_a, town_a2, town_b):
    """40 orders with areas, handling orgs, first owners, assignees, posts, statuses and
    deadlines drawn from a seeded generator: orders handled outside their area, assigned to
    someone outside the handling org, in a post of another district …"""
    import random

    from open12348.workorders.models import WorkOrder

    rng = random.Random(12348)
    posts = [
        None,
        None,
        post(town_a, code="mediation", members=[clerk_a, lawyer_a]),
        post(town_b, code="aid", members=[outsider_b, clerk_a2]),  # clerk_a2's post lies outside their area
    ]
    orgs = [town_a, town_a2, town_b, area_a]
    people = [None, None, None, clerk_a, clerk_a2, director_a, outsider_b, lawyer_a]
    open_statuses = [Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_MATERIALS]
    statuses = open_statuses * 3 + [status for status in Status if status not in open_statuses + [Status.MERGED]]
    with time_machine.travel(at(2026, 11, 2, 9, 0), tick=False):
        orders = [make_order(actor=clerk_a, area=town_a) for _ in range(40)]
    for order in orders:
        WorkOrder.objects.filter(pk=order.pk).update(
            area=rng.choice(orgs[:3]),
            handling_org=rng.choice(orgs),
            first_owner=rng.choice(people),
            assignee=rng.choice(people),
            post=rng.choice(posts),
            status=rng.choice(statuses),
            deadline=at(2026, 11, 18, 12, 0) + datetime.timedelta(hours=rng.randint(-120, 120)),
        )
    # waiting in clerk_a2's post of town_b: one in their area, one outside it
    for order, area in zip(orders[:2], (town_a2, town_b), strict=True):
        WorkOrder.objects.filter(pk=order.pk).update(
            area=area, handling_org=town_b, first_owner=None, assignee=None, post=posts[3], status=Status.RECEIVED
        )
    return list(WorkOrder.objects.select_related("area", "handling_org"))


def _straightforward_counts(viewer, orders, now) -> dict[str, int]:
    """Each tab counted in Python, order by order, from the rules as written (the scope of
    `visible_workorders`; the tab conditions of the inbox)."""
    from open12348.orgs.selectors import area_of
    from open12348.workorders.models import OPEN_STATUSES

    area = area_of(viewer)
    if area is None:
        return dict.fromkeys(selectors.TABS, 0)
    posts = set(viewer.posts.values_list("pk", flat=True))
    running = {Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS}
    cutoff = selectors.due_soon_cutoff(now)

    def in_scope(o):
        return (
            o.handling_org.path.startswith(area.path)
            or o.area.path.startswith(area.path)
            or o.first_owner_id == viewer.pk
            or o.assignee_id == viewer.pk
        )

    tabs = {
        "mine": lambda o: o.assignee_id == viewer.pk and o.status in OPEN_STATUSES,
        "post": lambda o: o.post_id in posts and o.assignee_id is None and o.status in OPEN_STATUSES,
        "unassigned": lambda o: (
            o.handling_org.path.startswith(area.path) and o.assignee_id is None and o.status in OPEN_STATUSES
        ),
        "due_soon": lambda o: o.status in running and now <= o.deadline <= cutoff,
        "overdue": lambda o: o.status in running and o.deadline < now,
        "awaiting": lambda o: o.status == Status.AWAITING_MATERIALS,
    }
    return {tab: sum(1 for o in orders if in_scope(o) and rule(o)) for tab, rule in tabs.items()}


@pytest.mark.parametrize(
    "who", ["clerk_a", "clerk_a2", "director_a", "bureau_admin", "lawyer_a", "operator", "outsider_b", "citizen"]
)
def test_inbox_counts_equal_a_straightforward_count(who, mixed_orders, request):
    """Per-tab counts are exact (not capped) for clerks, directors, a bureau admin, post
    members (lawyer_a in a post of their area; clerk_a2 in one outside it, whose orders count
    only when in scope), the city operator, an outsider and a citizen; each tab's list holds
    as many orders as its count."""
    viewer = request.getfixturevalue(who)
    now = at(2026, 11, 18, 12, 0)
    expected = _straightforward_counts(viewer, mixed_orders, now)
    assert selectors.inbox_counts(viewer=viewer, now=now) == expected
    for tab in selectors.TABS:
        listed = selectors.workorder_list(viewer=viewer, tab=tab, now=now)
        assert len({o.pk for o in listed}) == listed.count() == expected[tab], tab


def test_the_mixed_orders_exercise_every_tab(mixed_orders, clerk_a, clerk_a2, director_a, lawyer_a, operator):
    """The data of the test above is not trivial: every tab holds orders for someone, and
    clerk_a2's post holds orders both inside and outside their scope."""
    now = at(2026, 11, 18, 12, 0)
    totals = dict.fromkeys(selectors.TABS, 0)
    for viewer in (clerk_a, clerk_a2, director_a, lawyer_a, operator):
        for tab, count in _straightforward_counts(viewer, mixed_orders, now).items():
            totals[tab] += count
    assert all(totals.values()), totals
    waiting_in_posts = sum(
        1
        for o in mixed_orders
        if o.post_id in set(clerk_a2.posts.values_list("pk", flat=True)) and o.assignee_id is None
    )
    assert 0 < _straightforward_counts(clerk_a2, mixed_orders, now)["post"] < waiting_in_posts
