"""Errors of the journal, named by what the operator or the caller should do."""

from __future__ import annotations

from nexus_gw.errors import NexusGwError


class JournalError(NexusGwError):
    """The journal could not do what was asked; the message says why and what to do."""


class JournalMissing(JournalError):
    """There is no journal file where one was expected (wrong profile or data directory)."""

    exit_code = 2


class NewerSchemaError(JournalError):
    """The journal was written by a newer nexusgw; upgrade before reading or writing it."""

    exit_code = 2


class JournalLocked(JournalError):
    """Another process already writes this journal; only one gateway may use a data directory."""


class JournalReadOnly(JournalError):
    """A write was attempted on a journal opened read-only."""


class UnknownLegError(JournalError, LookupError):
    """A leg report names a leg that was never recorded (record the order before sending its legs)."""


class UnknownOrderError(JournalError, LookupError):
    """An outbox message names an order that was never recorded."""


class ConflictError(JournalError):
    """A record contradicts one already in the journal (same client id for another order, …)."""
