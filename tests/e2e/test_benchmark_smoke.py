"""The benchmark harness (``python -m benchmarks.run``) runs end to end at tiny sizes and reports every figure.

It starts real processes (gateway, zmq.proxy, producer, consumer, six fake platforms, engines) on loopback, as
the full run does. No timing is asserted: the figures depend on the machine; only that each one was taken.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.report import BEGIN, END, write_section

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the benchmark reads /proc/<pid> (Linux only)"),
]

REPO = Path(__file__).resolve().parents[2]
ROWS = (
    "1. market data, 100-tick batches, ticks/s",
    "1. market data, single ticks, ticks/s",
    "1. relay CPU per tick, 100-tick batches, µs",
    "1. relay CPU per tick, single ticks, µs",
    "1. ticks delivered to the engine",
    "2. latency producer→engine at 2,000 msg/s, p50",
    "2. latency producer→engine at 2,000 msg/s, p99,",
    "2. latency producer→engine at 2,000 msg/s, p99.9",
    "3. signal → aggregated FILL, 6 platforms, one at a time, p50 ms",
    "3. signal → aggregated FILL, one at a time, p99 ms",
    "3. sustained signals/s",
    "3. signal → FILL at that load, p50 ms",
    "3. signal → FILL at that load, p99 ms",
    "3. gateway CPU per order, one at a time, ms",
    "3. gateway CPU per order at that load, ms",
    "3. fsync + fdatasync per order",
    "3. time inside fsync + fdatasync per order",
    "3. orders still in flight when the closed loop ended",
    "3. signals refused during the run",
    "4. 60 symbols over 6 platforms with bursts, ticks/s",
    "4. relay CPU per tick at 60 symbols, µs",
    "4. gateway RSS over",
    "4. RSS growth",
)
WITH_BASELINE = ("1. market data", "1. relay CPU", "2. latency")


def test_smoke_run_reports_every_row_with_a_number(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nKept above.\n", encoding="utf-8")
    out = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    cmd = [sys.executable, "-m", "benchmarks.run", "--smoke", "--write", str(doc), "--json", str(out)]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = json.loads(out.read_text())["rows"]
    names = [row["measure"] for row in rows]
    for wanted in ROWS:
        assert any(name.startswith(wanted) for name in names), f"no row {wanted!r} in {names}"
    for row in rows:
        if row["measure"].startswith(("3. fsync", "3. time inside fsync")) and row["gateway"] is None:
            assert shutil.which("strace") is None or "not allowed to attach" in row["verdict"], row
            continue
        assert isinstance(row["gateway"], float) and math.isfinite(row["gateway"]), row
        if row["measure"].startswith(WITH_BASELINE):
            assert isinstance(row["baseline"], float) and math.isfinite(row["baseline"]), row
    assert rows[names.index("3. signals refused during the run")]["gateway"] == 0.0, "the fake platforms fill all"
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nKept above.\n") and BEGIN in text and END in text
    for wanted in ROWS:
        assert f"| {wanted}" in text
    assert "pyzmq" in text and "msgspec" in text and "cores" in text


def test_the_generated_section_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\nbefore\n\n{BEGIN}\nold table\n{END}\n\nafter\n", encoding="utf-8")
    write_section(doc, f"{BEGIN}\nnew table\n{END}")
    assert doc.read_text(encoding="utf-8") == f"# Performance\n\nbefore\n\n{BEGIN}\nnew table\n{END}\n\nafter\n"
