"""The API's own machinery: bearer tokens and sessions, token scope, the error shape,
strict input, pagination, the OpenAPI schema and the docs page."""

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError, Throttled, ValidationError
from rest_framework.test import APIRequestFactory

from open12348.accounts.models import User
from open12348.accounts.services import api_token_issue, api_token_revoke
from open12348.api.errors import Conflict, exception_handler, flatten_errors
from open12348.api.serializers import LongCharField, SharedFieldsMixin, StrictSerializer
from open12348.orgs.models import OrgNode
from open12348.orgs.tests.factories import OrgNodeFactory

pytestmark = pytest.mark.django_db

ORG_LIST = reverse("api:org-list")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


# --- Authentication -------------------------------------------------------------------------


def test_anonymous_org_list_is_401_with_a_bearer_challenge(client, town_a):
    response = client.get(ORG_LIST)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "detail": "未提供身份认证信息：请先登录，或在请求头中提供“Authorization: Bearer <令牌>”。"
    }


def test_a_bearer_token_acts_as_its_user_within_the_users_area(client, director_a, town_a, town_a2, town_b):
    _, secret = api_token_issue(actor=None, user=director_a)

    assert codes(client.get(ORG_LIST, headers=bearer(secret))) == ["320585", "320585100", "320585101"]


def test_the_bearer_keyword_is_case_insensitive(client, director_a):
    _, secret = api_token_issue(actor=None, user=director_a)

    assert client.get(ORG_LIST, headers={"Authorization": f"bearer {secret}"}).status_code == 200


def test_a_token_narrowed_to_a_town_sees_only_its_subtree(client, director_a, town_a, town_a2):
    _, secret = api_token_issue(actor=None, user=director_a, org=town_a)

    assert codes(client.get(ORG_LIST, headers=bearer(secret))) == ["320585100"]


def test_a_read_token_cannot_post(client, director_a):
    _, secret = api_token_issue(actor=None, user=director_a, scope="read")

    response = client.post(ORG_LIST, {}, content_type="application/json", headers=bearer(secret))

    assert response.status_code == 403
    assert response.json() == {"detail": "只读令牌只能读取数据，不能提交或修改。"}


def test_a_write_token_passes_the_scope_check_and_meets_the_method_check(client, director_a):
    _, secret = api_token_issue(actor=None, user=director_a, scope="write")

    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(ORG_LIST, {}, content_type="application/json", headers=bearer(secret))
        assert response.status_code == 405
        assert response.json() == {"detail": f"该接口不支持 {method.upper()} 请求方法。"}


def test_a_revoked_token_is_401(client, director_a):
    token, secret = api_token_issue(actor=None, user=director_a)
    # No revoke service exists yet; the revocation is what an administrator's action would write.
    api_token_revoke(actor=None, token=token)

    response = client.get(ORG_LIST, headers=bearer(secret))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"detail": "令牌已被吊销。"}


def test_an_expired_token_is_401(client, director_a):
    _, secret = api_token_issue(actor=None, user=director_a, expires_in=timedelta(days=1))
    assert client.get(ORG_LIST, headers=bearer(secret)).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        response = client.get(ORG_LIST, headers=bearer(secret))

    assert response.status_code == 401
    assert response.json() == {"detail": "令牌已过期。"}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer o12348_not-a-real-token",
        "Bearer",
        "Bearer two parts",
        "Bearer " + "x" * 500,
        # A WSGI server hands over header bytes decoded as latin-1 (PEP 3333).
        "Bearer " + "令牌".encode().decode("latin-1"),
    ],
)
def test_a_garbage_token_is_401(client, director_a, header):
    response = client.get(ORG_LIST, headers={"Authorization": header})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["detail"].startswith("令牌")


def test_a_token_of_a_deactivated_account_is_401(client, director_a):
    _, secret = api_token_issue(actor=None, user=director_a)
    User.objects.filter(pk=director_a.pk).update(is_active=False)

    response = client.get(ORG_LIST, headers=bearer(secret))

    assert response.status_code == 401
    assert response.json() == {"detail": "令牌所属账户已停用。"}


def test_a_token_stops_working_when_its_account_moves_out_of_the_tokens_area(client, director_a, town_a, area_b):
    _, secret = api_token_issue(actor=None, user=director_a, org=town_a)
    director_a.staff_profile.org = area_b  # what a transfer to 昆山市 leaves behind
    director_a.staff_profile.save()

    response = client.get(ORG_LIST, headers=bearer(secret))

    assert response.status_code == 401  # not: the whole of 昆山市 through an old 城厢镇 token


