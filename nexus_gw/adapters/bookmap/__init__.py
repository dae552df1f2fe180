"""The Bookmap driver (``driver: bookmap``): Bookmap's Python API through the ``bookmap`` package (PyPI).

Bookmap starts an addon script and talks to it over a socket (``docs/bookmap.md``); the addon script
(``adapters/bookmap/nexusgw_addon.py``) runs this driver inside the adapter runner, so the addon process *is* the
``bookmap`` adapter. ``nexusgw adapter bookmap`` runs the same driver against a port from the profile.

- ``settings.py`` the instance's settings; ``frames.py`` the wire format (U+E000 fields, LF lines) and the check
  of every line Bookmap sends before the package parses it; ``symbols.py`` aliases, price and size levels;
- ``book.py`` the best bid/ask from depth; ``legs.py`` legs ↔ Bookmap orders, executions once, the report;
- ``session.py`` the one place that touches the ``bookmap`` package (imported when the driver starts);
- ``driver.py`` the driver; ``fake/`` a fake Bookmap speaking the package's protocol (tests and the dev profile's
  development companion, ``companion.py``).

Importing this package never imports ``bookmap``.
"""
