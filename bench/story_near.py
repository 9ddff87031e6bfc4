"""How often `/merge` alone offers an operator the right story, on the labelled windows.

    python bench/story_near.py [--listed N]

Every headline of each window's days is served as feeds of dates only (as
`bench/story_windows.py --all-headlines --dates-only`). A story is split off when some of
its items' readers' story is in another of the service's stories; for each such story,
`alerts.stories.assign.nearest_stories` (what `/merge` without STORY and `monitor stories
--near` list) ranks the other stories of its hours, and the rank of the first one holding
part of the same readers' story is counted. Counts only: no headline is printed, so the
measure-only windows may be run too.
Needs ../shared/real.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from story_windows import SECOND_READING, TUNED, add_sources, labelled_windows, sources_missing  # noqa: E402

from alerts.stories.assign import nearest_stories  # noqa: E402
from alerts.stories.merge import NEAREST  # noqa: E402
from core.config import AppConfig, load_config  # noqa: E402
from monitor.story_eval import assign_window, load_headlines  # noqa: E402
from storage.models import Story  # noqa: E402

DEEP = 10  # how far down the list a rank is looked for


def window_ranks(rows: list[dict], gold: dict[str, object], config: AppConfig) -> Counter[str]:
    """Split-off stories of one window, counted by the rank of the right story (or "not listed")."""
    listed: dict[int, list[int]] = {}

    def ask(session: Session) -> None:
        now = datetime.now(UTC)
        for sid in session.scalars(select(Story.id).order_by(Story.id)):
            near = nearest_stories(session, sid, window=config.settings.story_window, now=now, n=DEEP)
            listed[sid] = [other.id for other, _ in near]

    pred = assign_window(rows, config, all_headlines=True, dates_only=True, inspect=ask)
    homes: dict[object, set[int]] = {}
    for guid, story in pred.items():
        if guid in gold:
            homes.setdefault(gold[guid], set()).add(story)
    ranks: Counter[str] = Counter()
    for stories in homes.values():
        for sid in stories if len(stories) > 1 else ():
            found = [listed.get(sid, []).index(o) + 1 for o in stories - {sid} if o in listed.get(sid, [])]
            ranks[str(min(found)) if found else "not listed"] += 1
    return ranks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_sources(parser)
    parser.add_argument("--listed", type=int, default=NEAREST, help=f"how many stories /merge lists ({NEAREST})")
    args = parser.parse_args(argv)
    if sources_missing(args):
        return 0
    headlines = load_headlines(args.headlines)
    config = load_config(args.config)
    pools: dict[str, Counter[str]] = {"tuned": Counter(), "measure only": Counter()}
    for label, window in labelled_windows(args.shared_groups):
        if label in SECOND_READING:
            continue
        gold = {guid: g for guid, g in window.gold().items() if guid in headlines}
        days = set(window.days)
        rows = [h for h in headlines.values() if str(h.get("date", ""))[:10] in days]
        pools["tuned" if label in TUNED else "measure only"].update(window_ranks(rows, gold, config))
    print(f"| windows | stories split off | right story listed 1st | in the {args.listed} listed | lower or not listed |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, ranks in pools.items():
        total = sum(ranks.values())
        first = ranks["1"]
        top = sum(n for rank, n in ranks.items() if rank.isdigit() and int(rank) <= args.listed)

        def share(n: int, total: int = total) -> str:
            return f"{n} ({n / total:.0%})" if total else "0"

        print(f"| {name} | {total} | {share(first)} | {share(top)} | {share(total - top)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
