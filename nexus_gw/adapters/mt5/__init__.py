"""The MetaTrader 5 driver (``driver: mt5``): a CFD broker (``mt5_global``) or a B3 broker (``mt5_brazil``).

- ``settings.py`` the instance's settings (backend, terminal, login, server, password env var, magic, deviation…);
- ``backend.py`` the ``MetaTrader5`` module: ``local`` (the official package, imported in ``start``), ``remote``
  (rpyc classic, as mt5linux), or a module object injected directly (tests pass the double);
- pure decisions: ``filling.py`` (type_filling), ``volume.py`` (lots), ``retcodes.py`` (what each return code
  means for the leg), ``legs.py`` (the leg id in the order comment), ``requests.py`` (the order_send request),
  ``book.py`` (tickets ↔ legs, deals → executions, the report), ``ticks.py`` (ticks once each, stale feed),
  ``lint.py`` (profile warnings);
- ``driver.py`` the driver; ``double/`` a test double of the ``MetaTrader5`` module and its rpyc server.

Importing this package never imports ``MetaTrader5`` nor ``rpyc`` (``docs/mt5.md``).
"""
