import re

import pytest
from django.urls import reverse

from open12348.catalog.models import ServiceItem
from open12348.orgs.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    legal_aid = ServiceItem.objects.create(
        code="legal-aid",
        name="法律援助",
        category=ServiceItem.Category.LEGAL_AID,
        responsible_body="法律援助中心",
        time_limit_days=7,
        fee_note="免费",
        is_free=True,
        channels=["window", "hotline", "web"],
        description="经济困难公民可以申请免费的律师代理、辩护。",
        sort=1,
    )
    notary = ServiceItem.objects.create(
        code="notary",
        name="公证",
        category=ServiceItem.Category.NOTARY,
        responsible_body="公证处",
        time_limit_days=15,
        fee_note="按省定标准收费",
        is_free=False,
        channels=["window"],
        sort=2,
    )
    ServiceItem.objects.create(
        code="retired",
        name="已停用的事项",
        category=ServiceItem.Category.GUIDANCE,
        responsible_body="司法局",
        time_limit_days=1,
        fee_note="免费",
        channels=["web"],
        is_active=False,
    )
    return legal_aid, notary


@pytest.fixture
def sites(station_a, town_a2, town_b):
    return {
        "a": station_a,
        "a2": SiteFactory(org=town_a2, name="沙溪镇公共法律服务工作站", address="沙溪镇白云路8号"),
        "b": SiteFactory(org=town_b, name="玉山镇公共法律服务工作站", address="玉山镇前进路1号"),
    }


def test_home_lists_the_active_service_catalog_with_time_limit_fee_and_channels(client, catalog):
    html = client.get(reverse("portal:home")).content.decode()
    assert "法律援助" in html
    assert "经济困难公民可以申请免费的律师代理、辩护。" in html
    assert "7个工作日" in html
    assert "15个工作日" in html
    assert "免费" in html
    assert "按省定标准收费" in html
    assert "窗口、12348热线、网上办理" in html
    assert "已停用的事项" not in html


def test_home_shows_the_hotline_and_a_site_finder_by_area(client, sites):
    html = client.get(reverse("portal:home")).content.decode()
    assert 'href="tel:12348"' in html
    assert f'action="{reverse("portal:sites")}"' in html
    assert 'method="get"' in html
    assert 'name="area"' in html
    for name in ("太仓市", "城厢镇", "沙溪镇", "昆山市"):
        assert name in html
    assert 'hx-get="/sites/"' in html


