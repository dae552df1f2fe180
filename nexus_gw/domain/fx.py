"""FX rates with time and source, a rate book that refuses stale rates, and P&L conversion to USD.

A rate ``base/quote = r`` means one unit of ``base`` costs ``r`` units of ``quote``: USD/BRL 5.494 means
R$5.494 per US$1. Money is ``Decimal`` and rounded half-up to cents only at the end of a calculation.

Sources (the ``source`` field): ``wdo`` (live WDO quote through the gateway: price / 1000, since WDO is
quoted in BRL per USD 1,000), ``config`` (a configured value with its own as-of time), ``file`` (content of a
rates file, parsed here; the caller reads the file) and ``http`` (BCB PTAX, parsed here; the caller fetches).

API:
    FxRate(base, quote, rate, as_of, source, detail="")     # as_of timezone-aware
    rate_from_wdo(price, as_of, contract="WDO") -> FxRate   # USD/BRL
    configured_rate(base, quote, rate, as_of) -> FxRate
    parse_rates_file(text) -> list[FxRate]; parse_ptax_json(text) -> FxRate
    book = RateBook(max_age=timedelta(hours=72), max_age_by_source={"wdo": timedelta(minutes=30)})
    book.update(rate); book.rate(base, quote, at) -> FxRate   # StaleRateError / MissingRateError
    book.convert(amount, from_ccy, to_ccy, at) -> Decimal
    convert(amount, from_ccy, to_ccy, rate) -> Decimal
    pnl(instrument, points, qty, rate=None) -> PnlAmounts(native, usd)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, NamedTuple
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from nexus_gw.domain.instruments import Instrument
from nexus_gw.errors import ConfigError, Refused, StaleRateError, UsageError

#: Currency every P&L leaves the gateway in.
BASE_CURRENCY = "USD"
#: WDO prices are BRL per USD 1,000.
WDO_QUOTE_UNITS = Decimal(1000)
CENT = Decimal("0.01")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")

Amount = Decimal | int | str


class MissingRateError(Refused):
    """No rate at all is known for a currency pair."""


def to_cents(amount: Decimal) -> Decimal:
    """``amount`` rounded half-up to cents (0.005 → 0.01)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: Amount | float, what: str) -> Decimal:
    try:
        # str() first so that a float such as 0.1 becomes Decimal("0.1"), not its binary expansion.
        number = Decimal(str(value))
    except InvalidOperation:
        raise UsageError(f"{what} {value!r} is not a number; give a decimal such as 5.494") from None
    if not number.is_finite():
        raise UsageError(f"{what} {value!r} is not a finite number; give a decimal such as 5.494")
    return number


def _currency(code: str) -> str:
    if len(code) != 3 or not code.isalpha() or not code.isupper():
        raise UsageError(f"currency {code!r} is not an ISO 4217 code; use three upper-case letters such as USD")
    return code


