"""RequestID correlation: batches, sentinels, rejects, deadlines and connection loss."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.sierra.dtc.requests import RequestBook
from nexus_gw.errors import PlatformError, PlatformUnavailable


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_batch_completes_on_the_last_message_number() -> None:
    book = RequestBook(FakeClock())
    rid, future = book.open("open orders", timeout=5)
    book.add(rid, "a", 1, 3)
    book.add(rid, "b", 2, 3)
    assert not future.done()
    book.add(rid, "c", 3, 3)
    assert future.result(0) == ["a", "b", "c"]
    assert not book.is_pending(rid)


def test_sentinel_completes_with_an_empty_list() -> None:
    book = RequestBook(FakeClock())
    rid, future = book.open("positions", timeout=5)
    book.add(rid, None, 1, 1)
    assert future.result(0) == []


def test_zero_total_completes_at_once() -> None:
    book = RequestBook(FakeClock())
    rid, future = book.open("trade accounts", timeout=5)
    book.add(rid, None, 0, 0)
    assert future.result(0) == []


def test_reject_fails_with_the_server_text() -> None:
    book = RequestBook(FakeClock())
    rid, future = book.open("open orders", timeout=5)
    book.reject(rid, "account unknown")
    with pytest.raises(PlatformError, match=r"rejected the open orders request .*account unknown"):
        future.result(0)


def test_deadline_expiry_says_what_arrived() -> None:
    clock = FakeClock()
    book = RequestBook(clock)
    rid, future = book.open("historical fills", timeout=2)
    book.add(rid, "f1", 1, 4)
    clock.now += 1.9
    book.expire()
    assert not future.done()
    clock.now += 0.2
    book.expire()
    with pytest.raises(PlatformUnavailable, match=r"within 2s .*1 of 4"):
        future.result(0)


def test_connection_loss_fails_everything_and_ids_keep_increasing() -> None:
    book = RequestBook(FakeClock())
    r1, f1 = book.open("a", 5)
    r2, f2 = book.open("b", 5)
    book.fail_all("the connection ended")
    for future in (f1, f2):
        with pytest.raises(PlatformUnavailable, match="connection ended"):
            future.result(0)
    r3, _ = book.open("c", 5)
    assert r1 < r2 < r3
    book.add(999, "ignored", 1, 1)  # unknown ids are ignored
