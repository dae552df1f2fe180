"""What the end-to-end tests read from an MT5 instance's double (the companion's rpyc server), as a broker's
back office would: the orders working at the terminal and the deals it executed, per leg id."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import rpyc

from nexus_gw.adapters.mt5.legs import comment_for, leg_from_comment
from nexus_gw.stack import LocalStack


def working_orders(stack: LocalStack, platform: str) -> list[tuple[str, float]]:
    """(comment, volume) of every order working at ``platform``'s terminal, asked through the MetaTrader5 API.

    The double serves one terminal to every client: an adapter that stopped has shut the API down, so the test
    initializes it first, as a second program beside the terminal would."""
    conn = rpyc.classic.connect("127.0.0.1", stack.companion_ports[platform])
    try:
        assert conn.modules.MetaTrader5.initialize(), conn.modules.MetaTrader5.last_error()
        return [(str(o.comment), float(o.volume_current)) for o in conn.modules.MetaTrader5.orders_get() or ()]
    finally:
        conn.close()


def executed(state_file: Path, platform: str, legs: Iterable[str]) -> dict[str, dict[str, float]]:
    """Leg id -> deal ticket -> volume of every deal in the double's saved state. ``legs`` are the leg ids the
    test knows, for comments that carry a digest; a deal whose comment names no known leg is kept under its
    raw comment, so a comparison with the journal shows it."""
    by_comment = {comment_for(leg, platform): leg for leg in legs}
    deals = json.loads(state_file.read_text())["books"]["deals"]
    found: dict[str, dict[str, float]] = {}
    for deal in deals:
        if deal["type"] not in (0, 1):  # DEAL_TYPE_BUY, DEAL_TYPE_SELL: trades, not balance operations
            continue
        comment = str(deal["comment"])
        leg = by_comment.get(comment) or leg_from_comment(comment, platform) or f"unknown comment {comment!r}"
        found.setdefault(leg, {})[str(deal["ticket"])] = float(deal["volume"])
    return found
