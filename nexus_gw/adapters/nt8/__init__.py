"""The NinjaTrader 8 driver: through the NexusBridge AddOn (``mode: bridge``) or ATI order files (``mode: ati``).

``docs/nt8.md`` walks a NinjaTrader user through either; the AddOn's C# is in the top-level ``adapters/nt8/``.
"""
