"""Tokenisation of the models (pure): jieba's default dictionary in a private Tokenizer, so
that an artifact's vocabulary does not change when the statute library's user dictionary
does (open12348.laws.segment serves full-text search; the models must see questions exactly
as they saw their training data). Punctuation-only tokens and whitespace are dropped."""

from __future__ import annotations

import logging
import re
import threading

import jieba

jieba.setLogLevel(logging.WARNING)

_PUNCT = re.compile(r"^[\W_]+$")
# Function words and question phrasing that carry no legal content: left out everywhere (the
# statutes' BM25, the similar-question votes, the expansion table), so that two questions do
# not look alike because both say "我……怎么办".
# i18n: data
STOP_WORDS = frozenset(
    "的 了 是 在 和 与 及 或 而 也 都 就 把 被 让 给 向 从 到 于 以 之 其 这 那 这个 那个 这样 那样 "  # i18n: data
    "我 你 他 她 它 我们 你们 他们 她们 自己 本人 请问 请 问 想 想问 咨询 一下 "  # i18n: data
    "怎么 怎么办 怎么样 怎样 如何 什么 为什么 哪些 哪个 哪里 吗 呢 吧 啊 呀 嘛 哦 么 "  # i18n: data
    "该 应该 应当 能 能够 会 可以 可 需要 要 有 没有 是否 还是 还 又 很 太 非常 一个 "  # i18n: data
    "个 时候 时 后 前 中 上 下 里 等".split()  # i18n: data
)
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                tok = jieba.Tokenizer()
                tok.initialize()
                _tokenizer = tok
    return _tokenizer


def cut(text: str) -> list[str]:
    """Words of `text` in jieba's search mode without HMM guessing: each dictionary word, and
    also the dictionary words inside a longer one ("月工资" → 工资, 月工资; "劳动合同法" → 劳动,
    合同, 劳动合同, 合同法, 劳动合同法), so that a question and an article sharing a word match
    even when jieba groups the characters around it differently. Lower-cased, without
    punctuation and STOP_WORDS."""
    words = (t.lower() for t in tokenizer().cut_for_search(text or "", HMM=False))
    return [t for t in words if t.strip() and t not in STOP_WORDS and not _PUNCT.match(t)]


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of the text without punctuation or spaces."""
    s = re.sub(r"[\W_]+", "", (text or "").lower())
    return [s[i : i + 2] for i in range(len(s) - 1)]
