"""An exclusive, non-blocking lock on an open file that the operating system drops when the process ends.

POSIX: ``fcntl.flock`` on the whole file. Windows: ``msvcrt.locking`` on one byte far past the end of the file
(``LOCK_OFFSET``), so the bytes a holder writes (its pid) stay readable by the process that is refused. Both modules
are imported only when a lock is taken: importing this module touches no platform-only name.
"""

from __future__ import annotations

import contextlib
import sys
from typing import IO, Any

#: Where the Windows lock sits: beyond any content of the lock file (Windows lets a lock reach past the end).
LOCK_OFFSET = 1 << 30


def try_lock(handle: IO[Any]) -> bool:
    """Take the lock on ``handle``; False (nothing held) when another process holds it."""
    if sys.platform == "win32":
        return _try_lock_windows(handle)
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def unlock(handle: IO[Any]) -> None:
    """Release the lock before closing ``handle`` (closing alone also releases it, on both systems)."""
    if sys.platform == "win32":
        import msvcrt

        position = handle.tell()
        handle.seek(LOCK_OFFSET)
        with contextlib.suppress(OSError):  # not held: nothing to release
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        handle.seek(position)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _try_lock_windows(handle: IO[Any]) -> bool:
    import msvcrt

    position = handle.tell()
    handle.seek(LOCK_OFFSET)
    try:
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # non-blocking: raises at once when held elsewhere
    except OSError:
        return False
    finally:
        handle.seek(position)
    return True