def test_last_used_is_recorded_at_most_once_a_minute(client, director_a):
    token, secret = api_token_issue(actor=None, user=director_a)
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        client.get(ORG_LIST, headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get(ORG_LIST, headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == start

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get(ORG_LIST, headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


def test_a_token_on_a_public_endpoint_is_still_checked(client, director_a):
    response = client.get(reverse("api:site-list"), headers=bearer("o12348_wrong"))

    assert response.status_code == 401


def test_a_citizen_session_is_403(client, citizen):
    client.force_login(citizen)

    assert client.get(ORG_LIST).status_code == 403


def test_session_posts_need_the_csrf_token(director_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(director_a)

    response = client.post(ORG_LIST, {}, content_type="application/json")

    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF 校验失败，请刷新页面后重试。"}


def test_a_session_that_must_change_its_password_is_refused(client, director_a):
    User.objects.filter(pk=director_a.pk).update(must_change_password=True)
    client.force_login(director_a)

    response = client.get(ORG_LIST)

    assert response.status_code == 403
    assert "修改密码" in response.json()["detail"]


# --- Errors, query parameters, pagination ---------------------------------------------------


def test_an_unknown_api_path_is_a_json_404_in_chinese(client):
    for path in ("/api/v1/nothing/", "/api/", "/api/v2/orgs/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "接口不存在，请查看 /api/docs/ 中的接口列表。"}


def test_a_path_without_its_slash_is_redirected_to_the_endpoint(client):
    response = client.get("/api/v1/sites")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/sites/"


def test_options_is_not_served(client):
    response = client.options(reverse("api:site-list"))

    assert response.status_code == 405
    assert response.json() == {"detail": "该接口不支持 OPTIONS 请求方法。"}


def test_repeated_and_unknown_query_parameters_are_named(client, director_a):
    client.force_login(director_a)

    response = client.get(ORG_LIST + "?level=street&level=city&colour=red")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "请求参数有误，请按 errors 中的说明修改后重试。",
        "errors": {"level": ["该查询参数只能出现一次。"], "colour": ["未知查询参数。"]},
    }


def test_the_format_parameter_is_accepted(client, director_a):
    client.force_login(director_a)

    assert client.get(ORG_LIST, {"format": "json"}).status_code == 200


@pytest.fixture
def many_towns(director_a, area_a):
    for number in range(5):
        OrgNodeFactory(code=f"320585{200 + number}", level=OrgNode.Level.STREET, parent=area_a)


def test_pagination_follows_page_and_page_size(client, director_a, many_towns):
    client.force_login(director_a)

    first = client.get(ORG_LIST, {"page_size": 2}).json()
    last = client.get(ORG_LIST, {"page_size": 2, "page": 3}).json()

    assert first["count"] == 6
    assert [row["code"] for row in first["results"]] == ["320585", "320585200"]
    assert first["previous"] is None and "page=2" in first["next"]
    assert [row["code"] for row in last["results"]] == ["320585203", "320585204"]
    assert last["next"] is None


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"page": "abc"}, "page", "页码须为正整数。"),
        ({"page": "0"}, "page", "页码须为正整数。"),
        ({"page": "１"}, "page", "页码须为正整数。"),  # full-width digit: int() would accept it
        ({"page_size": "x"}, "page_size", "每页条数须为 1 到 500 之间的整数。"),
        ({"page_size": "501"}, "page_size", "每页条数须为 1 到 500 之间的整数。"),
    ],
)
def test_a_malformed_page_parameter_is_a_400_naming_it(client, director_a, params, field, message):
    client.force_login(director_a)

    response = client.get(ORG_LIST, params)

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}


def test_a_page_past_the_end_is_a_404_in_chinese(client, director_a):
    client.force_login(director_a)

    response = client.get(ORG_LIST, {"page": "99"})

    assert response.status_code == 404
    assert response.json() == {"detail": "第 99 页没有数据。"}


def test_page_size_up_to_500_is_allowed(client, director_a):
    client.force_login(director_a)

    assert client.get(ORG_LIST, {"page_size": "500"}).status_code == 200


def handle(exc):
    request = APIRequestFactory().get("/api/v1/x/")
    return exception_handler(exc, {"request": request, "view": None})


