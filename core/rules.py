"""The `topics:` and `entities:` sections of feeds.yaml (syntax: docs/MATCHING.md).

A topic matches an item when
  1. at least one *signal* fires: a term of `any`; every group of `all`; or one `near`
     pair (a term of `a` and a term of `b` at most `within` words apart, same field);
  2. its Venezuelan context is satisfied (`context` terms, or a gazetteer entity
     whose region is venezuela), as `context_required` says;
  3. no term of `none` occurs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from core.terms import ParsedTerm, parse_term

Loc = tuple[str | int, ...]


def _check_terms(values: list[str]) -> list[str]:
    errors = []
    for i, term in enumerate(values):
        try:
            parse_term(term)
        except ValueError as exc:
            errors.append(f"[{i}] {exc}")
    if errors:
        raise ValueError("; ".join(errors))
    return values


def _term(value: str) -> str:
    parse_term(value)
    return value


def _group(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("the group is empty: the topic could never match through `all`")
    return value


# Checked one by one, so that an error names the term's own place (`any[87]`, its line, and
# the file it comes from: a term added by rule_changes is reported in feeds.yaml, not the pack).
Term = Annotated[str, AfterValidator(_term)]
Group = Annotated[list[Term], AfterValidator(_group)]


class NearRule(BaseModel):
    """A term of `a` and a term of `b` with at most `within` words between them."""

    model_config = ConfigDict(extra="forbid")

    a: list[Term] = Field(min_length=1)
    b: list[Term] = Field(min_length=1)
    within: int = Field(default=5, ge=0, le=60)
    # overrides the topic's `context_required` for this pair only (a pair of common words
    # such as "frees" + "Spaniards" may need Venezuelan context even when the topic does not)
    context_required: Literal["always", "if_foreign", "never"] | None = None


class TopicRules(BaseModel):
    """One topic's rules."""

    model_config = ConfigDict(extra="forbid")

    description: str = ""
    any: list[Term] = []
    all: list[Group] = []
    near: list[NearRule] = []
    context: list[Term] = []
    context_required: Literal["always", "if_foreign", "never"] = "always"
    none: list[Term] = []
    urgent: list[Term] = []
    urgent_with_person: list[Term] = []
    # an item of a feed about Venezuela that names no other country has Venezuelan context for
    # this topic (monitor/match/feed_place.py)
    feed_context: bool = False

    @model_validator(mode="after")
    def _can_match(self) -> TopicRules:
        if not (self.any or self.all or self.near):
            raise ValueError(
                "the topic has no `any`, `all` or `near` rule, so it can never match; "
                "example: any: [\"presos políticos\"]"
            )
        vetoed = {k for t in self.none for k in parse_term(t).keys}
        for i, term in enumerate(self.any):
            keys = set(parse_term(term).keys)
            if keys and keys <= vetoed:
                raise ValueError(f"any[{i}] {term!r} is also excluded by `none`: it can never match")
        return self

    def signal_terms(self) -> list[str]:
        out = list(self.any)
        for group in self.all:
            out += group
        for rule in self.near:
            out += rule.a + rule.b
        return out


class EntitySpec(BaseModel):
    """A gazetteer entry. `name` is always an alias too."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    type: Literal["person", "org", "place"]
    aliases: list[str] = []
    ambiguous: list[str] = []
    """Aliases that count only when the item has Venezuelan context elsewhere
    ("Machado", "González")."""
    cased: list[str] = []
    """Aliases that are also ordinary lower-case words ("Maduro" / "un jugador maduro"):
    they count when written with a capital initial (not as the first word), or with context."""
    region: Literal["venezuela", "elsewhere", "neutral"] = "venezuela"
    """`venezuela`: finding it places the item in Venezuela; `elsewhere`: in another
    country (matters for `context_required: if_foreign`); `neutral`: neither (Trump)."""
    own_prisoners: bool = False
    """An `elsewhere` place whose own political prisoners are news ("presos políticos cubanos"):
    named as people's nationality it still places the item there. Others named so
    ("presos políticos colombianos") are foreigners held in Venezuela."""

    @field_validator("aliases", "ambiguous", "cased")
    @classmethod
    def _aliases(cls, value: list[str]) -> list[str]:
        for i, alias in enumerate(value):
            if alias.strip().startswith("@") or "*" in alias or "~" in alias:
                raise ValueError(f"[{i}] alias {alias!r}: aliases are plain text (no @, * or ~)")
        return _check_terms(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if value.strip().startswith("@"):
            raise ValueError(f"entity name {value!r} must not start with '@'")
        return _check_terms([value])[0]

    def all_aliases(self) -> list[tuple[str, str]]:
        """(alias, kind) with kind plain | ambiguous | cased."""
        out = [(self.name, "plain")] + [(a, "plain") for a in self.aliases]
        out += [(a, "ambiguous") for a in self.ambiguous] + [(a, "cased") for a in self.cased]
        return out


_TERM_FIELDS = ("any", "context", "none", "urgent", "urgent_with_person")


def _term_locs(rules: TopicRules) -> list[tuple[Loc, str]]:
    out: list[tuple[Loc, str]] = []
    for field in _TERM_FIELDS:
        out += [((field, i), t) for i, t in enumerate(getattr(rules, field))]
    for g, group in enumerate(rules.all):
        out += [(("all", g, i), t) for i, t in enumerate(group)]
    for n, near in enumerate(rules.near):
        out += [(("near", n, side, i), t) for side in ("a", "b") for i, t in enumerate(getattr(near, side))]
    return out


def validate_rules(
    topics: dict[str, TopicRules], entities: list[EntitySpec]
) -> list[tuple[Loc, str]]:
    """Cross-checks between topics and the gazetteer, as (YAML location, message)."""
    errors: list[tuple[Loc, str]] = []
    names: dict[str, int] = {}
    for i, ent in enumerate(entities):
        if ent.name in names:
            errors.append((("entities", i, "name"), f"duplicate entity name {ent.name!r} (also entities[{names[ent.name]}])"))
        names.setdefault(ent.name, i)
    has_ve_entity = any(e.region == "venezuela" for e in entities)
    for topic, rules in topics.items():
        for loc, term in _term_locs(rules):
            parsed: ParsedTerm = parse_term(term)
            if parsed.entity is not None and parsed.entity not in names:
                errors.append(
                    (("topics", topic, *loc), f"unknown entity {parsed.entity!r} in term {term!r}")
                )
        if rules.context_required == "always" and not rules.context and not has_ve_entity:
            errors.append(
                (("topics", topic, "context"),
                 "context_required is 'always' but there are no context terms and no Venezuelan "
                 "entities: the topic can never match")
            )
    return errors
