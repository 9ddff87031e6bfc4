"""PostgreSQL: the story clock, a sequence that replicas placing items in stories draw from in
turn (under an advisory lock), so that each sees whether another placed items since its own
last turn (alerts/stories/assign.py `_take_turn`). SQLite has one process: nothing to do.

Revision ID: 0014_story_clock
Revises: 0013_story_ids_never_reused
"""

from __future__ import annotations

from alembic import op

revision = "0014_story_clock"
down_revision = "0013_story_ids_never_reused"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE IF NOT EXISTS story_clock")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS story_clock")
