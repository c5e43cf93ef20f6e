"""Test data of the portal tests: work orders through the real intake service, and online
questions (consultations) as rows on top of a real web work order — the consultation services
are written beside these tests; their own factories take over when they exist."""

import datetime
import uuid

from django.utils import timezone

from open12348.accounts.tests.factories import make_citizen
from open12348.catalog.models import LegalCategory
from open12348.consultations.models import Consultation
from open12348.workorders.models import Channel
from open12348.workorders.tests import factories as wo

LABOR = ("labor", "劳动纠纷")
FAMILY = ("marriage_family", "婚姻家庭")


def category(code: str, name: str, parent: LegalCategory | None = None) -> LegalCategory:
    made, _ = LegalCategory.objects.get_or_create(code=code, defaults={"name": name, "parent": parent})
    return made


def labor_tree() -> dict[str, LegalCategory]:
    labor = category(*LABOR)
    return {
        "labor": labor,
        "wage_arrears": category("wage_arrears", "拖欠工资", labor),
        "work_injury": category("work_injury", "工伤", labor),
    }


def family_tree() -> dict[str, LegalCategory]:
    family = category(*FAMILY)
    return {
        "marriage_family": family,
        "divorce": category("divorce", "离婚", family),
        "domestic_violence": category("domestic_violence", "家庭暴力", family),
    }


def other_citizen():
    return make_citizen(username="citizen_2", phone="13800138002")


def order_for(user, area, *, legal_category=None, code: str = "consultation", **fields):
    """A web request of `user` (applicant.user = user), through workorder_create."""
    return wo.make_order(
        actor=user,
        area=area,
        channel=Channel.WEB,
        applicant_user=user,
        applicant_phone=fields.pop("applicant_phone", "13800138000"),
        legal_category=legal_category,
        service_item=wo.service_item(code),
        **fields,
    )


def consultation_for(user, area, legal_category, *, title: str = "公司拖欠工资怎么办", **fields) -> Consultation:
    order = order_for(user, area, legal_category=legal_category, description=title)
    return Consultation.objects.create(
        work_order=order,
        asker=user,
        title=title,
        body=fields.pop("body", title + "，已经三个月了。"),
        public_title=title,
        public_body=title,
        legal_category=legal_category,
        area=area,
        answer_due_at=timezone.now() + datetime.timedelta(hours=5),
        submit_key=uuid.uuid4().hex,
        **fields,
    )
