"""The C# side agrees with the Python side where the compiler cannot check it: the protocol version and frame
limit, the frame types each C# file sends, and the AddOn using the NinjaScript names the reference documents
(it is compiled here only against the simulated NinjaTrader of ``harness/addon_host/``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nexus_gw.adapters.bridge import codec, frames
from nexus_gw.adapters.nt8.harness import SOURCE_DIR, TARGETS

ADDON = SOURCE_DIR / "NexusBridgeAddOn.cs"


def sent_types(path: Path) -> set[str]:
    return set(re.findall(r'BridgeCodec\.Frame\("(\w+)"\)', path.read_text()))


def test_version_and_frame_limit_match() -> None:
    text = (SOURCE_DIR / "BridgeCodec.cs").read_text()
    assert f"public const int Version = {frames.VERSION};" in text
    assert codec.MAX_FRAME == 1 << 20 and "public const int MaxFrame = 1 << 20;" in text


@pytest.mark.parametrize("path", [ADDON, SOURCE_DIR / "harness" / "Harness.cs", SOURCE_DIR / "BridgeTransport.cs"])
def test_the_csharp_side_sends_only_frames_the_adapter_reads(path: Path) -> None:
    assert sent_types(path) <= frames.FROM_PLUGIN | {"weather"}  # "weather": the harness's unknown-type test frame


def test_the_transport_accepts_exactly_the_adapters_frame_types() -> None:
    text = (SOURCE_DIR / "BridgeTransport.cs").read_text()
    declared = re.search(r"FromAdapter = new HashSet<string> \{([^}]*)\}", text)
    assert declared is not None
    assert set(re.findall(r'"(\w+)"', declared.group(1))) == frames.FROM_ADAPTER


def test_the_addon_builds_only_with_the_simulated_ninjatrader_and_uses_the_documented_ninjascript_names() -> None:
    assert ADDON.name not in TARGETS["harness"] and ADDON.name in TARGETS["addon"]
    text = ADDON.read_text()
    assert "namespace NinjaTrader.NinjaScript.AddOns" in text and ": AddOnBase" in text
    for name in ("State.SetDefaults", "State.Active", "State.Terminated", "Account.All", "Instrument.GetInstrument",
                 "new MarketData(", "CreateOrder(", ".Submit(", ".Cancel(", ".OrderUpdate +=", ".ExecutionUpdate +=",
                 ".PositionUpdate +=", "new BridgeServer("):  # fmt: skip
        assert name in text, name
    assert "leg,  // the order's name" in text  # the leg id travels as the NinjaTrader order name
