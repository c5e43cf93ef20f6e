"""Text messages go through one interface. The default prints to the console (and the
log), so a county can run without an SMS gateway; a real gateway is a subclass."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger("open12348.sms")


class SmsBackend:
    def send(self, phone: str, message: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    def send(self, phone: str, message: str) -> None:
        print(_("[短信] 发往 {phone}：{message}").format(phone=phone, message=message), flush=True)  # noqa: T201 — the console is the gateway


class MemorySmsBackend(SmsBackend):
    """Keeps messages in `outbox`, like Django's locmem e-mail backend (for tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        MemorySmsBackend.outbox.append((phone, message))


def send_sms(phone: str, message: str) -> None:
    import_string(settings.SMS_BACKEND)().send(phone, message)
