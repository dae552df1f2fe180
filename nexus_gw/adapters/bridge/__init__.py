"""The bridge protocol between a C# platform plug-in (NinjaTrader 8 AddOn, Quantower plug-in…) and its adapter.

``codec`` frames and decodes bytes, ``frames`` names every frame and checks its fields, ``transport`` is the adapter's
side of the TCP connection (connect, hello, heartbeats, reconnect). ``docs/bridge-protocol.md`` is the reference.
"""
