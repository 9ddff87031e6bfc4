"""`monitor db copy --to URL`: the service's database copied whole into a new, empty one (from
SQLite to PostgreSQL as a deployment grows), with its journal of sends (docs/OPERATIONS.md,
"Moving from SQLite to PostgreSQL")."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from core.config import (
    ConfigError,
    config_path_from,
    load_config,
    raw_database_url,
    resolve_runtime,
)
from monitor.cli_common import add_group, common_options


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `db copy` on the `monitor` subcommands (called from monitor.cli)."""
    acts = add_group(
        sub, common, "db", "db_action", "copy the database into another one",
        "`db copy --to URL`: copy the service's database (--db, $DATABASE_URL) whole into a new, "
        "empty database, e.g. from SQLite to PostgreSQL; stop the service first.",
    )
    c = acts.add_parser(
        "copy", parents=[common_options(nested=True)], help="copy every table into an empty database",
        description="Copy every table of the database (--db, $DATABASE_URL, settings.database_url) at "
        "this version's schema into the empty database URL, migrated first, ids kept, in one "
        "consistent read; carry the journal of sends over to the new database's. Refused while "
        "the service runs on the database, or when URL is not empty.",
    )
    c.add_argument("--to", required=True, metavar="URL",
                   help="the new database, e.g. postgresql+psycopg://monitor:PASSWORD@db/monitor")
    c.set_defaults(handler=cmd_db_copy)


def cmd_db_copy(args: argparse.Namespace) -> int:
    from core.restore_marks import carry_sent, marks_path, sent_path
    from monitor.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
    from storage.copy import copy_database

    if not args.to:
        print("error: --to is empty (an unset shell variable?); give the new database's URL", file=sys.stderr)
        return EXIT_USAGE
    source_url = _source_url(args)
    report = copy_database(source_url, args.to)
    assert report.source is not None and report.target is not None
    source, target = report.source, report.target
    try:
        print(f"copied {source.url} into {target.url} (schema {_head()}):")
        width = max(len(name) for name in report.rows)
        for name, rows in report.rows.items():
            print(f"  {name:<{width}}  {rows:>9,}")
        print(f"  {'total':<{width}}  {report.total:>9,}")
        journal, into = sent_path(marks_path(source.marks_base)), sent_path(marks_path(target.marks_base))
        try:
            carried = carry_sent(marks_path(source.marks_base), marks_path(target.marks_base))
        except OSError as exc:
            print(f"error: the rows are copied, but the journal of sends {journal} could not be carried "
                  f"to {into}: {exc.strerror or exc}; append it there by hand (`cat {journal} >> {into}`) "
                  "before the service starts on the new database", file=sys.stderr)
            return EXIT_FAILURE
        if journal is None or into is None:
            print("journal of sends: none (a database in memory)")
        elif not journal.exists():
            print(f"journal of sends: none at {_here(journal)} (nothing sent from this working directory)")
        else:
            print(f"journal of sends: {carried} line(s) carried from {_here(journal)} to {_here(into)}")
        print("next: point DATABASE_URL (or settings.database_url) at the new database and start the "
              "service from this directory (docs/OPERATIONS.md, 'Moving from SQLite to PostgreSQL')")
    finally:
        source.dispose()
        target.dispose()
    return EXIT_OK


def _source_url(args: argparse.Namespace) -> str:
    """The configured database, as every command finds it (--db, $DATABASE_URL, the file's
    settings.database_url); a config that is invalid or missing still names it."""
    path = config_path_from(args.config)
    try:
        config = load_config(path)
    except ConfigError:  # missing or invalid: raw_database_url reads what it can (None when missing)
        config = None
    return resolve_runtime(config, config_path=path, db_flag=args.db,
                           file_database_url=None if config else raw_database_url(path)).database_url


def _head() -> str:
    from storage.db import head_revision

    return head_revision()


def _here(path: os.PathLike[str]) -> str:
    """`path` relative to the working directory when under it (data/monitor.db.sent)."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)
