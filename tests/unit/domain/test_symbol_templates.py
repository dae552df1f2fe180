"""Named Sierra symbol templates and the other spellings of one contract (what the adapter asks Sierra about)."""

from __future__ import annotations

import pytest

from nexus_gw.domain.symbols.templates import PRESETS, overrides, preset_name, spellings, template_of


def test_presets_and_templates() -> None:
    assert template_of("sierra") == "{root}{month_code}{yy}_FUT_{exchange}"
    assert template_of("{root}{mm}{yy}") == "{root}{mm}{yy}"
    assert preset_name(PRESETS["dash"]) == "dash" and preset_name("{root}{mm}{yy}") == "'{root}{mm}{yy}'"
    with pytest.raises(ValueError, match="neither a preset"):
        template_of("{root}")
    assert overrides({"sierra": {"symbol_template": "plain"}, "nt8": {}}) == {"sierra": "{root}{month_code}{yy}"}
    with pytest.raises(ValueError, match=r"platforms\.sierra\.settings\.symbol_template"):
        overrides({"sierra": {"symbol_template": "nonsense"}})


@pytest.mark.parametrize(
    ("symbol", "exchange", "expected"),
    [
        ("NQZ26", "CME", {"sierra": "NQZ26_FUT_CME", "dash": "NQZ26-CME", "rithmic": "NQZ6.CME"}),
        ("NQZ26", "", {}),  # no exchange known: nothing else can be spelled
        ("NQZ26_FUT_CME", "", {"plain": "NQZ26", "dash": "NQZ26-CME", "rithmic": "NQZ6.CME"}),
        ("M2KH27-CME", "", {"plain": "M2KH27", "sierra": "M2KH27_FUT_CME", "rithmic": "M2KH7.CME"}),
        ("MNQZ26", "CME", {"sierra": "MNQZ26_FUT_CME", "dash": "MNQZ26-CME", "rithmic": "MNQZ6.CME"}),
        ("NAS100", "CME", {}),  # not a contract
    ],
)
def test_spellings_of_one_contract(symbol: str, exchange: str, expected: dict[str, str]) -> None:
    assert spellings(symbol, exchange) == expected
