"""What every `monitor` subcommand parser shares (monitor/cli.py and its *_cli modules)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.db import Database

SOURCE_ROOT = Path(__file__).resolve().parent.parent  # the checkout, when run from one
# every command's exit status (README.md, "Command line"): success, a runtime failure, invalid usage or config
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def common_options(nested: bool = False) -> argparse.ArgumentParser:
    """The options every command takes, as a parent parser. `nested`: for the actions of a
    command that has them (`feeds add`, `rules show`, `people add`), with no defaults, so
    that an option given before the action (`monitor feeds --config PATH add URL`) is not
    replaced by the action's default."""

    def default(value: str | None) -> str | None:
        return argparse.SUPPRESS if nested else value

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--config", metavar="PATH", default=default(None),
        help="config file (default: $MONITOR_CONFIG, else ./feeds.yaml)",
    )
    parser.add_argument(
        "--db", metavar="URL", default=default(None),
        help="SQLAlchemy database URL (default: $DATABASE_URL, else sqlite:///data/monitor.db)",
    )
    parser.add_argument(
        "--log-level", default=default("INFO"), choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log verbosity (default: INFO)",
    )
    parser.add_argument(
        "--log-format", default=default("text"), choices=["text", "json"],
        help="text for a terminal, json for one JSON object per line (default: text)",
    )
    return parser


def add_command(
    sub: Any, common: argparse.ArgumentParser, name: str, handler: Callable[..., Any] | None,
    help: str, description: str | None = None,
) -> argparse.ArgumentParser:
    """Add the subcommand NAME with the common options; HANDLER runs it (None: its own
    subcommands set theirs)."""
    p: argparse.ArgumentParser = sub.add_parser(
        name, parents=[common], help=help, description=description,
    )
    if handler is not None:
        p.set_defaults(handler=handler)
    return p


def add_group(
    sub: Any, common: argparse.ArgumentParser, name: str, dest: str, help: str, description: str,
) -> Any:
    """Add the subcommand NAME whose own subcommands (one required) go to `dest`; their
    subparsers."""
    return add_command(sub, common, name, None, help, description).add_subparsers(
        dest=dest, required=True,
    )


def package_default(path: Path, option: str, instead: str) -> str | None:
    """`path`, a file shipped inside the package, as the default of a command's `option` that
    writes it (`monitor train`, `monitor people seed`): only in the project's checkout (`make
    train`, `pip install -e .`). In an installed package (a wheel in site-packages, the image)
    the write would replace the shipped file until the next upgrade puts it back, so there the
    option is required: None, after one line on stderr saying what to do `instead`."""
    if (SOURCE_ROOT / "pyproject.toml").is_file():
        return str(path)
    import sys

    print(f"error: {option} PATH is required in an installed package: its default, {path}, "
          f"is the file shipped with the package, which an upgrade replaces; {instead}",
          file=sys.stderr)
    return None


SINCE_HELP = "an ISO date or time; without an offset, in settings.timezone (2026-03-01, 2026-03-01T08:00, 2026-03-01T12:00Z)"


def parse_since(option: str, text: str, zone: tzinfo) -> datetime:
    """A command line's ISO date or time, aware: one written without an offset is the
    operator's local time, read in `zone` (settings.timezone). A ValueError says why not."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{option} {text!r} is not an ISO date") from None
    when = when if when.tzinfo else when.replace(tzinfo=zone)
    try:  # as the database compares it: 9999-12-31T23:59-12:00 is past year 9999
        when.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(f"{option} {text!r} is out of range once in UTC (years 1 to 9999)") from None
    return when


def utf8_stdout() -> None:
    """Standard output in UTF-8 whatever the locale, for what a program or a file reads (JSON,
    CSV, OPML, YAML): under a Latin-1 locale `feeds export` wrote Latin-1 bytes below its own
    `encoding="UTF-8"` declaration, which `feeds import` then refused. A file name the locale
    could not decode (LANG=C: `configuración`) is written back as the bytes it was."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8", errors="surrogateescape")


def open_existing_database(url: str) -> Database:
    """The database at `url` for a command that shows or corrects what is stored (`status`,
    `tally`, `stories`, `eval-stories --splits`). A SQLite file that does not exist yet (a fresh install, or a mistyped --db,
    $DATABASE_URL or settings.database_url) is never created: a note on stderr names it,
    and the command shows an empty database held in memory."""
    import sys

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from storage.db import open_database, redact_url

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        parsed = None  # open_database says why, in one line
    if parsed is not None and parsed.get_backend_name() == "sqlite":
        name = parsed.database or ""
        if name.startswith("file:"):  # a URI filename (uri=true): its path before any ?query
            name = name[len("file:"):].split("?", 1)[0]
        path = Path(name).expanduser()
        # an absolute path written with three slashes: open_database says how to write it
        meant = not path.is_absolute() and not path.parent.is_dir() and _exists(Path("/", path))
        if name and name != ":memory:" and not _exists(path) and not meant:
            print(
                f"note: no database at {redact_url(url)} yet: nothing stored to show (the service "
                "creates it on its first run; check --db, $DATABASE_URL and settings.database_url)",
                file=sys.stderr,
            )
            return open_database("sqlite://")
    return open_database(url)


def _exists(path: Path) -> bool:
    """Whether `path` exists; one whose name the file system refuses (too long) is left to
    open_database to report in one line (exists() raised OSError: a traceback)."""
    try:
        return path.exists()
    except OSError:
        return True


class IsoDate(argparse.Action):
    """--since/--until: an ISO date, normalised to YYYY-MM-DD (date.fromisoformat: '20260121'
    becomes '2026-01-21'); anything else ('2026-1-21', 'yesterday') is one line and exit 2, as
    `monitor stories --since` says it."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        try:
            setattr(namespace, self.dest, date.fromisoformat(str(values).strip()).isoformat())
        except ValueError:
            parser.exit(2, f"error: {option_string} {values!r} is not an ISO date (YYYY-MM-DD)\n")
