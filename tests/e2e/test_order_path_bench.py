"""``python -m benchmarks.order_path`` (the order path alone, CPU split per order) runs end to end at a tiny size.

Real processes on loopback as in the full benchmark; no timing is asserted, only that each figure was taken.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the benchmark reads /proc/<pid> (Linux only)"),
]

REPO = Path(__file__).resolve().parents[2]


def test_order_path_run_reports_cpu_per_order_and_its_split(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    cmd = [sys.executable, "-m", "benchmarks.order_path", "--signals", "3", "--seconds", "1"]
    cmd += ["--data-dir", str(tmp_path)]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["one_at_a_time"]["filled"] == 3
    assert result["closed_loop"]["filled"] > 0
    for part in ("one_at_a_time", "closed_loop"):
        figures = result[part]
        assert figures["cpu_ms_per_order"] >= 0  # /proc counts in clock ticks: a few orders may take less than one
        split = figures["user_ms_per_order"] + figures["system_ms_per_order"]
        assert figures["cpu_ms_per_order"] == pytest.approx(split)
    assert result["closed_loop"]["cpu_ms_per_order"] > 0  # a second of orders takes ticks
    assert list(tmp_path.iterdir()) == []  # the run's directory is removed
