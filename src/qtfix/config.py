"""Configuration files: `.qtfix.toml`, or `[tool.qtfix]` in a `pyproject.toml`.

A file's settings come from the configuration nearest to it, found from its
folder upward as clang-tidy finds `.clang-tidy` (in one folder `.qtfix.toml`
wins over `pyproject.toml`; a `pyproject.toml` without `[tool.qtfix]` is not
one). Nearest wins whole: configurations are not merged. Globs (`exclude`,
`per-file-ignores`) are gitignore patterns relative to the configuration's
folder. Command-line flags override every key they name.

Bad input (TOML that does not parse, an unknown key, a value of the wrong
type, an unknown code) is a ConfigError: one line naming the file and key.
"""

from __future__ import annotations

import os
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .project import UsageError

CONFIG_NAMES = (".qtfix.toml", "pyproject.toml")
# key -> (what a value must be, attribute of Config)
KEYS = {
    "select": ("a list of codes or prefixes", "select"),
    "ignore": ("a list of codes or prefixes", "ignore"),
    "per-file-ignores": ("a table of glob = list of codes", "per_file_ignores"),
    "exclude": ("a list of gitignore patterns", "exclude"),
    "timeout-ms": ("a whole number of milliseconds, at least 1", "timeout_ms"),
    "unsafe-fixes": ("true or false", "unsafe_fixes"),
    "jobs": ("a whole number of worker processes, at least 1", "jobs"),
}


class ConfigError(UsageError):
    """A configuration file that cannot be used; the message names it and the key."""


@dataclass(frozen=True)
class Config:
    """The values one configuration file sets (None: not set there)."""

    path: Path
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    exclude: tuple[str, ...] | None = None
    timeout_ms: int | None = None
    unsafe_fixes: bool | None = None
    jobs: int | None = None

    @property
    def folder(self) -> Path:
        return self.path.parent

    def relative(self, file: Path) -> str | None:
        """`file` relative to this configuration's folder, or None when outside it."""
        try:
            return file.absolute().relative_to(self.folder).as_posix()
        except ValueError:
            return None

    def excludes(self, file: Path) -> bool:
        rel = self.relative(file)
        return bool(self.exclude) and rel is not None and _spec(self.exclude).match_file(rel)

    def matches(self, glob: str, file: Path) -> bool:
        rel = self.relative(file)
        return rel is not None and _spec((glob,)).match_file(rel)

    def ignored_here(self, file: Path) -> tuple[str, ...]:
        """The codes `per-file-ignores` turns off for `file`."""
        return tuple(c for glob, codes in self.per_file_ignores or () if self.matches(glob, file) for c in codes)


def _spec(patterns: Sequence[str]):
    import pathspec

    return pathspec.PathSpec.from_lines("gitwildmatch", patterns)


def _table(path: Path) -> dict | None:
    """The qtfix table of a configuration file, or None when it holds none."""
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        data = tool.get("qtfix") if isinstance(tool, dict) else None
        if data is not None and not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.qtfix] must be a table")
    return data


def load(path: Path) -> Config | None:
    """The configuration in `path` (None for a pyproject.toml without [tool.qtfix])."""
    table = _table(path)
    if table is None:
        return None
    where = "[tool.qtfix] " if path.name == "pyproject.toml" else ""
    values = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f"{path}: {where}unknown key '{key}' (the keys are: {', '.join(KEYS)})")
        try:
            values[KEYS[key][1]] = _checked(key, value)
        except TypeError:
            raise ConfigError(f"{path}: {where}{key}: must be {KEYS[key][0]}") from None
        except ValueError as exc:
            raise ConfigError(f"{path}: {where}{key}: {exc}") from None
    return Config(path.absolute(), **values)


