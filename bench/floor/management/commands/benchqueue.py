"""B4 `agent.queue_list`, in process (bench.settings only): the inbox a district director
opens — first page of a filtered list (status, channel, town), its total count, and the
count of every tab — through the selectors (`workorder_list`, `inbox_counts`: one COUNT per
tab), against the same queries written as raw SQL on the same connection. A-B-A per round
(raw, ORM, raw), each call timed; prints one JSON line with per-round p50/p95 and the ratios."""

import json
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from open12348.accounts.models import User
from open12348.orgs.selectors import area_of
from open12348.workorders import selectors
from open12348.workorders.models import OPEN_STATUSES, Post, Status, WorkOrder

PAGE = 20
STATUS = "received"
CHANNEL = "hotline"


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Command(BaseCommand):
    help = "B4: inbox list + counts through the selectors vs raw SQL (bench.settings only)."

    def add_arguments(self, parser):
        parser.add_argument("--viewer-id", type=int, required=True)
        parser.add_argument("--area", required=True, help="town code of the area filter")
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--iterations", type=int, default=30)

    def handle(self, *, viewer_id, area, rounds, iterations, **options):
        if settings.ROOT_URLCONF != "bench.floor.urls":
            raise SystemExit("benchqueue runs under bench.settings only")
        viewer = User.objects.get(pk=viewer_id)
        now = timezone.now()
        raw = RawQueue(viewer, area, now)

        def orm():
            orders = selectors.inbox_rows(
                selectors.workorder_list(viewer=viewer, status=STATUS, channel=CHANNEL, area_code=area, now=now)
            )
            page = list(orders[:PAGE])
            return len(page), orders.count(), selectors.inbox_counts(viewer=viewer, now=now)

        check_orm, check_raw = orm(), raw()
        if (check_orm[0], check_orm[1]) != (check_raw[0], check_raw[1]) or check_orm[2] != check_raw[2]:
            raise SystemExit(f"B4: the raw SQL does not give the ORM's answer: {check_orm} vs {check_raw}")

        def timed(function):
            samples = []
            for _ in range(iterations):
                started = time.perf_counter()
                function()
                samples.append((time.perf_counter() - started) * 1000)
            return samples

        for function in (raw, orm):  # warm the page cache and the statement caches
            timed(function)
        results = []
        for number in range(1, rounds + 1):
            before, subject, after = timed(raw), timed(orm), timed(raw)
            ref_p95 = (percentile(before, 0.95) + percentile(after, 0.95)) / 2
            ref_p50 = (statistics.median(before) + statistics.median(after)) / 2
            results.append(
                {
                    "round": number,
                    "raw_p50_ms": round(ref_p50, 3),
                    "raw_p95_ms": round(ref_p95, 3),
                    "orm_p50_ms": round(statistics.median(subject), 3),
                    "orm_p95_ms": round(percentile(subject, 0.95), 3),
                    "ratio_p95": round(percentile(subject, 0.95) / ref_p95, 4),
                    "ratio_p50": round(statistics.median(subject) / ref_p50, 4),
                }
            )
        sql, params = selectors.inbox_rows(
            selectors.workorder_list(viewer=viewer, status=STATUS, channel=CHANNEL, area_code=area, now=now)
        )[:PAGE].query.sql_with_params()
        self.stdout.write(
            json.dumps(
                {
                    "rounds": results,
                    "answer": {"page": check_orm[0], "count": check_orm[1], "tabs": check_orm[2]},
                    "orm_page_sql": sql % tuple(repr(p) for p in params),
                    "raw_sql": raw.statements,
                    "iterations": iterations,
                },
                ensure_ascii=False,
                default=str,
            )
        )


