"""CURVE key files and key references: generate, write, read, and refuse what is unsafe.

A key file is a ZeroMQ certificate (the format ``zmq.auth.load_certificate`` reads): ``NAME.key`` holds the
public key only and may be handed out; ``NAME.key_secret`` holds the public and the secret key and must stay
private (mode 0600 on POSIX; on Windows only its owner should be granted access, see docs/deployment.md).

A key *reference* in a profile says where a key is:

- ``env:VAR``: the environment variable ``VAR`` holds the key itself (40 characters of Z85);
- a path to a key file (``~`` expanded; relative to the config directory);
- a public key may also be written as its 40 Z85 characters, a secret key never (it would end up in the YAML).

No secret key ever appears in an error message or a log line: errors name the file or the variable, never its value.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import zmq

from nexus_gw.errors import ConfigError

Z85_KEY_LEN = 40
_Z85 = re.compile(r"^[0-9a-zA-Z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}$")
_FIELD = re.compile(r'^\s*(public|secret)-key\s*=\s*"(.{40})"\s*$', re.MULTILINE)
PUBLIC_SUFFIX = ".key"
SECRET_SUFFIX = ".key_secret"


def is_z85_key(text: str) -> bool:
    return bool(_Z85.match(text))


@dataclass(frozen=True)
class KeyPair:
    """A CURVE key pair; ``repr`` never shows the secret."""

    public: bytes
    secret: bytes
    origin: str = ""

    def __repr__(self) -> str:
        return f"KeyPair(public={self.public.decode()!r}, secret=<hidden>, origin={self.origin!r})"

    @classmethod
    def from_secret(cls, secret: bytes, origin: str) -> KeyPair:
        try:
            public = zmq.curve_public(secret)
        except (zmq.ZMQError, ValueError):
            raise ConfigError(
                f"the secret key from {origin} is not a valid CURVE key; generate one with `nexusgw keys generate`"
            ) from None
        return cls(public, secret, origin)


# -- writing ---------------------------------------------------------------------------
def _certificate(name: str, public: bytes, secret: bytes | None) -> str:
    kind = "secret" if secret is not None else "public"
    lines = [
        f"#   nexusgw CURVE {kind} key {name!r}, generated {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC",
        "#   KEEP THIS FILE PRIVATE (chmod 600): whoever has it is this client or server."
        if secret is not None
        else "#   The public half: give it to the gateway's allow-list (or, for the server key, to its clients).",
        "",
        "metadata",
        f'    name = "{name}"',
        "curve",
        f'    public-key = "{public.decode()}"',
    ]
    if secret is not None:
        lines.append(f'    secret-key = "{secret.decode()}"')
    return "\n".join(lines) + "\n"


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` readable by its owner only; never replace an existing file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
    if sys.platform != "win32":
        os.chmod(path, 0o600)  # whatever the umask


def generate(directory: Path, name: str) -> tuple[Path, Path, bytes]:
    """Write ``NAME.key`` (public) and ``NAME.key_secret`` (secret, 0600) in ``directory``; return both paths and
    the public key. Refuses to overwrite either file."""
    if not re.match(r"^[A-Za-z0-9_.-]+$", name):
        raise ConfigError(f"key name {name!r} may only hold letters, digits, '.', '_' and '-'; e.g. --name gateway")
    directory.mkdir(parents=True, exist_ok=True)
    public_path, secret_path = directory / f"{name}{PUBLIC_SUFFIX}", directory / f"{name}{SECRET_SUFFIX}"
    for path in (public_path, secret_path):
        if path.exists():
            raise ConfigError(
                f"{path} exists; keys are never overwritten (a client or gateway may rely on them). Choose "
                "another --name, or move the old files away first (see docs/deployment.md, rotating keys)"
            )
    public, secret = zmq.curve_keypair()
    _write_private(secret_path, _certificate(name, public, secret))
    with public_path.open("x", encoding="ascii") as handle:
        handle.write(_certificate(name, public, None))
    return public_path, secret_path, public


# -- reading ---------------------------------------------------------------------------
def check_private(path: Path) -> None:
    """Refuse a secret key file that others may read (POSIX); on Windows the mode bits say nothing, see the docs."""
    if sys.platform == "win32":
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"secret key file {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
            f"run `chmod 600 {path}` (and keep it owned by the user that runs nexusgw)"
        )


def _fields(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise ConfigError(f"cannot read key file {path}: {exc.strerror}; check the path and its permissions") from None
    found = {kind: value for kind, value in _FIELD.findall(text)}
    if not found:
        bare = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        if len(bare) == 1 and is_z85_key(bare[0]):
            found = {"key": bare[0]}
    return found


def resolve_path(ref: str, base: Path | None) -> Path:
    path = Path(ref).expanduser()
    return path if path.is_absolute() or base is None else base / path


def _from_env(ref: str, env: Mapping[str, str], what: str) -> bytes:
    var = ref[len("env:") :]
    value = env.get(var, "").strip()
    if not value:
        raise ConfigError(f"{what}: environment variable {var} is not set; set it to the 40-character Z85 key")
    if not is_z85_key(value):
        raise ConfigError(
            f"{what}: environment variable {var} does not hold a 40-character Z85 CURVE key "
            f"(it has {len(value)} characters); copy the key from the key file"
        )
    return value.encode()


def load_secret(ref: str, base: Path | None = None, env: Mapping[str, str] | None = None, what: str = "") -> KeyPair:
    """The key pair a secret reference names (``env:VAR`` or a key file that only its owner can read)."""
    env = os.environ if env is None else env
    what = what or "secret key"
    if ref.startswith("env:"):
        return KeyPair.from_secret(_from_env(ref, env, what), f"${ref[4:]}")
    path = resolve_path(ref, base)
    if not path.is_file():
        if is_z85_key(ref):
            raise ConfigError(
                f"{what}: a secret key must not be written in the profile; put it in a key file (chmod 600) or an "
                "environment variable and write its path or env:VAR"
            )
        raise ConfigError(f"{what}: key file {path} not found; create one with `nexusgw keys generate`")
    fields = _fields(path)
    secret = fields.get("secret") or fields.get("key")
    if not secret:
        raise ConfigError(
            f"{what}: {path} holds no secret key (a public {PUBLIC_SUFFIX} file?); use the {SECRET_SUFFIX} file"
        )
    check_private(path)
    return KeyPair.from_secret(secret.encode(), str(path))


def load_public(ref: str, base: Path | None = None, env: Mapping[str, str] | None = None, what: str = "") -> bytes:
    """The public key a reference names: its 40 Z85 characters, ``env:VAR`` or a key file (public or secret)."""
    env = os.environ if env is None else env
    what = what or "public key"
    if ref.startswith("env:"):
        return _from_env(ref, env, what)
    path = resolve_path(ref, base)
    if not path.is_file() and is_z85_key(ref):
        return ref.encode()
    if not path.is_file():
        raise ConfigError(f"{what}: {ref!r} is neither a 40-character Z85 key nor a key file ({path} not found)")
    fields = _fields(path)
    public = fields.get("public") or (fields.get("key") if "secret" not in fields else None)
    if not public:
        raise ConfigError(f"{what}: no public key in {path}; use a file written by `nexusgw keys generate`")
    return public.encode()


def load_public_keys(ref: str, base: Path | None = None, what: str = "") -> dict[bytes, str]:
    """Public key -> name for one allow-list entry: a key, a key file, or a directory of ``*.key`` files."""
    path = resolve_path(ref, base) if not ref.startswith("env:") else None
    if path is not None and path.is_dir():
        found = {load_public(str(p), None, what=what): p.stem for p in sorted(path.glob(f"*{PUBLIC_SUFFIX}"))}
        if not found:
            raise ConfigError(f"{what}: directory {path} holds no *{PUBLIC_SUFFIX} public key files")
        return found
    name = path.stem if path is not None and path.is_file() else ref[:8] + "…"
    return {load_public(ref, base, what=what): name}
