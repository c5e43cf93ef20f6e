"""B10/B11 data (bench.settings only): N service centers of 太仓市, each with three queues
(A/B/C), four windows handling all three and a window clerk with a write token. The queue
state of earlier runs (tickets, counters, events, window sessions) is deleted first; audit
events stay (append-only). Prints one JSON line: the sites with their window ids and tokens."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from open12348.accounts.models import User
from open12348.accounts.services import api_token_issue, roles_sync, staff_create
from open12348.catalog.models import ServiceItem
from open12348.orgs.models import OrgNode, Site, Window
from open12348.queuing.models import Evaluation, QueueEvent, QueueService, Ticket, TicketCounter, WindowSession

PASSWORD = "Bench-Hall-2026!x"  # bench database only
QUEUES = (
    ("A", "bench_legal_aid", "法律援助"),
    ("B", "bench_consultation", "法律咨询"),
    ("C", "bench_mediation", "人民调解"),
)
WINDOWS = 4


class Command(BaseCommand):
    help = "B10/B11: hall centers with queues, windows and clerks (bench.settings only)."

    def add_arguments(self, parser):
        parser.add_argument("--centers", type=int, default=10)

    def handle(self, *, centers, **options):
        if settings.ROOT_URLCONF != "bench.floor.urls":
            raise SystemExit("benchseed_hall runs under bench.settings only")
        roles_sync()
        with transaction.atomic():
            Evaluation.objects.all().delete()
            Ticket.objects.all().delete()
            for model in (TicketCounter, QueueEvent, WindowSession):
                model.objects.all().delete()
            items = self._catalog()
            district = self._district()
            sites = [self._center(index, district, items) for index in range(centers)]
        self.stdout.write(json.dumps({"sites": sites, "service": QUEUES[1][1]}, ensure_ascii=False))

    def _catalog(self):
        return [
            ServiceItem.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "category": "consultation",
                    "responsible_body": "司法局",
                    "time_limit_days": 5,
                    "fee_note": "免费",
                    "channels": ["window"],
                    "is_active": True,
                },
            )[0]
            for _, code, name in QUEUES
        ]

    def _district(self):
        city, _ = OrgNode.objects.get_or_create(code="320500", defaults={"name": "苏州市", "level": "city"})
        district, _ = OrgNode.objects.get_or_create(
            code="320585", defaults={"name": "太仓市", "level": "district", "parent": city}
        )
        return district

    def _center(self, index, district, items) -> dict:
        town, _ = OrgNode.objects.get_or_create(
            code=f"320585{300 + index}", defaults={"name": f"基准镇{index}", "level": "street", "parent": district}
        )
        site, _ = Site.objects.get_or_create(
            name=f"基准公共法律服务中心{index}", defaults={"org": town, "kind": "center", "address": "基准路1号"}
        )
        site.services.add(*items)
        for sort, ((prefix, _, name), item) in enumerate(zip(QUEUES, items, strict=True)):
            QueueService.objects.update_or_create(
                site=site, prefix=prefix, defaults={"service_item": item, "name": name, "sort": sort, "is_active": True}
            )
        windows = []
        for number in range(1, WINDOWS + 1):
            window, _ = Window.objects.get_or_create(site=site, number=number, defaults={"name": f"综合窗口{number}"})
            window.services.set(items)
            windows.append(window.pk)
        username = f"bench_hall_clerk_{index}"
        clerk = User.objects.filter(username=username).first()
        if clerk is None:
            clerk, _ = staff_create(
                actor=None,
                username=username,
                display_name=username,
                org=town,
                role_codes=["window_clerk"],
                password=PASSWORD,
                site=site,
            )
            User.objects.filter(pk=clerk.pk).update(must_change_password=False)
        _, token = api_token_issue(actor=None, user=clerk, scope="write", name="bench B10")
        return {"id": site.pk, "windows": windows, "token": token}