def _format_age(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{days}d {hours}h {minutes:02d}m" if days else f"{hours}h {minutes:02d}m"


@dataclass(frozen=True, slots=True)
class FxRate:
    """One exchange rate: 1 ``base`` = ``rate`` ``quote``, observed at ``as_of`` from ``source``."""

    base: str
    quote: str
    rate: Decimal
    as_of: datetime
    """When the rate was observed (timezone-aware)."""
    source: str
    """Kind of source: wdo, config, file or http; max ages are configured per kind."""
    detail: str = field(default="", compare=False)
    """What exactly was used, for audit: e.g. 'WDOF26 @ 5494.0'."""

    def __post_init__(self) -> None:
        _currency(self.base)
        _currency(self.quote)
        if self.base == self.quote:
            raise UsageError(f"rate {self.base}/{self.quote} converts a currency to itself; give two currencies")
        object.__setattr__(self, "rate", _decimal(self.rate, f"{self.base}/{self.quote} rate"))
        if self.rate <= 0:
            raise UsageError(f"{self.base}/{self.quote} rate must be positive, not {self.rate}")
        if self.as_of.tzinfo is None or self.as_of.utcoffset() is None:
            raise UsageError(f"{self.base}/{self.quote} rate has no time zone on as_of; give an aware time")

    @property
    def pair(self) -> str:
        """The pair as 'BASE/QUOTE'."""
        return f"{self.base}/{self.quote}"

    def inverse(self) -> FxRate:
        """The same rate seen the other way round (BRL/USD from USD/BRL)."""
        return FxRate(self.quote, self.base, 1 / self.rate, self.as_of, self.source, self.detail)

    def age(self, at: datetime) -> timedelta:
        """How old the rate is at instant ``at``."""
        return at - self.as_of

    def describe(self) -> str:
        """One line for logs and errors: pair, rate, source and time."""
        origin = f"{self.source} ({self.detail})" if self.detail else self.source
        return f"{self.pair} {self.rate} from {origin} as of {self.as_of.isoformat()}"


def rate_from_wdo(price: Amount | float, as_of: datetime, contract: str = "WDO") -> FxRate:
    """USD/BRL from a WDO price (BRL per USD 1,000): 5,494.0 → 5.494."""
    wdo_price = _decimal(price, f"{contract} price")
    return FxRate("USD", "BRL", wdo_price / WDO_QUOTE_UNITS, as_of, "wdo", f"{contract} @ {wdo_price}")


def configured_rate(base: str, quote: str, rate: Amount | float, as_of: datetime) -> FxRate:
    """A rate set by an operator, valid as of ``as_of`` (so that it ages like any other)."""
    return FxRate(base, quote, _decimal(rate, f"configured {base}/{quote} rate"), as_of, "config", "fx config")


def parse_rates_file(text: str, *, name: str = "rates file") -> list[FxRate]:
    """Rates from the content of a CSV file with lines ``base,quote,rate,as_of`` (ISO time with offset).

    A header line ``base,quote,rate,as_of``, blank lines and lines starting with ``#`` are skipped.
    """
    rates: list[FxRate] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.replace(" ", "").lower() == "base,quote,rate,as_of":
            continue
        fields = next(csv.reader(io.StringIO(stripped)))
        try:
            base, quote, rate, as_of = (value.strip() for value in fields)
            rates.append(FxRate(base, quote, Decimal(rate), datetime.fromisoformat(as_of), "file", f"{name}:{number}"))
        except (ValueError, InvalidOperation, UsageError) as exc:
            raise ConfigError(
                f"{name}:{number}: cannot read {stripped!r} ({exc}); write base,quote,rate,as_of such as "
                "USD,BRL,5.494,2026-11-24T18:00:00-03:00"
            ) from None
    return rates


def parse_ptax_json(text: str) -> FxRate:
    """USD/BRL selling rate (``cotacaoVenda``) from a BCB PTAX (Olinda OData) JSON answer.

    The answer's ``dataHoraCotacao`` is São Paulo local time. An empty ``value`` list (weekend or holiday) is
    a MissingRateError: ask for the previous business day's bulletin instead.
    """
    try:
        rows = json.loads(text)["value"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"PTAX answer is not the expected JSON with a 'value' list ({exc})") from None
    if not rows:
        raise MissingRateError(
            "PTAX answer has no quote (weekend or holiday); ask for the previous business day's bulletin"
        )
    latest = max(rows, key=lambda row: str(row.get("dataHoraCotacao", "")))
    try:
        as_of = datetime.fromisoformat(latest["dataHoraCotacao"]).replace(tzinfo=SAO_PAULO)
        selling = _decimal(latest["cotacaoVenda"], "PTAX cotacaoVenda")
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"PTAX row {latest!r} lacks dataHoraCotacao or cotacaoVenda ({exc})") from None
    return FxRate("USD", "BRL", selling, as_of, "http", "BCB PTAX selling rate")


def convert(amount: Amount, from_ccy: str, to_ccy: str, rate: FxRate) -> Decimal:
    """``amount`` of ``from_ccy`` in ``to_ccy`` at ``rate`` (either direction of its pair), in cents."""
    return to_cents(_convert_exact(_decimal(amount, "amount"), from_ccy, to_ccy, rate))


