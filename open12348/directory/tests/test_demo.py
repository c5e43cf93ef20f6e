"""The directory's demo data, loaded by `manage.py seeddemo`: fictitious, valid, idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from stdnum.cn import uscc

from open12348.audit.models import Event
from open12348.core.demo.loader import PASSWORD_ENV
from open12348.directory.models import CreditRecord, Institution, Practitioner

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seeddemo", stdout=StringIO())


@pytest.fixture(autouse=True)
def _default_password(monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def test_seeddemo_loads_the_directory_once(client):
    seed()
    assert Institution.objects.count() == 8 and Practitioner.objects.count() == 15
    assert set(Institution.objects.values_list("kind", flat=True)) == set(Institution.Kind.values)
    assert set(Institution.objects.values_list("area__code", flat=True)) >= {"320500", "320585"}
    assert not Institution.objects.filter(is_fictitious=False).exists()
    assert not Practitioner.objects.filter(is_fictitious=False).exists()
    for code in Institution.objects.exclude(credit_code="").values_list("credit_code", flat=True):
        assert uscc.is_valid(code), code
    assert sorted(CreditRecord.objects.values_list("kind", flat=True)) == [
        "administrative_penalty",
        "industry_sanction",
    ]
    assert not Practitioner.objects.filter(specialties__isnull=True).exists()
    assert Practitioner.objects.get(user__username="demo_lawyer").kind == "lawyer"

    counts = (Institution.objects.count(), Practitioner.objects.count(), CreditRecord.objects.count())
    events = Event.objects.count()
    seed()
    assert (Institution.objects.count(), Practitioner.objects.count(), CreditRecord.objects.count()) == counts
    assert Event.objects.count() == events

    page = Client().get(reverse("directory:search"), {"tab": "practitioners", "area": "320585"}).content.decode()
    assert "（示例）" in page and "顾明达" in page
