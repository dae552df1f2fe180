"""Signals in, legs out; leg reports in, aggregated updates and one fill out.

``ExecutionDesk`` holds no sockets: it talks through an ``Outbound`` the server provides, so it is
driven directly in tests.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from nexus_gw.config.loader import LoadedProfile
from nexus_gw.domain import intake
from nexus_gw.domain.book import LegSpec, OrderBook
from nexus_gw.domain.clock import Clock
from nexus_gw.domain.orders import Execution, Leg, Order
from nexus_gw.domain.risk.approvals import ApprovalQueue
from nexus_gw.domain.routing import PlatformView, plan_route
from nexus_gw.domain.sizing import size_for_platform
from nexus_gw.journal import Delivery
from nexus_gw.journal.errors import storage_error
from nexus_gw.monitor.figures import refusal_code
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType, OrderStatus, OrderType, Side
from nexus_gw.server.approvals import Approvals
from nexus_gw.server.gateway_orders import GatewayOrders
from nexus_gw.server.ids import new_order_id
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.ownership import Owners
from nexus_gw.server.peers import PeerTable
from nexus_gw.server.reporter import OrderReporter
from nexus_gw.server.reports import order_payload
from nexus_gw.server.riskgate import RiskGate
from nexus_gw.server.signal_limits import SignalRejected, check_signal

log = logging.getLogger(__name__)


class Outbound(Protocol):
    def to_platform(self, name: str, msg_type: MsgType, payload: m.Message) -> bool: ...

    def to_nexus(self, identity: bytes | None, msg_type: MsgType, payload: m.Message) -> None: ...

    def to_engine(
        self, name: str | None, msg_type: MsgType, payload: m.Message | bytes, delivery: Delivery | None = None
    ) -> None: ...

    def hold(self, order: Order, leg: Leg, payload: m.Order) -> bool:
        """Keep a leg its platform could not take for the platform's return; False: reject it now."""
        ...


#: ERROR code of a signal refused because the journal cannot record it (disk full, read-only data directory).
JOURNAL_UNAVAILABLE = "JOURNAL_UNAVAILABLE"


