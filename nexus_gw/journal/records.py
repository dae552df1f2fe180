"""What the journal hands back besides domain orders, and the conversions between rows and domain objects."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from nexus_gw.domain.orders import Execution, Leg, Order
from nexus_gw.domain.types import OrderStatus, OrderType, Side
from nexus_gw.errors import UsageError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: An order's time: its creation time, or the journal's for one without (a refused signal).
ORDER_TIME = "(CASE WHEN orders.created_ns > 0 THEN orders.created_ns ELSE orders.recorded_ns END)"


@dataclass(frozen=True, slots=True)
class FillRecord:
    """One journaled execution with what identifies its order, platform and root.

    ``ts_ns`` is the platform's execution time (0 when it gave none); ``recorded_ns`` is when the journal wrote
    it; ``seq`` is the journal's order of leg events (the order positions must be rebuilt in).
    """

    seq: int
    order_id: str
    client_id: str
    leg_id: str
    fill_id: str
    platform: str
    root: str
    symbol: str
    side: Side
    qty: float
    price: float
    ts_ns: int
    recorded_ns: int

    @property
    def time_ns(self) -> int:
        """The platform's time when it gave one, else the journal's."""
        return self.ts_ns or self.recorded_ns

    @property
    def key(self) -> tuple[str, str]:
        """The execution's identity: (leg id, fill id)."""
        return (self.leg_id, self.fill_id)


@dataclass(frozen=True, slots=True)
class StatusRecord:
    """One leg status a platform reported, and what the state machine made of it."""

    seq: int
    leg_id: str
    reported_status: OrderStatus
    reason: str
    platform_order_id: str
    status_after: OrderStatus
    changed: bool
    ts_ns: int
    recorded_ns: int


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A journaled event: risk-state change, kill switch, roll, alert… ``data`` is the decoded JSON."""

    seq: int
    kind: str
    data: dict[str, Any]
    ts_ns: int
    recorded_ns: int


@dataclass(frozen=True, slots=True)
class Delivery:
    """A message to NEXUS kept until NEXUS acknowledges it. ``delivery_id`` grows monotonically."""

    delivery_id: int
    order_id: str
    kind: str
    key: str
    payload: bytes
    created_ns: int
    acked_ns: int | None
    owner: str | None = None  # the order's engine ("" the gateway's own, None unknown)


#: Given a finished order (as journaled) and its owner, the messages that tell the owner how it ended:
#: ``(kind, dedupe key, payload)`` rows for the outbox.
Finalizer = Callable[[Order, str | None, int], list[tuple[str, str, bytes]]]
"""``(order, owner, revision)`` → outbox rows ``(kind, dedupe key, payload)``; revision n > 0 is a correction."""


@dataclass(frozen=True, slots=True)
class Recovery:
    """What the gateway restores on start: open orders and the messages NEXUS has not acknowledged."""

    open_orders: list[Order]
    pending: list[Delivery]


def datetime_to_ns(when: datetime, what: str) -> int:
    """Nanoseconds since the epoch of an aware datetime."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise UsageError(f"{what} {when.isoformat()} has no time zone; pass a timezone-aware datetime")
    return (when - _EPOCH) // timedelta(microseconds=1) * 1000


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    raise TypeError(
        f"event data holds a {type(value).__name__} ({value!r}), which has no JSON form; "
        "pass str, numbers, bools, None, lists, dicts, Decimal, datetime or enums"
    )


def encode_event_data(data: Mapping[str, Any]) -> str:
    """JSON text of an event's data (keys sorted, so equal data gives equal text)."""
    try:
        return json.dumps(dict(data), sort_keys=True, default=_json_default, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"event data cannot be journaled: {exc}") from None


def order_from_row(row: sqlite3.Row) -> Order:
    """An order without its legs, from an ``orders`` row."""
    return Order(
        order_id=row["order_id"],
        client_id=row["client_id"],
        root=row["root"],
        side=Side(row["side"]),
        qty=row["qty"],
        order_type=OrderType(row["order_type"]),
        limit_price=row["limit_price"],
        stop_price=row["stop_price"],
        created_ns=row["created_ns"],
        reason=row["reason"],
        rejected=bool(row["rejected"]),
    )


