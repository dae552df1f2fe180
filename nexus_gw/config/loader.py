"""Load a profile: base ``gateway.yaml`` ← the profile's ``extends:`` chain ← the profile ← environment.

Errors name the file, line and column of the offending key, what was wrong, and what is allowed:
``config/profiles/stage2.yaml:14:3: trading.default_qty: Input should be greater than 0 (was -1)``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nexus_gw.config.models import Profile, SettingsCheck, checking_driver_settings
from nexus_gw.config.paths import BASE_FILE, CONFIG_DIR_ENV, PROFILE_ENV, find_config_dir, resolve_data_dir
from nexus_gw.config.yamlsource import KeyPath, Origin, deep_merge, origin_of, read_yaml
from nexus_gw.domain.instruments import InstrumentRegistry, InstrumentsFile
from nexus_gw.domain.symbols import SymbolMapper, SymbolsFile
from nexus_gw.domain.symbols import templates as symbol_templates
from nexus_gw.errors import ConfigError

ENV_PREFIX = "NEXUSGW_"
NOT_OVERRIDES = frozenset({CONFIG_DIR_ENV, PROFILE_ENV, "NEXUSGW_ADMIN_ENDPOINT"})  # CLI settings, not profile keys
MAX_EXTENDS_DEPTH = 8


@dataclass(frozen=True)
class ReferenceData:
    """Instruments and symbol mappings, shared by every profile."""

    instruments: InstrumentRegistry
    symbols: SymbolMapper


@dataclass(frozen=True)
class LoadedProfile:
    profile: Profile
    reference: ReferenceData
    config_dir: Path
    files: tuple[Path, ...]

    @property
    def name(self) -> str:
        return self.profile.name


def available_profiles(config_dir: Path) -> list[str]:
    return sorted(p.stem for p in (config_dir / "profiles").glob("*.yaml"))


def _profile_path(name: str, config_dir: Path) -> Path:
    if name.endswith((".yaml", ".yml")) or "/" in name:
        return Path(name)
    path = config_dir / "profiles" / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(available_profiles(config_dir)) or "none"
        raise ConfigError(f"profile {name!r} not found in {config_dir / 'profiles'}; available: {known}")
    return path


def _profile_chain(path: Path, config_dir: Path) -> list[tuple[Path, dict[str, Any], dict[KeyPath, Origin]]]:
    chain: list[tuple[Path, dict[str, Any], dict[KeyPath, Origin]]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if resolved in seen:
            loop = " -> ".join(p.stem for p in [*seen, resolved])
            raise ConfigError(f"{current}: extends loop ({loop}); remove one of the extends: keys")
        if len(seen) >= MAX_EXTENDS_DEPTH:
            raise ConfigError(f"{current}: extends chain deeper than {MAX_EXTENDS_DEPTH}; flatten it")
        seen.append(resolved)
        data, origins = read_yaml(current)
        parent = data.pop("extends", None)
        chain.append((current, data, origins))
        if parent is None:
            current = None
        elif not isinstance(parent, str):
            raise ConfigError(f"{origins[('extends',)]}: extends must be a profile name, e.g. extends: stage1")
        else:
            current = _profile_path(parent, config_dir)
    chain.reverse()
    return chain


def _env_origins(env: Mapping[str, str]) -> dict[KeyPath, Origin]:
    origins: dict[KeyPath, Origin] = {}
    for key in env:
        if key.startswith(ENV_PREFIX) and key not in NOT_OVERRIDES:
            path = tuple(part.lower() for part in key[len(ENV_PREFIX) :].split("__"))
            origins[path] = Origin(f"environment variable {key}")
    return origins


def format_validation_error(
    exc: ValidationError, origins: dict[KeyPath, Origin], what: str, prefix: KeyPath = ()
) -> str:
    lines = [f"{what} is not valid:"]
    for error in exc.errors():
        loc = tuple(str(p) if not isinstance(p, int) else p for p in error["loc"])
        origin = origin_of((*prefix, *loc), origins)
        where = f"{origin}: " if origin else ""
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key; check the spelling (nexusgw profile show --explain lists the keys)"
        elif error["type"] == "missing":
            message = "required key is missing"
        shown = error.get("input")
        value = (
            "" if error["type"] in ("missing", "extra_forbidden") or isinstance(shown, dict) else f" (was {shown!r})"
        )
        lines.append(f"  {where}{dotted}: {message}{value}")
    return "\n".join(lines)


def load_reference(config_dir: Path, files: Any = None, templates: Mapping[str, str] | None = None) -> ReferenceData:
    """Load and validate the instrument and symbol files; ``templates`` (instance → contract template, from the
    instances' ``symbol_template`` setting) replace those instances' template and suffix in the symbol file."""
    from nexus_gw.config.models import ReferenceFiles

    files = files or ReferenceFiles()
    inst_path = config_dir / files.instruments
    sym_path = config_dir / files.symbols
    inst_data, inst_origins = read_yaml(inst_path)
    sym_data, sym_origins = read_yaml(sym_path)
    for name, template in (templates or {}).items():
        spec = (sym_data.get("platforms") or {}).get(name)
        if isinstance(spec, dict):
            spec.update(template=template, suffix="")
    try:
        InstrumentsFile.model_validate(inst_data)
        instruments = InstrumentRegistry.from_mapping(inst_data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, inst_origins, str(inst_path))) from None
    try:
        SymbolsFile.model_validate(sym_data)
        symbols = SymbolMapper.from_mapping(sym_data, instruments)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, sym_origins, str(sym_path))) from None
    return ReferenceData(instruments=instruments, symbols=symbols)


def load_profile(
    name: str, config_dir: Path | None = None, *, check_settings: SettingsCheck | None = None
) -> LoadedProfile:
    """Load, merge, override and validate profile ``name`` (a name in config/profiles or a path).

    ``NEXUSGW_<SECTION>__<KEY>`` environment variables override the files (pydantic-settings reads them).
    ``gateway.data_dir`` comes back absolute (``config/paths.py`` says where a relative one goes).
    ``check_settings`` validates each platform instance's driver name and ``settings:`` (the CLI passes the
    adapters' registry check, ``validate_driver_settings``); without it they are not checked here.
    """
    config_dir = find_config_dir(config_dir)
    base_data, origins = read_yaml(config_dir / BASE_FILE)
    path = _profile_path(name, config_dir)
    chain = _profile_chain(path, config_dir)
    merged = base_data
    for _file, data, file_origins in chain:
        deep_merge(merged, origins, data, file_origins)
    merged.setdefault("name", path.stem)
    origins.update(_env_origins(os.environ))
    try:
        with checking_driver_settings(check_settings):
            profile = Profile(**merged)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, origins, f"profile {path.stem}")) from None
    except ConfigError as exc:
        raise ConfigError(f"profile {path.stem}: {exc}") from None
    gateway = profile.gateway.model_copy(update={"data_dir": resolve_data_dir(profile.gateway.data_dir)})
    profile = profile.model_copy(update={"gateway": gateway})
    try:
        templates = symbol_templates.overrides({n: p.settings for n, p in profile.platforms.items()})
    except ValueError as exc:
        raise ConfigError(f"profile {path.stem}: {exc}") from None
    reference = load_reference(config_dir, profile.reference, templates)
    _check_profile_against_reference(profile, reference, origins)
    return LoadedProfile(
        profile=profile,
        reference=reference,
        config_dir=config_dir,
        files=(config_dir / BASE_FILE, *(p for p, _, _ in chain)),
    )


def _check_profile_against_reference(
    profile: Profile, reference: ReferenceData, origins: dict[KeyPath, Origin]
) -> None:
    problems: list[str] = []
    known_roots = reference.instruments.roots()
    known_platforms = reference.symbols.platforms()
    for index, root in enumerate(profile.symbols):
        if root not in known_roots:
            where = origin_of(("symbols", index), origins)
            problems.append(f"  {where}: symbols: {root!r} is not an instrument; known: {', '.join(known_roots)}")
    for name in profile.platforms:
        if name not in known_platforms:
            where = origin_of(("platforms", name), origins)
            problems.append(
                f"  {where}: platforms.{name}: no symbol mapping for this platform in symbols.yaml; "
                f"known: {', '.join(known_platforms)}"
            )
    if profile.fx.quote_instrument not in known_roots:
        where = origin_of(("fx", "quote_instrument"), origins)
        problems.append(
            f"  {where}: fx.quote_instrument: {profile.fx.quote_instrument!r} is not an instrument; "
            f"known: {', '.join(known_roots)}"
        )
    enabled = [n for n in profile.enabled_platforms() if n in known_platforms]
    for root in profile.symbols:
        if root in known_roots and enabled and not any(reference.symbols.supports(p, root) for p in enabled):
            problems.append(
                f"  symbols: {root!r} is traded by none of the enabled platforms ({', '.join(enabled)}); "
                "add a platform that trades it or remove the symbol"
            )
    if problems:
        raise ConfigError(f"profile {profile.name} does not fit the reference data:\n" + "\n".join(problems))
