"""The optional HTTP FX source, polled in a side thread so the gateway loop never waits on the network.

Each poll asks for today's bulletin (then earlier days, for weekends and holidays), parses it, writes the
answer to a cache file and hands the rate to the loop through a queue. On start, and whenever the source
fails, the cached answer is used: it carries its own timestamp, so the rate book refuses it once it is too
old, exactly as any other stale rate.
"""

from __future__ import annotations

import logging
import queue
import threading
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from nexus_gw.domain.fx import SAO_PAULO, FxHttpSettings, FxRate, parse_ptax_json
from nexus_gw.errors import NexusGwError

log = logging.getLogger(__name__)


class HttpRateFeed:
    def __init__(self, settings: FxHttpSettings, cache_file: Path, now: Callable[[], datetime]) -> None:
        self.settings = settings
        self.cache_file = cache_file
        self.now = now
        self.rates: queue.SimpleQueue[FxRate] = queue.SimpleQueue()
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fx-http", daemon=True)

    def start(self) -> None:
        self._load_cache()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.settings.timeout_s + 1)

    def drain(self) -> list[FxRate]:
        out = []
        while True:
            try:
                out.append(self.rates.get_nowait())
            except queue.Empty:
                return out

    def _load_cache(self) -> None:
        try:
            self.rates.put(parse_ptax_json(self.cache_file.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return
        except (NexusGwError, OSError) as exc:
            log.warning("fx cache %s unusable (%s); waiting for the HTTP source", self.cache_file, exc)

    def poll_once(self) -> FxRate | None:
        """Ask for the newest bulletin; on success cache and queue it. Never raises."""
        today = self.now().astimezone(SAO_PAULO).date()
        for back in range(self.settings.lookback_days + 1):
            url = self.settings.url.format(date=today - timedelta(days=back))
            try:
                with urllib.request.urlopen(url, timeout=self.settings.timeout_s) as response:
                    text = response.read().decode("utf-8")
                rate = parse_ptax_json(text)
            except NexusGwError as exc:
                log.info("fx http: %s (%s)", exc, url)
                continue
            except OSError as exc:
                self.failures += 1
                log.warning("fx http source failed: %s; the cached or live WDO rate stays in use", exc)
                return None
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            self.cache_file.write_text(text, encoding="utf-8")
            self.rates.put(rate)
            return rate
        self.failures += 1
        log.warning("fx http: no bulletin in the last %d days", self.settings.lookback_days + 1)
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # a side task must never die silently
                log.exception("fx http poll failed unexpectedly")
            self._stop.wait(self.settings.interval_s)
