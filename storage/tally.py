"""The stored figures behind the tally: every count joined with its item's date, its feed and
the topics the item matched.

`stated_rows` is the fast path `monitor tally` takes over 100,000 counts: one SELECT whose
rows come back as the driver's plain tuples, already in the shape the tally sorts, with the
date the tally places a figure at worked out in SQL (the publication, or the fetch when the
item has no date or one over an hour after its fetch; a date without a time of day at the start
of that date in the tally's zone, `date_start`) as UTC text that sorts as time does.
No datetime is parsed per row, no link is read per row: `shown_facts` reads the links (and how
each figure was stated) of the few figures shown. `stored_figures` gives the same counts as typed rows, for callers that want them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from sqlalchemy import Integer, String, and_, case, exists, func, literal, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from storage.models import Count, Feed, Feedback, Item, Match

FUTURE_SLACK = timedelta(hours=1)  # a date later than the fetch by more than this is not trusted
WHEN_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # the text of a `when`: SQLite's own storage format


class StoredFigure(NamedTuple):
    """One count as stored, with what the tally needs of its item."""

    count_id: int
    topic: str
    event: str
    number: int
    source: str | None
    published_at: datetime | None
    fetched_at: datetime | None
    url: str | None
    feed: str
    qualifier: str | None = None
    date_only: bool = False  # published_at is 00:00 UTC of a date given without a time of day


# (when, count_id, topic, event, source, feed, number, undated): `when` is UTC text
# ("2026-01-10 09:00:00.000000"), so tuples sort by date then count id; [2:6] is what names
# the row's history (topic, event, source as stated, feed)
StatedRow = tuple[str, int, str, str, "str | None", str, int, bool]


def _read_as_figures(stmt: Any, *, confident_only: bool) -> Any:
    """The counts the tally reads: "otros tres" is not a running total, nor "entre ellos 180
    militares" (the tally reads every figure as one); an untrusted rule's count only when
    `confident_only` is False. (Nor the upper end of a range: `range_ends`, left out after.)"""
    stmt = stmt.where(Count.additional.is_(False), Count.part.is_(None))
    return stmt.where(Count.confident.is_(True)) if confident_only else stmt


class RangeEnds(NamedTuple):
    openings: set[int]  # "entre 56 y 76": the 56's count
    closings: set[int]  # the 76's


def range_ends(session: Session) -> RangeEnds:
    """The counts of ranges: the lower end stored with the upper in `upto` ("entre 56 y 76":
    the 56, upto 76) and the count of the upper end (the 76 of the same item, event and
    source). A range is one figure in the tally, its lower end: read as a total of its own, the
    76 of "La PUD y Foro Penal confirman entre 56 y 76" was Foro Penal's, and its own 72 the
    next day was shown as disputing it. Its opening is no jump to flag either: a total stated
    with its bounds is not a misread number. Ranges stored before migration 0021 got their
    `upto` from migration 0022 (written in digits); an older release still running beside a new
    one stores its ranges without it, read as two figures."""
    upper = aliased(Count)
    rows = session.execute(
        select(Count.id, upper.id).join(upper, and_(
            upper.item_id == Count.item_id, upper.event == Count.event,
            upper.source.is_not_distinct_from(Count.source), upper.number == Count.upto,
        )).where(Count.upto.is_not(None))
    ).all()
    return RangeEnds({low for low, _ in rows}, {high for _, high in rows})


def date_start(tz: tzinfo) -> timedelta:
    """How long after 00:00 UTC of a date that date begins in `tz`, in its standard time (the
    smallest offset of the year's months, negated): with DST it is 01:00 of that date, still
    that date. A date given without a time of day (items.date_only) is stored at 00:00 UTC of
    it, which is 20:00 of the day before in Caracas: the tally places it here instead."""
    year = datetime.now(UTC).year
    return -min(datetime(year, month, 1, 12, tzinfo=UTC).astimezone(tz).utcoffset() or timedelta(0)
                for month in range(1, 13))


def _placed(sqlite: bool, start: timedelta = timedelta(0)) -> tuple[Any, Any]:
    """(undated, placed): whether an item's date is not trusted (none, or over an hour after its
    fetch), and the date the tally places its figures at (then the fetch, else the publication;
    a date without a time of day `start` after 00:00 UTC of it: `date_start`)."""
    published, fetched = Item.published_at, Item.fetched_at
    if sqlite:  # the stored text; datetime() drops the microseconds, harmless for an hour's slack
        late_after: Any = func.datetime(fetched, "+1 hour")
        # the stored text's format (WHEN_FORMAT): a date alone has no seconds to keep
        day_start: Any = func.strftime("%Y-%m-%d %H:%M:%S.000000", published,
                                       f"{int(start.total_seconds()):+d} seconds")
    else:
        late_after = fetched + literal(FUTURE_SLACK)
        day_start = published + literal(start)
    # the cheap comparison first: datetime() runs only for items dated after their fetch
    undated = or_(published.is_(None), and_(published > fetched, published > late_after))
    if not start:
        return undated, case((undated, fetched), else_=published)
    return undated, case((undated, fetched), (Item.date_only.is_(True), day_start), else_=published)


def _wrong_for(item_id: Any) -> Any:
    """Whether an operator said item `item_id` was wrong for the figure's topic (/wrong)."""
    return exists().where(Feedback.kind == "wrong", Feedback.item_id == item_id, Feedback.topic == Match.topic)


