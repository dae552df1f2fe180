"""ApprovalQueue for auto_execute: false."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nexus_gw.domain.risk import ApprovalError, ApprovalQueue, ApprovalStatus, Decision, ReasonCode
from nexus_gw.errors import Refused
from tests.unit.domain.risk.helpers import T0, config, engine, intent

ACCEPTED = Decision.accept(1, ("sim_a",))


def test_enqueued_order_gets_an_id_and_an_expiry() -> None:
    queue = ApprovalQueue(30)
    first = queue.enqueue(intent(1), ACCEPTED, T0)
    second = queue.enqueue(intent(2), ACCEPTED, T0)
    assert first.id != second.id
    assert first.expires_at == T0 + timedelta(seconds=30)
    assert [p.id for p in queue.pending()] == [first.id, second.id]
    assert first.to_dict()["status"] == "PENDING"


def test_approve_before_expiry_takes_it_off_the_queue_with_who() -> None:
    queue = ApprovalQueue(30)
    item = queue.enqueue(intent(1), ACCEPTED, T0)
    approved = queue.approve(item.id, "alice", T0 + timedelta(seconds=29))
    assert (approved.status, approved.decided_by) == (ApprovalStatus.APPROVED, "alice")
    assert len(queue) == 0


def test_approve_at_expiry_is_refused() -> None:
    queue = ApprovalQueue(30)
    item = queue.enqueue(intent(1), ACCEPTED, T0)
    with pytest.raises(ApprovalError, match="expired"):
        queue.approve(item.id, "alice", T0 + timedelta(seconds=30))
    assert len(queue) == 0


def test_reject_records_who_and_why() -> None:
    queue = ApprovalQueue(30)
    item = queue.enqueue(intent(1), ACCEPTED, T0)
    rejected = queue.reject(item.id, "bob", T0, "too big")
    assert (rejected.status, rejected.decided_by, rejected.note) == (ApprovalStatus.REJECTED, "bob", "too big")


def test_unknown_or_already_decided_id_is_refused() -> None:
    queue = ApprovalQueue(30)
    item = queue.enqueue(intent(1), ACCEPTED, T0)
    queue.approve(item.id, "alice", T0)
    with pytest.raises(Refused):
        queue.approve(item.id, "alice", T0)
    with pytest.raises(ApprovalError, match="no pending approval"):
        queue.reject("apr-999", "bob", T0)


def test_expire_returns_only_the_expired_orders() -> None:
    queue = ApprovalQueue(30)
    old = queue.enqueue(intent(1), ACCEPTED, T0)
    new = queue.enqueue(intent(1), ACCEPTED, T0 + timedelta(seconds=10))
    expired = queue.expire(T0 + timedelta(seconds=30))
    assert [(e.id, e.status) for e in expired] == [(old.id, ApprovalStatus.EXPIRED)]
    assert [p.id for p in queue.pending()] == [new.id]
    assert queue.expire(T0 + timedelta(seconds=39)) == []
    assert len(queue.expire(T0 + timedelta(seconds=40))) == 1


def test_rejected_decision_cannot_be_queued() -> None:
    with pytest.raises(ValueError):
        ApprovalQueue(30).enqueue(intent(1), Decision.reject(ReasonCode.THROTTLE, "x"), T0)


def test_approved_order_is_checked_again_and_a_kill_switch_meanwhile_stops_it() -> None:
    eng = engine(config(auto_execute=False, approval_expiry_seconds=60))
    queue = ApprovalQueue(eng.config.approval_expiry_seconds)
    order = intent(1)
    assert not eng.auto_execute
    item = queue.enqueue(order, eng.check(order, T0), T0)
    eng.activate_kill_switch("carol", "stop", T0 + timedelta(seconds=5))
    approved = queue.approve(item.id, "alice", T0 + timedelta(seconds=10))
    assert eng.check(approved.intent, T0 + timedelta(seconds=10)).reason is ReasonCode.KILL_SWITCH