def test_site_finder_lists_only_the_sites_in_the_chosen_area(client, sites, area_a):
    response = client.get(reverse("portal:sites"), {"area": area_a.code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "城厢镇公共法律服务工作站" in html
    assert "沙溪镇公共法律服务工作站" in html
    assert "玉山镇公共法律服务工作站" not in html
    assert "太仓市的服务站点（共2个）" in html
    assert f'<option value="{area_a.code}" selected>' in html


def test_site_finder_shows_name_kind_address_hours_and_phone(client, sites, town_a):
    html = client.get(reverse("portal:sites"), {"area": town_a.code}).content.decode()
    site = sites["a"]
    assert site.name in html
    assert "公共法律服务工作站" in html
    assert site.address in html
    assert site.hours in html
    assert f'href="tel:{site.phone}"' in html


def test_site_finder_without_an_area_lists_every_site(client, sites):
    html = client.get(reverse("portal:sites")).content.decode()
    assert "全部服务站点（共3个）" in html
    for site in sites.values():
        assert site.name in html


@pytest.mark.parametrize("code", ["999999", "abc", "3205<script>", "1" * 200, "３２０５８５"])
def test_site_finder_survives_an_unknown_area_code_with_a_chinese_message(client, sites, code):
    response = client.get(reverse("portal:sites"), {"area": code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "没有找到您选择的区域" in html
    assert 'role="alert"' in html
    assert "<script>" not in html.split("<main", 1)[1]


def test_site_finder_answers_htmx_with_the_results_only(client, sites, town_b):
    response = client.get(reverse("portal:sites"), {"area": town_b.code}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "玉山镇公共法律服务工作站" in html
    assert "城厢镇公共法律服务工作站" not in html


def test_site_finder_pages_long_lists_and_survives_a_bad_page_number(client, town_a):
    for number in range(25):
        SiteFactory(org=town_a, name=f"城厢镇第{number:02d}工作室")
    first = client.get(reverse("portal:sites"), {"area": town_a.code}).content.decode()
    assert "第1页，共2页" in first
    assert f"/sites/?area={town_a.code}&amp;page=2" in first
    last = client.get(reverse("portal:sites"), {"area": town_a.code, "page": "x"})
    assert last.status_code == 200


def _html_class(response) -> str:
    return re.search(r'<html lang="zh-CN" class="([^"]*)"', response.content.decode()).group(1)


def test_preferences_set_the_ui_cookie_and_the_html_class_follows(client):
    response = client.post(reverse("portal:preferences"), {"large": "on", "next": "/sites/"})
    assert response.status_code == 302
    assert response.url == "/sites/"
    assert response.cookies["ui"].value == "large"
    assert response.cookies["ui"]["httponly"]
    page = client.get("/sites/")
    assert _html_class(page) == "ui-large"
    assert "标准版" in page.content.decode()

    client.post(reverse("portal:preferences"), {"contrast": "on", "next": "/"})
    assert client.cookies["ui"].value == "contrast.large"
    assert _html_class(client.get("/")) == "ui-large ui-contrast"


def test_preferences_switch_off_one_choice_and_keep_the_other(client):
    client.cookies["ui"] = "large.contrast"
    client.post(reverse("portal:preferences"), {"large": "off", "next": "/"})
    assert client.cookies["ui"].value == "contrast"
    assert _html_class(client.get("/")) == "ui-contrast"
    response = client.post(reverse("portal:preferences"), {"contrast": "off", "next": "/"})
    assert response.cookies["ui"].value == ""  # deleted
    assert _html_class(client.get("/")) == ""


def test_standard_page_has_no_preference_classes_and_ignores_unknown_cookie_values(client):
    client.cookies["ui"] = "huge.<b>"
    assert _html_class(client.get("/")) == ""


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "evil", ""],
)
def test_preferences_redirect_only_to_local_urls(client, target):
    response = client.post(reverse("portal:preferences"), {"large": "on", "next": target})
    assert response.status_code == 302
    assert response.url == "/"


def test_preferences_redirect_back_to_a_local_url_with_its_query(client):
    response = client.post(reverse("portal:preferences"), {"large": "on", "next": "/sites/?area=320585"})
    assert response.url == "/sites/?area=320585"


def test_preferences_refuse_get_and_need_a_csrf_token(client):
    assert client.get(reverse("portal:preferences")).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("portal:preferences"), {"large": "on"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


@pytest.mark.parametrize("url_name", ["portal:home", "portal:sites", "accounts:login", "accounts:register"])
def test_every_page_has_skip_link_hotline_preferences_switch_and_no_inline_code(client, url_name):
    response = client.get(reverse(url_name))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a class="skip-link" href="#main">跳到主要内容</a>' in html
    assert 'id="main"' in html
    assert "12348" in html and 'href="tel:12348"' in html
    assert f'action="{reverse("portal:preferences")}"' in html
    assert "大字版" in html and "高对比度" in html
    assert "csrfmiddlewaretoken" in html
    assert not re.search(r"<[a-z][^>]*\sstyle=", html)  # no style attributes
    nonce = re.search(r"style-src [^;]*'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert set(re.findall(r"<style([^>]*)>", html)) == {f' nonce="{nonce}"'}  # only the inlined stylesheets
    for tag in re.findall(r"<script[^>]*>", html):
        assert " src=" in tag
    assert "script-src" in response.headers["Content-Security-Policy"]


def test_after_login_sends_citizens_to_their_profile(client, citizen):
    client.force_login(citizen, backend="open12348.accounts.backends.RoleBackend")
    response = client.get(reverse("portal:after-login"))
    assert response.url == reverse("accounts:profile")


def test_after_login_sends_staff_to_the_console(client, clerk_a):
    client.force_login(clerk_a, backend="open12348.accounts.backends.RoleBackend")
    assert client.get(reverse("portal:after-login")).url == reverse("portal:console")


def test_after_login_sends_the_audit_administrator_straight_to_the_admin(client, audit_admin):
    client.force_login(audit_admin, backend="open12348.accounts.backends.RoleBackend")
    assert client.get(reverse("portal:after-login")).url == reverse("admin:index")


def test_after_login_honours_a_safe_next_only(client, citizen):
    client.force_login(citizen, backend="open12348.accounts.backends.RoleBackend")
    assert client.get(reverse("portal:after-login"), {"next": "/sites/"}).url == "/sites/"
    assert client.get(reverse("portal:after-login"), {"next": "https://evil.example/"}).url == reverse(
        "accounts:profile"
    )


def test_console_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("portal:console"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_console_is_forbidden_to_citizens(client, citizen):
    client.force_login(citizen, backend="open12348.accounts.backends.RoleBackend")
    response = client.get(reverse("portal:console"))
    assert response.status_code == 403
    assert "没有访问权限" in response.content.decode()


def test_console_shows_the_clerks_own_area_and_nothing_outside_it(client, clerk_a, sites, town_a2, area_b):
    client.force_login(clerk_a, backend="open12348.accounts.backends.RoleBackend")
    response = client.get(reverse("portal:console"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "城厢镇" in html
    assert "城厢镇公共法律服务工作站" in html
    assert "窗口工作人员" in html
    assert "沙溪镇" not in html
    assert "昆山市" not in html
    assert "玉山镇" not in html
    assert "管理后台" not in html
    assert "审计日志" not in html
    assert "建设中" not in html


def test_console_of_a_bureau_administrator_links_to_the_admin(client, bureau_admin, sites):
    client.force_login(bureau_admin, backend="open12348.accounts.backends.RoleBackend")
    html = client.get(reverse("portal:console")).content.decode()
    assert 'href="/admin/"' in html
    assert "沙溪镇公共法律服务工作站" in html
    assert "玉山镇" not in html


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
