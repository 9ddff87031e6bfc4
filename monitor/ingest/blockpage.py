"""Pages a site answers with instead of the article: a bot check, a paywall, a cookie-consent
wall, an "enable JavaScript" notice. They come with status 200 and trafilatura extracts their
text, which was stored as the item's text: it fed the matcher, became the alert's summary and,
in `always` mode, replaced the feed's own content.

The rule is plain: an extracted text shorter than BLOCK_PAGE_CHARS that contains one of PHRASES
(compared as words: accents, case and punctuation ignored) is such a page. A real article is
longer, or does not say these phrases; a real brief that mentions "suscriptores" or "cookies"
in passing says neither "exclusivo para suscriptores" nor "utilizamos cookies". A cookie banner
or a video player's "requiere JavaScript" can stay beside a short article in the extracted
text, so for those kinds every line of the text must also name their subject (SUBJECTS).
"""

from __future__ import annotations

import re

from core.text import fold

# The texts trafilatura extracted from the pages in tests/data/blockpages (bot checks of
# Cloudflare, PerimeterX and reCAPTCHA sites, paywalls, consent walls, JavaScript notices, in
# Spanish and English) are 128 to 1,174 characters long, the longest a consent wall listing its
# purposes; a paywall that shows the article's first paragraph stays under this too.
BLOCK_PAGE_CHARS = 1_500

PHRASES: dict[str, tuple[str, ...]] = {
    "a bot check": (
        "unusual activity from your computer network", "unusual traffic from your computer network",
        "you're not a robot", "you are not a robot", "I'm not a robot",
        "verify you are human", "verifying you are human", "confirm you are human",
        "confirm you are a human", "checking your browser", "checking if the site connection is secure",
        "review the security of your connection", "enable JavaScript and cookies to continue",
        "automation tools to browse", "Press & Hold to confirm", "disable any ad blocker",
        "Incapsula incident ID", "you have been blocked", "complete the security check",
        "que no eres un robot", "no soy un robot", "que usted es un ser humano", "que eres un ser humano",
        "que eres humano", "tráfico inusual desde tu red", "tráfico inusual procedente de tu red",
        "actividad inusual desde tu red", "revisar la seguridad de su conexión",
        "revisar la seguridad de tu conexión", "comprobando tu navegador", "comprobando su navegador",
        "verificando tu navegador", "verificando su navegador", "habilite JavaScript y las cookies",
        "habilita JavaScript y las cookies",
    ),
    "a paywall": (
        "for subscribers only", "subscribe to continue reading", "subscribe to read",
        "limit of free articles",
        "exclusivo para suscriptores", "exclusiva para suscriptores", "solo para suscriptores",
        "exclusivo para abonados", "solo para abonados", "suscríbete para seguir leyendo",
        "suscríbete para continuar leyendo", "suscríbase para seguir leyendo",
        "límite de artículos gratuitos",
    ),
    "a cookie wall": (
        "we use cookies", "our partners use cookies", "this site uses cookies",
        "this website uses cookies", "accept all cookies", "store and/or access information on a device",
        "utilizamos cookies", "usamos cookies", "este sitio utiliza cookies", "este sitio web utiliza cookies",
        "esta web utiliza cookies", "aceptar las cookies", "acepta las cookies",
        "almacenamos o accedemos a información en un dispositivo",
    ),
    "a JavaScript notice": (
        "enable JavaScript", "JavaScript is disabled", "JavaScript is required", "requires JavaScript",
        "habilitar JavaScript", "habilite JavaScript", "habilita JavaScript", "activar JavaScript",
        "active JavaScript", "activa JavaScript", "JavaScript desactivado", "JavaScript está desactivado",
        "requiere JavaScript", "JavaScript habilitado",
    ),
}

# A text is a notice of these kinds only when each of its lines names one of these words.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "a cookie wall": ("cookie", "cookies", "consent", "consentimiento", "privacy", "privacidad"),
    "a JavaScript notice": ("JavaScript",),
}

# Response headers that mark a bot check (Cloudflare's challenges, AWS WAF's 202 challenge).
CHALLENGE_HEADERS: dict[str, tuple[str, ...]] = {
    "cf-mitigated": ("challenge",),
    "x-amzn-waf-action": ("challenge", "captcha"),
}

_NOT_WORDS = re.compile(r"[\W_]+")


def _words(text: str) -> str:
    return f" {_NOT_WORDS.sub(' ', fold(text, country=False)).strip()} "


_WORD_PHRASES = [
    (kind, phrase, _words(phrase)) for kind, phrases in PHRASES.items() for phrase in phrases
]
_WORD_SUBJECTS = {kind: [_words(w) for w in words] for kind, words in SUBJECTS.items()}


def block_page(text: str) -> str | None:
    """What `text` is when it is a block page (`a bot check ("you're not a robot")`), else None."""
    if len(text) >= BLOCK_PAGE_CHARS:
        return None
    words = _words(text)
    for kind, phrase, needle in _WORD_PHRASES:
        if needle in words and _all_about(text, _WORD_SUBJECTS.get(kind)):
            return f'{kind} ("{phrase}")'
    return None


def _all_about(text: str, subject: list[str] | None) -> bool:
    """Whether every line of `text` names a word of `subject` (no subject: True)."""
    if not subject:
        return True
    lines = [_words(line) for line in text.splitlines() if line.strip()]
    return all(any(w in line for w in subject) for line in lines)


def challenge_header(headers: dict[str, str]) -> str | None:
    """The header that marks the response as a bot check (`cf-mitigated: challenge`), or None.
    `headers` has lower-case names."""
    for name, values in CHALLENGE_HEADERS.items():
        value = headers.get(name, "").strip().lower()
        if value in values:
            return f"{name}: {value}"
    return None
