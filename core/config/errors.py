"""A config's problems, each with where it is: `feeds[3].interval (line 42): message`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigIssue:
    location: str
    line: int | None
    message: str
    file: str | None = None  # a rule pack's file; None: the config itself

    def __str__(self) -> str:
        where = f"{self.location} (line {self.line})" if self.line else self.location
        if self.file:
            where = f"{self.file}: {where}"
        return f"{where}: {self.message}" if where else self.message


class ConfigError(Exception):
    """An invalid config; `issues` holds every problem found."""

    def __init__(self, path: str, issues: list[ConfigIssue]) -> None:
        self.path = path
        self.issues = issues
        super().__init__(self.render())

    def render(self) -> str:
        # a path holding a line break or another control character is shown quoted: its own
        # line ended the error's first line in the middle of the name
        path = self.path if self.path.isprintable() else repr(self.path)
        if len(self.issues) == 1 and not self.issues[0].location:  # about the file itself
            return f"{path}: {self.issues[0].message}"
        head = f"{path}: {len(self.issues)} error{'s' if len(self.issues) != 1 else ''}"
        return "\n".join([head, *(f"  {issue}" for issue in self.issues)])


Loc = tuple[str | int, ...]


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
