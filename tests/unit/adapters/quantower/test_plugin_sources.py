"""The Quantower strategy's C# (``adapters/quantower/``) cannot compile here (it needs Quantower's DLL); these
checks hold it to what the compiler cannot: it links the shared transport and codec instead of copying them,
sends only frames the adapter reads, listens on its own port and uses the documented Quantower API names."""

from __future__ import annotations

import re

from nexus_gw.adapters.bridge import frames
from nexus_gw.adapters.nt8.harness import SOURCE_DIR, TARGETS

PLUGIN_DIR = SOURCE_DIR.parent / "quantower"
PLUGIN = PLUGIN_DIR / "NexusGwBridge.cs"


def test_the_bridge_csharp_is_linked_from_nt8_never_copied_and_never_compiled_by_the_mono_harness() -> None:
    project = (PLUGIN_DIR / "NexusGwBridge.csproj").read_text()
    assert r'Include="..\nt8\BridgeCodec.cs"' in project and r'Include="..\nt8\BridgeTransport.cs"' in project
    assert sorted(p.name for p in PLUGIN_DIR.glob("*.cs")) == ["NexusGwBridge.cs"]
    assert "class BridgeServer" not in PLUGIN.read_text() and "class BridgeCodec" not in PLUGIN.read_text()
    assert not any("quantower" in source for sources in TARGETS.values() for source in sources)


def test_the_plugin_sends_only_frames_the_adapter_reads() -> None:
    sent = set(re.findall(r'BridgeCodec\.Frame\("(\w+)"\)', PLUGIN.read_text()))
    assert sent and sent <= frames.FROM_PLUGIN


def test_the_plugin_uses_its_own_port_and_the_documented_quantower_names() -> None:
    text = PLUGIN.read_text()
    assert "public int Port = 9002;" in text and ": Strategy" in text and 'Platform = "Quantower"' in text
    for name in ("Core.Instance.PlaceOrder(", "new PlaceOrderRequestParameters", "TradingOperationResultStatus.Success",
                 "Core.Instance.CancelOrder(", "Core.Instance.OrderAdded +=", "Core.Instance.OrderRemoved +=",
                 "Core.Instance.TradeAdded +=", "Core.Instance.PositionAdded +=", "Core.Instance.OrdersHistoryAdded +=",
                 ".NewQuote +=", ".NewLast +=", "Core.Instance.SearchSymbols(", "OrderType.Market",
                 "override void OnRun()", "override void OnStop()"):  # fmt: skip
        assert name in text, name
    assert "Comment = leg," in text  # the leg id travels as the order's comment, so it survives a restart
