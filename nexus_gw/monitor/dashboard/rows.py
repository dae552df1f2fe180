"""The dashboard's panels as text: one ``status`` answer (and the one before it) in, rows of cells out.

Pure and defensive: every figure is read with ``.get`` and a key that is absent, null or of the wrong type shows
``–`` instead of failing, so a gateway of another version (or one without a ``metrics`` section) still draws.
Each row carries a ``level`` ("ok", "warn", "bad" or "") the application turns into a colour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nexus_gw.monitor.dashboard import figures as fig

NONE = "–"


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    level: str = ""


@dataclass
class View:
    """Everything the dashboard draws from one refresh."""

    header: list[Row] = field(default_factory=list)
    performance: list[Row] = field(default_factory=list)
    trading: list[Row] = field(default_factory=list)
    positions: list[Row] = field(default_factory=list)
    platforms: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)
    alerts: list[Row] = field(default_factory=list)
    notes: list[Row] = field(default_factory=list)


POSITION_COLUMNS = ("Platform", "Symbol", "Qty", "Avg entry", "Ccy", "Unrealized $", "Realized $")
PLATFORM_COLUMNS = ("Platform", "State", "Driver", "Last update", "Msgs", "Latency p99", "Position P&L $")
ORDER_COLUMNS = ("Order", "Client id", "Symbol", "Side", "Filled", "Status")
ALERT_COLUMNS = ("Time", "Severity", "Code", "Message")


# -- reading -------------------------------------------------------------------------------------------------------
def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def at(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` of nested dicts, or None."""
    for key in path.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


# -- formatting ----------------------------------------------------------------------------------------------------
def duration(seconds: float | None) -> str:
    """``23h 45m 12s``; days first when there are any."""
    if seconds is None or seconds < 0:
        return NONE
    total = int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}h {minutes:02d}m {secs:02d}s" if hours or days else f"{minutes}m {secs:02d}s"
    return f"{days}d {text}" if days else text


