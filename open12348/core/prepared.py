"""Prepared ORM queries for the hottest reads (the work-order detail of B3, the bearer-token
sign-in of every API call). Compiling a select — joins of `select_related`, the column list,
the converters — costs several times more Python than SQLite takes to run it, and these
queries have the same shape on every request. A `PreparedQuery` builds and compiles the
queryset once per database alias; each call only executes the cached SQL with new parameter
values and turns the rows into what the queryset itself returns (model instances with their
`select_related` relations, or `values_list` tuples), through Django's own converters and
related-object populators.

    ORDER = PreparedQuery(lambda pk: WorkOrder.objects.select_related("area").filter(pk=pk), int)
    order = ORDER.first(42)

Each argument must reach the SQL unchanged (an equality on a column): the query is compiled
twice with two different probe values per argument and refused (ImproperlyConfigured) if the
parameters do not differ exactly where the arguments go. A test runs every prepared query
of the project against its queryset on both databases."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    _get_from_db,
    get_related_populators,
)

_PROBES = {int: (-7_300_001, -7_300_002), str: ("\x01probe-a", "\x01probe-b")}


def _probe(kind: type, which: int, position: int):
    """The probe value of an argument: distinct per position, so that two arguments of the
    same type are told apart in the SQL's parameters."""
    value = _PROBES[kind][which]
    return value - 10 * position if kind is int else f"{value}{position}"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple  # the constant parameters; slots are overwritten per call
    slots: tuple[tuple[int, int], ...]  # (position in params, argument index)
    compiler: Any
    converters: dict
    col_count: int
    kind: str  # "model" | "tuples" | "flat" | "update"
    from_db: Callable | None = None
    init_list: tuple = ()
    model_slice: slice = slice(0)
    populators: tuple = ()


class _Prepared:
    """What a prepared query and a prepared update share: `build(*args)` with probe values,
    compiled once per database alias, and each call's parameters. `kinds` are the argument
    types (int or str)."""

    def __init__(self, build: Callable[..., Any], *kinds: type):
        unknown = [kind for kind in kinds if kind not in _PROBES]
        if unknown:
            raise ImproperlyConfigured(f"{type(self).__name__} arguments must be int or str, not {unknown}")
        self._build = build
        self._kinds = kinds
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()
        self._model = None  # known after the first build (models may not be ready at import)

    def _params(self, compiled: _Compiled, args: tuple) -> list:
        if len(args) != len(self._kinds):
            raise TypeError(f"{type(self).__name__} takes {len(self._kinds)} arguments, {len(args)} given")
        params = list(compiled.params)
        for position, arg in compiled.slots:
            params[position] = args[arg]
        return params

    def _probe(self, which: int):
        return self._build(*(_probe(kind, which, position) for position, kind in enumerate(self._kinds)))

    def _for(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias) or self._compile(alias)
                self._compiled[alias] = compiled
        return compiled

    def _checked_slots(self, sql: str, params: list, probed: tuple[str, list]) -> tuple[tuple[int, int], ...]:
        """Where each argument goes in `params`, from a second compile with the other probes."""
        sql_b, params_b = probed
        slots = self._slots(params, params_b) if sql == sql_b else None
        if slots is None:
            raise ImproperlyConfigured(f"{type(self).__name__}: the arguments do not reach the SQL unchanged: {sql}")
        return slots

    def _slots(self, params_a, params_b) -> tuple[tuple[int, int], ...] | None:
        probes = [(_probe(kind, 0, i), _probe(kind, 1, i)) for i, kind in enumerate(self._kinds)]
        slots = []
        for position, (a, b) in enumerate(zip(params_a, params_b, strict=True)):
            if a == b:
                continue
            arg = next((i for i, (pa, pb) in enumerate(probes) if a == pa and b == pb), None)
            if arg is None:
                return None  # an argument was transformed on its way to the SQL
            slots.append((position, arg))
        if {arg for _, arg in slots} != set(range(len(probes))):
            return None
        return tuple(slots)


