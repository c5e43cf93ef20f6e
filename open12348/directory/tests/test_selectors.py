"""Directory search (kind, specialty with sub-categories, area subtree, text), the
practitioner's public data (years, service counts) and the credit look-up."""

import datetime

import pytest
from django.utils import timezone

from open12348.directory import selectors, services
from open12348.directory.models import Institution, Practitioner
from open12348.directory.tests.factories import categories, credit_fields, make_institution, make_practitioner
from open12348.workorders import services as workorder_services
from open12348.workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(town_a, town_a2, area_b):
    cats = categories()
    firm = make_institution(town_a, "城厢示例律师事务所", specialties=[cats["wage_arrears"]])
    notary = make_institution(
        town_a2, "沙溪示例公证处", kind=Institution.Kind.NOTARY_OFFICE, address="太仓市沙溪镇新北西路1号"
    )
    other = make_institution(area_b, "昆山示例律师事务所", specialties=[cats["divorce"]], address="昆山市前进中路1号")
    lawyer = make_practitioner(town_a, "张示例", institution=firm, specialties=[cats["work_injury"]])
    mediator = make_practitioner(
        town_a2, "李调解", licence_no="", kind=Practitioner.Kind.MEDIATOR, specialties=[cats["divorce"]]
    )
    far = make_practitioner(area_b, "王昆山", licence_no="13205201510000099", institution=other)
    return {
        "cats": cats,
        "firm": firm,
        "notary": notary,
        "other": other,
        "lawyer": lawyer,
        "mediator": mediator,
        "far": far,
    }


def test_search_by_kind(directory):
    assert list(selectors.institution_search(kind="notary_office")) == [directory["notary"]]
    assert list(selectors.practitioner_search(kind="mediator")) == [directory["mediator"]]


def test_search_by_specialty_includes_its_sub_categories(directory):
    labor = directory["cats"]["labor"]
    assert list(selectors.institution_search(specialty=labor)) == [directory["firm"]]
    assert list(selectors.practitioner_search(specialty=labor)) == [directory["lawyer"]]
    wage = directory["cats"]["wage_arrears"]
    assert list(selectors.institution_search(specialty=wage)) == [directory["firm"]]
    assert list(selectors.practitioner_search(specialty=wage)) == []


def test_search_by_area_covers_the_subtree(directory, area_a, town_a, area_b):
    assert set(selectors.institution_search(area=area_a)) == {directory["firm"], directory["notary"]}
    assert list(selectors.institution_search(area=town_a)) == [directory["firm"]]
    assert list(selectors.practitioner_search(area=area_b)) == [directory["far"]]


def test_search_by_text_matches_names_and_institution_addresses(directory):
    assert list(selectors.institution_search(q="公证")) == [directory["notary"]]
    assert list(selectors.institution_search(q="前进中路")) == [directory["other"]]
    assert list(selectors.practitioner_search(q="调解")) == [directory["mediator"]]


def test_inactive_rows_are_not_found(directory):
    services.institution_upsert(actor=None, institution=directory["notary"], is_active=False)
    assert directory["notary"] not in selectors.institution_search()
    assert selectors.institution_public(directory["notary"].pk) is None


def test_results_are_ordered_by_area_then_kind_then_name(directory):
    names = [row.name for row in selectors.institution_search()]
    assert names == [
        "昆山示例律师事务所",
        "城厢示例律师事务所",
        "沙溪示例公证处",
    ]  # paths 320583 < 320585100 < 320585101


@pytest.mark.parametrize(
    ("since", "today", "years"),
    [
        (datetime.date(2015, 6, 1), datetime.date(2025, 5, 31), 9),
        (datetime.date(2015, 6, 1), datetime.date(2025, 6, 1), 10),
        (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28), 0),
        (None, datetime.date(2025, 1, 1), None),
    ],
)
def test_years_of_practice_counts_whole_years(since, today, years):
    assert selectors.years_of_practice(since, today) == years


def test_practitioner_profile_computes_years_at_read_time(directory):
    profile = selectors.practitioner_profile(directory["lawyer"].pk)
    assert profile.years == selectors.years_of_practice(datetime.date(2015, 6, 1))
    assert profile.practitioner.institution == directory["firm"]
    assert profile.services.total == 0  # no account linked


def resolved_by(user, area):
    order = make_order(actor=user, area=area)
    for action in ("claim", "start"):
        workorder_services.workorder_transition(actor=user, order=order, action=action)
    workorder_services.workorder_transition(actor=user, order=order, action="resolve", outcome_code="answered")
    return order


def test_service_counts_are_the_linked_users_resolved_orders(directory, clerk_a, director_a, town_a):
    lawyer = services.practitioner_upsert(actor=None, practitioner=directory["lawyer"], user=clerk_a)
    resolved_by(clerk_a, town_a)
    resolved_by(clerk_a, town_a)
    open_order = make_order(actor=clerk_a, area=town_a)
    workorder_services.workorder_transition(actor=clerk_a, order=open_order, action="claim")
    resolved_by(director_a, town_a)  # someone else's
    profile = selectors.practitioner_profile(lawyer.pk)
    assert profile.services.total == 2
    assert profile.services.by_category == [("法律咨询", 2)]


def test_credit_lookup_by_name_or_exact_licence(directory, town_a):
    lawyer = directory["lawyer"]
    services.credit_record_add(actor=None, practitioner=lawyer, **credit_fields())
    found = selectors.credit_lookup("张示")
    assert [(s.kind, s.subject) for s in found] == [("practitioner", lawyer)]
    assert found[0].records[0].measure == "警告"
    assert [s.subject for s in selectors.credit_lookup(lawyer.licence_no)] == [lawyer]
    assert selectors.credit_lookup(lawyer.licence_no[:-1]) == []  # licence numbers match exactly only
    firm = [s for s in selectors.credit_lookup("城厢示例") if s.kind == "institution"]
    assert firm[0].subject == directory["firm"] and firm[0].records == []


def test_credit_lookup_hides_records_past_their_display_date(directory):
    lawyer = directory["lawyer"]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    services.credit_record_add(
        actor=None, practitioner=lawyer, **credit_fields(decided_on=datetime.date(2020, 1, 1), public_until=yesterday)
    )
    shown = services.credit_record_add(actor=None, practitioner=lawyer, **credit_fields(document_no="二号"))
    (subject,) = selectors.credit_lookup("张示例")
    assert subject.records == [shown]
    assert selectors.practitioner_profile(lawyer.pk).credit_records == [shown]


@pytest.mark.parametrize("query", ["", " ", "张", "x" * 51])
def test_credit_lookup_refuses_too_short_or_too_long_queries(directory, query):
    assert selectors.credit_lookup(query) == []
    assert not selectors.credit_query_valid(query)
