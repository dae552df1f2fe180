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
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from nexus_gw.adapters.sim.config import DEFAULT_PRICES
from nexus_gw.config.loader import LoadedProfile, load_profile, load_reference
from nexus_gw.domain.symbols.templates import template_of
from nexus_gw.errors import NexusGwError

from . import cli as simulator

HORIZON_DAYS: Final = 100
"""Days ahead whose front contracts the simulator lists as well (a roll during a run keeps trading)."""

FALLBACK_PRICE: Final = 100.0

FEED_TEMPLATE_ENV: Final = "NEXUSGW_SIERRA_SIM_FEED_TEMPLATE"
"""Environment variable naming the simulated feed's spelling (for stacks that start the simulator themselves)."""


def platform_symbols(
    loaded: LoadedProfile, platform: str, at: datetime | None = None, feed_template: str | None = None
) -> dict[str, float]:
    """Sierra symbol → base price for every root of the profile that ``platform`` trades, from ``at`` on.

    The symbols are spelled as the instance spells them, or with ``feed_template`` (a preset name or template) when
    given: a simulated data feed whose spelling differs from the adapter's, to see the adapter catch it.
    """
    profile = loaded.profile
    mapper = loaded.reference.symbols
    if feed_template:
        templates = {platform: template_of(feed_template)}
        mapper = load_reference(loaded.config_dir, profile.reference, templates).symbols
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
    p.add_argument(
        "--feed-template",
        default=os.environ.get(FEED_TEMPLATE_ENV) or None,
        help="spell the symbols as this data feed does: a preset (sierra, dash, plain, rithmic) or a template "
        f"(default: as the instance's symbol_template or config/symbols.yaml; env {FEED_TEMPLATE_ENV})",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    if "--symbols" not in rest:
        try:
            loaded = load_profile(args.profile, args.config_dir)
            symbols = platform_symbols(loaded, args.platform, feed_template=args.feed_template)
        except (NexusGwError, ValueError) as exc:
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
