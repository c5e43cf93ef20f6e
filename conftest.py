"""The named cast every test can use. Area A is 太仓市 (两个镇 城厢镇 and 沙溪镇);
area B is 昆山市, where `outsider_b` works and must see nothing of area A."""

import importlib
from pathlib import Path

import pytest
from django.db import connection

from open12348.accounts.tests.factories import TEST_PASSWORD, make_citizen, make_staff
from open12348.orgs.models import OrgNode
from open12348.orgs.tests.factories import OrgNodeFactory, SiteFactory


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def city(db):
    return OrgNodeFactory(code="320500", name="苏州市", level=OrgNode.Level.CITY)


@pytest.fixture
def area_a(city):
    return OrgNodeFactory(code="320585", name="太仓市", level=OrgNode.Level.DISTRICT, parent=city)


@pytest.fixture
def town_a(area_a):
    return OrgNodeFactory(code="320585100", name="城厢镇", level=OrgNode.Level.STREET, parent=area_a)


@pytest.fixture
def town_a2(area_a):
    return OrgNodeFactory(code="320585101", name="沙溪镇", level=OrgNode.Level.STREET, parent=area_a)


@pytest.fixture
def area_b(city):
    return OrgNodeFactory(code="320583", name="昆山市", level=OrgNode.Level.DISTRICT, parent=city)


@pytest.fixture
def town_b(area_b):
    return OrgNodeFactory(code="320583100", name="玉山镇", level=OrgNode.Level.STREET, parent=area_b)


@pytest.fixture
def station_a(town_a):
    return SiteFactory(org=town_a, name="城厢镇公共法律服务工作站")


@pytest.fixture
def clerk_a(town_a, station_a):
    return make_staff("clerk_a", town_a, "window_clerk", site=station_a)


@pytest.fixture
def clerk_a2(town_a2):
    return make_staff("clerk_a2", town_a2, "window_clerk")


@pytest.fixture
def director_a(area_a):
    return make_staff("director_a", area_a, "site_director")


@pytest.fixture
def operator(city):
    return make_staff("operator", city, "hotline_operator")


@pytest.fixture
def lawyer_a(area_a):
    return make_staff("lawyer_a", area_a, "lawyer", "volunteer")


@pytest.fixture
def outsider_b(town_b):
    return make_staff("outsider_b", town_b, "site_director")


@pytest.fixture
def bureau_admin(area_a):
    return make_staff("bureau_admin", area_a, "bureau_admin")


@pytest.fixture
def system_admin(city):
    return make_staff("system_admin", city, "system_admin")


@pytest.fixture
def security_admin(city):
    return make_staff("security_admin", city, "security_admin")


@pytest.fixture
def audit_admin(city):
    return make_staff("audit_admin", city, "audit_admin")


@pytest.fixture
def citizen(db):
    return make_citizen()


# --- Browser tests: Debian's Chromium through Playwright, never a downloaded browser. ---
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
APPEND_ONLY = importlib.import_module("open12348.audit.migrations.0002_append_only_triggers")


@pytest.fixture(scope="module")
def audit_trail_flushable(django_db_setup, django_db_blocker):
    """A live-server test ends by flushing every table, which the append-only triggers on
    audit events refuse (DELETE on SQLite, TRUNCATE on PostgreSQL). They are dropped in the
    test database while the module runs and created again, from the migration, after it."""

    def run(statements: dict[str, list[str]]) -> None:
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            for statement in statements.get(connection.vendor, []):
                cursor.execute(statement)

    run({"sqlite": APPEND_ONLY.SQLITE_REVERSE, "postgresql": APPEND_ONLY.POSTGRESQL_REVERSE})
    yield
    run({"sqlite": APPEND_ONLY.SQLITE, "postgresql": APPEND_ONLY.POSTGRESQL})


@pytest.fixture
def browser(monkeypatch, audit_trail_flushable):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
