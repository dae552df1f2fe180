"""The textual application of ``nexusgw dashboard``.

It knows no socket: it is given ``request(command, args) -> data`` (the admin client call, raising
``NexusGwError`` when the gateway does not answer or refuses) and calls it only from worker threads, so a
slow or dead gateway never freezes the screen. ``status`` is polled every ``refresh_s`` seconds, one request at
a time; while the gateway does not answer, a banner says so and the last figures stay on screen, dimmed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from nexus_gw.errors import GatewayUnavailable, NexusGwError
from nexus_gw.monitor.dashboard import rows
from nexus_gw.monitor.dashboard.dialogs import ConfirmDialog, TradingStateDialog

Request = Callable[[str, dict[str, Any]], dict[str, Any]]

STYLES = {"ok": "green", "warn": "yellow", "bad": "bold red", "": ""}
TITLE = "NEXUS TRADING GATEWAY DASHBOARD"

CSS = """
#banner { display: none; background: $error; color: $text; padding: 0 1; text-style: bold; }
#banner.down { display: block; }
#title { text-align: center; text-style: bold; background: $primary; }
#head { padding: 0 1; height: auto; }
.section { text-style: bold; padding: 0 1; margin-top: 1; }
DataTable { height: auto; max-height: 16; }
Horizontal { height: auto; }
Horizontal > VerticalScroll { height: auto; width: 1fr; }
#notes { padding: 0 1; height: auto; }
.stale DataTable, .stale #head { opacity: 60%; }
"""

# table id -> (section title, columns; None = label/value pairs without a header)
TABLES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "performance": ("PERFORMANCE", None),
    "trading": ("TRADING (today)", None),
    "platforms": ("PLATFORMS", rows.PLATFORM_COLUMNS),
    "positions": ("OPEN POSITIONS", rows.POSITION_COLUMNS),
    "orders": ("ACTIVE ORDERS", rows.ORDER_COLUMNS),
    "alerts": ("ALERTS (newest first)", rows.ALERT_COLUMNS),
}


def styled(row: rows.Row) -> list[Text]:
    return [Text(cell, style=STYLES.get(row.level, "")) for cell in row.cells]


class StatusArrived(Message):
    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self.data = data


class StatusFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class CommandDone(Message):
    def __init__(self, text: str, ok: bool) -> None:
        super().__init__()
        self.text = text
        self.ok = ok


class Dashboard(App[None]):
    """Live view of one gateway; k/u kill switch, t trading state, r refresh, q quit."""

    TITLE = TITLE
    CSS = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "kill_switch", "Kill switch"),
        Binding("u", "release", "Release kill switch"),
        Binding("t", "trading_state", "Trading state"),
        Binding("r", "refresh", "Refresh now"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, request: Request, endpoint: str, refresh_s: float = 1.0, who: str | None = None) -> None:
        super().__init__()
        self.request = request
        self.endpoint = endpoint
        self.refresh_s = refresh_s
        self.who = who
        self.data: dict[str, Any] | None = None
        self.previous: dict[str, Any] | None = None
        self.last_answer: float | None = None
        self.down_since: float | None = None
        self.polls = 0  # answered or failed status requests
        self.results: list[str] = []  # what each command sent from here came to, oldest first
        self._polling = False

    def compose(self) -> ComposeResult:
        yield Static("", id="banner")
        yield Static(TITLE, id="title")
        with VerticalScroll(id="body"):
            yield Static("waiting for the gateway…", id="head")
            with Horizontal():
                for name in ("performance", "trading"):
                    with VerticalScroll():
                        yield from self._section(name)
            for name in ("platforms", "positions", "orders", "alerts"):
                yield from self._section(name)
            yield Static("STATE, FX AND CONTRACTS", classes="section")
            yield Static("", id="notes")
        yield Footer()

    def _section(self, name: str) -> ComposeResult:
        title, columns = TABLES[name]
        yield Static(title, classes="section")
        table: DataTable[Text] = DataTable(id=name, show_header=columns is not None, cursor_type="none")
        table.add_columns(*(columns or ("", "")))
        yield table

    def on_mount(self) -> None:
        self.set_interval(self.refresh_s, self.action_refresh)
        self.action_refresh()

    # -- polling -----------------------------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        if not self._polling:
            self._polling = True
            self._poll()

    @work(thread=True, group="poll")
    def _poll(self) -> None:
        try:
            message: Message = StatusArrived(self.request("status", {}))
        except NexusGwError as exc:
            message = StatusFailed(self._why(exc))
        except Exception as exc:  # a bug or a garbled answer: say so, keep the screen alive
            message = StatusFailed(f"status failed: {type(exc).__name__}: {exc}")
        self.post_message(message)

    def _why(self, exc: NexusGwError) -> str:
        if isinstance(exc, GatewayUnavailable):
            return f"gateway not answering on {self.endpoint}"
        return str(exc)

    def _widgets_gone(self) -> bool:
        """True while the app shuts down: its widgets are gone, a late answer is dropped."""
        return not self.is_running or not self.query("#banner")

    def on_status_arrived(self, message: StatusArrived) -> None:
        self._polling = False
        self.polls += 1
        if self._widgets_gone():
            return
        self.previous, self.data = self.data, message.data
        self.last_answer, self.down_since = time.monotonic(), None
        self.query_one("#banner", Static).remove_class("down")
        self.query_one("#body").remove_class("stale")
        try:
            self.show(rows.view(message.data, self.previous, self.endpoint))
        except Exception as exc:  # a bug of ours in drawing one answer must not close the operator's screen
            self._show_down(f"cannot show the gateway's answer: {type(exc).__name__}: {exc}")

    def on_status_failed(self, message: StatusFailed) -> None:
        self._polling = False
        self.polls += 1
        if not self._widgets_gone():
            self._show_down(message.error)

    def _show_down(self, error: str) -> None:
        now = time.monotonic()
        self.down_since = self.down_since or now
        self.previous = None  # no throughput across a gap
        shown = "" if self.last_answer is None else f"; figures below are from {rows.age(now - self.last_answer)}"
        banner = self.query_one("#banner", Static)
        banner.update(f"{error} for {rows.duration(now - self.down_since)} — retrying every {self.refresh_s:g}s{shown}")
        banner.add_class("down")
        self.query_one("#body").add_class("stale")

    def show(self, view: rows.View) -> None:
        head = Text()
        for i, row in enumerate(view.header):
            head.append(("\n" if i else "") + "    ".join(row.cells), style=STYLES.get(row.level, ""))
        self.query_one("#head", Static).update(head)
        for name in TABLES:
            table = self.query_one(f"#{name}", DataTable)
            table.clear()
            found = getattr(view, name)
            table.add_rows(styled(row) for row in found)
            if not found and TABLES[name][1] is not None:
                table.add_row(*[Text("none", style="dim")] + [Text("")] * (len(TABLES[name][1] or ()) - 1))
        notes = Text()
        for i, row in enumerate(view.notes):
            notes.append(("\n" if i else "") + "  ".join(row.cells), style=STYLES.get(row.level, ""))
        self.query_one("#notes", Static).update(notes)

    # -- commands ----------------------------------------------------------------------------------------------------
    def action_kill_switch(self) -> None:
        question = (
            "ACTIVATE THE KILL SWITCH?\nEvery new signal is refused and every open order on every platform is "
            "cancelled, until you release it."
        )
        dialog = ConfirmDialog(question, "Activate", "kill switch from the dashboard")
        self.push_screen(dialog, lambda reason: self._send_if(reason, "killswitch.activate"))

    def action_release(self) -> None:
        question = "RELEASE THE KILL SWITCH?\nTrading resumes (pauses and trading states stay as they are)."
        dialog = ConfirmDialog(question, "Release", "released from the dashboard")
        self.push_screen(dialog, lambda reason: self._send_if(reason, "killswitch.release"))

    def action_trading_state(self) -> None:
        current = rows.trading_status(self.data or {})[0]
        self.push_screen(TradingStateDialog(current), self._state_chosen)

    def _send_if(self, reason: str | None, command: str) -> None:
        if reason is not None:
            self._command(command, {"reason": reason})

    def _state_chosen(self, choice: tuple[str, str] | None) -> None:
        if choice is not None:
            state, reason = choice
            self._command("trading.state", {"state": state, "scope": "global", "reason": reason})

    @work(thread=True, group="command")
    def _command(self, command: str, args: dict[str, Any]) -> None:
        try:
            self.request(command, args if self.who is None else {"who": self.who, **args})
            message = CommandDone(f"{command}: done", True)
        except NexusGwError as exc:
            message = CommandDone(f"{command} NOT done: {self._why(exc)}", False)
        except Exception as exc:
            message = CommandDone(f"{command} NOT done: {type(exc).__name__}: {exc}", False)
        self.post_message(message)

    def on_command_done(self, message: CommandDone) -> None:
        self.results = [*self.results[-49:], message.text]
        if self._widgets_gone():
            return
        self.notify(message.text, severity="information" if message.ok else "error", timeout=8)
        self.action_refresh()