def leg_from_row(row: sqlite3.Row, *, initial: bool = False) -> Leg:
    """A leg without executions, in its current state (or the state it was recorded in, if ``initial``)."""
    prefix = "initial_" if initial else ""
    return Leg(
        leg_id=row["leg_id"],
        platform=row["platform"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        qty=row["qty"],
        multiplier=row["multiplier"],
        status=OrderStatus(row[f"{prefix}status"]),
        reason=row[f"{prefix}reason"],
        platform_order_id=row[f"{prefix}platform_order_id"],
    )


def execution_from_row(row: sqlite3.Row) -> Execution:
    return Execution(fill_id=row["fill_id"], qty=row["qty"], price=row["price"], ts_ns=row["ts_ns"])


def assemble(
    order_rows: Iterable[sqlite3.Row], leg_rows: Iterable[sqlite3.Row], execution_rows: Iterable[sqlite3.Row]
) -> list[Order]:
    """Orders with their legs (in recorded order) and executions (in journal order), in current state.

    ``leg_rows`` must be sorted by (order, position) and ``execution_rows`` by seq; the executions are put into
    the legs' dicts directly, since the stored leg status already reflects them.
    """
    orders = {row["order_id"]: order_from_row(row) for row in order_rows}
    legs: dict[str, Leg] = {}
    for row in leg_rows:
        leg = leg_from_row(row)
        orders[row["order_id"]].add_leg(leg)
        legs[leg.leg_id] = leg
    for row in execution_rows:
        execution = execution_from_row(row)
        legs[row["leg_id"]].executions[execution.fill_id] = execution
    return list(orders.values())


def select_orders(conn: sqlite3.Connection, where: str, params: list[Any]) -> list[Order]:
    """Orders matching ``where`` (a condition on the ``orders`` table, columns qualified) in current state."""
    order_rows = conn.execute(
        f"SELECT * FROM orders WHERE {where} ORDER BY {ORDER_TIME}, orders.order_id", params
    ).fetchall()
    if not order_rows:  # e.g. a client id never seen (every new signal asks): no legs to look for
        return []
    leg_rows = conn.execute(
        f"SELECT legs.* FROM legs JOIN orders ON orders.order_id = legs.order_id WHERE {where}"
        " ORDER BY legs.order_id, legs.position",
        params,
    ).fetchall()
    execution_rows = conn.execute(
        "SELECT executions.* FROM executions JOIN legs ON legs.leg_id = executions.leg_id"
        f" JOIN orders ON orders.order_id = legs.order_id WHERE {where} ORDER BY executions.seq",
        params,
    ).fetchall()
    return assemble(order_rows, leg_rows, execution_rows)


def fill_from_row(row: sqlite3.Row) -> FillRecord:
    return FillRecord(
        seq=row["seq"],
        order_id=row["order_id"],
        client_id=row["client_id"],
        leg_id=row["leg_id"],
        fill_id=row["fill_id"],
        platform=row["platform"],
        root=row["root"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        qty=row["qty"],
        price=row["price"],
        ts_ns=row["ts_ns"],
        recorded_ns=row["recorded_ns"],
    )


def status_from_row(row: sqlite3.Row) -> StatusRecord:
    return StatusRecord(
        seq=row["seq"],
        leg_id=row["leg_id"],
        reported_status=OrderStatus(row["reported_status"]),
        reason=row["reason"],
        platform_order_id=row["platform_order_id"],
        status_after=OrderStatus(row["status_after"]),
        changed=bool(row["changed"]),
        ts_ns=row["ts_ns"],
        recorded_ns=row["recorded_ns"],
    )


def event_from_row(row: sqlite3.Row) -> EventRecord:
    return EventRecord(
        seq=row["seq"],
        kind=row["kind"],
        data=json.loads(row["data"]),
        ts_ns=row["ts_ns"],
        recorded_ns=row["recorded_ns"],
    )


def delivery_from_row(row: sqlite3.Row) -> Delivery:
    return Delivery(
        delivery_id=row["delivery_id"],
        order_id=row["order_id"],
        kind=row["kind"],
        key=row["dedupe_key"],
        payload=bytes(row["payload"]),
        created_ns=row["created_ns"],
        acked_ns=row["acked_ns"],
        owner=row["owner"] if "owner" in row.keys() else None,  # noqa: SIM118 (sqlite3.Row)
    )
