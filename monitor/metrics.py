"""Prometheus metrics of the service (served on /metrics by monitor.health)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    disable_created_metrics,
)

from monitor.ingest.result import Status

# No `<name>_created` series beside each counter and histogram (one per feed and status, per
# feed...): a quarter of a scrape's CPU at 10,000 feeds and 4 MB of its text, read by no
# alert or doc. prometheus_client's switch is for the whole process: only this module uses it.
disable_created_metrics()


class Metrics:
    """One registry per service instance, so tests and reloads never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.polls = Counter("monitor_polls_total", "Feed polls by outcome", ["feed", "status"], registry=r)
        self.poll_failures = Counter("monitor_poll_failures_total", "Failed feed polls", ["feed"], registry=r)
        self.poll_seconds = Histogram(
            "monitor_poll_duration_seconds", "Time to fetch, parse and store one feed", ["feed"],
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60), registry=r,
        )
        self.items = Counter("monitor_items_total", "New items stored", ["feed"], registry=r)
        self.matches = Counter("monitor_matches_total", "Items matched, per topic", ["topic"], registry=r)
        self.items_failed = Counter(
            "monitor_items_failed_total", "Items whose classification or story failed (left pending, retried)",
            registry=r)
        self.alerts_queued = Counter("monitor_alerts_queued_total", "Alerts written to the outbox", registry=r)
        self.alerts_sent = Counter("monitor_alerts_sent_total", "Alerts delivered", ["channel"], registry=r)
        self.alerts_failed = Counter("monitor_alerts_failed_total", "Alerts given up", ["channel"], registry=r)
        self.alerts_retried = Counter("monitor_alerts_retried_total", "Delivery attempts to retry", ["channel"], registry=r)
        self.queue_depth = Gauge(
            "monitor_alert_queue_depth", "Alerts pending or being sent to channels that can take them", registry=r)
        self.alerts_held = Gauge(
            "monitor_alerts_held", "Alerts kept pending for a disabled channel or one removed from feeds.yaml",
            ["reason"], registry=r)
        self.bot_api_outage = Gauge(
            "monitor_bot_api_outage", "1 while sends to the Bot API fail in several channels with none going through",
            registry=r)
        self.page_items = Gauge(
            "monitor_page_items_read", "Items the last poll of a page feed read", ["feed"], registry=r)
        self.page_item_drops = Counter(
            "monitor_page_item_drops_total",
            "Polls of a page feed that read at most a fifth of the items its usual polls read", ["feed"],
            registry=r)
        self.last_success = Gauge(
            "monitor_last_successful_poll_timestamp_seconds", "Unix time of the last successful poll", registry=r
        )
        GCCollector(registry=r)  # python_gc_collections_total{generation}: full collections are "2" (monitor/heap.py)

    def add_channels(self, names: Iterable[str]) -> None:
        """Each channel's send counters at 0 from the start: a series born at 1 by the first
        given-up send gives Prometheus' increase() nothing to compare, so the alert on any failed
        send (deploy/prometheus/monitor-alerts.yml) missed the first one."""
        for name in names:
            for metric in (self.alerts_sent, self.alerts_failed, self.alerts_retried):
                metric.labels(name)

    def forget_feed(self, name: str) -> None:
        """Remove a feed's series (a reload removed the feed): /metrics would list every feed
        the service ever polled."""
        for status in get_args(Status):
            self.polls.remove(name, status)
        for metric in (self.poll_failures, self.poll_seconds, self.items, self.page_items, self.page_item_drops):
            metric.remove(name)

    def forget_topic(self, name: str) -> None:
        """Remove a topic's series (a reload removed it), as `forget_feed` does a feed's."""
        self.matches.remove(name)

    def forget_channel(self, name: str) -> None:
        """Remove a channel's series (a reload removed it), as `forget_feed` does a feed's."""
        for metric in (self.alerts_sent, self.alerts_failed, self.alerts_retried):
            metric.remove(name)
