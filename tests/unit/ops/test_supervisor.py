"""The supervisord configuration's text: programs, start order, restart policy, logs and control, from a plan."""

from __future__ import annotations

import configparser
from dataclasses import replace

import pytest

from nexus_gw.errors import UsageError
from nexus_gw.ops.supervisor import (
    CompanionProgram,
    Control,
    Plan,
    assign_ports,
    program_names,
    render,
    setting_env,
)

PLAN = Plan(
    profile="dev",
    config_dir="/etc/nexusgw",
    data_dir="/var/lib/nexusgw",
    logs_dir="/var/log/nexusgw",
    control=Control.parse("unix:/var/lib/nexusgw/supervisor.sock"),
    nexusgw=("/opt/nexusgw/bin/nexusgw",),
    python="/opt/nexusgw/bin/python",
    adapters=("nt8", "sierra", "mt5_global"),
    companions=(
        CompanionProgram("sierra", "nexus_gw.adapters.sierra.simulator.profile", "dtc", 11099, "port", ("-x", "y")),
        CompanionProgram("mt5_global", "nexus_gw.adapters.mt5.companion", "mt5", 18812, "port"),
    ),
)


def parse(text: str) -> configparser.RawConfigParser:
    conf = configparser.RawConfigParser()
    conf.read_string(text)
    return conf


def test_every_program_is_there_in_start_order_companions_gateway_adapters_engine() -> None:
    conf = parse(render(PLAN))
    priority = {s.removeprefix("program:"): conf.getint(s, "priority") for s in conf.sections() if "program:" in s}
    assert priority == {
        "sierra-dtc": 10,
        "mt5_global-mt5": 10,
        "gateway": 20,
        "nt8": 30,
        "sierra": 30,
        "mt5_global": 30,
        "engine": 40,
    }
    assert conf.get("group:adapters", "programs") == "nt8,sierra,mt5_global"
    assert conf.get("group:companions", "programs") == "sierra-dtc,mt5_global-mt5"
    assert program_names(PLAN) == [
        "companions:sierra-dtc",
        "companions:mt5_global-mt5",
        "gateway",
        "adapters:nt8",
        "adapters:sierra",
        "adapters:mt5_global",
        "engine",
    ]


def test_commands_run_the_profile_and_companions_run_as_the_registry_says() -> None:
    conf = parse(render(PLAN))
    profile = "--profile dev --config-dir /etc/nexusgw"
    assert conf.get("program:gateway", "command") == f"/opt/nexusgw/bin/nexusgw serve {profile}"
    assert conf.get("program:nt8", "command") == f"/opt/nexusgw/bin/nexusgw adapter nt8 {profile}"
    assert conf.get("program:mt5_global-mt5", "command") == (
        "/opt/nexusgw/bin/python -m nexus_gw.adapters.mt5.companion --platform mt5_global --port 18812 "
        f"--state-file /var/lib/nexusgw/companions/mt5_global-mt5-state.json {profile}"
    )
    assert " --state-file /var/lib/nexusgw/companions/sierra-dtc-state.json -x y --profile dev" in conf.get(
        "program:sierra-dtc", "command"
    )


def test_an_adapter_is_pointed_at_its_companions_port_and_only_an_adapter_with_one() -> None:
    conf = parse(render(PLAN))
    assert conf.get("program:sierra", "environment") == f'{setting_env("sierra", "port")}="11099"'
    assert conf.get("program:mt5_global", "environment") == 'NEXUSGW_PLATFORMS__MT5_GLOBAL__SETTINGS__PORT="18812"'
    assert not conf.has_option("program:nt8", "environment")
    assert conf.get("supervisord", "environment") == 'NEXUSGW_GATEWAY__DATA_DIR="/var/lib/nexusgw",PYTHONUNBUFFERED="1"'


def test_every_program_restarts_stops_with_its_group_and_logs_rotated_under_the_logs_dir() -> None:
    conf = parse(render(PLAN))
    for section in (s for s in conf.sections() if s.startswith("program:")):
        name = section.removeprefix("program:")
        assert conf.get(section, "autorestart") == "true", name
        assert conf.getint(section, "startsecs") >= 2, name
        assert conf.getint(section, "startretries") == 10, name
        assert conf.get(section, "stopasgroup") == conf.get(section, "killasgroup") == "true", name
        assert conf.get(section, "stdout_logfile") == f"/var/log/nexusgw/{name}.log"
        assert conf.get(section, "stdout_logfile_maxbytes") == "50MB"
        assert conf.get(section, "redirect_stderr") == "true"
    assert conf.getint("program:gateway", "stopwaitsecs") == 30  # room to close the journal cleanly
    assert conf.get("supervisord", "logfile") == "/var/log/nexusgw/supervisord.log"


def test_the_engine_is_a_placeholder_that_never_starts_on_its_own_unless_given_a_command() -> None:
    conf = parse(render(PLAN))
    assert conf.get("program:engine", "autostart") == "false"
    assert "placeholder" in conf.get("program:engine", "command")
    mine = parse(render(replace(PLAN, engine_command=("/srv/engine/run", "--live"))))
    assert mine.get("program:engine", "command") == "/srv/engine/run --live"


def test_control_by_unix_socket_or_loopback_port() -> None:
    conf = parse(render(PLAN))
    assert conf.get("unix_http_server", "file") == "/var/lib/nexusgw/supervisor.sock"
    assert conf.get("unix_http_server", "chmod") == "0700"
    assert conf.get("supervisorctl", "serverurl") == "unix:///var/lib/nexusgw/supervisor.sock"
    inet = parse(render(replace(PLAN, control=Control.parse("inet:127.0.0.1:9011"))))
    assert inet.get("inet_http_server", "port") == "127.0.0.1:9011"
    assert inet.get("supervisorctl", "serverurl") == "http://127.0.0.1:9011"
    assert not inet.has_section("unix_http_server")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("inet:0.0.0.0:9001", "loopback"),
        ("inet:10.0.0.5:9001", "loopback"),
        ("inet:127.0.0.1:99999", "loopback"),
        ("unix:relative.sock", "expected unix:/absolute"),
        ("ftp:x", "expected unix:/absolute"),
        ("unix:/" + "d" * 120 + "/s.sock", "shorter --control"),
    ],
)
def test_a_control_that_is_unsafe_or_cannot_work_is_refused_saying_what_to_use(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        Control.parse(text)


def test_percent_signs_are_escaped_for_supervisords_expansion_and_paths_with_spaces_quoted() -> None:
    conf = parse(render(replace(PLAN, data_dir="/srv/100% data", nexusgw=("/opt/my apps/nexusgw",))))
    assert conf.get("program:gateway", "command").startswith("'/opt/my apps/nexusgw' serve")
    assert conf.get("supervisord", "pidfile") == "/srv/100%% data/supervisord.pid"


def test_an_environment_value_supervisord_cannot_hold_is_refused() -> None:
    with pytest.raises(UsageError, match="double quote"):
        render(replace(PLAN, environment={"X": 'a"b'}))


def test_two_companions_asking_for_one_port_get_distinct_ones_in_order() -> None:
    assert assign_ports({"mt5_global": 18812, "mt5_brazil": 18812, "sierra": 18813}) == {
        "mt5_global": 18812,
        "mt5_brazil": 18813,
        "sierra": 18814,
    }
