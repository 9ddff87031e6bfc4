"""Scoring the story assigner against readers' story groups (`monitor eval-stories`).

A groups file holds windows of a few days; each window lists the readers' stories
as lists of headline ids (`{"windows": [{"days": [...], "stories": [{"story", "ids"}]}]}`).
The headlines (JSON lines with `id`, `date`, `outlet`, `title`, `topics`) are replayed
in time order through the real assigner (`alerts.stories.assign.assign_story`) on a fresh
SQLite database, one feed per outlet. Only the grouped headlines are replayed, so
grouping is measured apart from relevance. With `all_headlines` every headline of the
window's days is served, relevant or not, as an outside check does: the classifier alone
decides what is relevant (irrelevant items join no story), and only the labelled items it
found relevant are scored.

Figures:
- B-cubed precision and recall (item-weighted; precision falls with wrong merges,
  recall with splits) and their F;
- alerts per true story: the stories the service made (one alert each) divided by
  the readers' stories;
- wrong merges: pairs of items of different true stories put in one service story.
"""

from __future__ import annotations

import hashlib
import itertools
import tempfile
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy.orm import Session

from alerts.stories.assign import assign_story, forget_index, story_index
from alerts.stories.match import StoryIndex
from alerts.stories.pairs import PairModel
from alerts.stories.report import why
from core.config import AppConfig
from core.text import counted
from monitor.ingest.normalize import NormalizedItem, feed_title
from monitor.ingest.order import in_publication_order
from monitor.match import Classifier, build_classifier
from monitor.match.feed_place import FeedPlaces, classify_in_feed
from monitor.pipeline import store_classification
from monitor.story_files import StoryFileError, Window, load_groups, load_headlines  # noqa: F401 (read apart)
from monitor.story_intervals import item_bcubed
from storage.db import open_database
from storage.feedback import StoryCase, merge_cases, split_cases
from storage.items import unclassified_ids
from storage.models import Feed, Item
from storage.stories import final_stories, item_story_facts


