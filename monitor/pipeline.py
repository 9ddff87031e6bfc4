"""The stage between storing an item and delivering alerts: match, store, queue.

Items are picked up by `classified_at IS NULL`, not by a list handed over by
the poll, so an item stored just before a crash is still classified and
alerted after the restart. Each item's matches, counts, entities and the
alerts they cause are written in one transaction: an item is never marked
classified without its alerts queued.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from alerts.outbox import enqueue_for_item
from alerts.stories.assign import assign_story
from core.config import AppConfig
from core.people import learn_person, load_watched
from monitor.match import Classifier, build_classifier
from monitor.match.feed_place import FeedPlaces, classify_in_feed
from monitor.match.learned import ModelLoad, default_model
from monitor.match.people import NameLearner, WatchedPeople, load_seed
from storage.db import Database
from storage.items import FeedZones, unclassified_ids
from storage.models import Count, Item, Match

log = logging.getLogger("monitor.pipeline")

BATCH = 200
WATCHED_REFRESH = 60.0  # seconds
# an item whose processing raised this many rounds is set aside until a restart or a reload:
# classification runs after every poll that stores an item, and an item that always fails
# (a bug it alone meets) logged a traceback each time, for as long as the service ran
TRIES = 3
SET_ASIDE_MAX = 1_000  # items set aside at most (past that, something fails for all: keep trying)


@dataclass
class ProcessResult:
    classified: int = 0
    relevant: int = 0
    alerts: int = 0
    failed: int = 0  # items whose processing raised: left pending, tried again next round
    set_aside: int = 0  # of them, failed TRIES rounds: not tried again until a restart or a reload
    topics: dict[str, int] = field(default_factory=dict)

    def add(self, other: ProcessResult) -> None:
        """Count an item's committed outcome (one that raised counts as failed alone)."""
        self.classified += other.classified
        self.relevant += other.relevant
        self.alerts += other.alerts
        for topic, n in other.topics.items():
            self.topics[topic] = self.topics.get(topic, 0) + n


def _feed_zones(config: AppConfig) -> FeedZones:
    """The feeds' zones, where their date-only items' dates start (`unclassified_ids`): built
    once per config, not at each batch (10,000 feeds: 2.5 ms)."""
    settings = config.settings
    return FeedZones({f.name: f.zone(settings) for f in config.feeds}, settings.tz)

