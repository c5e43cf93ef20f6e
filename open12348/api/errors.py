"""One error shape for the whole API, in Chinese:

    {"detail": "<说明>"}                                   401 403 404 405 409 415 429 …
    {"detail": "请求参数有误……", "errors": {"<字段>": ["…"]}}   400

Nested field errors are flattened to dotted names ("windows.0.number"). Messages DRF or
Django would give in English are replaced by a Chinese one for the status."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

VALIDATION_DETAIL = _("请求参数有误，请按 errors 中的说明修改后重试。")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("该操作与数据的当前状态冲突，请刷新后重试。")
    default_code = "conflict"


# The message for each kind of refusal when the exception carries no Chinese message of its own.
MESSAGES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: _("未提供身份认证信息：请先登录，或在请求头中提供“Authorization: Bearer <令牌>”。"),
    exceptions.AuthenticationFailed: _("身份认证失败。"),
    exceptions.PermissionDenied: _("您没有执行此操作的权限。"),
    exceptions.NotFound: _("未找到。"),
    exceptions.NotAcceptable: _("无法按请求的格式（Accept）返回数据，本接口只返回 JSON。"),
    exceptions.ParseError: _("请求内容不是有效的 JSON。"),
    Conflict: Conflict.default_detail,
}


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)  # i18n: data — the CJK range, not a message


def _message(exc: exceptions.APIException, request) -> str:
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = getattr(request, "method", "") or ""
        return gettext("该接口不支持 {method} 请求方法。").format(method=method)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return gettext("不支持该请求内容类型（Content-Type），请以 application/json 提交。")
    if isinstance(exc, exceptions.Throttled):
        wait = gettext("请在 {wait} 秒后重试。").format(wait=int(exc.wait)) if exc.wait else gettext("请稍后重试。")
        return gettext("请求过于频繁，{wait}").format(wait=wait)
    detail = str(exc.detail) if not isinstance(exc.detail, (list, dict)) else ""
    if detail and detail != str(exc.default_detail) and _has_chinese(detail):
        return detail
    for kind in type(exc).__mro__:
        if kind in MESSAGES:
            return str(MESSAGES[kind])
    return detail if _has_chinese(detail) else gettext("请求未能完成。")


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """{"windows": [{}, {"number": ["…"]}]} → {"windows.1.number": ["…"]}."""
    flat: dict[str, list[str]] = {}

    def walk(node, key: str) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                walk(value, f"{key}.{name}" if key else str(name))
        elif isinstance(node, list) and any(isinstance(item, (dict, list)) for item in node):
            for index, item in enumerate(node):
                if item:
                    walk(item, f"{key}.{index}" if key else str(index))
        else:
            messages = node if isinstance(node, list) else [node]
            flat.setdefault(key or api_settings.NON_FIELD_ERRORS_KEY, []).extend(str(m) for m in messages)

    walk(detail, prefix)
    return flat


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()  # Django's message names the model, in English
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError: same shape as a serializer's.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real fault: let it be a logged 500
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": str(VALIDATION_DETAIL), "errors": flatten_errors(exc.detail)}
    else:
        response.data = {"detail": _message(exc, context.get("request"))}
    return response
