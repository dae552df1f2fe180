"""The MT5 driver's development companion: the MetaTrader5 double's rpyc server for one instance of a profile.

Local stacks (``nexusgw demo``, the end-to-end tests) start it beside a ``driver: mt5`` instance whose settings
say ``double: true`` (with ``backend: remote``), on a free port they then give the adapter as ``settings.port``::

    python -m nexus_gw.adapters.mt5.companion --platform mt5_global --port 18812 --state-file s.json \
        --profile dev --config-dir config

The broker follows the instance's ``market``: ``exchange`` → the B3 broker, ``cfd`` → the global CFD broker. Its
markets are open at any hour (a demo runs on weekends too); its state (orders, positions, deals) is kept in the
state file across restarts.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

READY = "listening on"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The MetaTrader5 double's rpyc server for one profile instance.")
    parser.add_argument("--platform", required=True, help="the platform instance (mt5_global, mt5_brazil…)")
    parser.add_argument("--port", type=int, default=18812)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state-file", help="JSON file keeping the double's orders, positions and deals")
    parser.add_argument("--profile", default="dev")
    parser.add_argument("--config-dir")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    import sys

    from nexus_gw.adapters.mt5.double import server
    from nexus_gw.config.loader import load_profile

    args = parse(argv)
    config_dir = Path(args.config_dir) if args.config_dir else None
    instance = load_profile(args.profile, config_dir).profile.platforms[args.platform]
    broker = "brazil" if instance.settings.get("market") == "exchange" else "global"
    served = server.build_server(
        argparse.Namespace(
            host=args.host,
            port=args.port,
            broker=broker,
            seed=args.seed,
            clock="realtime",
            margin_mode=None,
            state=args.state_file,
        )
    )
    sys.modules["MetaTrader5"]._double.set_market_open(True)  # type: ignore[attr-defined]
    print(f"{READY} {args.host}:{served.port} (MetaTrader5 double, {broker} broker, {args.platform})", flush=True)
    served.start()


if __name__ == "__main__":
    main()
