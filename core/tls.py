"""One TLS context for every HTTP client of the process.

Each httpx client made its own context and read the CA bundle again (about 40 ms each, eight
at every start: the fetcher's transport twice, each Telegram sender's two clients); a context
is safe to share between connections, threads and event loops.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def client_context() -> ssl.SSLContext:
    """Verifying, with certifi's CA bundle; SSL_CERT_FILE and SSL_CERT_DIR are not read (the
    clients do not trust the environment: core.proxy chooses their proxies)."""
    return httpx.create_ssl_context(trust_env=False)
