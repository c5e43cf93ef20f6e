from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from open12348.accounts import roles
from open12348.accounts.models import User
from open12348.core import pii
from open12348.core.fields import lookup_hash


def axes_username(request, credentials) -> str:
    """The key lockout counts failures under: the normalised login name (or phone)."""
    return login_key((credentials or {}).get("username", ""))


def login_key(login: str) -> str:
    """Citizens sign in with their phone number, staff with a user name."""
    try:
        return "phone:" + pii.validate_phone(login, mobile_only=True)
    except ValidationError:
        return User.objects.normalize_username(login)


class RoleBackend(ModelBackend):
    """Signs in by user name or phone number; permissions come from roles only (the groups
    `syncroles` materialises from roles.py), never from ad-hoc per-user grants."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        key = login_key(username)
        if key.startswith("phone:"):
            user = User.objects.filter(phone_hash=lookup_hash("phone", key.removeprefix("phone:"))).first()
        else:
            user = User.objects.filter(username__iexact=key).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle (C07)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    # Permissions are read from roles.py, the source `syncroles` writes the groups from
    # (and refuses permissions that do not exist): no permission query per request.
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(roles.permissions_of(user_obj.role_codes))

    def get_all_permissions(self, user_obj, obj=None):
        return self.get_group_permissions(user_obj, obj)
