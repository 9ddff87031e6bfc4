"""Opening the database: engine, SQLite pragmas, automatic migrations, sessions."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)
DEFAULT_URL = "sqlite:///data/monitor.db"
# the -wal file is cut back to this once checkpointed: without it, it kept the size of the
# largest transaction (a retention pass deleting 100,000 items: 58 MB) until the service stopped
WAL_LIMIT = 16 * 1024 * 1024
# SQLite checkpoints the -wal file into the database once it holds this many pages (4 KB each:
# WAL_LIMIT, the size it is cut back to anyway). A poll's store rewrites the leaf pages its 30
# items land on in each of the items' indexes, and SQLite's default (1,000 pages) copied those
# pages back into the database every few polls: 130 checkpoints, 1.1 s of a 1,000-feed first
# pass; at 4,096 pages a page rewritten by many polls is copied back once (docs/INGESTION.md,
# "Benchmark").
WAL_CHECKPOINT_PAGES = WAL_LIMIT // 4096
BUSY_TIMEOUT = 10  # seconds a statement waits for a lock another connection holds
PG_CONNECT_TIMEOUT = 10  # seconds to open a PostgreSQL connection (libpq waits for ever by default)
# TCP to the server (libpq's parameters; no effect over a Unix socket). A server's host gone from
# the network (a managed database's failover, a partition) answers nothing, not even a reset: the
# kernel's retransmissions held a statement, and the pool's ping of an idle connection, for about
# 15 minutes (tcp_retries2), the thread's work and every feed's behind it. Data unacknowledged for
# 30 s now fails the connection, and keepalives find a dead idle one within a minute. A server
# that is up but slow (or stopped with SIGSTOP) still acknowledges: its statements are not cut.
PG_TCP = {"tcp_user_timeout": 30_000, "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
          "keepalives_count": 3}
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock wait past lock_timeout
READ_ONLY = "25006"  # PostgreSQL's SQLSTATE for a write in a read-only transaction
READ_ONLY_SQLITE = "attempt to write a readonly database"  # SQLite's, for a file it opened read-only
# PostgreSQL's transaction rollbacks (class 40): a deadlock (40P01) or a serialization failure
# (40001) between two connections, e.g. two replicas. The server aborts one transaction so the
# other goes on; trying it again succeeds. No refusal of writes.
CONFLICTS = ("40P01", "40001")
# PostgreSQL's SQLSTATE for a statement cancelled: past a server's or role's statement_timeout, or
# by an operator's pg_cancel_backend. A cancelled read is no refusal of writes either.
QUERY_CANCELED = "57014"
REFUSAL_LOG_EVERY = 60.0  # seconds between the log lines of a refusal repeated at each round
POOLER = "monitor_pooler"  # a connection's info key: a pooler (PgBouncer) stands between it and the server


from storage.errors import (  # noqa: E402  (re-exported; defined apart for fast CLI start)
    URL_SCHEME,
    DatabaseError,
    InvalidDatabaseURL,
    NewerDatabase,
    redact_url,
    url_problem,
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
    cur.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _pg_lock_timeout(dbapi_conn: Any, record: Any) -> None:
    """PostgreSQL's BUSY_TIMEOUT (lock_timeout). By default it waits for a lock without end: a
    `psql` left in `SELECT … FOR UPDATE` held the polls' thread, every feed's writes
    behind it and the process's exit after a SIGTERM for as long as it lasted. Behind a
    pooler it is set in each transaction instead (`_pg_lock_timeout_in_transaction`)."""
    if record.info.get(POOLER):
        return
    with dbapi_conn.cursor() as cur:
        cur.execute(f"SET lock_timeout = {int(BUSY_TIMEOUT * 1000)}")
    dbapi_conn.commit()


def _pg_lock_timeout_in_transaction(conn: Connection) -> None:
    """BUSY_TIMEOUT for this transaction alone, behind a pooler. PgBouncer's pool_mode =
    transaction gives each transaction whichever server connection is free: a session's SET
    stayed on the one it ran on, for the pool's other clients too (another application's
    connections waited 10 s at most), and the service's transactions on the others (all of
    them once PgBouncer replaced its server connections, after server_lifetime) waited for a
    lock without end."""
    if conn.info.get(POOLER):
        with conn.connection.dbapi_connection.cursor() as cur:
            cur.execute(f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT * 1000)}")


def _pg_pooler(dbapi_conn: Any, record: Any) -> None:
    """No statements prepared on the server behind a connection pooler (PgBouncer, found by the
    process id it gives: its own, not the server's). psycopg prepares a statement run 5 times
    and runs it by name later; in PgBouncer's pool_mode = transaction (before 1.21, or without
    max_prepared_statements) the name was on another server connection or another client's:
    polls, the delivery rounds and the stories failed with `prepared statement "_pg3_0" already
    exists` or `does not exist`, or ran another client's statement of that name (`bind message
    supplies 0 parameters, but prepared statement "_pg3_0" requires 11`)."""
    with dbapi_conn.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        (server_pid,) = cur.fetchone()
    dbapi_conn.commit()
    if server_pid != dbapi_conn.info.backend_pid:
        dbapi_conn.prepare_threshold = None
        record.info[POOLER] = True


def _secrets(url: str) -> list[str]:
    """The password of `url` and, when it holds '@', each of its parts (SQLAlchemy would
    read what follows the first '@' as the host and might echo it in an error)."""
    match = URL_SCHEME.match(url)
    if not match or "@" not in match.group(2):
        return []
    userinfo = match.group(2).rpartition("@")[0]
    _, colon, password = userinfo.partition(":")
    if not colon or not password:
        return []
    parts = [password, *(p for p in password.split("@") if len(p) >= 3)]
    return sorted(set(parts), key=len, reverse=True)


def locked(exc: OperationalError) -> bool:
    """Whether the refusal is a lock held by another connection past the busy timeout."""
    return "database is locked" in str(exc.orig) or _lock_timeout(exc)


def conflict(exc: OperationalError) -> bool:
    """Whether PostgreSQL aborted the transaction for a conflict with another one (CONFLICTS)."""
    return getattr(exc.orig, "sqlstate", None) in CONFLICTS


def _lock_timeout(exc: OperationalError) -> bool:
    return getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE


def refusal(exc: OperationalError) -> str:
    """One line for an error the database gave a statement (a lock another process held past
    the busy timeout, a full disk, a read-only file), without the statement and its values."""
    reason = (str(exc.orig).splitlines() or [type(exc.orig).__name__])[0]
    if _lock_timeout(exc):
        return (f"the database is locked: another connection (another replica, a command, psql) "
                f"held a lock on the rows for over {BUSY_TIMEOUT} s")
    if locked(exc):
        return (f"the database is locked: another process (the service, another command, sqlite3) "
                f"held its write lock for over {BUSY_TIMEOUT} s")
    if conflict(exc):
        return f"the transaction conflicted with another connection's (another replica, a command): {reason}"
    return f"the database refused the command: {reason}"


class RefusalLog:
    """Which refusals of a task that retries every second or two to log: the first, then one a
    minute while they last. A full disk or a read-only file refuses each write at once (no
    busy timeout to wait), and a line per round filled the log."""

    def __init__(self, every: float = REFUSAL_LOG_EVERY) -> None:
        self.every = every
        self._logged_at: float | None = None

    def due(self) -> bool:
        now = time.monotonic()
        if self._logged_at is not None and now - self._logged_at < self.every:
            return False
        self._logged_at = now
        return True

    def clear(self) -> None:
        """The task went through: its next refusal is logged at once."""
        self._logged_at = None


class FeedRefusals:
    """The refusals of a step each feed's poll takes (its lease, its store): a line for the first, then
    one a minute naming how many other feeds met one since. A database outage refused every
    feed's poll at each interval, a line each: 1,800 lines an hour at 300 feeds."""

    def __init__(self, every: float | None = None) -> None:
        self._log = RefusalLog(REFUSAL_LOG_EVERY if every is None else every)
        self._unsaid: set[str] = set()

    def due(self, feed: str) -> int | None:
        """Note `feed`'s refusal: None when its line is not due, else how many other feeds'
        refusals since the last line that line is to name."""
        if not self._log.due():
            self._unsaid.add(feed)
            return None
        self._unsaid.discard(feed)
        others, self._unsaid = len(self._unsaid), set()
        return others

    def went_through(self) -> None:
        """A feed's step went through: the next refusal is logged at once, unless refusals wait
        to be named (they are, in the next line)."""
        if not self._unsaid:
            self._log.clear()


def scrub(text: str, url: str) -> str:
    """`text` (an error from a driver) with every trace of `url`'s password removed: each
    occurrence that no letter or digit adjoins, as a password stands in a URL (`:pw@`), a
    connection string (`password=pw`) or quotes. A short password replaced wherever its
    letters stood garbled the text it was hidden in (the password `e`: "conn***ction
    fail***d")."""
    for secret in _secrets(url):
        text = re.sub(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", "***", text)
    return text


def make_engine(url: str) -> Engine:
    """An engine for `url`; for SQLite the parent directory is created when missing."""
    problem = url_problem(url)
    if problem:
        raise InvalidDatabaseURL(f"invalid database URL {problem}")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        raise InvalidDatabaseURL(
            f"invalid database URL {redact_url(url)!r}: expected e.g. sqlite:///data/monitor.db "
            "or postgresql+psycopg://user:password@host/dbname (percent-encode '@' in a "
            "password as %40)"
        ) from None
    if parsed.drivername in ("postgres", "postgresql"):
        # postgres:// as hosting platforms hand it out (SQLAlchemy no longer reads it), and
        # postgresql://, which means psycopg2 before SQLAlchemy 2.1: psycopg 3 is the driver
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not db.startswith("file:"):
            # SQLite takes `~` for a folder of that name in the working directory
            parsed = parsed.set(database=str(Path(db).expanduser()))
            meant = _absolute_meant(Path(db).expanduser())
            if meant is not None and meant.is_file():
                raise InvalidDatabaseURL(f"invalid database URL {redact_url(url)!r}: {_slashes(meant)}")
            try:
                Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                hint = f" ({_slashes(meant)})" if meant is not None and meant.parent.is_dir() else ""
                raise DatabaseError(
                    f"cannot open database {redact_url(url)}: {scrub(str(exc.strerror or exc), url)}{hint}"
                ) from None
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
        # what replicas share is counted under locks (a chat's sends after its rows' FOR UPDATE, the
        # stories after their advisory lock): READ COMMITTED reads what the lock's holder committed.
        # A server whose default is REPEATABLE READ read the outbox as it was before the wait, and
        # two replicas took a chat's last slot (a 429)
        kwargs["isolation_level"] = "READ COMMITTED"
        # libpq's own settings, unless the URL sets them: a server that takes the connection and
        # never answers; a server's host gone from the network (a failover, a partition)
        kwargs["connect_args"] = {k: v for k, v in {"connect_timeout": PG_CONNECT_TIMEOUT, **PG_TCP}.items()
                                  if k not in parsed.query}
    try:
        engine = create_engine(parsed, **kwargs)
    except (ModuleNotFoundError, SQLAlchemyError) as exc:
        raise DatabaseError(
            f"cannot open database {redact_url(url)}: {scrub(str(exc), url)}"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif parsed.get_driver_name() == "psycopg":
        event.listen(engine, "connect", _pg_pooler)
    return engine


def _absolute_meant(path: Path) -> Path | None:
    """The absolute file a relative SQLite path whose folder is not in the working directory
    may have meant: `sqlite:///opt/monitor/data/monitor.db`, three slashes where an absolute path
    takes four, is `opt/monitor/data/monitor.db` under the working directory. None when the path
    is absolute or its folder is there."""
    if path.is_absolute() or path.parent.is_dir():
        return None
    return Path("/") / path


def _slashes(meant: Path) -> str:
    relative = Path(*meant.parts[1:])
    return (f"a path after sqlite:/// is relative to the working directory ({Path.cwd()}), where "
            f"{relative.parent}/ is not; for {meant} write sqlite:///{meant} (four slashes)")


class CannotMigrate(Exception):
    """Alembic refused to upgrade the schema (a revision none of the migrations knows)."""


def alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


# The restore marks kept beside a database (core/restore_marks.py): `monitor.db.seen` and
# `monitor.db.sent` beside a SQLite file, `data/postgresql-HOST-PORT-NAME.seen` and `.sent`.
MARKS_SUFFIX, SENT_SUFFIX = ".seen", ".sent"


def marks_path(db_file: Path | None) -> Path | None:
    """The file beside a SQLite database (`Database.marks_base`, PostgreSQL's in data/); None for
    an in-memory database."""
    return None if db_file is None else db_file.with_name(db_file.name + MARKS_SUFFIX)


def sent_path(marks: Path | None) -> Path | None:
    """The journal of sends beside the marks: `monitor.db.sent`, one JSON line a send."""
    return None if marks is None else marks.with_suffix(SENT_SUFFIX)


# Called with the marks file's path when a database created now forgets its marks: what holds
# marks for that file not written yet drops them (core/restore_marks.py registers here; storage
# imports nothing of ours).
FORGET_HOOKS: list[Callable[[Path], None]] = []


def forget_marks(base: Path | None) -> list[Path]:
    """Remove the restore marks beside a database created now (the files removed). They told
    what the database there before had done (its file deleted, its PostgreSQL database dropped
    and created again to start over): read against the new one, its first polls were taken for
    a restored backup's, the items of the last minutes stored as backfill, never alerted, and an
    alert of the same key and text as one sent before marked sent, never sent."""
    seen = marks_path(base)
    if seen is None:
        return []
    for hook in FORGET_HOOKS:  # marks this process holds for the file, not written yet
        hook(seen)
    removed = []
    for path in (seen, sent_path(seen)):
        assert path is not None
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("a new database: cannot remove %s (%s): its marks of the database before "
                        "may take this one's first polls for a restored backup's", path, exc)
            continue
        removed.append(path)
    if removed:
        log.info("a new database: %s, the restore marks of the database there before, removed",
                 " and ".join(map(str, removed)))
    return removed


MIGRATION_LOCK = 0x6D6F6E69  # PostgreSQL advisory lock key: replicas that start together migrate in turn


def migrate(engine: Engine, revision: str = "head") -> bool:
    """Bring the schema to `revision`; True when the database had none (created now)."""
    if revision == "head" and _at_head(engine):
        return False  # Alembic would read every migration's file to find there is nothing to do
    return _upgrade(engine, revision)


def _take_turn(connection: Connection) -> str | None:
    """PostgreSQL: wait for this start's turn to migrate, then the schema's revision. Replicas
    that start together migrate in turn.

    The turn is a lock of the migration's own transaction, so it holds behind a transaction
    pooler (PgBouncer's pool_mode = transaction gives each transaction whichever server
    connection is free). A session's lock stayed on the server connection it was taken on,
    where another replica's start took it too (two migrations at once: `duplicate key value
    violates unique constraint`), or its unlock went to another one and it stayed held until
    PgBouncer closed that connection (the next starts waited 600 s). The wait is in a statement,
    not idle in a transaction (idle_in_transaction_session_timeout), and has no lock_timeout: the
    role's (docs/OPERATIONS.md, "Behind PgBouncer"), or one a pooled server connection kept from
    the service's SET, refused a start that waited for a long migration. Nor does a server's or
    role's idle_in_transaction_session_timeout end the migration's transaction: between its
    statements it waits on Python (Alembic's own work, a loaded machine's scheduling), and a
    timeout shorter than such a pause ended it (`terminating connection due to
    idle-in-transaction timeout`; 20 ms failed on a loaded 2-core machine)."""
    # the transaction's first statement: the pause before the next one is then no longer timed
    # (lock_timeout set first left it timed, and a 20 ms pause under load ended the connection)
    connection.execute(text("SET LOCAL idle_in_transaction_session_timeout = 0"))
    connection.execute(text("SET LOCAL lock_timeout = 0"))
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    return _revision(connection)


def _upgrade(engine: Engine, revision: str) -> bool:
    """Run the migrations up to `revision` and log, once, an upgrade of an existing schema;
    True when there was no schema (a new database).

    Alembic's own lines are silenced (core.logs): without this line an operator had no
    record that a start changed the schema, nor from which version it came. A replica that
    waited for another's migration finds nothing left to do and says nothing; a new database
    is not an upgrade and is not announced either.
    """
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    found: list[str | None] = []  # the revision before, read once the turn is taken
    cfg = alembic_config(engine)
    if engine.dialect.name == "postgresql":  # storage/migrations/env.py takes it in its transaction
        cfg.attributes["turn"] = lambda connection: found.append(_take_turn(connection))
    else:
        found.append(_current_revision(engine))
    started = time.monotonic()
    try:
        command.upgrade(cfg, revision)
    except CommandError as exc:
        raise CannotMigrate(str(exc)) from exc
    before, after = found[0], _current_revision(engine)
    if before is None or after == before:
        return before is None
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    steps = sum(1 for _ in script.iterate_revisions(after, before))
    log.info("database schema upgraded from %s to %s (%d migration%s, %.1f s); an older version of "
             "the monitor can no longer open it", before, after, steps, "" if steps == 1 else "s",
             time.monotonic() - started)
    return False


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.scalar(text("SELECT version_num FROM alembic_version"))


# The latest migration's revision. Every start compares it with the database's; Alembic (its
# import and a read of every migration's file: a fifth of a second) is needed only to upgrade.
# tests/storage/test_migrations.py holds it to the migrations' files.
HEAD_REVISION = "0029_feed_item_counts"


def head_revision() -> str:
    return HEAD_REVISION


def _at_head(engine: Engine) -> bool:
    return _current_revision(engine) == head_revision()


def _unknown_revision(engine: Engine) -> str | None:
    """The database's revision when no migration of this version has it (a newer version's)."""
    try:
        current = _current_revision(engine)
    except SQLAlchemyError:
        return None
    if current is None:
        return None
    from alembic.script import ScriptDirectory

    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}
    return None if current in known else current


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


@dataclass(frozen=True)
class WriteRefusal:
    """Writes the database refuses (a full disk, a read-only file), since the first one."""

    since: datetime
    reason: str


class Database:
    """An opened, migrated database and its session factory.

    `write_refused` is set when the database refuses a statement for another reason than a
    lock (a full disk, a read-only file or directory) and cleared when a session's writes are
    committed: reads go on meanwhile, so a ping alone found such a database healthy."""

    def __init__(self, engine: Engine, url: str | None = None) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self._url = url
        self.write_refused: WriteRefusal | None = None
        self._file = _sqlite_file(engine)
        self._file_id = _file_id(self._file)
        self._marks = self._file or postgresql_marks_base(engine.url)
        self._server_id: str | None = None  # `identity` of a PostgreSQL database, once read
        event.listen(engine, "handle_error", self._refused, retval=True)
        event.listen(self.sessions, "after_flush", _wrote)
        event.listen(self.sessions, "do_orm_execute", _wrote_dml)
        event.listen(self.sessions, "after_commit", self._committed)
        event.listen(self.sessions, "after_rollback", _rolled_back)

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite database's file; None for PostgreSQL or an in-memory database."""
        return self._file

    @property
    def identity(self) -> str | None:
        """Which database this is, the same in every process of this host that opened it, and no
        secret: a hash of the SQLite file's device and inode (however its path was written), or
        of the PostgreSQL cluster's system identifier and the database's oid, as the server
        says them (None while it cannot be asked). `monitor status` compares it with the one
        /healthz gives, so that the health of a service on another database (a trial `make run`
        holding the port) is not shown as this database's. The host, port and name as the URL
        wrote them differed for one database (`127.0.0.1` and `localhost`, PgBouncer's port),
        and status then called a running service another monitor's."""
        return self.identity_in(None)

    def identity_in(self, session: Session | None) -> str | None:
        """`identity`, PostgreSQL's read through `session` when given (/healthz's, which has just
        answered its ping) rather than a connection of its own."""
        if self._file is not None:
            found = _file_id(self._file)
            key = None if found is None else f"sqlite:{found[0]}:{found[1]}"
        else:
            key = self._server_identity(session)
        return None if key is None else hashlib.sha256(key.encode()).hexdigest()[:16]

    def _server_identity(self, session: Session | None) -> str | None:
        """PostgreSQL's own name of this database (kept once read: neither changes while a
        connection reaches it); None for another database or while the server cannot answer."""
        if self._server_id is None and self.engine.dialect.name == "postgresql":
            query = ("SELECT (SELECT system_identifier FROM pg_control_system()),"
                     " (SELECT oid FROM pg_database WHERE datname = current_database())")
            try:
                if session is not None:
                    cluster, oid = session.execute(text(query)).one()
                else:
                    with self.engine.connect() as conn:
                        cluster, oid = conn.execute(text(query)).one()
            except SQLAlchemyError:
                return None
            self._server_id = f"postgresql:{cluster}:{oid}"
        return self._server_id

    @property
    def marks_base(self) -> Path | None:
        """What the restore marks (core/restore_marks.py) are kept beside: the SQLite file, or
        for PostgreSQL `postgresql_marks_base`; None for an in-memory database."""
        return self._marks

    def file_problem(self) -> str | None:
        """For SQLite, the database file removed or replaced at its path since it was opened:
        SQLite goes on writing to the file it opened, which the next start does not find."""
        if self._file is None or self._file_id is None:
            return None
        now = _file_id(self._file)
        if now == self._file_id:
            return None
        if now is None:
            return f"{self._file} was removed while the service ran: it writes to the removed file, lost at the next start"
        return (f"{self._file} was replaced by another file while the service ran: it writes to the "
                "former file, which the next start does not read")

    def _refused(self, context: ExceptionContext) -> OperationalError | None:
        exc, raised = context.sqlalchemy_exception, None
        if _read_only(context):
            # PostgreSQL read-only (a standby after a failover; hosted servers turn it on as their
            # disk fills) refuses writes as an InternalError: raised as a full disk's refusal, so
            # that each task waits for it and says so as it does on SQLite
            exc = raised = OperationalError(context.statement, context.parameters, context.original_exception)
        if (not isinstance(exc, OperationalError) or context.is_disconnect or locked(exc) or conflict(exc)
                or getattr(context.original_exception, "sqlstate", None) == QUERY_CANCELED):
            return None  # a lock, a conflict (deadlock), a cancel: no refusal of writes; the next try goes through
        if self._file is not None and READ_ONLY_SQLITE in str(context.original_exception):
            # SQLite names neither the file nor why: said as a start that cannot open it says it
            hint = _sqlite_access(str(self._file))
            if hint:
                orig = type(context.original_exception)(f"{context.original_exception}; {hint}")
                exc = raised = OperationalError(context.statement, context.parameters, orig)
        if self.write_refused is None:
            self.write_refused = WriteRefusal(datetime.now(UTC), refusal(exc))
        return raised

    def _committed(self, session: Session) -> None:
        if session.info.pop("wrote", False):
            self.write_refused = None

    @property
    def url(self) -> str:
        """The URL without its password (as written, so an '@' in it is hidden too)."""
        if self._url is not None:
            return redact_url(self._url)
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


MARKS_DIR = Path("data")  # under the working directory: SQLite's default's, writable in deploy/ and the image


def postgresql_marks_base(url: URL) -> Path | None:
    """For a PostgreSQL database, `data/postgresql-HOST-PORT-NAME` under the working directory
    (the restore marks are `….seen` and `….sent`): named by the server and the database, which
    a `pg_restore` keeps, never by a password. A dump restored into the database a service
    used is then recognized as SQLite's restored file is; before, nothing was kept on
    PostgreSQL, and the alerts sent after the dump went out a second time."""
    if url.get_backend_name() != "postgresql" or not url.database:
        return None
    host = url.host or str(url.query.get("host") or "local")
    port = url.port or url.query.get("port") or 5432
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"postgresql-{host}-{port}-{url.database}")
    return (MARKS_DIR / name).absolute()


def _sqlite_file(engine: Engine) -> Path | None:
    db = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db).expanduser().absolute()


def _file_id(path: Path | None) -> tuple[int, int] | None:
    try:
        st = os.stat(path) if path is not None else None
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st is not None else None


def _read_only(context: ExceptionContext) -> bool:
    exc = context.sqlalchemy_exception
    return (exc is not None and not isinstance(exc, OperationalError)
            and getattr(context.original_exception, "sqlstate", None) == READ_ONLY)


def _wrote(session: Session, *_: Any) -> None:
    session.info["wrote"] = True


def _rolled_back(session: Session) -> None:
    session.info.pop("wrote", None)


def _wrote_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


FULL_DISK = 1024 * 1024  # free bytes under which a SQLite file that cannot be opened is put down to a full disk


def _sqlite_access(database: str | None) -> str | None:
    """Why this process cannot write the SQLite file or its folder (SQLite writes its -wal and
    -shm files beside it), and what to do; None when it can. SQLite itself says only `unable to
    open database file` or `attempt to write a readonly database`."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).expanduser().absolute()
    folder = path.parent
    try:
        fs = os.statvfs(folder)
    except OSError:
        return None
    read_only_fs = bool(fs.f_flag & os.ST_RDONLY)
    user = _user_name()
    if read_only_fs:
        return (f"{folder} is on a read-only file system (under systemd, ProtectSystem=strict leaves "
                "only ReadWritePaths= writable, /opt/monitor/data in deploy/monitor.service): "
                "put the database there, or add its folder to ReadWritePaths=")
    if not os.access(folder, os.W_OK | os.X_OK):
        return (f"the folder {folder} is not writable by the user {user} (SQLite writes the "
                f"database's -wal and -shm files beside it): chown it to that user "
                f"(`chown {user}: {folder}`)")
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        problem = _file_access(file, user)
        if problem:
            return problem
    if fs.f_bavail * fs.f_frsize < FULL_DISK:  # SQLite cannot make its -shm file: `disk I/O error`
        return (f"the file system of {folder} is full ({fs.f_bavail * fs.f_frsize // 1024} KB free for "
                f"the user {user}): make room there")
    return None


def _file_access(path: Path, user: str) -> str | None:
    """Why this process cannot write the database file or its -wal or -shm file (one left by
    a command run as root, or bind-mounted read-only); None when it can or it is not there."""
    try:
        read_only = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError as exc:  # a name of 300 characters (a pasted line in DATABASE_URL)
        return "its name is too long for the file system" if exc.errno == errno.ENAMETOOLONG else None
    if read_only:
        return f"the file {path} is on a read-only mount: mount it read-write, or put the database elsewhere"
    if not os.access(path, os.R_OK | os.W_OK):
        return f"the file {path} is not writable by the user {user}: chown it to that user (`chown {user}: {path}`)"
    return None


def _user_name() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return str(os.geteuid())


def open_database(url: str = DEFAULT_URL, *, migrate_schema: bool = True) -> Database:
    """Open `url` and bring its schema to the latest migration.

    Every failure (unreachable server, unwritable path, broken file) becomes a
    `DatabaseError` with one line the operator can act on.
    """
    engine = make_engine(url)
    created = False
    try:
        if migrate_schema:
            created = migrate(engine)
        else:
            with engine.connect():
                pass
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = scrub(str(getattr(exc, "orig", None) or exc).strip(), url).splitlines()[0]
        hint = _sqlite_access(engine.url.database) if engine.dialect.name == "sqlite" else None
        raise DatabaseError(f"cannot open database {redact_url(url)}: {reason}"
                            f"{'; ' + hint if hint else ''}") from None
    except OSError as exc:
        engine.dispose()
        raise DatabaseError(f"cannot open database {redact_url(url)}: {scrub(str(exc), url)}") from None
    except CannotMigrate as exc:
        newer = _unknown_revision(engine)
        engine.dispose()
        if newer is not None:
            raise NewerDatabase(
                f"database {redact_url(url)} is at schema {newer}, written by a newer version of the "
                f"monitor (this one knows up to {head_revision()}): run that version again, or "
                "restore the backup taken before the upgrade") from None
        reason = scrub(str(exc).strip(), url).splitlines()[0]
        raise DatabaseError(
            f"cannot migrate database {redact_url(url)}: {reason} "
            "(was it written by a newer version of the monitor?)"
        ) from None
    if engine.dialect.name == "postgresql":  # not for the migration: it may wait for another's
        engine.dispose()
        event.listen(engine, "connect", _pg_lock_timeout)
        event.listen(engine, "begin", _pg_lock_timeout_in_transaction)
    db = Database(engine, url)
    if created:
        forget_marks(db.marks_base)
    return db


def ping(session: Session) -> None:
    """A round trip to the database (the health check); raises when it is unreachable."""
    session.execute(text("SELECT 1"))
