"""``nexusgw rollover show|schedule``: the front contract of each root, when it rolls and what comes next.

All dates are exchange-local. ``roll date`` is the trade date from which the next contract is front;
``front until`` is the exact instant it takes over (CME: 17:00 Chicago the evening before the roll date).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from nexus_gw.cli.options import ConfigDirOpt, JsonOpt
from nexus_gw.cli.symbols import AtOpt, load_reference_data, parse_at, print_json, render_table
from nexus_gw.errors import UsageError

if TYPE_CHECKING:
    from nexus_gw.domain.contracts import Contract

app = typer.Typer(
    help="Front contracts and roll dates: which contract is traded now and when the next one takes over.",
    no_args_is_help=True,
)

ROLL_AT_FORMAT = "%Y-%m-%d %H:%M %Z"


def contract_record(contract: Contract) -> dict[str, Any]:
    """A contract as JSON: code, dates as YYYY-MM-DD and the roll instant with its UTC offset."""
    return {
        "code": contract.code,
        "last_trade_date": contract.last_trade_date.isoformat(),
        "expiry_date": contract.expiry_date.isoformat(),
        "roll_date": contract.roll_date.isoformat(),
        "roll_at": contract.roll_at.isoformat(),
    }


def _contract_cells(contract: Contract) -> list[str]:
    return [
        contract.last_trade_date.isoformat(),
        contract.expiry_date.isoformat(),
        contract.roll_date.isoformat(),
        contract.roll_at.strftime(ROLL_AT_FORMAT),
    ]


@app.command("show")
def show(
    root: Annotated[
        str | None, typer.Argument(metavar="ROOT", help="Only this root, e.g. NQ (default: every future).")
    ] = None,
    at: AtOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Front contract at --at with its last trade date, expiry, roll date and roll instant, and the next contract.

    --json prints an object for one ROOT, a list for all of them."""
    from nexus_gw.domain.contracts import front_contract

    instruments = load_reference_data(config_dir).instruments
    chosen = [instruments.get(root.upper())] if root else [i for i in instruments if i.is_expiring]
    when = parse_at(at)
    records: list[dict[str, Any]] = []
    rows: list[list[str]] = []
    for instrument in chosen:
        instant = when.instant(instrument.zone)
        front = front_contract(instrument, instant)
        following = front_contract(instrument, front.roll_at)
        records.append(
            {
                "root": instrument.root,
                "at": instant.isoformat(),
                "front": contract_record(front),
                "next": contract_record(following),
            }
        )
        rows.append([instrument.root, front.code, *_contract_cells(front), following.code])
    if as_json:
        print_json(records[0] if root else records)
        return
    headers = ["root", "front", "last trade", "expiry", "roll date", "front until", "next"]
    typer.echo(render_table(headers, rows))
    spot = [i.root for i in instruments if not i.is_expiring]
    if not root and spot:
        typer.echo(f"never roll (spot): {', '.join(spot)}")


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@app.command("schedule")
def schedule(
    root: Annotated[str, typer.Argument(metavar="ROOT", help="Root, e.g. NQ, WIN, WDO, BTC.")],
    start: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="First exchange date, YYYY-MM-DD (default: today).")
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="Last exchange date, YYYY-MM-DD (default: one year after --from)."),
    ] = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every contract of ROOT that is front at some time from --from to --to, with its last trade date, expiry,
    roll date and the instant the next contract takes over."""
    from nexus_gw.domain.contracts import roll_schedule

    instrument = load_reference_data(config_dir).instruments.get(root.upper())
    first = parse_at(start, "--from").instant(instrument.zone).date()
    last = parse_at(end, "--to").instant(instrument.zone).date() if end else _one_year_after(first)
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}; give the dates in order")
    contracts = roll_schedule(instrument, first, last)
    if as_json:
        print_json(
            {
                "root": instrument.root,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "contracts": [contract_record(c) for c in contracts],
            }
        )
        return
    typer.echo(f"{instrument.root} contracts front between {first} and {last} (exchange dates):")
    headers = ["contract", "last trade", "expiry", "roll date", "front until"]
    typer.echo(render_table(headers, [[c.code, *_contract_cells(c)] for c in contracts]))
