import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from open12348.accounts import roles
from open12348.audit.services import record

STARTED = "auth_started_at"
LAST_SEEN = "last_activity_at"


def session_expired(session, kind: roles.Kind, now: float) -> bool:
    limits = settings.SESSION_LIMITS[kind]
    started, last = session.get(STARTED), session.get(LAST_SEEN)
    if started is None or last is None:
        return False
    return now - last > limits["idle"] or now - started > limits["absolute"]


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class SessionTimeoutMiddleware:
    """Idle and absolute session limits by kind of account (C04): administrators 10 min /
    4 h, staff 30 min / 10 h, citizens 30 min / 2 h. Only sessions: API tokens have their own expiry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not getattr(request, "auth_token", None) and hasattr(request, "session"):
            now = time.time()
            if session_expired(request.session, user.session_kind, now):
                record(actor=user, verb="session.expired", target=user)
                logout(request)
                if _is_api(request):
                    return JsonResponse({"detail": _("会话已超时，请重新登录。")}, status=401)
                messages.info(request, _("您已较长时间未操作，为保护您的信息已自动退出，请重新登录。"))
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.get_full_path()}")
            request.session.setdefault(STARTED, now)
            request.session[LAST_SEEN] = now
        return self.get_response(request)


def password_change_due(user) -> bool:
    if user.must_change_password:
        return True
    if user.session_kind == roles.Kind.CITIZEN or user.password_changed_at is None:
        return False
    age = timezone.now() - user.password_changed_at
    return age.days >= settings.PASSWORD_MAX_AGE_DAYS


class PasswordChangeRequiredMiddleware:
    """Staff change their password every PASSWORD_MAX_AGE_DAYS days (等保 8.1.4.1 a), and
    every account created with a one-time password changes it at first sign-in."""

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(self.EXEMPT_PREFIXES) and password_change_due(user):
            messages.warning(request, _("为了账户安全，请先修改密码。"))
            return redirect(f"{reverse('accounts:password-change')}?next={request.get_full_path()}")
        return self.get_response(request)
