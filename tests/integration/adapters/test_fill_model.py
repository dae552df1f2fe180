"""One fill model: the same stop fills the same way in the sim driver, paper mode and the DTC simulator.

The rule (``nexus_gw.domain.matching``): a stop triggers when the LAST trade price reaches it, then fills at the
touch. The quotes below put the ask at the stop while the last trade is one tick under it: a bid/ask trigger would
fill the buy stop there, the last-price rule must not.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from nexus_gw.adapters.sierra.dtc import messages as dtc
from nexus_gw.adapters.sierra.dtc.constants import BuySell
from nexus_gw.adapters.sierra.dtc.constants import OrderType as DtcOrderType
from nexus_gw.adapters.sierra.simulator.exchange import ExchangeSettings, SimExchange
from nexus_gw.adapters.sim.config import SimSettings
from nexus_gw.adapters.sim.driver import SimDriver
from nexus_gw.domain.matching import Execution, Quote, fill_price
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import OrderStatus, OrderType, Side
from nexus_gw.server.paper import PaperBroker

TICK = 0.25
STOP = 21000.25
BEFORE = Quote(bid=21000.0, ask=21000.25, last=21000.0)  # ask at the stop, last under it: no trigger
AFTER = Quote(bid=21000.25, ask=21000.5, last=21000.25)  # last reaches the stop: trigger, fill at the ask
EXPECTED_FILL = 21000.5


def stop_order(leg_id: str = "L1.sim") -> m.Order:
    return m.Order(
        leg_id=leg_id, order_id="O1", symbol="NQH25", side=Side.BUY, qty=1, order_type=OrderType.STOP, stop_price=STOP
    )


def test_the_rule_triggers_stops_on_the_last_price_only() -> None:
    assert fill_price(Side.BUY, OrderType.STOP, BEFORE, stop_price=STOP) == Execution(False, None)
    assert fill_price(Side.BUY, OrderType.STOP, AFTER, stop_price=STOP) == Execution(True, EXPECTED_FILL)
    sell_before = Quote(bid=20999.75, ask=21000.0, last=21000.25)  # bid under a 21000 sell stop, last above it
    assert fill_price(Side.SELL, OrderType.STOP, sell_before, stop_price=21000.0) == Execution(False, None)
    # once triggered, a stop stays triggered and fills at the touch even if the last trade moves back
    assert fill_price(Side.BUY, OrderType.STOP, BEFORE, stop_price=STOP, triggered=True).price == BEFORE.ask
    assert fill_price(Side.BUY, OrderType.LIMIT, BEFORE, limit_price=21000.5).price == BEFORE.ask
    assert fill_price(Side.SELL, OrderType.MARKET, BEFORE).price == BEFORE.bid


class Events:
    def __init__(self) -> None:
        self.statuses: list[tuple[str, OrderStatus]] = []
        self.fills: list[tuple[str, float, float]] = []

    def market_data(self, symbol: str, bid: float, ask: float, last: float, size: float, ts_ns: int) -> None:
        pass

    def order_update(self, leg_id: str, status: OrderStatus, reason: str = "", platform_order_id: str = "") -> None:
        self.statuses.append((leg_id, status))

    def fill(self, leg_id: str, fill_id: str, qty: float, price: float, ts_ns: int) -> None:
        self.fills.append((leg_id, qty, price))

    def platform_state(self, connected: bool, reason: str = "") -> None:
        pass


def test_sim_driver_fills_the_stop_by_the_rule(tmp_path: Path) -> None:
    replay = tmp_path / "ticks.csv"
    rows = [(0, BEFORE), (100, AFTER)]  # seconds; the test drives the driver's clock through poll(now)
    replay.write_text(
        "time,symbol,bid,ask,last,size\n" + "".join(f"{t},NQ,{q.bid},{q.ask},{q.last},1\n" for t, q in rows)
    )
    driver = SimDriver("sim", SimSettings(fill_latency_ms=0, seed=1, replay_file=replay))
    events = Events()
    driver.start(events)
    driver.subscribe([m.Subscription(root="NQ", symbol="NQH25", tick_size=TICK)])
    driver.poll(time.monotonic() + 1)  # the first row (BEFORE) is quoted
    driver.submit(stop_order())
    driver.poll(time.monotonic() + 2)
    assert ("L1.sim", OrderStatus.ACCEPTED) in events.statuses and events.fills == []
    driver.poll(time.monotonic() + 500)  # the second row (AFTER) triggers the stop
    driver.poll(time.monotonic() + 501)  # the execution, after the fill latency
    assert events.fills == [("L1.sim", 1, EXPECTED_FILL)]


def test_paper_mode_fills_the_stop_by_the_rule() -> None:
    broker = PaperBroker()
    broker.on_quote("nt8", "NQH25", BEFORE.bid, BEFORE.ask, BEFORE.last)
    broker.submit("nt8", stop_order())
    broker.on_quote("nt8", "NQH25", BEFORE.bid, BEFORE.ask, BEFORE.last)
    assert [r for _p, r in broker.reports if isinstance(r, m.LegFill)] == []
    broker.on_quote("nt8", "NQH25", AFTER.bid, AFTER.ask, AFTER.last)
    fills = [r for _p, r in broker.reports if isinstance(r, m.LegFill)]
    assert [(f.leg_id, f.qty, f.price) for f in fills] == [("L1.sim", 1, EXPECTED_FILL)]


def test_dtc_simulator_fills_the_stop_by_the_rule() -> None:
    ex = SimExchange(
        ExchangeSettings(symbols={"NQH25": BEFORE.bid}, tick_size=TICK, partial_fill_slices=1),
        rng=random.Random(1),
        wall_clock=lambda: 1_700_000_000.0,
    )
    assert ex.bid_ask("NQH25") == (BEFORE.bid, BEFORE.ask)  # and the last trade at the bid: BEFORE
    req = dtc.SubmitNewSingleOrder(
        Symbol="NQH25",
        TradeAccount="Sim1",
        ClientOrderID="c1",
        OrderType=DtcOrderType.STOP,
        BuySell=BuySell.BUY,
        Price1=STOP,
        Quantity=1,
    )
    _, server_id = ex.submit(req, "t")
    assert server_id is not None
    assert ex.try_fill(server_id).messages == []
    ex.set_price("NQH25", AFTER.bid)  # a trade at 21000.25: the last reaches the stop
    update = ex.try_fill(server_id).messages[0]
    assert isinstance(update, dtc.OrderUpdate) and update.LastFillPrice == EXPECTED_FILL
