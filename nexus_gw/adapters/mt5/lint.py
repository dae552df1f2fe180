"""Warnings ``nexusgw profile validate`` prints for MT5 instances (the profile stays valid). Pure.

A CFD instance (``market: cfd``) trading a root without ``sizing`` sends one lot per contract: on an index CFD at
$1 per point that is 1/20 of an NQ's exposure. The warning names the instance, the root and what to add.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def sizing_warnings(instances: dict[str, Any], roots: Iterable[str], supports: Callable[[str, str], bool]) -> list[str]:
    """Warnings for every enabled ``mt5`` CFD instance that trades one of ``roots`` without sizing for it.

    ``instances`` maps names to ``PlatformInstance``; ``supports(instance, root)`` tells whether the instance
    trades the root (the symbol map)."""
    warnings: list[str] = []
    for name, inst in instances.items():
        if inst.driver != "mt5" or inst.settings.get("market", "cfd") != "cfd":
            continue
        for root in roots:
            if supports(name, root) and root not in inst.sizing and "*" not in inst.sizing:
                warnings.append(
                    f"warning: {name} trades {root} without sizing: one contract becomes one lot; add "
                    f"platforms.{name}.sizing.{root}: {{multiplier: …, volume_step: …}} (docs/mt5.md)"
                )
    return warnings
