"""PostgreSQL full-text backend: a generated tsvector column ('simple' configuration over the
jieba-segmented text; title weight A, text weight B) with a GIN index, ranked by ts_rank_cd."""

from __future__ import annotations

from django.db import connection

from open12348.laws.search.base import MAX_PAGE, DatabaseBackend

COLUMNS = "d.key, d.kind, d.title, d.text, d.url, d.level, d.status, d.region, d.date"
RANK_NORMALIZATION = 1  # divide by 1 + log(document length): long cases do not swamp articles


def tsquery_sql(tokens: list[str], operator: str = "AND") -> tuple[str, list[str]]:
    """A tsquery built from parameters only (plainto_tsquery): no query syntax gets through."""
    if operator == "AND":
        return "plainto_tsquery('simple'::regconfig, %s)", [" ".join(tokens)]
    return "(" + " || ".join(["plainto_tsquery('simple'::regconfig, %s)"] * len(tokens)) + ")", list(tokens)


class PostgresBackend(DatabaseBackend):
    name = "postgres"

    def _match(self, tokens, operator):
        return tsquery_sql(tokens, operator)

    def _run(self, match, where, params, page, per_page):
        tsquery, query_params = match
        base = f"FROM laws_searchdocument d, (SELECT {tsquery} AS query) q WHERE d.tsv @@ q.query{where}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {COLUMNS}, ts_rank_cd(d.tsv, q.query, {RANK_NORMALIZATION}) AS score {base} "
                "ORDER BY score DESC, d.id LIMIT %s OFFSET %s",
                [*query_params, *params, per_page, (page - 1) * per_page],
            )
            rows = cursor.fetchall()
            if page == 1 and len(rows) < per_page:
                return rows, len(rows)
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 {base} LIMIT %s) AS c",  # noqa: S608
                [*query_params, *params, MAX_PAGE * per_page + 1],
            )
            return rows, cursor.fetchone()[0]

    def raw_search(self, tokens: list[str], limit: int = 10) -> list:
        """The bare engine query (benchmark reference)."""
        tsquery, query_params = tsquery_sql(tokens)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id, ts_rank_cd(d.tsv, q.query, {RANK_NORMALIZATION}) AS score "  # noqa: S608
                f"FROM laws_searchdocument d, (SELECT {tsquery} AS query) q WHERE d.tsv @@ q.query "
                "ORDER BY score DESC LIMIT %s",
                [*query_params, limit],
            )
            return cursor.fetchall()
