"""The polls' one thread for their work off the event loop (reads, parses, writes)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

# The polls' work off the event loop runs in this one thread, a call at a time and in order: a
# feed's row read, a fetched document read (parse, clean, look-up among the stored items), the
# writes (items stored, outcomes recorded). One thread: under the GIL, threads that parse and
# store beside the event loop gain nothing, and each costs CPU in hand-offs (1,000 feeds polled
# at once: 1.7x feedparser's parse alone, against 2.2-2.9x with a thread for the writes, one
# for the documents and the default pool for the reads; docs/INGESTION.md, "Benchmark").
WORK = ThreadPoolExecutor(max_workers=1, thread_name_prefix="poll-work")

T = TypeVar("T")


async def off_loop(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`call(*args, **kwargs)` in the polls' thread (WORK). Off the event loop: a lock another
    process holds is waited for there (up to the busy timeout) while the heartbeat, delivery
    and the fetches of the polls under way go on; the other polls' reads and writes wait
    behind it, as the writes always did. In order: two feeds listing one article look it up
    and store it in turn (`record_success` looks again before it stores), so it is stored once."""
    return await asyncio.get_running_loop().run_in_executor(WORK, partial(call, *args, **kwargs))
