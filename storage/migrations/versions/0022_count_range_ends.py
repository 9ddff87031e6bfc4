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
from functools import cache

import sqlalchemy as sa
from alembic import op

revision = "0022_count_range_ends"
down_revision = "0021_count_ranges"
branch_labels = None
depends_on = None

BATCH = 1000
_NOT_TO_LEAD = r"(?<!\bfrom )(?<!\bup )(?<!\bdown )(?<!\bby )(?<!\bof )(?<!\bde )(?<!\bdesde )"
# a text without any of these states no range: most items are not read further
_CUE = re.compile(r"\b(?:entre|between)\b|\d\s*[-\u2013\u2014]\s*\d|\d\s+(?:to|or|o|u)\s+\d", re.IGNORECASE)


def _number(n: int) -> str:
    """`n` as digits, its thousands separated or not ("1050", "1.050", "1,050", "1 050")."""
    digits = str(n)
    head, rest = len(digits) % 3 or 3, digits[len(digits) % 3 or 3:]
    groups = [digits[:head]] + [rest[k:k + 3] for k in range(0, len(rest), 3)]
    return r"(?<![\d.,])" + r"[.,\u00a0 ]?".join(groups) + r"(?![\d]|[.,]\d)"


@cache
def _range(low: int, high: int) -> re.Pattern[str]:
    a, b = _number(low), _number(high)
    shapes = (
        rf"\b(?:entre|between)\s+(?:\w+\s+)?{a}\s*(?:y|e|and|a|to|-)\s*{b}",  # "entre (unos) 56 y 76"
        rf"{a}\s*[-\u2013\u2014]\s*{b}",  # "700-800", "700–800"
        rf"{_NOT_TO_LEAD}{a}\s+to\s+{b}",  # "1,450 to 1,600" (not "rose from 800 to 953")
        rf"{a}\s+(?:or|o|u)\s+{b}",  # "80 or 90"
    )
    return re.compile("|".join(f"(?:{shape})" for shape in shapes), re.IGNORECASE)


def _stated_as_range(text: str, low: int, high: int) -> bool:
    return _CUE.search(text) is not None and _range(low, high).search(text) is not None


def upgrade() -> None:
    bind = op.get_bind()
    pairs = bind.execute(sa.text(
        "SELECT low.id, low.number, high.number, items.title, items.summary FROM counts low "
        "JOIN counts high ON high.item_id = low.item_id AND high.event = low.event "
        "AND high.number > low.number "
        "JOIN items ON items.id = low.item_id "
        "WHERE low.upto IS NULL ORDER BY low.id, high.number"
    )).all()
    ends: dict[int, int] = {}
    for count_id, low, high, title, summary in pairs:
        if count_id not in ends and _stated_as_range(f"{title or ''}\n{summary or ''}", low, high):
            ends[count_id] = high  # the nearest larger figure stated as its range's end
    changed = [{"id": count_id, "upto": high} for count_id, high in ends.items()]
    for start in range(0, len(changed), BATCH):
        bind.execute(sa.text("UPDATE counts SET upto = :upto WHERE id = :id"), changed[start:start + BATCH])


def downgrade() -> None:
    pass  # 0021's downgrade drops the column; before it, a found range end is harmless
