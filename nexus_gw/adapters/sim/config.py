"""Settings of the simulated platform driver (``driver: sim``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_PRICES = {
    "NQ": 21000.0,
    "MNQ": 21000.0,
    "ES": 5900.0,
    "MES": 5900.0,
    "YM": 43000.0,
    "MYM": 43000.0,
    "RTY": 2300.0,
    "M2K": 2300.0,
    "BTC": 95000.0,
    "MBT": 95000.0,
    "ETH": 3400.0,
    "MET": 3400.0,
    "BTCUSD": 95000.0,
    "ETHUSD": 3400.0,
    "WIN": 128000.0,
    "WDO": 5494.0,
}


class SimSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tick_interval_ms: float = Field(250, gt=0, description="Milliseconds between quotes per symbol.")
    fill_latency_ms: float = Field(20, ge=0, description="Delay from order arrival to each execution.")
    fills_per_order: int = Field(1, ge=1, le=100, description="Executions an order is split into (partials).")
    lot_step: float = Field(1.0, gt=0, description="Smallest tradable quantity step, for partial splits.")
    reject_rate: float = Field(0.0, ge=0, le=1, description="Probability that an order is rejected.")
    reject_symbols: list[str] = Field(default_factory=list, description="Platform symbols always rejected.")
    disconnect_after_s: float | None = Field(
        None, gt=0, description="Seconds after start at which the platform drops its connection."
    )
    disconnect_for_s: float = Field(5.0, gt=0, description="How long a simulated disconnect lasts.")
    prices: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_PRICES), description="Base price per root.")
    price_offset_ticks: float = Field(
        0.0, description="Constant offset of this platform's prices, in ticks (platforms differ slightly)."
    )
    seed: int | None = Field(None, description="Random seed for rejects and jitter; None for a random one.")
    replay_file: Path | None = Field(
        None, description="CSV of recorded ticks (time, symbol, bid, ask, last, size) to replay instead."
    )
    replay_speed: float = Field(1.0, gt=0, description="Replay speed factor: 2.0 plays twice as fast.")
    replay_loop: bool = Field(False, description="Start the replay file again when it ends.")
    state_file: Path | None = Field(
        None, description="Write the simulated exchange's working orders here (JSON) on every change, for checks."
    )

    @model_validator(mode="after")
    def _check_replay_file(self) -> SimSettings:
        if self.replay_file is not None and not self.replay_file.is_file():
            raise ValueError(f"replay_file {self.replay_file} does not exist; give a CSV path or remove the key")
        return self
