"""Settings of the template driver (``driver: <platform>``), as a profile's ``settings:`` block gives them.

Copy rules: one pydantic model, frozen, unknown keys refused (``extra="forbid"``), each field with a default that
works for a local development setup and a description an operator can act on. Secrets are never settings: name
the environment variable that holds them (``password_env``) and read it when the driver starts.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TemplateSettings(BaseModel):
    """How the driver reaches the platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    server: str = Field("demo", min_length=1, description="Platform server (terminal, host…) to connect to.")
    account: str = Field("demo", description="Account that orders go to.")
    password_env: str = Field("NEXUSGW_TEMPLATE_PASSWORD", description="Environment variable holding the password.")
    library: str = Field(
        "nexus_gw.adapters._template.fakeplatform",
        description="Module of the platform's own Python library, imported when the driver starts (never before).",
    )
    poll_interval_s: float = Field(0.02, gt=0, le=5, description="Seconds between polls of quotes and executions.")
    reconnect_initial_s: float = Field(0.05, gt=0, le=300, description="First delay before reconnecting.")
    reconnect_max_s: float = Field(5.0, gt=0, le=3600, description="Longest delay between reconnect attempts.")
