"""Who states a figure, on real January headlines (../shared/real) and their near misses:
an unnamed NGO, a foreign government speaking of its citizens, a demand of release by
the one who opens the headline; and what is none of them."""

import pytest

from alerts.tally.figures import DEFAULT_SOURCES, RIGHTS
from monitor.match.counts import extract_counts
from monitor.match.counts.sources import canonical_source


def sources(text: str) -> list[tuple[str, int, str | None]]:
    return [(c.event, c.number, c.source) for c in extract_counts([text])]


@pytest.mark.parametrize(
    "text,expected",
    [
        # an NGO the headline does not name: the rights group that verified the figure
        ("ONG verifican 53 de las 116 excarcelaciones anunciadas por el Gobierno venezolano",
         [("released", 53, "an NGO"), ("released", 116, "the government")]),
        ("Oenegé registra 294 excarcelaciones y exige que se realicen con “plenas garantías”",
         [("released", 294, "an NGO")]),
        ("Una ONG venezolana denunció que se desconoce el paradero de al menos 200 presos políticos",
         [("held", 200, "an NGO")]),
        # several NGOs are no one group; a named one introduced as an NGO is that one
        ("Foro Penal registra 500 presos políticos; las ONG estiman la cifra entre 480 y 530",
         [("held", 500, "Foro Penal"), ("held", 480, "NGOs"), ("held", 530, "NGOs")]),
        ("La ONG Foro Penal contabiliza 687 presos políticos", [("held", 687, "Foro Penal")]),
        # a foreign government, by its name, an office and an adjective, or its capital
        ("Italia confirmó la liberación de dos ciudadanos detenidos en Venezuela y su inminente retorno",
         [("released", 2, "Italy")]),
        ("Canciller español anuncia la excarcelación de otros 3 presos políticos españoles",
         [("released", 3, "Spain")]),
        ("PERÚ ANUNCIA LA LIBERACIÓN DE OTROS DOS PERUANOS DETENIDOS EN VENEZUELA", [("released", 2, "Peru")]),
        ("El Gobierno de Colombia confirmó la liberación de cinco colombianos", [("released", 5, "Colombia")]),
        ("Two Colombians released from Venezuelan prison, Bogotá says", [("released", 2, "Colombia")]),
        # a demand of release, by the one who opens the headline ("EE .UU." as scraped)
        ("EE .UU. PIDE LA LIBERACIÓN DE LOS 1.000 PRESOS POLÍTICOS QUE HAY EN VENEZUELA",
         [("held", 1000, "United States")]),
        ("SNTP EXIGIÓ LIBERACIÓN INMEDIATA DE SEIS PERIODISTAS DETENIDOS POR RAZONES POLÍTICAS",
         [("held", 6, "SNTP")]),
        # named last, after a comma, by a verb of denouncing or reporting (titles written for it)
        ("La Ley de Amnistía deja por fuera a 150 militares presos, denuncia JEP", [("held", 150, "JEP")]),
        ("Detienen a 12 manifestantes en Lara, denunció el Foro Penal", [("arrested", 12, "Foro Penal")]),
        ("Suben a 57 las excarcelaciones de este fin de semana, reporta Provea", [("released", 57, "Provea")]),
    ],
)
def test_who_states_the_figure(text, expected):
    assert sources(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # the United States did it, said nothing: a genitive, a colon after a partner, a bare "by"
        ("Ofensiva de cinco meses de EE UU: más de 35 lanchas destruidas y un centenar de fallecidos",
         [("dead", 100, None)]),
        ("Canje con Washington: regresan 10 estadounidenses y 252 venezolanos liberados del CECOT",
         [("released", 10, None), ("released", 252, None)]),
        ("Caracas also released some 80 political prisoners under the deal brokered by Washington",
         [("released", 80, None)]),
        # the one thanked is not the one asking; a figure announced by someone unnamed is not the asker's
        ("Machado agradece a Trump y pide mantener la presión hasta que salgan los 800 presos políticos",
         [("held", 800, None)]),
        ("Plataforma Unitaria exige publicar la lista de los 626 excarcelados anunciados",
         [("released", 626, None)]),
        # people of a nationality are people, not their government; a request that is no release
        ("Liberan a tres italianos detenidos en Venezuela", [("released", 3, None)]),
        ("Cancillería colombiana pide acceso consular a 17 ciudadanos detenidos", [("arrested", 17, None)]),
    ],
)
def test_who_does_not_state_it(text, expected):
    assert sources(text) == expected