def test_the_handler_turns_a_services_django_validation_error_into_field_errors():
    response = handle(DjangoValidationError({"phone": "该手机号码已注册，请直接登录或找回密码。"}))

    assert response.status_code == 400
    assert response.data["errors"] == {"phone": ["该手机号码已注册，请直接登录或找回密码。"]}


def test_the_handler_keeps_a_services_chinese_refusal_and_replaces_english_ones():
    assert handle(DjangoPermissionDenied("不能给自己分配角色。")).data == {"detail": "不能给自己分配角色。"}
    assert handle(DjangoPermissionDenied("Forbidden")).data == {"detail": "您没有执行此操作的权限。"}
    assert handle(DjangoPermissionDenied()).data == {"detail": "您没有执行此操作的权限。"}


def test_the_handler_has_chinese_messages_for_conflict_and_throttling():
    conflict = handle(Conflict())
    throttled = handle(Throttled(wait=30))

    assert conflict.status_code == 409 and conflict.data["detail"] == "该操作与数据的当前状态冲突，请刷新后重试。"
    assert throttled.status_code == 429 and throttled.data["detail"] == "请求过于频繁，请在 30 秒后重试。"
    assert throttled["Retry-After"] == "30"


def test_the_handler_replaces_the_parsers_english_message():
    response = handle(ParseError("JSON parse error - Expecting property name enclosed in double quotes"))

    assert response.status_code == 400
    assert response.data == {"detail": "请求内容不是有效的 JSON。"}


def test_the_handler_leaves_real_faults_to_be_500s():
    assert handle(RuntimeError("bug")) is None


def test_nested_errors_are_flattened_to_dotted_names():
    detail = {"windows": [{}, {"number": ["必须是整数。"]}], "non_field_errors": ["冲突。"], "name": ["必填。"]}

    assert flatten_errors(detail) == {
        "windows.1.number": ["必须是整数。"],
        "non_field_errors": ["冲突。"],
        "name": ["必填。"],
    }
    assert flatten_errors(["整体有误。"]) == {"non_field_errors": ["整体有误。"]}


# --- StrictSerializer ------------------------------------------------------------------------


class WindowInput(StrictSerializer):
    number = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=50)


