"""The terminal's state in a JSON file, so a restarted adapter process finds the same account and orders.

Saved atomically (a temporary file renamed over the old one) after every change of orders, positions or deals.
Faults and the tick history are not saved: a restarted double starts healthy, from the last quote of each symbol.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from nexus_gw.adapters.mt5.double.terminal import Terminal

VERSION = 1


def save(terminal: Terminal, path: Path) -> None:
    state: dict[str, Any] = {
        "version": VERSION,
        "broker": terminal.broker.name,
        "login": terminal.login_number,
        "request_id": terminal.request_id,
        "selected": sorted(terminal.selected),
        "market": terminal.market.state(),
        "books": terminal.books.state(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    os.replace(temporary, path)


def load(terminal: Terminal, path: Path) -> bool:
    """Restore ``terminal`` from ``path``; False when there is no file yet."""
    if not path.is_file():
        return False
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ValueError(f"MT5 double state {path} is not valid JSON ({error}); delete it to start afresh") from error
    if state.get("version") != VERSION or state.get("broker") != terminal.broker.name:
        raise ValueError(
            f"MT5 double state {path} is for broker {state.get('broker')!r} (version {state.get('version')}), "
            f"not {terminal.broker.name!r}; point the double at another file or delete this one"
        )
    terminal.login_number = int(state["login"])
    terminal.request_id = int(state["request_id"])
    terminal.selected = set(state["selected"])
    terminal.market.restore(state["market"])
    terminal.books.restore(state["books"])
    return True
