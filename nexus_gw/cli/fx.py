"""``nexusgw fx rate|convert|pnl``: the USD/BRL rate with its time and source, conversions, and P&L in USD.

A rate comes from exactly one of: ``--rate 5.494`` (BRL per 1 USD, as of now or ``--at``), ``--wdo 5494.0`` (a WDO
price: BRL per USD 1,000) or ``--source FILE`` (a rates CSV or a saved BCB PTAX answer; rates older than
``--max-age`` are refused). Without one, commands that need a rate exit 1 saying how to give it.
Amounts are rounded half-up to cents.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nexus_gw.cli.options import ConfigDirOpt, JsonOpt
from nexus_gw.cli.symbols import load_reference_data, parse_at, print_json
from nexus_gw.errors import UsageError

if TYPE_CHECKING:
    from nexus_gw.domain.fx import FxRate

app = typer.Typer(
    help="FX: the USD/BRL rate with its time and source, currency conversion, and P&L in USD.",
    no_args_is_help=True,
)

#: Negative numbers (a short quantity, a losing move) are arguments, not unknown options.
NUMBERS_MAY_BE_NEGATIVE = {"ignore_unknown_options": True}

RateOpt = Annotated[
    str | None,
    typer.Option(
        "--rate", metavar="RATE", help="BRL per 1 USD, e.g. 5.494 (for another pair: its currency per 1 USD)."
    ),
]
WdoOpt = Annotated[
    str | None,
    typer.Option(
        "--wdo", metavar="PRICE", help="Take USD/BRL from a WDO price (BRL per USD 1,000), e.g. 5494.0 → 5.494."
    ),
]
SourceOpt = Annotated[
    Path | None,
    typer.Option(
        "--source",
        metavar="FILE",
        help="Read the rate from a file: CSV lines base,quote,rate,as_of (USD,BRL,5.494,2025-03-10T18:00:00-03:00) "
        "or a saved BCB PTAX JSON answer.",
    ),
]
MaxAgeOpt = Annotated[
    float, typer.Option("--max-age", metavar="HOURS", help="Hours after which a rate from --source is too old to use.")
]
FxAtOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="WHEN",
        help="Value the rate at this time instead of now: YYYY-MM-DD (noon São Paulo), a São Paulo local time, "
        "or an instant with offset.",
    ),
]
DEFAULT_MAX_AGE_HOURS = 72.0
MAX_AGE_LIMIT_HOURS = 24.0 * 366


def _number(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise UsageError(f"{what} {text!r} is not a number; write it like 5.494 (a dot for decimals)")
    return value


def _fmt(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 5.4940 → 5.494, 5E+1 → 50."""
    return format(value.normalize(), "f")


def _pair_with_usd(currency_a: str, currency_b: str) -> tuple[str, str]:
    """The pair a --rate number is quoted in: USD/other when USD is one side, else a/b."""
    from nexus_gw.domain.fx import BASE_CURRENCY

    return (currency_b, currency_a) if currency_b == BASE_CURRENCY else (currency_a, currency_b)


def _front_wdo(at: datetime, config_dir: Path | None) -> str:
    from nexus_gw.domain.contracts import front_contract

    instruments = load_reference_data(config_dir).instruments
    return front_contract(instruments.get("WDO"), at).code if "WDO" in instruments else "WDO"


def _from_file(path: Path, base: str, quote: str, at: datetime, max_age_hours: float) -> FxRate:
    from nexus_gw.domain.fx import MissingRateError, RateBook, parse_ptax_json, parse_rates_file
    from nexus_gw.errors import StaleRateError

    if not 0 < max_age_hours <= MAX_AGE_LIMIT_HOURS:
        raise UsageError(f"--max-age {max_age_hours:g} is not between 0 and {MAX_AGE_LIMIT_HOURS:g} hours")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read --source {path}: {exc.strerror or exc}") from None
    rates = [parse_ptax_json(text)] if text.lstrip().startswith("{") else parse_rates_file(text, name=str(path))
    if not any({r.base, r.quote} == {base, quote} for r in rates):
        raise MissingRateError(
            f"{path} has no {base}/{quote} rate; add a line {base},{quote},RATE,{at.isoformat()} or pass --rate RATE"
        )
    book = RateBook(timedelta(hours=max_age_hours))
    book.update_all(rates)
    try:
        return book.rate(base, quote, at)
    except StaleRateError as exc:
        raise StaleRateError(f"{exc} Here: pass --rate, or --max-age HOURS to accept an older rate.") from None


