"""The Quantower driver: the NexusGw plug-in inside Quantower, reached over the bridge protocol.

``docs/quantower.md`` walks a Quantower user through the install; the plug-in's C# is in the top-level
``adapters/quantower/`` and shares the bridge transport and codec with NinjaTrader's AddOn (``adapters/nt8/``).
"""