def test_venezuelas_government_is_not_a_foreign_one():
    """"Gobierno" alone is Caracas; "Gobierno de España" is Spain's, the longer mention."""
    assert sources("El Gobierno de España confirmó la excarcelación de cinco españoles") == [
        ("released", 5, "Spain")]
    assert sources("El Gobierno confirmó la excarcelación de cinco presos políticos") == [
        ("released", 5, "the government")]


@pytest.mark.parametrize(
    "label,canonical",
    [("ONG", "an NGO"), ("Oenegé", "an NGO"), ("una ONG venezolana", "an NGO"), ("NGOs", "NGOs"),
     ("Alemania", "Germany"), ("el canciller español", "Spain"), ("EE.UU.", "United States"),
     ("la ONG Foro Penal", "Foro Penal")],
)
def test_labels_name_the_same_sources(label, canonical):
    """The readers' free-text sources compare with the reader's canonical names."""
    assert canonical_source(label) == canonical


def test_an_unnamed_ngo_counts_as_a_rights_group_in_the_tally():
    for name in ("an NGO", "NGOs"):
        assert DEFAULT_SOURCES.kind(DEFAULT_SOURCES.normalize(name)) == RIGHTS
    assert DEFAULT_SOURCES.kind(DEFAULT_SOURCES.normalize("Italy")) != RIGHTS


def test_the_tally_names_every_source_the_reader_states():
    """A source the count reader states is named in the tally, not "other (outlet)": the
    1,000 still held that the United States asked to free, the PUD's 65 verified."""
    for name in ("United States", "Italy", "PUD", "SNTP", "an NGO", "NGOs"):
        assert DEFAULT_SOURCES.normalize(name) == name


