"""Command line of the DTC simulator: ``python -m nexus_gw.adapters.sierra.simulator``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from .config import DEFAULT_SYMBOLS, ServerEncoding, SimulatorConfig
from .server import DtcSimulator
from .state import StateFileError


def _parse_symbols(text: str) -> dict[str, float]:
    symbols: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, price = item.partition("=")
        try:
            value = float(price)
        except ValueError:
            value = float("nan")
        if not sep or not name.strip() or not value > 0:
            raise argparse.ArgumentTypeError(
                f"bad symbol {item!r}: write SYMBOL=BASE_PRICE with a positive price, e.g. NQH25=21000"
            )
        symbols[name.strip()] = value
    if not symbols:
        raise argparse.ArgumentTypeError("no symbols given: use e.g. --symbols NQH25=21000,ESH25=6000")
    return symbols


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m nexus_gw.adapters.sierra.simulator",
        description="Simulated Sierra Chart DTC server (binary and JSON encodings) for tests and demos.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=11099, help="TCP port (default 11099, 0 = any free port)")
    p.add_argument(
        "--encoding",
        choices=[e.value for e in ServerEncoding],
        default=ServerEncoding.AUTOMATIC.value,
        help="server encoding: automatic grants what the client asks (default)",
    )
    p.add_argument(
        "--symbols",
        type=_parse_symbols,
        default=dict(DEFAULT_SYMBOLS),
        help="SYMBOL=BASE_PRICE list, e.g. NQH25=21000,ESH25=6000",
    )
    p.add_argument("--accounts", default="Sim1", help="comma-separated trade accounts (default Sim1)")
    p.add_argument("--rate", type=float, default=4.0, help="market-data steps per second (default 4, 0 = none)")
    p.add_argument("--tick-size", type=float, default=0.25, help="price grid of the random walk (default 0.25)")
    p.add_argument("--compact", action="store_true", help="send the compact trade and bid/ask messages")
    p.add_argument("--fill-latency", type=float, default=0.05, help="seconds from acceptance to first fill")
    p.add_argument("--fill-interval", type=float, default=0.05, help="seconds between partial fills")
    p.add_argument("--partial-fills", type=int, default=2, help="executions per order (1 = no partial fills)")
    p.add_argument("--no-trading", action="store_true", help="reject every order, as with Allow Trading off")
    p.add_argument("--reject-logon", metavar="TEXT", help="reject every logon with this text")
    p.add_argument("--username", help="require this username at logon")
    p.add_argument("--password-env", metavar="VAR", help="environment variable holding the required password")
    p.add_argument("--seed", type=int, help="random seed for a repeatable price walk")
    p.add_argument(
        "--state-file",
        type=Path,
        metavar="PATH",
        help="keep orders, fills and positions in this file so a restarted simulator still reports them",
    )
    p.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    return p


def config_from_args(argv: Sequence[str] | None = None) -> SimulatorConfig:
    """Build a :class:`SimulatorConfig` from command-line arguments (exits 2 with a message on bad input)."""
    return _parse(argv)[0]


def _parse(argv: Sequence[str] | None) -> tuple[SimulatorConfig, str]:
    parser = _parser()
    args = parser.parse_args(argv)
    password = ""
    if args.password_env:
        if args.password_env not in os.environ:
            parser.error(f"--password-env {args.password_env}: that environment variable is not set")
        password = os.environ[args.password_env]
    if args.partial_fills < 1:
        parser.error("--partial-fills must be >= 1")
    config = SimulatorConfig(
        host=args.host,
        port=args.port,
        encoding=ServerEncoding(args.encoding),
        symbols=args.symbols,
        trade_accounts=tuple(a.strip() for a in args.accounts.split(",") if a.strip()),
        tick_size=args.tick_size,
        updates_per_second=args.rate,
        compact_updates=args.compact,
        username=args.username,
        password=password,
        logon_reject_text=args.reject_logon,
        allow_trading=not args.no_trading,
        fill_latency_s=args.fill_latency,
        fill_interval_s=args.fill_interval,
        partial_fill_slices=args.partial_fills,
        seed=args.seed,
        state_file=args.state_file,
    )
    return config, args.log_level.upper()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator until SIGINT/SIGTERM. Prints one ``listening on HOST:PORT`` line when ready."""
    config, log_level = _parse(argv)
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sim = DtcSimulator(config)
    try:
        host, port = sim.start()
    except (OSError, StateFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    done = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(
        f"DTC simulator listening on {host}:{port} (encoding {config.encoding.value}, "
        f"symbols {', '.join(config.symbols)}, accounts {', '.join(config.trade_accounts)})",
        flush=True,
    )
    while not done.wait(0.5):
        pass
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
