"""The leg id in an MT5 order comment, within MT5's 31-character limit, and back. Pure.

A leg id is ``<order id>.<instance>``. The comment carries ``<order id>`` when it fits (the instance is known
from the magic number and the adapter), else ``#`` plus a 24-character hash of the leg id, which maps back
through the legs the adapter knows (its write-ahead keeps every leg it sent, with the order ticket it got).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Final

COMMENT_MAX: Final = 31
_HASH_MARK: Final = "#"


def _digest(leg_id: str) -> str:
    return _HASH_MARK + hashlib.sha1(leg_id.encode()).hexdigest()[:24]


def comment_for(leg_id: str, instance: str) -> str:
    """The order comment that names ``leg_id`` (at most 31 characters)."""
    suffix = f".{instance}"
    short = leg_id[: -len(suffix)] if leg_id.endswith(suffix) else leg_id
    if short and len(short) <= COMMENT_MAX and not short.startswith(_HASH_MARK) and "." not in short:
        return short
    return _digest(leg_id)


def leg_from_comment(comment: str, instance: str, known: Iterable[str] = ()) -> str | None:
    """The leg id a comment names, or None (a comment of another program, or a hash of a leg not known)."""
    comment = (comment or "").strip()
    if not comment:
        return None
    if comment.startswith(_HASH_MARK):
        return next((leg for leg in known if _digest(leg) == comment), None)
    if "." in comment or " " in comment:
        return None
    return f"{comment}.{instance}"
