"""Framing: length prefix, JSON payloads, split and joined reads, the size limit, payloads that are not objects."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.bridge import codec, frames


def test_a_frame_round_trips_through_any_split_of_the_stream() -> None:
    tick = frames.frame(frames.TICK, instrument="NQ 12-26", bid=1.25, ask=1.5, last=1.5, size=1, ts=7)
    data = codec.encode(tick) * 3
    for cut in range(len(data)):
        reader = codec.FrameReader()
        payloads = reader.feed(data[:cut]) + reader.feed(data[cut:])
        assert [codec.decode_payload(p) for p in payloads] == [tick] * 3
        assert reader.pending == 0


def test_a_partial_frame_stays_pending() -> None:
    reader = codec.FrameReader()
    assert reader.feed(codec.encode({"type": "heartbeat", "ts": 1})[:-1]) == []
    assert reader.pending > 0


def test_an_oversized_length_prefix_is_refused_before_reading_the_payload() -> None:
    with pytest.raises(codec.FrameTooLarge, match="exceeds the limit"):
        codec.FrameReader().feed(codec.HEADER.pack(codec.MAX_FRAME + 1))


def test_encoding_an_oversized_frame_is_refused() -> None:
    with pytest.raises(codec.FrameTooLarge):
        codec.encode({"type": "error", "reason": "x" * codec.MAX_FRAME})


@pytest.mark.parametrize("payload", [b"[1, 2]", b"{", b"\xff\xfe", b"42"])
def test_a_payload_that_is_not_a_json_object_is_a_bad_payload(payload: bytes) -> None:
    with pytest.raises(codec.BadPayload):
        codec.decode_payload(payload)


def test_non_ascii_text_is_escaped_and_read_back() -> None:
    frame = {"type": "error", "reason": "Konto für Café ✓"}
    assert codec.decode_payload(codec.encode(frame)[4:]) == frame
    assert codec.encode(frame).isascii()
