"""devtools/loop_probe: a stall of the event loop is written down with what held it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PROBE = Path(__file__).resolve().parents[1] / "devtools" / "loop_probe"

SCRIPT = """
import asyncio, time

def hold_the_loop():
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        pass

async def main():
    await asyncio.sleep(0.1)
    hold_the_loop()
    await asyncio.sleep(0.1)

asyncio.run(main())
"""


def test_the_probe_names_what_held_the_loop_and_for_how_long(tmp_path: Path) -> None:
    script = tmp_path / "stall.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(PROBE), "LOOP_PROBE_OUT": str(tmp_path)}
    subprocess.run([sys.executable, str(script)], env=env, check=True, timeout=60)
    [report] = tmp_path.glob("stalls-*.txt")
    text = report.read_text(encoding="utf-8")
    stalls = [float(s) for s in re.findall(r"stall ([0-9.]+) s", text)]
    assert max(stalls) >= 0.25
    assert "hold_the_loop" in text
