from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from open12348.accounts.models import ApiToken
from open12348.api.authentication import request_token


class TokenScopePermission(BasePermission):
    """A read token may only read (GET, HEAD, OPTIONS). Sessions and write tokens pass; what
    they may change is for the view's own permissions to decide."""

    message = _("只读令牌只能读取数据，不能提交或修改。")

    def has_permission(self, request, view):
        token = request_token(request)
        if token is None or token.scope == ApiToken.Scope.WRITE:
            return True
        return request.method in SAFE_METHODS


class HasPermission(BasePermission):
    """Requires one Django permission (from the caller's roles). Subclass with `perm`."""

    perm = ""
    message = _("您没有访问该接口的权限。")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(self.perm))
