"""``nexusgw demo``: the whole stack from one command, on simulated platforms."""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any

import typer

from nexus_gw.cli.options import ConfigDirOpt

DemoProfileOpt = Annotated[
    str,
    typer.Option("--profile", "-p", help="Profile to run (simulated platforms; $NEXUSGW_PROFILE is not used here)."),
]


def _fill_line(fill: dict[str, Any], elapsed: float) -> str:
    legs = " | ".join(
        f"{leg['platform']} {leg['symbol']} {leg['filled_qty']:g}@{leg['avg_price']:.2f}"
        for leg in fill["legs"]
        if leg["avg_price"] is not None
    )
    return (
        f"[{elapsed:5.1f}s] FILL {fill['side']:<4} {fill['filled_qty']:g} {fill['symbol']:<4} "
        f"avg {fill['avg_price']:.2f}  <- {legs}"
    )


def summarize(fills: list[dict[str, Any]], engine_stats: Any, status: dict[str, Any]) -> tuple[str, int]:
    """The end-of-demo summary and how many platforms returned fills."""
    per_platform: dict[str, dict[str, Any]] = defaultdict(lambda: {"fills": 0, "symbols": set(), "qty": 0.0})
    for fill in fills:
        for leg in fill["legs"]:
            if leg["filled_qty"] > 0:
                row = per_platform[leg["platform"]]
                row["fills"] += 1
                row["qty"] += leg["filled_qty"]
                row["symbols"].add(f"{fill['symbol']}={leg['symbol']}")
    counts = status.get("counts", {})
    lines = [
        "",
        "Summary",
        f"  signals sent {engine_stats.signals}, refused {engine_stats.refused}, orders {counts.get('orders', 0)}, "
        f"aggregated fills {len(fills)}, market data ticks {counts.get('market_data_ticks', 0)}",
        *(
            [f"  refused: {', '.join(f'{why} x{n}' for why, n in engine_stats.refusals.most_common())}"]
            if engine_stats.refusals
            else []
        ),
        "  Fills per platform (each in its own symbol format):",
    ]
    for name, row in sorted(per_platform.items()):
        lines.append(
            f"    {name:<11} {row['fills']:>3} leg fills, {row['qty']:g} contracts/lots   "
            f"{', '.join(sorted(row['symbols']))}"
        )
    lines.append("  Aggregated average vs each leg (last fill per symbol):")
    last: dict[str, dict[str, Any]] = {}
    for fill in fills:
        last[fill["symbol"]] = fill
    for symbol, fill in sorted(last.items()):
        lines.append(f"    {symbol:<4} {fill['side']:<4} {fill['filled_qty']:g} avg {fill['avg_price']:.4f}")
        for leg in fill["legs"]:
            if leg["avg_price"] is not None:
                diff = leg["avg_price"] - fill["avg_price"]
                lines.append(
                    f"        {leg['platform']:<11} {leg['symbol']:<10} {leg['filled_qty']:g} @ "
                    f"{leg['avg_price']:.4f}  ({diff:+.4f} vs avg)"
                )
    return "\n".join(lines), len(per_platform)


def demo(
    seconds: Annotated[float, typer.Option(help="How long the engine trades before the summary.")] = 20.0,
    profile: DemoProfileOpt = "dev",
    config_dir: ConfigDirOpt = None,
    interval: Annotated[float, typer.Option(help="Seconds between signals per symbol.")] = 2.0,
) -> None:
    """Run gateway, the adapters of the profile's platforms (simulated in dev) and the example engine together,
    show fills as they come, and end with a summary per platform. Uses free loopback ports, so it never
    disturbs a gateway already running."""
    from nexus_gw.adapters.registry import validate_driver_settings
    from nexus_gw.client import NexusGatewayInterface
    from nexus_gw.config.loader import find_config_dir, load_profile
    from nexus_gw.errors import CheckFailed
    from nexus_gw.examples.momentum import MomentumEngine
    from nexus_gw.stack import LocalStack

    config = find_config_dir(config_dir)
    loaded = load_profile(profile, config, check_settings=validate_driver_settings)
    platforms = list(loaded.profile.enabled_platforms())
    symbols = list(loaded.profile.symbols)
    run_dir = Path(tempfile.mkdtemp(prefix="nexusgw-demo-"))
    stack = LocalStack(profile, config, run_dir)
    typer.echo(f"nexusgw demo: profile {profile}, {seconds:g}s, logs in {run_dir}")
    start = time.monotonic()
    try:
        stack.start_gateway()
        typer.echo(
            f"  gateway      up   platform {stack.endpoints.platform}  nexus {stack.endpoints.nexus}  "
            f"admin {stack.endpoints.admin}"
        )
        stack.start_companions(platforms)  # what the drivers declare in adapters/registry.py (e.g. simulators)
        for name in platforms:
            stack.start_adapter(name)
        stack.wait_online(platforms)
        typer.echo(f"  platforms    {len(platforms)}/{len(platforms)} online: {', '.join(platforms)}")
        gateway = NexusGatewayInterface("127.0.0.1", stack.endpoints.nexus_port, name="demo-engine")
        gateway.connect()
        engine = MomentumEngine(
            gateway,
            symbols,
            interval_s=interval,
            on_fill=lambda f: typer.echo(_fill_line(f, time.monotonic() - start)),
        )
        engine.attach()
        gateway.start_listening()
        typer.echo(f"  engine       momentum example trading {', '.join(symbols)}")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.2)
        gateway.close()
        time.sleep(0.3)
        status = stack.status()
    finally:
        stack.stop_all()
    text, platforms_with_fills = summarize(engine.stats.fills, engine.stats, status)
    typer.echo(text)
    if platforms_with_fills == 0:
        raise CheckFailed(f"no fills came back; see the logs in {run_dir}")