def _filters(stmt: Any, *, since: datetime | None, topic: str | None, confident_only: bool, sqlite: bool,
             start: timedelta = timedelta(0)) -> Any:
    stmt = _read_as_figures(stmt, confident_only=confident_only)
    # an item an operator said was wrong for a topic (/wrong) states nothing in that topic, nor
    # do its outlet's revisions of it (items.revision_of: the same article retitled); a /wrong
    # of a revision covers its article's other versions too (`left_out`). Two checks, not one
    # with OR: PostgreSQL cannot hash or index an OR of two columns and compared every figure
    # with every /wrong (a year: 126,000 figures × 341 /wrong, 1.2 s of each tally)
    stmt = stmt.where(~_wrong_for(Item.id), ~_wrong_for(Item.revision_of))
    if topic is not None:
        stmt = stmt.where(Match.topic == topic)
    if since is not None:  # by the date the figure is placed at: an old item fetched late is old news
        stmt = stmt.where(_placed(sqlite, start)[1] >= since)
    return stmt


def stated_rows(
    session: Session, *, since: datetime | None = None, topic: str | None = None,
    confident_only: bool = True, ranges: RangeEnds | None = None, tz: tzinfo = UTC,
) -> list[StatedRow]:
    """Counts of matched items, one row per (count, topic the item matched), in no order (the
    tally sorts them: an ORDER BY on the date costs SQLite a random walk over the items).

    `since` keeps the figures placed at or after it (published then, or fetched then when
    their date is not trusted: an item fetched today that was published weeks ago is old news;
    a date without a time of day at its start in `tz`, the tally's zone); counts whose rule is not
    trusted (`confident` false) stay out unless `confident_only` is False; nor do the upper ends
    of `ranges` (read here when not given)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    start = date_start(tz)
    undated, placed = _placed(sqlite, start)
    if sqlite:
        when: Any = type_coerce(placed, String)
    else:
        when = func.to_char(func.timezone("UTC", placed), "YYYY-MM-DD HH24:MI:SS.US")
    stmt = _filters(
        select(when, Count.id, Match.topic, Count.event, Count.source, Feed.name, Count.number,
               type_coerce(case((undated, 1), else_=0), Integer))
        .join(Item, Item.id == Count.item_id)
        .join(Feed, Feed.id == Item.feed_id)
        .join(Match, Match.item_id == Item.id),
        since=since, topic=topic, confident_only=confident_only, sqlite=sqlite, start=start,
    )
    result = session.connection().execute(stmt)
    cursor = getattr(result, "cursor", None)
    # the driver's tuples, without the result's row objects: a third of the time for 100,000 rows
    rows = cursor.fetchall() if cursor is not None else [tuple(r) for r in result]
    result.close()
    replaced, wrong = left_out(session, confident_only=confident_only)
    replaced |= (ranges or range_ends(session)).closings
    return [r for r in rows if r[1] not in replaced and (r[1], r[2]) not in wrong] if replaced or wrong else rows


def left_out(session: Session, *, confident_only: bool = True) -> tuple[set[int], set[tuple[int, str]]]:
    """What revisions leave out of the tally: the counts a later version of their item
    replaced, and the (count, topic) pairs of an article whose revision an operator said was
    wrong for that topic (/wrong in reply to the update the revision sent: every version of
    the article is wrong for the topic; a /wrong of the first version is the SQL's, `_filters`).

    Replaced: the outlet retitled its headline ("800 presos…", then "780 presos…":
    items.revision_of) and its later version states a figure of the same event that the tally
    reads (`_read_as_figures`: a later "otros 3" leaves the 16 it adds to, not a figure out of
    the tally in its place). One article updated is one statement: neither two outlets' worth
    of a figure nor a conflict with itself. Read from the revisions (few, by their index), not per count: nothing to do in a
    database without any."""
    article: dict[int, int] = {}  # item -> its first version
    for item_id, first in session.execute(select(Item.id, Item.revision_of).where(Item.revision_of.is_not(None))):
        article[item_id] = article[first] = first
    if not article:
        return set(), set()
    ids = sorted(article)
    stated: list[tuple[int, int, str]] = []  # (item, count, event)
    wrong_topics: dict[int, set[str]] = {}  # first version -> topics a version was /wrong for
    for k in range(0, len(ids), 900):  # within SQLite's limit of bound parameters
        chunk = ids[k : k + 900]
        stated += session.execute(_read_as_figures(select(Count.item_id, Count.id, Count.event).where(
            Count.item_id.in_(chunk)), confident_only=confident_only)).all()
        for item_id, topic in session.execute(
                select(Feedback.item_id, Feedback.topic).where(Feedback.kind == "wrong", Feedback.item_id.in_(chunk))):
            wrong_topics.setdefault(article[item_id], set()).add(topic)
    latest: dict[tuple[int, str], int] = {}  # (first version, event) -> the latest version stating it
    for item_id, _, event in stated:
        key = (article[item_id], event)
        latest[key] = max(latest.get(key, item_id), item_id)
    replaced = {count_id for item_id, count_id, event in stated if latest[(article[item_id], event)] != item_id}
    wrong = {(count_id, topic) for item_id, count_id, _ in stated for topic in wrong_topics.get(article[item_id], ())}
    return replaced, wrong


class ShownFacts(NamedTuple):
    url: str | None  # the count's item's link
    qualifier: str | None  # how the figure was stated ("more than")


def shown_facts(session: Session, count_ids: Iterable[int]) -> dict[int, ShownFacts]:
    """The link and qualifier of each count, for the figures the tally shows."""
    ids = sorted(set(count_ids))
    out: dict[int, ShownFacts] = {}
    for k in range(0, len(ids), 900):  # within SQLite's limit of bound parameters
        chunk = ids[k : k + 900]
        for cid, url, qualifier in session.execute(
            select(Count.id, Item.url, Count.qualifier).join(Item, Item.id == Count.item_id)
            .where(Count.id.in_(chunk))
        ):
            out[cid] = ShownFacts(url, qualifier)
    return out


def stored_figures(
    session: Session, *, since: datetime | None = None, topic: str | None = None,
    confident_only: bool = True, tz: tzinfo = UTC,
) -> Iterator[StoredFigure]:
    """The same counts as `stated_rows`, typed, with both dates and the link (slower); `since`
    as there, a date alone read in `tz`."""
    stmt = _filters(
        select(Count.id, Match.topic, Count.event, Count.number, Count.source,
               Item.published_at, Item.fetched_at, Item.url, Feed.name, Count.qualifier, Item.date_only)
        .join(Item, Item.id == Count.item_id)
        .join(Feed, Feed.id == Item.feed_id)
        .join(Match, Match.item_id == Item.id),
        since=since, topic=topic, confident_only=confident_only,
        sqlite=session.get_bind().dialect.name == "sqlite", start=date_start(tz),
    )
    replaced, wrong = left_out(session, confident_only=confident_only)
    replaced |= range_ends(session).closings
    for row in session.execute(stmt):
        if row[0] not in replaced and (row[0], row[1]) not in wrong:
            yield StoredFigure(*row)


def when_text(value: datetime) -> str:
    """A datetime as the tally's `when` text (UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime(WHEN_FORMAT)


def parse_when(value: str) -> datetime:
    """A `when` text back as an aware UTC datetime (also bare dates and texts with an offset,
    as other tools may have written them into SQLite)."""
    if len(value) > 19 and value[-6] in "+-" and value[-3] == ":":
        return datetime.fromisoformat(value).astimezone(UTC)
    if len(value) <= 10:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return datetime.fromisoformat(value + "+00:00")
