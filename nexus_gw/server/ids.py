"""Identifiers the gateway gives its orders."""

from __future__ import annotations

import time
import uuid


def new_order_id() -> str:
    """A new gateway order id: the day, then 10 random hex digits (``20260302-3f9a1c0b2e``)."""
    return f"{time.strftime('%Y%m%d')}-{uuid.uuid4().hex[:10]}"
