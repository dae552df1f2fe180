"""Command line of ``python -m nexus_gw.adapters.sierra.simulator``."""

from __future__ import annotations

import pytest

from nexus_gw.adapters.sierra.simulator import ServerEncoding, config_from_args


def test_simulator_command_line_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIM_PW", "pw")
    argv = "--port 0 --encoding json --symbols NQH25=21000,ESH25=6000.5 --accounts A,B --username u"
    cfg = config_from_args([*argv.split(), "--password-env", "SIM_PW", "--partial-fills", "3"])
    assert cfg.encoding is ServerEncoding.JSON and dict(cfg.symbols) == {"NQH25": 21000.0, "ESH25": 6000.5}
    assert cfg.trade_accounts == ("A", "B") and (cfg.username, cfg.password) == ("u", "pw")
    assert cfg.partial_fill_slices == 3
    with pytest.raises(SystemExit) as exit_info:
        config_from_args(["--symbols", "NQH25"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--symbols", "NQH25=-5"], "positive price"),
        (["--partial-fills", "0"], "--partial-fills must be >= 1"),
        (["--password-env", "NEXUSGW_TEST_UNSET_VARIABLE"], "is not set"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEXUSGW_TEST_UNSET_VARIABLE", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        config_from_args(argv)
    assert exit_info.value.code == 2
    assert fragment in capsys.readouterr().err
