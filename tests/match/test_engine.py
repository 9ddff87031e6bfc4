from concurrent.futures import ThreadPoolExecutor

import pytest

from core.rules import EntitySpec, TopicRules
from monitor.match import build_classifier

ENTITIES = [
    EntitySpec(name="Foro Penal", type="org"),
    EntitySpec(name="Venezuela", type="place"),
    EntitySpec(name="Nicaragua", type="place", region="elsewhere", aliases=["nicaragüense"]),
    EntitySpec(name="María Corina Machado", type="person", ambiguous=["Machado"]),
    EntitySpec(name="Nicolás Maduro", type="person", cased=["Maduro"]),
    EntitySpec(name="Donald Trump", type="person", region="neutral", aliases=["Trump"]),
]


def clf(**rules):
    rules.setdefault("context_required", "never")
    return build_classifier({"t": TopicRules(**rules)}, ENTITIES)


def test_any_with_inflection_and_accents():
    c = clf(any=["preso~ político~"])
    assert c.classify(title="Liberan a dos PRESAS POLITICAS").topics == ["t"]
    assert c.classify(title="presos politicos").matches == {"t": ["preso~ político~"]}
    assert c.classify(title="presoterapia política").topics == []


def test_prefix_term():
    c = clf(any=["excarcel*"])
    for text in ("Excarcelan a 5", "excarcelaciones verificadas", "EXCARCELADO"):
        assert c.classify(title=text).topics == ["t"]
    assert c.classify(title="la cárcel").topics == []


def test_all_groups_must_match():
    c = clf(all=[["arrest~"], ["journalist~"]])
    assert c.classify(title="Journalist arrested").topics == ["t"]
    assert c.classify(title="Journalist honoured", text="Police arrested a thief").topics == ["t"]
    assert c.classify(title="Thief arrested").topics == []


def test_near_counts_words_between_and_stays_in_one_field():
    c = clf(near=[{"a": ["release~"], "b": ["prisoner~"], "within": 2}])
    assert c.classify(title="Venezuela releases 87 political prisoners").topics == ["t"]
    assert c.classify(title="prisoners were finally released").topics == ["t"]
    assert c.classify(title="release of the long list of all prisoners").topics == []
    assert c.classify(title="release date", summary="prisoners").topics == []


def test_none_excludes():
    c = clf(any=["release~"], none=["album"])
    assert c.classify(title="Band release new album").topics == []
    assert c.classify(title="release of detainees").topics == ["t"]


def test_context_always_from_terms_or_entities():
    c = clf(any=["strike~"], context=["venezuel*"], context_required="always")
    assert c.classify(title="US strike near Venezuelan coast").topics == ["t"]
    assert c.classify(title="US strike", summary="Foro Penal said").topics == ["t"]
    assert c.classify(title="US strike in Yemen").topics == []


def test_context_if_foreign():
    c = clf(any=["presos políticos"], context=["venezuel*"], context_required="if_foreign")
    assert c.classify(title="Excarcelan presos políticos").topics == ["t"]
    assert c.classify(title="Ortega libera presos políticos", summary="gobierno nicaragüense").topics == []
    assert c.classify(title="Nicaragua y Venezuela: presos políticos").topics == ["t"]


def test_ambiguous_alias_needs_context():
    c = clf(any=["zzz yyy"])  # the topic's signal must not fire: it would be context too
    assert c.classify(title="Machado pide calma").entities == []
    names = [e["name"] for e in c.classify(title="Machado pide calma en Venezuela").entities]
    assert "María Corina Machado" in names
    assert c.classify(title="María Corina Machado pide calma").entities[0]["name"] == "María Corina Machado"
    fired = clf(any=["presos políticos"])  # a topic signal is Venezuelan enough
    assert fired.classify(title="Machado pide liberar a los presos políticos").entities


