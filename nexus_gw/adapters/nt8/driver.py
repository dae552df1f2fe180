"""The ``nt8`` driver: one constructor for the registry, the mode picks the implementation."""

from __future__ import annotations

from nexus_gw.adapters.base import PlatformDriver

from .settings import NT8Settings


def build(name: str, settings: NT8Settings, paper: bool = False) -> PlatformDriver:
    """The driver of a ``driver: nt8`` instance (the registry's constructor contract)."""
    if settings.mode == "ati":
        from .ati_driver import NT8AtiDriver

        return NT8AtiDriver(name, settings, paper=paper)
    from .bridge_driver import NT8BridgeDriver

    return NT8BridgeDriver(name, settings, paper=paper)
