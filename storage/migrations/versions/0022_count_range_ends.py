"""counts.upto for the ranges stored before 0021: a range stated in an item's title or summary
("entre 56 y 76", "between 40 and 50", "700-800", "1,450 to 1,600", "80 or 90") whose two
ends are counts of the same item and event gets its lower end's `upto`, as the pipeline
writes it since 0021.

0021 added the column empty, so a range stored by an older release stayed two figures after
the upgrade: "La PUD y Foro Penal confirman entre 56 y 76 excarcelaciones" kept the pinned
tally at "verificados por ONG: 76 (Foro Penal)" and flagged Foro Penal's own 72 of the next day
as "En disputa", the fault 0021 fixed for new items. Only ranges written in digits are found
(not "tres o cuatro"); the shapes are copied here as core's count reader had them, so that a
later change there does not change what this migration did. An older release still running
beside the new one (a rolling upgrade) stores its ranges without `upto` until it is replaced.

Revision ID: 0022_count_range_ends
Revises: 0021_count_ranges
"""

from __future__ import annotations

import re
from functools import lru_cache

import sqlalchemy as sa
from alembic import op

revision = "0022_count_range_ends"
down_revision = "0021_count_ranges"
branch_labels = None
depends_on = None

BATCH = 1000
FEW = 6  # counts of an item: up to 15 pairs
_NOT_TO_LEAD = r"(?<!\bfrom )(?<!\bup )(?<!\bdown )(?<!\bby )(?<!\bof )(?<!\bde )(?<!\bdesde )"
# a text without any of these states no range: most items are not read further
_CUE = re.compile(r"\b(?:entre|between)\b|\d\s*[-\u2013\u2014]\s*\d|\d\s+(?:to|or|o|u)\s+\d", re.IGNORECASE)


def _number(n: int) -> str:
    """`n` as digits, its thousands separated or not ("1050", "1.050", "1,050", "1 050")."""
    digits = str(n)
    head, rest = len(digits) % 3 or 3, digits[len(digits) % 3 or 3:]
    groups = [digits[:head]] + [rest[k:k + 3] for k in range(0, len(rest), 3)]
    return r"(?<![\d.,])" + r"[.,\u00a0 ]?".join(groups) + r"(?![\d]|[.,]\d)"


@lru_cache(maxsize=4096)
def _written(n: int) -> re.Pattern[str]:
    """Every place `n` is written, overlapping ones too (a lookahead matches no text)."""
    return re.compile(f"(?=({_number(n)}))")


@lru_cache(maxsize=4096)
def _range(low: int, high: int) -> re.Pattern[str]:
    a, b = _number(low), _number(high)
    shapes = (
        rf"\b(?:entre|between)\s+(?:\w+\s+)?{a}\s*(?:y|e|and|a|to|-)\s*{b}",  # "entre (unos) 56 y 76"
        rf"{a}\s*[-\u2013\u2014]\s*{b}",  # "700-800", "700–800"
        rf"{_NOT_TO_LEAD}{a}\s+to\s+{b}",  # "1,450 to 1,600" (not "rose from 800 to 953")
        rf"{a}\s+(?:or|o|u)\s+{b}",  # "80 or 90"
    )
    return re.compile("|".join(f"(?:{shape})" for shape in shapes), re.IGNORECASE)


_DIGIT = re.compile(r"\d")


def _followed_by(text: str, numbers: set[int]) -> dict[int, set[int]]:
    """number -> the numbers written right after it, with no digit between ("56 y 76": 56 -> {76}).
    Every range shape is one end, a few letters or a dash, the other: a pair not in here is
    none, and is not searched for (before, each of an item's pairs of counts was: an item with
    120 counts of one event and a 10,000-character summary took 28 s, and all such pairs were
    read with their text at once)."""
    starts: dict[int, set[int]] = {}
    ends: dict[int, list[int]] = {}
    for n in numbers:
        for m in _written(n).finditer(text):
            starts.setdefault(m.start(1), set()).add(n)
            ends.setdefault(n, []).append(m.end(1))
    out: dict[int, set[int]] = {}
    for n, positions in ends.items():
        for end in positions:
            digit = _DIGIT.search(text, end)
            if digit is not None:
                out.setdefault(n, set()).update(starts.get(digit.start(), ()))
    return out


def _stated_as_range(text: str, low: int, high: int) -> bool:
    return _CUE.search(text) is not None and _range(low, high).search(text) is not None


def _item_ends(text: str, counts: list[tuple[int, str, int, bool]]) -> dict[int, int]:
    """count id -> its range's upper end, for the item's counts (id, event, number, without upto)
    whose range `text` states: the nearest larger figure of the same event so stated."""
    if _CUE.search(text) is None:
        return {}
    # a few counts (most items): their pairs are searched for at once, which costs less
    after = _followed_by(text, {number for _, _, number, _ in counts}) if len(counts) > FEW else None
    ends: dict[int, int] = {}
    for count_id, event, low, open_end in sorted(counts):
        if not open_end:
            continue
        highs = sorted({n for _, e, n, _ in counts if e == event and n > low
                        and (after is None or n in after.get(low, ()))})
        for high in highs:
            if _stated_as_range(text, low, high):
                ends[count_id] = high
                break
    return ends


def upgrade() -> None:
    bind = op.get_bind()
    # the items with a count without upto and a larger one of the same event: one row each
    item_ids = sorted({row[0] for row in bind.execute(sa.text(
        "SELECT item_id FROM counts GROUP BY item_id, event "
        "HAVING COUNT(DISTINCT number) > 1 AND COUNT(*) > COUNT(upto)"
    ))})
    for start in range(0, len(item_ids), BATCH):
        batch = item_ids[start:start + BATCH]
        counts: dict[int, list[tuple[int, str, int, bool]]] = {}
        for count_id, item_id, event, number, upto in bind.execute(sa.text(
                "SELECT id, item_id, event, number, upto FROM counts WHERE item_id IN :ids"
        ).bindparams(sa.bindparam("ids", expanding=True)), {"ids": batch}):
            counts.setdefault(item_id, []).append((count_id, event, number, upto is None))
        changed: list[dict[str, int]] = []
        for item_id, title, summary in bind.execute(sa.text(
                "SELECT id, title, summary FROM items WHERE id IN :ids"
        ).bindparams(sa.bindparam("ids", expanding=True)), {"ids": batch}):
            ends = _item_ends(f"{title or ''}\n{summary or ''}", counts.get(item_id, []))
            changed += [{"id": count_id, "upto": high} for count_id, high in ends.items()]
        if changed:
            bind.execute(sa.text("UPDATE counts SET upto = :upto WHERE id = :id"), changed)


def downgrade() -> None:
    pass  # 0021's downgrade drops the column; before it, a found range end is harmless
