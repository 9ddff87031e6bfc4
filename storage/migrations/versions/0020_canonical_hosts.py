"""Stored canonical URLs rewritten with an internationalized host in IDNA (core/urls.py, from
2026-12-04): "https://ñandú.example/a" is stored as "https://xn--and-6ma2c.example/a".

Before, the canonical URL kept the host as the feed wrote it, so an article one feed linked
in Unicode and another in punycode was stored twice and its alert edited to name the other
feed as a second source. Left so, a stored Unicode key would not match the same link read
after the upgrade. The rule is copied here as it was written, so that a later change to
core/urls.py does not change what this migration did.

Revision ID: 0020_canonical_hosts
Revises: 0019_alert_sent_at_index
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import idna
import sqlalchemy as sa
from alembic import op

revision = "0020_canonical_hosts"
down_revision = "0019_alert_sent_at_index"
branch_labels = None
depends_on = None

BATCH = 1000
# items read at a time, by id: read all at once, a year's 1.27 million URLs took `monitor run`
# to 553 MB while it upgraded from 0017, past the unit's MemoryMax=512M
PAGE = 10_000
_PAGE = sa.text("SELECT id, canonical_url FROM items WHERE canonical_url IS NOT NULL AND id > :after "
                "ORDER BY id LIMIT :n")


def _ascii(url: str) -> str:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return url
    if host.isascii():
        return url
    try:
        host = idna.encode(host.lower()).decode("ascii")
    except idna.IDNAError:
        return url
    return urlunsplit(parts._replace(netloc=f"{host}:{port}" if port else host))


def upgrade() -> None:
    bind = op.get_bind()
    after = 0
    while rows := bind.execute(_PAGE, {"after": after, "n": PAGE}).all():
        changed = [{"id": i, "url": new} for i, u in rows if not u.isascii() and (new := _ascii(u)) != u]
        for start in range(0, len(changed), BATCH):
            bind.execute(sa.text("UPDATE items SET canonical_url = :url WHERE id = :id"), changed[start:start + BATCH])
        after = rows[-1][0]


def downgrade() -> None:
    pass  # the Unicode form is the feed's own, not kept: the rewritten URLs stay
