"""The cyclic garbage collector paused while a large structure without cycles is built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic collector for the block, and put it back as it was.

    Building 100,000 rows' worth of tuples, lists and dicts that hold no cycles, the collector
    ran over them again and again as they grew (a sixth of the tally's time, docs/TALLY.md):
    nothing it could free. Reference counting still frees everything as usual; what the block
    leaves behind is looked at by the next collection after it. The switch is the process's:
    other threads' collections wait for the block too (a tally lasts under a second). The
    service's thresholds for its long run are set apart (monitor/heap.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
