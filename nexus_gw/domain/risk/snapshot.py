"""The plain-dict view of a risk engine that ``nexusgw status`` and the dashboard show."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from nexus_gw.domain.risk.config import RiskConfig
from nexus_gw.domain.risk.context import RiskContext
from nexus_gw.domain.risk.rules.base import daily_figures_apply
from nexus_gw.domain.risk.timeutil import TradingCalendar, iso


def _usage(used: float, limit: float | None) -> dict[str, Any]:
    return {"used": used, "limit": limit}


def build_snapshot(
    cfg: RiskConfig, ctx: RiskContext, cal: TradingCalendar, rule_names: Iterable[str], now: datetime | None
) -> dict[str, Any]:
    """Limits, usage against them, kill switch, trading states and pauses as of ``now``.

    ``now`` None (nothing has happened yet) reports the stored figures without ages or pause filtering.
    """
    limits = cfg.limits
    today = now is None or daily_figures_apply(ctx, cal, now)
    trades = ctx.daily_trades if today else 0
    realized, unrealized = (ctx.realized_pnl_usd, ctx.unrealized_pnl_usd) if today else (0.0, 0.0)
    window = timedelta(seconds=cfg.throttle.window_seconds)
    recent = len([t for t in ctx.order_times if now is None or t > now - window])
    pauses = [p for p in ctx.pauses.values() if now is None or p.active(now)]
    silence = None if now is None or ctx.engine_seen is None else (now - ctx.engine_seen).total_seconds()
    safe_limit = cfg.liveness.safe_mode_after_seconds
    day = cal.trading_day(now) if now is not None else ctx.trading_day
    return {
        "as_of": iso(now),
        "trading_day": day.isoformat() if day else None,
        "next_trading_day_start": iso(cal.next_boundary(now)) if now is not None else None,
        "kill_switch": ctx.states.kill_switch.to_dict(),
        "trading_states": [e.to_dict() for e in ctx.states.entries.values()],
        "pauses": [p.to_dict() for p in pauses],
        "safe_mode": safe_limit is not None and (silence is None or silence > safe_limit),
        "auto_execute": cfg.auto_execute,
        "offline_platform_policy": cfg.connection.offline_platform,
        "rules": list(rule_names),
        "limits": {
            "max_position_per_symbol": limits.max_position_per_symbol,
            "per_symbol": dict(limits.per_symbol),
            "max_total_positions": limits.max_total_positions,
            "max_position_value_usd": limits.max_position_value_usd,
            "max_daily_trades": limits.max_daily_trades,
            "max_daily_loss_usd": limits.max_daily_loss_usd,
            "risk_per_trade_usd": limits.risk_per_trade_usd,
            "max_orders_per_second": cfg.throttle.max_orders_per_second,
            "max_consecutive_losses": cfg.circuit_breakers.max_consecutive_losses,
            "confidence_skip_below": cfg.confidence.skip_below,
            "confidence_reduce_below": cfg.confidence.reduce_below,
            "mq_min_composite": cfg.market_quality.min_composite,
            "mq_max_noise": cfg.market_quality.max_noise,
            "stale_market_data_seconds": cfg.liveness.stale_market_data_seconds,
            "safe_mode_after_seconds": safe_limit,
        },
        "usage": {
            "daily_trades": _usage(trades, limits.max_daily_trades),
            "daily_pnl_usd": {
                "realized": realized,
                "unrealized": unrealized,
                "total": realized + unrealized,
                "limit": -limits.max_daily_loss_usd,
            },
            "positions": {
                root: _usage(qty, limits.position_limit(root)) for root, qty in sorted(ctx.positions.items())
            },
            "total_positions": _usage(sum(abs(q) for q in ctx.positions.values()), limits.max_total_positions),
            "orders_in_window": _usage(recent, cfg.throttle.max_orders_per_second),
            "consecutive_losses": _usage(ctx.consecutive_losses, cfg.circuit_breakers.max_consecutive_losses),
        },
        "platforms_online": dict(sorted(ctx.platforms_online.items())),
        "market_data_age_seconds": {
            root: (None if now is None else (now - seen).total_seconds())
            for root, seen in sorted(ctx.market_data_seen.items())
        },
        "signal_engine_silent_seconds": silence,
    }
