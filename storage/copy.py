"""One database copied whole into another, empty one (`monitor db copy`, docs/OPERATIONS.md,
"Moving from SQLite to PostgreSQL"): every table of the schema, ids kept, read in one
transaction of the source, written in one transaction of the target.

An operator who pointed DATABASE_URL at an empty PostgreSQL database lost the months the
service had stored: the stories (a later report made a new alert instead of editing the one
sent), the sent alerts' message ids, the tally's timeline, the watched people learned, the
feeds' marks and the operators' corrections. Nothing here knows a table by name but the
counters: the tables are the models' (`Base.metadata`), in the order their references need.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import struct
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Table,
    bindparam,
    cast,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import Text

from storage.db import Database, _revision, head_revision, make_engine, open_database, scrub
from storage.errors import DatabaseError, InvalidDatabaseURL, NewerDatabase, redact_url
from storage.leases import LEADER, holder_of
from storage.models import Base

BATCH = 1000  # rows read and written at a time: months of items are never held in memory
VERSION_TABLE = "alembic_version"


class CopyRefused(DatabaseError):
    """The copy is not started (or rolled back whole): one line, exit 1."""


class SameDatabase(InvalidDatabaseURL):
    """--to names the database the service uses: exit 2, as a wrong URL."""


@dataclass
class CopyReport:
    """What was copied: rows per table, in the order written."""

    rows: dict[str, int] = field(default_factory=dict)
    source: Database | None = None
    target: Database | None = None

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def copy_database(source_url: str, target_url: str) -> CopyReport:
    """Copy the database at `source_url` (at the schema's head, no service on it) into the empty
    one at `target_url`, migrated to head here. Raises a DatabaseError with one line when it is
    refused or fails; the target is then left as it was, or empty at head. The report's
    databases are open: the caller disposes of them."""
    target_problem(target_url)
    source = open_source(source_url)
    try:
        same_database(source, target_url)
        refuse_running(source)
        check_target(target_url)
        target = open_database(target_url)
    except BaseException:
        source.dispose()
        raise
    report = CopyReport(source=source, target=target)
    try:
        _copy(source, target, report, (source_url, target_url))
    except BaseException:
        source.dispose()
        target.dispose()
        raise
    return report


def target_problem(url: str) -> None:
    """The URL checks of every command (storage.errors.url_problem), for --to."""
    make_engine(url).dispose()  # raises InvalidDatabaseURL, password hidden


# -- the source -------------------------------------------------------------------------------


def open_source(url: str) -> Database:
    """The database to copy, opened without a migration: it must exist and be at head."""
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise InvalidDatabaseURL(f"no database at {redact_url(url)}: nothing to copy (check --db, "
                                 "$DATABASE_URL and settings.database_url, and the working directory)")
    db = open_database(url, migrate_schema=False)
    try:
        with db.engine.connect() as conn:
            revision = _revision(conn)
    except SQLAlchemyError as exc:
        db.dispose()
        raise DatabaseError(f"cannot read {redact_url(url)}: {_reason(exc, url)}") from None
    if revision != head_revision():
        db.dispose()
        raise _not_at_head(url, revision)
    return db


def _not_at_head(url: str, revision: str | None) -> DatabaseError:
    if revision is None:
        return CopyRefused(f"{redact_url(url)} holds no monitor schema (no alembic_version): "
                           "is it the service's database? Nothing to copy")
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS_DIR

    known = {s.revision for s in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}
    if revision not in known:
        return NewerDatabase(f"{redact_url(url)} is at schema {revision}, written by a newer version of the "
                             f"monitor (this one knows up to {head_revision()}): copy it with that version")
    return CopyRefused(f"{redact_url(url)} is at schema {revision}, not this version's {head_revision()}: "
                       "start the service once with this version (or run `monitor poll-once`), which "
                       "migrates it, stop it, then copy")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database, in memory or a URI filename."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        return None
    name = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name).expanduser().absolute()


def refuse_running(source: Database) -> None:
    """Refuse to copy a database a service (or any other process) is using: what it writes
    after the read would be lost, and a send it makes would be in neither journal."""
    path = source.sqlite_file
    if path is not None:
        pid = sqlite_user(path)
        if pid is not None:
            raise CopyRefused(f"{path} is open in another process (pid {pid}: the service, a command, "
                              "sqlite3): stop the service (systemctl stop monitor) and copy again; "
                              "what it writes after the copy would be lost")
        return
    if source.dialect != "postgresql":
        return
    with source.session() as session:
        holder = holder_of(session, LEADER)
    if holder is not None:
        raise CopyRefused(f"the service is running on {source.url}: replica {holder} holds its leader "
                          "lease; stop every replica and copy again (a replica killed without a stop "
                          "leaves its lease for up to 15 s)")


# SQLite's unix VFS: every connection to a database in WAL mode holds a shared POSIX lock on this
# byte of its -shm file (the "DMS" slot: UNIX_SHM_BASE 120 + SQLITE_SHM_NLOCK 8) for as long as it
# is open; a process killed with -9 holds nothing.
SHM_DMS_BYTE = 128
_FLOCK = "hhqqi"  # struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid


def sqlite_user(path: Path) -> int | None:
    """The pid of another process that has the SQLite database at `path` open (its -shm file's
    lock), None when none has. This process's own connections are not seen (F_GETLK). Linux's
    struct flock; elsewhere (a developer's Mac) nothing is seen."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fd = os.open(f"{path}-shm", os.O_RDONLY)
    except OSError:
        return None  # no -shm file: no connection in WAL mode
    try:
        probe = struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, SHM_DMS_BYTE, 1, 0)
        kind, _, _, _, pid = struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, probe))
    except OSError:
        return None
    finally:
        os.close(fd)
    return None if kind == fcntl.F_UNLCK else int(pid)


