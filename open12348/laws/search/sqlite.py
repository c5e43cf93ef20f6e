"""SQLite FTS5 backend: bm25() ranking with the title weighted above the text."""

from __future__ import annotations

from django.db import connection

from open12348.laws.search.base import MAX_PAGE, DatabaseBackend

TITLE_WEIGHT = 4.0
TEXT_WEIGHT = 1.0
COLUMNS = "d.key, d.kind, d.title, d.text, d.url, d.level, d.status, d.region, d.date"


def match_expression(tokens: list[str], operator: str = "AND") -> str:
    """Every token a quoted FTS5 string: no query syntax (NEAR, *, -, column filters) gets through."""
    return f" {operator} ".join('"' + t.replace('"', '""') + '"' for t in tokens)


class Fts5Backend(DatabaseBackend):
    name = "fts5"

    def _match(self, tokens, operator):
        return match_expression(tokens, operator)

    def _run(self, match, where, params, page, per_page):
        offset = (page - 1) * per_page
        ranked = (
            f"SELECT rowid, bm25(laws_search_fts, {TITLE_WEIGHT}, {TEXT_WEIGHT}) AS rank_value FROM laws_search_fts "  # noqa: S608
            "WHERE laws_search_fts MATCH %s ORDER BY rank_value LIMIT %s"
        )
        with connection.cursor() as cursor:
            # Rank inside the FTS index first (top k, over-fetched when filters may drop some),
            # then read and filter k rows: a frequent word costs what the bare engine query costs,
            # not a row lookup per match. Too few left after the filters: the exact query.
            k = offset + per_page if not where else max(4 * (offset + per_page), 50)
            cursor.execute(
                f"SELECT {COLUMNS}, -t.rank_value AS score FROM ({ranked}) t "  # noqa: S608
                f"CROSS JOIN laws_searchdocument d ON d.id = t.rowid WHERE 1 = 1{where} "
                "ORDER BY t.rank_value, d.id LIMIT %s OFFSET %s",
                [match, k, *params, per_page, offset],
            )
            rows = cursor.fetchall()
            base = (
                "FROM laws_search_fts CROSS JOIN laws_searchdocument d ON d.id = laws_search_fts.rowid "
                f"WHERE laws_search_fts MATCH %s{where}"
            )
            if len(rows) < per_page and where:
                cursor.execute(
                    f"SELECT {COLUMNS}, -bm25(laws_search_fts, {TITLE_WEIGHT}, {TEXT_WEIGHT}) AS score {base} "
                    "ORDER BY score DESC, d.id LIMIT %s OFFSET %s",
                    [match, *params, per_page, offset],
                )
                rows = cursor.fetchall()
            if page == 1 and len(rows) < per_page:
                return rows, len(rows)
            # Counted up to what pagination can reach: a frequent word does not pay for a full count.
            limit = MAX_PAGE * per_page + 1
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT %s)", [match, *params, limit])  # noqa: S608
            return rows, cursor.fetchone()[0]

    def raw_search(self, match: str, limit: int = 10) -> list:
        """The bare engine query (benchmark reference): bm25 top-N of an FTS5 expression."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, bm25(laws_search_fts, %s, %s) AS score FROM laws_search_fts "
                "WHERE laws_search_fts MATCH %s ORDER BY score LIMIT %s",
                [TITLE_WEIGHT, TEXT_WEIGHT, match, limit],
            )
            return cursor.fetchall()
