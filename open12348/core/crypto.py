"""Authenticated encryption of personal data at rest (AES-256-GCM) and keyed hashes for
exact look-up. Ciphertext carries its key id, so keys rotate without a flag day:
the first key in PII_KEYS encrypts, every listed key decrypts."""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

PREFIX = "enc1"


@cache
def _keyring(spec: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    active = ""
    for item in spec.split(","):
        key_id, _, encoded = item.strip().partition(":")
        raw = base64.b64decode(encoded)
        if len(raw) != 32 or not key_id:
            raise ImproperlyConfigured(gettext("PII_KEYS 中每个密钥须为 `编号:base64(32字节)`"))
        keys[key_id] = AESGCM(raw)
        active = active or key_id
    return active, keys


def encrypt(plaintext: str) -> str:
    active, keys = _keyring(settings.PII_KEYS)
    nonce = os.urandom(12)
    sealed = keys[active].encrypt(nonce, plaintext.encode("utf-8"), active.encode())
    return f"{PREFIX}:{active}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    prefix, key_id, encoded = token.split(":", 2)
    if prefix != PREFIX:
        raise ValueError("not an Open12348 ciphertext")
    _, keys = _keyring(settings.PII_KEYS)
    raw = base64.b64decode(encoded)
    return keys[key_id].decrypt(raw[:12], raw[12:], key_id.encode()).decode("utf-8")


def is_ciphertext(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of an already normalised value: equal inputs give equal hashes, and
    without the key the hash reveals nothing (a resident ID space is small enough to
    enumerate, so a plain hash would not do)."""
    return hmac.new(settings.PII_HASH_KEY.encode(), value.encode("utf-8"), hashlib.sha256).hexdigest()
