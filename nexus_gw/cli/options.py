"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ProfileOpt = Annotated[
    str,
    typer.Option("--profile", "-p", help="Profile name in config/profiles (dev, stage1…stage4) or a path."),
]
ConfigDirOpt = Annotated[
    Path | None,
    typer.Option("--config-dir", help="Config directory (default: $NEXUSGW_CONFIG_DIR, else ./config)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
