"""Value rules the wire types cannot express: every number finite and within its range.

msgspec checks types (a float where a float belongs); this step, run by ``codec.Decoder`` after decoding,
refuses what a type admits but no trader means: NaN or infinite numbers, negative prices, zero or negative
quantities, a confidence outside 0..1. The first broken field raises ``ProtocolError(INVALID_FIELD)`` whose
message names the field by its path (``ticks[2].bid``, ``mqscore.noise``) and says what to send instead.

The one repair: a HEARTBEAT ``ts_ns`` sent as a float (a JavaScript Number above 2^53) is accepted and
truncated to an integer, so such an engine is not dropped as silent.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable

import msgspec

from nexus_gw.errors import ProtocolError
from nexus_gw.protocol import messages as m
from nexus_gw.protocol.constants import ErrorCode, MsgType

MAX_TS_NS = 2**63 - 1
_MAX_FLOAT = sys.float_info.max

# A rule returns None when the value is fine, else what is wrong with it ("is nan; send ...").
Rule = Callable[[float], str | None]


def _finite(value: float) -> str | None:
    return None if math.isfinite(value) else f"is {value!r}: it must be finite; send a real number"


def _positive(value: float) -> str | None:
    if not math.isfinite(value) or value <= 0:
        return f"is {value!r}: it must be positive and finite; send a number > 0"
    return None


def _non_negative(value: float) -> str | None:
    if not math.isfinite(value) or value < 0:
        return f"is {value!r}: it must be finite and not negative; send a number >= 0"
    return None


def _unit(value: float) -> str | None:
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        return f"is {value!r}, outside 0..1; send a number within 0..1"
    return None


def _fields(msg: object, prefix: str, rules: Iterable[tuple[str, Rule]]) -> None:
    for name, rule in rules:
        value = getattr(msg, name)
        if value is None:
            continue
        problem = rule(value)
        if problem is not None:
            raise ProtocolError(ErrorCode.INVALID_FIELD, f"{prefix}{name} {problem}")


_SIGNAL = (
    ("signal", _finite),
    ("confidence", _unit),
    ("qty", _positive),
    ("limit_price", _positive),
    ("stop_price", _positive),
)
_MQSCORE = (("composite", _finite), ("noise", _finite))
_ORDER = (("qty", _positive), ("limit_price", _positive), ("stop_price", _positive))
_LEG_FILL = (("qty", _positive), ("price", _positive))
_REPORTED_ORDER = (("filled_qty", _non_negative),)
_TICK = (("bid", _non_negative), ("ask", _non_negative), ("last", _non_negative), ("size", _non_negative))


def _heartbeat(msg: m.Heartbeat) -> None:
    ts = msg.ts_ns
    if isinstance(ts, float):
        if not math.isfinite(ts) or not 0 <= ts <= MAX_TS_NS:
            raise ProtocolError(
                ErrorCode.INVALID_FIELD,
                f"ts_ns {ts!r} is not a time; ts_ns must be a 64-bit integer (nanoseconds since the Unix epoch)",
            )
        msg.ts_ns = int(ts)


def _report(msg: m.PlatformReport, prefix: str) -> None:
    for i, order in enumerate(msg.open_orders):
        _fields(order, f"{prefix}open_orders[{i}].", _REPORTED_ORDER)
    for i, fill in enumerate(msg.executions):
        _fields(fill, f"{prefix}executions[{i}].", _LEG_FILL)
    for symbol, qty in msg.positions.items():
        if not math.isfinite(qty):
            problem = f"{prefix}positions[{symbol!r}] is {qty!r}; send a finite number"
            raise ProtocolError(ErrorCode.INVALID_FIELD, problem)


def _signal(msg: m.Signal) -> None:
    _fields(msg, "", _SIGNAL)
    if msg.mqscore is not None:
        _fields(msg.mqscore, "mqscore.", _MQSCORE)


def _market_data(msg: m.MarketData | _LooseMarketData) -> None:
    top = _MAX_FLOAT  # one chained comparison per tick (NaN fails every comparison)
    for i, tick in enumerate(msg.ticks):
        if not (0 <= tick.bid <= top and 0 <= tick.ask <= top and 0 <= tick.last <= top and 0 <= tick.size <= top):
            _fields(tick, f"ticks[{i}].", _TICK)


class _LooseTick(msgspec.Struct, array_like=True):
    symbol: object = None
    bid: float = 0.0
    ask: float = 0.0
    last: float = 0.0
    size: float = 0.0
    ts_ns: object = None


class _LooseMarketData(msgspec.Struct):
    ticks: list[_LooseTick] = msgspec.field(default_factory=list)


_loose_market_data = msgspec.msgpack.Decoder(_LooseMarketData)


def explain_market_data(payload: bytes) -> None:
    """The decoder refused a MARKET_DATA (``m.Tick`` checks its numbers itself, without a loop in Python): raise
    the ProtocolError naming the first tick number out of range, if that was the reason."""
    try:
        loose = _loose_market_data.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return  # something else is wrong: the decoder's own message says what
    try:
        _market_data(loose)
    except ProtocolError as exc:
        raise ProtocolError(exc.code, f"{MsgType.MARKET_DATA.value}: {exc}") from None


def _hello(msg: m.Hello) -> None:
    if msg.report is not None:
        _report(msg.report, "report.")


# What peers send to the gateway, and ORDER (an adapter must never place a NaN price). Reports the gateway sends
# to engines are not re-checked on arrival: an engine must receive a FILL even if some figure in it looks odd.
# MARKET_DATA is not here: ``m.Tick`` checks its numbers in the decoder (see ``explain_market_data``).
_CHECKS: dict[type, Callable[..., None]] = {
    m.Signal: _signal,
    m.Heartbeat: _heartbeat,
    m.Order: lambda msg: _fields(msg, "", _ORDER),
    m.LegFill: lambda msg: _fields(msg, "", _LEG_FILL),
    m.PlatformReport: lambda msg: _report(msg, ""),
    m.Hello: _hello,
}


def check(msg_type: MsgType, msg: m.Message) -> None:
    """Raise ``ProtocolError(INVALID_FIELD)`` naming the first field whose value is out of range."""
    rule = _CHECKS.get(type(msg))
    if rule is None:
        return
    try:
        rule(msg)
    except ProtocolError as exc:
        raise ProtocolError(exc.code, f"{msg_type.value}: {exc}") from None
