"""What one poll of one feed did: the `PollResult` the scheduler, `poll-once` and the
service read."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal

from core.durations import format_duration
from core.urls import redact_secrets

Status = Literal["new", "unchanged", "not_modified", "error"]


@dataclass
class PollResult:
    feed: str
    status: Status
    new_item_ids: list[int] = field(default_factory=list)  # stored, not backfill: to classify
    backfilled: int = 0
    stored: int = 0
    error: str | None = None
    redirected_to: str | None = None  # a permanent redirect: the feed's new URL
    next_poll_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    duration: float = 0.0
    polled_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    http_status: int | None = None
    consecutive_failures: int = 0
    parse_problem: str | None = None
    articles: int = 0  # article pages fetched and extracted
    skipped: int = 0  # entries already stored (or duplicated within the document)
    refused: list[str] = field(default_factory=list)  # hosts the outbound policy refused
    held: int = 0  # new items over max_new_items_per_poll, left for a later poll
    database_refused: bool = False  # the database refused its writes: no failure of the feed
    items_read: int | None = None  # a page's items read by this poll (None: no page read)
    item_drop: bool = False  # those were a sharp drop from its usual polls' (item_counts.py)
    polls: int = 1  # polls this result tells of (poll-once polls a feed again for what it left)

    def then(self, later: PollResult) -> PollResult:
        """This poll and the next one of the same feed as one result: what both stored, the
        state the later one left (its status unless it stored nothing after this one did)."""
        status = self.status if later.status == "unchanged" and self.status == "new" else later.status
        return replace(
            later, status=status, new_item_ids=[*self.new_item_ids, *later.new_item_ids],
            backfilled=self.backfilled + later.backfilled, stored=self.stored + later.stored,
            duration=self.duration + later.duration, polled_at=self.polled_at,
            articles=self.articles + later.articles, skipped=self.skipped,
            refused=list(dict.fromkeys([*self.refused, *later.refused])), polls=self.polls + later.polls,
        )

    @property
    def ok(self) -> bool:
        return self.status != "error"

    def summary_line(self) -> str:
        """One line for the operator, e.g. `foro-penal: error: HTTP 500 (2 failures ...)`."""
        wait = format_duration(max(timedelta(0), self.next_poll_at - self.polled_at))
        if self.status == "error":
            n = self.consecutive_failures
            times = "" if self.database_refused else f"{n} failure{'s' if n != 1 else ''} in a row, "
            return f"{self.feed}: error: {self.error} ({times}next try in {wait}){self._stored_before()}"
        if self.status == "not_modified":
            line = f"{self.feed}: 304 not modified"
        elif self.status == "unchanged":
            line = f"{self.feed}: no new items"
        else:
            line = f"{self.feed}: {self._stored()}"
        extras = []
        if self.redirected_to:
            extras.append(f"moved permanently to {redact_secrets(self.redirected_to)}")
        if self.refused:
            extras.append(f"links refused: {', '.join(self.refused)}")
        if self.polls > 1:
            extras.append(f"stored over {self.polls} polls (max_new_items_per_poll)")
        if self.held:
            extras.append(f"{self.held} more new items left for a later poll (max_new_items_per_poll)")
        if self.parse_problem:
            extras.append(f"parse problem: {self.parse_problem[:120]}")
        return line + (f" ({'; '.join(extras)})" if extras else "")

    def _stored_before(self) -> str:
        """What the earlier fetches of a poll stored when its last fetch failed: stored and
        classified all the same, and the line showed only the error."""
        if self.polls < 2 or not (self.new_item_ids or self.backfilled):
            return ""
        earlier = "poll" if self.polls == 2 else f"{self.polls - 1} polls"
        return f"; before it, {self._stored()} by its first {earlier}"

    def _stored(self) -> str:
        told = f"{len(self.new_item_ids)} new"
        return told + (f", {self.backfilled} older stored without alerts" if self.backfilled else "")
