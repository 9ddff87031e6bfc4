"""Extractive summaries: 1–3 sentences of the article (or the feed summary), at most ~350 characters.

Sentences naming a matched term or a count come first; boilerplate (newsletter
calls, "read also", photo credits, cookie notices) never appears.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from alerts.render import clean, shorten
from core.markup import strip_markup
from core.text import fold

MAX_CHARS = 350
MAX_SENTENCES = 3
MIN_TEXT = 200  # shorter article text than this is not worth preferring over the summary
SOURCE_CHARS = 20_000  # the summary is picked from the first this many characters
BOILERPLATE_CHARS = 2_000  # a sentence is checked for boilerplate on its start
_SPLIT = re.compile(r"(?<=[.!?…])[\"'”»)]*\s+(?=[\"'“«(¿¡]?[A-ZÁÉÍÓÚÑÜ0-9])")
# A stop that ends an abbreviation, not a sentence: an initial or a doubled plural ("J.", "EE.",
# "UU.", "FF."), dotted letters ("U.S.", "a.m."), a title or a month ("Gral.", "Sr.", "Jan."), and
# what English wire copy abbreviates: ranks and offices ("Adm.", "Amb.", "Maj."), companies
# ("Corp.", "Inc."), "No. 2", and the states of AP datelines ("DORAL, Fla. (AP) —").
_ABBREVIATION = re.compile(
    r"(?:^|[\s(«\"“'])(?:([A-ZÁÉÍÓÚÑ])\1?|[a-z]|(?:[A-Za-z]\.)+[A-Za-z]|"
    r"Sr|Sra|Srta|Dr|Dra|Gral|Gen|Cnel|Col|Tte|Cap|Capt|Lic|Ing|Mr|Mrs|Ms|Sgt|Lt|Gov|Sen|Rep|Prof|St|"
    r"Adm|Amb|Maj|Brig|Cmdr|Cpl|Pvt|Sec|Supt|Rev|Hon|Pres|Jr|Gens|Sens|Reps|Ft|Mt|No|Nos|"
    r"Corp|Inc|Co|Ltd|Bros|"
    r"Ala|Ariz|Ark|Calif|Colo|Conn|Fla|Ga|Ill|Kan|Ky|Md|Mass|Mich|Minn|Miss|Mo|Mont|Neb|Nev|Okla|Ore|Pa|"
    r"Tenn|Vt|Va|Wash|Wis|Wyo|"
    r"Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.$"
)
_BOILERPLATE = re.compile(
    r"""(
      lee\s+(también|además|más)|leer\s+más|te\s+puede\s+interesar|suscr[ií]b|newsletter|nuestro\s+bolet[ií]n|
      s[ií]guenos|únete\s+a\s+nuestro|canal\s+de\s+(whatsapp|telegram)|haz\s+clic|pulsa\s+aqu[ií]|
      todos\s+los\s+derechos|derechos\s+reservados|cookies|^\s*publicidad\b|contenido\s+patrocinado|
      read\s+(more|also)|click\s+here|sign\s+up|subscribe|follow\s+us|all\s+rights\s+reserved|
      copyright|©|^\s*(foto|photo|imagen|image|video|vídeo)\s*:|\(foto|\(photo|
      the\s+post\s+.+\s+appeared\s+first|la\s+entrada\s+.+\s+se\s+publicó\s+primero|
      continue\s+reading|seguir\s+leyendo|^\s*ver\s+más\b|^\s*more\s+at\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def _fold_words(text: str) -> str:
    return fold(text, country=False)


def plain(text: str | None) -> str:
    """Markup removed, entities decoded, white space collapsed."""
    if not text:
        return ""
    # stored text is plain: only HTML elements are tags in it ("<El Rodeo>" stays); linear time
    return clean(html.unescape(strip_markup(text[:SOURCE_CHARS], tag_sep=" ", known_only=True)))


def sentences(text: str) -> list[str]:
    """The sentences of `text`; a stop after an abbreviation ("EE. UU.", "Gral.") splits none."""
    out: list[str] = []
    glued = False
    for part in _SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        if glued:
            out[-1] += " " + part
        else:
            out.append(part)
        glued = bool(_ABBREVIATION.search(part))
    return out


def _is_boilerplate(sentence: str) -> bool:
    return bool(_BOILERPLATE.search(sentence[:BOILERPLATE_CHARS])) or len(sentence) < 15 or sentence.startswith("http")


def summarize(
    *, text: str | None, summary: str | None, title: str = "", terms: Iterable[str] = (),
    numbers: Iterable[int] = (), max_chars: int = MAX_CHARS,
) -> str:
    """The item's summary in its own language (see the module docstring)."""
    body = plain(text)
    source = body if len(body) >= MIN_TEXT else plain(summary) or body
    folded_terms = [_fold_words(t) for t in terms if t and len(t) > 2]
    number_res = [re.compile(rf"(?<![\d.,]){n}(?![\d])") for n in {int(n) for n in numbers}]
    title_key = _fold_words(clean(title)).strip(" .")
    candidates: list[tuple[int, int, str]] = []
    for i, s in enumerate(sentences(source)):
        if _is_boilerplate(s) or _fold_words(s).strip(" .") == title_key:
            continue
        f = _fold_words(s)
        relevant = any(t in f for t in folded_terms) or any(r.search(s) for r in number_res)
        candidates.append((0 if relevant else 1, i, s))
    if not candidates:
        return ""
    candidates.sort()
    chosen: list[tuple[int, str]] = []
    used = 0
    for _, i, s in candidates:
        extra = len(s) + (1 if chosen else 0)
        if chosen and used + extra > max_chars:
            continue
        if not chosen and len(s) > max_chars:
            return shorten(s, max_chars)
        chosen.append((i, s))
        used += extra
        if len(chosen) == MAX_SENTENCES:
            break
    # relevant sentences first (they were picked first), each group in reading order
    first = {i for p, i, _ in candidates if p == 0}
    chosen.sort(key=lambda x: (x[0] not in first, x[0]))
    return " ".join(s for _, s in chosen)
