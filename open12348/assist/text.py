"""Question text before classification and retrieval (pure, no ORM): traditional characters
converted to simplified (OpenCC t2s), full-width forms normalised, whitespace collapsed, and
very long input truncated. An empty question is refused with a clear message."""

from __future__ import annotations

import functools
import re
import unicodedata

from django.utils.translation import gettext as _

MAX_CHARS = 2000  # a question longer than this is truncated (the first part carries the facts)
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class EmptyQuestion(ValueError):
    """The question has no content."""


@functools.cache
def _converter():
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a requirement
        return None
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    converter = _converter()
    return converter.convert(text) if converter is not None and _CJK.search(text) else text


def normalize(text: str | None, *, max_chars: int = MAX_CHARS) -> str:
    """The question as the models see it; raises EmptyQuestion when nothing is left."""
    if text is None:
        raise EmptyQuestion(_("问题不能为空。"))
    text = str(text)[: max_chars * 4]
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    text = _SPACE.sub(" ", text).strip()
    if not text:
        raise EmptyQuestion(_("问题不能为空。"))
    return text[:max_chars]


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text or ""))
