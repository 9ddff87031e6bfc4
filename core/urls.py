"""URLs as the product compares them: the canonical form dedup and feedback look items up
by, and the origin (scheme, host, port) the outbound address policy trusts."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "__hs", "_hs")
_TRACKING = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "igshid", "igsh", "mc_cid", "mc_eid", "mkt_tok", "_ga", "_gl", "ref_src", "ref_url",
        "spm", "cmpid", "ocid", "smid", "at_medium", "at_campaign", "rss", "xtor",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}

# The userinfo (`user:password@`) of a URL written anywhere in a text: it ends at the
# authority's last '@' (a password may hold one); the authority ends at the first '/', '?',
# '#', white space, quote or angle bracket. The scheme is read at most 32 characters back from
# its "://": unbounded, every letter of a run like "a.a.a.…" began a scan to the run's end (32 KB
# in one log line took 1.7 s of the redacting filter). Where the match starts inside a longer
# run the text put back is the same, and a scheme glued to a word ("1https://") is caught too.
_USERINFO = re.compile(r"(?i)([a-z][a-z0-9+.\-]{0,31}://)[^/?#\s'\"<>]*@")
# The same, but not a userinfo masked already (`***@`, `user:***@`, as redact_url and
# hide_userinfo write it) whose '@' is the authority's last: the log filter's, which rewrote a
# start-up line's `monitor:***@` as `<redacted>@` (docs/OPERATIONS.md quotes `user:***@host`).
_USERINFO_UNMASKED = re.compile(
    r"(?i)([a-z][a-z0-9+.\-]{0,31}://)(?![^/?#\s'\"<>:@]*:?\*\*\*@[^/?#\s'\"<>@]*(?:[/?#\s'\"<>]|$))"
    r"[^/?#\s'\"<>]*@")


def redact_userinfo(text: str, mask: str = "***@", *, keep_masked: bool = False) -> str:
    """`text` with the userinfo of every URL in it replaced by `mask` (logs, errors, the
    status page: the password never leaves the process); with `keep_masked`, a userinfo
    masked already (`***@`, `user:***@`) is left as it is."""
    return (_USERINFO_UNMASKED if keep_masked else _USERINFO).sub(lambda m: m.group(1) + mask, text)


# A query parameter that carries a key rather than a choice: a private feed's `?token=…`,
# `&api_key=…` (a password by another name). Its value ends at the next '&', '#', ';', white space,
# quote or angle bracket.
_QUERY_SECRET = re.compile(
    r"(?i)([?&;](?:[a-z]+[_-])?(?:token|api[_-]?key|key|password|passwd|pwd|secret|auth|sig|signature)=)"
    r"[^&#;\s'\"<>]+"
)


def redact_query_secrets(text: str, mask: str = "***") -> str:
    """`text` with the value of every secret-like query parameter (`token`, `api_key`, `key`,
    `password`, `secret`, `sig`, and their `access_`/`auth_`… forms) replaced by `mask`."""
    return _QUERY_SECRET.sub(lambda m: m.group(1) + mask, text)


def redact_secrets(text: str, mask: str = "***@", *, keep_masked: bool = False) -> str:
    """`text` without the userinfo nor the secret query values of the URLs in it: what the
    database, the log and the status page keep of a feed's URL (feeds.yaml keeps it whole)."""
    return redact_query_secrets(redact_userinfo(text, mask, keep_masked=keep_masked))


def hide_userinfo(url: str, mask: str = "***@") -> str:
    """One URL as a setting gives it (a feed's, a proxy's, the Bot API's), without what may be
    its userinfo: everything after `//` (or from the start, with no scheme) up to the value's
    last '@'. A password not percent-encoded ('/', '#', '?', a space) ends the authority for
    `redact_userinfo`, and a refusal quoted the URL password and all; a value that is one URL
    is cut at its last '@' instead (`https://medium.com/@user/feed` is then shown as
    `https://***@user/feed`: hiding too much, never too little)."""
    head, slashes, rest = url.partition("//")
    if not slashes:
        head, rest = "", url
    if "@" not in rest:
        return url
    return head + slashes + mask + rest.rpartition("@")[2]



# A path as browsers send it (RFC 3986 normalization): what is written raw (spaces, "ó") is
# percent-encoded as UTF-8, an escape is written in capitals, and an escaped unreserved
# character ("%7E", "%41") is written as itself. Reserved characters and their escapes
# ("/" against "%2F") stay apart: a server may read them differently.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _unescaped(m: re.Match[str]) -> str:
    ch = chr(int(m.group(1), 16))
    return ch if ch in _UNRESERVED else "%" + m.group(1).upper()


def normal_path(path: str) -> str:
    """`path` written one way: "/excarcelación de presos" and "/excarcelaci%c3%b3n%20de%20presos"
    are one address."""
    return _ESCAPE.sub(_unescaped, quote(path, safe=_PATH_SAFE))


def ascii_host(host: str) -> str:
    """`host` as it is looked up and sent (lower case, an internationalized name in IDNA as
    httpx writes it): "ñandú.example" and "xn--and-6ma2c.example" are one host."""
    host = host.lower()
    if host.isascii():
        return host
    import idna  # httpx's own dependency: the encoding it fetches with

    try:
        return idna.encode(host).decode("ascii")
    except idna.IDNAError:
        return host


def _http_parts(url: str) -> tuple[SplitResult, str, str, int | None] | None:
    """(parts, scheme, host, port as written) of an http(s) URL with a host; None otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return parts, scheme, host, port


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, the port made explicit and the host as fetched
    (ascii_host); None if invalid."""
    split = _http_parts(url)
    if split is None:
        return None
    _, scheme, host, port = split
    return scheme, ascii_host(host), port or DEFAULT_PORTS[scheme]


def canonical_url(url: str | None, base: str | None = None) -> str | None:
    """The URL dedup compares, or None when `url` is not an http(s) URL. An internationalized
    host is written in IDNA (ascii_host): one feed's "ñandú.example/a" and another's
    "xn--and-6ma2c.example/a" are one item."""
    if not url:
        return None
    if len(url) + len(base or "") > CACHED_URL_CHARS:  # not remembered: 4,096 of 30 KB links stay alive
        return _canonical.__wrapped__(url, base)
    return _canonical(url, base)


CACHED_URL_CHARS = 2_000


@lru_cache(maxsize=4096)
def _canonical(url: str, base: str | None) -> str | None:
    """`canonical_url`, remembered: a poll asks it of each item's link three times (its key,
    whether it is the document itself, whether to fetch its article) and of the document's
    URL once an item."""
    url = url.strip()
    if base:
        url = urljoin(base, url)
    split = _http_parts(url)
    if split is None:
        return None
    parts, scheme, host, port = split
    host = ascii_host(host)
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = ""
    if parts.query:
        pairs = [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in _TRACKING and not k.lower().startswith(_TRACKING_PREFIXES)
        ]
        query = urlencode(pairs, doseq=True)
    return urlunsplit((scheme, netloc, normal_path(parts.path) or "/", query, ""))


def same_document(url: str | None, document_url: str | None) -> bool:
    """Whether `url` is the document `document_url` itself (the feed or page it was read
    from), a fragment into it (`#nota-4`) included."""
    canon = canonical_url(url)
    return canon is not None and canon == canonical_url(document_url)


def with_fragment(canon: str, url: str) -> str:
    """`canon` (a canonical URL) with `url`'s #fragment, when it has one: the posts of a live
    blog, the items of a page (`#nota-4`)."""
    fragment = urlsplit(url).fragment
    return f"{canon}#{fragment}" if fragment else canon
