"""nexusgw: a multi-platform trading gateway for signal engines."""

__version__ = "0.1.0"
