import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from open12348.accounts import roles
from open12348.accounts.models import ApiToken


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def test_syncroles_materialises_every_role_with_exactly_its_permissions(db):
    Group.objects.create(name="leftover_role")
    clerk = Group.objects.get(name="window_clerk")
    clerk.permissions.clear()
    run("syncroles")
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.BY_CODE)
    for role in roles.ROLES:
        group = Group.objects.get(name=role.code)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == role.permissions, role.code


def test_syncroles_twice_changes_nothing(db):
    run("syncroles")
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    run("syncroles")
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after


def test_issuetoken_prints_a_bearer_token_that_works_for_the_users_area(client, director_a, town_a, town_b):
    secret = run("issuetoken", "director_a")
    assert ApiToken.objects.get(user=director_a).org == director_a.staff_profile.org
    response = client.get("/api/v1/orgs/", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    codes = {node["code"] for node in response.json()["results"]}
    assert town_a.code in codes and town_b.code not in codes


def test_issuetoken_can_narrow_the_token_to_a_node_and_a_scope(director_a, town_a):
    run("issuetoken", "director_a", "--org", town_a.code, "--scope", "write", "--days", "30")
    token = ApiToken.objects.get(user=director_a)
    assert (token.org, token.scope) == (town_a, "write") and token.expires_at is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [(("nobody",), "不存在"), (("director_a", "--org", "999999"), "不存在"), (("citizen",), "所属区域")],
)
def test_issuetoken_refuses_bad_input_in_chinese(director_a, citizen, args, message):
    with pytest.raises(CommandError, match=message):
        run("issuetoken", *args)
    assert not ApiToken.objects.exists()
