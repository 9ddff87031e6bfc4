"""SQLite: story numbers are never given again (AUTOINCREMENT on `stories`).

SQLite gives the next row the highest id + 1, so a merge that deleted the newest story gave
its number to the next story: an operator who typed the old number (`/merge N`, `monitor
stories --near N`) reached another event. The table is rebuilt with AUTOINCREMENT (rows, ids and
indexes kept; the references from items and alerts stay as they are, foreign keys being off
while the migrations run: storage/migrations/env.py). PostgreSQL's sequences never reuse an
id: nothing to do there.

The numbering goes on after the highest number the database still names, not only the highest
story left: a story merged away before the upgrade (its row deleted) named by its messages'
outbox keys (`new:CHANNEL:N`, kept as they were by the merges of before 2026-12-03) or by an
operator's feedback. Given again, its first alert found that message by key and edited it.

Revision ID: 0013_story_ids_never_reused
Revises: 0012_story_updated_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_story_ids_never_reused"
down_revision = "0012_story_updated_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _rebuild(autoincrement=True)
    if op.get_bind().dialect.name == "sqlite":
        _number_after(_highest_named())


def downgrade() -> None:
    _rebuild(autoincrement=False)


def _rebuild(*, autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("stories", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass


def _highest_named() -> int:
    """The highest story number in `stories`, the feedback and the outbox keys of messages tied
    to no story (`KIND:CHANNEL:N[:ITEM]`)."""
    bind = op.get_bind()
    highest = max(bind.scalar(sa.text("SELECT max(id) FROM stories")) or 0,
                  bind.scalar(sa.text("SELECT max(story_id) FROM feedback")) or 0)
    rows = bind.execute(sa.text("SELECT kind, channel, dedupe_key FROM alerts "
                                "WHERE story_id IS NULL AND kind IN ('new', 'edit', 'update')"))
    for kind, channel, key in rows:
        number = key.removeprefix(f"{kind}:{channel}:").split(":")[0]
        if number.isdigit():
            highest = max(highest, int(number))
    return highest


def _number_after(highest: int) -> None:
    """The next story is `highest` + 1 or later (SQLite's AUTOINCREMENT counter)."""
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE sqlite_sequence SET seq = :n WHERE name = 'stories' AND seq < :n"), {"n": highest})
    bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) SELECT 'stories', :n "
                         "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'stories')"), {"n": highest})
