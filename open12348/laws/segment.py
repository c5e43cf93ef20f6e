"""Chinese word segmentation for search (jieba) with a legal user dictionary.

- `cut(text)`: precise-mode tokens (what a query is split into);
- `cut_for_index(text)`: precise-mode tokens plus every dictionary word inside a longer token
  (so "劳动合同" and "合同法" are found inside "劳动合同法" as well), for the index;
- `cut_query(text)`: `cut` without stop words, punctuation and duplicates, capped in number.

Tokens are NFKC-normalised (full-width letters and digits become ASCII) and lower-cased;
whitespace and punctuation are dropped. HMM new-word discovery is off by default so that a
query and a document containing the same characters are segmented the same way.

The user dictionary (law titles and their short names, terms defined in "本法所称…是指"
sentences, a small list of legal terms) is built by `importlaws` through
`write_user_dictionary()` and stored at `settings.LAWS_USERDICT_PATH` (default
var/laws/userdict.txt). It is loaded lazily on the first cut; other processes pick up a newer
file within `RELOAD_CHECK_SECONDS`. Pure module: no ORM."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import jieba

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

RELOAD_CHECK_SECONDS = 30
MAX_QUERY_TOKENS = 32
EXPANSION_CACHE_SIZE = 500_000  # distinct tokens whose index expansion is remembered
MAX_EXPAND_LENGTH = 16  # longer tokens are not searched for inner words (rare, and O(n²))
USER_WORD_FREQ = 20000  # high enough that a title or term is never split by the default dictionary

# Legal terms the default jieba dictionary splits; the importer adds titles and defined terms.
BASE_TERMS = (
    "民法典 刑法 劳动法 劳动合同法 劳动争议 劳动仲裁 劳动报酬 经济补偿 经济补偿金 赔偿金 工伤认定 工伤保险 "  # i18n: data
    "社会保险 试用期 加班费 最低工资 拖欠工资 欠薪 法律援助 人民调解 司法鉴定 公证 仲裁 诉讼时效 "
    "民事诉讼 刑事诉讼 行政诉讼 行政复议 不动产登记 离婚冷静期 抚养费 赡养费 抚养权 夫妻共同财产 "
    "夫妻共同债务 遗嘱继承 法定继承 遗产管理人 居住权 物业服务 物业费 交通事故 机动车 人身损害 "
    "精神损害 医疗损害 产品责任 消费者权益 惩罚性赔偿 知识产权 商标权 著作权 专利权 未成年人 "
    "监护人 限制民事行为能力 无民事行为能力 完全民事行为能力 法定代表人 格式条款 违约金 定金 "
    "保证人 连带责任 按份责任 善意取得 不当得利 无因管理 缔约过失 民间借贷 高利贷 校园欺凌 "
    "家庭暴力 人身安全保护令 非法集资 电信诈骗 正当防卫 紧急避险 取保候审 刑事拘留 行政拘留"
).split()

STOP_WORDS = frozenset(
    "的 了 是 在 和 与 及 或 而 也 都 就 对 把 被 让 给 向 从 到 于 以 为 之 其 这 那 我 你 他 她 它 我们 "  # i18n: data
    "你们 他们 自己 怎么 怎么办 怎样 如何 什么 哪些 哪个 为什么 吗 呢 吧 啊 呀 嘛 哦 么 请问 "
    "请 问 想 要 能 会 可以 应该 有 没有 一个 一下 这个 那个 还 又 很 太 非常".split()
)

_PUNCT_ONLY = re.compile(r"^[\W_]+$")
_ARTICLE_NO = re.compile(r"^第[一二三四五六七八九十百千零〇两0-9]+条(之[一二三四五六七八九十]+)?$")  # i18n: data
# Article numbers stay one token ("第一百零四条"; jieba alone gives 第一百 / 零 / 四条).
_ARTICLE_NO_IN_TEXT = re.compile(r"(第[一二三四五六七八九十百千零〇两]+条(?:之[一二三四五六七八九十]+)?)")  # i18n: data


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


_base: jieba.Tokenizer | None = None
_base_lock = threading.Lock()


def _fresh_tokenizer() -> jieba.Tokenizer:
    """A tokenizer with jieba's default dictionary, copied from one loaded once per process
    (loading takes about a second; copying the word table a few milliseconds)."""
    global _base
    with _base_lock:
        if _base is None:
            base = jieba.Tokenizer()
            base.initialize()
            _base = base
    tok = jieba.Tokenizer()
    tok.FREQ, tok.total, tok.initialized = dict(_base.FREQ), _base.total, True
    return tok


class Segmenter:
    """A jieba tokenizer of its own (the global `jieba` one stays untouched for other code)."""

    def __init__(self, userdict_path: Path | None):
        self.userdict_path = userdict_path
        self._lock = threading.Lock()
        self._tokenizer: jieba.Tokenizer | None = None
        self._loaded_mtime: float | None = None
        self._checked_at = 0.0
        self._expansions: dict[str, tuple[str, ...]] = {}
        self._expand_for: jieba.Tokenizer | None = None

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        tok = self._tokenizer
        now = time.monotonic()
        if tok is not None and now - self._checked_at < RELOAD_CHECK_SECONDS:
            return tok
        with self._lock:
            self._checked_at = now
            mtime = self._mtime()
            if self._tokenizer is None or mtime != self._loaded_mtime:
                self._tokenizer = self._build(mtime)
            return self._tokenizer

    def _mtime(self) -> float | None:
        try:
            return os.stat(self.userdict_path).st_mtime if self.userdict_path else None
        except OSError:
            return None

    def _build(self, mtime: float | None) -> jieba.Tokenizer:
        tok = _fresh_tokenizer()
        for word in BASE_TERMS:
            tok.add_word(word, USER_WORD_FREQ)
        if mtime is not None:
            try:
                tok.load_userdict(str(self.userdict_path))
            except (OSError, ValueError, UnicodeDecodeError):
                logger.warning("legal user dictionary %s could not be read", self.userdict_path, exc_info=True)
        self._loaded_mtime = mtime
        return tok

    def reload(self) -> None:
        with self._lock:
            self._tokenizer = None
            self._checked_at = 0.0

    def is_word(self, word: str) -> bool:
        return bool(self.tokenizer.FREQ.get(word))

    def _raw_cut(self, text: str, hmm: bool) -> list[str]:
        tok = self.tokenizer
        text = normalize(text)
        if "条" not in text:  # i18n: data
            return tok.lcut(text, HMM=hmm)
        out: list[str] = []
        for i, part in enumerate(_ARTICLE_NO_IN_TEXT.split(text)):
            if i % 2:
                out.append(part)
            elif part:
                out += tok.lcut(part, HMM=hmm)
        return out

    def cut(self, text: str, *, hmm: bool = False) -> list[str]:
        return [t for t in self._raw_cut(text, hmm) if t.strip() and not _PUNCT_ONLY.match(t)]

    def cut_for_index(self, text: str) -> list[str]:
        tok = self.tokenizer
        if self._expand_for is not tok:  # a new dictionary: other inner words
            self._expansions, self._expand_for = {}, tok
        expansions = self._expansions
        out: list[str] = []
        for t in self._raw_cut(text, False):
            expanded = expansions.get(t)
            if expanded is None:
                expanded = self._expand(t, tok.FREQ)
                if len(expansions) < EXPANSION_CACHE_SIZE:
                    expansions[t] = expanded
            out += expanded
        return out

    @staticmethod
    def _expand(t: str, freq: dict) -> tuple[str, ...]:
        """What one precise-mode token contributes to the index: nothing for whitespace and
        punctuation; the dictionary words inside it, then itself."""
        if not t.strip() or _PUNCT_ONLY.match(t):
            return ()
        n = len(t)
        if n <= 2 or n > MAX_EXPAND_LENGTH or _ARTICLE_NO.match(t):
            return (t,)
        inner = [t[i : i + size] for size in range(2, n) for i in range(n - size + 1) if freq.get(t[i : i + size])]
        return (*inner, t)

    def index_text(self, text: str) -> str:
        return " ".join(self.cut_for_index(text))


def _configured_path():
    """The raw setting (cheap to compare on every call) or None without Django settings."""
    try:
        from django.conf import settings

        return getattr(settings, "LAWS_USERDICT_PATH", None) or settings.VAR_DIR
    except Exception:  # settings not configured: plain jieba plus the base terms
        return None


def _default_path() -> Path | None:
    try:
        from django.conf import settings

        path = getattr(settings, "LAWS_USERDICT_PATH", None)
        return Path(path) if path else Path(settings.VAR_DIR) / "laws" / "userdict.txt"
    except Exception:
        return None


_segmenter: Segmenter | None = None
_segmenter_key: object = None
_segmenter_lock = threading.Lock()


def get_segmenter() -> Segmenter:
    """The process's segmenter for the configured dictionary path (re-created when the
    setting changes, e.g. in tests)."""
    global _segmenter, _segmenter_key
    key = _configured_path()
    seg = _segmenter
    if seg is None or key != _segmenter_key:
        with _segmenter_lock:
            if _segmenter is None or key != _segmenter_key:
                _segmenter, _segmenter_key = Segmenter(_default_path()), key
            seg = _segmenter
    return seg


def cut(text: str, *, hmm: bool = False) -> list[str]:
    """Precise-mode tokens of `text` (normalised, no whitespace or punctuation)."""
    return get_segmenter().cut(text, hmm=hmm)


def cut_for_index(text: str) -> list[str]:
    """Tokens to index: precise-mode tokens plus the dictionary words inside longer ones."""
    return get_segmenter().cut_for_index(text)


def cut_query(text: str) -> list[str]:
    """The distinct tokens a search query is matched on, stop words removed (unless nothing
    else is left), at most MAX_QUERY_TOKENS."""
    tokens = cut(text)
    kept = [t for t in tokens if t not in STOP_WORDS] or tokens
    return list(dict.fromkeys(kept))[:MAX_QUERY_TOKENS]


def index_text(text: str) -> str:
    """`cut_for_index` joined by spaces: what the engines store."""
    return get_segmenter().index_text(text)


def reload() -> None:
    """Forget the loaded dictionary (after `write_user_dictionary`)."""
    get_segmenter().reload()


# --- building the user dictionary (used by the importer) ---

_PREFIXES = (  # i18n: data (title prefixes)
    "中华人民共和国",  # i18n: data
    "全国人民代表大会常务委员会关于",  # i18n: data
    "全国人民代表大会关于",  # i18n: data
    "最高人民法院关于",  # i18n: data
    "国务院关于",  # i18n: data
)
_DEFINED = re.compile(
    r"(?:本|该)(?:法|条例|规定|办法|细则|解释|决定|准则)[^。；]{0,12}?所称(?:的)?([^，。；、：]{2,40}?)，?(?:是指|指|包括)"  # i18n: data
)
_QUOTED = re.compile(r"[“\"「]([^”\"」]{2,12})[”\"」]")
_PLAIN_TERM = re.compile(r"^[\u4e00-\u9fff]{2,12}$")


def short_titles(title: str) -> list[str]:
    """Names a law is cited by: the title, without "中华人民共和国" and similar prefixes,
    and without a parenthesised suffix. 《中华人民共和国劳动合同法》 → 劳动合同法."""
    names = []
    base = re.sub(r"[（(].*?[）)]$", "", title.strip()).strip("《》 ")
    if base:
        names.append(base)
    for prefix in _PREFIXES:
        if base.startswith(prefix) and len(base) > len(prefix) + 1:
            names.append(base[len(prefix) :])
    return [n for n in dict.fromkeys(names) if 2 <= len(n) <= 40]


def defined_terms(text: str) -> list[str]:
    """Terms defined by "本法所称“X”，是指…" / "本条例所称X，是指…" sentences."""
    found = []
    for match in _DEFINED.finditer(text or ""):
        phrase = match.group(1)
        quoted = _QUOTED.findall(phrase)
        candidates = quoted or [phrase.strip('“”"「」 ')]
        for term in candidates:
            for part in re.split(r"[、和或及与]", term) if not quoted else [term]:  # i18n: data
                if _PLAIN_TERM.match(part):
                    found.append(part)
    return list(dict.fromkeys(found))


def _read_words(path: Path | None) -> set[str] | None:
    try:
        return {line.split()[0] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    except (OSError, AttributeError, IndexError):
        return None


def write_user_dictionary(
    words: Iterable[str], path: Path | None = None
) -> tuple[Path | None, str, frozenset[str] | None]:
    """Write the user dictionary (sorted, one "word freq" a line). Returns (path, sha256 of the
    content, the words added or removed: empty when nothing changed, None when there was no
    dictionary before). Reloads this process's segmenter when the content changed."""
    path = path or _default_path()
    clean = sorted({w.strip() for w in words if w and 2 <= len(w.strip()) <= 40 and " " not in w.strip()})
    content = "".join(f"{w} {USER_WORD_FREQ}\n" for w in clean)
    digest = hashlib.sha256(content.encode()).hexdigest()
    if path is None:
        return None, digest, frozenset()
    try:
        old_content = path.read_text(encoding="utf-8")
    except OSError:
        old_content = None
    if old_content == content:
        return path, digest, frozenset()
    old = _read_words(path) if old_content is not None else None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(content, encoding="utf-8")
    os.replace(tmp, path)
    reload()
    return path, digest, (None if old is None else frozenset(old.symmetric_difference(clean)))


def words_pattern(words: Iterable[str]) -> re.Pattern | None:
    """A regex that finds any of `words` in a text, built as a trie (one pass, in C, however
    many words): which stored documents a dictionary change can re-segment."""
    trie: dict = {}
    for word in words:
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        if "" in node:  # a shorter word ends here: enough to say "contains"
            return ""
        alternatives = [re.escape(ch) + build(child) for ch, child in sorted(node.items())]
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"

    return re.compile(build(trie)) if trie else None


def dictionary_digest(path: Path | None = None) -> str:
    path = path or _default_path()
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path else ""
    except OSError:
        return ""
