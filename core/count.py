"""A figure stated in an item, as the matcher found it and the alerts show it.

`confident` comes from the rule that read it (monitor/match/counts/confidence.py): a count
that is not confident is stored but not shown in alerts (DESIGN.md). `rule` names that rule
(`monitor classify --explain`). `additional`: people on top of a figure told before ("liberó a
otros tres", "12 more"), not a running total: alerts show it as "+3", the tally leaves it out.
`part`: the group a figure counts when it counts part of the people in the news ("entre ellos
180 militares": "military"), a key of core/data/count_parts.yaml; alerts name the group, the
tally leaves the figure out (it is no total). `qualifier`: how exactly it was stated ("más de
400": "more than"; "at least", "nearly", "about", "fewer than"), quoted by alerts; the tally and
a story's figures go by the number. `upto`: the second number of a range this figure opens
("entre 139 y 155": 139 with upto 155; 155 is a count of its own), which alerts show as one
figure ("139–155 excarcelados")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from core.text import fold, haystack

EVENTS = ("released", "arrested", "held", "dead")

# The government's voices, as the matcher names them (monitor/match/counts/sources.py): their
# figures are announced, never verified (the tally's government line, "según el Gobierno").
GOVERNMENT = "the government"
OFFICIAL_SOURCES = (GOVERNMENT, "Jorge Rodríguez", "Delcy Rodríguez")
_OFFICIAL_KEYS = frozenset({
    "the government", "government", "gobierno", "el gobierno", "regimen", "el regimen",
    "jorge rodriguez", "delcy rodriguez",
})


def official(source: str | None) -> bool:
    """Whether a count's source is the government speaking (by any of its names)."""
    return bool(source) and fold(str(source), country=False).strip() in _OFFICIAL_KEYS


@dataclass(slots=True)
class Count:
    event: str  # one of EVENTS
    number: int
    source: str | None = None
    confident: bool = True
    rule: str = ""
    additional: bool = False
    part: str | None = None
    qualifier: str | None = None
    upto: int | None = None

    def as_dict(self, *, rule: bool = False) -> dict[str, Any]:
        """The count as `monitor classify` prints it; with its rule under --explain."""
        out: dict[str, Any] = {"event": self.event, "number": self.number, "source": self.source,
                               "confident": self.confident}
        if self.additional:
            out["additional"] = True
        if self.part:
            out["part"] = self.part
        if self.qualifier:
            out["qualifier"] = self.qualifier
        if self.upto is not None:
            out["upto"] = self.upto
        if rule:
            out["rule"] = self.rule
        return out

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Count:
        """A count from a stored row or a labelled item ({"event", "number", "source"?, ...})."""
        confident = data.get("confident")
        return cls(event=str(data["event"]), number=int(data["number"]), source=data.get("source"),
                   confident=True if confident is None else bool(confident),
                   rule=str(data.get("rule") or ""), additional=bool(data.get("additional")),
                   part=data.get("part") or None, qualifier=data.get("qualifier") or None,
                   upto=None if data.get("upto") is None else int(data["upto"]))


def as_counts(counts: Iterable[Count | Mapping[str, Any]] | None) -> list[Count]:
    """Typed counts from typed ones or mappings (stored story counts, hand-made test data)."""
    return [c if isinstance(c, Count) else Count.from_mapping(c) for c in counts or []]


PARTS_FILE = Path(__file__).parent / "data" / "count_parts.yaml"


@cache
def count_parts() -> dict[str, dict[str, Any]]:
    """The groups a figure may count a part of: key → {"es", "en", "words"}."""
    data = YAML(typ="safe", pure=False).load(PARTS_FILE.read_text(encoding="utf-8"))
    return {str(k): dict(v) for k, v in data.items()}


def part_label(part: str, lang: str) -> str:
    """How an alert names a part ("militares", "journalists"); an unknown key as it is."""
    return str(count_parts().get(part, {}).get(lang) or part)


def part_phrase(part: str, event: str, lang: str) -> str | None:
    """The part and the event told as one phrase, where the group has one ("presos
    desaparecidos", "missing detainees"); else None (the part's label, then the event's)."""
    phrase = count_parts().get(part, {}).get(event)
    return str(phrase[lang]) if isinstance(phrase, dict) and phrase.get(lang) else None