class PreparedQuery(_Prepared):
    """A queryset built by `build(*args)`, compiled once per database alias (see module doc)."""

    def all(self, *args) -> list:
        alias = self._alias()
        compiled = self._for(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(compiled.sql, self._params(compiled, args))
            rows = cursor.fetchall()
        return self._rows(compiled, rows, alias)

    def first(self, *args):
        rows = self.all(*args)
        return rows[0] if rows else None

    # --- compiling ---------------------------------------------------------------------

    def _alias(self) -> str:
        if self._model is None:
            self._model = self._probe(0).model
        return router.db_for_read(self._model)

    def _compile(self, alias: str) -> _Compiled:
        first, second = self._probe(0), self._probe(1)
        compiler = first.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = self._checked_slots(sql, params, second.query.get_compiler(using=alias).as_sql())
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        common = {
            "sql": sql,
            "params": tuple(params),
            "slots": slots,
            "compiler": compiler,
            "converters": compiler.get_converters(fields),
            "col_count": compiler.col_count,
        }
        iterable = first._iterable_class
        if iterable is ModelIterable:
            return self._compile_model(first, compiler, alias, common)
        if iterable in (ValuesListIterable, FlatValuesListIterable) and not first.query.annotation_select:
            return _Compiled(**common, kind="flat" if iterable is FlatValuesListIterable else "tuples")
        raise ImproperlyConfigured(f"PreparedQuery supports model and values_list querysets, not {iterable.__name__}")

    @staticmethod
    def _compile_model(queryset, compiler, alias: str, common: dict) -> _Compiled:
        fetch_mode = queryset._fetch_mode
        if fetch_mode.track_peers or queryset._known_related_objects or compiler.annotation_col_map:
            raise ImproperlyConfigured("PreparedQuery: peers, known related objects and annotations are not supported")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Compiled(
            **common,
            kind="model",
            from_db=_get_from_db(klass_info["model"], fetch_mode),
            init_list=tuple(column[0].target.attname for column in select[start:end]),
            model_slice=slice(start, end),
            populators=tuple(get_related_populators(klass_info, select, alias, fetch_mode)),
        )

    # --- rows --------------------------------------------------------------------------

    @staticmethod
    def _rows(compiled: _Compiled, rows: list, alias: str) -> list:
        if compiled.compiler.has_extra_select:
            rows = [row[: compiled.col_count] for row in rows]
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        if compiled.kind == "flat":
            return [row[0] for row in rows]
        if compiled.kind == "tuples":
            return [tuple(row) for row in rows]
        objects = []
        for row in rows:
            obj = compiled.from_db(alias, list(compiled.init_list), row[compiled.model_slice])
            for populator in compiled.populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects


class PreparedUpdate(_Prepared):
    """`queryset.update(**values)` compiled once per database alias, for a hot write (the
    audit chain's head, on every audited change). `build(*args)` returns the queryset and the
    values; every argument must reach the SQL unchanged, as for PreparedQuery.

        HEAD = PreparedUpdate(lambda pk, seq: (ChainHead.objects.filter(pk=pk), {"last_seq": seq}), int, int)
        HEAD.run(1, 42)  # rows updated"""

    def run(self, *args) -> int:
        alias = self._alias()
        compiled = self._for(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(compiled.sql, self._params(compiled, args))
            return cursor.rowcount

    def _alias(self) -> str:
        if self._model is None:
            self._model = self._probe(0)[0].model
        return router.db_for_write(self._model)

    def _compile(self, alias: str) -> _Compiled:
        from django.db.models.sql import UpdateQuery

        compilers = []
        for which in (0, 1):
            queryset, values = self._probe(which)
            query = queryset.query.chain(UpdateQuery)
            query.add_update_values(values)
            if query.related_updates:
                raise ImproperlyConfigured("PreparedUpdate: updates of parent models are not supported")
            compilers.append(query.get_compiler(using=alias))
        sql, params = compilers[0].as_sql()
        slots = self._checked_slots(sql, params, compilers[1].as_sql())
        return _Compiled(
            sql=sql, params=tuple(params), slots=slots, compiler=compilers[0], converters={}, col_count=0, kind="update"
        )


# --- inserts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CompiledInsert:
    sql: str
    returning_fields: tuple
    compiler: Any
    converters: dict


_INSERTS: dict[tuple[type, str, str | None], _CompiledInsert] = {}


def insert(obj, *, unless_taken: str | None = None):
    """`obj.save(force_insert=True)` for a new row (no primary key yet), with the model's
    INSERT … RETURNING compiled once per database: each call only computes the values (each
    field's `pre_save`, so `auto_now_add` and derived fields behave as in `save()`). The
    model's own `save()` override, if any, is not called; when a pre_save/post_save receiver
    listens to the model, or a value is an expression, it simply calls `save()`.

    `unless_taken` names a unique field: when a row already holds the same value, nothing is
    written and None is returned (`ON CONFLICT (field) DO NOTHING`: no error, so no savepoint
    is needed to go on in the same transaction). Any other constraint still raises."""
    model = type(obj)
    if obj.pk is not None or model._meta.parents or _has_save_receivers(model):
        if unless_taken is not None:
            raise ImproperlyConfigured("insert(unless_taken=…) needs the compiled INSERT")
        obj.save(force_insert=True)
        return obj
    alias = router.db_for_write(model, instance=obj)
    fields = _insert_fields(model)
    values = [field.pre_save(obj, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        obj.save(force_insert=True)
        return obj
    compiled = _INSERTS.get((model, alias, unless_taken))
    if compiled is None:
        compiled = _compile_insert(model, alias, fields, obj, unless_taken)
        values = [field.pre_save(obj, True) for field in fields]  # compiling ran pre_save again
    connection = connections[alias]
    params = [field.get_db_prep_save(value, connection=connection) for field, value in zip(fields, values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None  # `unless_taken`: the value is taken
    if compiled.converters:
        rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
    for field, value in zip(compiled.returning_fields, rows[0], strict=True):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = alias
    return obj


def _has_save_receivers(model) -> bool:
    from django.db.models import signals

    return signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)


@functools.cache
def _insert_fields(model) -> tuple:
    meta = model._meta
    return tuple(field for field in meta.local_concrete_fields if not field.generated and field is not meta.auto_field)


def _compile_insert(model, alias: str, fields: tuple, sample, unless_taken: str | None) -> _CompiledInsert:
    from django.db.models.sql import InsertQuery

    meta = model._meta
    returning_fields = tuple(meta.db_returning_fields)
    query = InsertQuery(model)
    query.insert_values(fields, [sample])
    compiler = query.get_compiler(using=alias)
    if not connections[alias].features.can_return_columns_from_insert:
        raise ImproperlyConfigured("insert() needs INSERT … RETURNING (SQLite ≥ 3.35, PostgreSQL)")
    compiler.returning_fields = returning_fields
    statements = compiler.as_sql()
    if len(statements) != 1 or len(statements[0][1]) != len(fields):
        raise ImproperlyConfigured(f"insert(): {model.__name__} has fields with their own placeholders")
    sql = statements[0][0]
    if unless_taken is not None:
        sql = _do_nothing_on_conflict(sql, meta.get_field(unless_taken), returning_fields, connections[alias])
    columns = [field.get_col(meta.db_table) for field in returning_fields]
    compiled = _CompiledInsert(sql, returning_fields, compiler, compiler.get_converters(columns))
    _INSERTS[(model, alias, unless_taken)] = compiled
    return compiled


def _do_nothing_on_conflict(sql: str, field, returning_fields: tuple, connection) -> str:
    """`INSERT … VALUES (…) ON CONFLICT (column) DO NOTHING RETURNING …` (SQLite ≥ 3.24 and
    PostgreSQL): Django's own ignore_conflicts names no column (and on SQLite is `INSERT OR
    IGNORE`, which would also swallow NOT NULL and CHECK failures)."""
    if not field.unique:
        raise ImproperlyConfigured(f"insert(unless_taken=…): {field.name} is not unique")
    returning, _ = connection.ops.returning_columns(returning_fields)
    if not sql.endswith(" " + returning):
        raise ImproperlyConfigured(f"insert(unless_taken=…): unexpected INSERT {sql}")
    column = connection.ops.quote_name(field.column)
    return f"{sql[: -len(returning)]}ON CONFLICT ({column}) DO NOTHING {returning}"