@pytest.mark.parametrize(
    "text,name",
    [
        # one phrasing of each alternative of the patterns checked for a word before their scan
        ("ministerio de servicio penitenciario asegura 116", "the government"),
        ("el ministro de interior dijo 8", "the government"),
        ("el regimen reporto 80", "the government"), ("la fiscalia informo 3", "the government"),
        ("the attorney general said 4", "the government"), ("freed by caracas: 6", "the government"),
        ("el ejecutivo habla de 900", "the government"), ("padrino lopez registra 47", "the government"),
        ("hegseth dijo que 3", "the Pentagon"), ("el departamento de guerra informo 4", "the Pentagon"),
        ("the war secretary said 5", "the Pentagon"), ("el pentagono confirma 6", "the Pentagon"),
        ("la onu contabiliza 1.800", "the United Nations"), ("u n experts say 300", "the United Nations"),
        ("la comision interamericana pidio 12", "IACHR"), ("the iachr said 40", "IACHR"),
        ("las ong estiman 480", "NGOs"), ("rights groups put it at 410", "NGOs"),
        ("organizaciones de derechos humanos cuentan 300", "NGOs"),
        ("una ong venezolana denuncio 200", "*ngo"), ("organizacion no gubernamental registra 90", "*ngo"),
        # Caracas and Venezuela as the state speaking
        ("venezuela says it freed 110", "the government"), ("venezuela claimed 3", "the government"),
        ("venezuela announces 9 releases", "the government"), ("caracas says 5", "the government"),
        ("caracas announced 5", "the government"), ("los excarcelados por caracas: 5", "the government"),
        ("maduro dijo 3", "the government"), ("cabello informo 8", "the government"),
        ("saab anuncio 10", "the government"), ("iris varela considera 2", "the government"),
        ("el gobierno anuncio 7", "the government"), ("the government said 7", "the government"),
        ("the regime said 7", "the government"), ("el fiscal general dijo 7", "the government"),
        # the patterns of named sources
        ("el foro penal verifico 61", "Foro Penal"), ("la jep denuncia 5", "JEP"),
        ("justicia, encuentro y perdon registra 7", "JEP"), ("justicia encuentro y perdon registra 7", "JEP"),
        ("provea contabiliza 560", "Provea"), ("el observatorio venezolano de prisiones registra 30", "OVP"),
        ("el ovp registra 30", "OVP"), ("clippve denuncia 4", "Clippve"),
        ("el comite por la libertad de los presos politicos denuncia 4", "Clippve"),
        ("el comando sur informo 3", "Southern Command"), ("southern command said 3", "Southern Command"),
        ("southcom said 3", "Southern Command"), ("el sntp denuncia 6", "SNTP"),
        ("el sindicato nacional de trabajadores de la prensa denuncia 6", "SNTP"),
        ("el sindicato de trabajadores de la prensa denuncia 6", "SNTP"),
        ("la pud denuncia 9", "PUD"), ("la plataforma unitaria denuncia 9", "PUD"),
        ("jorge rodriguez anuncio 100", "Jorge Rodríguez"), ("delcy dijo 100", "Delcy Rodríguez"),
        ("trump said 11", "Trump"), ("the justice department said 4", "the Justice Department"),
        ("the department of justice said 4", "the Justice Department"),
        ("el departamento de justicia informo 4", "the Justice Department"), ("the doj said 4", "the Justice Department"),
        ("la organizacion registra 5", "*"), ("the group said 5", "*"), ("the organisation said 5", "*"),
        ("the organization said 5", "*"), ("the rights group said 5", "*"), ("the watchdog said 5", "*"),
    ],
)
def test_a_pattern_checked_for_a_word_first_still_finds_every_phrasing(text, name):
    """`source_mentions` skips a slow pattern when none of the words it needs is in the
    sentence (the classifier's speed, docs/SCALE.md): each phrasing it reads is still found."""
    from monitor.match.counts.sources import source_mentions

    assert name in [found for _, _, found in source_mentions(text, [])]


@pytest.mark.parametrize(
    "text,expected",
    [
        # wire style: the source alone at the end, after a colon or a dash (English hunt, made up)
        ("Venezuela frees 87 political prisoners: Foro Penal", [("released", 87, "Foro Penal")]),
        ("Venezuela frees 87 political prisoners - Foro Penal", [("released", 87, "Foro Penal")]),
        ("Venezuela frees 87 political prisoners — Foro Penal", [("released", 87, "Foro Penal")]),
        ("Venezuela frees 87 political prisoners -rights group Foro Penal", [("released", 87, "Foro Penal")]),
        ("Excarcelan a 87 presos políticos: Foro Penal", [("released", 87, "Foro Penal")]),
        ("US strike kills three on alleged drug boat - Southern Command", [("dead", 3, "Southern Command")]),
        ("Gobierno excarcela a 87 presos políticos: la ONG Foro Penal", [("released", 87, "Foro Penal")]),
        # a name introduced as a group or an NGO after "says", "según", "according to"
        ("Venezuela frees 87 political prisoners, says rights group Foro Penal", [("released", 87, "Foro Penal")]),
        ("Excarcelan a 87 presos políticos, según la ONG Foro Penal", [("released", 87, "Foro Penal")]),
        ("Venezuela frees 87 political prisoners, according to rights group Foro Penal",
         [("released", 87, "Foro Penal")]),
        ("Excarcelan a 87 presos políticos, según la organización Foro Penal", [("released", 87, "Foro Penal")]),
    ],
)
def test_a_source_that_closes_the_headline_or_is_introduced_states_the_figure(text, expected):
    assert sources(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # a clause after the colon, an outlet after a dash, a section word on its own line: no source
        ("El régimen de Venezuela dijo haber excarcelado a “más de 400″ presos políticos: ONG independientes"
         " desmintieron la cifra", [("released", 400, "the government")]),
        ("Venezuela frees 87 political prisoners - Reuters", [("released", 87, None)]),
        ("Ofensiva de cinco meses: un centenar de fallecidos\nEE UU", [("dead", 100, None)]),
        ("Venezuela frees 87 political prisoners, rights group says", [("released", 87, None)]),
    ],
)
def test_what_closes_a_headline_without_stating_its_figure(text, expected):
    assert sources(text) == expected


