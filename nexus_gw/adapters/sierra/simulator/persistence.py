"""The simulated exchange's state as plain data, for the state file that survives restarts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..dtc.constants import (
    TERMINAL_ORDER_STATUSES,
    OpenClose,
)
from .fields import ExchangeFields
from .records import STATE_VERSION, SimFill, SimPosition, order_data, order_from


class ExchangeState(ExchangeFields):
    """Mixed into :class:`~.exchange.SimExchange`; uses its state."""

    # ------------------------------------------------------------------------------------------------- state

    def export_state(self) -> dict[str, Any]:
        """Orders, fills, positions and prices as plain JSON-able data (see :meth:`restore_state`)."""
        with self._lock:
            return {
                "version": STATE_VERSION,
                "saved_at": self._wall(),
                "prices": {symbol: market.price for symbol, market in self._markets.items()},
                "orders": [order_data(o) for o in self._orders.values()],
                "fills": [
                    {
                        "execution_id": f.execution_id,
                        "server_order_id": f.order.server_order_id,
                        "price": f.price,
                        "quantity": f.quantity,
                        "time": f.time,
                        "position_after": f.position_after,
                        "open_close": int(f.open_close),
                    }
                    for f in self._fills
                ],
                "positions": [
                    {
                        "account": account,
                        "symbol": symbol,
                        "exchange": pos.exchange,
                        "quantity": pos.quantity,
                        "average": pos.average,
                        "entry_time": pos.entry_time,
                    }
                    for (account, symbol), pos in self._positions.items()
                ],
            }

    def restore_state(self, state: Mapping[str, Any]) -> list[str]:
        """Load what :meth:`export_state` produced (after a restart); return the ServerOrderIDs still working.

        IDs made from now on carry this process's own stamp, so they never collide with restored ones.
        Raises ``ValueError`` naming what is wrong when ``state`` is not a state of this version.
        """
        version = state.get("version")
        if version != STATE_VERSION:
            raise ValueError(f"state version {version!r} is not {STATE_VERSION}; delete the file to start empty")
        with self._lock:
            try:
                orders = {o.server_order_id: o for o in (order_from(item) for item in state["orders"])}
                fills = [
                    SimFill(
                        execution_id=str(item["execution_id"]),
                        order=orders[str(item["server_order_id"])],
                        price=float(item["price"]),
                        quantity=float(item["quantity"]),
                        time=float(item["time"]),
                        position_after=float(item["position_after"]),
                        open_close=OpenClose(int(item["open_close"])),
                    )
                    for item in state["fills"]
                ]
                positions = {
                    (str(item["account"]), str(item["symbol"])): SimPosition(
                        exchange=str(item["exchange"]),
                        quantity=float(item["quantity"]),
                        average=float(item["average"]),
                        entry_time=int(item["entry_time"]),
                    )
                    for item in state["positions"]
                }
                prices = {str(k): float(v) for k, v in state.get("prices", {}).items()}
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(
                    f"state is damaged ({type(exc).__name__}: {exc}); delete the file to start empty"
                ) from exc
            self._orders.update(orders)
            self._fills.extend(fills)
            self._positions.update(positions)
            for symbol, price in prices.items():
                if symbol in self._markets and price > 0:
                    self._markets[symbol].price = self._markets[symbol].last = self._on_grid(price)
            return [o.server_order_id for o in orders.values() if o.status not in TERMINAL_ORDER_STATUSES]