def _checked(key: str, value):
    if key in ("select", "ignore"):
        return _known_codes(_strings(value))
    if key == "exclude":
        patterns = _strings(value)
        try:
            _spec(patterns)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"bad pattern: {exc}") from None
        return patterns
    if key == "per-file-ignores":
        if not isinstance(value, dict):
            raise TypeError()
        for glob in value:
            _checked("exclude", [glob])
        return tuple((glob, _known_codes(_strings(codes))) for glob, codes in value.items())
    if key == "unsafe-fixes":
        if not isinstance(value, bool):
            raise TypeError()
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TypeError()
    return value


def _strings(value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TypeError()
    return tuple(v.strip() for v in value)


def _known_codes(codes: tuple[str, ...]) -> tuple[str, ...]:
    from .codemod import discover, select

    select(discover(), list(codes), [])  # raises ValueError naming an unknown code
    return codes


@dataclass
class Finder:
    """Finds (once per folder) the configuration nearest to a file."""

    _by_folder: dict[Path, Config | None] = field(default_factory=dict)

    def for_file(self, file: Path) -> Config | None:
        start = file.absolute()
        return self.for_folder(start if start.is_dir() else start.parent)

    def for_folder(self, folder: Path) -> Config | None:
        if folder not in self._by_folder:
            found = None
            for name in CONFIG_NAMES:
                candidate = folder / name
                if candidate.is_file():
                    found = load(candidate)
                    if found is not None:
                        break
            if found is None and folder.parent != folder:
                found = self.for_folder(folder.parent)
            self._by_folder[folder] = found
        return self._by_folder[folder]


@dataclass(frozen=True)
class Given:
    """What the command line set; None (or unset) leaves the key to the configuration."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    timeout_ms: int | None = None
    unsafe_fixes: bool | None = None
    jobs: int | None = None


DEFAULTS = Given(select=(), ignore=(), exclude=(), timeout_ms=5000, unsafe_fixes=False, jobs=os.cpu_count() or 1)


@dataclass(frozen=True)
class Resolved:
    """One file's settings (every key set), each with where it came from:
    "command line", a configuration file's path, or "default"."""

    config: Config | None
    settings: Given
    origins: dict[str, str]
    per_file_ignores: tuple[str, ...] = ()  # codes per-file-ignores turns off for this file

    @property
    def ignore(self) -> tuple[str, ...]:
        return self.settings.ignore + self.per_file_ignores

    def codes(self, codemods: dict) -> tuple[str, ...]:
        """The codes of the codemods this file runs: select, less ignore and per-file-ignores."""
        from .codemod import select

        return tuple(c.code for c in select(codemods, list(self.settings.select), list(self.ignore)))


def resolve(config: Config | None, given: Given, file: Path | None = None) -> Resolved:
    values, origins = {}, {}
    for name in DEFAULTS.__dataclass_fields__:
        for source, where in ((given, "command line"), (config, str(config.path) if config else ""),
                              (DEFAULTS, "default")):
            value = getattr(source, name) if source is not None else None
            if value is not None:
                values[name], origins[name] = value, where
                break
    ignored = config.ignored_here(file) if config is not None and file is not None else ()
    return Resolved(config, Given(**values), origins, ignored)


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return str(value)


def show_settings(path: Path, resolved: Resolved, codemods: dict) -> str:
    """`check --show-settings`: the settings `path` gets, each with where it comes from."""
    s, config = resolved.settings, resolved.config
    lines = [f"{path}:", f"  configuration file: {config.path if config else 'none found'}"]
    for name in DEFAULTS.__dataclass_fields__:
        key = name.replace("_", "-")
        lines.append(f"  {key} = {_toml(getattr(s, name))}  # {resolved.origins[name]}")
    if config is not None:
        for glob, codes in config.per_file_ignores or ():
            here = "applies" if config.matches(glob, path) else "does not apply"
            lines.append(f'  per-file-ignores "{glob}" = {_toml(codes)}  # {config.path}: {here}')
        if s.exclude and config.excludes(path) and resolved.origins["exclude"] != "command line":
            lines.append("  excluded: yes, when found by walking a folder (a file named on the command line is analysed)")
    lines.append(f"  codemods run = {_toml(resolved.codes(codemods))}")
    return "\n".join(lines) + "\n"
