"""Where the configuration and the data (journal, state) live, for any install and any working directory.

Config directory, first that applies:

1. ``--config-dir DIR`` (must hold ``gateway.yaml``);
2. ``$NEXUSGW_CONFIG_DIR`` (must hold ``gateway.yaml``);
3. ``./config`` in the current directory, when it holds ``gateway.yaml`` (a checkout, or ``nexusgw init config``);
4. the user's config directory, when ``nexusgw init`` wrote one there: ``$XDG_CONFIG_HOME/nexusgw`` or
   ``~/.config/nexusgw`` on Linux, ``%APPDATA%\\nexusgw`` on Windows, ``~/Library/Application Support/nexusgw``
   on macOS;
5. ``/etc/nexusgw`` (not on Windows), when it holds ``gateway.yaml``;
6. the reference configuration shipped inside the package (read-only; ``nexusgw init`` copies it).

Data directory (``gateway.data_dir``): an absolute path is used as it is; a relative one (and the default, ``.``)
is taken under the base data directory: ``$STATE_DIRECTORY`` (set by systemd's ``StateDirectory=``), else
``/var/lib/nexusgw`` when running as root on a POSIX system, else the user's data directory:
``$XDG_DATA_HOME/nexusgw`` or ``~/.local/share/nexusgw`` on Linux, ``%LOCALAPPDATA%\\nexusgw`` on Windows,
``~/Library/Application Support/nexusgw`` on macOS. Never the current directory: cron, a unit and a shell all
read the same journal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import nexus_gw
from nexus_gw.errors import ConfigError

CONFIG_DIR_ENV = "NEXUSGW_CONFIG_DIR"
PROFILE_ENV = "NEXUSGW_PROFILE"
BASE_FILE = "gateway.yaml"
APP = "nexusgw"
SYSTEM_CONFIG_DIR = Path("/etc/nexusgw")
SYSTEM_DATA_DIR = Path("/var/lib/nexusgw")


def packaged_config_dir() -> Path:
    """The reference configuration this nexusgw ships: package data in an install, ``config/`` in a checkout."""
    package = Path(nexus_gw.__file__).resolve().parent
    installed = package / "reference_config"
    if (installed / BASE_FILE).is_file():
        return installed
    return package.parent / "config"  # an editable install or a checkout: the repository's config/


def _home(env: Mapping[str, str]) -> Path:
    return Path(env["HOME"]) if env.get("HOME") else Path.home()


def user_config_dir(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        base = env.get("APPDATA") or str(_home(env) / "AppData" / "Roaming")
        return Path(base) / APP
    if platform == "darwin":
        return _home(env) / "Library" / "Application Support" / APP
    return Path(env.get("XDG_CONFIG_HOME") or _home(env) / ".config") / APP


def user_data_dir(env: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        base = env.get("LOCALAPPDATA") or str(_home(env) / "AppData" / "Local")
        return Path(base) / APP
    if platform == "darwin":
        return _home(env) / "Library" / "Application Support" / APP
    return Path(env.get("XDG_DATA_HOME") or _home(env) / ".local" / "share") / APP


def _is_root() -> bool:
    geteuid = getattr(os, "geteuid", None)  # absent on Windows
    return geteuid is not None and geteuid() == 0


def base_data_dir(
    env: Mapping[str, str] | None = None, platform: str | None = None, is_root: bool | None = None
) -> Path:
    """The absolute directory relative ``gateway.data_dir`` values are taken under (see the module doc)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    state = (env.get("STATE_DIRECTORY") or "").split(":")[0]  # systemd may list several, colon-separated
    if state:
        return Path(state).absolute()
    root = _is_root() if is_root is None else is_root
    if platform != "win32" and root:
        return SYSTEM_DATA_DIR
    return user_data_dir(env, platform).absolute()


def resolve_data_dir(configured: Path, env: Mapping[str, str] | None = None) -> Path:
    """``gateway.data_dir`` as an absolute path: ``~`` expanded, a relative path under :func:`base_data_dir`."""
    path = Path(configured).expanduser()
    return path if path.is_absolute() else (base_data_dir(env) / path).absolute()


def config_dir_candidates(env: Mapping[str, str] | None = None, platform: str | None = None) -> list[Path]:
    """Steps 3–6 of the search order, in order."""
    platform = sys.platform if platform is None else platform
    found = [Path.cwd() / "config", user_config_dir(env, platform)]
    if platform != "win32":
        found.append(SYSTEM_CONFIG_DIR)
    found.append(packaged_config_dir())
    return found


def find_config_dir(explicit: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The config directory by the search order of the module doc; ConfigError naming what was tried."""
    env = os.environ if env is None else env
    if explicit is not None or env.get(CONFIG_DIR_ENV):
        chosen = Path(explicit) if explicit is not None else Path(env[CONFIG_DIR_ENV])
        if (chosen / BASE_FILE).is_file():
            return chosen
        given = "--config-dir" if explicit is not None else f"${CONFIG_DIR_ENV}"
        raise ConfigError(
            f"{given} {chosen} has no {BASE_FILE}; pass --config-dir or set {CONFIG_DIR_ENV} to a config directory "
            "(`nexusgw init DIR` writes one)"
        )
    candidates = config_dir_candidates(env)
    for candidate in candidates:
        if (candidate / BASE_FILE).is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise ConfigError(
        f"no config directory with {BASE_FILE} found (tried {tried}); run `nexusgw init`, pass --config-dir or "
        f"set {CONFIG_DIR_ENV}"
    )
