"""The garbage collector of the service, set for a long-running process with a large heap.

The story index (each recent story's items as term vectors, sets and dicts), the rules'
automaton and the relevance model stay alive for the whole run. With CPython's default
thresholds (700, 10, 10) a full collection comes after about 70,000 container
allocations net, and each one walks every live container: with a day's stories in the
index, about 0.1 s, and 3-10 % of story assignment's time in `bench/bench_stories.py`
(against `--default-gc`). Thresholds ten times larger keep the three generations and collect
cycles all the same, about fourteen times less often; objects without cycles are freed
at once by reference counting either way.

glibc's malloc gives each thread that allocates its own arena, up to 8 a core (the worker
threads of `asyncio.to_thread`, the polls' thread, the article reads'): memory freed in one
arena is reused by that arena alone, and the free fragments add up. In bench/months_memory.py
(the service alone, 90 simulated days) the RSS went 261 -> 314 MB with glibc's 10 arenas, 59 ->
104 MB of it free fragments, and 231 -> 263 MB with two (docs/SCALE.md, "Memory over months");
the service's threads mostly wait on the GIL, so fewer arenas cost nothing measurable.
"""

from __future__ import annotations

import ctypes
import gc
import os
from collections.abc import Mapping

SERVICE_THRESHOLDS = (10_000, 10, 10)
SERVICE_ARENAS = 2  # as MALLOC_ARENA_MAX=2
M_ARENA_MAX = -8  # <malloc.h>


def tune_collector() -> tuple[int, int, int]:
    """Set the service's collector thresholds; return them (for the start-up log)."""
    gc.set_threshold(*SERVICE_THRESHOLDS)
    return SERVICE_THRESHOLDS


def limit_arenas(env: Mapping[str, str] = os.environ) -> str:
    """Cap glibc's malloc arenas at SERVICE_ARENAS (mallopt M_ARENA_MAX), before the service's
    threads start; what is in force, for the start-up log. An operator's MALLOC_ARENA_MAX (or
    glibc.malloc.arena_max in GLIBC_TUNABLES) stands; off glibc there is nothing to set."""
    if "MALLOC_ARENA_MAX" in env or "arena_max" in env.get("GLIBC_TUNABLES", ""):
        return "as the environment sets"
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return "the C library's"
    return str(SERVICE_ARENAS) if mallopt(M_ARENA_MAX, SERVICE_ARENAS) == 1 else "glibc's"
