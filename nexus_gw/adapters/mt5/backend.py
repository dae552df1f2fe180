"""The ``MetaTrader5`` module a driver talks to: local, remote over rpyc classic, or injected.

- ``local``: ``import MetaTrader5`` (Windows, beside the terminal), done in ``open_module`` only, from ``start``;
- ``remote``: ``rpyc.classic.connect(host, port)`` to a classic server (mt5linux's, or one run under Wine
  Python) that imports the API module. Calls travel as source strings evaluated remotely, as mt5linux does, so
  arguments are plain ``int``/``float``/``str``/``dict``; results are turned into plain dicts on the server
  (the records cannot be pickled) and rebuilt here as ``Record`` objects with the same attribute names.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Mapping
from typing import Any

from .settings import MT5Settings

_HELPER = """
import {module} as _nx_mt5
def _nx_plain(v):
    if getattr(getattr(v, "dtype", None), "names", None):
        return [{{n: row[n].item() for n in v.dtype.names}} for row in v]
    if hasattr(v, "_asdict"):
        return {{"__record__": type(v).__name__, **{{k: _nx_plain(x) for k, x in v._asdict().items()}}}}
    if isinstance(v, (tuple, list)):
        return [_nx_plain(x) for x in v]
    if isinstance(v, dict):
        return {{k: _nx_plain(x) for k, x in v.items()}}
    return v
def _nx_call(name, args, kwargs):
    return _nx_plain(getattr(_nx_mt5, name)(*args, **kwargs))
"""


class BackendError(ConnectionError):
    """The MT5 API cannot be reached (module missing, rpyc server absent or answering garbage)."""


class Record:
    """A result record brought across from a remote server: attribute access like the named tuples."""

    def __init__(self, kind: str, fields: Mapping[str, Any]) -> None:
        self.__dict__.update(fields)
        self._kind = kind

    def __getitem__(self, name: str) -> Any:
        return self.__dict__[name]

    def _asdict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_kind"}

    def __repr__(self) -> str:
        return f"{self._kind}({', '.join(f'{k}={v!r}' for k, v in self._asdict().items())})"


def _rebuild(value: Any) -> Any:
    if isinstance(value, dict):
        kind = value.get("__record__")
        fields = {k: _rebuild(v) for k, v in value.items() if k != "__record__"}
        return Record(kind, fields) if kind else fields
    if isinstance(value, list):
        return tuple(_rebuild(v) for v in value)
    return value


def plain(value: Any) -> Any:
    """``value`` as plain Python (numpy scalars and bools turned into int/float/str) so it survives ``repr``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str) or value is None:
        return value
    if hasattr(value, "item"):  # numpy scalar
        return plain(value.item())
    raise TypeError(f"cannot send {type(value).__name__} {value!r} to MT5: use int, float or str")


class RemoteMT5:
    """The MetaTrader5 API on an rpyc classic server, as mt5linux reaches it."""

    def __init__(self, conn: Any, module: str) -> None:
        self._conn = conn
        self._module = module
        conn.execute(_HELPER.format(module=module))
        self._remote = conn.modules[module]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name.isupper():  # a constant: copied once
            value = getattr(self._remote, name)
            setattr(self, name, value)
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            source = f"_nx_call({name!r}, {tuple(plain(list(args)))!r}, {plain(kwargs)!r})"
            return _rebuild(self._obtain(self._conn.eval(source)))

        return call

    def _obtain(self, value: Any) -> Any:
        return importlib.import_module("rpyc").classic.obtain(value)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection must not raise
            self._conn.close()


def open_module(settings: MT5Settings, injected: Any = None) -> Any:
    """The MT5 API module for these settings (imports ``MetaTrader5`` or ``rpyc`` only now)."""
    if injected is not None:
        return injected
    if settings.backend == "local":
        try:
            return importlib.import_module("MetaTrader5")
        except ImportError as exc:
            raise BackendError(
                f"the MetaTrader5 package is not installed ({exc}); on Windows run `pip install nexusgw[mt5]`, "
                "on Linux use backend: remote with an rpyc server beside the terminal (docs/mt5.md)"
            ) from None
    try:
        rpyc = importlib.import_module("rpyc")
    except ImportError:
        raise BackendError("backend: remote needs rpyc (a dependency of nexusgw): reinstall nexusgw") from None
    try:
        conn = rpyc.classic.connect(settings.host, settings.port)
        conn._config["sync_request_timeout"] = 300
        return RemoteMT5(conn, settings.remote_module)
    except Exception as exc:  # any failure to reach the server is the same: not there (yet)
        raise BackendError(
            f"no rpyc classic server with {settings.remote_module} at {settings.host}:{settings.port} ({exc}); "
            "start it beside the terminal (python -m mt5linux …, docs/mt5.md)"
        ) from None
