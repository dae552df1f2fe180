"""Serve the double as ``MetaTrader5`` over rpyc's classic protocol, as mt5linux's server does.

    python -m nexus_gw.adapters.mt5.double.server --port 18812 --broker global [--clock manual] [--state FILE]

A classic client (``rpyc.classic.connect(host, port)``) then reaches it as ``conn.modules.MetaTrader5`` or through
``conn.execute("import MetaTrader5 as mt5")`` and ``conn.eval("mt5.order_send({...})")``; ``MetaTrader5._double``
injects faults (see ``faults.py``). A classic server runs any code its clients send: keep it on localhost.
Prints ``listening on HOST:PORT`` once bound (``--port 0`` picks a free port).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from nexus_gw.adapters.mt5.double.module import create


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve the MetaTrader5 test double over rpyc (classic protocol).")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; keep it local)")
    parser.add_argument("--port", type=int, default=18812, help="TCP port (default 18812, mt5linux's; 0: any free)")
    parser.add_argument("--broker", choices=("global", "brazil"), default="global")
    parser.add_argument("--seed", type=int, default=0, help="seed of the quote random walk")
    parser.add_argument(
        "--clock",
        choices=("realtime", "manual"),
        default="realtime",
        help="realtime: quotes follow the wall clock; manual: only MetaTrader5._double.advance() moves them",
    )
    parser.add_argument("--margin-mode", type=int, choices=(0, 1, 2), help="0 netting, 1 exchange, 2 hedging")
    parser.add_argument("--state", help="JSON file keeping orders, positions and deals across restarts")
    return parser.parse_args(argv)


def build_server(args: argparse.Namespace) -> Any:
    try:
        from rpyc.core.service import ClassicService
        from rpyc.utils.server import ThreadedServer
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise SystemExit(
            f"rpyc is not installed ({error}); it is a dependency of nexusgw: reinstall nexusgw"
        ) from error
    module = create(
        args.broker,
        seed=args.seed,
        realtime=args.clock == "realtime",
        margin_mode=args.margin_mode,
        state_path=args.state,
    )
    sys.modules["MetaTrader5"] = module
    server = ThreadedServer(ClassicService, hostname=args.host, port=args.port, reuse_addr=True)
    # listen now, so a client that reads the ready line can connect at once (start() then skips this step);
    # without it the port is bound but refuses connections until start() runs
    server._listen()
    return server


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    server = build_server(args)
    print(f"listening on {args.host}:{server.port}", flush=True)
    server.start()


if __name__ == "__main__":
    main()