@dataclass
class Scores:
    items: int
    true_stories: int
    service_stories: int
    precision: float
    recall: float
    wrong_merges: list[tuple[str, str]] = field(default_factory=list)

    @property
    def f(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def alerts_per_story(self) -> float:
        return self.service_stories / self.true_stories if self.true_stories else 0.0

    def row(self, label: str) -> str:
        return (
            f"| {label} | {self.items} | {self.true_stories} | {self.service_stories} | "
            f"{self.precision:.3f} | {self.recall:.3f} | {self.f:.3f} | "
            f"{self.alerts_per_story:.2f} | {len(self.wrong_merges)} |"
        )


HEADER = (
    "| window | items | true stories | service stories | B³ precision | B³ recall | B³ F | "
    "alerts per true story | wrong-merge pairs |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def bcubed(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> tuple[float, float]:
    """Item-averaged B-cubed precision and recall over the items of `gold`."""
    values = item_bcubed(pred, gold)
    if not values:
        return 0.0, 0.0
    return sum(p for p, _ in values.values()) / len(values), sum(r for _, r in values.values()) / len(values)


def wrong_merge_pairs(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> list[tuple[str, str]]:
    by_pred: dict[Hashable, list[str]] = defaultdict(list)
    for i in gold:
        if i in pred:
            by_pred[pred[i]].append(i)
    return [
        (a, b) for members in by_pred.values() for a, b in combinations(sorted(members), 2)
        if gold[a] != gold[b]
    ]


@dataclass
class LanguagePairs:
    """Pairs of headlines by whether they are in one language or two: those the readers put in
    one story (and how many of them the service did), and those it joined that the readers keep apart."""

    same: int = 0
    same_joined: int = 0
    cross: int = 0
    cross_joined: int = 0
    wrong_same: int = 0
    wrong_cross: int = 0

    def add(self, pred: Mapping[str, Hashable], gold: Mapping[str, Hashable], lang: Mapping[str, str]) -> None:
        for a, b in combinations(sorted(i for i in gold if i in pred), 2):
            cross = lang[a] != lang[b]
            together = pred[a] == pred[b]
            if gold[a] == gold[b]:
                self.cross += cross
                self.same += not cross
                self.cross_joined += cross and together
                self.same_joined += not cross and together
            elif together:
                self.wrong_cross += cross
                self.wrong_same += not cross


def score(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> Scores:
    p, r = bcubed(pred, gold)
    items = [i for i in gold if i in pred]
    return Scores(
        items=len(items), true_stories=len({gold[i] for i in items}),
        service_stories=len({pred[i] for i in items}), precision=p, recall=r,
        wrong_merges=wrong_merge_pairs(pred, gold),
    )


def pooled(parts: Iterable[tuple[Mapping[str, Hashable], Mapping[str, Hashable]]]) -> Scores:
    """One score over several windows: stories never span windows."""
    pred: dict[str, Hashable] = {}
    gold: dict[str, Hashable] = {}
    for n, (p, g) in enumerate(parts):
        pred.update({i: (n, s) for i, s in p.items()})
        gold.update({i: (n, s) for i, s in g.items()})
    return score(pred, gold)


def replay_times(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], datetime]]:
    """Headlines in time order with a time each. A `date` of a day only spreads that day's
    items evenly over it in id order (ids follow the order the scraper saw them); a `date`
    with a time (a stored item's publication time) keeps it."""
    by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    out: list[tuple[dict[str, Any], datetime]] = []
    for r in rows:
        date = str(r["date"])
        if len(date) > 10:
            at = datetime.fromisoformat(date)
            out.append((r, at if at.tzinfo else at.replace(tzinfo=UTC)))
        else:
            by_day[date].append(r)
    for day in sorted(by_day):
        members = sorted(by_day[day], key=lambda r: str(r["id"]))
        start = datetime.fromisoformat(day).replace(tzinfo=UTC)
        step = timedelta(hours=24) / len(members)
        out += [(r, start + step * (k + 0.5)) for k, r in enumerate(members)]
    return sorted(out, key=lambda pair: pair[1])


FEED_ORDERS = ("newest-first", "oldest-first", "by-date")
_DIGIT_LETTERS = str.maketrans("0123456789", "abcdefghij")  # one to one: "w0541" -> "wafeb"


@dataclass(frozen=True)
class FeedShape:
    """How the feeds of dates only list a window's headlines, an outside check's choices:
    `newest-first` (each day's newest first too), `oldest-first`, or `by-date` (the days
    newest first, each as the headlines file lists it: oldest first, as a sort on the date
    alone leaves it); `numbered`: the entries' ids end with the headline's number ("w0541"),
    else with none."""

    order: str = "newest-first"
    numbered: bool = True

    def entry_id(self, headline_id: str) -> str:
        """The feed entry's id of a headline: its own, or with letters for its digits."""
        return headline_id if self.numbered else headline_id.translate(_DIGIT_LETTERS)


def dates_only_times(
    rows: list[dict[str, Any]], shape: FeedShape = FeedShape(),
) -> list[tuple[dict[str, Any], datetime]]:
    """Headlines as feeds of dates only give them to the service: every item of a day at
    midnight, one feed per outlet listed as `shape` says, in the order a poll stores them
    (`monitor.ingest.order`): feed after feed, each oldest first. The pipeline then takes
    them in its own order (`storage.items.unclassified_ids`)."""
    by_outlet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_outlet[str(r.get("outlet") or "unknown")].append(r)
    stored: list[tuple[datetime, int, dict[str, Any]]] = []
    for outlet in sorted(by_outlet):
        document = feed_listing(by_outlet[outlet], shape.order)
        items = [_dated(r, shape) for r in document]
        for r in in_publication_order(items, document):
            stored.append((_midnight(r), len(stored), r))
    return [(r, when) for when, _, r in stored]


def feed_listing(rows: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    """One outlet's headlines in the order its feed lists them (FEED_ORDERS)."""
    if order not in FEED_ORDERS:
        raise ValueError(f"feed order {order!r}: one of {', '.join(FEED_ORDERS)}")
    filed = sorted(rows, key=lambda r: str(r["id"]))  # as the headlines file lists them
    if order == "by-date":
        return sorted(filed, key=lambda r: str(r["date"])[:10], reverse=True)
    newest_first = sorted(filed, key=lambda r: (str(r["date"])[:10], str(r["id"])), reverse=True)
    return newest_first if order == "newest-first" else newest_first[::-1]


def _midnight(row: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(row["date"])[:10]).replace(tzinfo=UTC)


def _dated(row: dict[str, Any], shape: FeedShape = FeedShape()) -> NormalizedItem:
    guid = shape.entry_id(str(row["id"]))
    return NormalizedItem(
        guid=guid, url=None, canonical_url=None, title=feed_title(str(row.get("title") or "")), summary="",
        text=None, language=row.get("lang"), published_at=_midnight(row), dated=True, content_hash="",
    )


def _set_up(index: StoryIndex, trace: list[dict[str, Any]] | None, pairs: PairModel | None | str) -> None:
    """The replay's trace and pair model on the matcher's index (built at the start or rebuilt)."""
    index.trace = trace
    if pairs != "shipped":
        index.pairs = pairs if isinstance(pairs, PairModel) else None


class _DailyRestart:
    """`assign_window(restarts=True)`: the matcher's index dropped before each new day of
    publication and rebuilt from the database, as in a service restarted daily."""

    def __init__(self, window: timedelta, trace: list[dict[str, Any]] | None, pairs: PairModel | None | str) -> None:
        self.window, self.trace, self.pairs = window, trace, pairs
        self.day: Any = None  # the publication day of the last item placed

    def before(self, session: Session, item: Item, when: datetime) -> None:
        if item.published_at is None or item.published_at.date() == self.day:
            return
        if self.day is not None:
            forget_index(session)
            rebuilt = story_index(session, window=self.window, now=when, at=min(when, item.published_at))
            _set_up(rebuilt, self.trace, self.pairs)
        self.day = item.published_at.date()


def assign_window(
    rows: list[dict[str, Any]], config: AppConfig, *, trace: list[dict[str, Any]] | None = None,
    pairs: PairModel | None | str = "shipped", all_headlines: bool = False, one_pass: bool = False,
    dates_only: bool = False, shape: FeedShape = FeedShape(), decisions: dict[str, dict[str, Any]] | None = None,
    classifier: Classifier | None = None, inspect: Callable[[Session], None] | None = None,
    restarts: bool = False,
) -> dict[str, int]:
    """Replay `rows` through the real classifier and story assigner; return id → story id.

    Topics are the classifier's, or the labelled ones when it finds none (the item is
    relevant by construction: it is in a readers' story); with `all_headlines` an item the
    classifier finds irrelevant is stored but joins no story, as in the service. With `trace`, every pair the
    matcher scored is appended to it (signals, with `item_guid` and `with_guid`);
    `pairs` replaces the shipped pair model (None: the rules alone). With `one_pass` every item
    is polled and classified at one moment, just after the window's last headline (as `monitor
    poll-once` over feeds that hold the whole window): the matcher then goes by publication
    times (alerts.stories.assign.story_time), in publication order. `dates_only` serves the
    headlines as feeds of dates only (`dates_only_times`, listed as `shape` says) and implies `one_pass`. With
    `decisions`, each placed row's signals (what `monitor stories` shows) are put in it by id.
    `classifier`: the config's rules, built once by a caller that replays many windows.
    `inspect` is called with a session on the window's database once every row is placed,
    before it is dropped (bench/story_near.py asks it what `/merge` would offer). With
    `restarts`, the matcher's index is dropped before each new day of publication, as a service
    restarted daily rebuilds it from the database (what the pipeline stores is stored: the
    items' matches and counts).
    """
    classifier = classifier or build_classifier(config.topics, config.entities)
    window = config.settings.story_window
    out: dict[str, int] = {}
    guids: dict[int, str] = {}
    timed = dates_only_times(rows, shape) if dates_only else replay_times(rows)
    one_pass = one_pass or dates_only
    clock = max(when for _, when in timed) + timedelta(minutes=5) if timed and one_pass else None
    feeds: dict[str, int] = {}
    by_id: dict[int, dict[str, Any]] = {}

    places = FeedPlaces()  # as the pipeline reads each outlet's feed

    placed = itertools.count(1)
    restart = _DailyRestart(window, trace, pairs) if restarts else None

    def place(session: Session, item: Item, row: dict[str, Any], when: datetime) -> None:
        # a microsecond more for each item, as the pipeline's clock moves on between two items:
        # an index rebuilt from the database orders a story's items of one time as they came
        when += timedelta(microseconds=next(placed))
        c = classify_in_feed(classifier, places, session, item)
        if not c.topics and all_headlines:
            return
        if not c.topics:
            c.topics = list(row.get("topics") or [])
        if restart is not None:
            restart.before(session, item, when)
        store_classification(session, item, c, when)  # as the pipeline stores it, before the story
        assignment = assign_story(session, item, c, window=window, now=when)
        out[str(row["id"])] = assignment.story.id
        guids[item.id] = str(row["id"])
        if decisions is not None:
            decisions[str(row["id"])] = dict(assignment.signals or {})

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/stories.db")
        try:
            if timed:
                with db.session() as session:
                    _set_up(story_index(session, window=window, now=min(when for _, when in timed)), trace, pairs)
            if dates_only:
                # as a poll stores feeds of dates only, then the pipeline takes what is pending
                with db.session() as session:
                    for row, published in timed:
                        by_id[_store(session, feeds, row, published, clock).id] = row
                with db.session() as session:
                    order = unclassified_ids(session, len(by_id))
                for item_id in order:
                    with db.session() as session:
                        item = session.get(Item, item_id)
                        assert item is not None and clock is not None
                        place(session, item, by_id[item_id], clock)
            else:
                for row, published in timed:
                    when = clock or published
                    with db.session() as session:
                        place(session, _store(session, feeds, row, published, when), row, when)
            if inspect is not None:
                with db.session() as session:
                    inspect(session)
            with db.session() as session:  # where the items ended: a later item may merge two stories
                out.update(final_stories(session, guids))
        finally:
            db.dispose()
    for pair in trace if trace is not None else []:
        pair["item_guid"], pair["with_guid"] = guids.get(pair["item"]), guids.get(pair.get("with_item") or 0)
    return out


@dataclass
class WindowResult:
    days: list[str]
    scores: Scores
    pred: dict[str, int]
    gold: dict[str, int]
    labelled: int = 0  # labelled items of the window; more than len(gold) when relevance missed some
    unknown: list[str] = field(default_factory=list)  # labelled ids not in the headlines (not scored)
    duplicated: list[str] = field(default_factory=list)  # ids listed in two stories (scored in the last)


def _store(
    session: Session, feeds: dict[str, int], row: dict[str, Any], published: datetime, when: datetime | None,
) -> Item:
    """Store a headline as its outlet's feed item (one feed per outlet), not classified yet."""
    outlet = str(row.get("outlet") or "unknown")
    if outlet not in feeds:
        feed = Feed(name=outlet, url=f"https://{len(feeds)}.example/feed")
        session.add(feed)
        session.flush()
        feeds[outlet] = feed.id
    title = feed_title(str(row.get("title") or ""))  # stored as the service stores a feed's title
    item = Item(
        feed_id=feeds[outlet], guid=str(row["id"]), title=title,
        summary=str(row.get("summary") or ""), language=row.get("lang") or "es",
        published_at=published, fetched_at=when or published,
        content_hash=hashlib.sha256(title.encode()).hexdigest(),
    )
    session.add(item)
    session.flush()
    return item


def evaluate(
    windows: list[Window], headlines: Mapping[str, dict[str, Any]], config: AppConfig, *,
    all_headlines: bool = False, one_pass: bool = False, dates_only: bool = False, shape: FeedShape = FeedShape(),
    month: bool = False, restarts: bool = False,
) -> list[WindowResult]:
    """Each window replayed and scored. `month`: every headline of all the windows' days in one
    replay (as a service that has run all along sees them), each window scored on it;
    `restarts`: the matcher's index dropped before each new day (`assign_window`)."""
    results = []
    classifier = build_classifier(config.topics, config.entities)
    together: dict[str, int] = {}
    if month:
        days = {d for w in windows for d in w.days}
        served = [h for h in headlines.values() if str(h.get("date", ""))[:10] in days]
        together = assign_window(served, config, all_headlines=True, one_pass=one_pass, dates_only=dates_only,
                                 shape=shape, classifier=classifier, restarts=restarts)
    for w in windows:
        gold = {i: g for i, g in w.gold().items() if i in headlines}
        if month:
            pred = {i: s for i, s in together.items() if i in gold}
        elif all_headlines:
            days = set(w.days)
            served = [h for h in headlines.values() if str(h.get("date", ""))[:10] in days]
            pred = {i: s for i, s in assign_window(
                served, config, all_headlines=True, one_pass=one_pass, dates_only=dates_only,
                shape=shape, classifier=classifier, restarts=restarts).items()
                if i in gold}
        else:
            pred = assign_window([headlines[i] for i in gold], config, one_pass=one_pass, dates_only=dates_only,
                                 shape=shape, classifier=classifier, restarts=restarts)
        scored = {i: g for i, g in gold.items() if i in pred}
        results.append(WindowResult(w.days, score(pred, scored), pred, scored, labelled=len(gold),
                                    unknown=sorted(set(w.gold()) - set(gold)), duplicated=w.duplicated()))
    return results


def report(results: list[WindowResult]) -> str:
    lines = [HEADER]
    for r in results:
        label = f"{r.days[0]}..{r.days[-1]}" if r.days else "?"
        lines.append(r.scores.row(label))
    if len(results) > 1:
        lines.append(pooled((r.pred, r.gold) for r in results).row("pooled"))
    labelled, scored = sum(r.labelled for r in results), sum(len(r.gold) for r in results)
    if scored < labelled:
        lines.append(f"\nscored {scored} of {labelled} labelled items: the classifier found the others irrelevant")
    lines += _label_problems(results)
    return "\n".join(lines)


def _label_problems(results: list[WindowResult], shown: int = 10) -> list[str]:
    """What the figures leave out of a groups file: ids the headlines lack (a typo, another
    month's file), windows with none of their ids, ids listed in two stories."""
    def some(ids: list[str]) -> str:
        return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")

    out = []
    unknown = sorted({i for r in results for i in r.unknown})
    if unknown:
        out.append(f"{len(unknown)} labelled ids not in the headlines, not scored: {some(unknown)}")
    for r in results:
        if r.unknown and not r.labelled:
            out.append(f"window {r.days[0]}..{r.days[-1]}: none of its {len(r.unknown)} labelled ids is in "
                       "the headlines; its row is empty")
    for r in results:
        if r.duplicated:
            out.append(f"window {r.days[0]}..{r.days[-1]}: ids listed in two stories (scored in the "
                       f"last): {some(r.duplicated)}")
    return ["", *out] if out else []


def details(result: WindowResult, headlines: Mapping[str, dict[str, Any]]) -> str:
    """The wrong merges and the split true stories of one window, for calibration."""
    def title(i: str) -> str:
        return str(headlines[i].get("title", "")).replace("\n", " / ")[:110]

    out = ["wrong merges:"]
    out += [f"  {a} {title(a)}\n  {b} {title(b)}\n" for a, b in result.scores.wrong_merges]
    out.append("split true stories:")
    by_gold: dict[int, list[str]] = defaultdict(list)
    for i, g in result.gold.items():
        by_gold[g].append(i)
    for members in by_gold.values():
        if len({result.pred[i] for i in members}) > 1:
            out += [f"  [{result.pred[i]}] {i} {title(i)}" for i in sorted(members)]
            out.append("")
    return "\n".join(out)


# -- the operators' splits and merges ----------------------------------------------------
# A /split says: this item is not the story it was put in; a /merge: this story's first item
# should have joined the other story. Replaying the item with the items that story held
# then, through the current rules, tells whether a change to the matcher would make that
# wrong merge again, or now finds the join the operator had to make.


@dataclass
class Replayed:
    """One operator's /split or /merge replayed through the current rules."""

    case: StoryCase
    together: bool | None  # the item lands with the story's items; None: not replayable (deleted)
    signals: dict[str, Any] = field(default_factory=dict)  # the decision that joined them, else the item's


def evaluate_splits(session: Session, config: AppConfig) -> list[Replayed]:
    """Each /split of the database replayed on its own: the story's items and the item
    split out, at their publication times, through the real classifier and assigner."""
    return _replay(session, config, split_cases(session))


def evaluate_merges(session: Session, config: AppConfig) -> list[Replayed]:
    """Each /merge of the database replayed on its own: the kept story's earlier items and
    the merged story's first item, at their publication times, through the current rules."""
    return _replay(session, config, merge_cases(session))


def _replay(session: Session, config: AppConfig, cases: list[StoryCase]) -> list[Replayed]:
    results = []
    classifier = build_classifier(config.topics, config.entities)
    for case in cases:
        if case.item is None or not case.others:
            results.append(Replayed(case, None))
            continue
        rows = [_stored_row(session, item) for item in [*case.others, case.item]]
        decisions: dict[str, dict[str, Any]] = {}
        pred = assign_window(rows, config, decisions=decisions, classifier=classifier)
        mine = pred[str(case.item.id)]
        together = [str(o.id) for o in case.others if pred.get(str(o.id)) == mine]
        signals = decisions.get(str(case.item.id), {})
        if together and signals.get("decision") != "joined":
            # the item came first: the join to show is the first item that joined it
            first = next((i for i in together if decisions.get(i, {}).get("decision") == "joined"), together[0])
            signals = {**decisions.get(first, {}), "joined_by": int(first)}
        results.append(Replayed(case, bool(together), signals))
    return results


def _stored_row(session: Session, item: Item) -> dict[str, Any]:
    """A stored item as a headline row: its publication time, feed, words and stored topics."""
    topics, _, _ = item_story_facts(session, item.id)
    when = item.published_at or item.classified_at or item.fetched_at or datetime.now(UTC)
    return {
        "id": str(item.id), "date": (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat(),
        "outlet": f"feed:{item.feed_id}", "title": item.title, "summary": item.summary or "",
        "lang": item.language or "es", "topics": topics,
    }


@dataclass(frozen=True)
class _Words:
    """How one kind of operator report is worded in its table."""

    none: str
    head: str  # formatted with n, together, apart
    columns: str
    together: str  # the outcome when the item lands with the story's items
    apart: str
    held: str  # the noun of the story's other items, singular ("earlier item")
    none_held: str
    why_apart: bool  # "apart" is followed by the item's own decision


_SPLITS = _Words(
    "No /split reports in the database: nothing to replay.",
    "Operators' splits: {n} · kept apart by the current rules: {apart} · merged again: {together}",
    "| split | at | by | item split out | story it left | replayed now |",
    "merged again", "kept apart", "item", "no items left", False,
)
_MERGES = _Words(
    "No /merge reports in the database: nothing to replay.",
    "Operators' merges: {n} · joined by the current rules: {together} · still apart: {apart}",
    "| merge | at | by | first item of the merged story | story kept | replayed now |",
    "joined", "still apart", "earlier item", "no earlier items left", True,
)


def splits_report(results: list[Replayed]) -> str:
    """The table of the operators' splits that `monitor eval-stories --splits` prints."""
    return _table(results, _SPLITS)


def merges_report(results: list[Replayed]) -> str:
    """The table of the operators' merges that `monitor eval-stories --splits` prints."""
    return _table(results, _MERGES)


def _table(results: list[Replayed], words: _Words) -> str:
    if not results:
        return words.none
    together = sum(r.together is True for r in results)
    apart = sum(r.together is False for r in results)
    gone = len(results) - together - apart
    lines = [words.head.format(n=len(results), together=together, apart=apart)
             + (f" · not replayable (items deleted): {gone}" if gone else ""),
             "", words.columns, "| --- | --- | --- | --- | --- | --- |"]
    for r in results:
        c = r.case
        item = f"{c.item.id} {_cell(c.item.title)}" if c.item is not None else f"(deleted) {_cell(c.title)}"
        story = (f"story {c.story_id}: {counted(len(c.others), words.held)}, first {c.others[0].id} "
                 f"{_cell(c.others[0].title)}" if c.others else f"story {c.story_id}: {words.none_held}")
        if r.together is None:
            now = "not replayable"
        elif r.together:
            now = f"{words.together}{_joined_by(r.signals)}: {_cell(why(r.signals), 160)}"
        else:
            now = words.apart + (f": {_cell(why(r.signals), 160)}" if words.why_apart else "")
        lines.append(f"| {c.feedback_id} | {c.at:%Y-%m-%d %H:%M} | {c.operator or '?'} | {item} | {story} | {now} |")
    return "\n".join(lines)


def _joined_by(signals: dict[str, Any]) -> str:
    return f" (item {signals['joined_by']} joined it)" if "joined_by" in signals else ""


def _cell(text: str | None, width: int = 70) -> str:
    flat = " ".join(str(text or "").split()).replace("|", "/")
    return flat if len(flat) <= width else flat[: width - 1] + "…"
