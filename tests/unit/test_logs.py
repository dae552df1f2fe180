"""Repeated log lines: the first few pass, the rest are counted into one summary per window."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from nexus_gw.logs import RepeatLimiter, setup_logging


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def logged() -> Iterator[tuple[logging.Logger, io.StringIO, FakeClock, RepeatLimiter]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    clock = FakeClock()
    limiter = RepeatLimiter(handler, burst=3, window_s=10.0, clock=clock)
    handler.addFilter(limiter)
    logger = logging.getLogger("test.flood")
    logger.propagate = False
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG)
    yield logger, stream, clock, limiter
    logger.handlers[:] = []
    logger.propagate = True


def test_a_flood_of_one_template_writes_the_first_few_then_one_summary(logged) -> None:  # type: ignore[no-untyped-def]
    logger, stream, clock, _limiter = logged
    for i in range(10_000):
        logger.warning("bad message from %r: %s", b"peer", i)
    assert stream.getvalue().count("bad message") == 3
    clock.now = 11.0
    logger.info("something else")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 5
    assert "repeated 9997 more times in the last 11s" in lines[3] and "9999" in lines[3]
    assert lines[3].startswith("WARNING test.flood")
    assert lines[4] == "INFO test.flood something else"


def test_different_templates_and_a_new_window_pass_again(logged) -> None:  # type: ignore[no-untyped-def]
    logger, stream, clock, _limiter = logged
    for _ in range(5):
        logger.warning("a %s", 1)
        logger.warning("b %s", 1)
    assert stream.getvalue().count("a 1") == 3 and stream.getvalue().count("b 1") == 3
    clock.now = 20.0
    logger.warning("a %s", 2)
    assert "a 2" in stream.getvalue()
    assert stream.getvalue().count("repeated 2 more times") == 2


def test_flush_writes_pending_summaries_and_tracebacks_are_limited_too(logged) -> None:  # type: ignore[no-untyped-def]
    logger, stream, _clock, limiter = logged
    for _ in range(50):
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("unexpected error handling a message from %r", b"x")
    assert stream.getvalue().count("Traceback") == 3
    limiter.flush()
    assert "repeated 47 more times" in stream.getvalue()


def test_every_process_gets_the_limiter_through_setup_logging() -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("INFO", role="test")
        assert any(isinstance(f, RepeatLimiter) for h in root.handlers for f in h.filters)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
