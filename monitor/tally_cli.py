"""`monitor tally`: the current figures per event and source, and their timeline (docs/TALLY.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from core.logs import for_terminal
from monitor.cli_common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    SINCE_HELP,
    add_command,
    open_existing_database,
    parse_since,
    utf8_stdout,
)


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub, common, "tally", cmd_tally, "current figures per event and source, and their timeline",
        "The figures stated in the stored items: for each topic, event and source the "
        "latest figure with its date, outlet and link (conflicting figures side by side), "
        "releases announced by the government and verified by rights groups, those still held; "
        "then the timeline. --chart writes a PNG.",
    )
    p.add_argument("--since", metavar="DATE", help=f"only items published since this date: {SINCE_HELP}")
    p.add_argument("--topic", metavar="T", help="only this topic")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table",
                   help="output format (default: table)")
    p.add_argument("--chart", metavar="FILE.png", help="also write the chart to this PNG file")


def cmd_tally(args: argparse.Namespace) -> int:
    from alerts.tally.figures import load_tally
    from alerts.tally.render import render_csv, render_json, render_table
    from core.config import (
        ConfigError,
        Settings,
        config_path_from,
        load_config,
        raw_database_url,
        resolve_runtime,
    )

    path = config_path_from(args.config)
    try:
        config = load_config(path)
    except ConfigError as exc:
        print(f"warning: {path} is invalid; built-in source names only\n{exc.render()}", file=sys.stderr)
        config = None
    try:  # an invalid config's timezone is its default one
        zone = (config.settings if config else Settings()).tz
        since = parse_since("--since", args.since, zone) if args.since else None
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if config is not None and args.topic and args.topic not in config.topics:
        print(f"warning: topic {args.topic!r} is not in {path}", file=sys.stderr)
    runtime = resolve_runtime(config, config_path=path, db_flag=args.db,
                              file_database_url=None if config else raw_database_url(path))
    db = open_existing_database(runtime.database_url)
    try:
        with db.session() as session:
            tally = load_tally(session, config, since=since, topic=args.topic)
    finally:
        db.dispose()
    text = (render_table(tally, zone) if args.format == "table" else
            {"json": render_json, "csv": render_csv}[args.format](tally)).rstrip("\n") + "\n"
    if args.format != "table":
        utf8_stdout()
    sys.stdout.write(for_terminal(text) if args.format == "table" else text)
    if args.chart:
        from alerts.tally.chart import render_png

        try:
            Path(args.chart).write_bytes(render_png(tally, args.topic))
        except OSError as exc:
            print(f"error: cannot write {args.chart}: {exc}", file=sys.stderr)
            return EXIT_FAILURE
    return EXIT_OK
