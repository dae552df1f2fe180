"""The optional HTTP FX source against a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote

import pytest

from nexus_gw.client.admin import admin_request
from nexus_gw.domain.fx import FxHttpSettings
from nexus_gw.server.fxfeed import HttpRateFeed
from nexus_gw.stack import Endpoints

pytestmark = pytest.mark.integration

BULLETINS = {  # São Paulo dates (MM-DD-YYYY) -> PTAX selling rate; the weekend has none
    "03-14-2025": {"cotacaoCompra": 5.7390, "cotacaoVenda": 5.7396, "dataHoraCotacao": "2025-03-14 13:08:27.583"},
}


class PtaxHandler(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        day = unquote(self.path).split("'")[1]
        PtaxHandler.requests.append(day)
        rows = [BULLETINS[day]] if day in BULLETINS else []
        body = json.dumps({"value": rows}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ptax_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), PtaxHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    PtaxHandler.requests = []
    yield f"http://127.0.0.1:{server.server_port}/ptax?d='{{date:%m-%d-%Y}}'"
    server.shutdown()
    server.server_close()


def sunday() -> datetime:
    return datetime(2025, 3, 16, 15, 0, tzinfo=UTC)


def test_weekend_asks_earlier_days_and_caches_the_answer(ptax_server: str, tmp_path: Path) -> None:
    feed = HttpRateFeed(FxHttpSettings(url=ptax_server, timeout_s=2), tmp_path / "cache.json", sunday)
    rate = feed.poll_once()
    assert rate is not None and float(rate.rate) == pytest.approx(5.7396) and rate.source == "http"
    assert PtaxHandler.requests == ["03-16-2025", "03-15-2025", "03-14-2025"]
    assert json.loads((tmp_path / "cache.json").read_text())["value"][0]["cotacaoVenda"] == 5.7396
    assert feed.drain() == [rate]


def test_unreachable_source_falls_back_to_the_cache_and_counts_the_failure(ptax_server: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    HttpRateFeed(FxHttpSettings(url=ptax_server, timeout_s=2), cache, sunday).poll_once()
    dead = FxHttpSettings(url="http://127.0.0.1:9/ptax?d='{date:%m-%d-%Y}'", timeout_s=1, interval_s=3600)
    feed = HttpRateFeed(dead, cache, sunday)
    feed.start()
    try:
        deadline = time.monotonic() + 5
        while feed.failures == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        rates = feed.drain()
    finally:
        feed.stop()
    assert feed.failures == 1
    assert [float(r.rate) for r in rates] == [pytest.approx(5.7396)]


def test_gateway_uses_the_http_rate_and_refuses_it_once_stale(
    ptax_server: str, endpoints: Endpoints, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nexus_gw.config.loader import load_profile
    from nexus_gw.server.gateway import Gateway
    from tests.conftest import CONFIG_DIR

    monkeypatch.setenv("NEXUSGW_FX__HTTP__URL", ptax_server)
    monkeypatch.setenv("NEXUSGW_GATEWAY__CLOCK__START", "2025-03-16T15:00:00+00:00")
    gateway = Gateway(load_profile("dev", CONFIG_DIR))
    gateway.bind(announce=lambda line: None)
    thread = threading.Thread(target=gateway.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 5
        fx = admin_request(endpoints.admin, "status")["fx"]
        while "rate" not in fx and time.monotonic() < deadline:
            time.sleep(0.1)
            fx = admin_request(endpoints.admin, "status")["fx"]
        assert fx["source"] == "http" and fx["rate"] == pytest.approx(5.7396)
    finally:
        gateway.stop_requested = True
        thread.join(timeout=5)
    monkeypatch.setenv("NEXUSGW_GATEWAY__CLOCK__START", "2025-03-20T15:00:00+00:00")
    monkeypatch.setenv("NEXUSGW_FX__HTTP__URL", "http://127.0.0.1:9/x?d='{date:%m-%d-%Y}'")
    monkeypatch.setenv("NEXUSGW_FX__HTTP__TIMEOUT_S", "1")
    later = Gateway(load_profile("dev", CONFIG_DIR))
    try:
        later.fx_feed._load_cache()  # what start() does first: the cached Friday bulletin
        later.fx.update_all(later.fx_feed.drain())
        refused = later.fx_rate()
        assert isinstance(refused, str) and "stale" in refused and "old" in refused
    finally:
        later.ledger.close()
