"""How API callers prove who they are: a bearer token (other systems) or the browser session
(staff using the docs page or the site's own scripts). A token acts as its user, narrowed to
the token's org subtree and scope; views read it back with `request_token(request)`."""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header

from open12348.accounts.middleware import password_change_due
from open12348.accounts.models import ApiToken
from open12348.accounts.services import api_token_hash, api_token_touch
from open12348.audit import context as audit_context
from open12348.core.prepared import PreparedQuery
from open12348.orgs.models import OrgNode

MAX_SECRET_LENGTH = 200
# Every API call signs in with this look-up: compiled once (core.prepared).
_TOKEN_BY_HASH = PreparedQuery(
    lambda key_hash: ApiToken.objects.select_related("user", "org", "user__staff_profile__org").filter(
        key_hash=key_hash
    ),
    str,
)


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <secret>`. Only the SHA-256 of the secret is stored, so the
    look-up is one indexed equality query. Listed first in the settings: its
    `WWW-Authenticate` header is what makes "not signed in" a 401 rather than a 403."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2 or len(parts[1]) > MAX_SECRET_LENGTH:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确，应为“Authorization: Bearer <令牌>”。"))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确，应为“Authorization: Bearer <令牌>”。")) from None
        token = _TOKEN_BY_HASH.first(api_token_hash(secret))
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("令牌已被吊销。"))
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("令牌已过期。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("令牌所属账户已停用。"))
        profile = getattr(token.user, "staff_profile", None)
        if profile is None or not token.org.is_within(profile.org):
            # The account has moved since the token was issued: the token must not widen
            # to the account's new area, so it stops working instead.
            raise exceptions.AuthenticationFailed(_("令牌的限定区域已不在该账户的服务区域内，请重新签发。"))
        api_token_touch(token=token, now=now)
        audit_context.mark_api_token(token.pk)
        request._request.auth_token = token
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class CsrfSessionAuthentication(SessionAuthentication):
    """The browser session, with CSRF enforced on unsafe methods as DRF does, and the
    refusals in Chinese. An account that must change its password first is refused."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and password_change_due(result[0]):
            raise exceptions.PermissionDenied(_("为了账户安全，请先在网页上修改密码，然后再使用接口。"))
        return result

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(_("CSRF 校验失败，请刷新页面后重试。")) from None


def request_token(request) -> ApiToken | None:
    """The API token the request was authenticated with, or None (session, anonymous)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


def token_org(request) -> OrgNode | None:
    """The org a token narrows its user's area to (`within=` of the orgs selectors)."""
    token = request_token(request)
    return token.org if token is not None else None
