"""The shipped rules against labelled data: held-out targets and the shared samples."""

from pathlib import Path

import pytest

from monitor.match.evaluate import evaluate, load_items

DATA = Path(__file__).resolve().parents[1] / "data"
TOPICS = ["political_prisoners", "us_actions"]


# Every set below was tuned on (docs/MATCHING.md says when and how); the blind sets are not
# asserted here, they are measured with `make eval`.
TUNED_SETS = ["labelled_heldout.jsonl", "labelled_dev2.jsonl", "labelled_dev3.jsonl", "labelled_dev4.jsonl",
              "labelled_dev5.jsonl", "labelled_dev_blind5.jsonl", "labelled_dev6.jsonl",
              "labelled_dev7.jsonl", "labelled_dev_blind7.jsonl",
              "labelled_dev_blind8.jsonl", "labelled_dev_blind9.jsonl",
              "labelled_dev_blind10.jsonl", "labelled_dev8.jsonl",
              "labelled_dev_blind6.jsonl", "labelled_dev_blind13.jsonl", "labelled_dev_blind15.jsonl",
              "labelled_dev_blind16.jsonl", "labelled_dev_blind17.jsonl", "labelled_dev_blind19.jsonl",
              "labelled_dev_blind20.jsonl", "labelled_dev_blind21.jsonl",
              "labelled_dev_blind22.jsonl", "labelled_dev_blind23.jsonl", "labelled_dev_blind25.jsonl",
              "labelled_dev_blind26.jsonl", "labelled_dev_blind28.jsonl",
              "labelled_dev_blind30.jsonl", "labelled_dev_blind31.jsonl",
              "labelled_dev_blind32.jsonl", "labelled_dev_blind33.jsonl"]


@pytest.mark.parametrize("name", TUNED_SETS)
def test_tuned_set_meets_targets(shipped, name):
    report = evaluate(load_items(DATA / name), shipped, TOPICS)
    for topic, m in report.per_topic.items():
        assert m["precision"] >= 0.95, (topic, m, report.errors)
        assert m["recall"] >= 0.90, (topic, m, report.errors)
    assert report.counts["f1"] >= 0.90, (report.counts, report.errors)


PP, US = ["political_prisoners"], ["us_actions"]


@pytest.mark.parametrize(
    "title,summary,lang,topics",
    [
        # boat strikes, told by the boat, the vessel, the sea or the place; strikes that are not
        ("Ataque de EE.UU. destruye una lancha cerca de Trinidad; mueren cinco tripulantes", "", "en", US),
        ("Pentagon says 14 killed in four strikes on boats in a single day", "", "en", US),
        ("Southern Command: 3 killed in latest strike on narco-trafficking vessel", "", "en", US),
        ("Pentágono: bombardeo a embarcación deja tres fallecidos", "", "en", US),
        ("Three suspected smugglers killed in strike in Pacific", "", "en", US),
        ("Navy says 4 killed in US strike on vessel in the Caribbean; 1 survivor", "", "en", US),
        ("US strike off Trinidad kills three, Pentagon says", "", "en", US),
        ("Dockworkers strike in Pacific ports over wages", "", "en", []),
        ("Oil workers strike near Trinidad refinery over wages", "", "en", []),
        ("Hurricane strikes near Trinidad, leaving 3 dead", "", "en", []),
        ("US and Trinidad sign an energy deal on gas fields", "", "en", []),
        # the naval presence, and a carrier elsewhere
        ("Pentagon moves USS Gerald R. Ford carrier group to the Caribbean", "", "en", US),
        ("Dos buques de guerra de EEUU atracan en Curazao", "", "en", US),
        ("Pentagon moves carrier group to the Mediterranean", "", "en", []),
        # Maduro's US case in either language (judge, bail, indictment, prosecutors); other cases
        ("Maduro's defence seeks to subpoena CIA records", "", "en", US),
        ("Cilia Flores pide libertad bajo fianza por motivos de salud", "", "en", US),
        ("Jueza ordena entregar los registros del vuelo que trasladó a Maduro", "", "en", US),
        ("Fiscalía del Distrito Sur acusa a tres exministros venezolanos de narcotráfico", "", "es", US),
        ("Maduro to plead not guilty to the new indictment, his lawyer says", "", "en", US),
        ("Jueza argentina pide a Estados Unidos la extradición de Maduro por lesa humanidad", "", "es", []),
        ("Former Colombian senator pleads not guilty to new indictment", "", "en", []),
        # sanctions and delisting by the Treasury named alone; Venezuela's own treasury
        ("Treasury delists Venezuelan state-run shipping firm", "", "en", US),
        ("Tesoro levanta sanciones a tres bancos venezolanos", "", "en", US),
        ("Tesoro de la Nación reporta más ingresos por impuestos en Venezuela", "", "en", []),
        # Americans held in Venezuela and freed; Americans freed elsewhere
        ("Liberado el estadounidense detenido en Venezuela desde 2024; EE.UU. agradece", "", "en", PP + US),
        ("American held in Venezuela freed after 11 months, family says", "", "en", PP),
        ("Hamas frees two Americans held in Gaza", "", "en", []),
        # arrests for protesting, prisoners still to come out; common crime, common inmates,
        # another country's amnesty
        ("Detienen a once personas en Carúpano por protestar contra la falta de gas", "", "en", PP),
        ("Comité de familiares: 'Faltan 150 militares por salir'", "", "en", PP),
        ("Excluidos de la amnistía: 30 presos políticos siguen en Tocorón", "", "es", PP),
        ("Detienen a once personas en Carúpano por robo de ganado", "", "en", []),
        ("Riot at Yare prison leaves two injured", "The protesters were common inmates demanding visits.", "en", []),
        ("Motín en el Rodeo por falta de agua", "Los reclusos, presos por delitos comunes, exigían visitas.", "en", []),
        ("Corea del Sur aprueba una amnistía para 500 presos por delitos económicos", "", "es", []),
        # Venezuelan news outside both topics
        ("Venezuela's National Assembly approves a budget", "Lawmakers doubted the oil revenue projections.", "en", []),
        ("Los precios del gas pasaron de 5 a 9 bolívares tras las protestas en Francia", "", "en", []),
    ],
)
def test_topics_by_phrasing(shipped, title, summary, lang, topics):
    """Phrasings the labelled sets taught the topic rules (rounds three to eight), each beside
    the near misses that must stay out."""
    assert shipped.classify(title=title, summary=summary, lang=lang).topics == topics