SOURCES_FILE = Path(__file__).parent / "data" / "count_sources.yaml"


@cache
def count_sources() -> dict[str, dict[str, Any]]:
    """Sources beyond the count reader's own table (core/data/count_sources.yaml): "names",
    canonical name → {"es", "en"}; "governments", foreign governments → {"es", "en", "names",
    "adjectives"}."""
    data = YAML(typ="safe", pure=False).load(SOURCES_FILE.read_text(encoding="utf-8"))
    return {"names": dict(data.get("names") or {}), "governments": dict(data.get("governments") or {})}


# Sources that state a figure together ("La PUD y Foro Penal confirman 56"), as the count
# reader names them: "PUD & Foro Penal" (one string, in any language; alerts say "PUD y Foro Penal")
JOINT = " & "
_AND = {"es": " y ", "en": " and "}


def joint_sources(source: str | None) -> list[str]:
    """The sources a stated source names: one, or each of a joint statement's."""
    return [p.strip() for p in source.split(JOINT) if p.strip()] if source else []


def source_label(source: str, lang: str) -> str:
    """How an alert names a stated source in its language ("la ONU", "Italia"); a name the
    file does not know (Foro Penal, a person) as it is; a joint one as a list ("PUD y Foro
    Penal", "Foro Penal, Provea y JEP")."""
    if JOINT in source:
        *first, last = (source_label(p, lang) for p in joint_sources(source))
        return _AND.get(lang, " & ").join([", ".join(first), last])
    known = count_sources()
    entry = known["names"].get(source) or known["governments"].get(source) or {}
    return str(entry.get(lang) or source)


OUTLETS_FILE = Path(__file__).parent / "data" / "outlets.txt"


@cache
def outlet_names() -> dict[str, str]:
    """News outlets and agencies (core/data/outlets.txt): each name folded as a haystack
    (" nytimes ") → the name as the file writes it ("NYTimes")."""
    lines = (ln.strip() for ln in OUTLETS_FILE.read_text(encoding="utf-8").splitlines())
    return {haystack(ln): ln for ln in lines if ln and not ln.startswith("#")}


def outlet(source: str | None) -> bool:
    """Whether a stated source is a news outlet or an agency ("NYTimes: … 80 personas"): it
    reports a figure, it verifies none."""
    return bool(source) and haystack(str(source)) in outlet_names()


# the United States' own voices: what they state of releases is announced, never verified
US_VOICES = ("Trump", "the Pentagon", "Southern Command", "the Justice Department")


def states_only(source: str) -> bool:
    """A state that announces releases (a foreign government, a US voice), or an outlet that
    reports them, rather than a group that verifies them: "2 excarcelados (según Italia)", not
    "verificados por Italia"; "80 excarcelados (según Reuters)"."""
    return source in US_VOICES or source in count_sources()["governments"] or outlet(source)


# the rights groups readers know count releases (the tally's verified line, alerts/tally/figures.py):
# "61 verificados por Foro Penal" tells a release; another's is told with its event, "14 periodistas
# excarcelados (verificados por SNTP)", as is a part ("180 militares excarcelados (verificados por…)")
RELEASE_COUNTERS = ("Foro Penal", "JEP", "Provea", "OVP", "Clippve", "the United Nations", "IACHR", "an NGO", "NGOs")


def counts_releases(source: str | None) -> bool:
    """Whether a stated source is (or, joint, names) a rights group readers know counts releases."""
    return any(p in RELEASE_COUNTERS for p in joint_sources(source))


def verified(event: str, source: str | None) -> bool:
    """Whether alerts show the figure as verified ("61 verificados por Foro Penal"): a release
    stated by a rights group, the UN, the IACHR. The government, a foreign state or a US voice
    announces ("3 dead (according to the Pentagon)"), and another event with a source is only
    attributed: neither is a verified figure."""
    source = (source or "").strip()
    if JOINT in source:  # "PUD & Foro Penal": verified when one of them verifies
        return any(verified(event, p) for p in joint_sources(source))
    return event == "released" and bool(source) and not official(source) and not states_only(source)
