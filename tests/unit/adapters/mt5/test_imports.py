"""Importing every module of the mt5 driver never imports ``MetaTrader5`` nor ``rpyc`` (they come in ``start``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[4] / "nexus_gw" / "adapters" / "mt5"


def test_no_module_of_the_driver_imports_metatrader5_or_rpyc() -> None:
    modules = sorted(f"nexus_gw.adapters.mt5.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    assert "nexus_gw.adapters.mt5.driver" in modules
    code = (
        "import sys, importlib\n"
        "for name in ('MetaTrader5', 'rpyc'):\n"
        "    assert name not in sys.modules, name\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "from nexus_gw.adapters.registry import build_driver\n"
        "build_driver('mt5', 'mt5_global', {'server': 'Demo'})\n"
        "leaked = [n for n in sys.modules if n.split('.')[0] in ('MetaTrader5', 'rpyc')]\n"
        "assert not leaked, leaked\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
