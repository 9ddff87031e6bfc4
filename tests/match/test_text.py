from core.text import MAX_FIELD_CHARS, clean_field, fold, haystack, words


def test_accents_and_case_are_folded():
    assert words("Tocorón ÉXCARCELACIÓN Ñandú") == ["tocoron", "excarcelacion", "nandu"]
    assert fold("TOCORÓN") == fold("tocoron")


def test_nfkc_and_punctuation_to_spaces():
    assert words("ﬁnal—«presos»,políticos!") == ["final", "presos", "politicos"]
    assert haystack("EE.UU.") == " ee uu "
    assert haystack("") == " "


def test_us_country_code_is_not_the_pronoun():
    assert words("U.S. strike") == ["u", "s", "strike"]
    assert words("US strike") == ["u", "s", "strike"]
    assert words("tell us more") == ["tell", "us", "more"]


def test_word_boundaries_are_padded_spaces():
    assert " preso " not in haystack("presoterapia")
    assert " preso " in haystack("un preso.")


def test_mixed_scripts_and_emoji():
    assert words("Привет 😀 Caracas 北京") == ["привет", "caracas", "北京"]


def test_clean_field_strips_html_and_caps_size():
    assert clean_field("<p>Excarcelan&nbsp;a <b>87</b></p><script>x()</script>").split() == [
        "Excarcelan", "a", "87"
    ]
    assert clean_field(None) == ""
    assert clean_field(42) == ""
    assert len(clean_field("a" * (MAX_FIELD_CHARS + 10))) == MAX_FIELD_CHARS
