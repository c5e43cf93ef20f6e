"""OpenAPI descriptions drf-spectacular cannot derive by itself: our two authentication
schemes, and the error responses every endpoint shares."""

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

from open12348.api.serializers import ErrorSerializer


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "open12348.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                gettext(
                    "接口令牌，由管理员用 `manage.py issuetoken <用户名>` 签发，只显示一次。"
                    "请求头：`Authorization: Bearer <令牌>`。令牌以签发账户的身份访问，"
                    "只能看到令牌限定区域内的数据；只读令牌只能使用 GET。"
                )
            ),
        }


class CsrfSessionScheme(OpenApiAuthenticationExtension):
    target_class = "open12348.api.authentication.CsrfSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": gettext("网页登录后的会话。提交（POST 等）须带 CSRF 令牌（X-CSRFToken 请求头）。"),
        }


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


BAD_REQUEST = error(_("请求参数有误：errors 中列出每个有误的字段或查询参数"))
UNAUTHORIZED = error(_("未登录，或令牌无效、已过期、已吊销"))
FORBIDDEN = error(_("无权访问（如公众账户、只读令牌提交修改）"))
NOT_FOUND = error(_("不存在，或不在您的服务区域内"))
PUBLIC_NOT_FOUND = error(_("不存在或已停用"))

PUBLIC_LIST_ERRORS = {400: BAD_REQUEST}
PUBLIC_DETAIL_ERRORS = {400: BAD_REQUEST, 404: PUBLIC_NOT_FOUND}
STAFF_LIST_ERRORS = {400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN}
STAFF_DETAIL_ERRORS = {**STAFF_LIST_ERRORS, 404: NOT_FOUND}
