"""How `monitor.parse.nesting.close_deep` counts the elements a page leaves open and where it
closes them: the text only (what libxml2 makes of it is tested through polls in
test_hostile_markup.py)."""

from monitor.parse.nesting import close_deep


def test_a_page_that_stays_under_the_limit_is_given_back_as_it_is() -> None:
    text = "<html><body>" + "<div><p>uno<br><img src=x></div>" * 1_000 + "<b>" * 40
    assert close_deep(text, limit=448, keep=64) == (text, 0)


def test_past_the_limit_the_innermost_elements_are_closed_down_to_keep() -> None:
    text = "<section>" + "<span>" * 500 + "<article>"
    out, closed = close_deep(text, limit=448, keep=64)
    assert closed == 384
    assert out == "<section>" + "<span>" * 447 + "</span>" * 384 + "<span>" * 53 + "<article>"  # the section stays


def test_a_scripts_and_a_comments_markup_is_text_not_elements() -> None:
    text = "<script>" + "<div>" * 1_000 + "</script><!--" + "<div>" * 1_000 + "-->" + "<div/>" * 1_000
    assert close_deep(text, limit=448, keep=64) == (text, 0)


def test_an_end_tag_closes_nothing_across_an_element_of_a_higher_priority() -> None:
    # libxml2 leaves `</b>` unread inside a `<div>`: each <b><div> stays open, 600 deep
    assert close_deep("<b><div></b>" * 300, limit=448, keep=64)[1] == 384
    assert close_deep("<b><i></b>" * 300, limit=448, keep=64)[1] == 0  # each </b> closes its <i>


def test_without_end_tags_a_nest_they_seem_to_undo_is_closed() -> None:
    # libxml2 has closed the <b> when the </b> comes (the second <p> closed it) and nests on:
    # counted with the end tags the page never passes the limit, without them it does
    text = "<p><b><p><span></b>" * 300
    assert close_deep(text, limit=448, keep=64)[1] == 0
    assert close_deep(text, limit=448, keep=64, ends=False)[1] == 768
