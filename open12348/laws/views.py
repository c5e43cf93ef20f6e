"""Public pages of the statute library: search (/laws/), a law with its chapter outline
(/laws/<source_id>/) and one article at its permanent address (/laws/<source_id>/<104>/).
Reads only, through laws.selectors; no account needed."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from open12348.laws import selectors
from open12348.laws.forms import LawSearchForm
from open12348.laws.models import Law
from open12348.laws.search.base import clamp_page

PER_PAGE = 10


@require_GET
def search(request):
    form = LawSearchForm(request.GET)
    result = None
    page, _ = clamp_page(request.GET.get("page"), PER_PAGE)
    if form.is_valid() and form.cleaned_data.get("q"):
        result = selectors.law_search(
            query=form.cleaned_data["q"], filters=form.search_filters(), page=page, per_page=PER_PAGE
        )
    if result is not None:
        levels, statuses = dict(Law.Level.choices), dict(Law.Status.choices)
        for hit in result.hits:
            hit.level_label = levels.get(hit.level, hit.level)
            hit.status_label = statuses.get(hit.status, hit.status)
    context = {
        "form": form,
        "result": result,
        "counts": selectors.library_counts() if result is None else None,
        "recent": selectors.recent_laws() if result is None and not form.errors else [],
    }
    return render(request, "laws/search.html", context)


@require_GET
def law_detail(request, source_id: str):
    law = selectors.law_get(source_id)
    if law is None:
        raise Http404
    articles = selectors.law_articles(law)
    context = {
        "law": law,
        "outline": selectors.law_outline(articles),
        "article_count": len(articles),
        "versions": selectors.law_versions(law),
        "history": [line for line in law.history.splitlines() if line.strip()],
        "body": _body_blocks(law.body),
    }
    return render(request, "laws/law.html", context)


@require_GET
def article_detail(request, source_id: str, slug: str):
    article = selectors.article_get(source_id, slug)
    if article is None:
        raise Http404
    previous, following = selectors.article_neighbours(article)
    context = {
        "article": article,
        "law": article.law,
        "chapters": [p.strip() for p in article.chapter.split(" / ") if p.strip()],
        "paragraphs": [p for p in article.text.splitlines() if p.strip()],
        "previous": previous,
        "following": following,
        "permalink": request.build_absolute_uri(article.get_absolute_url()),
    }
    return render(request, "laws/article.html", context)


def _body_blocks(body: str) -> list[tuple[str, str]]:
    """The markdown-ish full text of a document without articles as (kind, text) blocks:
    "h2"/"h3" for # headings, "p" for paragraphs. Rendered escaped by the template."""
    blocks = []
    for raw in (body or "").split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            blocks.append(("h2" if level <= 2 else "h3", line.lstrip("#").strip()))
        else:
            blocks.append(("p", line))
    return blocks
