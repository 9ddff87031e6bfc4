import pytest

from core.terms import inflect, parse_term


def test_inflect_spanish_gender_and_number():
    assert {"preso", "presa", "presos", "presas"} <= inflect("preso")
    assert {"detenido", "detenida", "detenidos", "detenidas"} <= inflect("detenido")
    assert "opositores" in inflect("opositor")
    assert "detenciones" in inflect("detencion")


def test_inflect_english_verbs_and_plurals():
    assert {"release", "releases", "released", "releasing"} <= inflect("release")
    assert {"arrests", "arrested", "arresting"} <= inflect("arrest")
    assert "journalists" in inflect("journalist")


def test_parse_phrase_with_inflections():
    t = parse_term("preso~ Político~")
    assert " presas politicas " in t.keys
    assert " presos politicos " in t.keys
    assert t.nwords == 2


def test_prefix_only_on_last_word():
    assert parse_term("excarcel*").keys == (" excarcel",)
    with pytest.raises(ValueError, match="last word"):
        parse_term("pres* politicos")
    with pytest.raises(ValueError, match="shorter than"):
        parse_term("ex*")


def test_empty_and_punctuation_only_terms_never_match():
    for bad in ("", "   ", "!!!", "~"):
        with pytest.raises(ValueError):
            parse_term(bad)


def test_entity_reference():
    t = parse_term("@Foro Penal")
    assert t.entity == "Foro Penal" and t.keys == ()


def test_variant_explosion_is_refused():
    with pytest.raises(ValueError, match="expands to"):
        parse_term("aaao~ bbbo~ ccco~ dddo~ eeeo~")
