"""SQLite: story numbers are never given again (AUTOINCREMENT on `stories`).

SQLite gives the next row the highest id + 1, so a merge that deleted the newest story gave
its number to the next story: an operator who typed the old number (`/merge N`, `monitor
stories --near N`) reached another event. The table is rebuilt with AUTOINCREMENT (rows, ids and
indexes kept; the references from items and alerts stay as they are, foreign keys being off
while the migrations run: storage/migrations/env.py). PostgreSQL's sequences never reuse an
id: nothing to do there.

Revision ID: 0013_story_ids_never_reused
Revises: 0012_story_updated_index
"""

from __future__ import annotations

from alembic import op

revision = "0013_story_ids_never_reused"
down_revision = "0012_story_updated_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)


def _rebuild(*, autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("stories", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass
