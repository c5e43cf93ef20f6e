"""Where the current request came from, for audit events written deep inside services."""

import contextvars
import uuid
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    request_id: str = ""
    api_token: int | None = None  # the bearer token of an external system's call (C18)


def mark_api_token(token_id: int) -> None:
    """Events of this request were caused by an external system using this API token."""
    current.set(replace(current.get(), api_token=token_id))


EMPTY = RequestContext()
current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("audit_request_context", default=EMPTY)


def client_ip(meta: dict, trusted_proxies: int) -> str | None:
    """REMOTE_ADDR, or the address the nearest trusted proxy saw: X-Forwarded-For is
    believed only as far as our own proxies wrote it."""
    if trusted_proxies:
        hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return meta.get("REMOTE_ADDR") or None


def new_request_id() -> str:
    return str(uuid.uuid4())
