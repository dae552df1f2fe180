"""``nexusgw report``: the after-close report from the journal (docs/report.md).

Reads the journal read-only (safe while ``nexusgw serve`` runs): every execution up to the end of the period
(positions opened earlier close in it), the period's orders with their legs and signal-time quotes. A round
trip belongs to the exchange trading day its closing fill falls on, an order to the day it was created on
(CME: 17:00 Chicago; B3: the São Paulo date; other venues: the profile's ``risk.trading_day``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nexus_gw.cli.journal import JournalOpt, RateOpt, _open, _pairs, _to_usd, _valuation
from nexus_gw.cli.options import ConfigDirOpt, ProfileOpt
from nexus_gw.cli.tradingdays import gateway_calendar, load, parse_day
from nexus_gw.domain.execution_quality import LegResult, Pricing
from nexus_gw.domain.tradingday import TradingCalendar, calendar_for, session_days
from nexus_gw.errors import UnknownSymbolError, UsageError

if TYPE_CHECKING:
    from nexus_gw.config.loader import LoadedProfile
    from nexus_gw.domain.orders import Order
    from nexus_gw.journal import FillRecord, Journal
    from nexus_gw.monitor.report import Report

FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="text, json, csv or html (html needs the report extra).")
]


class _Days:
    """The trading day of an instant for a root: its exchange's calendar, else the gateway's."""

    def __init__(self, loaded: LoadedProfile) -> None:
        self.instruments = loaded.reference.instruments
        self.default = gateway_calendar(loaded)

    def exchange(self, root: str) -> str:
        try:
            return self.instruments.get(root).exchange
        except UnknownSymbolError:
            return ""

    def calendar(self, root: str) -> TradingCalendar:
        return calendar_for(self.exchange(root), self.default) if self.exchange(root) else self.default

    def of(self, root: str, ns: int) -> date:
        return self.calendar(root).trading_day(datetime.fromtimestamp(ns / 1e9, tz=UTC))


def _period(day: str | None, first: str | None, last: str | None, calendar: TradingCalendar) -> tuple[date, date]:
    if day is not None and (first is not None or last is not None):
        raise UsageError("give either --date or --from/--to, not both")
    if day is not None:
        chosen = parse_day(day)
        return chosen, chosen
    if first is None and last is None:
        today = calendar.trading_day(datetime.now(UTC))
        return today, today
    start = parse_day(first, "--from") if first else parse_day(last or "", "--to")
    end = parse_day(last, "--to") if last else start
    if end < start:
        raise UsageError(f"--to {end} is before --from {start}; swap them")
    return start, end


def _legs(orders: list[Order], fills: list[FillRecord], refs: dict[str, float | None]) -> list[LegResult]:
    first_fill: dict[str, int] = {}
    for fill in fills:
        first_fill[fill.leg_id] = min(fill.recorded_ns, first_fill.get(fill.leg_id, fill.recorded_ns))
    legs = []
    for order in orders:
        for leg in order.legs.values():
            filled_at = first_fill.get(leg.leg_id)
            legs.append(
                LegResult(
                    order_id=order.order_id,
                    platform=leg.platform,
                    root=order.root,
                    side=leg.side,
                    status=leg.status.value,
                    reason=leg.reason,
                    filled=leg.root_filled_qty,
                    avg_price=leg.avg_price,
                    latency_ns=filled_at - order.created_ns if filled_at and order.created_ns else None,
                    reference=refs.get(order.order_id),
                )
            )
    return legs


def collect(
    store: Journal,
    loaded: LoadedProfile,
    first: date,
    last: date,
    to_usd: Callable[..., object],
    platform: str | None,
) -> Report:
    """Read the period from ``store`` and build the report."""
    from nexus_gw.domain.positions import PositionBook
    from nexus_gw.monitor.report import TripRow, build_report

    days = _Days(loaded)
    # Wide enough for every calendar (boundaries are within a day of midnight UTC); exact days filtered below.
    since = datetime.combine(first - timedelta(days=2), datetime.min.time(), UTC)
    until = datetime.combine(last + timedelta(days=2), datetime.min.time(), UTC)
    book = PositionBook(_valuation(loaded), to_usd)  # type: ignore[arg-type]
    all_fills = store.query_fills(None, until)
    for fill in all_fills:
        book.apply(fill)
    trips = [
        TripRow(
            t.platform,
            t.root,
            t.side,
            t.qty,
            t.entry_ns,
            t.entry_price,
            t.exit_ns,
            t.exit_price,
            t.pnl,
            t.currency,
            t.pnl_usd,
            days.of(t.root, t.exit_ns),
        )
        for t in book.round_trips()
    ]
    trips = [t for t in trips if first <= t.day <= last]
    orders = [
        o for o in store.query_orders(since, until) if o.created_ns and first <= days.of(o.root, o.created_ns) <= last
    ]
    # A refused signal has no creation time; the journal dates it, and the gateway's day takes it.
    refused = store.query_orders(days.default.day_start(first), days.default.day_end(last))
    refs = {oid: q.price for oid, q in store.order_references(since, until).items()}
    fills = [f for f in all_fills if f.recorded_ns >= since.timestamp() * 1e9]
    exchanges = {days.exchange(o.root) for o in orders} | {days.exchange(t.root) for t in trips}

    def pricing(root: str) -> Pricing:
        instrument = loaded.reference.instruments.get(root)
        return Pricing(instrument.tick_size, instrument.point_value, instrument.currency)

    return build_report(
        first=first,
        last=last,
        days=session_days(first, last, exchanges or {"CME"}, extra=[t.day for t in trips]),
        trips=trips,
        legs=_legs([o for o in orders if o.legs], fills, refs),
        pricing=pricing,
        to_usd=to_usd,  # type: ignore[arg-type]
        refusals=[o.reason for o in refused if not o.legs and o.rejected],
        platform=platform,
        generated_ns=time.time_ns(),
    )


def report(
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    day: Annotated[str | None, typer.Option("--date", help="One trading day, YYYY-MM-DD (default: today's).")] = None,
    first: Annotated[str | None, typer.Option("--from", help="First trading day of a period, YYYY-MM-DD.")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last trading day of a period (inclusive).")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Only this platform instance.")] = None,
    fmt: FormatOpt = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (csv: plus F.summary.csv).")
    ] = None,
    rate: RateOpt = None,
    journal: JournalOpt = None,
) -> None:
    """After-close report: trades, win rate, average win/loss, profit factor, Sharpe, max drawdown and net
    P&L in USD per platform; execution quality per platform (fills against the signal-time price and against
    the other platforms, latency, rejects) and which platform fills best. Trading days follow each exchange's
    session (CME 17:00 Chicago, B3 the São Paulo date). BRL P&L needs --rate BRL=UNITS_PER_USD."""
    from nexus_gw.monitor.report import FORMATS, render
    from nexus_gw.monitor.report.csvout import summary_csv, trades_csv

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    loaded = load(profile, config_dir)
    start, end = _period(day, first, last, gateway_calendar(loaded))
    to_usd = _to_usd(_pairs(rate or [], "--rate", "BRL=5.494"))
    with _open(profile, config_dir, journal) as store:
        built = collect(store, loaded, start, end, to_usd, platform)
    if output is None:
        typer.echo(render(built, fmt), nl=False)
        return
    if fmt == "csv":
        summary = output.with_name(f"{output.stem}.summary{output.suffix or '.csv'}")
        output.write_text(trades_csv(built), encoding="utf-8")
        summary.write_text(summary_csv(built), encoding="utf-8")
        typer.echo(f"wrote {output} and {summary}", err=True)
        return
    output.write_text(render(built, fmt), encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)
