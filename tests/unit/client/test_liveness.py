from __future__ import annotations

import itertools

from nexus_gw.client.liveness import Liveness
from nexus_gw.domain.backoff import Backoff


def test_a_silent_gateway_is_retried_after_growing_delays_and_anything_heard_resets_them() -> None:
    live = Liveness(5.0, now=0.0, backoff=Backoff(1.0, 8.0, jitter=0.0))
    assert not live.reconnect_due(5.0)  # silence up to liveness_s is normal
    assert live.reconnect_due(5.1)  # first reconnect after liveness_s
    assert not live.reconnect_due(5.1 + 5.9)  # then liveness_s + 1 s
    assert live.reconnect_due(5.1 + 6.1)
    assert not live.reconnect_due(11.2 + 6.9)  # then liveness_s + 2 s ...
    assert live.reconnect_due(11.2 + 7.1)
    tries, now = [], 18.3
    while now < 120:
        now += 0.1
        if live.reconnect_due(now):
            tries.append(now)
    gaps = [b - a for a, b in itertools.pairwise(tries)]
    assert gaps and max(gaps) <= 5.0 + 8.0 + 0.2  # never beyond liveness_s + the backoff's maximum
    live.heard(130.0)
    assert not live.reconnect_due(135.0) and live.reconnect_due(135.1)  # back to liveness_s after a message
