"""What a simulated broker lists: the account, its symbols' specifications and their trading hours.

Two brokers: ``global`` (a CFD broker: NAS100, US500, US30, BTCUSD; USD; hedging; market execution, FOK/IOC)
and ``brazil`` (B3 futures WIN and WDO, listed contract by contract; BRL; netting; exchange execution, RETURN).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from nexus_gw.adapters.mt5.double import constants as c

MONTH_CODES = "FGHJKMNQUVXZ"


@dataclass(frozen=True)
class Session:
    """Open on ``weekdays`` (Monday 0) from ``start`` to ``end`` minutes after midnight UTC (end > start)."""

    weekdays: frozenset[int]
    start: int
    end: int

    def is_open(self, at: datetime) -> bool:
        minute = at.hour * 60 + at.minute
        return at.weekday() in self.weekdays and self.start <= minute < self.end


ALWAYS = (Session(frozenset(range(7)), 0, 24 * 60),)
WEEKDAYS = frozenset(range(5))
# Index CFDs: Monday-Friday, closed for the daily break 21:00-22:00 UTC (Sunday-evening opening left out).
CFD_INDEX_HOURS = (Session(WEEKDAYS, 0, 21 * 60), Session(WEEKDAYS, 22 * 60, 24 * 60))
# B3 day session, 09:00-18:25 Brasilia time (UTC-3).
B3_HOURS = (Session(WEEKDAYS, 12 * 60, 21 * 60 + 25),)


@dataclass(frozen=True)
class SymbolSpec:
    name: str
    description: str
    start_price: float
    digits: int
    tick_size: float
    tick_value: float  # account currency per tick per lot (contract)
    contract_size: float
    volume_min: float
    volume_max: float
    volume_step: float
    filling_mode: int  # bitmask: FOK 1, IOC 2
    exemode: int
    margin_initial: float  # account currency per lot
    currency_profit: str
    path: str
    spread_ticks: int = 2
    step_ticks: int = 3  # the largest move of one tick of the random walk, in tick sizes
    stops_level: int = 0  # points
    hours: tuple[Session, ...] = ALWAYS
    trade_mode: int = c.SYMBOL_TRADE_MODE_FULL
    exchange: str = ""

    @property
    def point(self) -> float:
        return round(10.0**-self.digits, self.digits)


@dataclass(frozen=True)
class Broker:
    name: str
    company: str
    server: str
    currency: str
    margin_mode: int
    balance: float
    leverage: int
    symbols: tuple[SymbolSpec, ...]
    login: int = 0
    password: str = ""  # empty: any password is accepted
    defaults: dict[str, object] = field(default_factory=dict)

    def spec(self, name: str) -> SymbolSpec | None:
        return next((s for s in self.symbols if s.name == name), None)


def _cfd(name: str, description: str, price: float, spread: int, hours: tuple[Session, ...]) -> SymbolSpec:
    """A USD index or crypto CFD quoted to 0.01 with ``spread`` ticks between bid and ask."""
    digits, tick = 2, 0.01
    return SymbolSpec(
        name=name,
        description=description,
        start_price=price,
        digits=digits,
        tick_size=tick,
        tick_value=tick,  # contract size 1, quoted in USD: one tick of one lot is worth the tick size in USD
        contract_size=1.0,
        volume_min=0.01 if name == "BTCUSD" else 0.1,
        volume_max=100.0,
        volume_step=0.01 if name == "BTCUSD" else 0.1,
        filling_mode=c.FILLING_BITS["FOK"] | c.FILLING_BITS["IOC"],
        exemode=c.SYMBOL_TRADE_EXECUTION_MARKET,
        margin_initial=round(price / (2 if name == "BTCUSD" else 100), 2),  # 1:100 on indices, 1:2 on crypto
        currency_profit="USD",
        path=f"Indices\\{name}" if name != "BTCUSD" else "Crypto\\BTCUSD",
        stops_level=10,
        spread_ticks=spread,
        step_ticks=spread // 2,
        hours=hours,
    )


def global_cfd() -> Broker:
    return Broker(
        name="global",
        company="Global CFD Markets Ltd",
        server="GlobalCFD-Demo",
        currency="USD",
        margin_mode=c.ACCOUNT_MARGIN_MODE_RETAIL_HEDGING,
        balance=100_000.0,
        leverage=100,
        login=5_001_001,
        symbols=(
            _cfd("NAS100", "US Tech 100 Index", 21_000.0, 100, CFD_INDEX_HOURS),
            _cfd("US500", "US 500 Index", 6_000.0, 50, CFD_INDEX_HOURS),
            _cfd("US30", "Wall Street 30 Index", 44_000.0, 200, CFD_INDEX_HOURS),
            _cfd("BTCUSD", "Bitcoin vs US Dollar", 95_000.0, 2000, ALWAYS),
        ),
    )


def contract_codes(root: str, months: str, at: datetime, count: int) -> list[str]:
    """``count`` listed codes of ``root`` (e.g. WINZ26) from the month of ``at`` on, in months ``months``."""
    year, month = at.year, at.month
    codes: list[str] = []
    while len(codes) < count:
        letter = MONTH_CODES[month - 1]
        if letter in months:
            codes.append(f"{root}{letter}{year % 100:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return codes


def _b3(code: str, at: datetime) -> SymbolSpec:
    index = code.startswith("WIN")
    return SymbolSpec(
        name=code,
        description=("Mini Ibovespa " if index else "Mini Dolar ") + code[3:],
        start_price=130_000.0 if index else 5_500.0,
        digits=0 if index else 1,
        tick_size=5.0 if index else 0.5,
        tick_value=1.0 if index else 5.0,  # BRL per tick per contract
        contract_size=0.2 if index else 10.0,
        volume_min=1.0,
        volume_max=500.0,
        volume_step=1.0,
        filling_mode=c.FILLING_BITS["FOK"] | c.FILLING_BITS["IOC"],
        exemode=c.SYMBOL_TRADE_EXECUTION_EXCHANGE,
        margin_initial=150.0 if index else 250.0,
        currency_profit="BRL",
        path=f"BMF\\{code}",
        spread_ticks=1,
        hours=B3_HOURS,
        exchange="BM&FBOVESPA",
    )


def brazil_b3(at: datetime | None = None) -> Broker:
    """A Brazilian broker listing the WIN and WDO contracts around ``at`` (default: now)."""
    at = at or datetime.now(UTC)
    codes = contract_codes("WIN", "GJMQVZ", at, 6) + contract_codes("WDO", MONTH_CODES, at, 12)
    return Broker(
        name="brazil",
        company="Corretora Exemplo S.A.",
        server="CorretoraExemplo-DEMO",
        currency="BRL",
        margin_mode=c.ACCOUNT_MARGIN_MODE_RETAIL_NETTING,
        balance=500_000.0,
        leverage=1,
        login=7_002_002,
        symbols=tuple(_b3(code, at) for code in codes),
    )


def broker(name: str, at: datetime | None = None) -> Broker:
    """The broker named ``name`` (``global`` or ``brazil``)."""
    if name == "global":
        return global_cfd()
    if name == "brazil":
        return brazil_b3(at)
    raise ValueError(f"unknown MT5 double broker {name!r}; use 'global' or 'brazil'")


def with_margin_mode(config: Broker, margin_mode: int) -> Broker:
    """The same broker with another account margin mode (netting 0, exchange 1, hedging 2)."""
    return replace(config, margin_mode=margin_mode)
