"""An index of `alerts.story_id` alone. A story's alerts were read through `(channel,
story_id)` only when the channel was named; a merge (an operator's `/merge`, or the matcher's
when an item tells two stories), a split and a `/wrong`'s withdrawal read them by story alone:
each such read scanned the outbox (a year: 840,000 rows of 3 KB), 2.1 s a merge and 1.1 s a
split on bench/year_db.py's year, under the classification lock the pipeline waits for.

Revision ID: 0028_alert_story_index
Revises: 0027_item_no_zero_dates
"""

from __future__ import annotations

from alembic import op

revision = "0028_alert_story_index"
down_revision = "0027_item_no_zero_dates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_story", "alerts", ["story_id"])


def downgrade() -> None:
    op.drop_index("ix_alerts_story", table_name="alerts")
