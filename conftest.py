"""The named cast every test can use. Area A is 太仓市 (两个镇 城厢镇 and 沙溪镇);
area B is 昆山市, where `outsider_b` works and must see nothing of area A."""

import pytest

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
