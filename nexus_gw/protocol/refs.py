"""Acknowledgement references of an order's final messages.

An order's final ORDER_UPDATE and FILL are resent until the owning engine acknowledges them with
``ACK {kind, ref}``. ``ref`` is the order id for the first final state (revision 0) and ``<order_id>#<n>``
for its n-th correction, so an acknowledgement of an earlier state never acknowledges a later one.
"""

from __future__ import annotations


def delivery_ref(order_id: str, revision: int = 0) -> str:
    return order_id if revision == 0 else f"{order_id}#{revision}"


def split_ref(ref: str) -> tuple[str, int]:
    """``(order_id, revision)`` of an acknowledgement reference (revision 0 when it has none or a bad one)."""
    order_id, sep, rest = ref.rpartition("#")
    if not sep or not rest.isdigit():
        return ref, 0
    return order_id, int(rest)
