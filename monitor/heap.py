"""The garbage collector of the service, set for a long-running process with a large heap.

The story index (each recent story's items as term vectors, sets and dicts), the rules'
automaton and the relevance model stay alive for the whole run. With CPython's default
thresholds (700, 10, 10) a full collection comes after about 70,000 container
allocations net, and each one walks every live container: with a day's stories in the
index, about 0.1 s, and 3-10 % of story assignment's time in `bench/bench_stories.py`
(against `--default-gc`). Thresholds ten times larger keep the three generations and collect
cycles all the same, about fourteen times less often; objects without cycles are freed
at once by reference counting either way.
"""

from __future__ import annotations

import gc

SERVICE_THRESHOLDS = (10_000, 10, 10)


def tune_collector() -> tuple[int, int, int]:
    """Set the service's collector thresholds; return them (for the start-up log)."""
    gc.set_threshold(*SERVICE_THRESHOLDS)
    return SERVICE_THRESHOLDS
