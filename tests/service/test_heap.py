"""The service's garbage collector thresholds and malloc arenas (monitor/heap.py)."""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import sys
from collections.abc import Iterator

import pytest

from monitor.heap import SERVICE_ARENAS, SERVICE_THRESHOLDS, tune_collector


@pytest.fixture
def restore_collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_the_service_collects_its_young_objects_less_often_than_cpython_by_default(restore_collector: None) -> None:
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    assert tune_collector() == SERVICE_THRESHOLDS == gc.get_threshold()
    young, middle, old = SERVICE_THRESHOLDS
    assert young >= 10 * 700 and (middle, old) == (10, 10)  # the same generations, each less often
    assert gc.isenabled()


ARENAS_AFTER_THREADS = """
import ctypes, sys, tempfile, threading
import xml.etree.ElementTree as ET
from monitor.heap import limit_arenas

told = limit_arenas() if sys.argv[1] == "limit" else "glibc's"
held, ready = [], threading.Barrier(13)

def allocate():
    held.append(bytearray(100_000))  # under the mmap threshold: from the thread's arena
    ready.wait()

threads = [threading.Thread(target=allocate) for _ in range(12)]
for t in threads:
    t.start()
ready.wait()
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile(suffix=".xml") as fh:
    stream = libc.fopen(fh.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))
    print(told, len(ET.parse(fh.name).getroot().findall("heap")))
"""


def _arenas_after_threads(mode: str, **env: str) -> tuple[str, int]:
    """A fresh interpreter: 12 threads allocating at once, with the service's cap set or not;
    what limit_arenas said and how many arenas glibc's malloc_info counts."""
    environ = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    run = subprocess.run([sys.executable, "-c", ARENAS_AFTER_THREADS, mode], env={**environ, **env},
                         capture_output=True, text=True, timeout=60, check=True)
    told, arenas = run.stdout.rsplit(maxsplit=1)
    return told, int(arenas)


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc's malloc")
def test_the_service_caps_glibcs_malloc_arenas_its_threads_would_fragment() -> None:
    """docs/SCALE.md, "Memory over months": with an arena a thread the service's RSS grew
    ~60 MB a simulated month in free fragments; limit_arenas caps them at 2 for the threads
    started after it, and leaves an operator's MALLOC_ARENA_MAX alone."""
    assert _arenas_after_threads("glibc")[1] > SERVICE_ARENAS  # glibc alone: an arena a thread (8 a core)
    assert _arenas_after_threads("limit") == (str(SERVICE_ARENAS), SERVICE_ARENAS)
    told, arenas = _arenas_after_threads("limit", MALLOC_ARENA_MAX="4")
    assert (told, arenas) == ("as the environment sets", 4)
