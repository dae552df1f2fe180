"""Settings models of drivers whose implementation ships in a later release.

They exist so staged profiles that name these platforms validate today: the keys a trader sets
are fixed, and secrets come from the environment, never from YAML.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NT8Settings(_Settings):
    host: str = Field("127.0.0.1", description="Host of the NinjaScript bridge.")
    port: int = Field(9001, ge=1, le=65535, description="TCP port of the NinjaScript bridge.")
    account: str = Field("Sim101", description="NinjaTrader account to trade.")
