"""The DTC simulator for one platform instance of a profile: it lists exactly the contracts that instance trades.

Local stacks (``nexusgw demo``, the end-to-end tests) start it beside a ``driver: sierra`` instance whose settings
say ``simulator: true``. The tradable symbols come from the profile and the symbol mapping (the front contracts
from the profile's clock for the next ``HORIZON_DAYS`` days, so a contract roll during a run is covered), with
base prices from the simulated driver's defaults. Every other option is passed to the simulator unchanged::

    python -m nexus_gw.adapters.sierra.simulator.profile --profile dev --platform sierra --port 11099 \
        --state-file s.json
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from nexus_gw.adapters.sim.config import DEFAULT_PRICES
from nexus_gw.config.loader import LoadedProfile, load_profile
from nexus_gw.errors import NexusGwError

from . import cli as simulator

HORIZON_DAYS: Final = 100
"""Days ahead whose front contracts the simulator lists as well (a roll during a run keeps trading)."""

FALLBACK_PRICE: Final = 100.0


def platform_symbols(loaded: LoadedProfile, platform: str, at: datetime | None = None) -> dict[str, float]:
    """Sierra symbol → base price for every root of the profile that ``platform`` trades, from ``at`` on."""
    profile = loaded.profile
    mapper = loaded.reference.symbols
    start = at or profile.gateway.clock.start or datetime.now(UTC)
    symbols: dict[str, float] = {}
    for root in profile.symbols:
        if not mapper.supports(platform, root):
            continue
        price = DEFAULT_PRICES.get(root, FALLBACK_PRICE)
        for day in range(HORIZON_DAYS):
            symbols.setdefault(mapper.resolve(root, platform, start + timedelta(days=day)), price)
    return symbols


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        allow_abbrev=False,  # every other option belongs to the simulator, however it starts
        prog="python -m nexus_gw.adapters.sierra.simulator.profile",
        description="The DTC simulator, trading the contracts that a profile's platform instance trades. "
        "Options not listed here go to the simulator (see python -m nexus_gw.adapters.sierra.simulator --help).",
    )
    p.add_argument("--profile", default="dev", help="profile name (default dev)")
    p.add_argument("--config-dir", type=Path, default=None, help="config directory (default: as nexusgw finds it)")
    p.add_argument("--platform", default="sierra", help="platform instance whose symbols to list (default sierra)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    if "--symbols" not in rest:
        try:
            loaded = load_profile(args.profile, args.config_dir)
            symbols = platform_symbols(loaded, args.platform)
        except NexusGwError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if not symbols:
            print(
                f"error: platform {args.platform} trades none of profile {args.profile}'s symbols; add them to its "
                "roots in config/symbols.yaml or pass --symbols",
                file=sys.stderr,
            )
            return 2
        rest = [*rest, "--symbols", ",".join(f"{s}={p:g}" for s, p in symbols.items())]
    return simulator.main(rest)


if __name__ == "__main__":
    sys.exit(main())
