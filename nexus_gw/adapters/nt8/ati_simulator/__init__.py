"""A simulated NinjaTrader 8 behind its ATI folders, for tests and local stacks (``python -m`` runs it).

It consumes ``incoming/oif*.txt`` as NinjaTrader does and writes ``outgoing`` in NinjaTrader's formats.
"""

from .simulator import AtiSimulator, SimulatorConfig

__all__ = ["AtiSimulator", "SimulatorConfig"]
