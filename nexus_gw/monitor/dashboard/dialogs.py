"""The dashboard's confirmation dialogs: nothing is sent to the gateway unless the operator confirms here.

Each dialog dismisses with what to send (a reason, or a state and a reason) or None when cancelled (the
Cancel button or Escape).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

DIALOG_CSS = """
ConfirmDialog, TradingStateDialog { align: center middle; }
#dialog { width: 72; height: auto; border: thick $error; background: $surface; padding: 1 2; }
#dialog Label { width: 100%; margin-bottom: 1; }
#dialog Horizontal { height: auto; align-horizontal: center; }
#dialog Button { margin: 0 1; }
"""

TRADING_STATES = ("ACTIVE", "REDUCING", "HALTED")


class ConfirmDialog(ModalScreen[str | None]):
    """Ask before acting; dismisses with the reason typed (or the default one), or None."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, confirm_label: str, default_reason: str) -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm_label
        self.default_reason = default_reason

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="question")
            yield Input(placeholder=f"reason (default: {self.default_reason})", id="reason")
            with Horizontal():
                yield Button(self.confirm_label, variant="error", id="confirm")
                yield Button("Cancel", variant="primary", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()  # Enter alone never confirms

    def _reason(self) -> str:
        return self.query_one("#reason", Input).value.strip() or self.default_reason

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self._reason() if event.button.id == "confirm" else None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TradingStateDialog(ModalScreen[tuple[str, str] | None]):
    """Choose the global trading state; dismisses with (state, reason), or None."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(
                f"Set the global trading state (now {self.current}).\n"
                "ACTIVE trades normally, REDUCING sends only orders that shrink a position, HALTED sends no order at "
                "all, exits included (working orders stay: the kill switch cancels them).",
                id="question",
            )
            yield Input(placeholder="reason (default: set from the dashboard)", id="reason")
            with Horizontal():
                for state in TRADING_STATES:
                    yield Button(state, variant="warning", id=f"state-{state.lower()}")
                yield Button("Cancel", variant="primary", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id or ""
        if not button.startswith("state-"):
            self.dismiss(None)
            return
        reason = self.query_one("#reason", Input).value.strip() or "set from the dashboard"
        self.dismiss((button.removeprefix("state-").upper(), reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