def _convert_exact(amount: Decimal, from_ccy: str, to_ccy: str, rate: FxRate | None) -> Decimal:
    if from_ccy == to_ccy:
        return amount
    if rate is None:
        raise UsageError(f"converting {from_ccy} to {to_ccy} needs a {to_ccy}/{from_ccy} or {from_ccy}/{to_ccy} rate")
    if (rate.base, rate.quote) == (from_ccy, to_ccy):
        return amount * rate.rate
    if (rate.base, rate.quote) == (to_ccy, from_ccy):
        return amount / rate.rate
    raise UsageError(f"rate {rate.pair} cannot convert {from_ccy} to {to_ccy}; give a {from_ccy}/{to_ccy} rate")


class PnlAmounts(NamedTuple):
    """A P&L in the instrument's currency and in USD, both rounded half-up to cents."""

    native: Decimal
    usd: Decimal


def pnl(instrument: Instrument, points: Amount, qty: Amount, rate: FxRate | Amount | None = None) -> PnlAmounts:
    """P&L of ``qty`` contracts (negative = short) that moved ``points`` price points.

    ``rate`` converts the instrument's currency to USD: an FxRate of the pair (USD/BRL or BRL/USD), or a bare
    number meaning units of the instrument's currency per 1 USD (5.494 for BRL). USD instruments need none.
    The USD amount is converted from the unrounded native amount, so the two roundings do not compound.
    """
    native = _decimal(points, "points") * _decimal(qty, "qty") * instrument.point_value
    currency = instrument.currency
    if currency == BASE_CURRENCY:
        usd = native
    elif isinstance(rate, FxRate) or rate is None:
        usd = _convert_exact(native, currency, BASE_CURRENCY, rate)
    else:
        per_usd = _decimal(rate, f"{BASE_CURRENCY}/{currency} rate")
        if per_usd <= 0:
            raise UsageError(f"{BASE_CURRENCY}/{currency} rate must be positive, not {per_usd}")
        usd = native / per_usd
    return PnlAmounts(to_cents(native), to_cents(usd))


class RateBook:
    """The latest rate of each pair from each source; hands out only rates young enough to use.

    ``max_age`` applies to every source unless ``max_age_by_source`` names another limit for it. A rate whose
    ``as_of`` is more than ``max_clock_skew`` in the future is refused too (clocks disagree).
    """

    def __init__(
        self,
        max_age: timedelta,
        *,
        max_age_by_source: Mapping[str, timedelta] | None = None,
        max_clock_skew: timedelta = timedelta(minutes=1),
    ) -> None:
        if max_age <= timedelta(0):
            raise UsageError(f"max_age must be positive, not {max_age}")
        self._max_age = max_age
        self._max_age_by_source = dict(max_age_by_source or {})
        self._max_clock_skew = max_clock_skew
        self._latest: dict[tuple[str, str, str], FxRate] = {}

    def max_age_for(self, source: str) -> timedelta:
        """The oldest a rate from ``source`` may be."""
        return self._max_age_by_source.get(source, self._max_age)

    def update(self, rate: FxRate) -> None:
        """Record ``rate`` unless the book already holds a newer one from the same source."""
        key = (rate.base, rate.quote, rate.source)
        current = self._latest.get(key)
        if current is None or rate.as_of >= current.as_of:
            self._latest[key] = rate

    def update_all(self, rates: Iterable[FxRate]) -> None:
        """Record several rates (e.g. a parsed rates file)."""
        for rate in rates:
            self.update(rate)

    def rate(self, base: str, quote: str, at: datetime) -> FxRate:
        """The newest usable ``base/quote`` rate at instant ``at`` (inverting a stored quote/base)."""
        stored = self._usable(base, quote, at)
        return stored if stored.base == base else stored.inverse()

    def _usable(self, base: str, quote: str, at: datetime) -> FxRate:
        """The newest usable rate of the pair in whichever direction it was stored."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise UsageError(f"time {at.isoformat()} has no time zone; pass a timezone-aware datetime")
        pair = {_currency(base), _currency(quote)}
        candidates = [rate for rate in self._latest.values() if {rate.base, rate.quote} == pair]
        if not candidates:
            raise MissingRateError(
                f"no {base}/{quote} rate is known; feed a live WDO quote or configure one "
                f"(fx rates: {base}/{quote} with rate and as_of)"
            )
        usable = [
            rate
            for rate in candidates
            if timedelta(0) - self._max_clock_skew <= rate.age(at) <= self.max_age_for(rate.source)
        ]
        if usable:
            return max(usable, key=lambda rate: rate.as_of)
        raise StaleRateError(self._stale_message(base, quote, at, candidates))

    def _stale_message(self, base: str, quote: str, at: datetime, candidates: list[FxRate]) -> str:
        reasons = []
        for rate in sorted(candidates, key=lambda rate: rate.as_of, reverse=True):
            age = rate.age(at)
            if age < timedelta(0):
                reasons.append(f"{rate.describe()} is {_format_age(-age)} in the future (check the clocks)")
            else:
                limit = _format_age(self.max_age_for(rate.source))
                reasons.append(f"{rate.describe()} is {_format_age(age)} old, over the {limit} allowed")
        return (
            f"refusing stale {base}/{quote} rate at {at.isoformat()}: {'; '.join(reasons)}. "
            "Feed a fresh WDO quote, set a current configured rate (rate and today's as_of), "
            "or raise the source's max age if an older rate is acceptable."
        )

    def convert(self, amount: Amount, from_ccy: str, to_ccy: str, at: datetime) -> Decimal:
        """``amount`` of ``from_ccy`` in ``to_ccy`` at the book's usable rate at ``at``, in cents."""
        if from_ccy == to_ccy:
            return to_cents(_decimal(amount, "amount"))
        return convert(amount, from_ccy, to_ccy, self._usable(from_ccy, to_ccy, at))


