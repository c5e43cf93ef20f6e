"""Create the work-order data set of B1–B4 (under bench.settings only) and print, as one JSON
line, what it is and the credentials the load generator uses.

N orders (default 100,000) in one district (太仓市, 10 towns), generated from a seed: same seed,
same rows. Rows are valid as the product writes them: tracking codes in the service's
alphabet and format, applicants whose phone is encrypted and blind-indexed by the model
fields (bulk_create runs each field's pre_save and get_db_prep_save), deadlines from the
working-day calendar. Inserted with bulk_create in batches, in one transaction; skipped when
the tables already hold that data set. Orders written by an earlier benchmark run (ids above
N) are deleted first, so that every run starts from the same data. Seeded orders have no
audit events (the chain is append-only and sealed one event at a time)."""

import json
import random
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from bench.floor.models import DatasetInfo
from open12348.accounts.models import User
from open12348.accounts.services import api_token_issue, roles_sync, staff_create
from open12348.catalog.models import LegalCategory, ServiceItem
from open12348.core import workdays
from open12348.orgs.models import OrgNode
from open12348.workorders import sla
from open12348.workorders.models import Applicant, Channel, Note, Party, Status, WorkOrder
from open12348.workorders.services import CODE_ALPHABET, format_tracking_code

BATCH = 5000
PASSWORD = "Bench!Pass-2026x"
TOWNS = ["城厢镇", "沙溪镇", "浏河镇", "浮桥镇", "璜泾镇", "双凤镇", "娄东街道", "陆渡街道", "科教新城", "港区"]
ITEMS = [("consultation", "法律咨询", "consultation", 5), ("legal_aid", "法律援助", "legal_aid", 7),
         ("mediation", "人民调解", "mediation", 30)]  # fmt: skip
