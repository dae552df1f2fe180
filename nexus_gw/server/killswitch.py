"""The kill switch's actions: refuse new orders (the risk engine), cancel every working leg, reject waiting
approvals, optionally flatten every position; the state is journaled so a restart comes back halted."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nexus_gw.server.gateway import Gateway

log = logging.getLogger(__name__)


def activate(gw: Gateway, who: str, reason: str, flatten: bool) -> dict[str, object]:
    """Stop new orders at once, cancel every working leg, optionally flatten, alert; journaled."""
    now = gw.clock.now()
    gw.risk.engine.activate_kill_switch(who, reason, now, flatten=flatten)
    gw.risk.save_if_changed(now)
    log.critical("KILL SWITCH activated by %s: %s%s", who, reason, " (flatten)" if flatten else "")
    return stop_trading(gw, flatten)


def stop_trading(gw: Gateway, flatten: bool) -> dict[str, object]:
    """What follows an activation (by an operator or the daily-loss breaker): cancel, reject, flatten."""
    cancelled = gw.desk.cancel_all()
    for approval_id in list(gw.desk.awaiting):
        gw.desk.reject_approval(approval_id, "kill switch")
    flattened = []
    if flatten:
        tag = str(time.time_ns())
        for position in gw.ledger.positions.positions():
            if position.qty:
                order = gw.desk.flatten(position.root, position.platform, position.qty, tag)
                if order is not None:
                    flattened.append(order.order_id)
    gw.risk.save_if_changed(gw.clock.now())
    return {
        "cancelled_legs": cancelled,
        "flatten_orders": flattened,
        "kill_switch": gw.risk.engine.snapshot(gw.clock.now()).get("kill_switch"),
    }


def release(gw: Gateway, who: str, reason: str) -> dict[str, object]:
    now = gw.clock.now()
    gw.risk.engine.release_kill_switch(who, reason, now)
    gw.risk.save_if_changed(now)
    log.warning("kill switch released by %s: %s", who, reason)
    return {"kill_switch": gw.risk.engine.snapshot(now).get("kill_switch")}
