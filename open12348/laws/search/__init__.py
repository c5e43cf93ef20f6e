"""Full-text search over statutes and cases behind one interface.

    from open12348.laws.search import get_backend, IndexDoc, SearchFilters
    backend = get_backend()
    backend.index([IndexDoc(...)])          # insert or replace by key
    backend.remove(["article:12"])
    result = backend.search("劳动合同 解除", filters=SearchFilters(status=["valid"]), page=1, per_page=10)

Backends: `sqlite` (FTS5, embedded default) and `postgres` (tsvector + GIN); chosen by
settings.SEARCH_BACKEND ("auto": the database's vendor; or a dotted path to a class, e.g. a
future OpenSearch adapter). Callers never see SQL: documents in, SearchResult out."""

from open12348.laws.search.base import (
    MAX_QUERY_CHARS,
    Hit,
    IndexDoc,
    SearchBackend,
    SearchFilters,
    SearchResult,
    get_backend,
    highlight,
)

__all__ = [
    "MAX_QUERY_CHARS",
    "Hit",
    "IndexDoc",
    "SearchBackend",
    "SearchFilters",
    "SearchResult",
    "get_backend",
    "highlight",
]