class ExecutionDesk:
    def __init__(
        self,
        loaded: LoadedProfile,
        peers: PeerTable,
        clock: Clock,
        outbound: Outbound,
        counters: Counter[str],
        ledger: Ledger,
        book: OrderBook | None = None,
    ) -> None:
        self.profile = loaded.profile
        self.instruments = loaded.reference.instruments
        self.symbols = loaded.reference.symbols
        self.peers = peers
        self.clock = clock
        self.out = outbound
        self.counters = counters
        self.book = book if book is not None else OrderBook(self.profile.trading.one_order_per_symbol)
        self.owners = Owners(ledger, peers)  # order id -> engine name, persisted with the order
        self.ledger = ledger
        self.reporter = OrderReporter(self.book, self.owners, ledger, outbound, counters, self._paper)
        ledger.journal.finalizer = self.reporter.final_messages  # final messages journaled with the change that ends it
        self.approvals = Approvals(
            ApprovalQueue(self.profile.risk.approval_expiry_seconds),
            self.book,
            ledger,
            clock,
            self.reporter,
            self.send_legs,
        )
        self.gateway_orders = GatewayOrders(
            self.book, ledger, self.owners, self.symbols, clock, counters, self.send_legs
        )
        self.risk: RiskGate | None = None
        self.on_kill_switch: Callable[[bool], None] | None = None

    @property
    def risk(self) -> RiskGate | None:
        return self.approvals.risk

    @risk.setter
    def risk(self, gate: RiskGate | None) -> None:
        self.approvals.risk = gate

    # -- signals -------------------------------------------------------------------------
    def on_signal(self, identity: bytes, signal: m.Signal) -> None:
        received_ns = time.time_ns()  # the order's created_ns: latencies are measured from the signal's arrival
        self.counters["signals"] += 1
        existing = self.book.existing(signal.client_id) or self.ledger.existing(signal.client_id)
        if existing is not None:
            self.counters["duplicate_signals"] += 1
            log.info("client id %s resent: answering with order %s", signal.client_id, existing.order_id)
            self.reporter.report(existing, to=identity)
            return
        try:
            side, qty = check_signal(signal, self.profile, self.instruments)
        except SignalRejected as exc:
            self.counters["errors"] += 1
            log.warning("signal %s refused: %s", signal.client_id, exc)
            error = m.Error(code=exc.code, message=str(exc), ref=signal.client_id, ts_ns=time.time_ns())
            self.out.to_nexus(identity, MsgType.ERROR, error)
            return
        order_id = new_order_id()
        self.owners[order_id] = identity
        busy = self.book.busy_with(signal.symbol)
        if busy is not None:
            reason = (
                f"DUPLICATE_SYMBOL: order {busy.order_id} for {signal.symbol} is still working "
                f"({busy.status.value}); wait for its fill or cancel it"
            )
            self._refuse(order_id, signal, side, qty, reason)
            return
        mode = self.profile.trading.signal_mode
        position = 0.0
        if mode == intake.TARGET and self.risk is not None:
            position = self.risk.projected_position(signal.symbol, self.book.working(signal.symbol))
        plan = intake.plan(mode, signal.symbol, signal.signal, side, qty, position)
        if mode == intake.TARGET:
            try:
                decision = plan.decision(signal.client_id, signal.symbol, signal.signal)
                self.ledger.event("signal.decision", decision, self.clock.now())
            except Exception as exc:
                if not self._cannot_journal(identity, signal, order_id, exc):
                    raise
                return
        if plan.refusal:
            self._refuse(order_id, signal, side, qty, plan.refusal)
            return
        side, parts, qty = plan.side, plan.parts, plan.qty
        views = [self._view(name, signal.symbol) for name in self.profile.enabled_platforms()]
        route = plan_route(signal.symbol, signal.order_type, views, self.profile.risk.connection.offline_platform)
        if route.refused:
            self._refuse(order_id, signal, side, qty, f"NO_ROUTE: {route.refusal}")
            return
        now = self.clock.now()
        platforms = route.platforms
        verdict = None
        if self.risk is not None:
            # the risk gate looks at the working orders of the signal's root only
            verdict = self.risk.check(signal, side, qty, platforms, now, self.book.working(signal.symbol))
            if verdict.refusal:
                self._refuse(order_id, signal, side, qty, verdict.refusal)
                return
            if verdict.qty != qty:
                log.info(
                    "signal %s scaled from %g to %g: %s",
                    signal.client_id,
                    qty,
                    verdict.qty,
                    verdict.decision.message if verdict.decision else "",
                )
            parts = intake.scale(parts, verdict.qty)  # the opening part is cut first: exits are never trapped
            qty, platforms = verdict.qty, verdict.platforms
        legs, unsized = self._size_legs(signal.symbol, parts, platforms, now)
        if not legs:
            self._refuse(order_id, signal, side, qty, f"NO_ROUTE: no platform can trade {qty:g}: {'; '.join(unsized)}")
            return
        order = self.book.create(
            order_id,
            signal.client_id,
            signal.symbol,
            side,
            qty,
            legs,
            signal.order_type,
            signal.limit_price,
            signal.stop_price,
            received_ns,
        )
        if route.skipped:
            order.reason = f"not routed to {', '.join(route.skipped)} (offline or order type unsupported)"
        if unsized:
            order.reason = "; ".join(filter(None, [order.reason, *unsized]))
        if verdict is not None and verdict.decision is not None and verdict.decision.action.value == "SCALE":
            order.reason = f"scaled: {verdict.decision.message}"
        try:
            self.ledger.order_created(order)  # journaled before any leg leaves
        except Exception as exc:
            if not self._cannot_journal(identity, signal, order_id, exc):
                raise
            return
        self.counters["orders"] += 1
        if self.risk is not None and not self.risk.engine.auto_execute and verdict and verdict.intent:
            self.approvals.wait(order, verdict.intent, verdict.decision, now)  # type: ignore[arg-type]
            return
        if log.isEnabledFor(logging.INFO):  # the legs are spelled out only when logged
            log.info(
                "order %s (client %s): %s %s %s -> %s",
                order_id,
                signal.client_id,
                side.value,
                qty,
                signal.symbol,
                ", ".join(f"{leg.platform}:{leg.symbol}" for leg in order.legs.values()),
            )
        self.send_legs(order)
        if self.risk is not None:
            self.risk.order_sent(order.root, now)
        self.reporter.report(order)

    def _cannot_journal(self, identity: bytes, signal: m.Signal, order_id: str, exc: Exception) -> bool:
        """A storage failure before anything was sent: forget the order (its root stays free) and tell the engine
        plainly. False for any other exception (the caller re-raises it)."""
        reason = storage_error(exc)
        if reason is None:
            return False
        self.book.discard(order_id)
        self.owners.forget(order_id)
        self.counters["journal_refusals"] += 1
        message = (
            f"cannot journal the order: {reason} at {self.ledger.journal.path}; free space there (or fix the "
            "data directory) and send again; nothing was sent"
        )
        log.error("signal %s refused: %s", signal.client_id, message)
        error = m.Error(code=JOURNAL_UNAVAILABLE, message=message, ref=signal.client_id, ts_ns=time.time_ns())
        self.out.to_nexus(identity, MsgType.ERROR, error)
        return True

    def send_legs(self, order: Order) -> None:
        for leg in order.legs.values():
            payload = order_payload(order, leg)
            if self.out.to_platform(leg.platform, MsgType.ORDER, payload):
                self.ledger.leg_status(leg, OrderStatus.SENT)
                leg.apply_status(OrderStatus.SENT)
                self.counters["legs_sent"] += 1
            elif self.out.hold(order, leg, payload):
                continue  # held for the platform's return (server/held.py)
            else:
                reason = f"{leg.platform} unreachable"
                self.ledger.leg_status(leg, OrderStatus.REJECTED, reason)
                self.book.apply_status(leg.leg_id, OrderStatus.REJECTED, reason)

    def cancel_all(self, root: str | None = None) -> int:
        """Send a cancel for every working leg (of ``root``'s orders, if given); the number of legs asked."""
        count = 0
        for order in self.book.working():
            if root is not None and order.root != root:
                continue
            for leg in order.legs.values():
                if not leg.is_terminal:
                    self.out.to_platform(
                        leg.platform, MsgType.CANCEL, m.Cancel(order_id=order.order_id, leg_id=leg.leg_id)
                    )
                    count += 1
        self.counters["cancel_all_legs"] += count
        return count

    def _size_legs(
        self, root: str, parts: list[float], platforms: tuple[str, ...], now: object
    ) -> tuple[list[LegSpec], list[str]]:
        """Exposure-equivalent legs per platform (two, close then open, for a reversal through flat);
        platforms whose size rounds to nothing are listed with why."""
        legs, unsized = [], []
        tags = ["close", "open"] if len(parts) == 2 else [""]
        for name, (tag, qty) in ((n, tp) for n in platforms for tp in zip(tags, parts, strict=True)):
            sizing = self.profile.platforms[name].sizing_for(root)
            size = size_for_platform(
                qty,
                sizing.multiplier,
                sizing.volume_step,
                sizing.min_volume,
                sizing.max_volume if sizing.max_volume is not None else 1e12,
            )
            if size.qty <= 0:
                unsized.append(f"{name}: {size.reason or 'size rounds to 0'}")
                continue
            legs.append(
                LegSpec(
                    name,
                    self.symbols.resolve(root, name, now),
                    size.qty,  # type: ignore[arg-type]
                    multiplier=sizing.multiplier,
                    tag=tag,
                )
            )
        return legs, unsized

    def _view(self, name: str, root: str) -> PlatformView:
        peer = self.peers.platforms.get(name)
        return PlatformView(
            name=name,
            online=peer is not None and peer.online,
            trades_root=self.symbols.supports(name, root),
            order_types=peer.order_types if peer else frozenset(OrderType),
        )

    def _refuse(self, order_id: str, signal: m.Signal, side: Side, qty: float, reason: str) -> None:
        self.counters["refused"] += 1
        self.counters["refused." + refusal_code(reason)] += 1  # by reason code, for the metrics
        log.warning("signal %s (%s) refused: %s", signal.client_id, signal.symbol, reason)
        order = self.book.refuse(order_id, signal.client_id, signal.symbol, side, qty, reason)
        try:
            self.ledger.order_created(order)
        except Exception as exc:  # the refusal still reaches the engine; nothing was sent
            if storage_error(exc) is None:
                raise
            log.error("refusal of %s not journaled: %s", signal.client_id, storage_error(exc))
        self.reporter.report(order)

    # -- cancels -------------------------------------------------------------------------
    def on_cancel(self, identity: bytes, cancel: m.Cancel) -> None:
        if cancel.all:
            count = self.cancel_all(cancel.symbol or None)
            log.warning(
                "cancel-all%s from the engine: %d working legs", f" {cancel.symbol}" if cancel.symbol else "", count
            )
            return
        order_id = cancel.order_id or self.book.by_client.get(cancel.client_id, "")
        order = self.book.orders.get(order_id)
        if order is None:  # finished orders leave the book (pruning): one in the journal has nothing to cancel
            done = self.ledger.journal.load_order(order_id) if order_id else self.ledger.existing(cancel.client_id)
            if done is not None and done.is_terminal:
                return
            ref = cancel.order_id or cancel.client_id
            error = m.Error(
                code=ErrorCode.UNKNOWN_ORDER,
                message=f"no order {ref!r}; give order_id or client_id of an order",
                ref=ref,
                ts_ns=time.time_ns(),
            )
            self.out.to_nexus(identity, MsgType.ERROR, error)
            return
        for leg in order.legs.values():
            if not leg.is_terminal:
                self.out.to_platform(leg.platform, MsgType.CANCEL, m.Cancel(order_id=order_id, leg_id=leg.leg_id))
        self.counters["cancels"] += 1

    # -- platform reports ----------------------------------------------------------------
    def on_leg_update(self, platform: str, update: m.LegUpdate) -> None:
        found = self._find_leg(platform, update.leg_id)
        if found is None:
            return
        order, leg = found
        self.ledger.leg_status(leg, update.status, update.reason, update.platform_order_id)
        _, changed = self.book.apply_status(update.leg_id, update.status, update.reason, update.platform_order_id)
        if changed:
            self.reporter.report(order)

    def on_leg_fill(self, platform: str, fill: m.LegFill) -> None:
        found = self._find_leg(platform, fill.leg_id)
        if found is None:
            return
        order, leg = found
        execution = Execution(fill.fill_id, fill.qty, fill.price, fill.ts_ns)
        try:
            new = self.ledger.execution(order, leg, execution)  # journaled before it counts or is reported
        except ValueError as exc:
            log.error("%s: %s", platform, exc)
            self.counters["bad_fills"] += 1
            return
        if not new:
            self.counters["duplicate_fills"] += 1
            return
        self.book.apply_fill(fill.leg_id, execution)
        self.counters["leg_fills"] += 1
        self.reporter.report(order)
        if self.risk is not None:
            update = self.risk.after_execution(order.root, self.book.working(order.root), self.clock.now())
            if update.kill_switch_activated and self.on_kill_switch is not None:
                self.on_kill_switch(update.flatten)

    def _find_leg(self, platform: str, leg_id: str) -> tuple[Order, Leg] | None:
        order_id = self.book.by_leg.get(leg_id)
        order = self.book.orders.get(order_id) if order_id else None
        leg = order.legs.get(leg_id) if order else None
        if order is None or leg is None or leg.platform != platform:
            log.warning("%s reported unknown leg %s", platform, leg_id)
            self.counters["unknown_leg_reports"] += 1
            return None
        return order, leg

    def _paper(self, platform: str) -> bool:
        instance = self.profile.platforms.get(platform)
        return instance.paper if instance is not None else False
