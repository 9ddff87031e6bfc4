"""Statements run on the driver's cursor: the story decision's hot reads and writes.

One story decision writes two or three rows, and SQLAlchemy's execution of a compiled
statement (its execution context, parameter processing and result set) costs more than the
statement itself. A `DriverStatement` is compiled once per dialect; its values go through
the columns' own bind processors (JSON serialised, times stored as the dialect stores them,
exactly as SQLAlchemy would) and are run on the DBAPI cursor of the session's connection, in
the session's transaction. Only public SQLAlchemy API: `compile`, the compiler's `binds` and
`positiontup`, `TypeEngine.dialect_impl` and `bind_processor`, `Connection.connection`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement


class DriverStatement:
    """`statement` compiled for one dialect, with its parameters' converters."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        self.names: list[str] = list(compiled.positiontup or []) if self.positional else list(compiled.binds)
        self.convert: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.convert[name] = process
        # a SELECT's columns, in order, with their converters (the cursor's type code is asked
        # for by some; it is read from the first result)
        self.columns = [c.key for c in getattr(statement, "selected_columns", ())]
        self._types = [c.type.dialect_impl(dialect) for c in getattr(statement, "selected_columns", ())]
        self._dialect = dialect
        self._results: list[Callable[[Any], Any] | None] | None = None

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        convert = self.convert
        if self.positional:
            return tuple(convert[n](values[n]) if n in convert else values[n] for n in self.names)
        return {n: convert[n](values[n]) if n in convert else values[n] for n in self.names}

    def run(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        """Execute with `values`; the first column of the first row returned, if any."""
        cursor = connection.connection.cursor()
        try:
            cursor.execute(self.sql, self.parameters(values))
            row = cursor.fetchone() if cursor.description else None
        finally:
            cursor.close()
        return row[0] if row else None

    def first(self, connection: Connection, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """A SELECT's first row as {column: value}, its values converted as SQLAlchemy would."""
        cursor = connection.connection.cursor()
        try:
            cursor.execute(self.sql, self.parameters(values))
            row = cursor.fetchone()
            if row is None:
                return None
            if self._results is None:
                self._results = [t.result_processor(self._dialect, d[1])
                                 for t, d in zip(self._types, cursor.description, strict=True)]
        finally:
            cursor.close()
        return {key: process(value) if process is not None and value is not None else value
                for key, process, value in zip(self.columns, self._results, row, strict=True)}


_PREPARED: dict[tuple[Any, str, str], DriverStatement] = {}


def prepared(key: Any, dialect: Dialect, statement: Callable[[], ClauseElement]) -> DriverStatement:
    """The statement made by `statement()` under `key`, compiled once for `dialect`."""
    cached = (key, dialect.name, dialect.driver)  # the driver decides the parameters' style
    found = _PREPARED.get(cached)
    if found is None:
        found = _PREPARED[cached] = DriverStatement(statement(), dialect)
    return found