def test_heldout_has_both_languages_and_hard_negatives():
    items = load_items(DATA / "labelled_heldout.jsonl")
    assert {i["lang"] for i in items} == {"es", "en"}
    assert sum(1 for i in items if not i["topics"]) >= 40


def test_dev_set_is_clean(shipped):
    report = evaluate(load_items(DATA / "labelled_dev.jsonl"), shipped, TOPICS)
    for m in report.per_topic.values():
        assert m["precision"] >= 0.95 and m["recall"] >= 0.90
    assert report.counts["f1"] >= 0.90, (report.counts, report.errors)


def test_shipped_config_classifies_shared_samples(shipped, shared_dir):
    path = shared_dir / "samples" / "news_samples.jsonl"
    if not path.exists():
        pytest.skip("shared samples absent")
    report = evaluate(load_items(path), shipped, TOPICS)
    for m in report.per_topic.values():
        assert m["precision"] >= 0.95 and m["recall"] >= 0.90
    assert report.counts["f1"] >= 0.90


def test_shipped_feeds_yaml_loads_through_the_app_config():
    from core.config import load_config
    from monitor.match import build_classifier

    config = load_config(Path(__file__).resolve().parents[2] / "feeds.yaml")
    assert {"political_prisoners", "us_actions"} <= set(config.topics)
    c = build_classifier(config.topics, config.entities)
    assert c.classify(title="Foro Penal verificó 61 excarcelaciones").topics == ["political_prisoners"]


def test_subset_labels_follow_the_shared_rules():
    """Subsets announced before the number ("Entre ellos hay 170 militares", "The figure includes
    100 foreigners") are counts with the total's event, as in labelled_dev3.jsonl."""
    dev = {i["id"]: i for i in load_items(DATA / "labelled_dev.jsonl")}
    heldout = {i["id"]: i for i in load_items(DATA / "labelled_heldout.jsonl")}
    pairs = lambda item: {(c["event"], c["number"]) for c in item["counts"]}  # noqa: E731
    assert ("held", 170) in pairs(dev["d004"])
    assert ("held", 100) in pairs(dev["d100"])
    assert {("held", 78), ("held", 5)} <= pairs(heldout["h002"])


