"""The one-line progress bar of `monitor poll-once`."""

from __future__ import annotations

from typing import TextIO


class Progress:
    """A one-line progress bar on a terminal; silent when stderr is not a TTY."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done_count, self.stream = total, 0, stream
        self.enabled = stream.isatty() and total > 0

    def advance(self, label: str) -> None:
        self.done_count += 1
        if self.enabled:
            width = 30
            filled = width * self.done_count // self.total
            bar = "█" * filled + "░" * (width - filled)
            self.stream.write(f"\r{bar} {self.done_count}/{self.total} {label[:30]:<30}")
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 80 + "\r")
            self.stream.flush()
