import datetime

import pytest

from open12348.accounts.tests.factories import sign_in
from open12348.audit.models import Event

START = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def signed_in(client, user, password, traveller):
    traveller.move_to(START)
    assert sign_in(client, user.username, password)
    return client


def still_signed_in(client) -> bool:
    response = client.get("/healthz")
    return response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize(
    ("fixture", "idle_minutes"), [("audit_admin", 10), ("bureau_admin", 10), ("clerk_a", 30), ("citizen", 30)]
)
def test_sessions_end_after_the_idle_limit_of_the_account_kind(
    request, client, password, time_machine, fixture, idle_minutes
):
    user = request.getfixturevalue(fixture)
    signed_in(client, user, password, time_machine)
    time_machine.move_to(START + datetime.timedelta(minutes=idle_minutes, seconds=-1))
    assert still_signed_in(client)
    time_machine.move_to(START + datetime.timedelta(minutes=2 * idle_minutes, seconds=1))
    assert not still_signed_in(client)
    assert Event.objects.filter(verb="session.expired", actor=user).exists()


@pytest.mark.parametrize(("fixture", "hours"), [("audit_admin", 4), ("clerk_a", 10), ("citizen", 2)])
def test_sessions_end_after_the_absolute_limit_even_when_active(
    request, client, password, time_machine, fixture, hours
):
    user = request.getfixturevalue(fixture)
    signed_in(client, user, password, time_machine)
    moment = START
    while moment < START + datetime.timedelta(hours=hours, minutes=-5):
        moment += datetime.timedelta(minutes=5)
        time_machine.move_to(moment)
        assert still_signed_in(client), moment
    time_machine.move_to(START + datetime.timedelta(hours=hours, seconds=1))
    assert not still_signed_in(client)


def test_an_expired_session_redirects_a_page_to_login(client, clerk_a, password, time_machine):
    signed_in(client, clerk_a, password, time_machine)
    time_machine.move_to(START + datetime.timedelta(minutes=31))
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_expired_session_gets_401_from_the_api(client, clerk_a, password, time_machine):
    signed_in(client, clerk_a, password, time_machine)
    time_machine.move_to(START + datetime.timedelta(minutes=31))
    assert client.get("/api/v1/orgs/").status_code == 401


def test_the_session_key_changes_at_login(client, clerk_a, password):
    client.get("/")
    client.session.save()
    before = client.session.session_key
    sign_in(client, clerk_a.username, password)
    assert client.session.session_key != before


def test_deactivating_an_account_ends_its_sessions(client, clerk_a, password):
    sign_in(client, clerk_a.username, password)
    clerk_a.is_active = False
    clerk_a.save()
    assert not still_signed_in(client)
