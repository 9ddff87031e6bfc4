"""An index of the alerts' Telegram message ids. An operator's reply to a channel's message, or
a link to one, in the admin chat (/wrong, /split, a message forwarded) is looked up by its
message id: every alert of the channels was read for it (PostgreSQL: the whole outbox, a year
of 838,000 rows and their payloads, bench/year_measure.py), on the admin chat's turn.

Revision ID: 0024_alert_message_index
Revises: 0023_history_indexes
"""

from __future__ import annotations

from alembic import op

revision = "0024_alert_message_index"
down_revision = "0023_history_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_message", "alerts", ["telegram_message_id"])


def downgrade() -> None:
    op.drop_index("ix_alerts_message", table_name="alerts")
