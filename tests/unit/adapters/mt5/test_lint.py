from __future__ import annotations

from types import SimpleNamespace

from nexus_gw.adapters.mt5.lint import sizing_warnings


def instance(market: str = "cfd", sizing: dict | None = None, driver: str = "mt5") -> SimpleNamespace:
    return SimpleNamespace(driver=driver, settings={"server": "x", "market": market}, sizing=sizing or {})


def test_a_cfd_instance_trading_a_root_without_sizing_is_warned_about() -> None:
    instances = {
        "mt5_global": instance(sizing={"NQ": object()}),
        "mt5_brazil": instance("exchange"),
        "nt8": instance(driver="sim"),
    }
    warnings = sizing_warnings(instances, ["NQ", "ES", "WIN"], lambda i, r: (i, r) != ("mt5_global", "WIN"))
    assert warnings == [
        "warning: mt5_global trades ES without sizing: one contract becomes one lot; add "
        "platforms.mt5_global.sizing.ES: {multiplier: …, volume_step: …} (docs/mt5.md)"
    ]


def test_a_wildcard_sizing_covers_every_root() -> None:
    assert sizing_warnings({"m": instance(sizing={"*": object()})}, ["NQ"], lambda i, r: True) == []
