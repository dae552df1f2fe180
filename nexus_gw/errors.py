"""One exception hierarchy, named by what the operator should do.

The CLI's entry wrapper (``nexus_gw.cli.app``) is the only place that turns these into exit codes:
``ConfigError`` and ``UsageError`` exit 2, ``Refused`` and ``CheckFailed`` exit 1.
"""

from __future__ import annotations


class NexusGwError(Exception):
    """Base of every error the gateway raises on purpose. The message says what was wrong and what to do."""

    exit_code = 1


class ConfigError(NexusGwError):
    """A profile or config file is wrong: fix the file (the message names file, line and allowed values)."""

    exit_code = 2


class UsageError(NexusGwError):
    """The command was called wrongly: fix the arguments."""

    exit_code = 2


class Refused(NexusGwError):
    """The request was understood and refused (risk, state, or the gateway said no)."""

    exit_code = 1


class CheckFailed(NexusGwError):
    """A health or readiness check did not pass."""

    exit_code = 1


class GatewayUnavailable(NexusGwError):
    """The gateway did not answer: start it or check the address."""

    exit_code = 1


class UnknownSymbolError(NexusGwError, LookupError):
    """A root or platform symbol is not configured; the message lists the known ones."""

    exit_code = 2


class UnknownPlatformError(NexusGwError, LookupError):
    """A platform instance name is not configured; the message lists the known ones."""

    exit_code = 2


class StaleRateError(Refused):
    """An FX rate is older than the configured maximum age and was not used."""


class ProtocolError(NexusGwError):
    """A message on the wire could not be understood; the peer gets an ERROR reply."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class PlatformError(NexusGwError):
    """Something went wrong at a trading platform."""


class PlatformUnavailable(PlatformError):
    """The platform cannot be reached now; retry later."""


class OrderRejected(PlatformError):
    """The platform rejected one order; only that order is affected."""
