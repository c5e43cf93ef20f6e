"""The rich text of an article, made safe when it is saved (SECURITY.md: stored XSS). Pure:
text in, text out. nh3 (ammonia) parses the fragment as a browser would and keeps only a
small set of tags and attributes; anything else (script, style, event handlers, javascript:
URLs, iframes, forms) is removed. Full-width brackets (＜script＞) are ordinary characters:
they stay text and never become a tag. Plain text without tags becomes paragraphs."""

import html
import re

import nh3

TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "a",
        "blockquote",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ATTRIBUTES = {"a": {"href"}, "th": {"colspan", "rowspan", "scope"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Removed together with their content (the text of a script is not an article's text).
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea"})
LINK_REL = "noopener noreferrer"
_TAG = re.compile(r"<[A-Za-z/!]")
_BLANK_LINES = re.compile(r"\n\s*\n")


def clean_html(text: str) -> str:
    """The safe fragment of `text` (already-safe input comes back equivalent)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not _TAG.search(text):
        text = plain_to_html(text)
    return nh3.clean(
        text,
        tags=set(TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def plain_to_html(text: str) -> str:
    """Paragraphs from blank lines, line breaks from single newlines, everything escaped."""
    paragraphs = [part.strip() for part in _BLANK_LINES.split(text.strip()) if part.strip()]
    return "".join("<p>" + html.escape(part).replace("\n", "<br>") + "</p>" for part in paragraphs)


def visible_text(fragment: str) -> str:
    """The text a reader sees in a (clean) fragment: to tell an empty body from a real one."""
    return html.unescape(re.sub(r"<[^>]*>", "", fragment or "")).strip()
