"""``nexusgw keys generate``: a CURVE key pair for the gateway, an adapter host, a signal engine or an admin client."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from nexus_gw.config.loader import LoadedProfile

app = typer.Typer(
    help="CURVE keys: encryption and authentication on the gateway's sockets (docs/deployment.md).",
    no_args_is_help=True,
)


@app.command("generate")
def generate(
    directory: Annotated[
        Path, typer.Option("--dir", "-d", help="Directory to write the two files to (created if missing).")
    ] = Path("keys"),
    name: Annotated[
        str, typer.Option("--name", "-n", help="Key name: gateway, the adapter host, the engine, admin…")
    ] = "gateway",
) -> None:
    """Write NAME.key (the public key: hand it out) and NAME.key_secret (the key pair: private, mode 0600).

    Never overwrites: an existing file is an error (move the old pair away to rotate, see docs/deployment.md).
    """
    from nexus_gw.security.keys import generate as write_pair

    public_path, secret_path, public = write_pair(directory, name)
    typer.echo(f"public key  {public_path.resolve()}  ({public.decode()})")
    typer.echo(f"secret key  {secret_path.resolve()}  (keep it private; never copy it to another host)")
    if sys.platform == "win32":
        typer.echo(
            "Windows: file modes do not protect the secret; allow only your user: "
            f'icacls "{secret_path}" /inheritance:r /grant:r "%USERNAME%:F"'
        )
    if name == "gateway":
        typer.echo(
            "profile:   gateway.security.server_secret_key: <path of the .key_secret> (on the gateway's host); "
            "server_public_key: <path of the .key> (on every client's host)"
        )
    else:
        typer.echo(
            f"profile:   add {public_path.name} to the gateway's gateway.security.allow.<platform|nexus|admin>; "
            f"this client uses {secret_path.name} and the gateway's public key"
        )


def admin_curve_options(security: Mapping[str, Any] | None = None, config_dir: Path | None = None) -> dict[str, Any]:
    """Keyword arguments for ``admin_request``: ``{"curve": ...}`` for the admin client's keys, or ``{}``.

    ``security`` is a profile's ``gateway.security`` mapping as read from the YAML (only ``admin_secret_key`` and
    ``server_public_key`` are read, relative to ``config_dir``); ``$NEXUSGW_GATEWAY__SECURITY__ADMIN_SECRET_KEY``
    and ``$NEXUSGW_GATEWAY__SECURITY__SERVER_PUBLIC_KEY`` win over it. A command that must work with a broken
    profile (killswitch) can pass what it read tolerantly; ``admin_request`` without ``curve`` reads the
    environment alone."""
    from nexus_gw.security.curve import admin_client_curve

    curve = admin_client_curve(security, config_dir)
    return {"curve": curve} if curve is not None else {}


def profile_admin_options(loaded: LoadedProfile) -> dict[str, Any]:
    """``admin_curve_options`` for a validated profile (its ``gateway.security`` admin and server keys)."""
    security = loaded.profile.gateway.security
    return admin_curve_options(
        {"admin_secret_key": security.admin_secret_key, "server_public_key": security.server_public_key},
        loaded.config_dir,
    )