def test_an_english_minister_is_the_government_a_foreign_minister_is_not_venezuelas():
    assert sources("Eleven soldiers arrested over alleged coup plot, defense minister says") == [
        ("arrested", 11, "the government")]
    assert sources("Interior minister says 47 arrested for 'conspiracy' ahead of inauguration") == [
        ("arrested", 47, "the government")]
    assert sources("Foreign Minister José Manuel Albares said three Spaniards remain detained") == [
        ("held", 3, None)]


@pytest.mark.parametrize(
    "text,expected",
    [
        # one who speaks for the source, named after the figure (wire and Spanish headlines, made up)
        ("Venezuela frees 30 political prisoners, Foro Penal's Gonzalo Himiob says", [("released", 30, "Foro Penal")]),
        ("Some 60 political prisoners freed overnight in Venezuela, Foro Penal director says",
         [("released", 60, "Foro Penal")]),
        ("Venezuela frees 87 political prisoners, says Foro Penal director Alfredo Romero",
         [("released", 87, "Foro Penal")]),
        ("Excarcelan a 87 presos políticos, dice el director de Foro Penal", [("released", 87, "Foro Penal")]),
        ("Excarcelan a 87 presos políticos, según el director de la ONG Foro Penal, Alfredo Romero",
         [("released", 87, "Foro Penal")]),
    ],
)
def test_one_who_speaks_for_a_source_states_its_figure(text, expected):
    assert sources(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # real (w0808, w1046): two who confirm a figure together both state it (before, the
        # first named alone: "56–76 verificados por PUD", and the tally's "PUD" line)
        ("La PUD y Foro Penal confirman entre 56 y 76 excarcelaciones de presos políticos\nPOLÍTICA",
         [("released", 56, "PUD & Foro Penal"), ("released", 76, "PUD & Foro Penal")]),
        ("Foro Penal y la PUD confirman más de un centenar de excarcelaciones",
         [("released", 100, "Foro Penal & PUD")]),
        ("Provea and Foro Penal say 31 new arrests since Maduro's capture",
         [("arrested", 31, "Provea & Foro Penal")]),
        # an unnamed group is no partner
        ("Foro Penal y la ONG confirman 56 excarcelaciones", [("released", 56, "Foro Penal")]),
        # a list of three states it too (before, "Provea & JEP": the first was dropped)
        ("Foro Penal, Provea y Justicia, Encuentro y Perdón contabilizan 800 presos políticos",
         [("held", 800, "Foro Penal & Provea & JEP")]),
        ("Foro Penal, Provea, and JEP say 800 political prisoners remain",
         [("held", 800, "Foro Penal & Provea & JEP")]),
        # "según" governs its whole list (before, the first alone)...
        ("Foro Penal, Provea y JEP registran 800 presos políticos",  # the plural of a stating verb
         [("held", 800, "Foro Penal & Provea & JEP")]),
        ("Foro Penal y Provea contabilizaron 300 excarcelaciones", [("released", 300, "Foro Penal & Provea")]),
        ("Según Foro Penal, Provea y el CLIPPVE hay 900 presos políticos",
         [("held", 900, "Foro Penal & Provea & Clippve")]),
        ("Según Provea y Foro Penal, hay 900 presos políticos", [("held", 900, "Provea & Foro Penal")]),
        # ...but its comma ends it: what follows is a clause of its own
        ("Según la ONU, Provea y Foro Penal contabilizan 800 presos políticos",
         [("held", 800, "Provea & Foro Penal")]),
        ("Según la ONU, Provea contabiliza 800 presos políticos", [("held", 800, "Provea")]),
        # nor does a comma after a name a preposition governs open a list
        ("Tras reunirse con la ONU, Foro Penal y Provea contabilizan 800 presos políticos",
         [("held", 800, "Foro Penal & Provea")]),
        # two set against each other: each its own figure, in their order (before, both the second's)
        ("Provea y Foro Penal difieren: 1.050 vs. 884 presos políticos",
         [("held", 1050, "Provea"), ("held", 884, "Foro Penal")]),
        ("Provea and Foro Penal disagree: 1,050 vs. 884 political prisoners",
         [("held", 1050, "Provea"), ("held", 884, "Foro Penal")]),
        ("Foro Penal: 1.050 vs. 884 presos políticos", [("held", 1050, "Foro Penal"), ("held", 884, "Foro Penal")]),
    ],
)
def test_sources_that_state_a_figure_together(text, expected):
    assert sources(text) == expected


