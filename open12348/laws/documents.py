"""What goes into the search index: statute articles, laws (title, and the full text of
documents without articles such as cases and decisions), and published content cases."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator

from django.urls import reverse
from django.utils.html import strip_tags

from open12348.laws.models import Article, Law, SearchDocument
from open12348.laws.search import IndexDoc

_MARKDOWN = re.compile(r"^#+\s*|\[([^\]]*)\]\([^)]*\)", re.M)


def plain_markdown(text: str) -> str:
    return _MARKDOWN.sub(lambda m: m.group(1) or "", text or "")


def law_key(law_id: int) -> str:
    return f"law:{law_id}"


def article_key(article_id: int) -> str:
    return f"article:{article_id}"


def content_key(content_id: int) -> str:
    return f"content:{content_id}"


def law_doc(law: Law) -> IndexDoc:
    return IndexDoc(
        key=law_key(law.pk),
        kind=SearchDocument.Kind.CASE if law.level == Law.Level.CASE else SearchDocument.Kind.LAW,
        title=law.display_title,
        text=plain_markdown(law.body) if law.body else "",
        url=law.get_absolute_url(),
        level=law.level,
        status=law.status,
        region=law.region,
        date=law.effective_on or law.published_on,
        law_id=law.pk,
    )


def article_doc(article: Article, law: Law, law_url: str | None = None) -> IndexDoc:
    law_url = law_url or law.get_absolute_url()
    return IndexDoc(
        key=article_key(article.pk),
        kind=SearchDocument.Kind.ARTICLE,
        title=f"{law.title}{article.number_text}",
        text=article.text,
        url=f"{law_url}{article.slug}/",  # = reverse("laws:article"), without a reverse() per article
        level=law.level,
        status=law.status,
        region=law.region,
        date=law.effective_on or law.published_on,
        law_id=law.pk,
    )


def law_docs(law: Law, articles: Iterable[Article]) -> Iterator[IndexDoc]:
    law_url = law.get_absolute_url()
    yield law_doc(law)
    for article in articles:
        yield article_doc(article, law, law_url)


def content_doc(item) -> IndexDoc:
    """A published content item of kind "case" (open12348.content.models.Article)."""
    text = " ".join(html.unescape(strip_tags(f"{item.summary}\n{item.body}")).split())
    published = item.published_at
    return IndexDoc(
        key=content_key(item.pk),
        kind=SearchDocument.Kind.CASE,
        title=item.title,
        text=text,
        url=reverse("content:detail", args=[item.pk]),
        level=Law.Level.CASE,
        status=Law.Status.VALID,
        region="",
        date=published.date() if published else None,
    )
