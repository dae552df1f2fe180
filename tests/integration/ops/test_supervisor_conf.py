"""``nexusgw supervisor render`` on the shipped profiles, read back by supervisord's own configuration parser."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from nexus_gw.cli.app import main
from nexus_gw.stack import LocalStack
from tests.conftest import CONFIG_DIR, REPO

pytestmark = pytest.mark.integration

DEPLOY = REPO / "deploy" / "supervisor"
REFERENCE_ARGS = [
    "--as-config-dir",
    "/etc/nexusgw",
    "--data-dir",
    "/var/lib/nexusgw",
    "--logs-dir",
    "/var/log/nexusgw",
    "--command",
    "/opt/nexusgw/bin/nexusgw",
    "--python",
    "/opt/nexusgw/bin/python",
]
DOUBLES = """\
extends: dev
platforms:
  mt5_global:
    driver: mt5
    settings: {backend: remote, double: true, server: Double-Demo, market: cfd}
  mt5_brazil:
    driver: mt5
    settings: {backend: remote, double: true, server: Double-Demo, market: exchange}
"""


def companion_programs() -> list[str]:
    """The companion programs of the dev profile, as the registry declares them (the stack's view)."""
    return [f"{name}-{c.suffix}" for name, c in LocalStack("dev", CONFIG_DIR, Path("unused")).companions().items()]


def render(tmp_path: Path, *args: str) -> str:
    out = tmp_path / "supervisord.conf"
    code = main(["supervisor", "render", "--config-dir", str(CONFIG_DIR), "--output", str(out), *args])
    assert code == 0
    return out.read_text()


@pytest.mark.parametrize("profile", ["stage4"])
def test_the_shipped_reference_configs_are_what_render_writes(tmp_path: Path, profile: str) -> None:
    shipped = (DEPLOY / f"nexusgw-{profile}.conf").read_text()
    rendered = render(tmp_path, "--profile", profile, *REFERENCE_ARGS)
    assert rendered == shipped, (
        f"deploy/supervisor/nexusgw-{profile}.conf is stale; rewrite it with: nexusgw supervisor render --profile "
        f"{profile} {' '.join(REFERENCE_ARGS)} -o deploy/supervisor/nexusgw-{profile}.conf"
    )


@pytest.mark.skipif(sys.platform == "win32", reason="supervisord does not run on Windows")
def test_supervisord_reads_the_dev_config_with_the_order_and_policy_we_wrote(tmp_path: Path) -> None:
    from supervisor.datatypes import RestartUnconditionally
    from supervisor.options import ServerOptions

    data, logs = tmp_path / "data", tmp_path / "logs"
    logs.mkdir()
    data.mkdir()  # render says to create both: supervisord writes its pid file and logs there
    render(tmp_path, "--profile", "dev", "--data-dir", str(data), "--logs-dir", str(logs))
    options = ServerOptions()
    options.realize(args=["-c", str(tmp_path / "supervisord.conf")])
    groups = {g.name: g for g in options.process_group_configs}
    assert sorted(groups, key=lambda name: groups[name].priority) == ["companions", "gateway", "adapters", "engine"]
    assert [p.name for p in groups["adapters"].process_configs] == [
        "nt8",
        "sierra",
        "mt5_global",
        "mt5_brazil",
        "bookmap",
        "quantower",
    ]
    assert [p.name for p in groups["companions"].process_configs] == companion_programs()
    assert "sierra-dtc" in companion_programs()  # dev's sierra instance trades against the DTC simulator
    env = {p.name: p.environment for p in groups["adapters"].process_configs}
    assert env["sierra"]["NEXUSGW_PLATFORMS__SIERRA__SETTINGS__PORT"] == "11099"
    for companion in groups["companions"].process_configs:  # each adapter is pointed at its own companion's port
        platform = companion.name.rsplit("-", 1)[0]
        port = companion.command.split(" --port ", 1)[1].split()[0]
        assert env[platform][f"NEXUSGW_PLATFORMS__{platform.upper()}__SETTINGS__PORT"] == port
    assert env["nt8"]["NEXUSGW_GATEWAY__DATA_DIR"] == str(data.resolve())
    gateway = groups["gateway"].process_configs[0]
    assert all(p.autorestart is RestartUnconditionally for g in groups.values() for p in g.process_configs)
    assert gateway.stopasgroup and gateway.killasgroup
    assert gateway.stdout_logfile == str(logs / "gateway.log")
    assert gateway.stdout_logfile_maxbytes == 50 * 1024 * 1024
    assert groups["engine"].process_configs[0].autostart is False
    assert options.server_configs[0]["file"] == str(data.resolve() / "supervisor.sock")


def test_companions_come_from_the_registry_so_mt5_doubles_get_one_each_on_distinct_ports(tmp_path: Path) -> None:
    profile = tmp_path / "doubles.yaml"
    profile.write_text(DOUBLES)
    text = render(tmp_path, "--profile", str(profile), "--data-dir", str(tmp_path / "data"))
    assert "[program:mt5_global-mt5]" in text and "[program:mt5_brazil-mt5]" in text
    assert "-m nexus_gw.adapters.mt5.companion --platform mt5_brazil --port 18813 " in text
    assert 'NEXUSGW_PLATFORMS__MT5_GLOBAL__SETTINGS__PORT="18812"' in text
    assert 'NEXUSGW_PLATFORMS__MT5_BRAZIL__SETTINGS__PORT="18813"' in text
    assert f"programs={','.join(companion_programs())}\n" in text
    chosen = render(tmp_path, "--profile", str(profile), "--companion-port", "mt5_brazil=20001")
    assert 'NEXUSGW_PLATFORMS__MT5_BRAZIL__SETTINGS__PORT="20001"' in chosen


def test_a_companion_port_for_an_instance_without_a_companion_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "real-nt8.yaml"  # NinjaTrader itself: no simulated one stands in
    profile.write_text("extends: dev\nplatforms:\n  nt8:\n    settings: {simulator: false}\n")
    args = ["supervisor", "render", "--config-dir", str(CONFIG_DIR), "--profile", str(profile)]
    assert main([*args, "--companion-port", "nt8=1"]) == 2
    with_one = ", ".join(name for name in LocalStack("dev", CONFIG_DIR, Path("unused")).companions() if name != "nt8")
    assert f"no development companion runs for it in profile real-nt8; instances with one: {with_one}" in (
        capsys.readouterr().err
    )


def test_a_host_can_run_only_some_adapters_with_only_their_companions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = render(tmp_path, "--profile", "dev", "--adapter", "nt8", "--adapter", "sierra")
    assert "programs=nt8,sierra\n" in text
    assert "[program:gateway]" in text and "[program:mt5_global]" not in text
    ours = [p for p in companion_programs() if p.startswith(("nt8-", "sierra-"))]
    assert f"programs={','.join(ours)}\n" in text  # the companions of nt8 and sierra, and no other
    code = main(["supervisor", "render", "--config-dir", str(CONFIG_DIR), "--profile", "dev", "--adapter", "nt9"])
    assert code == 2
    assert "--adapter nt9: not an enabled platform instance of profile dev; enabled: nt8, sierra" in (
        capsys.readouterr().err
    )


def test_an_adapter_the_platform_starts_itself_gets_no_program(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "live-bookmap.yaml"  # a real Bookmap: it runs the addon, which is the adapter
    profile.write_text("extends: dev\nplatforms:\n  bookmap:\n    settings: {fake: false}\n")
    text = render(tmp_path, "--profile", str(profile))
    assert "[program:bookmap]" not in text and "[program:sierra]" in text
    assert "left out: bookmap (started by the platform itself, not by supervisor)" in capsys.readouterr().err
    code = main(
        ["supervisor", "render", "--config-dir", str(CONFIG_DIR), "--profile", str(profile), "--adapter", "bookmap"]
    )
    assert code == 2 and "the platform starts this adapter itself" in capsys.readouterr().err
