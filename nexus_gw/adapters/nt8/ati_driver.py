"""NinjaTrader 8 without the AddOn (``mode: ati``): order instruction files in, information files out.

- **Orders.** Each leg is one PLACE file (``ati_files``) written atomically to ``incoming`` with ORDER ID = the
  leg id, so NinjaTrader's order state file ``outgoing/<leg id>.txt`` names its leg, also across restarts of
  the adapter. CANCEL goes by the same id; ``cancel_all_orders``, ``close_position`` and ``flatten_everything``
  write NinjaTrader's commands of those names.
- **States and fills.** Working states → ACCEPTED; CANCELLED, REJECTED (ATI gives no reason text) and EXPIRED as
  they are. ATI reports a cumulative filled quantity and average price, not executions: each increase becomes one
  fill of the difference, at the price that moves the average so, with fill id ``<leg>/<cumulative qty>`` — the
  same id for the same increase however often it is read, so it is counted once.
- **Never sent twice.** A file NinjaTrader has not taken after ``ati_consume_timeout_s`` is withdrawn (renamed out
  of the ``oif*.txt`` pattern — possible only if NinjaTrader never read it) and the leg rejected; if it was taken
  meanwhile, the leg waits for its state file. A leg whose file was taken but whose state never came is reported
  *in doubt* after ``ati_answer_timeout_s``. Nothing is ever written twice for a leg.
- **No market data**: ATI carries none. The gateway takes NT8's instruments' prices from other platforms.
- **Connected** means both ATI folders exist; a folder that disappears reports the platform down.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from nexus_gw.adapters.base import DriverEvents, PlatformDriver
from nexus_gw.adapters.inflight import InFlightLeg
from nexus_gw.protocol.constants import OrderStatus, OrderType
from nexus_gw.protocol.messages import Capabilities, Order, PlatformReport, ReportedFill, ReportedOrder, Subscription

from . import ati_files
from .ati_folder import AtiFolder
from .settings import NT8Settings
from .states import leg_status

log = logging.getLogger(__name__)

QTY_EPSILON = 1e-9
REJECT_TEXT = "NinjaTrader rejected the order (ATI gives no reason: see the Log tab of NinjaTrader's Control Center)"


@dataclass
class _Leg:
    leg_id: str
    file: Path | None = None
    written_at: float = 0.0
    consumed_at: float | None = None
    state: str = ""
    filled: float = 0.0
    avg: float = 0.0
    accepted: bool = False
    ended: bool = False
    doubt: bool = False


class NT8AtiDriver(PlatformDriver):
    """Trades one NinjaTrader 8 account through ATI order files; see the module docstring."""

    kind = "nt8"

    def __init__(self, name: str, settings: NT8Settings, paper: bool = False) -> None:
        self.name = name
        self.settings = settings
        self.paper = paper
        self.folder = AtiFolder(settings.ati_root())
        self._events: DriverEvents | None = None
        self._connected: bool | None = None
        """None until the folders were first looked at."""
        self._legs: dict[str, _Leg] = {}
        self._executions: OrderedDict[tuple[str, str], ReportedFill] = OrderedDict()
        self._positions: dict[str, float] = {}
        self._next_read = 0.0

    def capabilities(self) -> Capabilities:
        return Capabilities(order_types=[OrderType.MARKET, OrderType.LIMIT, OrderType.STOP], paper=self.paper)

    # ------------------------------------------------------------------------------------------ lifecycle

    def resume(self, in_flight: list[InFlightLeg]) -> None:
        """Open legs of earlier runs: their fills so far are known (the next increase is what is new)."""
        for record in in_flight:
            if not record.finished:
                self._legs[record.leg_id] = _Leg(record.leg_id, consumed_at=0.0, filled=record.filled_qty, doubt=True)

    def _find_unread(self) -> None:
        """Resumed legs whose order file is still in ``incoming``: the consume timeout applies to them again."""
        now = time.monotonic()
        for path, text in self.folder.unread().items():
            for line in text.splitlines():
                fields = line.split(";")
                tracked = self._legs.get(fields[10]) if len(fields) == ati_files.FIELDS else None
                if tracked is not None and fields[0] == "PLACE" and tracked.file is None and not tracked.state:
                    tracked.file, tracked.written_at, tracked.consumed_at, tracked.doubt = path, now, None, False

    def start(self, events: DriverEvents) -> None:
        self._events = events
        self._check_folders()
        if self._connected:
            self._read_outgoing(time.monotonic())
            self._find_unread()

    def stop(self) -> None:
        self._connected = None

    def _check_folders(self) -> bool:
        assert self._events is not None
        ready = self.folder.ready()
        if ready != self._connected:
            self._connected = ready
            if ready:
                self._events.platform_state(True, f"NinjaTrader ATI folders at {self.folder.root}")
            else:
                reason = (
                    f"NinjaTrader's ATI folders {self.folder.incoming} and {self.folder.outgoing} are missing: is "
                    "NinjaTrader installed there (settings.ninjatrader_dir) and the ATI enabled (Tools > Options > "
                    "Automated Trading Interface)?"
                )
                log.warning("%s: %s", self.name, reason)
                self._events.platform_state(False, reason)
        return ready

    def subscribe(self, subscriptions: list[Subscription]) -> None:
        if subscriptions:
            log.info("%s: ATI carries no market data; %d symbol(s) not streamed", self.name, len(subscriptions))

    # --------------------------------------------------------------------------------------------- orders

    def submit(self, order: Order) -> None:
        assert self._events is not None
        leg = order.leg_id
        if leg in self._legs:
            log.warning("%s: leg %s was written to NinjaTrader already; the repeat is ignored", self.name, leg)
            return
        if self.paper:
            self._events.order_update(leg, OrderStatus.REJECTED, f"{self.name} is a paper instance: not sent")
            return
        if not self._connected:
            self._events.order_update(leg, OrderStatus.REJECTED, f"{self.name}: NinjaTrader's ATI folders are missing")
            return
        try:
            line = ati_files.place(
                self.settings.account, order.symbol, order.side, order.qty, order.order_type, order.limit_price,
                order.stop_price, self.settings.tif, leg,
            )  # fmt: skip
        except ati_files.AtiFormatError as exc:
            self._events.order_update(leg, OrderStatus.REJECTED, f"not sent to NinjaTrader: {exc}")
            return
        self._legs[leg] = tracked = _Leg(leg, written_at=time.monotonic())
        try:
            tracked.file = self.folder.write([line])
        except OSError as exc:
            tracked.ended = True
            self._events.order_update(leg, OrderStatus.REJECTED, f"could not write NinjaTrader's order file: {exc}")
            return
        log.info("%s: order %s: %s written to %s", self.name, leg, line, tracked.file.name)

    def cancel(self, leg_id: str) -> None:
        assert self._events is not None
        tracked = self._legs.get(leg_id)
        if tracked is None or tracked.ended:
            return
        if tracked.consumed_at is None and tracked.file is not None and self.folder.withdraw(tracked.file):
            tracked.ended = True
            self._events.order_update(leg_id, OrderStatus.CANCELLED, "withdrawn before NinjaTrader read it")
            return
        self._command(ati_files.cancel(leg_id))

    def cancel_all_orders(self) -> Path | None:
        """CANCELALLORDERS: every working order of every account and connection."""
        return self._command(ati_files.cancel_all_orders())

    def close_position(self, instrument: str) -> Path | None:
        """CLOSEPOSITION: cancel the account's orders in ``instrument`` and flatten its position there."""
        return self._command(ati_files.close_position(self.settings.account, instrument))

    def flatten_everything(self) -> Path | None:
        """FLATTENEVERYTHING: cancel every order and flatten every position on every account and connection."""
        return self._command(ati_files.flatten_everything())

    def _command(self, line: str) -> Path | None:
        try:
            path = self.folder.write([line])
        except OSError as exc:
            log.error("%s: could not write %r to NinjaTrader's incoming folder: %s", self.name, line, exc)
            return None
        log.info("%s: %s written to %s", self.name, line, path.name)
        return path

    # ---------------------------------------------------------------------------------------------- polls

    def poll(self, now: float) -> float | None:
        if self._events is None or not self._check_folders():
            return 1.0
        self._files_taken(now)
        if now >= self._next_read:
            self._next_read = now + self.settings.ati_poll_interval_s
            self._read_outgoing(now)
        return self.settings.ati_poll_interval_s

    def _files_taken(self, now: float) -> None:
        assert self._events is not None
        for tracked in self._legs.values():
            if tracked.ended or tracked.file is None:
                continue
            if tracked.consumed_at is None:
                if not tracked.file.exists():
                    tracked.consumed_at = now
                elif now - tracked.written_at > self.settings.ati_consume_timeout_s:
                    if self.folder.withdraw(tracked.file):
                        tracked.ended = True
                        reason = (
                            f"NinjaTrader did not take the order file {tracked.file.name} within "
                            f"{self.settings.ati_consume_timeout_s:g}s (is the ATI enabled under Tools > Options > "
                            "Automated Trading Interface?); it was withdrawn and the order not placed"
                        )
                        log.error("%s: leg %s: %s", self.name, tracked.leg_id, reason)
                        self._events.order_update(tracked.leg_id, OrderStatus.REJECTED, reason)
                    else:
                        tracked.consumed_at = now
            elif (
                not tracked.state
                and not tracked.doubt
                and now - tracked.consumed_at > self.settings.ati_answer_timeout_s
            ):
                tracked.doubt = True
                log.error(
                    "%s: leg %s: NinjaTrader took its order file but wrote no order state in %gs; the leg is in "
                    "doubt (check NinjaTrader's Orders tab for ORDER ID %s)",
                    self.name,
                    tracked.leg_id,
                    self.settings.ati_answer_timeout_s,
                    tracked.leg_id,
                )

    def _mine(self, order_id: str) -> bool:
        return order_id in self._legs or order_id.endswith(f".{self.name}") or f".{self.name}." in order_id

    def _read_outgoing(self, now: float) -> None:
        account = self.settings.account
        for file_name, text in self.folder.read_outgoing().items():
            instrument = ati_files.position_of(file_name, account)
            if instrument is not None:
                with contextlib.suppress(ati_files.AtiFormatError):  # being rewritten: read it next time
                    self._positions[instrument] = ati_files.parse_position(text)
                continue
            order_id = ati_files.order_id_of(file_name, account)
            if order_id is None or not self._mine(order_id):
                continue
            try:
                state = ati_files.parse_order_state(text)
            except ati_files.AtiFormatError:
                continue
            tracked = self._legs.setdefault(order_id, _Leg(order_id, consumed_at=now))
            self._apply(tracked, state)

    def _apply(self, tracked: _Leg, state: ati_files.OrderState) -> None:
        assert self._events is not None
        leg = tracked.leg_id
        tracked.state, tracked.doubt = state.state, False
        tracked.consumed_at = tracked.consumed_at if tracked.consumed_at is not None else time.monotonic()
        if state.filled > tracked.filled + QTY_EPSILON:
            qty = state.filled - tracked.filled
            price = (state.filled * state.avg_price - tracked.filled * tracked.avg) / qty if tracked.avg else 0.0
            price = round(price if price > 0 else state.avg_price, 8)
            fill = ReportedFill(
                leg_id=leg, fill_id=f"{leg}/{state.filled:g}", qty=qty, price=price, ts_ns=time.time_ns()
            )
            tracked.filled, tracked.avg = state.filled, state.avg_price
            self._executions[(leg, fill.fill_id)] = fill
            self._events.fill(leg, fill.fill_id, fill.qty, fill.price, fill.ts_ns)
        elif tracked.filled and not tracked.avg:
            tracked.avg = state.avg_price  # a resumed leg: the average at the fills known so far
        status = leg_status(state.state)
        if tracked.ended:
            return
        if status is OrderStatus.ACCEPTED and not tracked.accepted:
            tracked.accepted = True
            self._events.order_update(leg, OrderStatus.ACCEPTED, "", leg)
        elif status is OrderStatus.FILLED:
            tracked.ended = True
        elif status in (OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED):
            tracked.ended = True
            reason = REJECT_TEXT if status is OrderStatus.REJECTED else f"{state.state} in NinjaTrader"
            if status is OrderStatus.REJECTED:
                log.warning(
                    "%s: leg %s: NinjaTrader wrote REJECTED for ORDER ID %s; see its Log tab", self.name, leg, leg
                )
            self._events.order_update(leg, status, reason, leg)
        elif status is None:
            log.warning("%s: leg %s: unknown NinjaTrader order state %r", self.name, leg, state.state)

    # ----------------------------------------------------------------------------------------- reports

    def report(self) -> PlatformReport | None:
        if not self._connected:
            return None
        open_orders = []
        for tracked in self._legs.values():
            if tracked.ended:
                continue
            if tracked.state:
                open_orders.append(
                    ReportedOrder(leg_id=tracked.leg_id, filled_qty=tracked.filled, platform_order_id=tracked.leg_id)
                )
            else:
                open_orders.append(
                    ReportedOrder(leg_id=tracked.leg_id, status=OrderStatus.SENT, in_doubt=tracked.doubt)
                )
        return PlatformReport(
            open_orders=open_orders, executions=list(self._executions.values()), positions=dict(self._positions)
        )
