"""`monitor people`: list, add and remove watched people; `monitor people seed` writes the
package's seed list from labelled items (docs/MATCHING.md, "Watched people").

    monitor people                      # who is watched, where each name came from
    monitor people add "Nombre Apellido"
    monitor people remove "Nombre Apellido"
    monitor people seed --from FILE.jsonl [--until 2026-01-21] [--out PATH]
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.jsonlines import read_lines
from core.logs import for_terminal
from core.people import person_key
from monitor.cli_common import IsoDate, add_command, common_options, package_default, utf8_stdout

SEED_PATH = Path(__file__).resolve().parent / "match" / "data" / "people_seed.txt"
SEED_HEADER = (
    "# Watched people the labelled news teaches (`monitor people seed`, `make people-seed`).\n"
    "# One name per line, sorted; loaded into the database on start and used by\n"
    "# `monitor classify`. Regenerate it rather than editing it by hand.\n"
)
TITLE_WIDTH = 60

if TYPE_CHECKING:
    from monitor.match.people import NameLearner


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register `people` on the `monitor` subcommands (called from monitor.cli)."""
    p = add_command(
        sub, common, "people", cmd_people, "the watched people learned from the news",
        "List the watched people (name, origin, the item that taught it, date); "
        "add or remove one; or write the seed list from labelled items.",
    )
    p.add_argument("--all", action="store_true", help="also list removed names")
    acts = p.add_subparsers(dest="people_action", metavar="ACTION")
    nested = common_options(nested=True)
    a = acts.add_parser("add", parents=[nested], help="watch a name",
                        description="Watch NAME from now on.")
    a.add_argument("name", nargs="+", help="the person's name, e.g. \"Rocío San Miguel\"")
    r = acts.add_parser("remove", parents=[nested], help="stop watching a name (it is never learned again)",
                        description="Stop watching NAME; the news will not teach it again.")
    r.add_argument("name", nargs="+")
    s = acts.add_parser(
        "seed", parents=[nested], help="write the seed list from labelled items",
        description="Learn names from the labelled items whose gold topics include "
        "political_prisoners and that the rules match; write them sorted, one per line.",
    )
    s.add_argument("--from", dest="source", required=True, metavar="FILE",
                   help="labelled JSONL (id, title, summary, topics, date)")
    s.add_argument("--since", metavar="YYYY-MM-DD", action=IsoDate, help="only items dated on or after")
    s.add_argument("--until", metavar="YYYY-MM-DD", action=IsoDate, help="only items dated on or before")
    s.add_argument("--out", metavar="PATH",
                   help="where to write ('-' for stdout; default, in the project's checkout only: "
                   "the package's people_seed.txt)")


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in a container: still say where it came from
        return "cli"


def cmd_people(args: argparse.Namespace) -> int:
    from core.people import add_person, remove_person, seed_people
    from monitor.cli import EXIT_OK, EXIT_USAGE, load, open_db
    from monitor.cli_common import open_existing_database
    from monitor.match.people import load_seed
    from storage.people import list_people

    action = getattr(args, "people_action", None)
    if action == "seed":
        return cmd_seed(args)
    _, runtime = load(args)
    # the list only shows: run from another directory than the service's, it created an empty
    # data/monitor.db there, as status, stories and tally never do
    db = open_db(runtime) if action else open_existing_database(runtime.database_url)
    try:
        with db.session() as session:
            seed_people(session, load_seed())
            if action == "add":
                name = " ".join(args.name)
                try:
                    shown, new = add_person(session, name, added_by=_operator())
                except ValueError as exc:
                    print(f"error: {exc}", file=sys.stderr)
                    return EXIT_USAGE
                print(f"watching {shown}" if new else f"{shown} is already watched")
                return EXIT_OK
            if action == "remove":
                name = " ".join(args.name)
                shown = remove_person(session, name, removed_by=_operator())
                if shown is None:
                    print(f"error: nobody named {name!r} is watched (see `monitor people`)",
                          file=sys.stderr)
                    return EXIT_USAGE
                print(f"stopped watching {shown}; it will not be learned again")
                return EXIT_OK
            rows = list_people(session, include_removed=args.all)
    finally:
        db.dispose()
    print(render_people(rows))
    return EXIT_OK


def render_people(rows: Iterable[Any]) -> str:
    """A table: name, origin, taught by (the item's title, or who added it), date."""
    rows = list(rows)
    if not rows:
        return "No watched people."
    table = [("name", "origin", "taught by", "date")]
    for p in rows:
        if p.origin == "learned":
            taught = (p.source_title or p.source_url or "?").replace("\n", " ")
            if len(taught) > TITLE_WIDTH:
                taught = taught[: TITLE_WIDTH - 1] + "…"
        elif p.origin == "operator":
            taught = f"added by {p.added_by or '?'}"
        else:
            taught = "seed list"
        origin = p.origin + (" (removed)" if p.removed else "")
        # a name or title with an escape sequence or a direction override, escaped (core.logs)
        table.append((for_terminal(p.name), origin, for_terminal(taught), p.created_at.strftime("%Y-%m-%d")))
    widths = [max(len(r[i]) for r in table) for i in range(3)]
    lines = [
        "  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3] for r in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 10)
    lines.append(f"{len(rows)} names")
    return "\n".join(lines)


def seed_names(items: Iterable[dict], classifier: Any, learner: NameLearner) -> list[str]:
    """Names taught by labelled political_prisoners items the rules match, sorted by key."""
    from monitor.match.people import learn_names

    out: dict[str, str] = {}
    for item in items:
        if "political_prisoners" not in (item.get("topics") or []):
            continue
        title, summary = item.get("title") or "", item.get("summary") or ""
        result = classifier.classify(title, summary, item.get("text") or "", item.get("lang"))
        for name in learn_names(title, summary, result, learner):
            out.setdefault(person_key(name), name)
    return [out[k] for k in sorted(out)]


def _dated(item: dict, since: str | None, until: str | None) -> bool:
    from monitor.match.evaluate import select

    return bool(select([item], since, until, skip_unsure=False))  # as dates, not strings


def cmd_seed(args: argparse.Namespace) -> int:
    from monitor.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, load
    from monitor.match import build_classifier
    from monitor.match.people import NameLearner

    if args.out is None:
        args.out = package_default(SEED_PATH, "--out", "write the list elsewhere ('-' for "
                                   "stdout), and watch names with `monitor people add`")
        if args.out is None:
            return EXIT_USAGE
    config, _ = load(args)
    source = Path(args.source)
    try:
        with source.open("rb") as fh:
            lines = list(read_lines(fh))
    except OSError as exc:
        print(f"error: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    items = []
    for line in lines:
        if line.problem:  # not UTF-8, not JSON, nested too deeply: the file is not what it says
            print(f"error: {source}: line {line.number}: {line.problem}", file=sys.stderr)
            return EXIT_USAGE
        if isinstance(line.value, dict) and _dated(line.value, args.since, args.until):
            items.append(line.value)
    classifier = build_classifier(config.topics, config.entities)  # rules alone
    names = seed_names(items, classifier, NameLearner(config.entities))
    body = SEED_HEADER + "".join(f"{name}\n" for name in names)
    if args.out == "-":
        utf8_stdout()  # a seed file is read as UTF-8
        sys.stdout.write(body)
    else:
        try:
            Path(args.out).write_text(body, encoding="utf-8")
        except OSError as exc:  # a directory, a missing folder, a full disk: was a traceback
            print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_FAILURE
        print(f"{len(names)} names from {len(items)} items -> {args.out}", file=sys.stderr)
    return EXIT_OK
