"""Figures as an advocate reads them in a channel (end to end: feed server, poll-once, the Bot
API emulator): an outlet's lead-in names who states the figure, and a release verified by a
source readers do not know counts releases says what was verified."""

from __future__ import annotations

from test_restore import poll  # poll-once in process

CHANNELS = [{"name": "presos", "chat_id": "@presos_test", "topics": ["political_prisoners"], "languages": ["es"]},
            {"name": "eeuu", "chat_id": "@eeuu_test", "topics": ["us_actions"], "languages": ["es"]}]
# real headlines of January 2026 (../shared/real), as the outlets published them
W0293 = ("EN VIVO | El sindicato de Trabajadores de la Prensa de Venezuela informó que 14 periodistas "
         "detenidos por el régimen chavista fueron liberados")
W0186 = "NYTimes: Número de muertes en ataques estadounidenses a Venezuela asciende a 80 personas"


def _figures(world, outlet: str, headline: str, chat: str) -> list[str]:
    """The figure lines `chat` shows after poll-once read `headline` from `outlet`'s feed."""
    world.feed(outlet, "es")
    world.publish(outlet, headline)
    world.write_config(CHANNELS)
    poll(world)
    return [line for m in world.emulator.messages(chat) for line in m.text.splitlines() if line.startswith("📊")]


def test_the_sntp_release_figure_says_what_it_verified(world):
    assert _figures(world, "infobae", W0293, "@presos_test") == [
        "📊 14 periodistas excarcelados (verificados por SNTP)"]


def test_an_outlet_opening_the_headline_is_named_as_the_figures_source(world):
    assert _figures(world, "versionfinal", W0186, "@eeuu_test") == ["📊 80 muertos (según NYTimes)"]
