"""core.prepared: a prepared query returns what its queryset returns, in one query, on both
databases; queries whose arguments would not reach the SQL unchanged are refused."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from open12348.accounts.models import User
from open12348.audit import services as audit
from open12348.audit.models import Event
from open12348.core.prepared import PreparedQuery
from open12348.orgs.models import OrgNode

USERS_WITH_ORG = PreparedQuery(
    lambda username: User.objects.select_related("staff_profile__org").filter(username=username), str
)
EVENTS_OF = PreparedQuery(
    lambda target_id: Event.objects.filter(target_type="orgs.orgnode", target_id=target_id)
    .select_related("actor")
    .order_by("seq")
    .values_list("seq", "at", "verb", "payload", "actor__username"),
    str,
)
NODE_CODES_UNDER = PreparedQuery(
    lambda parent_id: OrgNode.objects.filter(parent_id=parent_id).order_by("code").values_list("code", flat=True), int
)


def test_model_query_returns_the_instances_and_relations_of_its_queryset(clerk_a, django_assert_num_queries):
    expected = User.objects.select_related("staff_profile__org").get(username=clerk_a.username)
    with django_assert_num_queries(1):
        user = USERS_WITH_ORG.first(clerk_a.username)
        org = user.staff_profile.org
    assert user.pk == expected.pk
    assert {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields
    }
    assert org == expected.staff_profile.org and org.path == expected.staff_profile.org.path
    assert user._state.adding is False and user._state.db == "default"


def test_a_missing_row_gives_none(db):
    assert USERS_WITH_ORG.first("nobody-here") is None
    assert USERS_WITH_ORG.all("nobody-here") == []


def test_values_list_rows_are_converted_like_the_querysets(clerk_a, town_a):
    audit.record(actor=clerk_a, verb="test.one", target=town_a, payload={"reason": "甲", "n": 1})
    audit.record(actor=None, verb="test.two", target=town_a, payload={})
    expected = list(
        Event.objects.filter(target_type="orgs.orgnode", target_id=str(town_a.pk))
        .order_by("seq")
        .values_list("seq", "at", "verb", "payload", "actor__username")
    )
    rows = EVENTS_OF.all(str(town_a.pk))
    assert rows == expected
    assert rows[0][3] == {"reason": "甲", "n": 1}  # JSON decoded
    assert rows[0][1].tzinfo is not None  # aware datetimes
    assert rows[1][4] is None


def test_flat_values_list_gives_the_values(area_a, town_a, town_a2):
    assert NODE_CODES_UNDER.all(area_a.pk) == sorted([town_a.code, town_a2.code])
    assert NODE_CODES_UNDER.all(town_a.pk) == []


def test_an_argument_changed_on_its_way_to_the_sql_is_refused(db):
    startswith = PreparedQuery(lambda prefix: OrgNode.objects.filter(path__startswith=prefix), str)
    with pytest.raises(ImproperlyConfigured):
        startswith.all("/32/")


def test_unsupported_querysets_and_argument_types_are_refused(db):
    with pytest.raises(ImproperlyConfigured):
        PreparedQuery(lambda code: OrgNode.objects.filter(code=code).values("code"), str).all("x")
    with pytest.raises(ImproperlyConfigured):
        PreparedQuery(lambda when: OrgNode.objects.filter(created_at=when), float)
    with pytest.raises(TypeError):
        NODE_CODES_UNDER.all()
