"""Two runs of bench/replay_channels.py compared as a reader would: per channel, what was sent,
edited, replied and pinned in one and not the other.

    python bench/replay_compare.py A B      (A, B: the --out directories)

Messages are compared by their replayed time and text (message ids differ when the order does),
replies by their text and their parent's first text, pins by the pinned message's last text.
Also counted: texts sent twice in a channel and replies to a later message. Exit 0 when the
channels match, 1 when they differ.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def read(out: Path) -> dict[str, dict[str, Any]]:
    log = [json.loads(line) for line in (out / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    channels: dict[str, dict[str, Any]] = {}
    for chat in sorted({x["chat"] for x in log}):
        events = [x for x in log if x["chat"] == chat]
        sent = [x for x in events if x["kind"] == "send"]
        first = {x["id"]: x["text"] for x in sent}
        last = dict(first) | {x["id"]: x["text"] for x in events if x["kind"] == "edit"}
        channels[chat] = {
            "events": len(events),
            "sends": Counter((x["at"], x["text"]) for x in sent),
            "replies": Counter((x["text"], first.get(x["reply_to"])) for x in sent if x["reply_to"]),
            "edits": Counter((x["at"], first.get(x["id"]), x["text"]) for x in events if x["kind"] == "edit"),
            "pins": Counter((x["at"], last.get(x["id"])) for x in events if x["kind"] == "pin"),
            "twice": sum(n - 1 for n in Counter(first.values()).values() if n > 1),
            "early replies": sum(1 for x in sent if x["reply_to"] and x["reply_to"] > x["id"]),
        }
    return channels


def short(key: Any) -> str:
    return " | ".join(str(k) for k in (key if isinstance(key, tuple) else (key,)))[:200].replace("\n", " / ")


def main(argv: list[str] | None = None) -> int:
    a_dir, b_dir = map(Path, (argv if argv is not None else sys.argv[1:]))
    a, b = read(a_dir), read(b_dir)
    same = True
    for chat in sorted(set(a) | set(b)):
        x, y = a.get(chat), b.get(chat)
        if x is None or y is None:
            print(f"{chat}: only in {'B' if x is None else 'A'}")
            same = False
            continue
        print(f"{chat}: events {x['events']} / {y['events']}, sent twice {x['twice']} / {y['twice']}, "
              f"replies before their parent {x['early replies']} / {y['early replies']}")
        same &= x["twice"] == y["twice"] == 0 and x["early replies"] == y["early replies"] == 0
        for kind in ("sends", "replies", "edits", "pins"):
            only_a, only_b = x[kind] - y[kind], y[kind] - x[kind]
            print(f"  {kind}: {sum(x[kind].values())} / {sum(y[kind].values())}"
                  + (f", {sum(only_a.values())} only in A, {sum(only_b.values())} only in B" if only_a or only_b else ""))
            for side, only in (("A", only_a), ("B", only_b)):
                for key in only:
                    print(f"    {side}: {short(key)}")
            same &= not (only_a or only_b)
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
