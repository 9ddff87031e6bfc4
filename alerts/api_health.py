"""Whether the Bot API as a whole is failing, seen from the delivery worker's sends.

Each alert backs off on its own (2 s, 4 s, … up to `max_backoff`), which is right for
a failure of one chat and wrong for an outage of the API: the alerts the outage
backed off would then wait minutes after the API came back, and each channel's
later alerts behind them. An *outage* here is a run of transient failures (network
errors, timeouts, 5xx) with no successful send between them, long enough
(`OUTAGE_FAILURES`) and seen in at least `OUTAGE_CHANNELS` channels, so that one
chat failing while the others send never counts as one (when a single chat has
anything to send, its failures alone are an outage: there is no other chat to tell the
two apart; the delivery worker says how many chats have, at each round). The first successful
send after an outage is its end: the worker then retries the alerts it held.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

# How a send's failure for a token Telegram refuses (401/404) begins, and what to do about it:
# no outage of Telegram's, though it counts as one, and the status lines must not say it is.
TOKEN_REFUSED = "Telegram refused the bot token"
TOKEN_ADVICE = ("set TELEGRAM_BOT_TOKEN to the token @BotFather gave this bot, then restart; "
                "the alerts stay queued")
OUTAGE_FAILURES = 3
OUTAGE_CHANNELS = 2


class ApiHealth:
    def __init__(self, failures: int = OUTAGE_FAILURES, channels: int = OUTAGE_CHANNELS) -> None:
        self.failures_needed = failures
        self.channels_needed = self._most = channels
        self._failures = 0
        self._channels: set[str] = set()
        self._since: datetime | None = None
        self._reason: str | None = None

    def configure(self, *, chats: int) -> None:
        """`chats` Telegram chats have something to send: no more channels than that can be asked for."""
        self.channels_needed = max(1, min(self._most, chats))

    @property
    def in_outage(self) -> bool:
        return self._failures >= self.failures_needed and len(self._channels) >= self.channels_needed

    def failed(self, channel: str, at: datetime | None = None, reason: str | None = None) -> None:
        """A send to `channel` failed in a way worth retrying (network, timeout, 5xx, a token
        Telegram refuses); `reason`, the failure's one line, is shown as `last_error`."""
        if self._failures == 0:
            self._since = at
        self._failures += 1
        self._channels.add(channel)
        self._reason = reason

    def answered(self) -> bool:
        """A send succeeded; True when it ends an outage."""
        ended = self.in_outage
        self._failures = 0
        self._channels.clear()
        self._since = None
        self._reason = None
        return ended

    def status(self) -> dict[str, Any]:
        """What /healthz says of the Bot API, as this process's sends found it."""
        status: dict[str, Any] = {
            "outage": self.in_outage, "failures_in_a_row": self._failures,
            "failing_since": self._since.isoformat() if self._since else None,
        }
        if self._reason is not None:  # a refused token is no outage of Telegram's: say which
            status["last_error"] = self._reason
        return status