CATEGORIES = [("labor", "劳动纠纷"), ("marriage", "婚姻家庭"), ("loan", "借贷纠纷"), ("traffic", "交通事故")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
# Statuses by age, as in a running deployment: orders of the last 20 days are mostly open,
# older ones mostly finished (3 % stay open: overdue or waiting for materials).
RECENT_DAYS = 20
RECENT_WEIGHTS = [
    (Status.RECEIVED, 30), (Status.ASSIGNED, 15), (Status.IN_PROGRESS, 25), (Status.AWAITING_MATERIALS, 5),
    (Status.RESOLVED, 10), (Status.RETURN_VISIT, 5), (Status.CLOSED, 5), (Status.REJECTED, 5),
]  # fmt: skip
OLDER_WEIGHTS = [
    (Status.IN_PROGRESS, 2), (Status.AWAITING_MATERIALS, 1), (Status.RESOLVED, 3), (Status.CLOSED, 80),
    (Status.REJECTED, 5), (Status.WITHDRAWN, 4), (Status.REFERRED, 5),
]  # fmt: skip
DONE = (Status.RESOLVED, Status.RETURN_VISIT, Status.CLOSED)
CHILD_TABLES = ["workorders_idempotencykey", "workorders_note", "workorders_party"]


class Command(BaseCommand):
    help = "Generate the B1–B4 work-order data set deterministically (bench.settings only)."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=12348)

    def handle(self, *, orders, seed, **options):
        if settings.ROOT_URLCONF != "bench.floor.urls":
            raise SystemExit("benchseed_workorders runs under bench.settings only")
        started = time.perf_counter()
        roles_sync()
        district, towns = self._orgs()
        items, categories = self._catalog()
        clerk = self._staff("bench_clerk", towns[0], "window_clerk")
        director = self._staff("bench_director", district, "site_director")
        wanted = f"orders={orders};seed={seed};v=2"
        info = DatasetInfo.objects.filter(key="workorders").first()
        self._forget_runs(orders)
        generated = False
        if info is None or info.value != wanted or WorkOrder.objects.count() != orders:
            self._generate(orders, seed, towns, district, items, categories, clerk, director)
            DatasetInfo.objects.update_or_create(key="workorders", defaults={"value": wanted})
            generated = True
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE workorders_workorder")
        _, write_secret = api_token_issue(actor=None, user=clerk, scope="write", name="bench B1/B2")
        _, read_secret = api_token_issue(actor=None, user=director, scope="read", name="bench B3/B4")
        self.stdout.write(
            json.dumps(
                {
                    "dataset": wanted,
                    "generated": generated,
                    "seconds": round(time.perf_counter() - started, 2),
                    "orders": orders,
                    "write_token": write_secret,
                    "read_token": read_secret,
                    "intake_area": towns[0].code,
                    "district": district.code,
                    "filter_area": towns[1].code,
                    "director_id": director.pk,
                    "events": _count("audit_event"),
                },
                ensure_ascii=False,
            )
        )

    def _orgs(self):
        city, _ = OrgNode.objects.get_or_create(code="320500", defaults={"name": "苏州市", "level": "city"})
        district, _ = OrgNode.objects.get_or_create(
            code="320585", defaults={"name": "太仓市", "level": "district", "parent": city}
        )
        towns = []
        for index, name in enumerate(TOWNS):
            town, _ = OrgNode.objects.get_or_create(
                code=f"320585{100 + index}", defaults={"name": name, "level": "street", "parent": district}
            )
            towns.append(town)
        return district, towns

    def _catalog(self):
        items = []
        for code, name, category, days in ITEMS:
            item, _ = ServiceItem.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "category": category,
                    "responsible_body": "司法局",
                    "time_limit_days": days,
                    "fee_note": "免费",
                    "channels": ["window", "hotline", "web"],
                    "is_active": True,
                },
            )
            items.append(item)
        categories = [
            LegalCategory.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in CATEGORIES
        ]
        return items, categories

    def _staff(self, username, org, role):
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _ = staff_create(
                actor=None, username=username, display_name=username, org=org, role_codes=[role], password=PASSWORD
            )
            User.objects.filter(pk=user.pk).update(must_change_password=False)
        return user

    def _forget_runs(self, orders: int) -> None:
        """Delete what B1/B2 wrote in an earlier run (orders above the seeded ids)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM workorders_idempotencykey")
            for table in CHILD_TABLES[1:]:
                cursor.execute(f"DELETE FROM {table} WHERE work_order_id > %s", [orders])
            cursor.execute("DELETE FROM workorders_workorder WHERE id > %s", [orders])
            cursor.execute(
                "DELETE FROM workorders_applicant WHERE id > %s "
                "AND id NOT IN (SELECT applicant_id FROM workorders_workorder)",
                [max(1, orders // 4)],
            )

    def _generate(self, orders, seed, towns, district, items, categories, clerk, director):
        rng = random.Random(seed)
        epoch = datetime(2026, 1, 1, tzinfo=UTC)
        span = timedelta(days=320).total_seconds()
        applicants = max(1, orders // 4)
        deadlines: dict[tuple, datetime] = {}
        recent = [status for status, weight in RECENT_WEIGHTS for _ in range(weight)]
        older = [status for status, weight in OLDER_WEIGHTS for _ in range(weight)]
        recent_from = epoch + timedelta(seconds=span) - timedelta(days=RECENT_DAYS)
        channels = list(Channel.values)
        with transaction.atomic():
            with connection.cursor() as cursor:
                for table in CHILD_TABLES:
                    cursor.execute(f"DELETE FROM {table}")
                cursor.execute("DELETE FROM workorders_workorder")
                cursor.execute("DELETE FROM workorders_applicant")
            batch = []
            for pk in range(1, applicants + 1):
                batch.append(
                    Applicant(
                        id=pk,
                        name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                        phone=f"139{pk:08d}",
                    )
                )
                if len(batch) == BATCH:
                    Applicant.objects.bulk_create(batch)
                    batch = []
            if batch:
                Applicant.objects.bulk_create(batch)
            codes: set[str] = set()
            batch, parties, notes = [], [], []
            for pk in range(1, orders + 1):
                while True:
                    code = format_tracking_code("".join(rng.choice(CODE_ALPHABET) for _ in range(8)))
                    if code not in codes:
                        codes.add(code)
                        break
                item = items[rng.randrange(len(items))]
                town = towns[rng.randrange(len(towns))]
                received_at = epoch + timedelta(seconds=span * pk / orders)
                day = sla.local_date(received_at)
                if (day, item.time_limit_days) not in deadlines:
                    deadlines[day, item.time_limit_days] = sla.deadline_for(
                        received_at, item.time_limit_days, workdays.is_workday
                    )
                status = rng.choice(recent if received_at >= recent_from else older)
                assignee = None
                if status not in (Status.RECEIVED, Status.REJECTED, Status.WITHDRAWN):
                    assignee = clerk if rng.random() < 0.7 else director
                batch.append(
                    WorkOrder(
                        id=pk,
                        tracking_code=code,
                        channel=rng.choice(channels),
                        service_item=item,
                        legal_category=categories[rng.randrange(len(categories))] if rng.random() < 0.8 else None,
                        area=town,
                        applicant_id=rng.randint(1, applicants),
                        description=f"{rng.choice(CATEGORIES)[1]}：" + "诉求内容" * 40,
                        first_owner=clerk,
                        handling_org=district if rng.random() < 0.1 else town,
                        assignee=assignee,
                        priority=1 if rng.random() < 0.05 else 0,
                        green_channel=rng.random() < 0.05,
                        status=status,
                        received_at=received_at,
                        deadline=deadlines[day, item.time_limit_days],
                        resolved_at=received_at + timedelta(days=3)
                        if status in (Status.RESOLVED, Status.CLOSED)
                        else None,
                        outcome_code="answered" if status in (Status.RESOLVED, Status.CLOSED) else "",
                    )
                )
                if pk % 4 == 0:
                    parties.append(
                        Party(work_order_id=pk, role="对方当事人", name="某某有限公司", phone="051253520000")
                    )
                    notes.append(Note(work_order_id=pk, author=clerk, body="已电话联系申请人。", is_public=False))
                if len(batch) == BATCH:
                    self._flush(batch, parties, notes)
                    batch, parties, notes = [], [], []
            self._flush(batch, parties, notes)

    @staticmethod
    def _flush(batch, parties, notes):
        WorkOrder.objects.bulk_create(batch)
        Party.objects.bulk_create(parties)
        Note.objects.bulk_create(notes)


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return cursor.fetchone()[0]
