"""The Bookmap driver's development companion: the fake Bookmap for one instance of a profile.

Local stacks (``nexusgw demo``, the end-to-end tests) start it beside a ``driver: bookmap`` instance whose
settings say ``fake: true``, on a free port they then give the adapter as ``settings.port``::

    python -m nexus_gw.adapters.bookmap.companion --platform bookmap --port 18920 --profile dev --config-dir config

It attaches the front contract of every root the instance trades (``config/symbols.yaml``, e.g.
``NQZ6.CME@RITHMIC``) with the instrument's tick, and streams a market around a fixed price per root. Orders live
in memory for the life of the process (``--state-file`` is accepted and not used).
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

READY = "fake Bookmap listening on"
PRICES = {"NQ": 21000.0, "MNQ": 21000.0, "ES": 6000.0, "MES": 6000.0, "YM": 44000.0, "MYM": 44000.0}
"""Starting prices by root (others start at 2000)."""


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The fake Bookmap for one profile instance.")
    parser.add_argument("--platform", required=True, help="the platform instance (bookmap)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state-file", help="accepted for the stack's interface; the fake keeps orders in memory")
    parser.add_argument("--profile", default="dev")
    parser.add_argument("--config-dir")
    parser.add_argument("--parts", type=int, default=2, help="executions each order is filled in")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    from nexus_gw.adapters.bookmap.fake import FakeBookmap, FakeInstrument
    from nexus_gw.config.loader import load_profile

    args = parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    loaded = load_profile(args.profile, Path(args.config_dir) if args.config_dir else None)
    mapper, registry = loaded.reference.symbols, loaded.reference.instruments
    platform = mapper.canonical_platform(args.platform)
    instruments = [
        FakeInstrument(alias, float(registry.get(root).tick_size), PRICES.get(root, 2000.0))
        for root, alias in mapper.symbols_for(platform, datetime.now(UTC)).items()
    ]
    fake = FakeBookmap(instruments, args.port, parts=args.parts, seed=args.seed).start()
    attached = ", ".join(i.alias for i in instruments)
    print(f"{READY} 127.0.0.1:{fake.port} ({args.platform}: {attached})", flush=True)
    done = threading.Event()
    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: done.set())
    done.wait()
    fake.stop()


if __name__ == "__main__":
    main()
