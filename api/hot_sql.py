"""Statements of the claims hot path, compiled once per dialect and run on the DBAPI cursor of the session's
connection.

``Connection.execute`` costs ~25 us of CPU per statement before the database does anything (an execution context,
the parameters processed through the compiled statement, a ``CursorResult``); the DBAPI cursor's own ``execute``
~5 us (SQLite, one process). A claim runs eight statements. A ``Statement`` is compiled by SQLAlchemy once per
dialect (the SQL, the order of its parameters and each one's bind processor from its type) and runs in the
session's transaction on its connection, so it commits and rolls back with everything else. A DBAPI error goes
through SQLAlchemy's own handling (``Connection._handle_dbapi_exception``): the same wrapped error as before (an
``IntegrityError``, a 503 for a database that cannot serve) and the same invalidation of a dropped connection.

Rows come back as the driver returns them: SQLite gives dates and times as ISO text and JSON as text, psycopg2
gives ``date``, ``datetime`` and parsed JSON; ``iso_date`` and ``json_value`` read either. Statement events
(``before_cursor_execute``) do not fire for these statements.

On PostgreSQL, ``run_together`` sends several statements in one round trip (psycopg2 sends a string of statements
as one query).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

_PYFORMAT = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # in the order of the SQL's placeholders (positional) or as named (pyformat)
    positional: bool
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]  # parameters whose type converts them
    fixed: Mapping[str, Any]  # the values of the statement's own literals (``id == 1``)

    def parameters(self, given: Mapping[str, Any]) -> Any:
        if self.processors or self.fixed:
            given = {**self.fixed, **given}
            for name, process in self.processors:
                value = given[name]
                if value is not None:
                    given[name] = process(value)
        return tuple(given[name] for name in self.names) if self.positional else given


class Statement:
    """A Core statement run on the DBAPI cursor of the session's connection; its SQL compiled once per dialect."""

    def __init__(self, statement: ClauseElement, column_keys: Sequence[str] | None = None, prefix: str = ""):
        """``column_keys``: the columns an ``insert(table)`` without values sets. ``prefix``: statements sent
        before it in the same round trip on PostgreSQL (run on their own first elsewhere)."""
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self.prefix = prefix
        self._compiled: dict[str, _Compiled] = {}
        columns = getattr(statement, "selected_columns", None)
        self._readers = tuple((index, read) for index, column in enumerate(columns if columns is not None else ())
                              if (read := _READERS.get(column.type._type_affinity)) is not None)  # type: ignore[arg-type]

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiler = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
            assert isinstance(compiler, SQLCompiler)
            positional = bool(dialect.positional)
            names = tuple(compiler.positiontup or ()) if positional else tuple(compiler.binds)
            processors = []
            for name in dict.fromkeys(names):
                process = compiler.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    processors.append((name, process))
            fixed = {name: bind.effective_value for name, bind in compiler.binds.items() if not bind.required}
            found = self._compiled[dialect.name] = _Compiled(compiler.string, names, positional, tuple(processors),
                                                             fixed)
        return found

    def _cursor(self, session: Session, params: Mapping[str, Any]) -> Any:
        connection = session.connection()
        compiled = self.compiled(connection.dialect)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        sql = compiled.sql
        if self.prefix:
            if compiled.positional:
                _execute(connection, cursor, self.prefix, ())
            else:
                sql = f"{self.prefix}; {sql}"
        _execute(connection, cursor, sql, compiled.parameters(params))
        return cursor

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        cursor = self._cursor(session, params)
        try:
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def ready_rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows in the form a decision's inputs are stored in, whatever the driver: dates as ISO text,
        booleans as ``bool``, JSON parsed."""
        readers = self._readers
        if not readers:
            return self.rows(session, params)
        out = []
        for row in self.rows(session, params):
            values = list(row)
            for index, read in readers:
                if values[index] is not None:
                    values[index] = read(values[index])
            out.append(tuple(values))
        return out

    def first(self, session: Session, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        cursor = self._cursor(session, params)
        try:
            row = cursor.fetchone()
            return tuple(row) if row is not None else None
        finally:
            cursor.close()

    def run(self, session: Session, params: Mapping[str, Any]) -> None:
        self._cursor(session, params).close()


def run_together(session: Session, statements: Sequence[tuple[Statement, Mapping[str, Any]]]) -> None:
    """Run statements that return nothing, in order: on PostgreSQL in one round trip, elsewhere one by one."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.positional or len(statements) == 1:
        for statement, params in statements:
            statement.run(session, params)
        return
    parts, values = [], {}
    for number, (statement, params) in enumerate(statements):
        compiled = statement.compiled(dialect)
        if statement.prefix:
            parts.append(statement.prefix)
        parts.append(_PYFORMAT.sub(lambda match: f"%(s{number}_{match[1]})s", compiled.sql))  # noqa: B023
        values.update({f"s{number}_{name}": value for name, value in compiled.parameters(params).items()})
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        _execute(connection, cursor, "; ".join(parts), values)
    finally:
        cursor.close()


def run_autocommit(connection: Connection, sql: str) -> None:
    """Run ``sql`` as a transaction of its own (the driver's autocommit) on a connection with none open."""
    dbapi = connection.connection.dbapi_connection
    cursor = None
    try:
        dbapi.autocommit = True  # type: ignore[union-attr]
        cursor = dbapi.cursor()  # type: ignore[union-attr]
        _execute(connection, cursor, sql, None)
    except connection.dialect.loaded_dbapi.Error as error:  # the connection was gone before the statement ran
        connection._handle_dbapi_exception(error, sql, None, cursor, None)
    finally:
        if cursor is not None:
            cursor.close()
        if not dbapi.closed:  # type: ignore[union-attr]
            dbapi.autocommit = False  # type: ignore[union-attr]


def _execute(connection: Connection, cursor: Any, sql: str, parameters: Any) -> None:
    try:
        cursor.execute(sql, parameters)
    except connection.dialect.loaded_dbapi.Error as error:
        connection._handle_dbapi_exception(error, sql, parameters, cursor, None)


def _boolean(value: Any) -> bool:
    return bool(value)  # SQLite stores 0 or 1


def iso_date(value: Any) -> str | None:
    """A date column's value as ISO text (SQLite stores it so; psycopg2 gives a ``date``)."""
    return value.isoformat() if isinstance(value, dt.date) else value


def json_value(value: Any) -> Any:
    """A JSON column's value (SQLite gives its text; psycopg2 parses it)."""
    return json.loads(value) if isinstance(value, str) else value


def utc_datetime(value: Any) -> dt.datetime | None:
    """A timestamp column's value as an aware UTC datetime (SQLite stores UTC as ISO text without a zone)."""
    if value is None:
        return None
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


# how ready_rows reads a column, by its type's affinity (String and Integer columns: as the driver gives them)
_READERS: dict[type, Callable[[Any], Any]] = {Boolean: _boolean, Date: iso_date, JSON: json_value}
