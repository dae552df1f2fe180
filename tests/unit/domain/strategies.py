"""Hypothesis strategies for leg reports: partial fills (each reported 1–3 times), status reports, any order."""

from __future__ import annotations

from hypothesis import strategies as st

from nexus_gw.domain.orders import Execution
from nexus_gw.protocol.constants import OrderStatus

PLATFORMS = ("nt8", "sierra", "mt5_global", "mt5_brazil", "bookmap", "quantower")

Event = tuple[int, OrderStatus | Execution]
"""(leg index, a status report or an execution report)."""


@st.composite
def leg_plan(draw: st.DrawFn, index: int) -> tuple[float, list[Event]]:
    """One leg: its qty, its distinct partial fills (each reported 1–3 times) and 0–4 status reports."""
    qty_quarters = draw(st.integers(1, 24))
    filled_quarters = draw(st.integers(0, qty_quarters))
    chunks: list[int] = []
    left = filled_quarters
    while left:
        chunk = draw(st.integers(1, left))
        chunks.append(chunk)
        left -= chunk
    events: list[Event] = []
    for number, chunk in enumerate(chunks):
        price = draw(st.integers(400, 480)) / 4
        repeats = draw(st.integers(1, 3))
        events += [(index, Execution(f"{PLATFORMS[index]}-{number}", chunk / 4, price))] * repeats
    for status in draw(st.lists(st.sampled_from(list(OrderStatus)), max_size=4)):
        events.append((index, status))
    return qty_quarters / 4, events


@st.composite
def order_plan(draw: st.DrawFn) -> tuple[list[float], list[Event]]:
    n_legs = draw(st.integers(1, 6))
    plans = [draw(leg_plan(i)) for i in range(n_legs)]
    events = [event for _, leg_events in plans for event in leg_events]
    return [qty for qty, _ in plans], draw(st.permutations(events))
