"""``nexusgw orders``, ``nexusgw fills``, ``nexusgw positions``: read the journal of a profile.

The journal is opened read-only, so these commands are safe while ``nexusgw serve`` runs. Times are shown in
UTC. ``--since``/``--until`` take a date (YYYY-MM-DD, a whole UTC day) or an ISO time with offset; ``--since``
includes its instant, ``--until`` a date includes that whole day, an ISO time is exclusive.
``--date D`` is trading day D as the daily loss limit counts it (``risk.trading_day``, default 17:00 Chicago).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nexus_gw.cli.options import ConfigDirOpt, JsonOpt, ProfileOpt
from nexus_gw.cli.tradingdays import DateOpt, day_window
from nexus_gw.errors import UsageError

if TYPE_CHECKING:
    from nexus_gw.config.loader import LoadedProfile
    from nexus_gw.domain.orders import Order
    from nexus_gw.domain.positions import PositionBook, RoundTrip, ToUsd, Valuation
    from nexus_gw.journal import FillRecord, Journal

SinceOpt = Annotated[
    str | None, typer.Option("--since", help="From this date (YYYY-MM-DD, UTC) or ISO time, inclusive.")
]
UntilOpt = Annotated[
    str | None, typer.Option("--until", help="Up to this date (whole day included) or ISO time (exclusive).")
]
CsvOpt = Annotated[Path | None, typer.Option("--csv", help="Also write the rows as CSV to this file ('-' = stdout).")]
JournalOpt = Annotated[
    Path | None, typer.Option("--journal", help="Read this journal file instead of the profile's data_dir one.")
]
RateOpt = Annotated[
    list[str] | None,
    typer.Option("--rate", help="Units of a currency per 1 USD for USD figures, e.g. BRL=5.494 (repeatable)."),
]
MarkOpt = Annotated[
    list[str] | None,
    typer.Option("--mark", help="Price for unrealized P&L: ROOT=PRICE or PLATFORM:ROOT=PRICE (repeatable)."),
]


# -- parsing ------------------------------------------------------------------------------------
def parse_when(text: str | None, option: str, *, end: bool = False) -> datetime | None:
    """A ``--since``/``--until`` value as an aware UTC datetime; a date ``--until`` means the next midnight."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + timedelta(days=1) if end else start
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is neither a date nor an ISO time; use YYYY-MM-DD or 2026-03-02T14:30:00+00:00"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _pairs(values: Iterable[str], option: str, example: str) -> list[tuple[str, Decimal]]:
    pairs = []
    for value in values:
        name, sep, number = value.partition("=")
        try:
            amount = Decimal(number)
        except ArithmeticError:
            amount = Decimal(0)
        if not sep or not name or not amount.is_finite() or amount <= 0:
            raise UsageError(f"{option} {value!r} is not NAME=POSITIVE_NUMBER; write it like {example}")
        pairs.append((name.strip(), amount))
    return pairs


# -- output -------------------------------------------------------------------------------------
def fmt_ns(ns: int) -> str:
    """Nanoseconds since the epoch as 'YYYY-MM-DD HH:MM:SS' UTC ('-' for 0, i.e. unknown)."""
    if not ns:
        return "-"
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def fmt_qty(value: float) -> str:
    """A float in its shortest exact spelling, without a trailing '.0' (2, 0.01, 16250.75)."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return fmt_qty(value)
    return str(value)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Left-aligned columns as wide as their widest cell."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot show {type(value).__name__} as JSON")


def _emit(
    records: list[dict[str, Any]], headers: Sequence[str], as_json: bool, csv_path: Path | None, empty: str
) -> None:
    """Print records as a table or JSON, and write them as CSV when asked."""
    if csv_path is not None:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(headers), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(v) if v is not None else "" for k, v in r.items()} for r in records)
        if str(csv_path) == "-":
            typer.echo(buffer.getvalue(), nl=False)
            return
        csv_path.write_text(buffer.getvalue(), encoding="utf-8")
        typer.echo(f"wrote {len(records)} rows to {csv_path}", err=True)
    if as_json:
        typer.echo(json.dumps(records, indent=2, default=_json_default))
    elif csv_path is None or str(csv_path) != "-":
        typer.echo(render_table(headers, [[r.get(h) for h in headers] for r in records]) if records else empty)


def _open(profile: str | None, config_dir: Path | None, journal: Path | None) -> Journal:
    """The journal to read: ``--journal``, else the profile's (which must be given); says which on stderr."""
    from nexus_gw.cli.options import announce_journal, require_profile
    from nexus_gw.journal import Journal, journal_path

    if journal is None:
        from nexus_gw.adapters.registry import validate_driver_settings
        from nexus_gw.config.loader import load_profile

        loaded = load_profile(require_profile(profile, config_dir), config_dir, check_settings=validate_driver_settings)
        journal = journal_path(loaded.profile.gateway.data_dir)
        announce_journal(journal, loaded.name)
    else:
        announce_journal(journal.absolute())
    return Journal.open(journal, readonly=True)