def test_rules_meet_floors_on_the_january_tuning_half(shipped, shared_dir):
    """The rules alone on the real headlines the 2026 rules were tuned on (2-21 January, titles
    only, unsure items left out); floors a little under the figures reached (docs/MATCHING.md,
    "Rules for the real agenda (2026)"). The 22-31 January half is a measure, not asserted."""
    from monitor.match.evaluate import select

    path = shared_dir / "real" / "headlines_es_2026-01.jsonl"
    if not path.exists():
        pytest.skip("real January headlines absent")
    items = select(load_items(path), None, "2026-01-21", skip_unsure=True)
    report = evaluate(items, shipped, TOPICS)
    floors = {"political_prisoners": (0.97, 0.94), "us_actions": (0.93, 0.93)}
    for topic, (precision, recall) in floors.items():
        m = report.per_topic[topic]
        assert m["precision"] >= precision and m["recall"] >= recall, (topic, m)
    assert report.counts["f1"] >= 0.85, report.counts


def test_the_sources_of_the_counts_found_are_scored_apart(shipped):
    """A source right, wrong, missed or extra is scored only on a count found right; the
    labels' spellings are compared by the source they name ("la ONG Foro Penal")."""
    items = [
        {"id": "right", "lang": "es", "title": "Foro Penal verificó 61 excarcelaciones", "topics": PP,
         "counts": [{"event": "released", "number": 61, "source": "la ONG Foro Penal"}]},
        {"id": "missed", "lang": "es", "title": "Excarcelan a 30 presos políticos", "topics": PP,
         "counts": [{"event": "released", "number": 30, "source": "JEP"}]},
        {"id": "wrong", "lang": "es", "title": "Provea contabiliza 12 excarcelaciones", "topics": PP,
         "counts": [{"event": "released", "number": 12, "source": "Foro Penal"}]},
        {"id": "count missed", "lang": "es", "title": "Foro Penal denuncia nuevas detenciones", "topics": PP,
         "counts": [{"event": "arrested", "number": 9, "source": "Foro Penal"}]},
    ]
    s = evaluate(items, shipped, TOPICS).sources
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 2)
    assert s["precision"] == 0.5


def test_bad_labelled_lines_are_reported_by_line_and_skipped(shipped, tmp_path, capsys):
    good = '{"id": "ok", "title": "Excarcelan a 87 presos políticos en Tocorón", "lang": "es", ' \
           '"topics": ["political_prisoners"], "counts": [{"event": "released", "number": 87}]}\n'
    path = tmp_path / "labels.jsonl"
    path.write_bytes(
        "\ufeff".encode() + good.encode()
        + b"[1, 2]\n"
        + b'{"id": "str", "title": "EEUU sanciona a Venezuela", "topics": "us_actions"}\n'
        + b'{"id": "n", "title": "x", "counts": [{"event": "released", "number": "ochenta"}]}\n'
        + b'{"id": "e", "title": "x", "counts": [{"number": 87}]}\n'
        + b'{"id": "latin", "title": "caf\xe9 Foro Penal", "topics": []}\n'
        + b'{"id": "d", "title": "x", "date": "yesterday"}\n'
        + b'{"id": "typo", "title": "Una noticia de deportes", "topics": ["politcal_prisoners"]}\n'
        + b'{"id": "null", "title": null, "summary": "Foro Penal: 87 presos pol\xc3\xadticos excarcelados", '
          b'"topics": []}\n'
    )
    items = load_items(path, TOPICS)
    err = capsys.readouterr().err.splitlines()
    assert [i["id"] for i in items] == ["ok", "typo", "null"]
    assert err == [
        f"{path}: line 2: expected a JSON object, got list",
        f'{path}: line 3: field \'topics\' must be a list of topic ids, got "us_actions"',
        f"{path}: line 4: counts[0]: number 'ochenta' is not a whole number",
        f"{path}: line 5: counts[0] has no event",
        f"{path}: line 6: not UTF-8 (byte 0xe9 at column 30)",
        f"{path}: line 7: date 'yesterday' is not an ISO date (YYYY-MM-DD)",
        f"{path}: line 8: unknown topic 'politcal_prisoners' (the config's: political_prisoners, "
        "us_actions); scored as no topic",
    ]
    report = evaluate(items, shipped, TOPICS)  # a null title is listed, not a crash
    assert report.per_topic["political_prisoners"]["tp"] == 1
    assert any(e.startswith("FP political_prisoners") and " null: " in e for e in report.errors)
