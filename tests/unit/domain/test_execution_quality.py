"""Execution quality against values worked out by hand (NQ: tick 0.25 = 1 tick, 1 point = 20 USD)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nexus_gw.domain.execution_quality import LegResult, Pricing, execution_quality, percentile
from nexus_gw.domain.types import Side

NQ = Pricing(Decimal("0.25"), Decimal(20), "USD")
WIN = Pricing(Decimal(5), Decimal("0.20"), "BRL")
MS = 1_000_000


def leg(
    order: str,
    platform: str,
    side: Side,
    filled: float,
    price: float | None,
    latency_ms: int | None,
    reference: float | None,
    status: str = "FILLED",
    reason: str = "",
    root: str = "NQ",
) -> LegResult:
    latency = latency_ms * MS if latency_ms is not None else None
    return LegResult(order, platform, root, side, status, reason, filled, price, latency, reference)


# o1: BUY 1, signal-time bid/ask 20000.00/20000.50 -> arrival mid 20000.25
# o2: SELL 2, signal-time last 20010.00 (no bid/ask); sierra rejects it
LEGS = [
    leg("o1", "nt8", Side.BUY, 1, 20000.50, 40, 20000.25),
    leg("o1", "sierra", Side.BUY, 1, 20000.75, 120, 20000.25),
    leg("o1", "mt5_global", Side.BUY, 1, 20000.00, 10, 20000.25),
    leg("o2", "nt8", Side.SELL, 2, 20009.75, 60, 20010.00),
    leg("o2", "sierra", Side.SELL, 0, None, None, 20010.00, "REJECTED", "margin"),
    leg("o2", "mt5_global", Side.SELL, 2, 20010.25, 30, 20010.00),
]


def test_each_leg_against_the_signal_and_the_other_platforms() -> None:
    quality = execution_quality(LEGS, lambda root: NQ)
    by = {(q.leg.order_id, q.leg.platform): q for q in quality.legs}
    # o1 buys: ref - fill. nt8 20000.25 - 20000.50 = -0.25 pt = -1 tick = -5 USD
    assert (by["o1", "nt8"].vs_signal_ticks, by["o1", "nt8"].vs_signal_usd) == (-1.0, Decimal("-5.00"))
    assert (by["o1", "sierra"].vs_signal_ticks, by["o1", "sierra"].vs_signal_usd) == (-2.0, Decimal("-10.00"))
    assert (by["o1", "mt5_global"].vs_signal_ticks, by["o1", "mt5_global"].vs_signal_usd) == (1.0, Decimal("5.00"))
    # vs others: nt8 against (20000.75 + 20000.00) / 2 = 20000.375 -> -0.125 pt = -0.5 tick = -2.50 USD
    assert by["o1", "nt8"].vs_others_ticks == -0.5 and by["o1", "nt8"].vs_others_usd == Decimal("-2.500")
    # mt5_global against (20000.50 + 20000.75) / 2 = 20000.625 -> +0.625 pt = +2.5 ticks = +12.50 USD
    assert by["o1", "mt5_global"].vs_others_ticks == 2.5
    # o2 sells: fill - ref. nt8 20009.75 - 20010 = -1 tick; vs mt5_global's 20010.25: -0.5 pt = -2 ticks
    assert by["o2", "nt8"].vs_signal_ticks == -1.0 and by["o2", "nt8"].vs_others_ticks == -2.0
    assert by["o2", "mt5_global"].vs_signal_usd == Decimal("5.00") and by["o2", "mt5_global"].vs_others_ticks == 2.0
    assert by["o2", "sierra"].vs_signal_ticks is None  # nothing filled


def test_platform_figures_are_contract_weighted_and_the_best_platform_wins() -> None:
    quality = execution_quality(LEGS, lambda root: NQ)
    p = {q.platform: q for q in quality.platforms}
    # nt8: 1 contract at -1 tick, 2 at -1 tick -> -1 tick, -5 USD per contract, -15 USD in total
    assert (p["nt8"].contracts, p["nt8"].vs_signal_ticks, p["nt8"].vs_signal_usd) == (3, -1.0, Decimal(-5))
    assert p["nt8"].vs_signal_usd_total == Decimal(-15)
    # vs others: (1 x -0.5 + 2 x -2) / 3 = -1.5 ticks; (1 x -2.50 + 2 x -10) / 3 = -7.50 USD
    assert p["nt8"].vs_others_ticks == pytest.approx(-1.5) and p["nt8"].vs_others_usd == Decimal("-7.5")
    # latency nearest rank of [40, 60] ms: p50 = 1st = 40, p90 = 2nd = 60
    assert (p["nt8"].latency_p50_ms, p["nt8"].latency_p90_ms) == (40.0, 60.0)
    assert (p["mt5_global"].vs_signal_usd, p["mt5_global"].vs_signal_usd_total) == (Decimal(5), Decimal(15))
    assert (p["sierra"].legs, p["sierra"].filled_legs, p["sierra"].rejects) == (2, 1, 1)
    assert p["sierra"].vs_signal_usd == Decimal(-10) and p["sierra"].latency_p50_ms == 120.0
    assert quality.rejects == [("sierra", "margin", 1)]
    assert quality.best == "mt5_global"
    assert quality.verdict.startswith("mt5_global fills best: +5.00 USD per contract vs the signal-time price")
    assert "nt8 -5.00, sierra -10.00" in quality.verdict


def test_brl_slippage_needs_a_rate_and_ticks_do_not() -> None:
    # WIN buy at 130005 against 130000: -5 points = -1 tick = -1.00 BRL per contract; at 5 BRL per USD -0.20 USD
    win = [leg("w1", "mt5_brazil", Side.BUY, 1, 130005.0, 25, 130000.0, root="WIN")]
    quality = execution_quality(win, lambda root: WIN, lambda amount, ccy: amount / Decimal(5))
    assert quality.legs[0].vs_signal_ticks == -1.0 and quality.legs[0].vs_signal_usd == Decimal("-0.2")
    unpriced = execution_quality(win, lambda root: WIN, None)
    assert unpriced.legs[0].vs_signal_ticks == -1.0 and unpriced.legs[0].vs_signal_usd is None
    assert unpriced.verdict.startswith("mt5_brazil fills best: -1.00 ticks vs the signal-time price")


def test_without_references_the_verdict_compares_platforms_and_says_so_when_it_cannot() -> None:
    legs = [leg("o", "nt8", Side.BUY, 1, 100.0, 5, None), leg("o", "sierra", Side.BUY, 1, 100.5, 5, None)]
    quality = execution_quality(legs, lambda root: NQ)
    assert quality.best == "nt8" and "vs the other platforms" in quality.verdict
    alone = execution_quality([leg("o", "nt8", Side.BUY, 1, 100.0, 5, None)], lambda root: NQ)
    assert alone.best is None and alone.verdict.startswith("no verdict")


def test_nearest_rank_percentile() -> None:
    assert percentile([], 0.5) is None
    assert percentile([30.0, 10.0, 20.0], 0.5) == 20.0  # ceil(1.5) = 2nd smallest
    assert percentile([float(v) for v in range(1, 11)], 0.9) == 9.0  # ceil(9.0) = 9th
