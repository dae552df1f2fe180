"""NinjaTrader order states as leg statuses; the settings model and where ATI's folders are."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from nexus_gw.adapters.nt8.settings import NT8Settings, simulated_root
from nexus_gw.adapters.nt8.states import leg_status
from nexus_gw.protocol.constants import OrderStatus


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("Submitted", OrderStatus.ACCEPTED),
        ("WORKING", OrderStatus.ACCEPTED),
        ("TriggerPending", OrderStatus.ACCEPTED),
        ("PartFilled", OrderStatus.ACCEPTED),
        ("Partially filled", OrderStatus.ACCEPTED),
        ("Filled", OrderStatus.FILLED),
        ("Cancelled", OrderStatus.CANCELLED),
        ("REJECTED", OrderStatus.REJECTED),
        ("Unknown", None),
    ],
)
def test_ninjatrader_states_map_to_leg_statuses(state: str, status: OrderStatus | None) -> None:
    assert leg_status(state) is status


def test_defaults_are_the_bridge_on_port_9001_and_sim101() -> None:
    settings = NT8Settings()
    assert (settings.mode, settings.port, settings.account) == ("bridge", 9001, "Sim101")
    assert settings.ati_root() == Path.home() / "Documents" / "NinjaTrader 8"


def test_the_ati_folder_of_a_simulated_ninjatrader_is_keyed_by_the_port() -> None:
    assert NT8Settings(mode="ati", simulator=True, port=12345).ati_root() == simulated_root(12345)
    assert NT8Settings(mode="ati", ninjatrader_dir="~/NT").ati_root() == Path.home() / "NT"


@pytest.mark.parametrize("bad", [{"mode": "dde"}, {"port": 0}, {"tif": "IOC"}, {"password": "x"}])
def test_bad_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        NT8Settings.model_validate(bad)
