"""One named speaker's statements of a few hours (SPEAKER_HOURS): one story when no other story of those hours
names the speaker and the statements share wording besides the name; apart otherwise. Titles
written for these tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from story_helpers import NOW, OTHER_NEWS, PP, WINDOW, index_with
from story_helpers import feats as _feats

from alerts.stories.features import ItemFeatures, StoryEntry, features
from alerts.stories.match import SPEAKER_HOURS, THRESHOLD, Decision, StoryIndex

FIRST = "Ramón Quintero lamenta que no se haya cumplido ni el 1 % de las excarcelaciones prometidas"
SECOND = '"Las familias siguen esperando": Ramón Quintero exige celeridad en las excarcelaciones de presos políticos'


def _index_with(title: str, *more: str) -> StoryIndex:
    return index_with(title, *more, traced=True)


def _pair(index: StoryIndex) -> dict[str, object]:
    assert index.trace is not None
    return next(t for t in index.trace if t["story"] == 1)


def _decide(index: StoryIndex, title: str, hours: float) -> Decision:
    at = NOW + timedelta(hours=hours)
    return index.decide(_feats(2, title, at, outlet="feed:2"), now=at, window=WINDOW)


def test_two_statements_of_one_speaker_the_same_day_are_one_story() -> None:
    index = _index_with(FIRST)
    decision = _decide(index, SECOND, 3)
    assert decision.story_id == 1
    assert decision.signals["frame"] == {"speaker": ["quintero", "ramon"]}
    assert decision.signals["text"] < THRESHOLD


def test_a_speaker_in_another_story_of_those_hours_says_several_things() -> None:
    index = _index_with(FIRST, "Ramón Quintero visita a los presos de Tocorón junto a sus abogados")
    assert _decide(index, SECOND, 3).story_id is None
    assert "frame" not in _pair(index)


def test_statements_hours_apart_stay_apart() -> None:
    index = _index_with(FIRST)
    assert _decide(index, SECOND, SPEAKER_HOURS + 1).story_id is None


def test_a_statement_sharing_only_the_speakers_name_is_another_subject() -> None:
    index = _index_with(FIRST)
    decision = _decide(index, "Ramón Quintero pide a la comunidad internacional vigilar las elecciones regionales", 3)
    assert decision.story_id is None and "frame" not in _pair(index)


def test_two_speakers_stay_apart() -> None:
    index = _index_with(FIRST)
    decision = _decide(index, '"Las familias siguen esperando": Ana Salas exige celeridad en las excarcelaciones', 3)
    assert decision.story_id is None


def test_the_operator_sees_why_statements_were_joined() -> None:
    from alerts.stories.report import why

    decision = _decide(_index_with(FIRST), SECOND, 3)
    line = why(decision.signals)
    assert "statements of quintero ramon" in line and line.startswith("score 0.45 ≥ 0.4")


def test_a_statement_opening_with_its_verb_before_a_colon_has_the_speaker_before_the_verb() -> None:
    # "X advierte a Y: …" is X speaking, as "X advirtió a Y que…" is; the United States in any spelling
    from alerts.stories.text import prepare
    from alerts.stories.wave import speaker_of

    colon = prepare("EE UU advierte a Ramón Quintero: negocia o perderá la inmunidad", "es", ["Ramón Quintero"])
    verb = prepare("Estados Unidos advirtió a Ramón Quintero que perderá la inmunidad si no negocia", "es")
    dotted = prepare("EE. UU. dice que Ramón Quintero perderá la inmunidad", "es")
    assert speaker_of(colon) == speaker_of(verb) == speaker_of(dotted) == frozenset({"eeuu"})
    # a name before the colon is still the speaker
    assert speaker_of(prepare("Ramón Quintero: negociaremos", "es")) == frozenset({"ramon", "quintero"})


def test_what_a_speaker_said_told_as_lo_que_dijo_is_a_statement_not_an_explainer() -> None:
    from alerts.stories.text import prepare
    from alerts.stories.wave import speaker_of

    said = "Lo que aclaró Ramón Quintero sobre las excarcelaciones de presos políticos en el país"
    assert speaker_of(prepare(said, "es")) == frozenset({"ramon", "quintero"})
    assert speaker_of(prepare("Lo que reveló Estados Unidos sobre la venta del petróleo", "es")) == {"eeuu"}
    assert not _feats(1, said, NOW).explainer
    assert _feats(1, "Lo que se sabe de las excarcelaciones de presos políticos", NOW).explainer
    # and it joins the speaker's other telling of the statement that day
    index = _index_with(said)
    decision = _decide(index, "RAMÓN QUINTERO AFIRMÓ QUE LAS EXCARCELACIONES FUERON UNA DECISIÓN UNILATERAL", 2)
    assert decision.story_id == 1  # (an explainer's story takes only near-identical titles)


def test_one_warning_told_with_a_colon_and_with_that_joins_its_story() -> None:
    first = "EEUU advirtió a Ramón Quintero que será objetivo de Washington si no negocia la transición"
    index = _index_with(first)
    decision = _decide(index, "EE UU advierte a Ramón Quintero: negocia o será el siguiente objetivo, según Reuters", 1)
    assert decision.story_id == 1 and "conflicts" not in decision.signals
    assert "advert" in decision.signals["events"]  # "advirtió" and "advierte": one kind of wording


def test_a_warning_and_the_warning_told_as_a_noun_are_one_kind_of_event() -> None:
    from alerts.stories.text import prepare

    verb = prepare("Trump advierte a Delcy Rodríguez de que si no actúa bien acabará peor que Maduro", "es")
    noun = prepare("Advertencia de Trump a Delcy Rodríguez: si no coopera pagaría un precio mayor", "es")
    threat = prepare("Trump amenaza a Delcy Rodríguez con un precio mayor que el de Maduro", "es")
    assert "advert" in verb.events & noun.events & threat.events


def test_a_conversation_told_in_any_tense_is_one_kind_of_event() -> None:
    from alerts.stories.text import prepare

    told = [
        "Trump aseguró que Marco Rubio habló con Delcy Rodríguez para iniciar un proceso de transición",
        "Trump aclara que Marco Rubio está hablando con Delcy Rodríguez en Venezuela",
        "Rubio says he is talking to Delcy Rodríguez",
    ]
    for title in told:
        assert "telefon" in prepare(title, "es" if "Trump" in title else "en").events, title
    assert "telefon" not in prepare("Rubio habló de lo que viene para Maduro", "es").events


def test_the_prosecutors_office_by_any_of_its_names_is_one_kind_of_place() -> None:
    from alerts.stories.text import prepare

    told = [
        "«Venimos a pedir respuestas»: Familiares de presos políticos protestaron frente al Ministerio Público",
        "Familiares exigen en la Fiscalía la liberación de presos políticos",
        "Familiares de presos políticos denuncian traslados lejanos ante el Min-Público",
    ]
    assert all("fiscal" in prepare(title, "es").events for title in told)


def test_a_statement_sharing_only_its_person_and_kind_of_event_joins_when_no_other_story_names_the_person() -> None:
    # the person and the trial are the words of every item of the story (low weight: text under
    # STATEMENT_FRAME_TEXT); the statement is that story's when no other story of the day names
    # the person, and stays apart when one does (Trump's statements on a day of many stories)
    from alerts.stories.match import STATEMENT_FRAME_TEXT

    people = [{"name": "Ramón Quintero", "type": "person"}]
    words = ["Ramón Quintero", "tribunal", "juicio"]

    def feats(item_id: int, title: str, at: datetime, outlet: str = "feed:1") -> ItemFeatures:
        ents = people if "Quintero" in title else []
        return features(item_id=item_id, title=title, lang="es", outlet=outlet, when=at, topics=PP,
                        entities=ents, counts=[], topic_words=words)

    details = ("grilletes", "abucheos", "silencio", "cargos", "fianza", "testigos", "fotografías", "madrugada",
               "custodios", "intérpretes", "aplazamiento", "traje", "llanto", "gritos", "bandera", "sirenas")
    statement = ("Quintero dice que «este juicio es una persecución contra mi familia, mi partido, mis votantes "
                 "y cada sindicato honesto del país»")

    def decide(*more: str) -> Decision:
        index = StoryIndex()
        index.pairs = None
        members = [feats(k, f"Ramón Quintero ante el tribunal: {w}", NOW + timedelta(minutes=10 * k))
                   for k, w in enumerate(details, start=100)]
        index.add_story(StoryEntry(1, "Ramón Quintero ante el tribunal", NOW, NOW, set(PP), members))
        for k, other in enumerate([*OTHER_NEWS, *more], start=10):
            index.add_story(StoryEntry(k, other, NOW, NOW, set(PP), [feats(k, other, NOW)]))
        at = NOW + timedelta(hours=3)
        return index.decide(feats(2, statement, at, outlet="feed:2"), now=at, window=WINDOW)

    joined = decide()
    assert joined.story_id == 1 and joined.signals["text"] < STATEMENT_FRAME_TEXT
    assert joined.signals["frame"] == {"person": ["quintero", "ramon"], "event": ["juicio"]}
    assert decide("Ramón Quintero pide votar en las elecciones regionales de marzo").story_id is None


def test_english_tellings_a_call_and_the_coast_guard() -> None:
    """A call is a conversation in English too, and the Coast Guard is no person (read as one,
    it kept the tanker's second telling out of its story: a `people` conflict)."""
    from alerts.stories.text import prepare

    assert "telefon" in prepare("Trump holds call with Venezuela's acting president Rodríguez", "en").events
    assert prepare("U.S. Coast Guard intercepts Venezuela-linked tanker, officials say", "en").people == ()
    # the sea is no person either (it gave a strike's story a "person" a statement on it lacked)
    assert prepare("US military strikes another alleged drug boat in the Caribbean, killing 3", "en").people == ()
    # deportees are deported people: with the landing, the flight's two kinds of event
    assert {"deport", "llega"} <= prepare("Plane carrying 180 deportees from the US arrives in Venezuela", "en").events


def test_a_nickname_inside_a_name_and_the_supreme_court_are_read_as_they_are() -> None:
    from alerts.stories.text import prepare

    assert prepare('Hugo "el Pollo" Carvajal es extraditado a Estados Unidos desde España', "es").people == (
        frozenset({"hugo", "carvajal"}),)
    assert prepare("Fin del TPS: 350.000 venezolanos podrían ser deportados tras fallo del Supremo", "es").people == ()


# -- one appearance: the occasion both statements are told at ----------------------------------

AT_HEARING = 'Ramón Quintero ante la Asamblea: «La transición tomará tiempo»'
# other stories of the hours naming the speaker and the body: the rule above leaves his statements
# apart, and the words the two statements share (his name, the body) weigh little
NAMING = (
    "La Asamblea debate la inmunidad de Ramón Quintero",
    "Ramón Quintero visita a los presos de Tocorón junto a sus abogados",
    "Abogados de Ramón Quintero piden a la Asamblea su traslado",
    "Cronología del conflicto entre Ramón Quintero y la Asamblea",
)
IN_THE_HEARING = '#Ahora Ramón Quintero en la Asamblea: "No habrá acuerdo con el chavismo"'


def test_statements_told_at_one_occasion_are_one_story_whatever_their_subjects() -> None:
    # both headlines name where he speaks ("ante la Asamblea", "en la Asamblea"): one appearance
    decision = _decide(_index_with(AT_HEARING, *NAMING), IN_THE_HEARING, 2)
    assert decision.story_id == 1 and decision.signals["text"] < THRESHOLD
    assert decision.signals["frame"] == {"speaker": ["quintero", "ramon"], "occasion": ["asamblea"]}


def test_without_the_occasion_in_both_or_with_another_speaker_they_stay_apart() -> None:
    assert _decide(_index_with(AT_HEARING, *NAMING), 'Ramón Quintero: "No habrá acuerdo con el chavismo"',
                   2).story_id is None
    assert _decide(_index_with(AT_HEARING, *NAMING), 'Ana Salas en la Asamblea: "No habrá acuerdo con el chavismo"',
                   2).story_id is None
    # nor what both speak of: the country is no occasion
    about = _decide(_index_with('Ramón Quintero sobre Venezuela: «La transición tomará tiempo»', *NAMING,
                                "Ramón Quintero regresa a Venezuela tras su gira"),
                    'Ramón Quintero sobre Venezuela: "No habrá acuerdo con el chavismo"', 2)
    assert about.story_id is None
    # nor where the speaker always is or posts
    for where in ("en Truth Social", "en la Casa Blanca"):
        posted = _decide(_index_with(f'Ramón Quintero {where}: «La transición tomará tiempo»', *NAMING,
                                     f"Ramón Quintero {where} recibe a empresarios"),
                         f'Ramón Quintero {where}: "No habrá acuerdo con el chavismo"', 2)
        assert posted.story_id is None, where
    # nor hours later (another sitting)
    assert _decide(_index_with(AT_HEARING, *NAMING), IN_THE_HEARING, SPEAKER_HOURS + 1).story_id is None


def test_the_operator_sees_the_occasion_that_joined_statements() -> None:
    from alerts.stories.report import why

    decision = _decide(_index_with(AT_HEARING, *NAMING), IN_THE_HEARING, 2)
    assert "statements of quintero ramon at one occasion (asamblea)" in why(decision.signals)