def test_cased_alias_counts_when_capitalized():
    c = clf(any=["zzz yyy"])
    assert c.classify(title="Un jugador maduro para el equipo").entities == []
    r = c.classify(title="Dice que Maduro y el jugador")
    assert {"name": "Nicolás Maduro", "type": "person"} in r.entities


def test_entity_reference_term():
    c = clf(near=[{"a": ["@Donald Trump"], "b": ["@Venezuela"], "within": 3}])
    assert c.classify(title="Trump warns Venezuela").topics == ["t"]
    assert c.classify(title="Trump warns Canada").topics == []


def test_explain_names_terms_fields_and_roles():
    c = clf(any=["excarcel*"], context=["venezuel*"], context_required="always")
    r = c.classify(title="Noticias", summary="Excarcelan a 3", text="en Venezuela")
    terms = {(e["term"], e["field"], e["role"]) for e in r.explain["t"]}
    assert ("excarcel*", "summary", "any") in terms
    assert ("venezuel*", "text", "context") in terms


def test_bad_input_never_raises(shipped):
    cases = [
        {}, {"title": ""}, {"title": None, "summary": 3, "text": ["x"]},
        {"text": "<html><body><p>Excarcelan a 87 presos políticos</p></body></html>"},
        {"title": "😀🔥 Венесуэла 委内瑞拉 presos políticos 🇻🇪"},
        {"text": ("presos políticos en Venezuela. " * 40_000)},  # ~1.2 MB
    ]
    for kw in cases:
        r = shipped.classify(**kw)
        assert r.urgency in ("low", "normal", "high")
        assert isinstance(r.to_json("x"), dict)
    assert shipped.classify(text=cases[3]["text"]).topics == ["political_prisoners"]


def test_no_topic_is_low(shipped):
    r = shipped.classify(title="Leones del Caracas ganan el clásico")
    assert r.topics == [] and r.urgency == "low" and r.counts == []


def test_to_json_matches_contract(shipped):
    r = shipped.classify(title="Foro Penal verificó 61 excarcelaciones de presos políticos")
    out = r.to_json("s1")
    assert list(out) == ["id", "topics", "urgency", "matches", "entities", "counts"]
    assert out["topics"] == ["political_prisoners"]
    assert {"name": "Foro Penal", "type": "org"} in out["entities"]
    assert out["counts"] == [
        {"event": "released", "number": 61, "source": "Foro Penal", "confident": True}]


def test_classify_is_thread_safe(shipped):
    titles = [
        "Excarcelan a 87 presos políticos en Tocorón",
        "US strike on drug boat near Venezuela kills six",
        "Leones del Caracas ganan",
    ] * 50
    expected = [shipped.classify(title=t).to_json("x") for t in titles]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda t: shipped.classify(title=t).to_json("x"), titles))
    assert got == expected


@pytest.mark.parametrize(
    "title,topics",
    [
        ("Ortega excarcela a 30 presos políticos y los expulsa a Guatemala", []),
        ("US Navy strikes Houthi radar sites in Yemen", []),
        ("Band announces release date for album inspired by Caracas nights", []),
        ("Francisco Machado marca un doblete y el Caracas FC lidera el torneo", []),
        ("Huelga de transportistas paraliza el puerto de Santos en Brasil", []),
        ("Police in Caracas arrest 5 suspects in armed robbery", []),
        ("Un jugador maduro para el mediocampo de la Vinotinto", []),
        ("Liberan a secuestrados por el ELN en Arauca, Colombia", []),
        ("Excarcelan a periodista tras 14 meses en Tocuyito", ["political_prisoners"]),
        ("Guardia Costera de EE.UU. intercepta otro tanquero con crudo venezolano", ["us_actions"]),
        ("US and Venezuela complete prisoner exchange", ["political_prisoners", "us_actions"]),
    ],
)
def test_shipped_rules_scope(shipped, title, topics):
    assert shipped.classify(title=title).topics == topics


