"""The full-text index over SearchDocument, per database vendor.

SQLite: an external-content FTS5 table over the segmented columns (jieba tokens joined by
spaces, already normalised and lower-cased; the `ascii` tokenizer splits them at the spaces and
keeps every non-ASCII character as part of a token, about 30 % cheaper to write than
unicode61), kept in step by triggers.
PostgreSQL: a generated tsvector column ('simple' configuration: no stemming, no stop words;
title weighted A, text B) with a GIN index.

Note for later migrations of SearchDocument on SQLite: a table rebuild drops the triggers;
re-create them (see `SQLITE_TRIGGERS`)."""

from django.db import migrations

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE laws_search_fts USING fts5("
    "title_seg, text_seg, content='laws_searchdocument', content_rowid='id', "
    "tokenize='ascii')"
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER laws_searchdoc_ai AFTER INSERT ON laws_searchdocument BEGIN "
    "INSERT INTO laws_search_fts(rowid, title_seg, text_seg) VALUES (new.id, new.title_seg, new.text_seg); END",
    "CREATE TRIGGER laws_searchdoc_ad AFTER DELETE ON laws_searchdocument BEGIN "
    "INSERT INTO laws_search_fts(laws_search_fts, rowid, title_seg, text_seg) "
    "VALUES ('delete', old.id, old.title_seg, old.text_seg); END",
    "CREATE TRIGGER laws_searchdoc_au AFTER UPDATE OF title_seg, text_seg ON laws_searchdocument BEGIN "
    "INSERT INTO laws_search_fts(laws_search_fts, rowid, title_seg, text_seg) "
    "VALUES ('delete', old.id, old.title_seg, old.text_seg); "
    "INSERT INTO laws_search_fts(rowid, title_seg, text_seg) VALUES (new.id, new.title_seg, new.text_seg); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS laws_searchdoc_ai",
    "DROP TRIGGER IF EXISTS laws_searchdoc_ad",
    "DROP TRIGGER IF EXISTS laws_searchdoc_au",
    "DROP TABLE IF EXISTS laws_search_fts",
]

POSTGRES_CREATE = [
    "ALTER TABLE laws_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title_seg), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, text_seg), 'B')) STORED",
    "CREATE INDEX laws_searchdoc_tsv ON laws_searchdocument USING GIN (tsv)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS laws_searchdoc_tsv",
    "ALTER TABLE laws_searchdocument DROP COLUMN IF EXISTS tsv",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, [SQLITE_TABLE, *SQLITE_TRIGGERS])
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("laws", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
