"""Test data for online consultation, made through the real services. The fixtures reach the
test modules through this package's conftest.py."""

import datetime
import itertools

import pytest

from open12348.accounts.tests.factories import make_citizen, make_staff
from open12348.catalog.models import LegalCategory
from open12348.consultations import services
from open12348.consultations.models import Consultation, Volunteer, VolunteerUnit
from open12348.workorders.tests.factories import service_item

_keys = itertools.count(1)

QUESTION_TITLE = "公司拖欠工资三个月怎么办"
QUESTION_BODY = "我在一家工厂上班，公司已经三个月没有发工资了，老板一直说下个月发，我该怎么维权？"
ANSWER_BODY = "您可以先与单位协商，协商不成可以向劳动监察大队投诉，或者申请劳动仲裁，注意保存工资条和考勤记录。"


def category(code: str, name: str, parent: LegalCategory | None = None) -> LegalCategory:
    made, _ = LegalCategory.objects.get_or_create(code=code, defaults={"name": name, "parent": parent})
    return made


@pytest.fixture
def catalog(db):
    """The service items a question and an entrustment open, and a few legal categories."""
    service_item("consultation", days=1, name="法律咨询", channels=["window", "hotline", "web"])
    service_item("lawyer", days=3, name="律师服务", category="lawyer", channels=["window", "web"])
    labor = category("labor", "劳动纠纷")
    family = category("marriage_family", "婚姻家庭")
    return {
        "general": category("general", "综合咨询"),
        "labor": labor,
        "wage_arrears": category("wage_arrears", "拖欠工资", labor),
        "marriage_family": family,
        "divorce": category("divorce", "离婚", family),
        "traffic_accident": category("traffic_accident", "交通事故"),
        "debt": category("debt", "债权债务"),
    }


def make_volunteer(user, area, *, kind=Volunteer.Kind.PRACTITIONER, specialties=(), practitioner=None, unit=None):
    volunteer = Volunteer(
        user=user,
        display_name=user.display_name or user.username,
        kind=kind,
        area=area,
        practitioner=practitioner,
        unit=unit,
    )
    return services.volunteer_save(actor=None, volunteer=volunteer, specialties=list(specialties))


def make_unit(area, name: str = "太仓市法律服务志愿队（测试）") -> VolunteerUnit:
    return services.volunteer_unit_save(
        actor=None, unit=VolunteerUnit(name=name, area=area, kind=VolunteerUnit.Kind.OTHER)
    )


def ask(asker, area, **overrides) -> Consultation:
    fields = {
        "title": QUESTION_TITLE,
        "body": QUESTION_BODY,
        "submit_key": f"key-{next(_keys)}",
        "area": area,
    }
    fields.update(overrides)
    return services.consultation_ask(asker=asker, **fields)


def age(consultation: Consultation, **delta) -> Consultation:
    """Move a question's creation back in time (the moderator's 7 days)."""
    Consultation.objects.filter(pk=consultation.pk).update(
        created_at=consultation.created_at - datetime.timedelta(**delta)
    )
    consultation.refresh_from_db()
    return consultation


@pytest.fixture
def asker(db):
    return make_citizen("asker", "13812345678")


@pytest.fixture
def other_citizen(db):
    return make_citizen("other_citizen", "13700000002")


@pytest.fixture
def volunteer_a(area_a, catalog):
    """A volunteer (role volunteer) of 太仓市, specialised in labour disputes."""
    user = make_staff("volunteer_a", area_a, "volunteer")
    return make_volunteer(user, area_a, specialties=[catalog["labor"]])


@pytest.fixture
def student_a(area_a, catalog):
    """A law-student volunteer of 太仓市 without specialties."""
    user = make_staff("student_a", area_a, "volunteer")
    return make_volunteer(user, area_a, kind=Volunteer.Kind.STUDENT)


@pytest.fixture
def volunteer_b(area_b, catalog):
    user = make_staff("volunteer_b", area_b, "volunteer")
    return make_volunteer(user, area_b)


@pytest.fixture
def question(asker, town_a, catalog):
    """A public labour question from 城厢镇 (in 太仓市)."""
    return ask(asker, town_a)
