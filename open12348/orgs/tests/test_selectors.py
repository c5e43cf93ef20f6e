"""Subtree scoping: staff see their own area and everything below it, nothing beside or above."""

import pytest
from django.contrib.auth.models import AnonymousUser

from open12348.orgs.models import OrgNode, Site, Window
from open12348.orgs.selectors import area_of, in_area, visible_org, visible_orgs
from open12348.orgs.tests.factories import OrgNodeFactory, SiteFactory, WindowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def village_a(town_a):
    return OrgNodeFactory(code="320585100001", name="中区社区", level=OrgNode.Level.COMMUNITY, parent=town_a)


@pytest.fixture
def station_b(town_b):
    return SiteFactory(org=town_b, name="玉山镇公共法律服务工作站")


def _names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_a_clerk_sees_only_their_own_town_and_what_lies_below_it(clerk_a, village_a, town_a2, town_b):
    assert _names(visible_orgs(clerk_a)) == {"城厢镇", "中区社区"}


def test_a_director_sees_the_whole_taicang_subtree_and_nothing_of_kunshan(director_a, village_a, town_a2, town_b):
    assert _names(visible_orgs(director_a)) == {"太仓市", "城厢镇", "沙溪镇", "中区社区"}


def test_an_outsider_sees_nothing_of_taicang(outsider_b, area_a, village_a, town_a2, station_a):
    visible = visible_orgs(outsider_b)
    assert not visible.filter(path__startswith=area_a.path).exists()
    assert _names(visible) == {"玉山镇"}
    assert not in_area(Site.objects.all(), outsider_b).filter(pk=station_a.pk).exists()


def test_a_system_administrator_at_the_city_root_sees_every_area(system_admin, village_a, town_a2, town_b):
    assert _names(visible_orgs(system_admin)) == set(OrgNode.objects.values_list("name", flat=True))


def test_citizens_and_anonymous_visitors_see_no_area(citizen, town_a):
    assert area_of(citizen) is None
    assert not visible_orgs(citizen).exists()
    assert not visible_orgs(AnonymousUser()).exists()


def test_sites_and_windows_are_scoped_through_their_org(clerk_a, director_a, station_a, station_b, town_a2):
    station_a2 = SiteFactory(org=town_a2, name="沙溪镇公共法律服务工作站")
    window_a = WindowFactory(site=station_a, number=1)
    WindowFactory(site=station_a2, number=1)
    WindowFactory(site=station_b, number=1)
    assert _names(in_area(Site.objects.all(), clerk_a)) == {"城厢镇公共法律服务工作站"}
    assert _names(in_area(Site.objects.all(), director_a)) == {"城厢镇公共法律服务工作站", "沙溪镇公共法律服务工作站"}
    assert list(in_area(Window.objects.all(), clerk_a, via="site__org")) == [window_a]


def test_narrowing_to_a_node_inside_the_area_applies_and_outside_it_shows_nothing(director_a, town_a, town_a2, town_b):
    assert _names(visible_orgs(director_a, within=town_a)) == {"城厢镇"}
    assert not visible_orgs(director_a, within=town_b).exists()


def test_visible_org_by_code_agrees_with_visible_orgs(
    clerk_a, director_a, outsider_b, citizen, village_a, town_a, town_a2, town_b
):
    for user in (clerk_a, director_a, outsider_b, citizen, AnonymousUser()):
        for within in (None, town_a, town_b):
            allowed = set(visible_orgs(user, within=within).values_list("code", flat=True))
            for node in OrgNode.objects.all():
                found = visible_org(user, node.code, within=within)
                assert (found is not None) == (node.code in allowed), (user, within, node.code)
    assert visible_org(director_a, "no-such-code") is None
