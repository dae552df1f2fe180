"""The shipped systemd units: hardened as docs/operations.md says, and clean under ``systemd-analyze verify``.

``verify`` needs every ExecStart binary to exist, so it checks copies whose ``/opt/nexusgw/bin/nexusgw`` points at
this environment's nexusgw. Without systemd-analyze the test skips, except under CI (``CI=true``), where it fails:
.ci/run installs the ``systemd`` package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nexus_gw.client.admin import admin_request
from nexus_gw.errors import GatewayUnavailable
from nexus_gw.stack import Endpoints
from tests.conftest import REPO

pytestmark = pytest.mark.integration

UNITS = REPO / "systemd"
SHIPPED_EXE = "/opt/nexusgw/bin/nexusgw"
SERVICES = ("nexusgw-gateway.service", "nexusgw-adapter@.service", "nexusgw-check.service")
LONG_RUNNING = ("nexusgw-gateway.service", "nexusgw-adapter@.service")


def directives(name: str) -> dict[str, list[str]]:
    """``Section.Key`` → every value it is given (keys like Environment= repeat)."""
    found: dict[str, list[str]] = {}
    section = ""
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            found.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return found


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze") or (
        "/usr/bin/systemd-analyze" if Path("/usr/bin/systemd-analyze").exists() else None
    )
    if found is None:
        message = "systemd-analyze is missing: install the Debian package `systemd` (.ci/run does when root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def this_nexusgw() -> str:
    beside = Path(sys.executable).parent / "nexusgw"
    return str(beside) if beside.is_file() else shutil.which("nexusgw") or sys.executable


def verify(analyze: str, paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([analyze, "verify", *map(str, paths)], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(sys.platform == "win32", reason="systemd units are for Linux hosts")
def test_every_unit_verifies_clean_with_systemd_analyze(tmp_path: Path) -> None:
    analyze = systemd_analyze()
    exe = this_nexusgw()
    copies = []
    for unit in sorted(UNITS.iterdir()):
        if unit.suffix in (".service", ".target", ".timer"):
            copy = tmp_path / unit.name
            copy.write_text(unit.read_text().replace(SHIPPED_EXE, exe))
            copies.append(copy)
    assert {c.name for c in copies} == {*SERVICES, "nexusgw.target", "nexusgw-check.timer"}
    instance = tmp_path / "nexusgw-adapter@nt8.service"  # the template as a real instance, %i expanded
    instance.write_text((tmp_path / "nexusgw-adapter@.service").read_text())
    result = verify(analyze, [*copies, instance])
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.skipif(sys.platform == "win32", reason="systemd units are for Linux hosts")
def test_verify_catches_what_a_broken_unit_would_hide(tmp_path: Path) -> None:
    """The clean verify above means something: a misspelt hardening key and a missing binary are reported."""
    analyze = systemd_analyze()
    text = (UNITS / "nexusgw-gateway.service").read_text()
    misspelt = tmp_path / "misspelt.service"
    misspelt.write_text(text.replace(SHIPPED_EXE, this_nexusgw()).replace("ProtectSystem=", "ProtectSytem="))
    assert "Unknown key 'ProtectSytem'" in verify(analyze, [misspelt]).stderr
    missing = tmp_path / "missing.service"
    missing.write_text(text.replace(SHIPPED_EXE, str(tmp_path / "no-such-nexusgw")))
    result = verify(analyze, [missing])
    assert result.returncode != 0 and "is not executable" in result.stderr


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_runs_as_the_nexusgw_user_hardened_with_state_logs_and_secrets_in_place(name: str) -> None:
    d = directives(name)
    expected = {
        "User": "nexusgw",
        "Group": "nexusgw",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "StateDirectory": "nexusgw",
        "LogsDirectory": "nexusgw",
        "EnvironmentFile": "/etc/nexusgw/env",
        "CapabilityBoundingSet": "",
    }
    assert {key: d.get(f"Service.{key}") for key in expected} == {k: [v] for k, v in expected.items()}
    assert "NEXUSGW_GATEWAY__DATA_DIR=/var/lib/nexusgw" in d["Service.Environment"]  # the StateDirectory
    assert "NEXUSGW_CONFIG_DIR=/etc/nexusgw" in d["Service.Environment"]
    assert d["Service.ExecStart"][0].startswith(SHIPPED_EXE + " ")
    assert d["Service.ExecStart"][0].endswith("--profile ${NEXUSGW_PROFILE}")


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_gateway_and_adapters_notify_readiness_keep_a_watchdog_and_restart_on_failure_within_limits(name: str) -> None:
    d = directives(name)
    assert d["Service.Type"] == ["notify"]
    assert int(d["Service.WatchdogSec"][0]) >= 10
    assert d["Service.Restart"] == ["on-failure"]
    assert int(d["Unit.StartLimitBurst"][0]) > 1 and int(d["Unit.StartLimitIntervalSec"][0]) > 0
    assert d["Unit.PartOf"] == ["nexusgw.target"] and d["Install.WantedBy"] == ["nexusgw.target"]


def test_the_adapter_template_runs_its_instance_and_survives_a_gateway_restart() -> None:
    d = directives("nexusgw-adapter@.service")
    assert " adapter %i " in d["Service.ExecStart"][0]
    assert "nexusgw-gateway.service" in d["Unit.After"][0]
    assert "Unit.Requires" not in d and "Unit.BindsTo" not in d  # it reconnects; a gateway restart must not stop it


def test_the_target_starts_the_gateway_and_the_timer_runs_the_morning_check_on_weekdays() -> None:
    assert directives("nexusgw.target")["Unit.Wants"] == ["nexusgw-gateway.service"]
    timer = directives("nexusgw-check.timer")
    assert timer["Timer.Unit"] == ["nexusgw-check.service"]
    assert timer["Timer.OnCalendar"] == ["Mon..Fri *-*-* 07:00:00"] and timer["Timer.Persistent"] == ["yes"]
    check = directives("nexusgw-check.service")
    assert check["Service.Type"] == ["oneshot"]
    assert " check --when morning " in check["Service.ExecStart"][0]


def test_the_gateway_unavailable_message_names_the_program_and_unit_we_ship() -> None:
    with pytest.raises(GatewayUnavailable) as caught:
        admin_request(Endpoints.free().admin, "status", timeout_s=0.2, tries=1)
    assert "supervisorctl -c FILE status gateway" in str(caught.value)  # [program:gateway] of supervisor render
    assert "systemctl status nexusgw-gateway" in str(caught.value)
    assert (UNITS / "nexusgw-gateway.service").is_file()


@pytest.mark.skipif(sys.platform == "win32", reason="systemd units are for Linux hosts")
@pytest.mark.parametrize("name", SERVICES)
def test_every_service_is_rated_well_hardened_by_systemd_analyze_security(tmp_path: Path, name: str) -> None:
    analyze = systemd_analyze()
    copy = tmp_path / name
    copy.write_text((UNITS / name).read_text().replace(SHIPPED_EXE, this_nexusgw()))
    # systemd rates exposure from 0 (locked down) to 10 (unprotected); --threshold is in tenths: at most 2.0 here
    args = [analyze, "security", "--offline=true", "--threshold=20", str(copy)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
