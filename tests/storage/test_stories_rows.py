"""The story rows the assigner reads and writes without the ORM's unit of work
(storage/stories.py): what they read back is what the ORM would."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete

from storage.models import Story
from storage.stories import insert_story, story_by_id, write_row

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _story(title: str) -> Story:
    return Story(title=title, topics=["political_prisoners"], urgency="high", language="es",
                 entities=[{"name": "Foro Penal", "type": "org"}],
                 counts=[{"event": "released", "number": 87, "source": None}], created_at=T0, updated_at=T0)


def test_story_by_id_reads_the_row_as_the_orm_would(any_db) -> None:
    with any_db.session() as s:
        sid = insert_story(s, _story("Excarcelaciones")).id
    with any_db.session() as s:
        story = story_by_id(s, sid)
        assert story is not None and story.id == sid and story.title == "Excarcelaciones"
        assert story.counts == [{"event": "released", "number": 87, "source": None}] and story.urgency == "high"
        assert story.updated_at.replace(tzinfo=UTC) == T0
        assert story_by_id(s, sid) is story  # the session's own object, not a second copy
        assert not s.dirty  # read, not changed: nothing to write back
        write_row(s, story, topics=["political_prisoners", "us_actions"])
        assert story_by_id(s, sid + 1000) is None
    with any_db.session() as s:
        story = story_by_id(s, sid)
        assert story is not None and story.topics == ["political_prisoners", "us_actions"]


def test_an_expired_story_whose_row_is_gone_is_none(any_db) -> None:
    with any_db.session() as s:
        story = insert_story(s, _story("Excarcelaciones"))
        sid = story.id
        s.expire(story)  # as after a commit
        s.execute(delete(Story).where(Story.id == sid))
        assert story_by_id(s, sid) is None


def test_rows_written_on_the_drivers_cursor_are_stored_as_the_orm_stores_them(any_db) -> None:
    """The insert and update that bypass SQLAlchemy's execution (storage/driver.py) store
    every column, times and JSON included, byte for byte as the ORM does."""
    from datetime import timedelta

    from sqlalchemy import select, text

    later = T0 + timedelta(hours=3, microseconds=250)
    with any_db.session() as s:
        fast = insert_story(s, _story("Excarcelaciones"))
        write_row(s, fast, told_at=later, entities=[{"name": "Rocío San Miguel", "type": "person"}], language=None)
        slow = _story("Excarcelaciones")
        s.add(slow)
        s.flush()
        slow.told_at, slow.entities, slow.language = later, [{"name": "Rocío San Miguel", "type": "person"}], None
        s.flush()
        ids = (fast.id, slow.id)
    with any_db.engine.connect() as conn:  # the stored values, as the database holds them
        columns = [c.name for c in Story.__table__.columns if c.name != "id"]
        rows = conn.execute(text(f"SELECT {', '.join(columns)} FROM stories WHERE id IN ({ids[0]}, {ids[1]}) "
                                 "ORDER BY id")).all()
        assert len(rows) == 2 and tuple(rows[0]) == tuple(rows[1])
    with any_db.session() as s:
        stored = s.scalars(select(Story).where(Story.id == ids[0])).one()
        assert stored.told_at.replace(tzinfo=UTC) == later and stored.language is None


def test_rows_written_on_the_drivers_cursor_are_in_the_sessions_transaction(any_db) -> None:
    """A rollback takes back what the driver's cursor wrote, as it does the ORM's writes."""
    from sqlalchemy import func, select

    with any_db.session() as s:
        kept = insert_story(s, _story("Kept")).id
    s = any_db.sessions()
    try:
        story = insert_story(s, _story("Rolled back"))
        write_row(s, s.get(Story, kept), title="Changed, then rolled back")
        assert story.id != kept and s.scalar(select(func.count()).select_from(Story)) == 2  # seen inside
        s.rollback()
    finally:
        s.close()
    with any_db.session() as s:
        assert [(x.id, x.title) for x in s.scalars(select(Story))] == [(kept, "Kept")]
