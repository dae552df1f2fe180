"""The NT8 driver's development companion: a simulated NinjaTrader for one instance of a profile.

Local stacks (``nexusgw demo``, the end-to-end tests) start it beside a ``driver: nt8`` instance whose settings say
``simulator: true``, on a free port::

    python -m nexus_gw.adapters.nt8.companion --platform nt8 --port 19001 --state-file s.json --profile dev

What it runs follows the instance's ``mode``: ``ati`` → the ATI simulator (Python, runs anywhere) on the folder
``settings.simulated_root(port)``, which the adapter derives from the same port; ``bridge`` → the compiled C#
harness (the AddOn's real transport, a simulated account) listening on the port, which needs Mono
(``apt-get install mono-mcs``). It prints ``listening on …`` once ready.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

READY = "listening on"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="A simulated NinjaTrader 8 for one profile instance.")
    parser.add_argument("--platform", required=True, help="the platform instance (nt8)")
    parser.add_argument("--port", type=int, default=9001, help="bridge: the port; ati: the key of the folder")
    parser.add_argument("--state-file", help="ati: JSON view of the simulated orders (working, orders, placed)")
    parser.add_argument("--profile", default="dev")
    parser.add_argument("--config-dir")
    parser.add_argument("--mode", choices=("bridge", "ati"), help="default: the instance's settings.mode")
    parser.add_argument("--fill-interval-s", type=float, default=0.05, help="ati: seconds before each fill")
    parser.add_argument("--slices", type=int, default=2, help="ati: executions a market order is split into")
    return parser.parse_args(argv)


def run_ati(args: argparse.Namespace, account: str) -> None:
    from .ati_simulator import AtiSimulator, SimulatorConfig
    from .settings import simulated_root

    root = simulated_root(args.port)
    simulator = AtiSimulator(
        SimulatorConfig(
            root=root,
            account=account,
            fill_interval_s=args.fill_interval_s,
            slices=args.slices,
            state_file=Path(args.state_file) if args.state_file else None,
        )
    )
    simulator.start()
    print(f"NinjaTrader ATI simulator for {args.platform} {READY} {root}", flush=True)
    stop = threading.Event()
    for name in ("SIGTERM", "SIGINT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: stop.set())
    stop.wait()
    simulator.stop()
    shutil.rmtree(root, ignore_errors=True)


def run_bridge(port: int, account: str, cache: Path) -> None:
    from .harness import HarnessUnavailable, build

    try:
        exe = build(cache)
    except HarnessUnavailable as exc:
        sys.exit(f"cannot run the simulated NinjaTrader bridge: {exc}; or set the instance's settings.mode to ati")
    mono = "mono"
    # the harness prints "listening on 127.0.0.1:<port>"; it replaces this process
    os.execvp(mono, [mono, str(exe), "--port", str(port), "--account", account, "--serve"])


def main(argv: Sequence[str] | None = None) -> None:
    from nexus_gw.config.loader import load_profile

    args = parse(argv)
    config_dir = Path(args.config_dir) if args.config_dir else None
    settings = load_profile(args.profile, config_dir).profile.platforms[args.platform].settings
    mode = args.mode or settings.get("mode", "bridge")
    account = str(settings.get("account", "Sim101"))
    if mode == "ati":
        run_ati(args, account)
    else:
        cache = Path(args.state_file).parent if args.state_file else Path.home() / ".cache" / "nexusgw"
        run_bridge(args.port, account, cache)


if __name__ == "__main__":
    main()