def resolve_rate(
    base: str,
    quote: str,
    at: datetime,
    *,
    rate: str | None,
    wdo: str | None,
    source: Path | None,
    max_age_hours: float,
    config_dir: Path | None,
) -> FxRate:
    """The one rate the options give for base/quote at ``at``; MissingRateError (exit 1) saying how to give one."""
    from nexus_gw.domain.fx import FxRate, MissingRateError, rate_from_wdo

    given = [name for name, value in (("--rate", rate), ("--wdo", wdo), ("--source", source)) if value is not None]
    if len(given) > 1:
        raise UsageError(f"give one rate, not {' and '.join(given)}")
    is_usd_brl = {base, quote} == {"USD", "BRL"}
    if rate is not None:
        return FxRate(base, quote, _number(rate, "--rate"), at, "config", "--rate on the command line")
    if wdo is not None:
        if not is_usd_brl:
            raise UsageError(f"--wdo gives USD/BRL only; for {base}/{quote} pass --rate or --source")
        return rate_from_wdo(_number(wdo, "--wdo"), at, _front_wdo(at, config_dir))
    if source is not None:
        return _from_file(source, base, quote, at, max_age_hours)
    hint = ", --wdo 5494.0 (a WDO price)" if is_usd_brl else ""
    raise MissingRateError(
        f"no {base}/{quote} rate given; pass one: --rate 5.494 ({quote} per 1 {base}){hint} "
        "or --source FILE (CSV lines base,quote,rate,as_of)"
    )


def rate_record(rate: FxRate) -> dict[str, Any]:
    return {
        "pair": rate.pair,
        "base": rate.base,
        "quote": rate.quote,
        "rate": _fmt(rate.rate),
        "as_of": rate.as_of.isoformat(),
        "source": rate.source,
        "detail": rate.detail,
    }


def rate_line(rate: FxRate) -> str:
    """'1 USD = 5.494 BRL (wdo: WDOJ25 @ 5494.0, as of 2025-03-10T12:00:00-03:00)'."""
    origin = f"{rate.source}: {rate.detail}" if rate.detail else rate.source
    return f"1 {rate.base} = {_fmt(rate.rate)} {rate.quote} ({origin}, as of {rate.as_of.isoformat()})"


