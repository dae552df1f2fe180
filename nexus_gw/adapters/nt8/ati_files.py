"""NinjaTrader's ATI file formats: order instruction lines (``incoming``) and information files (``outgoing``).

An order instruction line has 13 positions separated by semicolons (always 12 semicolons)::

    COMMAND;ACCOUNT;INSTRUMENT;ACTION;QTY;ORDER TYPE;LIMIT PRICE;STOP PRICE;TIF;OCO ID;ORDER ID;STRATEGY;STRATEGY ID

Order state files (``<ORDER ID>.txt``, or ``<Account>_<ORDER ID>.txt``) hold ``STATE;FILLED QUANTITY;AVERAGE FILL
PRICE``; position files (``<instrument> <exchange>_<account>_position.txt``, any case) hold ``LONG|SHORT|FLAT;
QUANTITY;AVERAGE ENTRY PRICE``. Prices use a decimal point whatever the locale. Pure: no files here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from nexus_gw.protocol.constants import OrderType, Side

from .states import normal

FIELDS: Final = 13
ORDER_TYPES: Final = {OrderType.MARKET: "MARKET", OrderType.LIMIT: "LIMIT", OrderType.STOP: "STOPMARKET"}
"""NT8 order types; NT8 refuses the NT7-era bare ``STOP``."""
SAFE_ID: Final = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
"""ORDER IDs become file names in ``outgoing``: keep them to characters every file system takes."""
POSITION_FILE: Final = re.compile(r"^(?P<instrument>.+?) (?P<exchange>[^ _]+)_(?P<account>[^_]+)_position\.txt$", re.I)


class AtiFormatError(ValueError):
    """A value that cannot be written in an order instruction line, or a file content that cannot be read."""


def price_text(price: float) -> str:
    """A price with a decimal point and no exponent (``21000.25``, never ``21000,25`` or ``2.1e4``)."""
    text = format(Decimal(repr(float(price))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def line(*fields: str) -> str:
    if len(fields) != FIELDS:
        raise AtiFormatError(f"an ATI line has {FIELDS} fields, got {len(fields)}: {fields}")
    bad = [f for f in fields if ";" in f or "\n" in f or "\r" in f]
    if bad:
        raise AtiFormatError(f"ATI fields cannot hold ';' or line breaks: {bad}")
    return ";".join(fields)


def place(
    account: str,
    instrument: str,
    side: Side,
    qty: float,
    order_type: OrderType,
    limit_price: float | None,
    stop_price: float | None,
    tif: str,
    order_id: str,
) -> str:
    """``PLACE;<ACCOUNT>;<INSTRUMENT>;<ACTION>;<QTY>;<ORDER TYPE>;[LIMIT];[STOP];<TIF>;;<ORDER ID>;;``."""
    if qty <= 0 or qty != int(qty):
        raise AtiFormatError(f"NinjaTrader trades whole contracts; quantity {qty:g} is not one")
    if not SAFE_ID.match(order_id):
        raise AtiFormatError(f"order id {order_id!r} has characters an ATI file name cannot carry")
    limit = price_text(limit_price) if order_type is OrderType.LIMIT and limit_price is not None else ""
    stop = price_text(stop_price) if order_type is OrderType.STOP and stop_price is not None else ""
    if order_type is OrderType.LIMIT and not limit:
        raise AtiFormatError("a LIMIT order needs a limit price")
    if order_type is OrderType.STOP and not stop:
        raise AtiFormatError("a STOP order needs a stop price")
    action = "BUY" if side is Side.BUY else "SELL"
    return line(
        "PLACE", account, instrument, action, str(int(qty)), ORDER_TYPES[order_type], limit, stop, tif, "", order_id,
        "", "",
    )  # fmt: skip


def cancel(order_id: str) -> str:
    """``CANCEL;;;;;;;;;;<ORDER ID>;;``."""
    return line("CANCEL", *[""] * 9, order_id, "", "")


def cancel_all_orders() -> str:
    return line("CANCELALLORDERS", *[""] * 12)


def close_position(account: str, instrument: str) -> str:
    return line("CLOSEPOSITION", account, instrument, *[""] * 10)


def flatten_everything() -> str:
    return line("FLATTENEVERYTHING", *[""] * 12)


@dataclass(frozen=True)
class OrderState:
    state: str
    """Upper case without spaces (``PARTFILLED`` for every spelling of a partial fill)."""
    filled: float
    avg_price: float


def parse_order_state(text: str) -> OrderState:
    """``WORKING;0;0`` → OrderState; raises ``AtiFormatError`` (a file half written, or not an order state)."""
    parts = text.strip().split(";")
    if len(parts) != 3 or not parts[0].strip():
        raise AtiFormatError(f"not an order state line (STATE;FILLED;AVERAGE PRICE): {text.strip()[:80]!r}")
    try:
        filled, avg = float(parts[1]), float(parts[2])
    except ValueError:
        raise AtiFormatError(f"order state quantities are not numbers: {text.strip()[:80]!r}") from None
    state = normal(parts[0])
    if state in ("PARTIALLYFILLED",):
        state = "PARTFILLED"
    return OrderState(state, filled, avg)


def parse_position(text: str) -> float:
    """``LONG;2;21000.25`` → 2.0, ``SHORT;1;…`` → -1.0, ``FLAT;0;0`` → 0.0."""
    parts = text.strip().split(";")
    if len(parts) != 3:
        raise AtiFormatError(f"not a position line (POSITION;QUANTITY;AVERAGE PRICE): {text.strip()[:80]!r}")
    try:
        qty = abs(float(parts[1]))
    except ValueError:
        raise AtiFormatError(f"position quantity is not a number: {text.strip()[:80]!r}") from None
    side = parts[0].strip().upper()
    if side not in ("LONG", "SHORT", "FLAT"):
        raise AtiFormatError(f"market position {parts[0]!r} is none of LONG, SHORT, FLAT")
    return qty if side == "LONG" else -qty if side == "SHORT" else 0.0


def order_id_of(file_name: str, account: str) -> str | None:
    """The ORDER ID an order state file is named after (``<id>.txt`` or ``<account>_<id>.txt``); None if none."""
    if not file_name.lower().endswith(".txt") or POSITION_FILE.match(file_name):
        return None
    stem = file_name[:-4]
    prefix = f"{account}_"
    return stem[len(prefix) :] if stem.startswith(prefix) else stem


def position_of(file_name: str, account: str) -> str | None:
    """The instrument a position file of ``account`` is about (``NQ 12-26 Globex_Sim101_position.txt``)."""
    match = POSITION_FILE.match(file_name)
    if match is None or match["account"] != account:
        return None
    return match["instrument"]