# -- orders -------------------------------------------------------------------------------------
def order_record(order: Order) -> dict[str, Any]:
    legs = list(order.legs.values())
    return {
        "created": fmt_ns(order.created_ns),
        "order_id": order.order_id,
        "client_id": order.client_id,
        "root": order.root,
        "side": order.side.value,
        "qty": order.qty,
        "filled": order.filled_qty,
        "avg_price": order.avg_price,
        "status": order.status.value,
        "legs": "; ".join(
            f"{leg.platform}:{leg.status.value}:{fmt_qty(leg.filled_qty)}/{fmt_qty(leg.qty)}" for leg in legs
        ),
        "reason": order.reason or "; ".join(f"{leg.platform}: {leg.reason}" for leg in legs if leg.reason),
        "created_ns": order.created_ns,
    }


def orders(
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    day: DateOpt = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only orders that are still working.")] = False,
    csv_path: CsvOpt = None,
    journal: JournalOpt = None,
) -> None:
    """List journaled orders created in the period, with their legs' states and the aggregate fill."""
    start, stop = day_window(
        day, parse_when(since, "--since"), parse_when(until, "--until", end=True), profile, config_dir
    )
    with _open(profile, config_dir, journal) as store:
        found = store.query_orders(start, stop)
    records = [order_record(o) for o in found if not (open_only and o.is_terminal)]
    headers = (
        "created",
        "order_id",
        "client_id",
        "root",
        "side",
        "qty",
        "filled",
        "avg_price",
        "status",
        "legs",
        "reason",
    )
    _emit(records, headers, as_json, csv_path, "no orders in the journal for this period")


# -- fills --------------------------------------------------------------------------------------
def fill_record(fill: FillRecord) -> dict[str, Any]:
    return {
        "time": fmt_ns(fill.time_ns),
        "order_id": fill.order_id,
        "client_id": fill.client_id,
        "leg_id": fill.leg_id,
        "fill_id": fill.fill_id,
        "platform": fill.platform,
        "root": fill.root,
        "symbol": fill.symbol,
        "side": fill.side.value,
        "qty": fill.qty,
        "price": fill.price,
        "time_ns": fill.time_ns,
    }


def fills(
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    day: DateOpt = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Only this platform instance.")] = None,
    root: Annotated[str | None, typer.Option("--root", help="Only this root, e.g. NQ.")] = None,
    csv_path: CsvOpt = None,
    journal: JournalOpt = None,
) -> None:
    """List executions in the period, in the order the gateway counted them."""
    start, stop = day_window(
        day, parse_when(since, "--since"), parse_when(until, "--until", end=True), profile, config_dir
    )
    with _open(profile, config_dir, journal) as store:
        found = store.query_fills(start, stop, platform=platform, root=root)
    headers = ("time", "order_id", "leg_id", "fill_id", "platform", "root", "symbol", "side", "qty", "price")
    _emit([fill_record(f) for f in found], headers, as_json, csv_path, "no fills in the journal for this period")


# -- positions ----------------------------------------------------------------------------------
def _valuation(loaded: LoadedProfile) -> Callable[[str, str], Valuation]:
    from nexus_gw.domain.positions import valuation_from_instrument

    platforms = loaded.profile.platforms

    def valuation(platform: str, root: str) -> Valuation:
        multiplier = platforms[platform].sizing_for(root).multiplier if platform in platforms else 1.0
        return valuation_from_instrument(loaded.reference.instruments.get(root), multiplier)

    return valuation