@app.command("rate")
def show_rate(
    rate: RateOpt = None,
    wdo: WdoOpt = None,
    source: SourceOpt = None,
    max_age: MaxAgeOpt = DEFAULT_MAX_AGE_HOURS,
    at: FxAtOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show BRL per 1 USD with the time it was observed and where it came from.

    Exits 1 when no rate is given or the one in --source is older than --max-age."""
    from nexus_gw.domain.fx import BASE_CURRENCY, SAO_PAULO

    when = parse_at(at).instant(SAO_PAULO)
    found = resolve_rate(
        BASE_CURRENCY, "BRL", when, rate=rate, wdo=wdo, source=source, max_age_hours=max_age, config_dir=config_dir
    )
    if as_json:
        print_json(rate_record(found))
        return
    typer.echo(f"1 {found.base} = {_fmt(found.rate)} {found.quote}")
    typer.echo(f"as of   {found.as_of.isoformat()}")
    typer.echo(f"source  {found.source}" + (f" ({found.detail})" if found.detail else ""))


@app.command("convert", context_settings=NUMBERS_MAY_BE_NEGATIVE)
def convert_amount(
    amount: Annotated[str, typer.Argument(metavar="AMOUNT", help="Amount to convert, e.g. 1000 or -12.5.")],
    from_ccy: Annotated[str, typer.Argument(metavar="FROM", help="Currency of AMOUNT, e.g. BRL.")],
    to_ccy: Annotated[str, typer.Argument(metavar="TO", help="Currency wanted, e.g. USD.")],
    rate: RateOpt = None,
    wdo: WdoOpt = None,
    source: SourceOpt = None,
    max_age: MaxAgeOpt = DEFAULT_MAX_AGE_HOURS,
    at: FxAtOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Convert AMOUNT from one currency to another (BRL 1100 at 5.5 = USD 200.00).

    --rate is the other currency per 1 USD; for a pair without USD, TO per 1 FROM."""
    from nexus_gw.domain.fx import SAO_PAULO, convert, to_cents

    from_ccy, to_ccy = from_ccy.upper(), to_ccy.upper()
    value = _number(amount, "amount")
    used: FxRate | None = None
    if from_ccy == to_ccy:
        result = to_cents(value)
    else:
        when = parse_at(at).instant(SAO_PAULO)
        base, quote = _pair_with_usd(from_ccy, to_ccy)
        used = resolve_rate(
            base, quote, when, rate=rate, wdo=wdo, source=source, max_age_hours=max_age, config_dir=config_dir
        )
        result = convert(value, from_ccy, to_ccy, used)
    if as_json:
        print_json(
            {
                "amount": _fmt(value),
                "from": from_ccy,
                "to": to_ccy,
                "result": str(result),
                "rate": rate_record(used) if used else None,
            }
        )
        return
    typer.echo(f"{from_ccy} {_fmt(value)} = {to_ccy} {result}")
    if used:
        typer.echo(f"at {rate_line(used)}")


@app.command("pnl", context_settings=NUMBERS_MAY_BE_NEGATIVE)
def show_pnl(
    root: Annotated[str, typer.Argument(metavar="ROOT", help="Root, e.g. WIN, WDO, NQ.")],
    points: Annotated[
        str, typer.Argument(metavar="POINTS", help="Price move in points; negative for a loss, e.g. 100 or -12.5.")
    ],
    qty: Annotated[str, typer.Option("--qty", metavar="N", help="Contracts; negative for a short position.")] = "1",
    rate: RateOpt = None,
    wdo: WdoOpt = None,
    source: SourceOpt = None,
    max_age: MaxAgeOpt = DEFAULT_MAX_AGE_HOURS,
    at: FxAtOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """P&L of --qty contracts of ROOT over a move of POINTS, in the instrument's currency and in USD.

    WIN 100 points x 1 = BRL 20.00 = USD 3.64 at 5.494. USD instruments need no rate."""
    from nexus_gw.domain.fx import BASE_CURRENCY, SAO_PAULO, pnl

    instrument = load_reference_data(config_dir).instruments.get(root.upper())
    moved, contracts = _number(points, "points"), _number(qty, "--qty")
    used: FxRate | None = None
    if instrument.currency != BASE_CURRENCY:
        when = parse_at(at).instant(SAO_PAULO)
        used = resolve_rate(
            BASE_CURRENCY,
            instrument.currency,
            when,
            rate=rate,
            wdo=wdo,
            source=source,
            max_age_hours=max_age,
            config_dir=config_dir,
        )
    amounts = pnl(instrument, moved, contracts, used)
    if as_json:
        print_json(
            {
                "root": instrument.root,
                "points": _fmt(moved),
                "qty": _fmt(contracts),
                "currency": instrument.currency,
                "point_value": _fmt(instrument.point_value),
                "pnl": str(amounts.native),
                "pnl_usd": str(amounts.usd),
                "rate": rate_record(used) if used else None,
            }
        )
        return
    head = (
        f"{instrument.root} {_fmt(moved)} points x {_fmt(contracts)} "
        f"({instrument.currency} {_fmt(instrument.point_value)} per point): {instrument.currency} {amounts.native}"
    )
    if used is None:
        typer.echo(head)
        return
    typer.echo(f"{head} = {BASE_CURRENCY} {amounts.usd}")
    typer.echo(f"at {rate_line(used)}")
