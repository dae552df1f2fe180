"""How each Quantower connection spells a futures contract, to catch a symbol in another connection's spelling.

Quantower shows every connection's native symbols (``../shared`` platforms reference §5, §6): Rithmic writes
``NQZ6`` (one-digit year), CQG its own roots with two digits (``ENQZ26``, ``EPZ26``), dxFeed ``/NQZ26:XCME``.
``config/symbols.yaml`` does the spelling; this check only refuses a symbol that cannot be the connection's, so a
profile pointing a CQG account at Rithmic spellings fails loudly instead of trading the wrong contract. Pure.
"""

from __future__ import annotations

import re
from typing import Final

MONTHS: Final = "FGHJKMNQUVXZ"
PATTERNS: Final = {
    "rithmic": re.compile(rf"[A-Z0-9]{{1,5}}[{MONTHS}]\d"),
    "cqg": re.compile(rf"[A-Z0-9]{{1,6}}[{MONTHS}]\d\d"),
    "dxfeed": re.compile(rf"/[A-Z0-9]{{1,5}}[{MONTHS}]\d\d:X[A-Z]{{2,4}}"),
}
EXAMPLES: Final = {"rithmic": "NQZ6", "cqg": "ENQZ26", "dxfeed": "/NQZ26:XCME"}


def wrong_spelling(connection: str, symbol: str) -> str | None:
    """Why ``symbol`` cannot be a futures contract of ``connection`` (None when it can)."""
    pattern = PATTERNS[connection]
    if pattern.fullmatch(symbol):
        return None
    return (
        f"symbol {symbol!r} is not spelled as Quantower's {connection} connection spells contracts (like "
        f"{EXAMPLES[connection]!r}): point the instance at the quantower entry of config/symbols.yaml for "
        f"{connection}, or set settings.connection to the account's connection"
    )