def _to_usd(rates: list[tuple[str, Decimal]]) -> ToUsd:
    from nexus_gw.domain.fx import MissingRateError

    per_usd = dict(rates)

    def to_usd(amount: Decimal, currency: str) -> Decimal:
        if currency not in per_usd:
            raise MissingRateError(f"no {currency} rate given; pass --rate {currency}=UNITS_PER_USD")
        return amount / per_usd[currency]

    return to_usd


_POSITION_FIELDS = ("qty", "avg_entry", "currency", "realized", "realized_usd", "mark", "unrealized", "unrealized_usd")


def position_records(book: PositionBook) -> list[dict[str, Any]]:
    """One row per platform and root, then an ALL row per root (quantity in root units, money in USD)."""
    rows: list[dict[str, Any]] = []
    for root in book.roots():
        for v in (v for v in book.positions() if v.root == root):
            fields = {name: getattr(v, name) for name in _POSITION_FIELDS}
            rows.append({"root": root, "platform": v.platform, **fields, "missing": "; ".join(v.missing)})
        agg = book.aggregate(root)
        rows.append(
            {
                **dict.fromkeys(("root", "platform", *_POSITION_FIELDS)),
                "root": root,
                "platform": "ALL",
                "qty": agg.qty,
                "avg_entry": agg.avg_entry,
                "currency": "USD",
                "realized_usd": agg.realized_usd,
                "unrealized_usd": agg.unrealized_usd,
                "missing": "; ".join(agg.missing),
            }
        )
    return rows


def trip_records(trips: Iterable[RoundTrip]) -> list[dict[str, Any]]:
    return [
        {
            "platform": t.platform,
            "root": t.root,
            "side": t.side.value,
            "qty": t.qty,
            "entry": fmt_ns(t.entry_ns),
            "entry_price": t.entry_price,
            "exit": fmt_ns(t.exit_ns),
            "exit_price": t.exit_price,
            "pnl": t.pnl,
            "currency": t.currency,
            "pnl_usd": t.pnl_usd,
        }
        for t in trips
    ]


def positions(
    profile: ProfileOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    day: DateOpt = None,
    rate: RateOpt = None,
    mark: MarkOpt = None,
    trips: Annotated[bool, typer.Option("--trips", help="List round trips closed in the period instead.")] = False,
    csv_path: CsvOpt = None,
    journal: JournalOpt = None,
) -> None:
    """Positions per platform and per root as of --until (every fill before it counts), with realized P&L in
    the instrument's currency and in USD; --mark prices give unrealized P&L. --since limits --trips only."""
    from nexus_gw.adapters.registry import validate_driver_settings
    from nexus_gw.config.loader import load_profile
    from nexus_gw.domain.positions import PositionBook
    from nexus_gw.journal.records import datetime_to_ns

    start, stop = day_window(
        day, parse_when(since, "--since"), parse_when(until, "--until", end=True), profile, config_dir
    )
    loaded = load_profile(profile, config_dir, check_settings=validate_driver_settings)
    book = PositionBook(_valuation(loaded), _to_usd(_pairs(rate or [], "--rate", "BRL=5.494")))
    with _open(profile, config_dir, journal) as store:
        for fill in store.query_fills(None, stop):
            book.apply(fill)
    for name, price in _pairs(mark or [], "--mark", "NQ=16250.25 or sierra:NQ=16250.25"):
        platform, _, root = name.rpartition(":")
        for platform_name in [platform] if platform else [v.platform for v in book.positions() if v.root == root]:
            book.mark(root, platform_name, float(price))
    if trips:
        since_ns = datetime_to_ns(start, "--since") if start else 0
        records = trip_records(t for t in book.round_trips() if t.exit_ns >= since_ns)
        headers = (
            "platform",
            "root",
            "side",
            "qty",
            "entry",
            "entry_price",
            "exit",
            "exit_price",
            "pnl",
            "currency",
            "pnl_usd",
        )
        _emit(records, headers, as_json, csv_path, "no round trips closed in this period")
        return
    headers = (
        "root",
        "platform",
        "qty",
        "avg_entry",
        "currency",
        "realized",
        "realized_usd",
        "mark",
        "unrealized",
        "unrealized_usd",
        "missing",
    )
    _emit(position_records(book), headers, as_json, csv_path, "no fills in the journal, so no positions")