class RawQueue:
    """The same queries, written by hand in the selectors' shape: the scope as
    `handling_org_id IN (subtree) OR area_id IN (subtree) OR first owner OR assignee`, the
    town filter as `area_id IN (nodes under the town)`; the tab counts as one COUNT per tab
    (`inbox_counts`): "mine" and "unassigned" without the scope condition (their own condition
    implies it), "post" only when the viewer is in a post (looked up first)."""

    def __init__(self, viewer, area_code, now):
        area = area_of(viewer)
        ops = connection.ops
        wo = WorkOrder._meta.db_table
        members = Post.members.through._meta.db_table
        open_list = ", ".join(f"'{s}'" for s in sorted(str(s) for s in OPEN_STATUSES))
        running = ", ".join(f"'{s}'" for s in (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS))
        subtree = "(SELECT id FROM orgs_orgnode WHERE path LIKE %s)"
        scope = (
            f"(wo.handling_org_id IN {subtree} OR wo.area_id IN {subtree} "
            "OR wo.first_owner_id = %s OR wo.assignee_id = %s)"
        )
        self.scope_params = [area.path + "%", area.path + "%", viewer.pk, viewer.pk]
        filters = (
            "wo.status = %s AND wo.channel = %s AND wo.area_id IN (SELECT id FROM orgs_orgnode WHERE path LIKE %s)"
        )
        self.filter_params = [STATUS, CHANNEL, f"%/{area_code}/%"]
        self.page_sql = (
            "SELECT wo.id, wo.tracking_code, wo.channel, wo.status, wo.priority, wo.green_channel, wo.received_at, "
            "wo.deadline, wo.clock_paused_at, si.code, si.name, lc.code, lc.name, a.code, h.code, p.code, "
            "u.username, u.display_name, ap.name, ap.phone "
            f"FROM {wo} wo JOIN orgs_orgnode h ON h.id = wo.handling_org_id JOIN orgs_orgnode a ON a.id = wo.area_id "
            "JOIN catalog_serviceitem si ON si.id = wo.service_item_id "
            "LEFT JOIN catalog_legalcategory lc ON lc.id = wo.legal_category_id "
            "LEFT JOIN workorders_post p ON p.id = wo.post_id "
            f"LEFT JOIN {User._meta.db_table} u ON u.id = wo.assignee_id "
            "JOIN workorders_applicant ap ON ap.id = wo.applicant_id "
            f"WHERE {scope} AND {filters} ORDER BY wo.received_at DESC, wo.id DESC LIMIT {PAGE}"
        )
        self.count_sql = f"SELECT COUNT(*) FROM {wo} wo WHERE {scope} AND {filters}"
        when = ops.adapt_datetimefield_value
        cutoff = selectors.due_soon_cutoff(now)
        self.viewer_id = viewer.pk
        self.posts_sql = f"SELECT post_id FROM {members} WHERE user_id = %s"
        open_in = f"wo.status IN ({open_list})"
        count_from = f"SELECT COUNT(*) FROM {wo} wo WHERE"
        # tab → (SQL, parameters); "post" gets its post ids when the viewer has any
        self.tab_sql = {
            "mine": (f"{count_from} wo.assignee_id = %s AND {open_in}", [viewer.pk]),
            "post": (
                f"{count_from} wo.post_id IN ({{posts}}) AND wo.assignee_id IS NULL AND {open_in} AND {scope}",
                self.scope_params,
            ),
            "unassigned": (
                f"{count_from} wo.assignee_id IS NULL AND {open_in} AND wo.handling_org_id IN {subtree}",
                [area.path + "%"],
            ),
            "due_soon": (
                f"{count_from} wo.status IN ({running}) AND wo.deadline >= %s AND wo.deadline <= %s AND {scope}",
                [when(now), when(cutoff), *self.scope_params],
            ),
            "overdue": (
                f"{count_from} wo.status IN ({running}) AND wo.deadline < %s AND {scope}",
                [when(now), *self.scope_params],
            ),
            "awaiting": (f"{count_from} wo.status = 'awaiting_materials' AND {scope}", self.scope_params),
        }
        self.statements = [self.page_sql, self.count_sql, self.posts_sql, *(sql for sql, _ in self.tab_sql.values())]

    def __call__(self):
        with connection.cursor() as cursor:
            cursor.execute(self.page_sql, [*self.scope_params, *self.filter_params])
            page = cursor.fetchall()
            cursor.execute(self.count_sql, [*self.scope_params, *self.filter_params])
            count = cursor.fetchone()[0]
            tabs = {}
            for tab, (sql, params) in self.tab_sql.items():
                if tab == "post":
                    cursor.execute(self.posts_sql, [self.viewer_id])
                    posts = [row[0] for row in cursor.fetchall()]
                    if not posts:
                        tabs[tab] = 0
                        continue
                    sql, params = sql.format(posts=", ".join(["%s"] * len(posts))), [*posts, *params]
                cursor.execute(sql, params)
                tabs[tab] = cursor.fetchone()[0]
        return len(page), count, tabs