def age(seconds: float | None) -> str:
    """How long ago: ``0.2s ago``, ``5m ago``, ``2h 03m ago``, or ``never``."""
    if seconds is None:
        return "never"
    if seconds < 60:
        return f"{seconds:.1f}s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    return f"{int(seconds // 3600)}h {int(seconds % 3600 // 60):02d}m ago"


def usd(value: Any, signed: bool = True) -> str:
    number = fig.number(value)
    if number is None:
        return NONE
    sign = "-" if number < 0 else ("+" if signed and number > 0 else "")
    return f"{sign}${abs(number):,.2f}"


def num(value: Any, unit: str = "", digits: int = 1) -> str:
    number = fig.number(value)
    return NONE if number is None else f"{number:,.{digits}f}{unit}"


def qty(value: Any) -> str:
    number = fig.number(value)
    if number is None:
        return NONE
    return f"{number:+g}" if number else "0"


def pnl_level(value: Any) -> str:
    number = fig.number(value)
    return "" if number is None or number == 0 else ("ok" if number > 0 else "bad")


def clock(stamp: Any) -> str:
    """``HH:MM:SS`` of an ISO timestamp (the text itself when it is not one)."""
    if not isinstance(stamp, str) or not stamp:
        return NONE
    _, sep, rest = stamp.partition("T")
    return rest[:8] if sep else stamp


# -- panels --------------------------------------------------------------------------------------------------------
def trading_status(data: dict[str, Any]) -> tuple[str, str]:
    """The headline state and its level: kill switch first, then the global trading state, then safe mode."""
    risk = _dict(data.get("risk"))
    ks = _dict(risk.get("kill_switch"))
    if ks.get("active"):
        return f"■ KILL SWITCH ACTIVE ({ks.get('reason') or 'no reason'}, by {ks.get('who') or '?'})", "bad"
    state = "ACTIVE"
    for entry in _list(risk.get("trading_states")):
        if _dict(entry).get("scope") == "global" and entry.get("state"):
            state = str(entry["state"])
    if state == "HALTED":
        return "■ HALTED", "bad"
    if state == "REDUCING":
        return "▲ REDUCING", "warn"
    if risk.get("safe_mode"):
        return "▲ SAFE MODE (signal engine silent)", "warn"
    return f"● {state}", "ok"


def header(data: dict[str, Any], endpoint: str = "") -> list[Row]:
    status, level = trading_status(data)
    platforms = _dict(data.get("platforms"))
    online = sum(1 for p in platforms.values() if _dict(p).get("online"))
    enabled = sum(1 for p in platforms.values() if _dict(p).get("enabled", True))
    engines = ", ".join(str(e) for e in _list(data.get("nexus_clients"))) or "none"
    return [
        Row((f"Status: {status}", f"Uptime: {duration(fig.number(data.get('uptime_s')))}"), level),
        Row(
            (
                f"Gateway: ● CONNECTED {data.get('gateway', NONE)} {data.get('version', '')} "
                f"profile {data.get('profile', NONE)} pid {data.get('pid', NONE)} {endpoint}".rstrip(),
                f"Platforms: {online}/{enabled} ONLINE   Engines: {engines}",
            ),
            "ok" if online == enabled and enabled else "warn",
        ),
    ]


def throughput(data: dict[str, Any], previous: dict[str, Any] | None) -> float | None:
    """Messages in per second: the change of ``counts.messages_in`` since ``previous`` (the same process)."""
    if previous is None:
        return None
    now_in = fig.number(_dict(data.get("counts")).get("messages_in", 0))
    then_in = fig.number(_dict(previous.get("counts")).get("messages_in", 0))
    now_up, then_up = fig.number(data.get("uptime_s")), fig.number(previous.get("uptime_s"))
    if None in (now_in, then_in, now_up, then_up) or previous.get("pid") != data.get("pid"):
        return None
    elapsed = now_up - then_up  # type: ignore[operator]
    return (now_in - then_in) / elapsed if elapsed > 0 and now_in >= then_in else None  # type: ignore[operator]


def performance(data: dict[str, Any], previous: dict[str, Any] | None = None) -> list[Row]:
    counts = _dict(data.get("counts"))
    fill_rate = fig.fill_rate_percent(data)
    memory = fig.memory_mb(data)
    return [
        Row(("Latency (avg)", num(fig.latency_avg_ms(data), " ms", 3))),
        Row(("Latency (p99)", num(fig.latency_p99_ms(data), " ms", 3))),
        Row(("Signal→fill (avg)", num(fig.fill_latency_avg_ms(data), " ms"))),
        Row(("Signal→fill (p95)", num(fig.fill_latency_p95_ms(data), " ms"))),
        Row(("Throughput", num(throughput(data, previous), " msg/s"))),
        Row(("Fill rate", num(fill_rate, " %")), "" if fill_rate is None else ("ok" if fill_rate >= 90 else "warn")),
        Row(("Active orders", str(len(_list(data.get("active_orders")))))),
        Row(("Signals / orders / fills", " / ".join(str(counts.get(k, 0)) for k in ("signals", "orders", "fills")))),
        Row(("Rejects", fig.rejects(data) or NONE)),
        Row(("Errors", str(counts.get("errors", 0))), "warn" if counts.get("errors") else ""),
        Row(("Memory / engine queue", f"{num(memory, ' MiB', 0)} / {num(fig.queue_depth(data), '', 0)}")),
    ]


def trading(data: dict[str, Any]) -> list[Row]:
    usage = _dict(at(data, "risk.usage"))
    trades = _dict(usage.get("daily_trades"))
    pnl = _dict(usage.get("daily_pnl_usd"))
    limit = fig.number(pnl.get("limit"))
    total = fig.number(pnl.get("total"))
    near = total is not None and limit is not None and limit < 0 and total <= 0.8 * limit
    trades_text = NONE if trades.get("used") is None else f"{trades.get('used')}/{trades.get('limit') or '∞'}"
    found = [
        Row((f"Trading day {at(data, 'risk.trading_day') or NONE}", "")),
        Row(("Trades", trades_text)),
        Row(("Net P&L", usd(total)), "bad" if near else pnl_level(total)),
        Row(("  realized", usd(pnl.get("realized"))), pnl_level(pnl.get("realized"))),
        Row(("  unrealized", usd(pnl.get("unrealized"))), pnl_level(pnl.get("unrealized"))),
        Row(("Loss limit", usd(limit, signed=False))),
    ]
    stats = {name: fig.trading_stat(data, name) for name in fig.TRADING_STATS}
    if any(value is not None for value in stats.values()):  # only a gateway that computes them sends them
        found += [
            Row(("Win rate", num(stats["win_rate_percent"], " %"))),
            Row(("Winners / losers", f"{num(stats['winning_trades'], '', 0)} / {num(stats['losing_trades'], '', 0)}")),
            Row(("Avg win / loss", f"{usd(stats['avg_win_usd'])} / {usd(stats['avg_loss_usd'])}")),
            Row(("Profit factor", num(stats["profit_factor"], "", 2))),
        ]
    return found


def positions(data: dict[str, Any]) -> list[Row]:
    """Open positions (quantity not zero), per platform and symbol."""
    rows = []
    for raw in _list(data.get("positions")):
        p = _dict(raw)
        if not fig.number(p.get("qty")):
            continue
        unrealized = p.get("unrealized_usd")
        missing = _list(p.get("missing"))
        rows.append(
            Row(
                (
                    str(p.get("platform", NONE)),
                    str(p.get("symbol", NONE)),
                    qty(p.get("qty")),
                    num(p.get("avg_entry"), "", 2),
                    str(p.get("currency") or NONE),
                    usd(unrealized) + (f" (no {', '.join(map(str, missing))})" if missing else ""),
                    usd(p.get("realized_usd")),
                ),
                "warn" if missing else pnl_level(unrealized),
            )
        )
    return rows


def platforms(data: dict[str, Any]) -> list[Row]:
    rows = []
    for name, raw in _dict(data.get("platforms")).items():
        p = _dict(raw)
        if not p.get("enabled", True):
            state, level = "– DISABLED", ""
        elif p.get("online"):
            state, level = "● ONLINE", "ok"
        elif p.get("link_alive"):
            state, level = "○ PLATFORM DOWN", "bad"  # the adapter answers, its platform does not
        else:
            state, level = "○ OFFLINE", "bad"
        seen = fig.number(p.get("last_message_age_s"))
        rows.append(
            Row(
                (
                    str(name),
                    state,
                    f"{p.get('driver', NONE)}{' (paper)' if p.get('paper') else ''}",
                    age(seen) if p.get("online") or seen is None else f"last seen {age(seen)}",
                    str(p.get("messages", 0)),
                    num(fig.platform_latency_p99_ms(data, str(name)), " ms", 3),
                    usd(fig.platform_pnl_usd(data, str(name))),
                ),
                level,
            )
        )
    return rows


def orders(data: dict[str, Any]) -> list[Row]:
    return [
        Row(
            (
                str(o.get("order_id", NONE)),
                str(o.get("client_id", NONE)),
                str(o.get("symbol", NONE)),
                str(o.get("side", NONE)),
                f"{num(o.get('filled_qty'), '', 0)}/{num(o.get('qty'), '', 0)}",
                str(o.get("status", NONE)),
            )
        )
        for o in map(_dict, _list(data.get("active_orders")))
    ]


_SEVERITY_LEVEL = {"CRITICAL": "bad", "ERROR": "bad", "WARNING": "warn"}


def alerts(data: dict[str, Any]) -> list[Row]:
    """Newest first."""
    return [
        Row(
            (clock(a.get("at")), str(a.get("severity", NONE)), str(a.get("code", NONE)), str(a.get("message", ""))),
            _SEVERITY_LEVEL.get(str(a.get("severity")), ""),
        )
        for a in reversed([_dict(a) for a in _list(data.get("alerts"))])
    ]


def notes(data: dict[str, Any]) -> list[Row]:
    """Kill switch progress, pauses, scoped states, approvals, FX and front contracts."""
    rows = [Row((f"kill switch: {line}",), "bad") for line in _list(at(data, "kill_switch_progress.lines"))]
    for pause in map(_dict, _list(at(data, "risk.pauses"))):
        text = f"paused: {pause.get('code', NONE)} until {clock(pause.get('until'))} {pause.get('reason', '')}"
        rows.append(Row((text.rstrip(),), "warn"))
    for entry in map(_dict, _list(at(data, "risk.trading_states"))):
        if entry.get("scope") != "global":
            where = f"{entry.get('scope')} {entry.get('value') or ''}".rstrip()
            rows.append(Row((f"state {entry.get('state')} on {where}: {entry.get('reason', '')}",), "warn"))
    pending = _list(data.get("approvals"))
    if pending:
        rows.append(Row((f"{len(pending)} orders wait for approval (nexusgw approvals list)",), "warn"))
    held = _list(data.get("held_legs"))
    if held:
        rows.append(Row((f"{len(held)} legs held for their platform to return",), "warn"))
    fx = _dict(data.get("fx"))
    if fx:
        rate = fig.number(fx.get("rate"))
        text = (
            f"FX {fx.get('pair', NONE)} {rate:.4f} as of {clock(fx.get('as_of'))} ({fx.get('source', NONE)})"
            if rate is not None
            else f"FX {fx.get('pair', NONE)} unavailable: {fx.get('unavailable', NONE)}"
        )
        rows.append(Row((text,), "" if rate is not None else "warn"))
    fronts = _dict(data.get("front_contracts"))
    if fronts:
        rows.append(Row(("Front contracts: " + ", ".join(f"{k} {v}" for k, v in fronts.items()),)))
    return rows


def view(data: dict[str, Any], previous: dict[str, Any] | None = None, endpoint: str = "") -> View:
    """All panels from one ``status`` answer (``previous``, the answer before, gives the throughput)."""
    return View(
        header=header(data, endpoint),
        performance=performance(data, previous),
        trading=trading(data),
        positions=positions(data),
        platforms=platforms(data),
        orders=orders(data),
        alerts=alerts(data),
        notes=notes(data),
    )
