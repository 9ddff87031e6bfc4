"""The `monitor` command line (README.md, "Command line"): the parser of every command, and
run, poll-once, classify, check-config, status, stories, eval-stories and channels; the other
commands are in config_cli, feeds_cli, people_cli, tally_cli, train_eval and db_cli.

Exit codes: 0 success, 1 runtime failure, 2 invalid usage or config.
"""

from __future__ import annotations

import argparse
import codecs
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from core.config import (
    AppConfig,
    ConfigError,
    Runtime,
    api_url_problem,
    config_path_from,
    console_fallback,
    load_config,
    raw_database_url,
    resolve_runtime,
    token_problem,
)
from core.logs import LoggedLines, install_crash_hooks, setup_logging
from monitor.cli_common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    SINCE_HELP,
    add_command,
    common_options,
    open_existing_database,
    parse_since,
    utf8_stdout,
)
from storage.errors import DatabaseError, InvalidDatabaseURL, NewerDatabase
from storage.errors import url_problem as database_url_problem

if TYPE_CHECKING:
    from storage.db import Database

log = logging.getLogger("monitor")


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="monitor",
        description=(
            "Watches Spanish and English news about Venezuela's political prisoners and US "
            "actions toward Venezuela, and sends short alerts to Telegram channels."
        ),
        epilog="Run 'monitor COMMAND --help' for the options of a command.",
    )
    # also before the command (`monitor --config PATH poll-once`), as other tools take them; the
    # command's own option wins (its parser's defaults would replace these: their own dests)
    parser.add_argument("--config", metavar="PATH", dest="top_config",
                        help="config file, as COMMAND --config PATH")
    parser.add_argument("--db", metavar="URL", dest="top_db", help="database URL, as COMMAND --db URL")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = add_command(
        sub, common, "run", cmd_run, "start the long-running service",
        "Poll every enabled feed on its schedule, queue and deliver alerts, run "
        "digests. Stops cleanly on SIGTERM or SIGINT.",
    )

    p = add_command(
        sub, common, "poll-once", cmd_poll_once, "one pass over every enabled feed, then exit",
        "Fetch, parse, store and match every enabled feed once, queue alerts and "
        "deliver them; prints one summary line per feed. Exit 0 even when some feeds failed.",
    )
    p.add_argument(
        "--dry-run", action="store_true",
        help="print the alerts instead of sending them; nothing is marked delivered",
    )
    p.add_argument("--feed", action="append", metavar="NAME", help="only this feed (repeatable)")

    p = add_command(
        sub, common, "classify", cmd_classify, "classify JSON lines from stdin (no database)",
        "Read news items as JSON lines on stdin and write one JSON line per item "
        'on stdout: {"id", "topics", "urgency", "matches", "entities", "counts"}. Uses the '
        "topics and entities of the config; no database, no network.",
    )
    p.add_argument(
        "--explain", action="store_true",
        help='add "explain" (per topic: the terms, or the model\'s score and threshold) and '
        '"decided_by" (rules, model or watched) to each output line',
    )

    p = add_command(
        sub, common, "check-config", cmd_check_config, "validate a config file",
        "Validate a config. Exit 0 with a one-line summary when valid; exit 2 "
        "with every error as 'location (line N): message' when not.",
    )
    p.add_argument("path", nargs="?", help="config to check (default: --config, $MONITOR_CONFIG, ./feeds.yaml)")

    p = add_command(
        sub, common, "status", cmd_status, "feed health and the alert queue",
        "A table of feeds (last success, last error, items, consecutive failures, "
        "next poll) and of the alert queue per channel. Works on an empty database.",
    )

    p = add_command(
        sub, common, "stories", cmd_stories, "recent stories, their items and why they were joined",
        "List the stories with an item classified since DATE (default: the last story_window) "
        "with their items, outlets and the signals that joined each item to its story. "
        "--merge and --split correct them as /merge and /split do in the admin chat; --near lists "
        "the stories closest to one, as /merge alone does.",
    )
    p.add_argument("--since", metavar="DATE", help=f"{SINCE_HELP}; default: now - story_window")
    fix = p.add_mutually_exclusive_group()
    fix.add_argument("--merge", nargs=2, type=int, metavar=("STORY", "OTHER"),
                     help="merge two stories that tell one event (the older is kept); stored as feedback")
    fix.add_argument("--split", type=int, metavar="ITEM",
                     help="move an item out of its story into one of its own; stored as feedback")
    fix.add_argument("--near", type=int, metavar="STORY",
                     help="the stories the matcher finds closest to STORY: what to --merge it with")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="table for a reader; json: every story with its items' guid, link and signals")

    p = add_command(
        sub, common, "eval-stories", cmd_eval_stories, "score story grouping on readers' story groups",
        "Replay the headlines of each window of a groups file through the story "
        "assigner and report B-cubed precision, recall, F, alerts per true story and wrong merges. "
        "With --splits, replay the operators' /split and /merge reports stored in the database "
        "instead (or as well): the wrong merges the current rules would make again, and the "
        "merged stories they now join.",
    )
    p.add_argument("file", nargs="?", help="groups file ({\"windows\": [{\"days\", \"stories\": [{\"ids\"}]}]})")
    p.add_argument(
        "--splits", action="store_true",
        help="replay each /split and /merge of the database (--db, $DATABASE_URL) through the current "
        "rules: which splits they would merge again, which merges they now join",
    )
    p.add_argument(
        "--headlines", metavar="PATH",
        help="headlines JSONL (default: the headlines_*.jsonl beside FILE)",
    )
    p.add_argument("--details", action="store_true", help="also list wrong merges and split stories")
    p.add_argument(
        "--intervals", action="store_true",
        help="also give the pooled precision's, recall's and alerts per true story's 95%% bootstrap intervals over the readers' "
        "stories: how far the figures would wander on other days like these",
    )
    p.add_argument(
        "--all-headlines", action="store_true",
        help="serve every headline of each window's days, relevant or not; score only the "
        "labelled items the classifier finds relevant (as an outside check does)",
    )
    p.add_argument(
        "--one-pass", action="store_true",
        help="poll and classify every headline at one moment after the window (as `monitor "
        "poll-once` over feeds holding it), not each at its own time",
    )
    p.add_argument(
        "--dates-only", action="store_true",
        help="serve the headlines as feeds of dates only (every item of a day at midnight, "
        "one feed per outlet, newest first) and classify them in one pass",
    )
    p.add_argument(
        "--feed-order", choices=("newest-first", "oldest-first", "by-date"),  # story_eval.FEED_ORDERS (not
        default="newest-first",  # imported here: the CLI starts without the matcher)
        help="with --dates-only, how each outlet's feed lists its headlines: newest-first, "
        "oldest-first, or by-date (the days newest first, each day as the file lists it)",
    )
    p.add_argument(
        "--ids-without-numbers", action="store_true",
        help="with --dates-only, give the feed entries ids that carry no number (the "
        "headline's id is otherwise the entry's, 'w0541')",
    )

    p = add_command(
        sub, common, "channels", None, "enable a channel Telegram refused",
        "`channels enable NAME`: send again to a channel the service disabled when Telegram "
        "refused it (403, chat not found, no rights), once the bot may post there; as /enable "
        "does in the admin chat. Its queued alerts go out in order.",
    )
    acts = p.add_subparsers(dest="channels_action", metavar="ACTION", required=True)
    e = acts.add_parser("enable", parents=[common_options(nested=True)], help="enable a disabled channel",
                        description="Enable the channel NAME again; the running service sends its queue.")
    e.add_argument("name", help="the channel's name in feeds.yaml")
    e.set_defaults(handler=cmd_channels_enable)

    from monitor.config_cli import add_parser as add_config_parser

    add_config_parser(sub, common)  # `rules show`, `schema` (monitor/config_cli.py)

    from monitor.feeds_cli import add_parser as add_feeds_parser

    add_feeds_parser(sub, common)  # `feeds add/remove/import/export` (monitor/feeds_cli.py)

    from monitor.people_cli import add_parser as add_people_parser

    add_people_parser(sub, common)

    from monitor.tally_cli import add_parser as add_tally_parser

    add_tally_parser(sub, common)  # `tally` (monitor/tally_cli.py)

    from monitor.train_eval import add_parsers as add_train_eval

    add_train_eval(sub, common)  # `train` and `eval` (monitor/train_eval.py)

    from monitor.db_cli import add_parser as add_db_parser

    add_db_parser(sub, common)  # `db copy` (monitor/db_cli.py)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _never_unencodable()
    parser = build_parser()
    args = parser.parse_args(argv)
    for key, shown in (("config", "--config"), ("db", "--db"), ("top_config", "--config"),
                       ("top_db", "--db"), ("path", "PATH"), ("out", "--out"), ("chart", "--chart")):
        if getattr(args, key, None) == "":  # `--config "$CFG"` with CFG unset: not ./feeds.yaml
            print(f"error: {shown} is empty (an unset shell variable?); give a value or leave it out",
                  file=sys.stderr)
            return EXIT_USAGE
    for key in ("config", "db"):
        if getattr(args, key, None) is None:
            setattr(args, key, getattr(args, f"top_{key}"))
    setup_logging(args.log_level, args.log_format)
    install_crash_hooks()
    output = _Output.install()
    said = _json_stderr() if args.log_format == "json" else None
    try:
        return _run(args.handler, args, output)
    finally:
        if output is not None and sys.stdout is output:
            sys.stdout = output.stream
        if said is not None and sys.stderr is said:
            said.flush()
            sys.stderr = said.stream  # type: ignore[assignment]


