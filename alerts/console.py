"""Console delivery: alerts as plain readable text on the service's standard output."""

from __future__ import annotations

from typing import TextIO

KIND_LABEL = {"new": "", "edit": " (edited)", "update": " (update)", "digest": " (digest)", "test": " (test)"}


def format_console(channel: str, kind: str, text: str, *, alert_id: int, dry_run: bool = False) -> str:
    tag = "[dry-run] " if dry_run else ""
    head = f"── {tag}{channel}{KIND_LABEL.get(kind, f' ({kind})')} · #{alert_id} "
    return f"{head}{'─' * max(4, 60 - len(head))}\n{text.strip()}\n"


def print_alert(out: TextIO, channel: str, kind: str, text: str, *, alert_id: int, dry_run: bool = False) -> None:
    out.write(format_console(channel, kind, text, alert_id=alert_id, dry_run=dry_run) + "\n")
    out.flush()
