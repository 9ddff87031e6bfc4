"""The storage layer's exceptions and the text checks of a database URL, in a module of their
own so that the command line can use them without importing SQLAlchemy and Alembic (commands
that need no database start fast)."""

from __future__ import annotations

import re

URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://)(.*)$", re.S)
_QUERY_SECRET = re.compile(r"(?i)\b(password|passwd|pwd|sslpassword)=[^&\s]*")
# backend -> the drivers installed with the project ("" = the backend's default)
_DRIVERS = {"sqlite": ("", "pysqlite"), "postgresql": ("", "psycopg"), "postgres": ("",)}
EXPECTED = ("expected sqlite:///data/monitor.db (relative to the working directory; "
            "sqlite:////opt/monitor/data/monitor.db for an absolute path) or "
            "postgresql+psycopg://user:password@host/dbname")


class DatabaseError(Exception):
    """The database cannot be opened or migrated; the message is one line for the operator."""


class InvalidDatabaseURL(DatabaseError):
    """The URL itself is wrong (not a URL, an unsupported database or driver): a restart
    cannot fix it, so the command exits 2, as for an invalid config."""


class NewerDatabase(DatabaseError):
    """The database's schema is of a later version of the monitor than this one (an operator
    rolled back after an upgrade): a restart cannot fix it, so the command exits 2."""


def redact_url(url: str) -> str:
    """`url` without its password, by text: it works on URLs SQLAlchemy cannot parse, and
    a password holding '@' (which ends at the last '@') is hidden whole."""
    match = URL_SCHEME.match(url)
    if not match:  # no scheme: shown, but nothing before an '@' (it may be user:password)
        host = url.rpartition("@")[2]
        return f"***@{host}" if "@" in url else url
    scheme, rest = match.groups()
    if "@" in rest:
        userinfo, _, host = rest.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        rest = f"{user}{':***' if colon else ''}@{host}"
    return scheme + _QUERY_SECRET.sub(lambda m: f"{m.group(1)}=***", rest)


def url_problem(url: str) -> str | None:
    """Why `url` can never open a database, by its text alone; None when it may.

    A comment is refused: systemd keeps one written after the value in an env file, and
    `sqlite:///data/monitor.db  # mine` opened a new, empty database of that name. White space
    inside a path (`sqlite:////srv/My Data/monitor.db`) is a path like any other."""
    shown = redact_url(url)
    if url != url.strip() or re.search(r"\s#", url):
        return f"{shown!r} contains white space (a comment after the value?); {EXPECTED}"
    match = URL_SCHEME.match(url)
    if not match:
        return f"{shown!r} is not a database URL; {EXPECTED}"
    backend, _, driver = match.group(1)[:-3].lower().partition("+")
    if backend not in _DRIVERS:
        return f"{shown!r}: {backend} is not supported; {EXPECTED}"
    if driver not in _DRIVERS[backend]:
        return (f"{shown!r}: the driver {driver} is not installed; write "
                f"{'sqlite' if backend == 'sqlite' else 'postgresql+psycopg'}://…")
    return None
