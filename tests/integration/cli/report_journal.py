"""A real journal with a known trading history for the report tests, written through the journal API.

Times (UTC; Chicago is UTC-6 and São Paulo UTC-3 in March 2026), T = 2026-03-03 14:00 UTC (Tuesday):

=====  =========  ==================  ==========================================================================
order  created    signal-time quote   legs (fill price, journaled after the order was created)
=====  =========  ==================  ==========================================================================
o1     T          nt8 bid/ask          BUY 1 NQ: nt8 20000.50 (+40 ms), sierra 20000.75 (+120 ms),
                  20000.00/20000.50    mt5_global 20 lots at 20000.00 (+10 ms)
o5     T+30 min   mt5_brazil           BUY 1 WIN: mt5_brazil 130010 (+25 ms)
                  130000/130010
o2     T+1 h      last 20010.00        SELL 1 NQ: nt8 20009.75 (+60 ms), sierra REJECTED "margin",
                                       mt5_global 20 lots at 20010.25 (+30 ms)
o6     T+90 min   last 130200          SELL 1 WIN: mt5_brazil 130195 (+35 ms)
o3     T+2 h      19990.00/19990.50    SELL 1 NQ: sierra 19990.00 (+80 ms)
o4     T+3 h      -                    refused: DAILY_TRADES (no legs)
o7     T+9.5 h    - (no quote)         BUY 1 NQ: nt8 20050.00 (+50 ms)   <- 17:30 Chicago: Wednesday's CME day
o8     T+25 h     last 20040.25        SELL 1 NQ: nt8 20040.00 (+70 ms)
=====  =========  ==================  ==========================================================================

Round trips (NQ $20 per point per contract; mt5_global's CFD lot is $1 per point; WIN R$0.20 per point):
Tuesday: mt5_global +205.00 (20 lots x 10.25), nt8 +185.00 (9.25 x 20), mt5_brazil +37.00 BRL (185 x 0.20)
= +7.40 USD at BRL=5, sierra -215.00 (-10.75 x 20). Wednesday: nt8 -200.00 (-10 x 20).
"""

from __future__ import annotations

from pathlib import Path

from nexus_gw.domain.orders import Execution, Leg, Order
from nexus_gw.journal import Journal
from nexus_gw.journal.references import ReferenceQuote
from nexus_gw.protocol.constants import OrderStatus, Side

MS = 1_000_000
MINUTE = 60_000 * MS
T = 1_772_546_400_000_000_000  # 2026-03-03 14:00:00 UTC


class SetClock:
    """The journal's clock, set by the writer before each record."""

    def __init__(self) -> None:
        self.now = T

    def __call__(self) -> int:
        return self.now


def _order(oid: str, root: str, side: Side, qty: float, created: int, legs: dict[str, float]) -> Order:
    order = Order(oid, f"client-{oid}", root, side, qty, created_ns=created)
    for platform, units in legs.items():
        multiplier = units / qty
        order.add_leg(Leg(f"{oid}.{platform}", platform, f"{root}@{platform}", side, units, multiplier=multiplier))
    return order


def write_history(path: Path) -> Path:
    clock = SetClock()
    with Journal.open(path, now_ns=clock) as journal:

        def order(
            oid: str, root: str, side: Side, created: int, legs: dict[str, float], quote: ReferenceQuote | None
        ) -> None:
            clock.now = created
            journal.record_order(_order(oid, root, side, 1, created, legs), "alpha", quote)

        def fill(leg_id: str, qty: float, price: float, at: int) -> None:
            clock.now = at
            journal.record_execution(leg_id, Execution(f"x-{leg_id}", qty, price, at))

        order(
            "o1",
            "NQ",
            Side.BUY,
            T,
            {"nt8": 1, "sierra": 1, "mt5_global": 20},
            ReferenceQuote("nt8", 20000.00, 20000.50, 20000.25, T - MS),
        )
        fill("o1.mt5_global", 20, 20000.00, T + 10 * MS)
        fill("o1.nt8", 1, 20000.50, T + 40 * MS)
        fill("o1.sierra", 1, 20000.75, T + 120 * MS)
        t5 = T + 30 * MINUTE
        order("o5", "WIN", Side.BUY, t5, {"mt5_brazil": 1}, ReferenceQuote("mt5_brazil", 130000, 130010, 130005, t5))
        fill("o5.mt5_brazil", 1, 130010, t5 + 25 * MS)
        t2 = T + 60 * MINUTE
        order(
            "o2",
            "NQ",
            Side.SELL,
            t2,
            {"nt8": 1, "sierra": 1, "mt5_global": 20},
            ReferenceQuote("sierra", 0.0, 0.0, 20010.00, t2),
        )
        fill("o2.mt5_global", 20, 20010.25, t2 + 30 * MS)
        fill("o2.nt8", 1, 20009.75, t2 + 60 * MS)
        clock.now = t2 + 70 * MS
        journal.record_leg_status("o2.sierra", OrderStatus.REJECTED, "margin")
        t6 = T + 90 * MINUTE
        order("o6", "WIN", Side.SELL, t6, {"mt5_brazil": 1}, ReferenceQuote("mt5_brazil", 0, 0, 130200, t6))
        fill("o6.mt5_brazil", 1, 130195, t6 + 35 * MS)
        t3 = T + 120 * MINUTE
        order("o3", "NQ", Side.SELL, t3, {"sierra": 1}, ReferenceQuote("nt8", 19990.00, 19990.50, 19990.25, t3))
        fill("o3.sierra", 1, 19990.00, t3 + 80 * MS)
        clock.now = T + 180 * MINUTE
        refused = Order("o4", "client-o4", "NQ", Side.BUY, 1, reason="DAILY_TRADES: 5 orders sent", rejected=True)
        journal.record_order(refused, "alpha")
        t7 = T + 570 * MINUTE  # 23:30 UTC = 17:30 Chicago: Wednesday's trading day
        order("o7", "NQ", Side.BUY, t7, {"nt8": 1}, None)
        fill("o7.nt8", 1, 20050.00, t7 + 50 * MS)
        t8 = T + 25 * 60 * MINUTE
        order("o8", "NQ", Side.SELL, t8, {"nt8": 1}, ReferenceQuote("nt8", 0, 0, 20040.25, t8))
        fill("o8.nt8", 1, 20040.00, t8 + 70 * MS)
    return path
