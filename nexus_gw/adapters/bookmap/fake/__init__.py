"""A fake Bookmap speaking the ``bookmap`` package's socket protocol (``server.py``, ``market.py``).

It lives in the package, not under tests/, because the ``dev`` profile's ``bookmap`` instance uses it as its
development companion (``nexus_gw/adapters/bookmap/companion.py``); the tests use the same class in process.
"""

from .market import FakeInstrument, FakeMarket
from .server import FakeBookmap

__all__ = ["FakeBookmap", "FakeInstrument", "FakeMarket"]
