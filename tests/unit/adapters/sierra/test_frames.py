"""Stream splitting: partial reads, several frames per read, truncated, oversized and unknown frames."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.sierra.dtc import messages as m
from nexus_gw.adapters.sierra.dtc.binary import BinaryFrameReader, decode_binary, encode_binary
from nexus_gw.adapters.sierra.dtc.json_codec import JsonFrameReader, decode_json, encode_json
from nexus_gw.adapters.sierra.dtc.wire import ERR_BAD_SIZE, ERR_OVERSIZED, ERR_TRUNCATED, UnknownMessageType
from nexus_gw.errors import ProtocolError


def drain(reader: BinaryFrameReader | JsonFrameReader) -> list[bytes]:
    frames = []
    while (frame := reader.next_frame()) is not None:
        frames.append(frame)
    return frames


def test_binary_reader_reassembles_frames_fed_one_byte_at_a_time() -> None:
    stream = encode_binary(m.Heartbeat(CurrentDateTime=1)) + encode_binary(m.Logoff(Reason="x"))
    reader = BinaryFrameReader()
    frames: list[bytes] = []
    for byte in stream:
        reader.feed(bytes([byte]))
        frames += drain(reader)
    assert [type(decode_binary(f)) for f in frames] == [m.Heartbeat, m.Logoff]
    assert reader.pending == 0
    reader.check_complete()


def test_binary_reader_splits_several_frames_in_one_read() -> None:
    msgs = [m.Heartbeat(CurrentDateTime=i) for i in range(5)]
    reader = BinaryFrameReader()
    reader.feed(b"".join(encode_binary(x) for x in msgs))
    assert [decode_binary(f) for f in drain(reader)] == msgs


def test_binary_reader_reports_a_stream_that_ends_inside_a_frame() -> None:
    reader = BinaryFrameReader()
    reader.feed(encode_binary(m.Heartbeat())[:9])
    assert reader.next_frame() is None
    with pytest.raises(ProtocolError) as err:
        reader.check_complete()
    assert err.value.code == ERR_TRUNCATED
    assert "9 bytes of 16" in str(err.value)


def test_binary_reader_rejects_oversized_frame_from_its_header_alone() -> None:
    reader = BinaryFrameReader(max_frame_bytes=1024)
    reader.feed((2000).to_bytes(2, "little") + (301).to_bytes(2, "little"))
    with pytest.raises(ProtocolError) as err:
        reader.next_frame()  # raises at once instead of waiting for 2000 bytes that may never come
    assert err.value.code == ERR_OVERSIZED
    assert "2000" in str(err.value) and "1024" in str(err.value)


def test_binary_reader_rejects_size_smaller_than_header() -> None:
    reader = BinaryFrameReader()
    reader.feed(b"\x02\x00\x03\x00")
    with pytest.raises(ProtocolError) as err:
        reader.next_frame()
    assert err.value.code == ERR_BAD_SIZE


def test_json_bytes_on_a_binary_reader_fail_fast() -> None:
    reader = BinaryFrameReader(max_frame_bytes=4096)
    reader.feed(b'{"Type":3}\0')  # '{"' read as a little-endian Size is 8827 bytes
    with pytest.raises(ProtocolError, match="encoding"):
        reader.next_frame()


def test_unknown_type_is_skipped_and_the_stream_stays_in_step() -> None:
    unknown = (8).to_bytes(2, "little") + (9999).to_bytes(2, "little") + b"\0" * 4
    reader = BinaryFrameReader()
    reader.feed(unknown + encode_binary(m.Heartbeat(CurrentDateTime=7)))
    first, second = drain(reader)
    with pytest.raises(UnknownMessageType):
        decode_binary(first)
    assert decode_binary(second) == m.Heartbeat(CurrentDateTime=7)


def test_binary_reader_hands_over_bytes_after_an_encoding_switch() -> None:
    reader = BinaryFrameReader()
    reader.feed(encode_binary(m.EncodingResponse(Encoding=2)) + encode_json(m.Heartbeat()))
    assert isinstance(decode_binary(drain(reader)[0]), m.EncodingResponse)
    json_reader = JsonFrameReader()
    json_reader.feed(reader.take_remaining())
    assert [decode_json(f) for f in drain(json_reader)] == [m.Heartbeat()]


def test_json_reader_splits_on_nul_and_skips_empty_frames() -> None:
    reader = JsonFrameReader()
    data = encode_json(m.Heartbeat(CurrentDateTime=1)) + b"\0\0" + encode_json(m.Heartbeat(CurrentDateTime=2))
    for i in range(0, len(data), 5):
        reader.feed(data[i : i + 5])
    assert [decode_json(f) for f in drain(reader)] == [m.Heartbeat(CurrentDateTime=1), m.Heartbeat(CurrentDateTime=2)]


def test_json_reader_rejects_a_frame_that_never_ends() -> None:
    reader = JsonFrameReader(max_frame_bytes=64)
    reader.feed(b'{"Type":3,"Pad":"' + b"x" * 100)
    with pytest.raises(ProtocolError) as err:
        reader.next_frame()
    assert err.value.code == ERR_OVERSIZED


def test_json_reader_rejects_an_oversized_terminated_frame() -> None:
    reader = JsonFrameReader(max_frame_bytes=64)
    reader.feed(b'{"Type":3,"Pad":"' + b"x" * 100 + b'"}\0')
    with pytest.raises(ProtocolError) as err:
        reader.next_frame()
    assert err.value.code == ERR_OVERSIZED


def test_json_reader_reports_a_stream_that_ends_inside_a_frame() -> None:
    reader = JsonFrameReader()
    reader.feed(b'{"Type":3,')
    assert reader.next_frame() is None
    with pytest.raises(ProtocolError) as err:
        reader.check_complete()
    assert err.value.code == ERR_TRUNCATED
