"""FX rates, the stale-rate guard and P&L conversion to USD."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from nexus_gw.domain.fx import (
    FxRate,
    FxSettings,
    MissingRateError,
    RateBook,
    configured_rate,
    convert,
    parse_ptax_json,
    parse_rates_file,
    pnl,
    rate_from_wdo,
    to_cents,
)
from nexus_gw.errors import ConfigError, StaleRateError, UsageError
from tests.unit.domain import shipped_registry

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


# --- scenario 5 and P&L ---------------------------------------------------------------------------------


def test_plan_scenario_5_win_100_points_one_contract_is_brl_20_and_usd_3_64_at_5_494() -> None:
    rate = rate_from_wdo(Decimal("5494.0"), NOW, "WDOF27")
    assert rate.rate == Decimal("5.494")
    assert pnl(shipped_registry().get("WIN"), 100, 1, rate) == (Decimal("20.00"), Decimal("3.64"))


def test_pnl_accepts_a_bare_rate_in_instrument_currency_per_usd() -> None:
    assert pnl(shipped_registry().get("WIN"), 100, 1, Decimal("5.494")) == (Decimal("20.00"), Decimal("3.64"))


def test_pnl_accepts_the_inverse_pair() -> None:
    rate = rate_from_wdo(5494, NOW).inverse()
    assert rate.pair == "BRL/USD"
    assert pnl(shipped_registry().get("WIN"), 100, 1, rate).usd == Decimal("3.64")


def test_pnl_of_a_usd_instrument_needs_no_rate() -> None:
    assert pnl(shipped_registry().get("NQ"), Decimal("10.25"), 2) == (Decimal("410.00"), Decimal("410.00"))


def test_pnl_of_a_short_position_that_lost_is_negative() -> None:
    assert pnl(shipped_registry().get("ES"), Decimal("1.25"), -3) == (Decimal("-187.50"), Decimal("-187.50"))


def test_pnl_of_wdo_uses_ten_reais_per_point() -> None:
    assert pnl(shipped_registry().get("WDO"), Decimal("11.5"), 2, Decimal("5.5")) == (
        Decimal("230.00"),
        Decimal("41.82"),
    )


def test_pnl_of_a_brl_instrument_without_a_rate_is_refused() -> None:
    with pytest.raises(UsageError, match="converting BRL to USD needs a USD/BRL or BRL/USD rate"):
        pnl(shipped_registry().get("WIN"), 100, 1)


def test_pnl_with_a_rate_of_the_wrong_pair_is_refused() -> None:
    eur = FxRate("EUR", "USD", Decimal("1.08"), NOW, "config")
    with pytest.raises(UsageError, match="rate EUR/USD cannot convert BRL to USD"):
        pnl(shipped_registry().get("WIN"), 100, 1, eur)


def test_usd_is_converted_from_the_unrounded_native_amount() -> None:
    # WIN 0.22 point x R$0.20 = R$0.044: shown as R$0.04, but 0.044 / 0.5 = US$0.088 -> 0.09 (not 0.04 / 0.5).
    assert pnl(shipped_registry().get("WIN"), Decimal("0.22"), 1, Decimal("0.5")) == (
        Decimal("0.04"),
        Decimal("0.09"),
    )


def test_rounding_is_half_up_to_cents() -> None:
    assert to_cents(Decimal("0.005")) == Decimal("0.01")
    assert to_cents(Decimal("2.675")) == Decimal("2.68")
    assert to_cents(Decimal("-0.005")) == Decimal("-0.01")


# --- convert ---------------------------------------------------------------------------------------------


def test_convert_brl_1100_at_wdo_5500_is_usd_200() -> None:
    assert convert(Decimal("1100.00"), "BRL", "USD", rate_from_wdo(5500, NOW)) == Decimal("200.00")


def test_convert_usd_to_brl_multiplies() -> None:
    assert convert(200, "USD", "BRL", rate_from_wdo("5494.0", NOW)) == Decimal("1098.80")


def test_convert_within_one_currency_is_the_amount_in_cents() -> None:
    assert RateBook(timedelta(hours=1)).convert("12.345", "USD", "USD", NOW) == Decimal("12.35")


# --- rates and sources ---------------------------------------------------------------------------------


def test_wdo_rate_records_contract_and_price_for_audit() -> None:
    rate = rate_from_wdo(5494.0, NOW, "WDOF27")
    assert (rate.base, rate.quote, rate.source) == ("USD", "BRL", "wdo")
    assert rate.detail == "WDOF27 @ 5494.0"
    assert "USD/BRL 5.494 from wdo (WDOF27 @ 5494.0)" in rate.describe()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base": "usd"}, "not an ISO 4217 code"),
        ({"quote": "USD"}, "converts a currency to itself"),
        ({"rate": Decimal(0)}, "must be positive"),
        ({"rate": "abc"}, "is not a number"),
        ({"as_of": datetime(2026, 1, 1)}, "no time zone"),
    ],
)
def test_bad_rates_are_refused_with_what_to_fix(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "base": "USD",
        "quote": "BRL",
        "rate": Decimal("5.4"),
        "as_of": NOW,
        "source": "x",
    }
    fields.update(kwargs)
    with pytest.raises(UsageError, match=message):
        FxRate(**fields)  # type: ignore[arg-type]


def test_rates_file_content_is_parsed_with_comments_and_header() -> None:
    text = (
        "# fallback rates\nbase,quote,rate,as_of\n\n"
        "USD,BRL,5.494,2026-11-24T12:00:00-03:00\nEUR,USD,1.08,2026-11-24T15:00:00+00:00\n"
    )
    rates = parse_rates_file(text, name="rates.csv")
    assert [(rate.pair, rate.rate, rate.source) for rate in rates] == [
        ("USD/BRL", Decimal("5.494"), "file"),
        ("EUR/USD", Decimal("1.08"), "file"),
    ]
    assert rates[0].as_of == NOW
    assert rates[0].detail == "rates.csv:4"


@pytest.mark.parametrize(
    "line", ["USD,BRL,5.494", "USD,BRL,x,2026-11-24T12:00:00-03:00", "USD,BRL,5.494,2026-11-24T12:00:00"]
)
def test_rates_file_with_a_bad_line_is_refused_naming_the_line(line: str) -> None:
    with pytest.raises(ConfigError, match=r"rates.csv:2: cannot read .*write base,quote,rate,as_of"):
        parse_rates_file("# header\n" + line, name="rates.csv")


def test_ptax_answer_gives_the_selling_rate_in_sao_paulo_time() -> None:
    row = '{"cotacaoCompra":5.4871,"cotacaoVenda":5.4877,"dataHoraCotacao":"2026-11-23 13:04:25.123"}'
    text = '{"value":[' + row + "]}"
    rate = parse_ptax_json(text)
    assert (rate.pair, rate.rate, rate.source) == ("USD/BRL", Decimal("5.4877"), "http")
    assert rate.as_of == datetime(2026, 11, 23, 16, 4, 25, 123000, tzinfo=UTC)


def test_ptax_answer_without_quotes_asks_for_the_previous_bulletin() -> None:
    with pytest.raises(MissingRateError, match="previous business day's bulletin"):
        parse_ptax_json('{"value": []}')


def test_ptax_answer_that_is_not_json_is_refused() -> None:
    with pytest.raises(ConfigError, match="PTAX answer is not the expected JSON"):
        parse_ptax_json("<html>")


# --- rate book: freshness ------------------------------------------------------------------------------


def test_rate_book_gives_the_rate_and_its_inverse() -> None:
    book = RateBook(timedelta(minutes=30))
    book.update(rate_from_wdo(5494, NOW - timedelta(minutes=5)))
    assert book.rate("USD", "BRL", NOW).rate == Decimal("5.494")
    assert book.rate("BRL", "USD", NOW).base == "BRL"
    assert book.convert(20, "BRL", "USD", NOW) == Decimal("3.64")


def test_stale_rate_is_refused_naming_age_source_and_what_to_do() -> None:
    book = RateBook(timedelta(minutes=30))
    book.update(rate_from_wdo(5494, NOW - timedelta(hours=2, minutes=3), "WDOF27"))
    with pytest.raises(StaleRateError) as caught:
        book.convert(20, "BRL", "USD", NOW)
    message = str(caught.value)
    assert "refusing stale BRL/USD rate" in message
    assert "from wdo (WDOF27 @ 5494)" in message
    assert "is 2h 03m old, over the 0h 30m allowed" in message
    assert "Feed a fresh WDO quote, set a current configured rate" in message


def test_rate_exactly_at_max_age_is_still_used_and_one_second_later_refused() -> None:
    book = RateBook(timedelta(minutes=30))
    book.update(rate_from_wdo(5494, NOW))
    assert book.rate("USD", "BRL", NOW + timedelta(minutes=30)).rate == Decimal("5.494")
    with pytest.raises(StaleRateError):
        book.rate("USD", "BRL", NOW + timedelta(minutes=30, seconds=1))


def test_a_fresh_configured_rate_is_used_when_the_live_quote_is_stale() -> None:
    book = RateBook(timedelta(days=3), max_age_by_source={"wdo": timedelta(minutes=30)})
    book.update(rate_from_wdo(5494, NOW - timedelta(hours=1)))
    book.update(configured_rate("USD", "BRL", "5.50", NOW - timedelta(days=1)))
    chosen = book.rate("USD", "BRL", NOW)
    assert (chosen.source, chosen.rate) == ("config", Decimal("5.50"))


def test_the_newest_usable_rate_wins() -> None:
    book = RateBook(timedelta(days=3))
    book.update(configured_rate("USD", "BRL", "5.50", NOW - timedelta(days=1)))
    book.update(rate_from_wdo(5494, NOW - timedelta(minutes=1)))
    assert book.rate("USD", "BRL", NOW).source == "wdo"


def test_an_older_update_from_the_same_source_does_not_replace_a_newer_one() -> None:
    book = RateBook(timedelta(days=3))
    book.update(rate_from_wdo(5494, NOW))
    book.update(rate_from_wdo(5400, NOW - timedelta(minutes=1)))
    assert book.rate("USD", "BRL", NOW).rate == Decimal("5.494")


def test_a_rate_from_the_future_is_refused_as_a_clock_problem() -> None:
    book = RateBook(timedelta(minutes=30))
    book.update(rate_from_wdo(5494, NOW + timedelta(minutes=10)))
    with pytest.raises(StaleRateError, match=r"0h 10m in the future \(check the clocks\)"):
        book.rate("USD", "BRL", NOW)


def test_an_unknown_pair_is_refused_with_how_to_provide_it() -> None:
    with pytest.raises(MissingRateError, match="no EUR/USD rate is known; feed a live WDO quote or configure one"):
        RateBook(timedelta(hours=1)).rate("EUR", "USD", NOW)


def test_rate_book_refuses_a_naive_time() -> None:
    book = RateBook(timedelta(hours=1))
    book.update(rate_from_wdo(5494, NOW))
    with pytest.raises(UsageError, match="no time zone"):
        book.rate("USD", "BRL", datetime(2026, 11, 24, 15, 0))


# --- settings ------------------------------------------------------------------------------------------


def test_fx_settings_build_a_book_with_the_configured_rates_and_limits() -> None:
    settings = FxSettings.model_validate(
        {
            "max_age": "PT72H",
            "max_age_by_source": {"wdo": 1800},
            "rates": [{"base": "USD", "quote": "BRL", "rate": "5.494", "as_of": "2026-11-24T12:00:00-03:00"}],
        }
    )
    book = settings.build_book()
    assert book.max_age_for("wdo") == timedelta(minutes=30)
    assert book.max_age_for("config") == timedelta(hours=72)
    assert book.convert(20, "BRL", "USD", NOW) == Decimal("3.64")


def test_fx_settings_refuse_a_misspelt_key_and_a_naive_as_of() -> None:
    with pytest.raises(ValidationError) as caught:
        FxSettings.model_validate({"max_ages": 10})
    assert caught.value.errors()[0]["loc"] == ("max_ages",)
    with pytest.raises(ValidationError) as caught:
        FxSettings.model_validate({"rates": [{"base": "USD", "quote": "BRL", "rate": 5, "as_of": "2026-11-24"}]})
    assert caught.value.errors()[0]["loc"] == ("rates", 0, "as_of")
