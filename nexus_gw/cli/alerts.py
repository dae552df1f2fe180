"""``nexusgw alerts test|watch``: prove every configured sink reaches a person; watch the gateway from outside.

``test`` sends one test alert (severity WARNING, code ALERT_TEST) through every sink of the profile's
``alerts.sinks`` and exits 1 naming each sink that failed. ``watch`` evaluates the one rule the gateway cannot
evaluate itself — *gateway offline* (``alerts.rules.gateway_offline_s``) — by asking its admin socket for
``status`` every few seconds, and alerts through the same sinks when it stops answering (and when it is back).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from nexus_gw.cli.options import ConfigDirOpt, ProfileOpt
from nexus_gw.errors import CheckFailed, ConfigError

app = typer.Typer(help="Alert delivery: send a test alert through every sink; watch the gateway from outside.")


def _load(profile: str, config_dir: Any) -> Any:
    from nexus_gw.config.loader import load_profile

    return load_profile(profile, config_dir).profile


def _notifier(prof: Any) -> Any:
    from nexus_gw.server.monitoring import notifier_for

    try:
        return notifier_for(prof)
    except ValueError as exc:
        raise ConfigError(f"alerts: {exc}") from exc


def _alert(severity: str, code: str, message: str) -> dict[str, Any]:
    return {"severity": severity, "code": code, "message": message, "at": datetime.now(UTC).isoformat()}


@app.command("test")
def send_test(
    profile: ProfileOpt = "dev",
    config_dir: ConfigDirOpt = None,
    timeout_s: Annotated[float, typer.Option("--timeout", help="Seconds to wait for every sink.")] = 30.0,
) -> None:
    """Send a test alert through every configured sink; exit 1 naming each sink that failed."""
    prof = _load(profile, config_dir)
    notifier = _notifier(prof)
    notifier.repeat_every_s = 0
    notifier.min_rank = 0
    notifier.start()
    message = f"test alert from nexusgw alerts test (profile {prof.name}): if you read this, this sink works"
    notifier.submit(_alert("WARNING", "ALERT_TEST", message))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(w.delivered + w.failed == 0 for w in notifier.workers):
        time.sleep(0.05)
    failed = []
    for worker in notifier.workers:
        state = "delivered" if worker.delivered else ("FAILED" if worker.failed else "NO ANSWER (timed out)")
        typer.echo(f"{worker.sink.name}: {state}")
        if not worker.delivered:
            failed.append(worker.sink.name)
    notifier.stop(timeout_s=1.0)
    if failed:
        raise CheckFailed(f"alerts test: not delivered to {', '.join(failed)}; see the errors above")


@app.command("watch")
def watch(
    profile: ProfileOpt = "dev",
    config_dir: ConfigDirOpt = None,
    every_s: Annotated[float, typer.Option("--every", min=0.1, help="Seconds between status requests.")] = 2.0,
    once: Annotated[bool, typer.Option("--once", help="One check (cron): exit 1 when the gateway is offline.")] = False,
) -> None:
    """Alert when the gateway stops answering on its admin socket (the rule it cannot raise itself)."""
    from nexus_gw.client.admin import admin_request
    from nexus_gw.errors import GatewayUnavailable
    from nexus_gw.monitor.rules import gateway_offline

    prof = _load(profile, config_dir)
    endpoint = prof.gateway.sockets.admin
    rule = prof.alerts.rules.gateway_offline_s
    notifier = _notifier(prof)
    notifier.start()
    last_answer = time.monotonic()
    alerted = False
    try:
        while True:
            try:
                admin_request(endpoint, "status", timeout_s=min(every_s, 2.0), tries=1)
                last_answer = time.monotonic()
                if alerted:
                    notifier.submit(_alert("CRITICAL", "GATEWAY_BACK", f"gateway at {endpoint} answers again"))
                    alerted = False
            except GatewayUnavailable:
                silent = time.monotonic() - last_answer + (rule.threshold if once else 0.0)
                firing = gateway_offline(rule, silent, endpoint)
                if firing is not None and not alerted:
                    notifier.submit(_alert(firing.severity, firing.code, firing.message), firing.key)
                    alerted = True
            if once:
                notifier.stop(timeout_s=30.0)
                if alerted:
                    raise CheckFailed(f"alerts watch: the gateway at {endpoint} does not answer (alert sent)")
                return
            time.sleep(every_s)
    finally:
        notifier.stop(timeout_s=5.0)
