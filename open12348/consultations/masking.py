"""Personal details typed into a public question, masked before publication. Pure functions,
no database.

Detected in the text, whether typed with ASCII or full-width digits and with or without
spaces or dashes between the digits:

- resident ID numbers: 18 characters (17 digits and a digit or X) and the old 15-digit form;
- bank card numbers (16 to 19 digits);
- mainland mobile numbers (11 digits from 13 to 19, optionally after +86 / 86);
- landline numbers with an area code (0512-53520000, (0512)53520000, 010 1234 5678), and
  7–8 digit local numbers right after a word such as 电话 or 座机.

Every digit (and the X) of an ID or card number becomes "*"; a mobile number keeps its first
three digits and a landline its area code, which name no one. Separators are kept, so the
masked text has exactly the length of the original and still fits its field."""

import re
import unicodedata

MASK = "*"
_SEP = r"[ \-]?"  # at most one space or dash between two digits (full-width ones normalised)
_END = r"(?![0-9])"  # a number never continues into another digit
_ID18 = rf"[1-9](?:{_SEP}[0-9]){{16}}{_SEP}[0-9Xx](?![0-9A-Za-z])"
_CARD = rf"[1-9](?:{_SEP}[0-9]){{15,18}}{_END}"
_ID15 = rf"[1-9](?:{_SEP}[0-9]){{14}}{_END}"
_MOBILE = rf"(?:\+?86{_SEP})?1[3-9](?:{_SEP}[0-9]){{9}}{_END}"
_LANDLINE = rf"\(?0[1-9][0-9]{{1,2}}\)?{_SEP}[2-9](?:{_SEP}[0-9]){{6,7}}{_END}"
NUMBER = re.compile(
    rf"(?<![0-9A-Za-z+])(?:(?P<id18>{_ID18})|(?P<card>{_CARD})|(?P<id15>{_ID15})|(?P<mobile>{_MOBILE})"
    rf"|(?P<landline>{_LANDLINE}))"
)
# A local number without area code is only taken for one after a word that says it is one.
LOCAL = re.compile(
    rf"(?:电话|座机|手机|联系方式|联系电话|号码|tel|Tel|TEL)[是为:]?\s?(?P<local>[2-9](?:{_SEP}[0-9]){{6,7}}){_END}"  # i18n: data — words people type before a phone number
)


def _normalised(text: str) -> str:
    """The text with full-width digits, letters, dashes and spaces as their ASCII forms,
    character for character (same length, same indexes as `text`)."""
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) != 1:
            folded = char
        if folded in "\u2010\u2011\u2012\u2013\u2014\u2212\u30fc":  # dashes and the long sound mark
            folded = "-"
        elif folded.isspace():
            folded = " "
        out.append(folded)
    return "".join(out)


def _is_digit(char: str) -> bool:
    return char in "0123456789Xx"


def _mask_span(chars: list[str], normal: str, start: int, end: int, keep: int) -> None:
    """Replace the digits in [start, end) with MASK, leaving the first `keep` digits."""
    seen = 0
    for index in range(start, end):
        if _is_digit(normal[index]):
            seen += 1
            if seen > keep:
                chars[index] = MASK


def _area_code_digits(normal: str, start: int, end: int) -> int:
    """How many digits the area code of a landline number at [start, end) has."""
    digits = [ch for ch in normal[start:end] if ch.isdigit()]
    # 010, 02x are three-digit codes (with the 0); the rest are four (0512 …).
    return 3 if digits[1] in "12" else 4


def mask_personal_details(text: str) -> str:
    """`text` with resident ID, bank card and phone numbers masked (same length)."""
    if not text:
        return text or ""
    normal = _normalised(text)
    chars = list(text)
    for match in NUMBER.finditer(normal):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "mobile":
            span = normal[start:end]
            prefix = re.match(rf"\+?86{_SEP}", span) if span.startswith(("+86", "86")) else None
            keep = 3 + (2 if prefix else 0)
            _mask_span(chars, normal, start, end, keep)
        elif kind == "landline":
            _mask_span(chars, normal, start, end, _area_code_digits(normal, start, end))
        else:
            _mask_span(chars, normal, start, end, 0)
    for match in LOCAL.finditer(normal):
        start, end = match.span("local")
        _mask_span(chars, normal, start, end, 0)
    return "".join(chars)


def contains_personal_details(text: str) -> bool:
    return mask_personal_details(text) != (text or "")


# Characters removed from every text a citizen or volunteer types: control characters (but
# line breaks and tabs in multi-line text), zero-width characters and the bidirectional
# overrides that can make text display other than it reads.
_INVISIBLE = frozenset(
    "\u200b\u200c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)


def clean_text(text: str, *, multiline: bool = True) -> str:
    """Plain text as stored: control and invisible characters removed, line breaks unified
    (kept only when `multiline`, else every run of white space becomes one space), stripped.
    Markup is kept as typed: pages escape it on output (autoescape), so it shows as text."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for char in text:
        if char in _INVISIBLE:
            continue
        if unicodedata.category(char) == "Cc" and not (multiline and char in "\n\t"):
            kept.append(" " if char in "\n\t" else "")
            continue
        kept.append(char)
    text = "".join(kept)
    if not multiline:
        return " ".join(text.split())
    lines = [line.rstrip() for line in text.split("\n")]
    cleaned = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", cleaned)
