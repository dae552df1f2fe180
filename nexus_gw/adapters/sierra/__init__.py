"""Sierra Chart over the DTC (Data and Trading Communications) protocol, version 8, in three parts.

- ``dtc/`` the DTC protocol client: a library with no gateway imports (constants and struct tables, binary and JSON
  codecs, TCP transport, the client session with logon, heartbeat and reconnect);
- ``settings`` (the one settings model of ``driver: sierra``), ``driver`` and its parts (``execution``,
  ``reconcile``, ``legs``, ``quotes``): the gateway driver, which uses the library;
- ``simulator/`` a DTC server simulator for tests, demos and the ``dev`` profile, the driver's development companion
  (``python -m nexus_gw.adapters.sierra.simulator``).

See ``docs/sierra.md`` for how to point the adapter at a Sierra Chart installation.
"""
