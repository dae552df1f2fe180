"""Whether a repeated execution report is the same execution, at the precision its reports share.

Platforms stamp the same execution at different precisions: Sierra's live ORDER_UPDATE gives milliseconds, its
fill history whole seconds (DTC v8 ``t_DateTime``). A time that is a whole second may be a truncated one, so two
times are compared in whole seconds whenever either of them is a whole second; otherwise exactly.
"""

from __future__ import annotations

from typing import Final

from nexus_gw.domain.orders import Execution

NS_PER_S: Final = 1_000_000_000


def same_fill_time(a_ns: int, b_ns: int) -> bool:
    """True if ``a_ns`` and ``b_ns`` can be the same instant at the precision both carry."""
    if a_ns == b_ns:
        return True
    if a_ns % NS_PER_S == 0 or b_ns % NS_PER_S == 0:
        return a_ns // NS_PER_S == b_ns // NS_PER_S
    return False


def same_execution(a: Execution, b: Execution) -> bool:
    """True if ``a`` and ``b`` report the same execution (same id, quantity, price, and time as precise as both)."""
    return a.fill_id == b.fill_id and a.qty == b.qty and a.price == b.price and same_fill_time(a.ts_ns, b.ts_ns)
