"""Shared fixtures: fresh migrated databases (SQLite, and PostgreSQL when TEST_DATABASE_URL
names a server), the default config, and a local feed server."""

from __future__ import annotations

import functools
import itertools
import logging
import os
import pwd
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from core.config import AppConfig, Settings, load_config
from core.restore_marks import marks_path, sent_path
from devtools.feedserver import FeedServer
from storage.db import Database, make_engine, open_database, postgresql_marks_base

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# As the service's Telegram sender sets it (alerts/telegram.py): tests that drive PTB's Bot
# directly read a 429's retry_after as the service does, with no deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'monitor.db'}"


def _opened(url: str) -> Iterator[Database]:
    database = open_database(url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the latest migration, made once per worker: a test's database starts as a
    copy of it rather than running every migration again (tests/storage/test_migrations.py runs them)."""
    made = tmp_path_factory.mktemp("template") / "migrated.db"
    open_database(f"sqlite:///{made}").dispose()
    template = made.with_name("template.db")
    engine = create_engine(f"sqlite:///{made}")
    with engine.connect() as conn:  # one self-contained file, the -wal folded in
        conn.exec_driver_sql(f"VACUUM INTO '{template}'")
    engine.dispose()
    return template


def _copy_of(template: Path, url: str) -> str:
    """`url`'s SQLite file as a copy of `template`, unless the test made it already."""
    path = Path(make_url(url).database or "")
    if not path.exists():
        shutil.copyfile(template, path)
    return url


@pytest.fixture
def db(db_url: str, migrated_sqlite: Path) -> Iterator[Database]:
    yield from _opened(_copy_of(migrated_sqlite, db_url))


@pytest.fixture(scope="session")
def _shipped_config() -> AppConfig:
    return load_config(ROOT / "feeds.yaml")


@pytest.fixture
def default_config(_shipped_config: AppConfig) -> AppConfig:
    """The shipped feeds.yaml, parsed once per worker; each test gets its own copy."""
    return _shipped_config.model_copy(deep=True)


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent (samples and corpus are optional)")
    return SHARED


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker gets its own PostgreSQL database (`monitor_test_gw0`, ...):
    the PostgreSQL tests reset their database, so two workers must never share one."""
    url, worker = os.environ.get("TEST_DATABASE_URL"), os.environ.get("PYTEST_XDIST_WORKER")
    if url and worker:
        os.environ["TEST_DATABASE_URL"] = _worker_database(url, worker)



@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """A test that runs `monitor.cli.main` in process configures the root logger (its level,
    a handler on that test's captured stderr): later tests of the same worker then printed
    httpcore's DEBUG lines into the stderr they compare. The root logger and the levels
    `setup_logging` sets are put back after each test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    named = {n: logging.getLogger(n).level for n in ("httpx", "httpcore", "apscheduler", "alembic")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, lvl in named.items():
        logging.getLogger(name).setLevel(lvl)

SLOW_DEFAULT_SECONDS = 10.0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests marked `slow` start first, spread over the pytest-xdist workers.

    pytest-xdist's `load` scheduling first hands each worker a run of consecutive tests (a
    quarter of its share) that no other worker can take. With the slow tests sorted first they
    were all one worker's, one after the other (the soak, the replicas, the training, the demo:
    about 375 s on gw0 in a loaded run), then the tests queued behind them. Each worker's first
    run now opens with its share of them, the longest first to the least loaded worker (by
    `slow(seconds=...)`), so that they overlap and none ends last."""
    def seconds(item: pytest.Item) -> float:
        marker = item.get_closest_marker("slow")
        return float(marker.kwargs.get("seconds", SLOW_DEFAULT_SECONDS)) if marker else 0.0

    slow = sorted((i for i in items if seconds(i)), key=seconds, reverse=True)
    rest = [i for i in items if not seconds(i)]
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    items[:] = _spread(slow, rest, workers, seconds)


def _spread(slow: list[pytest.Item], rest: list[pytest.Item], workers: int,
            seconds: Callable[[pytest.Item], float]) -> list[pytest.Item]:
    """`slow` (longest first) dealt to `workers` by least total seconds, each worker's at the head
    of the run xdist's LoadScheduling sends it first (max(2, tests // workers // 4) tests)."""
    if workers <= 1:
        return slow + rest
    shares: list[list[pytest.Item]] = [[] for _ in range(workers)]
    for item in slow:
        min(shares, key=lambda share: sum(map(seconds, share))).append(item)
    chunk = max(2, (len(slow) + len(rest)) // workers // 4)
    out: list[pytest.Item] = []
    following = iter(rest)
    for share in shares:
        out += share
        out += itertools.islice(following, max(0, chunk - len(share)))
    return out + list(following)


def edited_config_note(root: Path) -> str | None:
    """What to say when the checkout's feeds.yaml is not the one shipped: the README's first
    steps (`monitor feeds add`, a channel put in feeds.yaml) edit it, and the tests that read it
    as shipped then fail on the operator's feeds and channels (21 of 264 in tests/config,
    tests/test_pipeline.py and tests/cli/test_feeds_cli.py for one feed and one channel added),
    each with its own message and none with the cause. None where git cannot tell."""
    try:
        status = subprocess.run(  # not `git diff`: outside a repository it compares files
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no", "--", "feeds.yaml"],
            capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if status.returncode != 0 or not status.stdout.strip():  # 128: not a git checkout
        return None
    return ("feeds.yaml has local edits (git diff feeds.yaml): the tests read the checkout's feeds.yaml "
            "as shipped and fail on your feeds and channels; keep your config outside the checkout "
            "(MONITOR_CONFIG=PATH, README \"Quick start\"), then git checkout feeds.yaml")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if note := edited_config_note(ROOT):
        terminalreporter.write_sep("!", "the checkout's feeds.yaml is edited")
        terminalreporter.write_line(note)


def runs_as_postgres() -> bool:
    """Root can run PostgreSQL's and PgBouncer's programs as `postgres` (they refuse root);
    anyone else runs them as themselves."""
    if os.geteuid() != 0:
        return True
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return shutil.which("runuser") is not None


def _worker_database(url: str, worker: str) -> str:
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _pg_params() -> list[object]:
    url = os.environ.get("TEST_DATABASE_URL")
    reason = "TEST_DATABASE_URL is not set (.ci/run starts a PostgreSQL server and sets it)"
    return [pytest.param("postgresql", marks=pytest.mark.skipif(not url, reason=reason))]


def _reset(url: str) -> None:
    """Leave the PostgreSQL database without a table or a type, whatever revision a test stopped at,
    and without its restore marks (data/postgresql-….seen, .sent): a test's database emptied for
    the next is no restored backup of the last."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    marks = marks_path(postgresql_marks_base(make_url(url)))
    for path in (marks, sent_path(marks)):
        if path is not None:
            path.unlink(missing_ok=True)


@pytest.fixture(params=["sqlite", *_pg_params()])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh SQLite file, and the same test again on a clean PostgreSQL database (read at run
    time: under pytest-xdist the URL names this worker's database). The next test empties the
    PostgreSQL database before it starts, so none is emptied after."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'any.db'}"
    url = os.environ["TEST_DATABASE_URL"]
    _reset(url)
    return url


@pytest.fixture
def any_db(any_db_url: str, migrated_sqlite: Path) -> Iterator[Database]:
    if any_db_url.startswith("sqlite"):
        any_db_url = _copy_of(migrated_sqlite, any_db_url)
    else:
        _migrated_pg(any_db_url)
    yield from _opened(any_db_url)


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """This worker's PostgreSQL database, emptied and migrated, for tests of PostgreSQL alone
    (replicas, conflicts); they are skipped without TEST_DATABASE_URL."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    _reset(url)
    _migrated_pg(url)
    opened = open_database(url)
    yield opened
    opened.dispose()


def _migrated_pg(url: str) -> None:
    """The emptied PostgreSQL database at the latest migration. Every migration is run once per
    worker, and its schema (pg_dump's) replayed for the later tests: 0.1 s against 0.3-0.5 s
    (on CI, 350 tests; tests/storage/test_migrations.py runs the migrations themselves).
    Without pg_dump each test's open migrates, as before."""
    script = _dumped_schema(url)
    if script is None:
        return
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(script)
    engine.dispose()


@functools.cache  # once per worker
def _dumped_schema(url: str) -> str | None:
    """Migrate the (emptied) database and return its schema as one SQL script, with its
    revision; None when no pg_dump of this server's version or newer is installed."""
    pg_dump = _pg_dump()
    if pg_dump is None:
        return None
    open_database(url).dispose()
    parsed = make_url(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
        server_major = int(conn.scalar(text("SHOW server_version_num")) or 0) // 10000
    engine.dispose()
    version = re.search(r"(\d+)\.", subprocess.run([pg_dump, "--version"], capture_output=True, text=True).stdout)
    if version is None or int(version.group(1)) < server_major:
        return None
    dumped = subprocess.run(
        [pg_dump, "--schema-only", "--no-owner", "--no-privileges", "-h", parsed.host or "127.0.0.1",
         "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres", parsed.database or ""],
        capture_output=True, text=True, check=True, env={**os.environ, "PGPASSWORD": parsed.password or ""},
    ).stdout
    # psql's own commands (\restrict, a newer pg_dump's) are not SQL
    lines = [line for line in dumped.splitlines() if not line.startswith("\\")]
    lines.append(f"INSERT INTO public.alembic_version (version_num) VALUES ('{revision}');")
    _reset(url)
    return "\n".join(lines)


def _pg_dump() -> str | None:
    found = shutil.which("pg_dump")
    if found:
        return found
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"),
                       key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return str(installed[-1]) if installed else None


@pytest.fixture
def make_fast_settings() -> Callable[..., Settings]:
    """Settings for loopback tests with the given body cap.

    Answers get 10 s and connects 2 s: on loopback they come at once, or fail at once, but a
    loaded CI machine can stall a process longer than 0.5 s (the answer timeout these settings
    had: with one answer of each feed server 0.7 s late, 147 of the 266 fetch, ingest and parse
    tests failed; a handshake missed 0.5 s in CI). A test of the answer timeout sets its own
    short one, on a route that never answers in time."""

    def make(max_body_bytes: int) -> Settings:
        return Settings().model_copy(update={
            "request_timeout": timedelta(seconds=10),
            "connect_timeout": timedelta(seconds=2),
            "max_body_bytes": max_body_bytes,
        })

    return make


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """A local HTTP server on 127.0.0.1 whose routes a test sets (devtools.feedserver)."""
    with FeedServer() as srv:
        yield srv
