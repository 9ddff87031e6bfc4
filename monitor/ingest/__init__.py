"""Ingestion: one poll of one feed, from the fetch to new items stored.

poll.py (`poll_feed`: fetch, parse, normalize, dedupe, store) → normalize.py (one item shape,
the dedup keys) → article.py (article text of items with little text) → dedup.py (known
items left out, new ones stored) → feed_state.py (the feed's row: validators, health, next
poll, back-off); result.py is what a poll reports.

`poll_feed` is what the service calls. It never raises for a feed problem: a
network error, an HTTP error or a document that is not a feed becomes an
"error" PollResult, the Feed row records it, and the next poll backs off.

Dedup: an item is known when the same feed already has its GUID, when any feed
has its canonical URL, or when the same feed has an item with the same title
and text (content_hash; republished with a new GUID and URL). The hash is not
compared across feeds: two outlets running the same wire copy are two reports
of one story, which the story clustering downstream wants to see.

No flood: dated items older than settings.backfill_window are stored with
backfill=True (never alerted); a date without a time of day counts from the end of
that day in settings.timezone. On a feed's first successful poll, or after it
has not succeeded for longer than the window (a long stop), undated items are
backfilled too.

Outbound policy: the feed's URL as the operator wrote it is trusted (its origin
is registered with the fetcher); item links and every redirect are checked. A
permanent redirect to a refused address fails the poll and is not remembered;
article links that were refused are named in the feed's last_error. URLs are
shown without their userinfo.

Limits per feed (settings, overridable per feed): at most max_entries_per_document
entries of a document are read (the rest are named in the parse problem), and at most
max_new_items_per_poll new items are stored per poll, the most recent first; the rest are
named in last_error and stored by later polls (the next fetch is unconditional).

Threads: a poll's work off the event loop (its feed's row read; its document parsed, cleaned
and looked up among the stored items, in one call; its writes) runs in one thread the polls
share, a call at a time and in order (`work.WORK`); its fetches run on the event loop. At most
2 polls per fetch slot are under way at once, from fetch to store.
"""

from monitor.ingest.feed_state import backoff_delay
from monitor.ingest.poll import poll_feed
from monitor.ingest.result import PollResult

__all__ = ["PollResult", "backoff_delay", "poll_feed"]
