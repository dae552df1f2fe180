"""Paper trading per platform: orders of a ``paper: true`` platform never reach it; they fill here against
that platform's live quotes (market orders at the touch, limits when crossed, stops when triggered).

The broker only produces leg reports; the gateway queues them and feeds them to the execution desk after
the current message, exactly as if the platform had sent them.
"""

from __future__ import annotations

import itertools
import time

from nexus_gw.domain.matching import Match, MatchingEngine, Quote, WorkingOrder
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import OrderStatus

Report = tuple[str, m.LegUpdate | m.LegFill]  # (platform, report)


class PaperBroker:
    def __init__(self) -> None:
        self._engines: dict[str, MatchingEngine] = {}
        self._ids = itertools.count(1)
        self.reports: list[Report] = []

    def _engine(self, platform: str) -> MatchingEngine:
        return self._engines.setdefault(platform, MatchingEngine())

    def submit(self, platform: str, order: m.Order) -> None:
        working = WorkingOrder(
            order.leg_id, order.symbol, order.side, order.qty, order.order_type, order.limit_price, order.stop_price
        )
        engine = self._engine(platform)
        try:
            matches = engine.submit(working)
        except ValueError as exc:
            self._update(platform, order.leg_id, OrderStatus.REJECTED, f"paper: {exc}")
            return
        self._update(platform, order.leg_id, OrderStatus.ACCEPTED, "paper", f"PAPER-{next(self._ids)}")
        if not matches and order.symbol not in engine.quotes:
            return  # waits for the first quote, as a market order at a live platform would
        self._fill(platform, matches)

    def cancel(self, platform: str, leg_id: str) -> None:
        if self._engine(platform).cancel(leg_id) is not None:
            self._update(platform, leg_id, OrderStatus.CANCELLED, "paper: cancelled")

    def on_quote(self, platform: str, symbol: str, bid: float, ask: float, last: float) -> None:
        if bid > 0 and ask > 0:
            self._fill(platform, self._engine(platform).on_quote(symbol, Quote(bid, ask, last)))

    def _update(self, platform: str, leg_id: str, status: OrderStatus, reason: str, platform_id: str = "") -> None:
        self.reports.append(
            (
                platform,
                m.LegUpdate(
                    leg_id=leg_id, status=status, reason=reason, platform_order_id=platform_id, ts_ns=time.time_ns()
                ),
            )
        )

    def _fill(self, platform: str, matches: list[Match]) -> None:
        for match in matches:
            fill = m.LegFill(
                leg_id=match.leg_id,
                fill_id=f"paper-{next(self._ids)}",
                qty=match.qty,
                price=match.price,
                ts_ns=time.time_ns(),
            )
            self.reports.append((platform, fill))

    def drain(self) -> list[Report]:
        reports, self.reports = self.reports, []
        return reports