class SiteInput(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    windows = WindowInput(many=True, required=False)


def errors_of(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    assert not serializer.is_valid()
    return flatten_errors(serializer.errors)


def test_a_strict_serializer_accepts_exactly_its_fields():
    serializer = SiteInput(data={"name": "城厢镇工作站", "windows": [{"number": 1, "name": "综合受理"}]})

    assert serializer.is_valid(), serializer.errors


def test_a_strict_serializer_names_each_unknown_field():
    assert errors_of(SiteInput, {"name": "站", "nmae": "站", "colour": "红"}) == {
        "nmae": ["未知字段。"],
        "colour": ["未知字段。"],
    }


def test_a_strict_serializer_refuses_read_only_fields_and_reports_them_with_other_errors():
    assert errors_of(SiteInput, {"id": 7, "extra": 1}) == {
        "name": ["该字段是必填项。"],
        "id": ["该字段为只读字段，不能提交。"],
        "extra": ["未知字段。"],
    }


def test_a_strict_serializer_checks_nested_input():
    assert errors_of(SiteInput, {"name": "站", "windows": [{"number": 1, "name": "甲", "colour": "红"}]}) == {
        "windows.0.colour": ["未知字段。"]
    }


def test_a_strict_serializers_error_becomes_a_400_naming_the_fields():
    serializer = SiteInput(data={"name": "站", "nmae": "站"})

    with pytest.raises(ValidationError) as raised:
        serializer.is_valid(raise_exception=True)
    response = handle(raised.value)

    assert response.status_code == 400
    assert response.data == {
        "detail": "请求参数有误，请按 errors 中的说明修改后重试。",
        "errors": {"nmae": ["未知字段。"]},
    }


class SharedSiteInput(SharedFieldsMixin, StrictSerializer):
    name = serializers.CharField(max_length=120)
    windows = WindowInput(many=True, required=False)
    note = LongCharField(max_length=20, required=False)

    def validate_name(self, value):
        return f"{self.context['prefix']}{value}"


def test_shared_fields_are_made_once_and_each_instance_keeps_its_own_context_and_errors():
    first = SharedSiteInput(data={"name": "甲", "windows": [{"number": 1, "name": "窗"}]}, context={"prefix": "一"})
    second = SharedSiteInput(data={"name": "乙", "windows": [{"number": 0, "name": "窗"}]}, context={"prefix": "二"})

    assert first.is_valid(), first.errors
    assert not second.is_valid()
    assert first.fields is second.fields
    assert first.validated_data["name"] == "一甲"  # validate_name ran on the instance with its context
    assert first.errors == {}
    assert flatten_errors(second.errors) == {"windows.0.number": ["请确保该值大于或者等于 1。"]}
    third = SharedSiteInput(data={"name": "丙", "colour": "红"}, context={"prefix": "三"})
    assert errors_of_instance(third) == {"colour": ["未知字段。"]}


def errors_of_instance(serializer) -> dict:
    assert not serializer.is_valid()
    return flatten_errors(serializer.errors)


@pytest.mark.parametrize(
    ("note", "errors"),
    [
        ("甲\ud800乙", {"note": ["不允许使用代理字符: U+D800。"]}),
        ("x" * 21, {"note": ["请确保这个字段不能超过 20 个字符。"]}),
    ],
)
def test_a_long_char_field_refuses_what_a_char_field_refuses(note, errors):
    plain = type("PlainNote", (StrictSerializer,), {"note": serializers.CharField(max_length=20)})
    data = {"name": "站", "note": note}
    assert errors_of_instance(SharedSiteInput(data=data, context={"prefix": ""})) == errors
    assert errors_of(plain, {"note": note}) == errors


# --- Schema and docs ------------------------------------------------------------------------


def test_the_schema_is_public_valid_openapi_3(client):
    response = client.get(reverse("api:schema"), {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    for path in ("/api/v1/orgs/", "/api/v1/orgs/{code}/", "/api/v1/sites/", "/api/v1/sites/{id}/"):
        assert path in schema["paths"]
    for path in ("/api/v1/catalog/items/", "/api/v1/catalog/items/{code}/", "/api/v1/catalog/categories/"):
        assert path in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert (schemes["bearerAuth"]["type"], schemes["bearerAuth"]["scheme"]) == ("http", "bearer")
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert schema["paths"]["/api/v1/orgs/"]["get"]["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    assert {} in schema["paths"]["/api/v1/sites/"]["get"]["security"]  # public: no credentials needed


def test_the_schema_describes_people_facing_text_in_chinese(client):
    schema = json.loads(client.get(reverse("api:schema"), {"format": "json"}).content)

    for path, operations in schema["paths"].items():
        for operation in operations.values():
            assert re.search(r"[\u4e00-\u9fff]", operation["summary"]), path
            assert all(re.search(r"[\u4e00-\u9fff]", tag) for tag in operation["tags"]), path


def test_the_schema_is_served_even_with_a_bad_token(client):
    assert client.get(reverse("api:schema"), headers=bearer("wrong")).status_code == 200


def test_spectacular_validates_the_schema_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text(encoding="utf-8").startswith("openapi: 3.")


class AssetParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_styles = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in attrs
            if "src" in attrs:
                self.urls.append(attrs["src"])
        if tag == "link":
            self.urls.append(attrs["href"])
        if tag == "style" or "style" in attrs or any(name.startswith("on") for name in attrs):
            self.inline_styles += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def test_the_docs_page_uses_only_local_assets_and_nothing_inline(client):
    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    parser = AssetParser()
    parser.feed(response.content.decode())
    assert parser.inline_scripts == [] and parser.inline_styles == 0
    assert len(parser.urls) >= 4  # icon, two style sheets, Swagger UI, the start-up script
    for url in parser.urls:
        assert not re.match(r"^(https?:)?//", url), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_the_docs_start_up_script_is_a_separate_javascript_file(client):
    response = client.get(reverse("api:docs"), {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    script = response.content.decode()
    assert "SwaggerUIBundle(" in script
    assert 'url: "/api/schema/"' in script
    assert '"validatorUrl": null' in script  # no call to swagger.io from an intranet
    assert not re.search(r"https?://", script)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_renders_the_operations_in_chromium_under_our_csp(live_server, browser):
    problems: list[str] = []
    external: list[str] = []
    page = browser.new_page()
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"{request.url} {request.failure}"))
    page.on("request", lambda request: request.url.startswith(live_server.url) or external.append(request.url))
    page.goto(live_server.url + reverse("api:docs"))
    page.wait_for_selector(".opblock-summary-path >> text=/api/v1/orgs/", timeout=20_000)
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert problems == []
    assert external == []
    assert any("行政区域" in tag for tag in tags)
