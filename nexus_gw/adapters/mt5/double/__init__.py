"""A faithful test double of the ``MetaTrader5`` module (platforms.md §3), served in-process or over rpyc.

``create("global" | "brazil", seed=..., start=..., realtime=..., state_path=...)`` returns a module with the real
function names, signatures, constants and named-tuple records; ``mt5._double`` injects faults and moves the market.
``python -m nexus_gw.adapters.mt5.double.server --port N --broker global`` serves it as rpyc's classic
``conn.modules.MetaTrader5``, as mt5linux's server does.
"""

from __future__ import annotations

from nexus_gw.adapters.mt5.double.module import create

__all__ = ["create"]
