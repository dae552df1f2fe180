"""CLI tests: the ``symbols``, ``rollover`` and ``fx`` groups run in-process against the shipped config.

``invoke`` runs a command through a root app that registers the groups as ``nexus_gw.cli.app`` does, and reports
what ``nexus_gw.cli.app.main`` would: a gateway error's exit code, with its message on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer
from typer.testing import CliRunner

from nexus_gw.cli import fx, rollover, symbols
from nexus_gw.errors import NexusGwError

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"

root_app = typer.Typer(name="nexusgw", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
root_app.add_typer(symbols.app, name="symbols")
root_app.add_typer(rollover.app, name="rollover")
root_app.add_typer(fx.app, name="fx")


@root_app.callback()
def _root() -> None:
    """Test root: the three groups under test."""


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: str) -> Outcome:
    """Run ``nexusgw ARGS`` with the shipped config; exit code and stderr as ``main`` maps them."""
    result = CliRunner().invoke(root_app, list(args), env={"NEXUSGW_CONFIG_DIR": str(CONFIG_DIR)})
    if isinstance(result.exception, NexusGwError):
        return Outcome(result.exception.exit_code, result.stdout, f"nexusgw: {result.exception}\n")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)
