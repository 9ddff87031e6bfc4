"""An outlet's revision of its own headline (items.revision_of: "Foro Penal: 800 …" retitled
"Foro Penal: 780 …", monitor/ingest/dedup.py) replaces what the first version stated of that
event: one article updated is one statement, not two outlets' worth, and never a conflict
with itself. Headlines go through the real pipeline into a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from alerts.tally.figures import Tally, load_tally
from core.config import AppConfig
from monitor.pipeline import Pipeline
from storage.db import Database
from storage.feedback import add_feedback
from storage.items import prune_unmatched_items
from storage.models import Feed, Item
from storage.tally import stored_figures

TOPIC = "political_prisoners"
START = datetime(2026, 1, 26, 9, tzinfo=UTC)


def _tally(db: Database, config: AppConfig, first: str, revised: str, others: list[tuple[str, str]] = ()) -> Tally:
    """The tally of `first` (outlet "efecto") retitled an hour later as `revised`, and of the
    (outlet, headline) of `others` published between them."""
    with db.session() as s:
        efecto = Feed(name="efecto", url="https://efecto.example/feed", consecutive_failures=0)
        article = Item(feed=efecto, guid="nota-1", url="https://efecto.example/n/1", title=first, summary="",
                       language="es", published_at=START, fetched_at=START, content_hash="h0")
        s.add(article)
        for n, (outlet, title) in enumerate(others, start=1):
            when = START + timedelta(minutes=10 * n)
            s.add(Item(feed=Feed(name=outlet, url=f"https://{outlet}.example/feed", consecutive_failures=0),
                       guid=str(n), url=f"https://{outlet}.example/{n}", title=title, summary="", language="es",
                       published_at=when, fetched_at=when, content_hash=f"h{n}"))
        s.flush()
        later = START + timedelta(hours=1)
        s.add(Item(feed=efecto, guid="nota-1#rev0001", url=article.url, title=revised, summary="", language="es",
                   published_at=later, fetched_at=later, content_hash="h-rev", revision_of=article.id))
    Pipeline(config, db).process_pending(now=START + timedelta(hours=2))
    with db.session() as s:
        return load_tally(s, config)


def test_a_held_figure_revised_down_is_not_in_conflict_with_itself(db: Database, default_config: AppConfig) -> None:
    tally = _tally(db, default_config, "Foro Penal: 800 presos políticos siguen detenidos en Venezuela",
                   "Foro Penal: 780 presos políticos siguen detenidos en Venezuela")
    assert [(f.number, f.outlet, f.flags) for f in tally.figures] == [(780, "efecto", [])]
    state = tally.topics[TOPIC]
    assert state.still_held is not None and state.still_held.number == 780


def test_a_corrected_release_figure_replaces_the_one_it_corrects(db: Database, default_config: AppConfig) -> None:
    tally = _tally(db, default_config, "Foro Penal verifica 16 excarcelaciones de presos políticos",
                   "Foro Penal corrige: verifica 14 excarcelaciones de presos políticos")
    assert [(f.number, f.flags) for f in tally.figures] == [(14, [])]
    assert [n for _, n, _ in tally.topics[TOPIC].verified] == [14]


def test_a_revised_article_is_one_outlet_among_the_others(db: Database, default_config: AppConfig) -> None:
    """Another outlet repeats the 800 efecto then revised to 780: one outlet each (the newest
    wins), not 800 stated by two outlets."""
    tally = _tally(db, default_config, "Foro Penal: 800 presos políticos siguen detenidos en Venezuela",
                   "Foro Penal: 780 presos políticos siguen detenidos en Venezuela",
                   [("pitazo", "Foro Penal: 800 presos políticos siguen detenidos en Venezuela")])
    assert [(f.number, f.outlet, f.flags) for f in tally.figures] == [(780, "efecto", []), (800, "pitazo", ["conflict"])]


def test_an_item_an_operator_said_was_wrong_takes_its_revisions_out_too(
    db: Database, default_config: AppConfig
) -> None:
    """/wrong in reply to the alert of the 800 records its first version; the article's revised
    780 is the same article, wrong for the topic too."""
    _tally(db, default_config, "Foro Penal: 800 presos políticos siguen detenidos en Venezuela",
           "Foro Penal: 780 presos políticos siguen detenidos en Venezuela")
    with db.session() as s:  # what /wrong political_prisoners, in reply to the alert, records
        first = s.scalars(select(Item).where(Item.revision_of.is_(None))).one()
        add_feedback(s, kind="wrong", item_id=first.id, url=first.url, title=first.title, summary="",
                     topic=TOPIC, operator="@ana")
    with db.session() as s:
        tally = load_tally(s, default_config)
    assert tally.figures == [] and TOPIC not in tally.topics


def test_a_revision_an_operator_said_was_wrong_takes_the_whole_article_out(
    db: Database, default_config: AppConfig
) -> None:
    """/wrong in reply to the update a revision sent records that revision (the 780): the
    article is wrong for the topic in every version, so its later revision (760, stored after
    the /wrong) states nothing in the topic either. Before, the 760 stayed in the tally."""
    _tally(db, default_config, "Foro Penal: 800 presos políticos siguen detenidos en Venezuela",
           "Foro Penal: 780 presos políticos siguen detenidos en Venezuela")
    with db.session() as s:  # what /wrong political_prisoners, in reply to the 780's update, records
        first, revised = s.scalars(select(Item).order_by(Item.id)).all()
        add_feedback(s, kind="wrong", item_id=revised.id, url=revised.url, title=revised.title, summary="",
                     topic=TOPIC, operator="@ana")
        later = START + timedelta(hours=3)
        s.add(Item(feed_id=first.feed_id, guid="nota-1#rev0002", url=first.url, language="es", summary="",
                   title="Foro Penal: 760 presos políticos siguen detenidos en Venezuela",
                   published_at=later, fetched_at=later, content_hash="h-rev2", revision_of=first.id))
    Pipeline(default_config, db).process_pending(now=START + timedelta(hours=4))
    with db.session() as s:
        tally = load_tally(s, default_config)
        figures = list(stored_figures(s))
    assert tally.figures == [] and TOPIC not in tally.topics
    assert figures == []


def test_revisions_still_replace_each_other_after_retention_deletes_their_first_version(
    db: Database, default_config: AppConfig
) -> None:
    """A live page matched nothing until it was retitled with Foro Penal's 800, then 780.
    Retention deletes old items that matched nothing: before, it deleted the first version,
    the revisions lost their link (ON DELETE SET NULL) and the tally showed 780 and 800 as a
    conflict of one outlet with itself. An item with revisions is kept."""
    with db.session() as s:
        efecto = Feed(name="efecto", url="https://efecto.example/feed", consecutive_failures=0)
        page = Item(feed=efecto, guid="en-vivo", url="https://efecto.example/en-vivo", summary="", language="es",
                    title="EN VIVO | Lo que sabemos de la jornada en Caracas", published_at=START,
                    fetched_at=START, content_hash="h0")
        s.add(page)
        s.flush()
        for n, figure in enumerate((800, 780), start=1):
            when = START + timedelta(hours=n)
            s.add(Item(feed=efecto, guid=f"en-vivo#rev000{n}", url=page.url, summary="", language="es",
                       title=f"EN VIVO | Foro Penal: {figure} presos políticos siguen detenidos en Venezuela",
                       published_at=when, fetched_at=when, content_hash=f"h{n}", revision_of=page.id))
    Pipeline(default_config, db).process_pending(now=START + timedelta(hours=3))
    with db.session() as s:
        assert [f.number for f in load_tally(s, default_config).figures] == [780]
        assert prune_unmatched_items(s, START + timedelta(days=120)) == 0
    with db.session() as s:
        assert [f.number for f in load_tally(s, default_config).figures] == [780]


def test_a_revision_whose_figure_the_tally_does_not_read_leaves_the_earlier_figure(
    db: Database, default_config: AppConfig
) -> None:
    """Retitled "otros 3" (people on top of the 16, not a running total: out of the tally),
    the article's latest figure the tally reads is still the 16. Before, the 3 replaced the 16
    and was itself left out: the outlet's figure vanished from the tally."""
    tally = _tally(db, default_config, "Excarcelan a 16 presos políticos en Venezuela, según Foro Penal",
                   "Foro Penal: excarcelan a otros 3 presos políticos en Venezuela")
    assert [(f.number, f.outlet) for f in tally.figures] == [(16, "efecto")]
    with db.session() as s:
        every = {(f.number, f.topic) for f in stored_figures(s, confident_only=False)}
    assert every == {(16, TOPIC)}
