"""A government's warning to its citizens told as an alert and as an order to leave is one
kind of event (the class `alerta`: "alerta", "aviso", "abandonar Venezuela"). Titles written
for these tests."""

from __future__ import annotations

from datetime import timedelta

from story_helpers import NOW, WINDOW, feats, index_with

from alerts.stories.match import Decision, StoryIndex
from alerts.stories.text import terms

US = ["us_actions"]
WARNING = "EE. UU. alertó que colectivos armados buscan a ciudadanos estadounidenses en Venezuela"


def _decide(index: StoryIndex, title: str, hours: float) -> Decision:
    at = NOW + timedelta(hours=hours)
    return index.decide(feats(2, title, at, outlet="feed:2", topics=US), now=at, window=WINDOW)


def test_an_order_to_leave_the_country_is_an_alert() -> None:
    assert "alerta" in terms("EE. UU. ordena a sus ciudadanos abandonar Venezuela")
    assert "alerta" in terms("US tells its citizens to leave Venezuela now", "en")


def test_the_warning_told_as_an_order_to_leave_joins_its_story() -> None:
    index = index_with(WARNING, topics=US)
    decision = _decide(index, "EE. UU. ordena a sus ciudadanos abandonar Venezuela ante riesgos por colectivos armados", 4)
    assert decision.story_id == 1
    assert "alerta" in decision.signals["events"]


def test_someone_refusing_to_leave_shares_only_the_kind_and_stays_apart() -> None:
    index = index_with(WARNING, topics=US)
    decision = _decide(index, "Diosdado Cabello afirma que nunca pensó en abandonar Venezuela pese a la presión", 4)
    assert decision.story_id is None
