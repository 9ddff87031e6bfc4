"""What a poll lost (the parse's `lost`: a page cut at MAX_DEPTH or MAX_TAGS, items over
MAX_ITEM_NODES) logged as a warning once while the feed goes on losing it, not at every poll."""

from __future__ import annotations

import logging
import re
from weakref import WeakKeyDictionary

from storage.db import Database

log = logging.getLogger("monitor.ingest")

_FIGURES = re.compile(r"\d[\d,.]*")
# per database (the service's; each test's own): feed name -> the losses its polls last logged
_LOGGED: WeakKeyDictionary[Database, dict[str, frozenset[str]]] = WeakKeyDictionary()


def log_losses(db: Database, feed: str, lost: list[str]) -> None:
    """Warn of what a poll of `feed` lost, naming the feed, once: the same loss at its next
    polls, where the page was cut moving with the page, is not said again until a poll loses
    nothing (the parse problem stored on the feed says it at each). Said at every poll, a site
    that stayed so wrote the warning every few minutes for as long as it did."""
    logged = _LOGGED.setdefault(db, {})
    kinds = {_FIGURES.sub("N", text): text for text in lost}
    before = logged.get(feed, frozenset())
    for kind, text in kinds.items():
        if kind not in before:
            log.warning("%s: %s", feed, text)
    if kinds:
        logged[feed] = frozenset(kinds)
    else:
        logged.pop(feed, None)
