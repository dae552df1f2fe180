"""Free loopback ports for local stacks come from outside the kernel's ephemeral range (see nexus_gw/free_ports.py)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from nexus_gw import free_ports


def test_the_linux_range_is_read_and_a_missing_or_garbled_file_gives_the_iana_range(tmp_path: Path) -> None:
    linux = tmp_path / "ip_local_port_range"
    linux.write_text("32768\t60999\n")
    assert free_ports.ephemeral_range(linux) == (32768, 60999)
    linux.write_text("garbage\n")
    assert free_ports.ephemeral_range(linux) == free_ports.DEFAULT_EPHEMERAL
    assert free_ports.ephemeral_range(tmp_path / "absent") == free_ports.DEFAULT_EPHEMERAL


def test_candidates_leave_out_the_ephemeral_range_and_the_low_ports() -> None:
    pool = free_ports.candidate_ports((32768, 60999))
    assert min(pool) == free_ports.LOWEST and max(pool) == 65535
    assert 32767 in pool and 61000 in pool
    assert not [port for port in pool if 32768 <= port <= 60999]


def test_free_ports_are_outside_the_range_bindable_and_never_handed_out_twice() -> None:
    low, high = free_ports.ephemeral_range()
    ports = [free_ports.free_port() for _ in range(50)]
    assert len(set(ports)) == 50
    assert not [port for port in ports if low <= port <= high]
    for port in ports[:5]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


def test_a_port_someone_listens_on_is_not_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        monkeypatch.setattr(free_ports, "candidate_ports", lambda _range: [taken])
        port = free_ports.free_port()  # the only candidate is busy: a kernel-chosen port instead
    assert port != taken


def test_a_range_that_leaves_nothing_outside_falls_back_to_a_kernel_chosen_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(free_ports, "ephemeral_range", lambda: (free_ports.LOWEST, 65535))
    port = free_ports.free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
