"""The optional language model: an OpenAI-compatible chat-completions endpoint configured by
AI_BASE_URL, AI_API_KEY and AI_MODEL. Unconfigured, `get_client()` is None and every caller
works offline (templates, BM25 ranking). Tests install a fake with `use_client`; nothing in
the test suite talks to a network."""

import contextlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Protocol

from django.conf import settings


class LLMError(Exception):
    """The endpoint failed or answered something unusable; callers fall back to offline."""


class ChatClient(Protocol):
    def complete(self, messages: list[dict], *, max_tokens: int = 800) -> str: ...


class OpenAICompatibleClient:
    def __init__(self, *, base_url: str, api_key: str, model: str, timeout: float):
        if not base_url.startswith(("https://", "http://")):
            raise LLMError("AI_BASE_URL must be an http(s) URL")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.api_key = api_key
        self.model = model
        self.timeout = timeout

    def complete(self, messages: list[dict], *, max_tokens: int = 800) -> str:
        body = json.dumps(
            {"model": self.model, "messages": messages, "max_tokens": max_tokens, "temperature": 0}
        ).encode()
        request = urllib.request.Request(self.url, data=body, method="POST")  # noqa: S310 (http(s) checked)
        request.add_header("Content-Type", "application/json")
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = json.load(response)
            return payload["choices"][0]["message"]["content"] or ""
        except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError(str(exc)) from exc


_override: list[ChatClient | None] = []


def get_client() -> ChatClient | None:
    if _override:
        return _override[-1]
    if not (settings.AI_BASE_URL and settings.AI_MODEL):
        return None
    return OpenAICompatibleClient(
        base_url=settings.AI_BASE_URL,
        api_key=settings.AI_API_KEY,
        model=settings.AI_MODEL,
        timeout=settings.AI_TIMEOUT_SECONDS,
    )


@contextlib.contextmanager
def use_client(client: ChatClient | None) -> Iterator[None]:
    """Install `client` (a fake in tests, or None to force offline) for the duration."""
    _override.append(client)
    try:
        yield
    finally:
        _override.pop()
