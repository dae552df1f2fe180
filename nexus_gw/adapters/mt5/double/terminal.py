"""The simulated terminal: the MetaTrader5 module's functions, with their real signatures and answers.

One ``Terminal`` is one terminal logged in to one broker account. ``module.py`` exposes its functions as a module.
Calls made before ``initialize()`` (or while the terminal is gone, see ``faults.py``) answer None and set
``last_error()`` to (-10004, 'No IPC connection'), like the real module.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from nexus_gw.adapters.mt5.double import constants as c
from nexus_gw.adapters.mt5.double import records as r
from nexus_gw.adapters.mt5.double.account import Books
from nexus_gw.adapters.mt5.double.brokers import Broker
from nexus_gw.adapters.mt5.double.faults import Faults
from nexus_gw.adapters.mt5.double.filters import matches, seconds
from nexus_gw.adapters.mt5.double.market import Market
from nexus_gw.adapters.mt5.double.symbols import symbol_record
from nexus_gw.adapters.mt5.double.trade_api import TradeApi
from nexus_gw.adapters.mt5.double.trading import Trader
from nexus_gw.adapters.mt5.double.working import on_tick

VERSION = (500, 4755, "13 Feb 2025")
NO_IPC = (c.RES_E_INTERNAL_FAIL_CONNECT, "No IPC connection")
OK = (c.RES_S_OK, "Success")


class Terminal(TradeApi):
    def __init__(
        self,
        broker: Broker,
        *,
        seed: int = 0,
        start_msc: int | None = None,
        realtime: bool = False,
        tick_ms: int = 500,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.broker = broker
        self.realtime = realtime
        self.wall_clock = wall_clock
        start = start_msc if start_msc is not None else int(wall_clock() * 1000)
        self.market = Market(broker, seed=seed, now_msc=start, tick_ms=tick_ms)
        self.books = Books(broker)
        self.trader = Trader(self.market, self.books)
        self.faults = Faults()
        self.selected: set[str] = set()
        self.initialized = False
        self.login_number = broker.login
        self.error: tuple[int, str] = OK
        self.request_id = 0
        self.on_change: Callable[[], None] | None = None  # persistence hook

    # -- clock
    def advance_to(self, msc: int) -> None:
        if not self.faults.server_connected:  # no quotes arrive from a lost server; the clock still moves
            self.market.now_msc = max(self.market.now_msc, msc)
            return
        before = (len(self.books.deals), len(self.books.orders))
        for symbol, tick in self.market.advance_to(msc):
            on_tick(self.trader, symbol, tick)
        if (len(self.books.deals), len(self.books.orders)) != before and self.on_change:
            self.on_change()

    def sync(self) -> None:
        if self.realtime:
            self.advance_to(int(self.wall_clock() * 1000))

    def _ready(self) -> bool:
        if not (self.faults.terminal_alive and self.initialized):
            self.error = NO_IPC
            return False
        self.sync()
        self.error = OK
        return True

    # -- connection
    def initialize(
        self,
        path: str | None = None,
        *,
        login: int | None = None,
        password: str | None = None,
        server: str | None = None,
        timeout: int | None = None,
        portable: bool = False,
    ) -> bool:
        if not self.faults.terminal_alive:
            self.error = (c.RES_E_INTERNAL_FAIL_INIT, "IPC initialize failed, MetaTrader 5 x64 not found")
            return False
        self.initialized = True
        if login is not None and not self.login(login, password=password or "", server=server or ""):
            self.initialized = False
            return False
        self.error = OK
        self.sync()
        return True

    def login(self, login: int, password: str = "", server: str = "", timeout: int = 60000) -> bool:
        if not self._ready():
            return False
        wrong_server = bool(server) and server != self.broker.server
        if wrong_server or (self.broker.password and password != self.broker.password):
            self.error = (c.RES_E_AUTH_FAILED, "Terminal: Authorization failed")
            return False
        self.login_number = int(login)
        return True

    def shutdown(self) -> None:
        self.initialized = False
        if self.on_change:
            self.on_change()

    def last_error(self) -> tuple[int, str]:
        return self.error

    def version(self) -> tuple[int, int, str] | None:
        return VERSION if self._ready() else None

    def terminal_info(self) -> Any:
        if not self._ready():
            return None
        return r.TerminalInfo(
            community_account=False,
            community_connection=False,
            connected=self.faults.server_connected,
            dlls_allowed=False,
            trade_allowed=self.faults.autotrading,
            tradeapi_disabled=False,
            email_enabled=False,
            ftp_enabled=False,
            notifications_enabled=False,
            mqid=False,
            build=VERSION[1],
            maxbars=100_000,
            codepage=0,
            ping_last=25_000 if self.faults.server_connected else 0,
            community_balance=0.0,
            retransmission=0.0,
            company=self.broker.company,
            name="MetaTrader 5",
            language="English",
            path="C:\\Program Files\\MetaTrader 5",
            data_path="C:\\Users\\trader\\AppData\\Roaming\\MetaQuotes\\Terminal\\D0E8209F77C8CF37AD8BF550E51FF075",
            commondata_path="C:\\Users\\trader\\AppData\\Roaming\\MetaQuotes\\Terminal\\Common",
        )

    def account_info(self) -> Any:
        if not self._ready():
            return None
        equity, margin = self.trader.equity(), self.books.margin()
        return r.AccountInfo(
            login=self.login_number,
            trade_mode=c.ACCOUNT_TRADE_MODE_DEMO,
            leverage=self.broker.leverage,
            limit_orders=200,
            margin_so_mode=0,
            trade_allowed=self.faults.account_trade_allowed,
            trade_expert=True,
            margin_mode=self.books.margin_mode,
            currency_digits=2,
            fifo_close=False,
            balance=self.books.balance,
            credit=0.0,
            profit=self.books.floating(),
            equity=equity,
            margin=margin,
            margin_free=round(equity - margin, 2),
            margin_level=round(equity / margin * 100, 2) if margin else 0.0,
            margin_so_call=50.0,
            margin_so_so=30.0,
            margin_initial=0.0,
            margin_maintenance=0.0,
            assets=0.0,
            liabilities=0.0,
            commission_blocked=0.0,
            name="NEXUS Test",
            server=self.broker.server,
            currency=self.broker.currency,
            company=self.broker.company,
        )

    # -- symbols and ticks
    def symbols_total(self) -> int | None:
        return len(self.broker.symbols) if self._ready() else None

    def symbols_get(self, group: str | None = None) -> tuple[Any, ...] | None:
        if not self._ready():
            return None
        return tuple(self._symbol(s.name) for s in self.broker.symbols if group is None or matches(group, s.name))

    def symbol_info(self, symbol: str) -> Any:
        if not self._ready():
            return None
        if self.broker.spec(symbol) is None:
            self.error = (c.RES_E_NOT_FOUND, f"Terminal: Symbol {symbol!r} not found")
            return None
        return self._symbol(symbol)

    def _symbol(self, name: str) -> Any:
        spec = self.broker.spec(name)
        assert spec is not None
        return symbol_record(spec, self.market.last_tick(name), name in self.selected)

    def symbol_select(self, symbol: str, enable: bool = True) -> bool:
        if not self._ready():
            return False
        if self.broker.spec(symbol) is None:
            self.error = (c.RES_E_NOT_FOUND, f"Terminal: Symbol {symbol!r} not found")
            return False
        if enable:
            self.selected.add(symbol)
        elif any(p["symbol"] == symbol for p in self.books.positions.values()):
            self.error = (c.RES_E_FAIL, f"Terminal: Symbol {symbol!r} has open positions")
            return False
        else:
            self.selected.discard(symbol)
        return True

    def symbol_info_tick(self, symbol: str) -> Any:
        if not self._ready():
            return None
        tick = self.market.last_tick(symbol)
        if tick is None or symbol not in self.selected:
            self.error = (c.RES_E_NOT_FOUND, f"Terminal: Symbol {symbol!r} not selected in Market Watch")
            return None
        return r.Tick(*tick)

    def copy_ticks_from(self, symbol: str, date_from: Any, count: int, flags: int) -> tuple[Any, ...] | None:
        return self._copy(symbol, seconds(date_from), None, int(count), int(flags))

    def copy_ticks_range(self, symbol: str, date_from: Any, date_to: Any, flags: int) -> tuple[Any, ...] | None:
        return self._copy(symbol, seconds(date_from), seconds(date_to), None, int(flags))

    def _copy(self, symbol: str, start: float, end: float | None, count: int | None, flags: int) -> Any:
        if not self._ready():
            return None
        if self.broker.spec(symbol) is None:
            self.error = (c.RES_E_INVALID_PARAMS, f"Terminal: Invalid params, symbol {symbol!r} not found")
            return None
        to_msc = None if end is None else int(end * 1000)
        return tuple(self.market.copy_ticks(symbol, int(start * 1000), to_msc, count, flags))
