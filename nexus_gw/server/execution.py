"""Signals in, legs out; leg reports in, aggregated updates and one fill out.

``ExecutionDesk`` holds no sockets: it talks through an ``Outbound`` the server provides, so it is
driven directly in tests.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from nexus_gw.config.loader import LoadedProfile
from nexus_gw.domain.book import LegSpec, OrderBook
from nexus_gw.domain.clock import Clock
from nexus_gw.domain.orders import Execution, Leg, Order
from nexus_gw.domain.risk.approvals import ApprovalQueue
from nexus_gw.domain.routing import PlatformView, plan_route
from nexus_gw.domain.sizing import SignalMode, size_for_platform, target_position, trades_for_signal
from nexus_gw.errors import NexusGwError
from nexus_gw.journal import Delivery
from nexus_gw.journal.errors import storage_error
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType, OrderStatus, OrderType, Side
from nexus_gw.server import reports
from nexus_gw.server.ledger import Ledger
from nexus_gw.server.ownership import INTERNAL_OWNER, Owners
from nexus_gw.server.peers import PeerTable
from nexus_gw.server.riskgate import RiskGate
from nexus_gw.server.signal_limits import largest_signal_qty, oversized_message, signal_problem

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


def new_order_id() -> str:
    return f"{time.strftime('%Y%m%d')}-{uuid.uuid4().hex[:10]}"


#: ERROR code of a signal refused because the journal cannot record it (disk full, read-only data directory).
JOURNAL_UNAVAILABLE = "JOURNAL_UNAVAILABLE"

INTERNAL = b""  # owner of the gateway's own orders (rolls): not reported to NEXUS


class SignalRejected(NexusGwError):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


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
        ledger.journal.finalizer = self._final_messages  # final messages journaled with the change that ends an order
        self.ledger = ledger
        self.risk: RiskGate | None = None
        self.approvals = ApprovalQueue(self.profile.risk.approval_expiry_seconds)
        self.awaiting: dict[str, str] = {}  # approval id -> order id
        self.on_kill_switch: Callable[[bool], None] | None = None

    # -- signals -------------------------------------------------------------------------
    def on_signal(self, identity: bytes, signal: m.Signal) -> None:
        self.counters["signals"] += 1
        existing = self.book.existing(signal.client_id) or self.ledger.existing(signal.client_id)
        if existing is not None:
            self.counters["duplicate_signals"] += 1
            log.info("client id %s resent: answering with order %s", signal.client_id, existing.order_id)
            self._report(existing, to=identity)
            return
        try:
            side, qty = self._validate(signal)
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
        parts = [qty]
        if self.profile.trading.signal_mode == "target":
            current = self.risk.projected_position(signal.symbol, self.book.working()) if self.risk else 0
            trades = trades_for_signal(SignalMode.TARGET, signal.signal, qty, current)
            target = target_position(signal.signal, qty)
            try:
                self.ledger.event(
                    "signal.decision",
                    {
                        "client_id": signal.client_id,
                        "mode": "target",
                        "root": signal.symbol,
                        "signal": signal.signal,
                        "target": target,
                        "position": current,
                        "orders": [[s.value, q] for s, q in trades],
                    },
                    self.clock.now(),
                )
            except Exception as exc:
                if not self._cannot_journal(identity, signal, order_id, exc):
                    raise
                return
            if not trades:
                self._refuse(order_id, signal, side, qty, f"AT_TARGET: {signal.symbol} is already at {target:+g}")
                return
            side, parts = trades[0][0], [q for _, q in trades]
            qty = sum(parts)
        views = [self._view(name, signal.symbol) for name in self.profile.enabled_platforms()]
        plan = plan_route(signal.symbol, signal.order_type, views, self.profile.risk.connection.offline_platform)
        if plan.refused:
            self._refuse(order_id, signal, side, qty, f"NO_ROUTE: {plan.refusal}")
            return
        now = self.clock.now()
        platforms = plan.platforms
        verdict = None
        if self.risk is not None:
            verdict = self.risk.check(signal, side, qty, platforms, now, self.book.working())
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
            if verdict.qty < qty:  # cut the opening part first: exits are never trapped
                parts = (
                    [parts[0], verdict.qty - parts[0]] if len(parts) == 2 and verdict.qty > parts[0] else [verdict.qty]
                )
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
            time.time_ns(),
        )
        if plan.skipped:
            order.reason = f"not routed to {', '.join(plan.skipped)} (offline or order type unsupported)"
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
            pending = self.approvals.enqueue(verdict.intent, verdict.decision, now)  # type: ignore[arg-type]
            self.awaiting[pending.id] = order.order_id
            order.reason = f"AWAITING_APPROVAL: {pending.id} (nexusgw approvals approve {pending.id})"
            log.warning("order %s waits for approval %s", order_id, pending.id)
            self._report(order)
            return
        log.info(
            "order %s (client %s): %s %s %s -> %s",
            order_id,
            signal.client_id,
            side.value,
            qty,
            signal.symbol,
            ", ".join(f"{leg.platform}:{leg.symbol}" for leg in order.legs.values()),
        )
        self._send_legs(order)
        if self.risk is not None:
            self.risk.order_sent(order.root, now)
        self._report(order)

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

    # -- approvals -----------------------------------------------------------------------
    def approve(self, approval_id: str, who: str) -> Order:
        """Send a waiting order after checking it again (the market may have moved since)."""
        now = self.clock.now()
        pending = self.approvals.approve(approval_id, who, now)
        order = self.book.orders[self.awaiting.pop(approval_id)]
        assert self.risk is not None
        decision = self.risk.engine.check(pending.intent, now)
        if not decision.accepted:
            reason = decision.reason.value if decision.reason else "RISK"
            self._end_unsent(order, f"RISK_{reason} at approval: {decision.message}")
            return order
        order.reason = f"approved by {who} ({approval_id})"
        self._send_legs(order)
        self.risk.order_sent(order.root, now)
        self._report(order)
        return order

    def reject_approval(self, approval_id: str, who: str, note: str = "") -> Order:
        self.approvals.reject(approval_id, who, self.clock.now(), note)
        order = self.book.orders[self.awaiting.pop(approval_id)]
        self._end_unsent(order, f"REJECTED_BY_OPERATOR: {who}{': ' + note if note else ''}")
        return order

    def expire_approvals(self) -> None:
        for pending in self.approvals.expire(self.clock.now()):
            order_id = self.awaiting.pop(pending.id, None)
            if order_id is not None:
                self._end_unsent(self.book.orders[order_id], f"APPROVAL_EXPIRED: {pending.id} was not approved in time")

    def _end_unsent(self, order: Order, reason: str) -> None:
        order.reason = reason
        for leg in order.legs.values():
            self.ledger.leg_status(leg, OrderStatus.REJECTED, reason)
            self.book.apply_status(leg.leg_id, OrderStatus.REJECTED, reason)
        log.warning("order %s not sent: %s", order.order_id, reason)
        self._report(order)

    def _send_legs(self, order: Order) -> None:
        for leg in order.legs.values():
            payload = m.Order(
                leg_id=leg.leg_id,
                order_id=order.order_id,
                symbol=leg.symbol,
                side=leg.side,
                qty=leg.qty,
                order_type=order.order_type,
                limit_price=order.limit_price,
                stop_price=order.stop_price,
                ts_ns=time.time_ns(),
            )
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

    def roll_position(
        self, root: str, platform: str, old_symbol: str, new_symbol: str, position: float, new_code: str
    ) -> Order | None:
        """Roll ``position`` on ``platform`` as one order of two linked legs: close the old, open the new.

        The client id is derived from the roll, so a restarted gateway never rolls the same position twice.
        """
        qty = abs(position)
        keep = Side.BUY if position > 0 else Side.SELL
        close = Side.SELL if keep is Side.BUY else Side.BUY
        legs = [
            LegSpec(platform, old_symbol, qty, side=close, tag="close"),
            LegSpec(platform, new_symbol, qty, side=keep, tag="open"),
        ]
        reason = f"roll {position:+g} {root} from {old_symbol} to {new_symbol}"
        order = self._internal_order(f"roll:{root}:{new_code}:{platform}", root, keep, qty, legs, reason)
        if order is not None:
            self.counters["roll_orders"] += 1
        return order

    def flatten(self, root: str, platform: str, position: float, tag: str) -> Order | None:
        """Close ``position`` on ``platform`` with one gateway order (kill switch with flatten)."""
        side = Side.SELL if position > 0 else Side.BUY
        symbol = self.symbols.resolve(root, platform, self.clock.now())
        reason = f"flatten {position:+g} {root} on {platform} ({tag})"
        order = self._internal_order(
            f"flatten:{tag}:{platform}:{root}",
            root,
            side,
            abs(position),
            [LegSpec(platform, symbol, abs(position))],
            reason,
        )
        if order is not None:
            self.counters["flatten_orders"] += 1
        return order

    def _internal_order(
        self, client_id: str, root: str, side: Side, qty: float, legs: list[LegSpec], reason: str
    ) -> Order | None:
        """An order of the gateway's own: journaled and logged, never reported to NEXUS, never blocking a root."""
        if self.book.existing(client_id) or self.ledger.existing(client_id):
            return None
        order_id = new_order_id()
        self.owners[order_id] = INTERNAL
        order = self.book.create(order_id, client_id, root, side, qty, legs, created_ns=time.time_ns())
        order.reason = reason
        if self.book.active_by_root.get(root) == order_id:
            del self.book.active_by_root[root]
        self.ledger.order_created(order)
        log.warning("gateway order %s: %s", order_id, reason)
        self._send_legs(order)
        return order

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

    def _validate(self, signal: m.Signal) -> tuple[Side, float]:
        try:
            self.instruments.get(signal.symbol)
        except LookupError as exc:
            raise SignalRejected(ErrorCode.UNKNOWN_SYMBOL, str(exc)) from None
        if signal.symbol not in self.profile.symbols:
            raise SignalRejected(
                ErrorCode.UNKNOWN_SYMBOL,
                f"{signal.symbol} is not traded by profile {self.profile.name}; "
                f"traded: {', '.join(self.profile.symbols)}",
            )
        problem = signal_problem(signal)  # the decoder refuses these already; a desk driven directly must too
        if problem:
            raise SignalRejected(ErrorCode.INVALID_FIELD, problem)
        if signal.signal == 0 and self.profile.trading.signal_mode == "order":
            raise SignalRejected(ErrorCode.INVALID_FIELD, "signal is 0: give a direction (>0 buy, <0 sell)")
        if not 0.0 <= signal.confidence <= 1.0:
            raise SignalRejected(ErrorCode.INVALID_FIELD, f"confidence {signal.confidence} is outside 0..1")
        qty = signal.qty if signal.qty is not None else self.profile.trading.default_qty
        if qty <= 0:
            raise SignalRejected(ErrorCode.INVALID_FIELD, f"qty {qty} must be positive")
        largest = largest_signal_qty(self.profile.risk.limits, signal.symbol)
        if largest is not None and qty > largest:
            raise SignalRejected(ErrorCode.INVALID_FIELD, oversized_message(qty, signal.symbol, largest))
        if signal.order_type is OrderType.LIMIT and signal.limit_price is None:
            raise SignalRejected(ErrorCode.INVALID_FIELD, "a LIMIT signal needs limit_price")
        if signal.order_type is OrderType.STOP and signal.stop_price is None:
            raise SignalRejected(ErrorCode.INVALID_FIELD, "a STOP signal needs stop_price")
        return (Side.BUY if signal.signal >= 0 else Side.SELL), qty

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
        log.warning("signal %s (%s) refused: %s", signal.client_id, signal.symbol, reason)
        order = self.book.refuse(order_id, signal.client_id, signal.symbol, side, qty, reason)
        try:
            self.ledger.order_created(order)
        except Exception as exc:  # the refusal still reaches the engine; nothing was sent
            if storage_error(exc) is None:
                raise
            log.error("refusal of %s not journaled: %s", signal.client_id, storage_error(exc))
        self._report(order)

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
            self._report(order)

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
        self._report(order)
        if self.risk is not None:
            update = self.risk.after_execution(order.root, self.book.working(), self.clock.now())
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

    def _pnl_fields(self, order: Order) -> dict[str, object]:
        """Realized P&L this order caused (closing part), in its currency and in USD, and the position after."""
        pnl = self.ledger.order_pnl.get(order.order_id)
        position = self.ledger.positions.aggregate(order.root).qty
        if pnl is None:
            return {"position": position}
        note = "" if pnl.usd is not None else "USD unknown: " + "; ".join(pnl.missing or ["no usable FX rate"])
        return {
            "currency": pnl.currency,
            "realized_pnl": float(pnl.native),
            "realized_pnl_usd": None if pnl.usd is None else float(pnl.usd),
            "pnl_note": note,
            "position": position,
        }

    # -- reporting -----------------------------------------------------------------------
    def _paper(self, platform: str) -> bool:
        instance = self.profile.platforms.get(platform)
        return instance.paper if instance is not None else False

    def _final_messages(self, order: Order, owner: str | None, revision: int = 0) -> list[tuple[str, str, bytes]]:
        """The outbox rows of an order that just finished (called by the journal inside that transaction)."""
        live = self.book.orders.get(order.order_id)
        if live is not None and live.reason:
            order.reason = live.reason  # reasons the desk set in memory (approval expired, not routed…)
        pnl = self._pnl_fields(order)
        if order.avg_price is not None and "currency" not in pnl:
            pnl["pnl_note"] = "P&L unknown: part of this order executed before a gateway restart"
        return reports.final_messages(order, self._paper, pnl, time.time_ns(), revision)

    def _report(self, order: Order, to: bytes | None = None) -> None:
        """Tell the order's engine (its owner, by HELLO name) about it; never an engine that does not own it.

        A finished order's final ORDER_UPDATE and FILL come from the journal's outbox (written with the change
        that finished it) and are resent until the owner acknowledges them; other updates go once.
        """
        owner = self.owners.name_of(order.order_id)
        if owner == INTERNAL_OWNER:
            if order.is_terminal:
                log.info(
                    "gateway order %s (%s) %s: %s",
                    order.order_id,
                    order.client_id,
                    order.status.value,
                    ", ".join(
                        f"{leg.leg_id} {leg.status.value} {leg.filled_qty:g}@{leg.avg_price}"
                        for leg in order.legs.values()
                    ),
                )
            return
        now_ns = time.time_ns()
        legs = reports.leg_reports(order, self._paper)
        update = reports.order_update(order, legs, now_ns)
        if to is not None:  # a resent client id: the asker gets the state; its owner also the fill
            self.out.to_nexus(to, MsgType.ORDER_UPDATE, update)
            asker = self.owners.engine_name(to)
            if order.is_terminal and owner in (None, asker):
                for delivery in self.ledger.final_messages(order.order_id):
                    if delivery.kind == MsgType.FILL.value:
                        self.out.to_engine(asker, MsgType.FILL, delivery.payload, delivery)
            return
        if not order.is_terminal:
            self.out.to_engine(owner, MsgType.ORDER_UPDATE, update)
            return
        finals = [d for d in self.ledger.final_messages(order.order_id) if d.acked_ns is None]
        if finals:
            for delivery in finals:
                self.out.to_engine(owner, MsgType(delivery.kind), delivery.payload, delivery)
        else:  # a refused signal (answered directly), or finished where the journal could not build them
            self.out.to_engine(owner, MsgType.ORDER_UPDATE, update)
            fill = reports.fill_report(order, legs, self._pnl_fields(order), now_ns)
            if fill is not None and not self.ledger.final_messages(order.order_id):
                self.out.to_engine(owner, MsgType.FILL, fill)
        self.ledger.owners.pop(order.order_id, None)
        avg = order.avg_price
        if avg is not None:
            self.counters["fills"] += 1
            log.info(
                "order %s done: %s %s/%s %s @ %.6g (%s)",
                order.order_id,
                order.side.value,
                order.filled_qty,
                order.total_leg_qty,
                order.root,
                avg,
                ", ".join(f"{leg.platform} {leg.filled_qty}@{leg.avg_price}" for leg in order.legs.values()),
            )