def test_near_pair_can_require_context_when_the_topic_does_not():
    c = clf(
        context_required="if_foreign",
        context=["venezuel*"],
        any=["presos políticos"],
        near=[{"a": ["frees"], "b": ["Spaniards"], "within": 3, "context_required": "always"}],
    )
    assert c.classify(title="Venezuela frees two Spaniards").topics == ["t"]
    assert c.classify(title="Rebels free two Spaniards").topics == []  # no context: pair ignored
    assert c.classify(title="Group frees two Spaniards").topics == []
    # the topic's own signals keep the topic's rule (if_foreign: no context needed here)
    assert c.classify(title="Liberan presos políticos").topics == ["t"]
    both = c.classify(title="Presos políticos: frees two Spaniards")
    assert both.topics == ["t"] and both.matches["t"] == ["presos políticos"]
    with pytest.raises(ValueError):
        TopicRules(any=["x"], near=[{"a": ["a1"], "b": ["b1"], "context_required": "sometimes"}])


def test_a_classifier_of_the_same_rules_reuses_their_compiled_tables_and_a_changed_rule_does_not():
    """Compiling the rules takes about 0.1 s (the shipped ones): a second classifier of the same
    rules (a reload that changed only feeds, an evaluation) reuses them; a rule changed by a
    reload must never be served the old tables."""
    first, again = clf(any=["excarcel*"]), clf(any=["excarcel*"])
    assert first._automaton is again._automaton
    changed = clf(any=["excarcel*", "liberan"])
    assert changed._automaton is not first._automaton
    assert changed.classify(title="Liberan a 5").topics == ["t"]
    assert first.classify(title="Liberan a 5").topics == []


def test_a_classifier_names_the_topics_in_the_order_of_its_rules_after_one_of_another_order():
    """A reload that only reorders the topics gets them in its order (the alert's header lists
    them so), as a fresh process would: the compiled tables kept the first order."""
    a = TopicRules(any=["excarcel*"], context_required="never")
    b = TopicRules(any=["liberan"], context_required="never")
    first = build_classifier({"a": a, "b": b}, ENTITIES)
    again = build_classifier({"b": b, "a": a}, ENTITIES)
    assert first.classify(title="Liberan y excarcelan a 5").topics == ["a", "b"]
    assert again.classify(title="Liberan y excarcelan a 5").topics == ["b", "a"]


def test_terms_near_each_other_in_a_long_text_are_paired_by_position(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every hit of a `near` rule's first terms was paired with every hit of its second (64 of
    each term's, up to 8 terms a side here): a text of their words, repeated, grew with the
    square of its length (137,000 characters of the shipped rules' words: 7 s). The pairs are
    looked up by word position now. Counted in word positions read, not timed."""
    import monitor.match.engine as engine

    reads = 0
    word_index = engine._Item.word_index

    def counted(self: object, f: int, start: int) -> int:
        nonlocal reads
        reads += 1
        return word_index(self, f, start)  # type: ignore[arg-type]

    monkeypatch.setattr(engine._Item, "word_index", counted)
    a_words = ["preso", "presa", "detenido", "detenida", "arrestado", "encarcelado", "recluso", "cautivo"]
    b_words = ["excarcelan", "liberan", "sueltan", "detienen", "arrestan", "capturan", "apresan", "encarcelan"]
    c = clf(near=[{"a": a_words, "b": b_words, "within": 2}])
    apart = " ".join(["lejos " * 6 + " ".join(a_words) + " " + "lejos " * 6 + " ".join(b_words)] * 63)  # (the pair below: the 64th hits, MAX_HITS)
    assert c.classify(title="Noticia", text=apart).topics == []  # 6 words between each a and b
    assert reads < 20_000, reads
    assert c.classify(title="Noticia", text=apart + " lejos lejos lejos preso lejos liberan").topics == ["t"]
    assert c.classify(title="Noticia", text=apart + " lejos lejos lejos preso lejos lejos lejos liberan").topics == []
