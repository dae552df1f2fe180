"""Builders for risk tests: configs with one concern switched on, ready engines, order intents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nexus_gw.domain.risk import OrderIntent, Origin, RiskConfig, RiskEngine, Side

# Monday 2025-03-10 10:00 America/Chicago (CDT, UTC-5): inside the default trading day, daylight time.
T0 = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)
PLATFORMS = ("sim_a", "sim_b")

PERMISSIVE: dict[str, Any] = {
    "limits": {
        "max_position_per_symbol": 100,
        "max_total_positions": 1000,
        "max_position_value_usd": 1e12,
        "max_daily_trades": 1000,
        "max_daily_loss_usd": 1e9,
    },
    "throttle": {"max_orders_per_second": 1000},
    "circuit_breakers": {"max_consecutive_losses": None},
    "liveness": {"stale_market_data_seconds": None, "safe_mode_after_seconds": None},
    "kill_on_daily_loss": False,
}
"""Every limit far away, so a test switches on only the concern it is about."""


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def config(**overrides: Any) -> RiskConfig:
    """A permissive config with ``overrides`` merged in section by section."""
    return RiskConfig.model_validate(_merge(PERMISSIVE, overrides))


def engine(cfg: RiskConfig | None = None, now: datetime = T0, roots: tuple[str, ...] = ("NQ", "ES")) -> RiskEngine:
    """An engine whose platforms are online, with fresh market data and a live signal engine at ``now``."""
    eng = RiskEngine(cfg or config())
    for platform in PLATFORMS:
        eng.on_platform_status(platform, True, now)
    for root in roots:
        eng.on_market_data(root, now)
    eng.on_engine_seen(now)
    eng.tick(now)
    return eng


def intent(
    qty: int = 1,
    side: Side | int = Side.BUY,
    *,
    position: int = 0,
    root: str = "NQ",
    platforms: tuple[str, ...] = PLATFORMS,
    confidence: float | None = 0.9,
    origin: Origin = Origin.SIGNAL,
    **extra: Any,
) -> OrderIntent:
    """An order intent worth 1,000 USD per contract (price 100, point value 10, USD instrument)."""
    values: dict[str, Any] = {"reference_price": 100.0, "point_value": 10.0, "fx_to_usd": 1.0}
    values.update(extra)
    return OrderIntent(
        root=root,
        side=Side(side),
        qty=qty,
        platforms=platforms,
        position=position,
        confidence=confidence,
        origin=origin,
        **values,
    )