class ConfiguredRateSpec(BaseModel):
    """One configured rate under ``fx.rates``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(description="Base currency, e.g. USD.")
    quote: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(description="Quote currency, e.g. BRL.")
    rate: Decimal = Field(gt=0, description="Units of quote per 1 unit of base, e.g. 5.494.")
    as_of: AwareDatetime = Field(description="When the value was true, with offset; it ages like any rate.")


PTAX_DAY_URL = (
    "https://olinda.bcb.gov.br/olinda/servico/PTAX/versao/v1/odata/CotacaoDolarDia(dataCotacao=@dataCotacao)"
    "?@dataCotacao='{date:%m-%d-%Y}'&$format=json"
)


class FxHttpSettings(BaseModel):
    """An HTTP source polled beside the gateway (``fx.http``); off unless configured."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(
        PTAX_DAY_URL, description="URL of a BCB PTAX-style JSON answer; {date:%m-%d-%Y} is the day asked for."
    )
    interval_s: float = Field(900, ge=10, description="Seconds between polls.")
    timeout_s: float = Field(10, gt=0, le=120, description="Seconds before a request is given up.")
    lookback_days: int = Field(5, ge=0, le=15, description="Earlier days to ask for when a day has no bulletin.")


class FxSettings(BaseModel):
    """FX settings a profile may carry (``fx:``): rate ages and configured fallback rates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_age: timedelta = Field(
        timedelta(hours=72),
        gt=timedelta(0),
        description="Oldest usable rate, any source; 72 h covers a weekend without a WDO session.",
    )
    max_age_by_source: dict[str, timedelta] = Field(
        default_factory=dict, description="Per-source limits (wdo, config, file, http) that replace max_age."
    )
    rates: list[ConfiguredRateSpec] = Field(default_factory=list, description="Configured fallback rates.")
    http: FxHttpSettings | None = Field(None, description="Optional HTTP source (BCB PTAX by default), cached.")
    quote_instrument: str = Field(
        "WDO",
        pattern=r"^[A-Z][A-Z0-9]*$",
        description="Root whose live last prices give USD/BRL (price in BRL per USD 1,000, as WDO); must be an "
        "instrument of instruments.yaml.",
    )

    def build_book(self) -> RateBook:
        """A rate book with these limits, holding the configured rates."""
        book = RateBook(self.max_age, max_age_by_source=self.max_age_by_source)
        book.update_all(configured_rate(spec.base, spec.quote, spec.rate, spec.as_of) for spec in self.rates)
        return book
