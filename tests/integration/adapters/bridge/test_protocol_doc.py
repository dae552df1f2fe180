"""docs/bridge-protocol.md is a contract: every frame type is documented with an example, each example passes the
receiver's checks, and the C# codec (the compiled harness) reads and writes it back unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from nexus_gw.adapters.bridge import codec, frames
from nexus_gw.adapters.nt8.harness import HarnessProcess

DOC = Path(__file__).resolve().parents[4] / "docs" / "bridge-protocol.md"
BLOCK = re.compile(r"```json frame (\w+) (adapter>plugin|plugin>adapter)\n(.*?)\n```", re.S)
DIRECTIONS = {"adapter>plugin": frames.FROM_ADAPTER, "plugin>adapter": frames.FROM_PLUGIN}


def examples() -> list[tuple[str, str, dict[str, Any]]]:
    return [(kind, direction, json.loads(body)) for kind, direction, body in BLOCK.findall(DOC.read_text())]


def test_every_frame_type_of_each_direction_has_an_example() -> None:
    for direction, allowed in DIRECTIONS.items():
        shown = {kind for kind, d, _ in examples() if d == direction}
        missing = allowed - shown - ({frames.HEARTBEAT} if direction == "plugin>adapter" else set())
        assert not missing, f"docs/bridge-protocol.md has no {direction} example of {sorted(missing)}"


@pytest.mark.parametrize(("kind", "direction", "frame"), examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_each_example_passes_the_receivers_checks(kind: str, direction: str, frame: dict[str, Any]) -> None:
    assert frames.check(frame, DIRECTIONS[direction]) == kind
    assert codec.decode_payload(codec.encode(frame)[4:]) == frame


def test_the_csharp_codec_reads_and_writes_every_example_unchanged(plugin: HarnessProcess) -> None:
    for _kind, _direction, frame in examples():
        start = len(plugin.lines)
        assert plugin.proc.stdin is not None
        plugin.proc.stdin.write("json " + json.dumps(frame, ensure_ascii=False) + "\n")
        plugin.proc.stdin.flush()
        line = plugin.wait_line(lambda line: line.startswith("json"), start=start)
        assert line.startswith("json "), line
        assert json.loads(line[5:]) == frame


def test_the_csharp_codec_refuses_what_is_not_a_json_object(plugin: HarnessProcess) -> None:
    for bad in ("[1, 2]", '{"type": tick}', '{"type": "x"} trailing', '{"a": "\\q"}'):
        start = len(plugin.lines)
        assert plugin.proc.stdin is not None
        plugin.proc.stdin.write(f"json {bad}\n")
        plugin.proc.stdin.flush()
        assert plugin.wait_line(lambda line: line.startswith("json"), start=start).startswith("json-error "), bad
