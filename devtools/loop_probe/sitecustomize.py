"""A loop-lag probe for `monitor run` (or any asyncio program): put this directory first on
PYTHONPATH and every stall of the main thread's event loop over LOOP_SLOW seconds (default
0.05) is written to LOOP_PROBE_OUT/stalls-PID.txt (default: the working directory) with the
stacks the main thread was sampled in meanwhile (this repository's frames, innermost first,
then the library frame it was in), the most frequent first:

    PYTHONPATH=devtools/loop_probe LOOP_PROBE_OUT=/tmp python -m monitor run ...

A watchdog thread samples every 5 ms while a 10 ms timer on the loop is late. A sample in a
call that waits (select, a socket write) is the GIL held by another thread: the busy
threads' stacks are listed instead, prefixed `GIL`. asyncio's own debug mode
(PYTHONASYNCIODEBUG=1) also logs "Executing <Task ...> took X seconds" at this threshold, but
slows every task creation (a stack is kept for each) and names only where a task stopped.
docs/SCALE.md ("The event loop") has what it found."""

from __future__ import annotations

import asyncio.base_events as _base_events
import os
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

LIMIT = float(os.environ.get("LOOP_SLOW", "0.05"))
OUT = Path(os.environ.get("LOOP_PROBE_OUT", "."))
ROOT = str(Path(__file__).resolve().parents[2]) + os.sep
WAITING = {"select", "poll", "write", "send", "sendall", "recv", "recv_into", "readinto", "read", "readline",
           "accept", "register", "unregister", "modify", "_write_to_self", "_read_from_self", "wait",
           "sleep", "acquire", "_wait_for_tstate_lock", "get", "_worker", "serve_forever", "run",
           "_bootstrap_inner"}

_init = _base_events.BaseEventLoop.__init__
_run_forever = _base_events.BaseEventLoop.run_forever


def _stack(frame: FrameType) -> str:
    frames = traceback.extract_stack(frame)
    ours = [f"{f.filename.removeprefix(ROOT)}:{f.lineno} {f.name}" for f in frames if f.filename.startswith(ROOT)]
    last = frames[-1]
    return " < ".join(reversed(ours[-6:])) + f" || {last.filename.split('site-packages/')[-1]}:{last.lineno} {last.name}"


def _sample(main: int) -> str | None:
    frames = sys._current_frames()
    frame = frames.get(main)
    if frame is None:
        return None
    if frame.f_code.co_name not in WAITING:
        return _stack(frame)
    names = {t.ident: t.name for t in threading.enumerate()}
    busy = [f"[{names.get(i, i)}] {_stack(f)}" for i, f in frames.items()
            if i != main and names.get(i) != "loop-probe" and f.f_code.co_name not in WAITING]
    return "GIL " + (" ;; ".join(busy) or "?")


def _watch(state: dict[str, Any], main: int) -> None:
    path = OUT / f"stalls-{os.getpid()}.txt"
    samples: Counter[str] = Counter()
    since: float | None = None
    while not state["stop"]:
        time.sleep(0.005)
        if time.monotonic() - state["last"] > LIMIT:
            since = state["last"] if since is None else since
            if (stack := _sample(main)) is not None:
                samples[stack] += 1
        elif since is not None:
            with path.open("a", encoding="utf-8") as fh:
                fh.write(f"{time.strftime('%H:%M:%S')} stall {state['last'] - since:.3f} s\n")
                fh.writelines(f"    {n:4d} {stack}\n" for stack, n in samples.most_common(4))
            samples.clear()
            since = None


def _probed_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _init(self, *args, **kwargs)
    self.slow_callback_duration = LIMIT  # asyncio's debug mode, when on, uses the same threshold


def _probed_run_forever(self: Any) -> None:
    if threading.current_thread() is not threading.main_thread():
        return _run_forever(self)
    state: dict[str, Any] = {"last": time.monotonic(), "stop": False}

    def tick() -> None:
        state["last"] = time.monotonic()
        if not state["stop"]:
            self.call_later(0.01, tick)

    self.call_soon(tick)
    threading.Thread(target=_watch, args=(state, threading.get_ident()), daemon=True, name="loop-probe").start()
    try:
        return _run_forever(self)
    finally:
        state["stop"] = True


_base_events.BaseEventLoop.__init__ = _probed_init  # type: ignore[method-assign]
_base_events.BaseEventLoop.run_forever = _probed_run_forever  # type: ignore[method-assign]
