"""The Quantower driver's development companion: a simulated Quantower for one instance of a profile.

Local stacks (``nexusgw demo``, the end-to-end tests) start it beside a ``driver: quantower`` instance whose
settings say ``simulator: true``, on a free port they then give the adapter as ``settings.port``::

    python -m nexus_gw.adapters.quantower.companion --platform quantower --port 19002 --profile dev

It is pure Python (``simulator.py``: the plug-in's side of the bridge protocol), so it runs wherever the gateway
installs. It lists the front contract of every root the instance trades, spelled as ``config/symbols.yaml`` spells
them for the instance (``NQZ6`` for Rithmic), and prints ``listening on …`` once ready.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

READY = "simulated Quantower listening on"
PRICES = {"NQ": 21000.0, "MNQ": 21000.0, "ES": 6000.0, "MES": 6000.0, "YM": 44000.0, "MYM": 44000.0}
"""Starting prices by root (others start at 2000)."""


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="A simulated Quantower (with the NexusGw plug-in) for an instance.")
    parser.add_argument("--platform", required=True, help="the platform instance (quantower)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state-file", help="accepted for the stack's interface; orders live in memory")
    parser.add_argument("--profile", default="dev")
    parser.add_argument("--config-dir")
    parser.add_argument("--parts", type=int, default=2, help="trades each market order is filled in")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    from nexus_gw.config.loader import load_profile

    from .simulator import Market, SimulatedQuantower

    args = parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    loaded = load_profile(args.profile, Path(args.config_dir) if args.config_dir else None)
    settings = loaded.profile.platforms[args.platform].settings
    mapper, registry = loaded.reference.symbols, loaded.reference.instruments
    platform = mapper.canonical_platform(args.platform)
    markets = {
        symbol: Market(float(registry.get(root).tick_size), PRICES.get(root, 2000.0))
        for root, symbol in mapper.symbols_for(platform, datetime.now(UTC)).items()
    }
    simulator = SimulatedQuantower(markets, str(settings["account"]), args.port, parts=args.parts).start()
    print(f"{READY} 127.0.0.1:{simulator.port} ({args.platform}: {', '.join(markets)})", flush=True)
    done = threading.Event()
    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: done.set())
    done.wait()
    simulator.stop()


if __name__ == "__main__":
    main()
