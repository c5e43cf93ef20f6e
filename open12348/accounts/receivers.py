"""Authentication events onto the audit trail (C18). Signals are used here because the
events come from Django and django-axes, not from our own domain flow."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from open12348.accounts.backends import login_key
from open12348.accounts.middleware import LAST_SEEN, STARTED
from open12348.audit.services import record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    now = time.time()
    request.session[STARTED] = now
    request.session[LAST_SEEN] = now
    record(actor=user, verb="auth.login", target=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, verb="auth.logout", target=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    record(verb="auth.login_failed", actor_label=login_key(credentials.get("username", "")))


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    record(verb="auth.locked_out", actor_label=username or "")
