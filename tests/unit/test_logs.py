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


def test_json_lines_carry_order_and_leg_ids_and_the_file_rotates(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json

    from nexus_gw import logs

    monkeypatch.setenv(logs.MAX_BYTES_ENV, "2000")
    monkeypatch.setenv(logs.BACKUPS_ENV, "2")
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    path = tmp_path / "logs" / "gateway.log"
    try:
        setup_logging("INFO", "gateway", fmt="json", log_file=path)
        log = logging.getLogger("nexus_gw.server.execution")
        log.info("order %s: leg %s sent", "20261124-5bd96fa9e7", "20261124-5bd96fa9e7.sierra")
        log.warning("leg refused", extra={"leg_id": "20261124-00000000aa.mt5_global"})
        log.info("no order here")
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("handling %s failed", "20261124-0000000bbb")
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert lines[0]["order_id"] == "20261124-5bd96fa9e7" and lines[0]["leg_id"] == "20261124-5bd96fa9e7.sierra"
        assert lines[0]["role"] == "gateway" and lines[0]["level"] == "INFO" and lines[0]["ts"].endswith("Z")
        assert lines[1]["leg_id"] == "20261124-00000000aa.mt5_global"
        assert lines[1]["order_id"] == "20261124-00000000aa"
        assert "order_id" not in lines[2] and "leg_id" not in lines[2]
        assert lines[3]["order_id"] == "20261124-0000000bbb" and "ValueError: boom" in lines[3]["exc"]
        for i in range(200):  # distinct templates: the repeat limiter lets them all through
            logging.getLogger(f"fill.{i}").info("fill %d of leg 20261124-5bd96fa9e7.nt8", i)
        files = sorted(p.name for p in path.parent.iterdir())
        assert files == ["gateway.log", "gateway.log.1", "gateway.log.2"]
        assert all(p.stat().st_size <= 2000 for p in path.parent.iterdir())
        newest = [json.loads(line) for line in path.read_text().splitlines()]
        assert newest[-1]["msg"] == "fill 199 of leg 20261124-5bd96fa9e7.nt8"
        assert newest[-1]["leg_id"] == "20261124-5bd96fa9e7.nt8"
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:], level = saved
        root.setLevel(level)


def test_the_format_is_text_on_a_terminal_json_otherwise_and_the_environment_chooses(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from nexus_gw import logs

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv(logs.FORMAT_ENV, raising=False)
    assert logs.log_format(None, Tty()) == "text"
    assert logs.log_format(None, io.StringIO()) == "json"
    monkeypatch.setenv(logs.FORMAT_ENV, "text")
    assert logs.log_format(None, io.StringIO()) == "text"
    assert logs.log_format("json", Tty()) == "json"
    monkeypatch.setenv(logs.FORMAT_ENV, "xml")
    with pytest.raises(ValueError, match="NEXUSGW_LOG_FORMAT=json or text"):
        logs.log_format(None, Tty())
