"""Importing every module of the Bookmap driver (and the fake) never imports the ``bookmap`` package: the gateway
and the CLI import every driver's package on machines without it; the driver imports it in ``start``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[4] / "nexus_gw" / "adapters" / "bookmap"


def test_no_module_of_the_driver_imports_the_bookmap_package() -> None:
    modules = sorted(
        "nexus_gw.adapters.bookmap." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for p in PACKAGE.rglob("*.py")
        if p.stem != "__init__"
    )
    assert "nexus_gw.adapters.bookmap.driver" in modules and "nexus_gw.adapters.bookmap.fake.server" in modules
    code = (
        "import sys, importlib\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "from nexus_gw.adapters.registry import build_driver\n"
        "build_driver('bookmap', 'bookmap', {'port': 1})\n"
        "leaked = [n for n in sys.modules if n.split('.')[0] == 'bookmap']\n"
        "assert not leaked, leaked\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
