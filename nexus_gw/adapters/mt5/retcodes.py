"""What each MT5 trade return code means for the leg (platforms.md §3.3). Pure.

- ``DONE``/``PARTIAL``: executed (the deals carry the fills); ``PLACED``: a pending order is working;
- ``RETRY``: requote, price changed, off quotes: nothing happened, resend with a fresh price within a bound;
- ``REJECT``: the broker refused (market closed, no money, invalid volume/price/stops, trading or AutoTrading
  disabled…): a rejected leg with the broker's text;
- ``UNKNOWN``: no connection, timeout, a processing error or a code not in the table: whether the order exists
  is not known. The leg stays open, is settled from orders and deals by its comment, and is never sent twice.
"""

from __future__ import annotations

from enum import Enum
from typing import Final


class Outcome(Enum):
    DONE = "done"
    PARTIAL = "partial"
    PLACED = "placed"
    RETRY = "retry"
    REJECT = "reject"
    UNKNOWN = "unknown"


NAMES: Final[dict[int, str]] = {
    10004: "REQUOTE",
    10006: "REJECT",
    10007: "CANCEL",
    10008: "PLACED",
    10009: "DONE",
    10010: "DONE_PARTIAL",
    10011: "ERROR",
    10012: "TIMEOUT",
    10013: "INVALID",
    10014: "INVALID_VOLUME",
    10015: "INVALID_PRICE",
    10016: "INVALID_STOPS",
    10017: "TRADE_DISABLED",
    10018: "MARKET_CLOSED",
    10019: "NO_MONEY",
    10020: "PRICE_CHANGED",
    10021: "PRICE_OFF",
    10022: "INVALID_EXPIRATION",
    10023: "ORDER_CHANGED",
    10024: "TOO_MANY_REQUESTS",
    10025: "NO_CHANGES",
    10026: "SERVER_DISABLES_AT",
    10027: "CLIENT_DISABLES_AT",
    10028: "LOCKED",
    10029: "FROZEN",
    10030: "INVALID_FILL",
    10031: "CONNECTION",
    10032: "ONLY_REAL",
    10033: "LIMIT_ORDERS",
    10034: "LIMIT_VOLUME",
    10035: "INVALID_ORDER",
    10036: "POSITION_CLOSED",
    10038: "INVALID_CLOSE_VOLUME",
    10039: "CLOSE_ORDER_EXIST",
    10040: "LIMIT_POSITIONS",
    10041: "REJECT_CANCEL",
    10042: "LONG_ONLY",
    10043: "SHORT_ONLY",
    10044: "CLOSE_ONLY",
    10045: "FIFO_CLOSE",
    10046: "HEDGE_PROHIBITED",
}

_RETRY: Final = frozenset({10004, 10020, 10021})
_UNKNOWN: Final = frozenset({10011, 10012, 10031})
_DONE: Final = {10009: Outcome.DONE, 10010: Outcome.PARTIAL, 10008: Outcome.PLACED}

HINTS: Final[dict[int, str]] = {
    10018: "the market is closed for this symbol",
    10019: "not enough free margin on the account",
    10027: "AutoTrading is off in the terminal: press the AutoTrading button (Algo Trading)",
    10026: "the broker's server disabled automated trading for this account",
    10017: "trading is disabled for this symbol or account",
    10030: "the symbol does not support this filling mode",
}


def outcome(retcode: int) -> Outcome:
    """What a return code of ``order_send`` means; every code not known to be final is ``UNKNOWN``."""
    if retcode in _DONE:
        return _DONE[retcode]
    if retcode in _RETRY:
        return Outcome.RETRY
    if retcode in _UNKNOWN or retcode not in NAMES:
        return Outcome.UNKNOWN
    return Outcome.REJECT


def describe(retcode: int, comment: str = "") -> str:
    """The broker's text with the code's name, e.g. ``10018 MARKET_CLOSED: Market closed``."""
    text = f"{retcode} {NAMES.get(retcode, 'UNKNOWN_RETCODE')}"
    if comment:
        text += f": {comment}"
    hint = HINTS.get(retcode)
    return f"{text} ({hint})" if hint else text
