"""The demo's news: a handful of items in Spanish and English, written for the demo.

Each item has a `phase` (the second of the demo at which it appears in its
feed) and an age in hours at publication; phase 0 items include an old backlog
that must be stored but never alerted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class DemoItem:
    feed: str
    guid: str
    title: str
    summary: str
    phase: int = 0
    age_hours: float = 0.0
    relevant: bool = True


FEEDS = {
    "diario-demo": ("Diario Demo", "es"),
    "radio-demo": ("Radio Demo", "es"),
    "world-demo": ("World Demo", "en"),
    "gov-demo": ("Gov Demo", "en"),
}

ITEMS = [
    # Backlog: old news on the first poll, stored as seen, never alerted.
    DemoItem("diario-demo", "d-old-1", "Excarcelan a 30 presos políticos en Carabobo",
             "Foro Penal confirmó las excarcelaciones la semana pasada.", 0, 72),
    DemoItem("world-demo", "w-old-1", "US Treasury sanctions Venezuelan officials",
             "OFAC designated six officials last month.", 0, 96),
    # Fresh at start.
    DemoItem("gov-demo", "g-1", "Treasury sanctions tanker fleet carrying Venezuelan oil",
             "OFAC designated 12 tankers of the shadow fleet that moved Venezuelan crude in "
             "breach of US sanctions, the Treasury Department said.", 0, 0.2),
    DemoItem("diario-demo", "d-1", "Lanzan nuevo álbum de salsa en Caracas",
             "El disco se presenta este viernes en el Teatro Teresa Carreño.", 0, 0.3, False),
    # Phase 1: a release reported by three outlets in two languages: one story.
    DemoItem("diario-demo", "d-2", "Gobierno excarcela a 87 presos políticos del penal de Tocorón",
             "Los liberados salieron con medidas cautelares; familiares esperaban frente al penal "
             "en Aragua desde la madrugada.", 10),
    DemoItem("radio-demo", "r-1", "Excarcelan a 87 presos políticos de Tocorón, según el Gobierno",
             "Familiares confirmaron la salida de los detenidos del penal en Aragua.", 10),
    DemoItem("world-demo", "w-1", "Venezuela frees 87 political prisoners from Tocorón prison",
             "Relatives gathered outside the prison in Aragua state as the detainees walked out.", 10),
    DemoItem("world-demo", "w-2", "US strikes Houthi targets in Yemen",
             "The Pentagon said the strikes hit radar sites near the Red Sea coast.", 10, 0, False),
    # Phase 2: the verified figure arrives: a reply to the first message.
    DemoItem("radio-demo", "r-2", "Foro Penal verificó 61 de las 87 excarcelaciones anunciadas en Tocorón",
             "La ONG dijo que sigue confirmando casos de presos políticos excarcelados.", 24),
]


def rss(feed: str, now: datetime, elapsed: float, base_url: str) -> bytes:
    """The RSS document of `feed` as it stands `elapsed` seconds into the demo."""
    title, lang = FEEDS[feed]
    entries = []
    for item in reversed(ITEMS):
        if item.feed != feed or item.phase > elapsed:
            continue
        published = now - timedelta(hours=item.age_hours) + timedelta(seconds=item.phase)
        entries.append(
            "<item>"
            f"<title>{escape(item.title)}</title>"
            f"<link>{base_url}/articles/{item.guid}</link>"
            f"<guid isPermaLink=\"false\">{item.guid}</guid>"
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{escape(item.summary)}</description>"
            "</item>"
        )
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<rss version="2.0"><channel><title>{title}</title><link>{base_url}/</link>'
        f"<language>{lang}</language><description>{title}</description>"
        + "".join(entries)
        + "</channel></rss>"
    )
    return doc.encode("utf-8")