# -- the target -------------------------------------------------------------------------------


def same_database(source: Database, target_url: str) -> None:
    """Refuse --to naming the source: the same SQLite file (by any path), or the same PostgreSQL
    database (by any host name: the source's connection is looked for in the target's
    pg_stat_activity)."""
    target_file = sqlite_path(target_url)
    if source.sqlite_file is not None and target_file is not None:
        if target_file == source.sqlite_file or (target_file.exists() and target_file.samefile(source.sqlite_file)):
            raise SameDatabase(f"--to {redact_url(target_url)} is the database the service uses (--db, "
                               "$DATABASE_URL): give the new, empty database")
        return
    if source.dialect != "postgresql" or target_file is not None:
        return
    token = f"monitor-db-copy-{secrets.token_hex(8)}"
    with _engine(target_url) as target, source.engine.connect() as src:
        src.execute(text("SELECT set_config('application_name', :token, false)"), {"token": token})
        with target.connect() as dst:
            seen = dst.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :token "
                                   "AND datname = current_database()"), {"token": token})
        src.execute(text("SELECT set_config('application_name', '', false)"))
    if seen:
        raise SameDatabase(f"--to {redact_url(target_url)} is the database the service uses (--db, "
                           "$DATABASE_URL), under another name: give the new, empty database")


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    """An engine on `url`, disposed after use; a database error inside is one line naming the
    URL without its password."""
    engine = make_engine(url)
    try:
        yield engine
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot open database {redact_url(url)}: {_reason(exc, url)}") from None
    finally:
        engine.dispose()


def check_target(url: str) -> None:
    """Refuse a target that holds rows of the monitor's tables or another application's tables,
    or whose schema is a newer version's. An empty schema at any revision is fine: it is
    migrated to head."""
    with _engine(url) as engine, engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revision = _revision(conn) if VERSION_TABLE in tables else None
        filled = [t.name for t in Base.metadata.sorted_tables
                  if t.name in tables and conn.scalar(select(func.count()).select_from(t)) > 0]
    if filled:
        raise CopyRefused(f"{redact_url(url)} is not empty ({', '.join(filled)} hold rows): copy into a new, "
                          "empty database (createdb), never over one a service used")
    others = sorted(tables - set(Base.metadata.tables) - {VERSION_TABLE})
    if others:
        raise CopyRefused(f"{redact_url(url)} holds tables that are not the monitor's ({', '.join(others[:5])}): "
                          "another application's database? Copy into a new, empty database")
    if revision is not None and revision != head_revision():
        _check_known(url, revision)


def _check_known(url: str, revision: str) -> None:
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS_DIR

    if revision not in {s.revision for s in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}:
        raise NewerDatabase(f"{redact_url(url)} is at schema {revision}, written by a newer version of the "
                            f"monitor (this one knows up to {head_revision()})")


# -- the copy ---------------------------------------------------------------------------------


