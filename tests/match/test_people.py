"""Watched people: names learned next to arrests, releases, detentions and deaths; matched
whole-word on normalized text; ambiguous names only with context; edits while classifying."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from core.config import load_config
from core.people import clean_name, is_ambiguous, person_key
from monitor.match import build_classifier
from monitor.match.people import (
    NameLearner,
    WatchedPeople,
    learn_names,
    load_seed,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "monitor" / "match" / "data" / "people_seed.txt"


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "feeds.yaml")


@pytest.fixture(scope="module")
def rules(config):
    return build_classifier(config.topics, config.entities)


@pytest.fixture(scope="module")
def learner(config):
    return NameLearner(config.entities)


@pytest.mark.parametrize(("text", "names"), [
    ("Excarcelan a Teodoro Quintana y Mireya Salcedo tras dos años en El Helicoide",
     ["Teodoro Quintana", "Mireya Salcedo"]),
    ("Detienen al periodista Ramiro Oquendo en Barquisimeto", ["Ramiro Oquendo"]),
    ("Denuncian la muerte del preso político Eliseo Baptista en Tocorón", ["Eliseo Baptista"]),
    ("Wilmer Azócar fue excarcelado esta madrugada, confirma Foro Penal", ["Wilmer Azócar"]),
    ("Liberan a la activista María de los Ángeles Parra", ["María de los Ángeles Parra"]),
    ("Yamileth Cordero sale en libertad tras 14 meses en el Rodeo I", ["Yamileth Cordero"]),
    ("Foro Penal confirma la excarcelación de Octavio Lander, Iris Mujica y Pedro Gil",
     ["Octavio Lander", "Iris Mujica", "Pedro Gil"]),
    ("Gumersindo Pacheco, preso político desde 2024, inicia huelga de hambre", ["Gumersindo Pacheco"]),
    ("Gumersindo Pacheco, excarcelado tras dos años en Tocorón", ["Gumersindo Pacheco"]),
    ("EXCARCELAN AL DIRIGENTE SINDICAL ALCIDES BRICEÑO EN ZULIA", ["Alcides Briceño"]),
    ("Venezuela Frees Opposition Activist Leonel Urdaneta After a Year in Jail", ["Leonel Urdaneta"]),
    ("Venezuelan authorities detained journalist Carla Montiel on Monday", ["Carla Montiel"]),
    ("Political Prisoner Perkins Rocha Released In Caracas", ["Perkins Rocha"]),
    ("Venezuela Releases Italian Aid Worker Alberto Trentini", ["Alberto Trentini"]),
])
def test_names_next_to_an_event_are_learned(learner, text, names):
    assert learner.names_in(text) == names


@pytest.mark.parametrize("text", [
    "Excarcelan a 40 presos políticos en Tocorón",
    "Detienen a dos jóvenes por protestar en Maracay",
    "Liberan a ciudadanos de República Dominicana y Costa Rica",  # places, after "de"
    "Excarcelan a la presidenta del Colegio de Médicos de Lara",  # an institution after "del"
    # after "de El", "de la": the outlet or institution and the name were read as one name
    "Detienen a reportera de El Pitazo Andrea Tavares",
    "Reportera de El Pitazo Andrea Tavares fue detenida",  # the same, the name before the event
    "Excarcelan a trabajador de la Alcaldía de Chacao Luis Pérez",
    "Hijo de Celestino Ramos entre los excarcelados de este lunes",  # a relative, not the freed
    "Delcy Rodríguez dice que han liberado a 300 presos políticos",
    "Tras la captura de Nicolás Maduro, Trump habla de petróleo",  # a head of government
    "Detienen a Cilia Flores en Nueva York",
    "Liberan a Marco Rubio",  # a non-Venezuelan gazetteer person
    "Excarcelados el Lunes Negro",  # a one-word name is never learned
    "EN VIVO: detienen a Jorge Rodríguez",
    # English in Title Case: function words, plurals and events are not names ("Near Border",
    # "Including Americans" were watched, and matched "Troops Near Border" as a prisoner's news)
    "Venezuela Frees Political Prisoners Including Americans, Says Rubio",
    "Venezuela Frees Five Americans Held In Caracas Prisons",
    "Venezuela Detains Colombian Journalist Near Border",
    "Lawyer For Detained Journalist Says Client Was Tortured",
    # who said it, before a comma and the verb: the source, not the freed
    "Según Alfredo Romero, fueron excarcelados 40 presos políticos",
    "De acuerdo con Gonzalo Himiob, fue liberado el periodista",
])
def test_no_name_is_learned_where_none_should_be(learner, text):
    assert learner.names_in(text) == []


@pytest.mark.parametrize(("text", "names"), [
    ("María de los Ángeles Rodríguez fue excarcelada", ["María de los Ángeles Rodríguez"]),
    ("Excarcelan a María de los Ángeles Rodríguez, presa política", ["María de los Ángeles Rodríguez"]),
    ("Ana de la Cruz fue excarcelada anoche", ["Ana de la Cruz"]),
    ("María de las Mercedes Rodríguez fue excarcelada", ["María de las Mercedes Rodríguez"]),
    ("MARÍA DE LOS ÁNGELES RODRÍGUEZ FUE EXCARCELADA", []),  # capitals: the name is cut at DE LOS
])
def test_a_name_before_the_event_keeps_its_particles(learner, text, names):
    # cut at "de los", it taught "Ángeles Rodríguez", another person's name
    assert learner.names_in(text) == names


def test_names_are_learned_only_from_rule_matches(learner, rules, config):
    title = "Excarcelan al periodista Ramiro Oquendo, confirma Foro Penal"
    result = rules.classify(title)
    assert result.decided_by["political_prisoners"] == "rules"
    assert learn_names(title, "", result, learner) == ["Ramiro Oquendo"]
    # a watched name alone never teaches more names (no feedback loop)
    watched = WatchedPeople(["Ramiro Oquendo"])
    with_watched = build_classifier(config.topics, config.entities, watched=watched)
    title2 = "Ramiro Oquendo y Sergio Lameda, liberado, visitan a sus familias"
    result2 = with_watched.classify(title2)
    if result2.decided_by.get("political_prisoners") == "watched":
        assert learn_names(title2, "", result2, learner) == []
    # an item that is not about political prisoners teaches nothing
    assert learn_names("Liberan a Rosa Quintero, secuestrada en Colombia", "",
                       rules.classify("Un sismo sacude Caracas"), learner) == []


def test_one_item_teaches_at_most_twenty_names_the_titles_first(learner, rules):
    from monitor.match.people.learn import MAX_PER_ITEM

    title = "Excarcelan al periodista Ramiro Oquendo, confirma Foro Penal"
    first = ["Ana", "Luis", "Carmen", "José", "María", "Pedro", "Rosa", "Jorge", "Elena", "Raúl"]
    last = ["Quintero", "Ochoa", "Rangel", "Salas", "Bravo", "Medina", "Torres", "Lara", "Mora", "Vivas"]
    summary = " ".join(f"Excarcelan a {f} {la}." for f in first for la in last)  # 100 names
    names = learn_names(title, summary, rules.classify(title), learner)
    assert len(names) == MAX_PER_ITEM == 20 and names[0] == "Ramiro Oquendo"


def test_display_names_keep_accents_and_caps_become_title_case():
    assert clean_name("  «ALCIDES BRICEÑO DE LA ROSA»  ") == "Alcides Briceño de la Rosa"
    assert person_key("Rocío SAN Miguel") == "rocio san miguel"


def test_names_in_capitals_keep_the_capital_after_an_apostrophe_or_a_hyphen(learner):
    # "D'alessandro", "Pérez-garcía" were stored and listed for names a headline in capitals taught
    assert clean_name("RAFAEL D'ALESSANDRO") == "Rafael D'Alessandro"
    assert clean_name("JOSÉ PÉREZ-GARCÍA") == "José Pérez-García"
    assert clean_name("LUIS O’NEILL DE LA ROSA") == "Luis O’Neill de la Rosa"
    assert clean_name("JUAN PÉREZ'S") == "Juan Pérez's"  # a possessive is not a name's part
    assert learner.names_in("EXCARCELAN A RAFAEL D'ALESSANDRO Y JOSÉ PÉREZ-GARCÍA") == [
        "Rafael D'Alessandro", "José Pérez-García"]


def test_ambiguous_names():
    assert is_ambiguous("Guanipa")  # one word
    assert is_ambiguous("José García")  # two common names
    assert not is_ambiguous("Teodoro Quintana")
    assert not is_ambiguous("José Gregorio Quintana")


def test_watched_names_match_whole_words_on_normalized_text(config):
    watched = WatchedPeople(["Teodoro Quintana"])
    clf = build_classifier(config.topics, config.entities, watched=watched)
    hit = clf.classify("TEODORO QUINTANA reaparece en un acto en Valencia")
    assert hit.topics == ["political_prisoners"]
    assert hit.explain["political_prisoners"] == [
        {"term": "Teodoro Quintana", "field": "title", "role": "watched"}
    ]
    assert hit.decided_by["political_prisoners"] == "watched"
    assert clf.classify("Teodoro Quintanilla gana el torneo").topics == []
    assert clf.classify("", summary="Habló «Teodoro Quintana» 🎙️ ayer").topics == ["political_prisoners"]
    assert clf.classify("Nada que ver", text="Teodoro Quintana en el cuerpo del texto").topics == []


def test_ambiguous_names_need_venezuelan_or_prisoner_context(config):
    watched = WatchedPeople(["José García", "Quintana"])
    clf = build_classifier(config.topics, config.entities, watched=watched)
    assert clf.classify("José García gana la maratón de Boston").topics == []
    assert clf.classify("Quintana presenta su libro").topics == []
    assert clf.classify("José García habla en Caracas").topics == ["political_prisoners"]
    assert clf.classify("Quintana: «la cárcel no me quebró»").topics == ["political_prisoners"]


def test_rules_come_first_and_exclusions_still_apply(config, rules):
    watched = WatchedPeople(["Teodoro Quintana"])
    clf = build_classifier(config.topics, config.entities, watched=watched)
    result = clf.classify("Excarcelan a Teodoro Quintana, confirma Foro Penal")
    assert result.decided_by["political_prisoners"] == "rules"
    assert all(e["role"] != "watched" for e in result.explain["political_prisoners"])


def test_the_set_changes_at_run_time_without_rebuilding_the_rules(config):
    watched = WatchedPeople()
    clf = build_classifier(config.topics, config.entities, watched=watched)
    title = "Mireya Salcedo visita a su madre"
    assert clf.classify(title).topics == []
    assert watched.add(["Mireya Salcedo", "MIREYA SALCEDO"]) == ["Mireya Salcedo"]
    assert clf.classify(title).topics == ["political_prisoners"]
    assert watched.remove("mireya salcedo")
    assert clf.classify(title).topics == []
    watched.replace(["Mireya Salcedo"])
    assert "Mireya Salcedo" in watched and len(watched) == 1


def test_edits_while_classifying_from_other_threads(config):
    watched = WatchedPeople(["Nombre Base"])
    clf = build_classifier(config.topics, config.entities, watched=watched)
    errors: list[BaseException] = []
    stop = threading.Event()

    def classify() -> None:
        try:
            while not stop.is_set():
                assert clf.classify("Nombre Base saluda").topics == ["political_prisoners"]
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    readers = [threading.Thread(target=classify) for _ in range(3)]
    for t in readers:
        t.start()
    for i in range(200):
        watched.add([f"Persona Numero{i}"])
        if i % 3 == 0:
            watched.remove(f"Persona Numero{i}")
    stop.set()
    for t in readers:
        t.join()
    assert errors == []
    assert len(watched) == 1 + 200 - 67


def test_the_seed_is_sorted_unique_and_learnable(learner):
    names = load_seed()
    assert names, "the package ships a seed list"
    keys = [person_key(n) for n in names]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(learner.allowed(n) for n in names)


def test_the_seed_is_what_january_teaches(shared_dir, config, rules, learner):
    """Reproducible: regenerating the seed from the real headlines gives the shipped file."""
    from monitor.people_cli import seed_names

    path = shared_dir / "real" / "headlines_es_2026-01.jsonl"
    if not path.is_file():
        pytest.skip("the real January headlines are absent")
    items = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert seed_names(items, rules, learner) == load_seed()