def test_a_list_of_three_sources_is_shown_as_a_list():
    from alerts.render import counts_line

    found = extract_counts(["Foro Penal, Provea y JEP confirman 56 excarcelaciones de presos políticos"])
    assert counts_line(found, "es") == "56 verificados por Foro Penal, Provea y JEP"
    assert counts_line(found, "en") == "56 verified by Foro Penal, Provea and JEP"


def test_a_joint_figure_is_shown_with_both_and_tallied_as_the_rights_groups():
    from alerts.render import counts_line
    from core.count import verified

    found = extract_counts(["La PUD y Foro Penal confirman entre 56 y 76 excarcelaciones de presos políticos"])
    assert counts_line(found, "es") == "56–76 verificados por PUD y Foro Penal"
    assert counts_line(found, "en") == "56–76 verified by PUD and Foro Penal"
    assert verified("released", "PUD & Foro Penal") and not verified("released", "the government & Italy")
    assert DEFAULT_SOURCES.normalize("PUD & Foro Penal") == "Foro Penal"  # the rights group's line
    assert DEFAULT_SOURCES.kind(DEFAULT_SOURCES.normalize("Foro Penal & PUD")) == RIGHTS
    assert DEFAULT_SOURCES.normalize("PUD & somebody") == "PUD"
    assert canonical_source("PUD & Foro Penal") == canonical_source("la PUD y Foro Penal")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # English wires: "Venezuela says" is the state speaking (before, no source: the alert read
        # "110 excarcelados", not "según el Gobierno", and the tally filed it under no one)
        ("Venezuela says it freed 110 prisoners as 'a gesture of peace'", [("released", 110, "the government")]),
        ("Venezuela says 64 prisoners were freed Friday; Foro Penal confirms 51",
         [("released", 64, "the government"), ("released", 51, "Foro Penal")]),
        # the actor is no source, nor a party with the country in its name
        ("Venezuela frees 87 political prisoners, says Foro Penal", [("released", 87, "Foro Penal")]),
        ("Vente Venezuela says 38 of its campaign staff are behind bars", [("held", 38, None)]),
    ],
)
def test_venezuela_says_is_the_government(text, expected):
    assert sources(text) == expected


def test_a_label_naming_venezuela_as_the_source_is_the_government():
    assert canonical_source("Venezuela") == "the government"
    assert canonical_source("Vente Venezuela") != "the government"


