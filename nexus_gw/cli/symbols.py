"""``nexusgw symbols resolve|normalize|list``: how each platform spells a root's front contract, and back.

``--at`` takes a date (``2025-02-01``: noon at the instrument's exchange), a local time (``2025-03-16T18:00``:
read in the instrument's exchange time zone) or an exact instant (``2025-03-16T23:00:00Z``); the default is now.
Roots are read in upper case and platform names in lower case, so ``nq`` and ``NT8`` work too.
The ``--at`` parsing, the reference-data loader and the table renderer here are shared with ``rollover`` and ``fx``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from nexus_gw.cli.options import ConfigDirOpt, JsonOpt
from nexus_gw.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from nexus_gw.config.loader import ReferenceData

app = typer.Typer(
    help="Translate between roots (NQ, WIN…) and each platform's own symbols (NQ 03-25, NQH25, NAS100…).",
    no_args_is_help=True,
)

AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="WHEN",
        help="When: a date YYYY-MM-DD (noon at the exchange), a local time 2025-03-16T18:00 (exchange time) "
        "or an instant with offset 2025-03-16T23:00:00Z. Default: now.",
    ),
]
PlatformOpt = Annotated[
    str,
    typer.Option(
        "--platform", metavar="NAME", help="Platform instance: nt8, sierra, mt5_global (alias mt5), mt5_brazil…"
    ),
]
RootArg = Annotated[str, typer.Argument(metavar="ROOT", help="Root as NEXUS names it: NQ, ES, WIN, WDO, BTC…")]

#: The time of day a bare date stands for: mid-session, well away from any roll instant.
DATE_MEANS = time(12, 0)


@dataclass(frozen=True, slots=True)
class When:
    """A parsed ``--at``: a date, a local (naive) time, an exact instant, or None for now."""

    value: date | datetime | None = None

    def instant(self, zone: ZoneInfo) -> datetime:
        """The moment meant, seen from an exchange in ``zone``."""
        if self.value is None:
            return datetime.now(UTC).replace(microsecond=0).astimezone(zone)
        if isinstance(self.value, datetime):
            if self.value.tzinfo is None:
                return self.value.replace(tzinfo=zone)
            return self.value.astimezone(zone)
        return datetime.combine(self.value, DATE_MEANS, tzinfo=zone)


def parse_at(text: str | None, option: str = "--at") -> When:
    """``--at`` text as a When; UsageError with an example when it is neither a date nor an ISO time."""
    if text is None:
        return When()
    try:
        return When(date.fromisoformat(text))
    except ValueError:
        pass
    try:
        return When(datetime.fromisoformat(text))
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is neither a date nor an ISO time; use YYYY-MM-DD (2025-02-01), "
            "a local time (2025-03-16T18:00) or an instant (2025-03-16T23:00:00Z)"
        ) from None


def load_reference_data(config_dir: Path | None) -> ReferenceData:
    """Instruments and symbol mappings from ``--config-dir`` (default $NEXUSGW_CONFIG_DIR, else ./config)."""
    from nexus_gw.config.loader import find_config_dir, load_reference

    return load_reference(find_config_dir(config_dir))


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns as wide as their widest cell."""
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [headers, *rows]
    )


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2))


@app.command("resolve")
def resolve(
    root: RootArg, platform: PlatformOpt, at: AtOpt = None, config_dir: ConfigDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Print the platform's symbol for ROOT: its front contract at --at (NQ 03-25 on nt8, NQH25 on sierra), or
    its fixed CFD symbol (NAS100 on mt5)."""
    reference = load_reference_data(config_dir)
    mapper = reference.symbols
    root = root.upper()
    canonical = mapper.canonical_platform(platform.lower())
    instant = parse_at(at).instant(reference.instruments.get(root).zone)
    symbol = mapper.resolve(root, canonical, instant)
    if not as_json:
        typer.echo(symbol)
        return
    _, contract = mapper.parse(symbol, canonical, at=instant)
    print_json(
        {
            "root": root,
            "platform": canonical,
            "symbol": symbol,
            "contract": contract.code if contract else None,
            "at": instant.isoformat(),
        }
    )


@app.command("normalize")
def normalize(
    symbol: Annotated[
        str, typer.Argument(metavar="SYMBOL", help="The platform's symbol, e.g. 'NQ 03-25', NQH25, NAS100.")
    ],
    platform: PlatformOpt,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the root a platform symbol stands for ('NQ 03-25' on nt8 → NQ); --json adds the contract."""
    mapper = load_reference_data(config_dir).symbols
    canonical = mapper.canonical_platform(platform.lower())
    # A one-digit year (NQH5) is read within 2 years before to 7 years after today.
    root, contract = mapper.parse(symbol, canonical, at=datetime.now(UTC))
    if as_json:
        print_json(
            {"symbol": symbol, "platform": canonical, "root": root, "contract": contract.code if contract else None}
        )
    else:
        typer.echo(root)


@app.command("list")
def list_symbols(
    platform: Annotated[
        str | None,
        typer.Option("--platform", metavar="NAME", help="Only this platform instance (default: all of them)."),
    ] = None,
    at: AtOpt = None,
    config_dir: ConfigDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Table of every root and its symbol on each platform at --at ('-': the platform does not trade it)."""
    from nexus_gw.domain.contracts import front_contract

    reference = load_reference_data(config_dir)
    mapper = reference.symbols
    platforms = [mapper.canonical_platform(platform.lower())] if platform else mapper.platforms()
    when = parse_at(at)
    rows: list[dict[str, Any]] = []
    for instrument in reference.instruments:
        traded = [p for p in platforms if mapper.supports(p, instrument.root)]
        if not traded:
            continue
        instant = when.instant(instrument.zone)
        rows.append(
            {
                "root": instrument.root,
                "contract": front_contract(instrument, instant).code if instrument.is_expiring else None,
                "at": instant.isoformat(),
                "symbols": {p: mapper.resolve(instrument.root, p, instant) for p in traded},
            }
        )
    if as_json:
        print_json({"platforms": platforms, "roots": rows})
        return
    headers = ["root", "front", *platforms]
    cells = [[row["root"], row["contract"] or "spot", *(row["symbols"].get(p, "-") for p in platforms)] for row in rows]
    typer.echo(render_table(headers, cells))
