"""The journal's writer lock on both systems: ``flock`` here, and the Windows path (``msvcrt.locking``) against a
stand-in ``msvcrt`` that keeps byte-range locks the way Windows does (per open handle, refused while another holds)."""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_gw.journal import filelock
from nexus_gw.journal.connection import WriterLock
from nexus_gw.journal.errors import JournalLocked


@pytest.mark.skipif(sys.platform == "win32", reason="the POSIX path")
def test_flock_refuses_a_second_handle_until_the_first_releases(tmp_path: Path) -> None:
    path = tmp_path / "j.lock"
    with path.open("a+") as first, path.open("a+") as second:
        assert filelock.try_lock(first)
        assert not filelock.try_lock(second)
        filelock.unlock(first)
        assert filelock.try_lock(second)


class FakeMsvcrt(types.ModuleType):
    """Byte-range locks by (file, offset), owned by the descriptor that took them, as ``LockFile`` keeps them."""

    LK_UNLCK, LK_LOCK, LK_NBLCK = 0, 1, 2

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.held: dict[tuple[int, int], int] = {}
        self.calls: list[tuple[int, int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        offset = os.lseek(fd, 0, os.SEEK_CUR)
        key = (os.fstat(fd).st_ino, offset)
        self.calls.append((mode, offset, nbytes))
        if mode == self.LK_UNLCK:
            if self.held.get(key) != fd:
                raise OSError(13, "not locked by this handle")
            del self.held[key]
        elif key in self.held and self.held[key] != fd:
            raise OSError(36, "Resource deadlock avoided")
        else:
            self.held[key] = fd


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMsvcrt]:
    fake = FakeMsvcrt()
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setattr(sys, "platform", "win32")
    yield fake


def test_windows_lock_is_one_byte_past_the_pid_and_refuses_a_second_writer(tmp_path: Path, windows: FakeMsvcrt) -> None:
    journal = tmp_path / "journal.sqlite3"
    first = WriterLock(journal)
    assert windows.calls == [(FakeMsvcrt.LK_NBLCK, filelock.LOCK_OFFSET, 1)]
    assert first.path.read_text() == str(os.getpid())  # the pid stays readable: the lock is far past it
    assert first.path.stat().st_size < 100  # locking past the end grows nothing
    with pytest.raises(JournalLocked, match=rf"another process \(pid {os.getpid()}\)"):
        WriterLock(journal)
    first.release()
    assert windows.calls[-1] == (FakeMsvcrt.LK_UNLCK, filelock.LOCK_OFFSET, 1)
    assert not windows.held
    second = WriterLock(journal)  # free again
    second.release()


def test_importing_the_lock_touches_neither_fcntl_nor_msvcrt() -> None:
    source = Path(filelock.__file__).read_text()
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not [line for line in top_level if "fcntl" in line or "msvcrt" in line]
