"""core.prepared: a prepared query returns what its queryset returns, in one query, on both
databases; queries whose arguments would not reach the SQL unchanged are refused."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from open12348.accounts.models import User
from open12348.audit import services as audit
from open12348.audit.models import ChainHead, Event
from open12348.core.prepared import PreparedQuery, PreparedUpdate, insert
from open12348.orgs.models import OrgNode

USERS_WITH_ORG = PreparedQuery(
    lambda username: User.objects.select_related("staff_profile__org").filter(username=username), str
)
EVENTS_OF = PreparedQuery(
    lambda target_id: (
        Event.objects.filter(target_type="orgs.orgnode", target_id=target_id)
        .select_related("actor")
        .order_by("seq")
        .values_list("seq", "at", "verb", "payload", "actor__username")
    ),
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


def test_two_arguments_of_one_type_each_reach_their_own_place(area_a, town_a, town_a2):
    either = PreparedQuery(
        lambda a, b: OrgNode.objects.filter(code__in=[a, b]).order_by("code").values_list("code", flat=True), str, str
    )
    assert either.all(town_a.code, town_a2.code) == sorted([town_a.code, town_a2.code])
    assert either.all(town_a2.code, "nothing") == [town_a2.code]


# --- update ---------------------------------------------------------------------------------

RENAME = PreparedUpdate(lambda code, name: (OrgNode.objects.filter(code=code), {"name": name}), str, str)


def test_prepared_update_writes_what_update_writes_and_counts_the_rows(town_a, town_a2, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert RENAME.run(town_a.code, "新名称") == 1
    assert RENAME.run("no-such-code", "无") == 0
    assert not hasattr(RENAME, "all")  # an update is run, never read from
    town_a.refresh_from_db()
    town_a2.refresh_from_db()
    assert town_a.name == "新名称" and town_a2.name != "新名称"


def test_prepared_update_tells_apart_arguments_of_one_type(town_a):
    move = PreparedUpdate(
        lambda pk, seq, last_hash: (
            ChainHead.objects.filter(pk=pk),
            {"last_seq": seq, "last_hash": last_hash},
        ),
        int,
        int,
        str,
    )
    audit.record(actor=None, verb="test.head", target=town_a)
    head = ChainHead.objects.get()
    assert move.run(head.pk, 4242, "ab" * 32) == 1
    head.refresh_from_db()
    assert (head.last_seq, head.last_hash) == (4242, "ab" * 32)


def test_prepared_update_refuses_a_transformed_argument(db):
    lowered = PreparedUpdate(lambda prefix: (OrgNode.objects.filter(path__startswith=prefix), {"name": "x"}), str)
    with pytest.raises(ImproperlyConfigured):
        lowered.run("/32/")


# --- insert ---------------------------------------------------------------------------------


def test_insert_writes_the_row_save_would_write(db, django_assert_num_queries):
    from open12348.core.fields import lookup_hash
    from open12348.workorders.models import Applicant

    with django_assert_num_queries(1):
        applicant = insert(Applicant(name="王小明", phone="13812345678", resident_id="11010519491231002X"))
    assert applicant.pk is not None and applicant._state.adding is False
    stored = Applicant.objects.get(pk=applicant.pk)
    assert (stored.name, stored.phone, stored.resident_id) == ("王小明", "13812345678", "11010519491231002X")
    assert stored.phone_hash == lookup_hash("phone", "13812345678")  # derived in pre_save, as save() does
    assert stored.created_at is not None and stored.created_at == applicant.created_at
    second = insert(Applicant(name="李四", phone="13912345678"))
    assert second.pk != applicant.pk


def test_insert_falls_back_to_save_for_models_with_save_receivers(db):
    from django.db.models.signals import post_save

    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.code, created))

    post_save.connect(receiver, sender=OrgNode, dispatch_uid="test-prepared-insert")
    try:
        node = insert(OrgNode(code="990000", name="测试", level="city", path="/990000/"))
    finally:
        post_save.disconnect(dispatch_uid="test-prepared-insert", sender=OrgNode)
    assert seen == [("990000", True)]
    assert OrgNode.objects.filter(pk=node.pk, code="990000").exists()


def test_insert_of_an_expression_value_falls_back_to_save(db):
    from django.db.models import Value
    from django.db.models.functions import Upper

    from open12348.workorders.models import IdempotencyKey

    key = insert(IdempotencyKey(key="k-expr", request_hash=Upper(Value("h"))))
    key.refresh_from_db()
    assert key.request_hash == "H"


def test_insert_unless_taken_skips_a_taken_value_and_the_transaction_goes_on(db):
    from django.db import IntegrityError, transaction

    from open12348.workorders.models import IdempotencyKey

    with transaction.atomic():
        first = insert(IdempotencyKey(key="k-taken", request_hash="a"), unless_taken="key")
        assert first is not None and first.pk is not None
        second = IdempotencyKey(key="k-taken", request_hash="b")
        assert insert(second, unless_taken="key") is None
        assert second.pk is None
        # No error was raised, so the transaction is still usable (PostgreSQL would refuse
        # every later statement after one).
        assert IdempotencyKey.objects.get(key="k-taken").request_hash == "a"
    with pytest.raises(IntegrityError), transaction.atomic():  # other constraints still raise
        insert(IdempotencyKey(key="k-null", request_hash=None), unless_taken="key")


def test_insert_unless_taken_needs_a_unique_field(db):
    from open12348.workorders.models import IdempotencyKey

    with pytest.raises(ImproperlyConfigured):
        insert(IdempotencyKey(key="k-x", request_hash="a"), unless_taken="request_hash")
