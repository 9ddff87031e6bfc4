"""Userinfo (`user:password@`) never leaves the process: not in logs, errors or status."""

from __future__ import annotations

import re

# The authority's userinfo ends at its last '@' (a password may contain '@');
# the authority itself ends at the first '/', '?', '#' or white space.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s]*@")


def redact_userinfo(text: str) -> str:
    """`text` with the userinfo of every URL in it replaced by `***`."""
    return _USERINFO.sub(r"\1***@", text)