def _json_stderr() -> LoggedLines | None:
    """The command's own lines on stderr as JSON log lines (core.logs.LoggedLines); the log's
    handler keeps writing to the stream itself (setup_logging took it before)."""
    if sys.stderr is None:
        return None
    said = LoggedLines(sys.stderr, logging.getLogger("monitor.cli"))
    sys.stderr = said  # type: ignore[assignment]
    return said


def _run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace,
         output: _Output | None) -> int:
    """The command, its failures each told in one line with its exit code."""
    try:
        code = handler(args)
        if sys.stdout is not None:
            sys.stdout.flush()  # here, not at exit: a failure is told, not "Exception ignored"
        return code
    except ConfigError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    except (InvalidDatabaseURL, NewerDatabase) as exc:  # a restart cannot fix it: as an invalid config
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `monitor ... | head` closed the pipe: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit flush
        return EXIT_OK
    except OSError as exc:
        if output is None or output.failed is not exc:
            raise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        print(f"error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        refused = _database_refusal(exc)
        if refused is None:
            raise
        again = ", try again" if refused.startswith("the database is locked") else ""
        print(f"error: {refused}; nothing was changed{again}", file=sys.stderr)
        return EXIT_FAILURE


class _Output:
    """Standard output for one command, remembering the error a write or flush raised: a full
    disk (`monitor tally --format json > figures.json`) or a descriptor that takes no writes is
    then told in one line, exit 1, where every command but classify ended in a traceback."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.failed: OSError | None = None

    @classmethod
    def install(cls) -> _Output | None:
        if sys.stdout is None:  # started with `>&-`: the commands that write say so
            return None
        output = cls(sys.stdout)
        sys.stdout = output  # type: ignore[assignment]  # a stand-in: the rest is the stream's
        return output

    def write(self, text: str) -> int:
        return self._watched(self.stream.write, text)

    def flush(self) -> None:
        self._watched(self.stream.flush)

    def _watched(self, call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except BrokenPipeError:  # the reader had enough: main() ends quietly
            raise
        except OSError as exc:
            self.failed = exc
            raise

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, reconfigure, buffer…
        return getattr(self.stream, name)


def _never_unencodable() -> None:
    """Standard output written in a terminal's own encoding (a Latin-1 locale, PYTHONIOENCODING),
    a character it lacks escaped (`\u2014`) as on standard error: before, check-config's "OK —",
    a status table's "…" or a name's accent ended the command in a UnicodeEncodeError traceback."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is None:
        return
    utf8 = codecs.lookup(sys.stdout.encoding or "ascii").name == "utf-8"
    # LANG=C without Python's UTF-8 coercion: ASCII with surrogateescape, which escapes no "—"
    if sys.stdout.errors == "strict" or not utf8:
        reconfigure(errors="backslashreplace")


def _database_refusal(exc: Exception) -> str | None:
    """One line for a statement the opened database refused (storage.db.refusal); None for
    any other error. The command's transaction rolled back whole."""
    if "sqlalchemy" not in sys.modules:  # no database was opened: SQLAlchemy is loaded with it
        return None
    from sqlalchemy.exc import OperationalError

    from storage.db import refusal

    return refusal(exc) if isinstance(exc, OperationalError) else None


# ---------------------------------------------------------------------------
# helpers shared by the commands


def load(args: argparse.Namespace) -> tuple[AppConfig, Runtime]:
    path = config_path_from(args.config)
    config = load_config(path)
    return config, resolve_runtime(config, config_path=path, db_flag=args.db)


def open_db(runtime: Runtime) -> Database:
    from storage.db import open_database  # SQLAlchemy and Alembic: only for commands that need them

    return open_database(runtime.database_url)


# ---------------------------------------------------------------------------
# commands


def cmd_check_config(args: argparse.Namespace) -> int:
    path = args.path or config_path_from(args.config)
    config = load_config(path)
    _check_file_database_url(path, config)
    print(f"{path}: OK — {config.summary()}")
    for issue in config.cautions:  # valid, and most often a mistake: said, never refused
        print(f"warning: {issue}", file=sys.stderr)
    api = os.environ.get("TELEGRAM_API_URL")
    problem = api_url_problem(api) if api else None
    if problem:  # not the file's fault (exit 0), but the service will not start on it
        print(f"warning: TELEGRAM_API_URL: {problem}; run, poll-once, status and the other "
              "commands that read it stop on it (docs/CONFIG.md, 'Environment')", file=sys.stderr)
    token = os.environ.get("TELEGRAM_BOT_TOKEN")
    problem = token_problem(token) if token else None
    if problem:
        print(f"warning: TELEGRAM_BOT_TOKEN: {problem}; run, poll-once and the other commands "
              "that send stop on it", file=sys.stderr)
    database = args.db or os.environ.get("DATABASE_URL")
    problem = database_url_problem(database) if database else None
    if problem:
        print(f"warning: {'--db' if args.db else 'DATABASE_URL'}: {problem}; run, poll-once, "
              "status and the other commands that open the database stop on it", file=sys.stderr)
    return EXIT_OK


def _check_file_database_url(path: str, config: AppConfig) -> None:
    """The file's settings.database_url as the commands that open the database check it:
    one they would refuse (exit 2) is an error at its line, not an OK."""
    url = config.settings.database_url
    problem = database_url_problem(url) if url else None
    if problem:
        from core.config.locate import issue_at
        from core.config.yaml_file import load_yaml, read_config_text

        data = load_yaml(read_config_text(Path(path)), path)
        raise ConfigError(path, [issue_at(data, ("settings", "database_url"), problem)])


def cmd_classify(args: argparse.Namespace) -> int:
    from core.config import load_rules
    from monitor.match import build_classifier
    from monitor.match.jsonl import classify_stream
    from monitor.match.learned import default_model
    from monitor.match.people import WatchedPeople, load_seed

    rules = load_rules(config_path_from(args.config))  # the rules alone: no feeds, no database
    # the shipped seed of watched people; nothing is learned within the stream, so each
    # line's output depends on that line alone (docs/MATCHING.md, "Watched people")
    watched = WatchedPeople(load_seed())
    classifier = build_classifier(
        rules.topics, rules.entities, watched=watched, model=default_model().model
    )
    if sys.stdin is None or sys.stdout is None:  # started with `<&-` or `>&-`
        print(f"error: {'stdin' if sys.stdin is None else 'stdout'} is closed: classify reads "
              "JSON lines on stdin and writes them on stdout", file=sys.stderr)
        return EXIT_FAILURE
    # bytes in, decoded line by line (a line that is not UTF-8 is reported, not fatal);
    # strict UTF-8 out, whatever the locale or PYTHONIOENCODING say
    sys.stdout.reconfigure(encoding="utf-8", errors="strict")  # type: ignore[union-attr]
    try:
        return classify_stream(classifier, sys.stdin.buffer, sys.stdout, sys.stderr, explain=args.explain)
    except BrokenPipeError:
        raise  # main(): the reader had enough
    except OSError as exc:  # a full disk, a descriptor that is not writable
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        print(f"error: cannot write the results: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILURE


def cmd_status(args: argparse.Namespace) -> int:
    from monitor.status import fetch_health, health_url, render_status, service_lines

    path = config_path_from(args.config)
    config: AppConfig | None
    try:
        config = load_config(path)
    except ConfigError as exc:
        what = "is invalid" if os.path.exists(path) else "cannot be found"
        print(f"warning: {path} {what}; showing the database only\n{exc.render()}", file=sys.stderr)
        config = None
    runtime = resolve_runtime(config, config_path=path, db_flag=args.db,
                              file_database_url=None if config else raw_database_url(path))
    db = open_existing_database(runtime.database_url)
    try:
        if config is not None:  # what the running service says of itself: its database's writes
            url = health_url(config.settings.http_listen)
            lines = service_lines(fetch_health(url), url, datetime.now(UTC), _status_database(db, runtime.database_url))
            print("\n".join(lines), end="\n\n")
        print(render_status(db, config, now=datetime.now(UTC)))
    finally:
        db.dispose()
    return EXIT_OK


def _status_database(db: Database, url: str) -> tuple[str | None, str]:
    """The identity `monitor status` compares with /healthz's, and the URL it names. A database
    not created yet (open_existing_database's empty one in memory, as from another directory
    than the service's) is no running service's: its identity matches none (it was None, and
    status said `Service: ok` of the service on another database)."""
    from storage.db import redact_url

    if db.sqlite_file is None and db.engine.dialect.name == "sqlite":
        return "", redact_url(url)
    return db.identity, db.url


def cmd_channels_enable(args: argparse.Namespace) -> int:
    """Without an admin chat this was the only way back for a channel disabled by a refusal
    (the bot made an administrator after the first alert): a restart keeps it disabled."""
    from storage.alerts import enable_channel

    config, runtime = load(args)
    if config.channel(args.name) is None:
        names = ", ".join(c.name for c in config.channels) or "none"
        print(f"error: no channel named {args.name!r} in {runtime.config_path}; channels: {names}",
              file=sys.stderr)
        return EXIT_USAGE
    # never created: run from another directory than the service's, it made an empty
    # data/monitor.db there and said the channel was not disabled, with no word of the database
    db = open_existing_database(runtime.database_url)
    try:
        with db.session() as session:
            queued = enable_channel(session, args.name)
        if queued is None:
            print(f"{args.name} is not disabled")
            return EXIT_OK
    finally:
        db.dispose()
    print(f"enabled {args.name}: its {queued} queued alert(s) go out in order (the running service "
          "sends them within seconds; else at the next start or poll-once)")
    return EXIT_OK


def cmd_poll_once(args: argparse.Namespace) -> int:
    from monitor.service import poll_once
    from monitor.start_config import sections_missing

    config, runtime = load(args)
    db = open_db(runtime)
    try:
        problem = sections_missing(config, db)  # the news it classifies would reach no channel
        if problem:
            print(f"error: {runtime.config_path}: {problem}", file=sys.stderr)
            return EXIT_USAGE
        if not args.dry_run and (fallback := console_fallback(config, runtime)):
            print(f"warning: {fallback}", file=sys.stderr)
        return poll_once(config, runtime, db, dry_run=args.dry_run, only=args.feed)
    finally:
        db.dispose()


def cmd_run(args: argparse.Namespace) -> int:
    # `systemctl reload` while the service starts (imports, migrations, a backlog classified:
    # up to a minute) would end the process (SIGHUP's default action); it is remembered and
    # the service reloads once its own handler is in place
    reload_asked = threading.Event()
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, lambda _signum, _frame: reload_asked.set())
    from monitor.service import run_service
    from monitor.start_config import read_settled, sections_missing

    path = config_path_from(args.config)
    config, state = read_settled(path, told=log.info)
    runtime = resolve_runtime(config, config_path=path, db_flag=args.db)
    db = open_db(runtime)
    try:
        problem = sections_missing(config, db)
        if problem:
            print(f"error: {path}: {problem}", file=sys.stderr)
            return EXIT_USAGE
        return run_service(config, runtime, db, reload_asked=reload_asked, config_state=state)
    finally:
        db.dispose()


def cmd_stories(args: argparse.Namespace) -> int:
    from alerts.stories.report import stories_lines, write_stories_json
    from core.logs import for_terminal

    config, runtime = load(args)
    if args.merge or args.split is not None or args.near is not None:
        return _fix_stories(args, config, runtime)
    now = datetime.now(UTC)
    since = now - config.settings.story_window
    if args.since:
        try:
            since = parse_since("--since", args.since, config.settings.tz)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    db = open_existing_database(runtime.database_url)
    try:
        with db.session() as session:
            # written a story at a time, as read: a year's stories are no list held in memory
            if args.format == "json":
                utf8_stdout()
                write_stories_json(session, config, since=since, out=sys.stdout)
            else:  # for a terminal: no escape sequence or direction override of a stored title
                for line in stories_lines(session, config, since=since):
                    sys.stdout.write(for_terminal(line) + "\n")
    finally:
        db.dispose()
    return EXIT_OK


def _fix_stories(args: argparse.Namespace, config: AppConfig, runtime: Runtime) -> int:
    """`monitor stories --merge A B` / `--split ITEM` / `--near STORY`: the admin chat's
    corrections, from a shell."""
    import getpass

    from alerts.stories.assign import NoSuchNumber, StoryFixError, merge_stories, split_item
    from alerts.stories.merge import nearest_answer

    operator = f"cli:{getpass.getuser()}"
    db = open_existing_database(runtime.database_url)
    try:
        with db.session() as session:
            if args.near is not None:
                answer = nearest_answer(session, config, args.near, now=datetime.now(UTC))
            elif args.merge:
                answer = merge_stories(session, *args.merge, operator=operator)
            else:
                answer = split_item(session, args.split, operator=operator, tz=config.settings.tz, config=config)
    except NoSuchNumber as exc:  # a number that names nothing is bad input, as an unknown feed is
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoryFixError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        db.dispose()
    from core.logs import for_terminal

    print(for_terminal(answer))  # it quotes stored titles
    return EXIT_OK


def cmd_eval_stories(args: argparse.Namespace) -> int:
    from monitor import story_files

    config, runtime = load(args)
    if args.file is None and not args.splits:
        print("error: give a groups FILE, --splits, or both", file=sys.stderr)
        return EXIT_USAGE
    if args.file is None:
        return _eval_splits(config, runtime)
    groups = Path(args.file)
    headlines = Path(args.headlines) if args.headlines else next(
        iter(sorted(groups.parent.glob("headlines*.jsonl"))), None
    )
    if not groups.is_file() or headlines is None or not headlines.is_file():
        print(f"error: cannot read {groups} and its headlines (--headlines)", file=sys.stderr)
        return EXIT_USAGE
    try:
        windows = story_files.load_groups(groups)
        rows = story_files.load_headlines(headlines)
    except story_files.StoryFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from monitor import story_eval  # the assigner, the matcher, SQLAlchemy: once the files are read

    results = story_eval.evaluate(
        windows, rows, config, all_headlines=args.all_headlines, one_pass=args.one_pass,
        dates_only=args.dates_only,
        shape=story_eval.FeedShape(order=args.feed_order, numbered=not args.ids_without_numbers),
    )
    print(story_eval.report(results))
    if args.intervals:
        from monitor.story_intervals import intervals

        found = intervals([(r.pred, r.gold) for r in results])
        print(f"\n95 % intervals over the readers' stories (2,000 draws): B³ precision {found.precision}, "
              f"B³ recall {found.recall}, alerts per true story {found.alerts}")
    if args.details:
        for r in results:
            print(f"\n## {r.days[0]}..{r.days[-1]}\n{story_eval.details(r, rows)}")
    if args.splits:
        print()
        return _eval_splits(config, runtime)
    return EXIT_OK


def _eval_splits(config: AppConfig, runtime: Runtime) -> int:
    from core.logs import for_terminal
    from monitor import story_eval

    db = open_existing_database(runtime.database_url)
    try:
        with db.session() as session:
            print(for_terminal(story_eval.splits_report(story_eval.evaluate_splits(session, config))))
            print()
            print(for_terminal(story_eval.merges_report(story_eval.evaluate_merges(session, config))))
            session.rollback()  # the replay reads; it never writes to the service's database
    finally:
        db.dispose()
    return EXIT_OK