@pytest.mark.parametrize(
    "text,expected",
    [
        # w1663 of the real January headlines: the readers' source is Iris Varela, a voice of
        # the government (as Cabello, Saab, Padrino López); "considera" gave no source
        ("Iris Varela considera a Maduro y Cilia Flores como los “dos únicos presos políticos” del país",
         [("held", 2, "the government")]),
        ("Delcy Rodríguez considera a Maduro y Cilia Flores como los “dos únicos presos políticos” del país",
         [("held", 2, "Delcy Rodríguez")]),
        # what a speaker holds, warns of, lets out or admits, as "asegura" and "afirma" did
        ("Foro Penal advierte que hay 800 presos políticos en Venezuela", [("held", 800, "Foro Penal")]),
        ("Provea revela que 57 presos políticos fueron excarcelados", [("released", 57, "Provea")]),
        ("El Gobierno reconoce 116 excarcelaciones", [("released", 116, "the government")]),
        ("Foro Penal considera a 800 personas como presos políticos", [("held", 800, "Foro Penal")]),
    ],
)
def test_a_speaker_who_holds_warns_or_admits_states_the_figure(text, expected):
    assert sources(text) == expected


def test_the_readers_iris_varela_is_the_government_they_compare_with():
    assert canonical_source("Iris Varela") == "the government"


@pytest.mark.parametrize("text, expected", [
    ("Foro Penal: 412 presos políticos fueron excarcelados desde enero; quedan 600",
     [("released", 412, "Foro Penal"), ("held", 600, "Foro Penal")]),
    ("Según Foro Penal, 30 fueron excarcelados; 600 siguen presos",
     [("released", 30, "Foro Penal"), ("held", 600, "Foro Penal")]),
    # a later sentence naming its own source keeps it; a headline opened by no source lends none
    ("Foro Penal: 30 excarcelados; el gobierno habla de 100",
     [("released", 30, "Foro Penal"), ("released", 100, "the government")]),
    ("Excarcelan a 30 presos políticos; quedan 600", [("released", 30, None), ("held", 600, None)]),
])
def test_a_headline_opened_by_its_source_lends_it_to_its_later_sentences(text, expected):
    """"Foro Penal: …; quedan 600": the 600 were nobody's (a sentence is read on its own), so
    the tally could not say who counts those still held."""
    assert sources(text) == expected


def test_every_source_pattern_is_checked_for_its_words_first():
    """A pattern opening with \\b is tried at every position of a sentence: each has the words
    it needs (`_ANCHORS`; the phrasings above check that they are needed, not sufficient)."""
    from monitor.match.counts.sources import _ANCHORS, SOURCES

    assert {name for name, _ in SOURCES} == set(_ANCHORS)


@pytest.mark.parametrize(
    "text,expected",
    [
        # real w0186: the outlet before the colon states the figure it tells
        ("NYTimes: Número de muertes en ataques estadounidenses a Venezuela asciende a 80 personas",
         [("dead", 80, "NYTimes")]),
        ("Reuters: Venezuela excarcela a 80 presos políticos", [("released", 80, "Reuters")]),
        # real w0129: an outlet quoting someone tells that one's figure, not its own
        ("NYT: «ALTO FUNCIONARIO AFIRMA QUE UNAS 40 PERSONAS MURIERON EN ATAQUE ESTADOUNIDENSE»",
         [("dead", 40, None)]),
        # another source named in the sentence is the figure's, not the outlet's
        ("Reuters: Foro Penal confirma 80 presos políticos excarcelados", [("released", 80, "Foro Penal")]),
        ("Prodavinci: más de 18.000 detenciones políticas en una década, según los registros de Foro Penal",
         [("arrested", 18000, None)]),
        # a rights group before the colon speaks for itself, as before; an outlet further in is no lead-in
        ("Foro Penal: 412 excarcelados desde enero", [("released", 412, "Foro Penal")]),
        ("Excarcelan a 80 presos políticos, informa Reuters: la lista", [("released", 80, None)]),
    ],
)
def test_an_outlet_opening_a_headline_before_its_colon_states_its_figure(text, expected):
    assert sources(text) == expected
