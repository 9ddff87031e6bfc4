"""Stored canonical URLs rewritten with their path as browsers send it (core/urls.py, from
2026-12-04): raw characters percent-encoded as UTF-8, escapes in capitals, an escaped
unreserved character as itself.

Items stored before kept the path as their feed wrote it (`/excarcelaci%c3%b3n`, as WordPress
writes it). Left so, the same link read after the upgrade had another canonical URL: the
outlet's other feed, or the same feed once the title changed, stored the article again. The
rule is copied here as it was written, so that a later change to core/urls.py does not change
what this migration did.

Revision ID: 0018_canonical_paths
Revises: 0017_item_date_only
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

import sqlalchemy as sa
from alembic import op

revision = "0018_canonical_paths"
down_revision = "0017_item_date_only"
branch_labels = None
depends_on = None

_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
BATCH = 1000
# items read at a time, by id: read all at once, a year's 1.27 million URLs took `monitor run`
# to 553 MB while it upgraded from 0017, past the unit's MemoryMax=512M
PAGE = 10_000
_PAGE = sa.text("SELECT id, canonical_url FROM items WHERE canonical_url IS NOT NULL AND id > :after "
                "ORDER BY id LIMIT :n")


def _unescaped(m: re.Match[str]) -> str:
    ch = chr(int(m.group(1), 16))
    return ch if ch in _UNRESERVED else "%" + m.group(1).upper()


def _normal(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = _ESCAPE.sub(_unescaped, quote(parts.path, safe=_PATH_SAFE))
    return urlunsplit(parts._replace(path=path)) if path != parts.path else url


def upgrade() -> None:
    bind = op.get_bind()
    after = 0
    while rows := bind.execute(_PAGE, {"after": after, "n": PAGE}).all():
        changed = [{"id": i, "url": new} for i, u in rows if (new := _normal(u)) != u]
        for start in range(0, len(changed), BATCH):
            bind.execute(sa.text("UPDATE items SET canonical_url = :url WHERE id = :id"), changed[start:start + BATCH])
        after = rows[-1][0]


def downgrade() -> None:
    pass  # the old form is the feed's own, not kept: the rewritten URLs stay