class Pipeline:
    """Classifies unclassified items and queues their alerts."""

    def __init__(self, config: AppConfig, db: Database, *, model: ModelLoad | None = None) -> None:
        self.db = db
        self.config = config
        self.zones = _feed_zones(config)  # where each feed's dates start (a backlog's order)
        # the learned second opinion, read once per process and kept across reloads; a
        # missing or corrupt file means rules alone (default_model() logs it once)
        self.model_load = model if model is not None else default_model()
        # watched people: loaded (and seeded) from the database, grown by what the rules
        # teach, re-read every WATCHED_REFRESH seconds for edits from the CLI or replicas
        self.learner = NameLearner(config.entities)
        self.watched = WatchedPeople()
        self._watched_at = float("-inf")
        self.refresh_watched(force=True)
        self.classifier: Classifier = build_classifier(
            config.topics, config.entities, watched=self.watched, model=self.model_load.model
        )
        # which feeds are about Venezuela (their items naming no country take its context)
        self.places = FeedPlaces()
        # set by the service's stop: a backlog's classification ends after the item in hand
        # (the rest stay pending for the next start) instead of holding the process for minutes
        self.stopping = threading.Event()
        self._failures: dict[int, int] = {}  # item id -> rounds its processing raised
        self._set_aside: set[int] = set()

    def classifier_for(self, config: AppConfig) -> Classifier:
        """`config`'s rules built (a tenth of a second: a reload builds them off the event loop)."""
        return build_classifier(config.topics, config.entities, watched=self.watched, model=self.model_load.model)

    def update_config(self, config: AppConfig, classifier: Classifier | None = None) -> None:
        """Hot reload: new rules apply to items classified from now on."""
        self.learner = NameLearner(config.entities)
        self.classifier = classifier or self.classifier_for(config)
        self.config = config
        self.zones = _feed_zones(config)
        self._failures.clear()  # new rules or entities may get past what failed: try again
        self._set_aside.clear()

    def refresh_watched(self, *, force: bool = False) -> None:
        """Re-read the watched people from the database (at most every WATCHED_REFRESH s)."""
        if not force and time.monotonic() - self._watched_at < WATCHED_REFRESH:
            return
        with self.db.session() as session:
            self.watched.replace(load_watched(session, load_seed()))
        self._watched_at = time.monotonic()

    def process_pending(self, *, feed_id: int | None = None, now: datetime | None = None) -> ProcessResult:
        result = ProcessResult()
        skipped = set(self._set_aside)  # never select an item that failed again in this call
        self.refresh_watched()
        while True:
            with self.db.session() as session:
                ids = unclassified_ids(session, BATCH, feed_id=feed_id, skip=skipped, zones=self.zones)
            if not ids:
                return result
            for item_id in ids:
                if self.stopping.is_set():
                    return result
                try:
                    one = ProcessResult()
                    self._process_one(item_id, now or datetime.now(UTC), one)
                    result.add(one)
                    self._failures.pop(item_id, None)
                except IntegrityError:
                    # another replica sharing the database classified it first: its
                    # transaction holds the matches and alerts, ours rolled back whole
                    log.debug("item %d was classified by another process", item_id)
                    skipped.add(item_id)
                except OperationalError:
                    raise  # the database is down or locked: no item can go on; the next round retries
                except Exception:
                    # a bug met by one item must not stop every item after it: its
                    # transaction rolled back whole, so it stays pending (nothing lost) and
                    # is tried again on the next round, after the others
                    self._failed(item_id, result)
                    skipped.add(item_id)

    def _failed(self, item_id: int, result: ProcessResult) -> None:
        """Log an item whose processing raised (in an `except`); set it aside at its TRIES-th round."""
        result.failed += 1
        tries = self._failures[item_id] = self._failures.get(item_id, 0) + 1
        if tries < TRIES or len(self._set_aside) >= SET_ASIDE_MAX:
            log.exception("item %d could not be processed; left pending, tried again next round", item_id)
            return
        del self._failures[item_id]
        self._set_aside.add(item_id)
        result.set_aside += 1
        log.exception("item %d could not be processed %d rounds in a row; left pending and set aside "
                      "until the service restarts or feeds.yaml is reloaded", item_id, tries)

    def _process_one(self, item_id: int, now: datetime, result: ProcessResult) -> None:
        with self.db.session() as session:
            item = session.get(Item, item_id)
            if item is None or item.classified_at is not None:
                return
            classification = classify_in_feed(self.classifier, self.places, session, item)
            store_classification(session, item, classification, now)
            result.classified += 1
            if not classification.topics:
                return
            self._learn(session, item, classification, now)
            result.relevant += 1
            for topic in classification.topics:
                result.topics[topic] = result.topics.get(topic, 0) + 1
            if item.backfill:
                # never alerted (no flood), but in its story: `monitor stories` lists it and a
                # later report of the same event joins it rather than starting another
                assign_story(session, item, classification, window=self.config.settings.story_window,
                             now=now, told=False)
                return
            alerts = enqueue_for_item(session, item, classification, self.config, now=now)
            result.alerts += len(alerts)
            log.info(
                "item %d matched %s (%s): %s",
                item.id, ",".join(classification.topics), classification.urgency, item.title[:120],
            )


    def _learn(self, session: Session, item: Item, classification: Any, now: datetime) -> None:
        """Record the people an item the rules matched names as arrested, released, detained
        or dead (never from a watched name or the model alone); watch them once committed."""
        names = self.learner.learn(item.title, item.summary, classification)
        new = [n for n in names if learn_person(
            session, n, item_id=item.id, url=item.url, title=item.title, now=now)]
        if new:
            log.info("item %d taught watched people: %s", item.id, ", ".join(new))
            event.listen(session, "after_commit", lambda _s: self.watched.add(new), once=True)


def store_classification(session: Session, item: Item, classification: Any, now: datetime) -> None:
    """Persist what the matcher found: one Match per topic, the counts and the entities."""
    explain = classification.explain
    for topic in classification.topics:
        session.add(
            Match(
                item_id=item.id,
                topic=topic,
                urgency=classification.urgency,
                terms=list(classification.matches.get(topic, [])),
                explain=list(explain.get(topic, [])),
                created_at=now,
            )
        )
    for count in classification.counts if classification.topics else []:
        session.add(
            Count(item_id=item.id, event=count.event, number=count.number, source=count.source,
                  confident=bool(getattr(count, "confident", True)),
                  additional=bool(getattr(count, "additional", False)), part=getattr(count, "part", None),
                  qualifier=getattr(count, "qualifier", None), upto=getattr(count, "upto", None))
        )
    item.entities = list(classification.entities)
    item.classified_at = now
    session.flush()