def _copy(source: Database, target: Database, report: CopyReport, urls: tuple[str, str]) -> None:
    with _snapshot(source.engine) as src, target.engine.connect() as dst, dst.begin():
        for table in Base.metadata.sorted_tables:
            report.rows[table.name] = _copy_table(src, dst, table, urls)
            written = dst.scalar(select(func.count()).select_from(table))
            if written != report.rows[table.name]:  # a row the target dropped (a trigger, a rule)
                raise CopyRefused(f"{table.name}: {report.rows[table.name]} rows read, {written} in the "
                                  "target; nothing was written to it")
        _carry_counters(src, dst)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see the database at one moment: a read-only REPEATABLE READ
    transaction on PostgreSQL; on SQLite a read transaction begun explicitly (the driver begins
    one only before a write, and each SELECT would otherwise see the file as it is then)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            try:
                yield conn
            finally:
                conn.rollback()
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def _copy_table(src: Connection, dst: Connection, table: Table, urls: tuple[str, ...]) -> int:
    """Rows of `table`, in the order of their key (an item's first version before its
    revisions), written a batch at a time; how many."""
    columns = list(table.columns)
    read = select(*[_raw(c) for c in columns]).order_by(*table.primary_key.columns)
    write = insert(table).values({c.name: _bound(c, dst.dialect.name) for c in columns})
    count = 0
    try:
        result = src.execution_options(stream_results=True, yield_per=BATCH).execute(read)
        for rows in result.partitions():
            dst.execute(write, [{f"v_{c.name}": value for c, value in zip(columns, row, strict=True)}
                                for row in rows])
            count += len(rows)
    except SQLAlchemyError as exc:
        raise CopyRefused(f"cannot copy {table.name} (after {count} rows): {_reason(exc, *urls)}; "
                          "nothing was written to the target") from None
    return count


def _raw(column: Any) -> ColumnElement[Any]:
    """A JSON column as its stored text: SQL NULL and JSON `null` stay apart (decoded and
    encoded again, both became `null`)."""
    return cast(column, Text).label(column.name) if isinstance(column.type, JSON) else column


def _bound(column: Any, dialect: str) -> ColumnElement[Any]:
    if not isinstance(column.type, JSON):
        return bindparam(f"v_{column.name}", type_=column.type)
    raw = bindparam(f"v_{column.name}", type_=Text)
    return cast(raw, JSON) if dialect == "postgresql" else raw  # SQLite stores JSON as its text


def _carry_counters(src: Connection, dst: Connection) -> None:
    """Each id counter of the target past the source's: PostgreSQL's sequences (else the next
    insert collides with a copied id), SQLite's AUTOINCREMENT counters. A counter the source
    drew past its highest row (a story merged away) stays past it: a number an operator or an
    outbox key named is never given to another story (migration 0013)."""
    drawn = _counters(src)
    for table in Base.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        highest = max(dst.scalar(select(func.max(column))) or 0, drawn.get(table.name, 0))
        if highest <= 0:
            continue
        if dst.dialect.name == "postgresql":
            dst.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), :n)"),
                        {"t": table.name, "c": column.name, "n": highest})
        elif table.dialect_options["sqlite"].get("autoincrement"):
            dst.execute(text("UPDATE sqlite_sequence SET seq = :n WHERE name = :t"), {"t": table.name, "n": highest})
            dst.execute(text("INSERT INTO sqlite_sequence (name, seq) SELECT :t, :n WHERE NOT EXISTS "
                             "(SELECT 1 FROM sqlite_sequence WHERE name = :t)"), {"t": table.name, "n": highest})


def _counters(conn: Connection) -> dict[str, int]:
    """Table → the highest id its counter gave (SQLite's sqlite_sequence, PostgreSQL's sequences)."""
    out: dict[str, int] = {}
    if conn.dialect.name == "sqlite":
        if inspect(conn).has_table("sqlite_sequence"):
            out.update({str(name): int(seq or 0) for name, seq in conn.execute(text("SELECT name, seq FROM sqlite_sequence"))})
        return out
    for table in Base.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is not None:
            value = conn.scalar(text("SELECT pg_sequence_last_value(pg_get_serial_sequence(:t, :c)::regclass)"),
                                {"t": table.name, "c": column.name})
            out[table.name] = int(value or 0)
    return out


def _reason(exc: SQLAlchemyError, *urls: str) -> str:
    """The driver's first line, without the statement, its values or a password."""
    said = str(getattr(exc, "orig", None) or exc).strip()
    for url in urls:
        said = scrub(said, url)
    return (said.splitlines() or [type(exc).__name__])[0]
