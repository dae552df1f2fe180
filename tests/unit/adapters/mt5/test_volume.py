from __future__ import annotations

import pytest

from nexus_gw.adapters.mt5.volume import VolumeRefused, round_volume


def test_lots_are_floored_to_the_step_never_rounded_up() -> None:
    assert round_volume(0.237, 0.01, 0.01, 100) == pytest.approx(0.23)
    assert round_volume(20.0, 0.01, 0.01, 200) == pytest.approx(20.0)
    assert round_volume(0.3, 0.1, 0.1, 10) == pytest.approx(0.3)  # float noise (0.3/0.1 = 2.9999…) is not a step
    assert round_volume(2.0, 1.0, 1.0, 500) == 2.0  # B3: whole contracts


def test_a_fraction_of_a_whole_contract_is_refused_with_the_reason() -> None:
    with pytest.raises(VolumeRefused, match=r"WINZ26 volume 0.5 rounds to 0 lots \(step 1\), below volume_min 1"):
        round_volume(0.5, 1.0, 1.0, 500, "WINZ26")


def test_above_volume_max_is_refused_not_cut() -> None:
    with pytest.raises(VolumeRefused, match="above volume_max 100"):
        round_volume(150.0, 0.01, 0.01, 100, "NAS100")


@pytest.mark.parametrize(("qty", "step"), [(0.0, 0.01), (-1.0, 0.01), (1.0, 0.0)])
def test_nonsense_is_refused(qty: float, step: float) -> None:
    with pytest.raises(VolumeRefused):
        round_volume(qty, step, 0.01, 100)
