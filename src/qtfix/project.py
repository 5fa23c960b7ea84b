"""Which files to analyse, and with which compiler flags.

Flags come from a compile_commands.json when there is one (named with `-p`,
or found upward from the file), otherwise from the Qt installed on the machine
(pkg-config, then qmake6/qmake, or `--qt-include`). A legacy test checked
without its build tree is the common case, so the fallback must be good.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .fileio import kind_of, real_path

SOURCE_SUFFIXES = frozenset({".cpp", ".cc", ".cxx", ".c++", ".cp"})
HEADER_SUFFIXES = frozenset({".h", ".hpp", ".hh", ".hxx", ".h++"})
CPP_SUFFIXES = SOURCE_SUFFIXES | HEADER_SUFFIXES
# Always asked for first; every other installed Qt6 module (DBus, Sql, Xml,
# ...) is added after them, so a test of any module parses without a build.
QT_PKG_MODULES = ("Qt6Core", "Qt6Network", "Qt6Test", "Qt6Gui", "Qt6Widgets", "Qt6Concurrent")
BASE_FLAGS = ("-x", "c++", "-std=c++17", "-fPIC", "-Wno-everything")
# Flags that only matter for producing objects (or that clang does not know)
# and that make libclang fail or print noise when analysing.
_DROP_WITH_VALUE = frozenset({"-o", "-MF", "-MT", "-MQ", "--serialize-diagnostics"})
_DROP = frozenset({"-c", "-MD", "-MMD", "-M", "-MM", "-pipe", "-fno-fat-lto-objects"})


class UsageError(Exception):
    """Bad input for the whole run; the message is one line for the user."""


def is_build_or_hidden(name: str) -> bool:
    lowered = name.lower()
    return (
        name.startswith(".")
        or lowered in {"build", "builds", "_build", "__pycache__", "node_modules"}
        or lowered.startswith(("build-", "build_", "cmake-build-"))
    )


def exclusion(patterns: Sequence[str]):
    """A matcher for `--exclude` patterns (gitignore syntax), or None."""
    if not patterns:
        return None
    import pathspec

    try:
        return pathspec.PathSpec.from_lines("gitwildmatch", patterns)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"--exclude: bad pattern: {exc}") from None


def collect_files(paths: Sequence[Path], exclude: Sequence[str] = (), skip=None) -> list[Path]:
    """C++ sources and headers named by `paths` (directories are walked;
    what `exclude` matches below a walked directory, or `skip(file)` says
    to leave out, is left out; a file named in `paths` is always kept)."""
    spec = exclusion(exclude)
    files: list[Path] = []
    for given in paths:
        if not given.exists():
            what = "a symlink that loops or leads nowhere" if given.is_symlink() else "no such file or directory"
            raise UsageError(f"{given}: {what}")
        if given.is_file():
            files.append(given)
            continue
        if not given.is_dir():
            raise UsageError(f"{given}: {kind_of(given.stat().st_mode)}, not a regular file or a directory")
        walked = _walk(given)
        found = [f for f in walked if (spec is None or not spec.match_file(f.relative_to(given).as_posix()))
                 and (skip is None or not skip(f))]
        if not found:
            what = "no C++ source or header files" + (" left after the exclude patterns" if len(walked) > len(found) else "")
            raise UsageError(f"{given}: {what} in this directory")
        files += found
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = real_path(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _walk(given: Path) -> list[Path]:
    found = []
    for root, dirs, names in os.walk(given):
        dirs[:] = sorted(d for d in dirs if not is_build_or_hidden(d) and not (Path(root) / d / "CMakeCache.txt").exists())
        found += [Path(root) / n for n in sorted(names) if Path(n).suffix.lower() in CPP_SUFFIXES]
    return found


# -- Qt discovery ------------------------------------------------------------


@lru_cache(maxsize=None)
def _pkg_config_flags() -> tuple[str, ...]:
    if shutil.which("pkg-config") is None:
        return ()
    listed = subprocess.run(["pkg-config", "--list-all"], capture_output=True, text=True).stdout.split("\n")
    installed = {line.split()[0] for line in listed if line.startswith("Qt6")}
    installed.discard("Qt6Platform")  # build-system internals, no headers of its own
    present = [m for m in QT_PKG_MODULES if m in installed] + sorted(installed - set(QT_PKG_MODULES))
    if "Qt6Core" not in present:
        return ()
    res = subprocess.run(["pkg-config", "--cflags", *present], capture_output=True, text=True)
    if res.returncode != 0:
        # A broken module (its .pc requires one that is not installed, as
        # Debian's qt6-remoteobjects-dev without qt6-declarative-dev) must not
        # cost the others: ask for the modules one by one, keep those that answer.
        present = [m for m in present if subprocess.run(["pkg-config", "--exists", m]).returncode == 0]
        if "Qt6Core" not in present:
            return ()
        res = subprocess.run(["pkg-config", "--cflags", *present], capture_output=True, text=True)
    return tuple(shlex.split(res.stdout)) if res.returncode == 0 else ()


@lru_cache(maxsize=None)
def _qmake_headers() -> str | None:
    for qmake in ("qmake6", "qmake-qt6", "qmake"):
        exe = shutil.which(qmake)
        if exe is None:
            continue
        res = subprocess.run([exe, "-query", "QT_INSTALL_HEADERS"], capture_output=True, text=True)
        if res.returncode == 0 and res.stdout.strip() and Path(res.stdout.strip()).is_dir():
            return res.stdout.strip()
    return None


def module_define(module: str) -> str:
    """The define a build adds for a Qt module (`QtNetwork` -> `QT_NETWORK_LIB`).
    Headers and tests test it (`#ifdef QT_NETWORK_LIB`), and QTEST_MAIN picks
    its application class by QT_WIDGETS_LIB / QT_GUI_LIB."""
    name = module.removeprefix("Qt")
    return "QT_TESTLIB_LIB" if name == "Test" else f"QT_{name.upper()}_LIB"


def qt_flags_for_headers_dir(headers: Path) -> tuple[str, ...]:
    flags = ["-I", str(headers)]
    for module in sorted(headers.glob("Qt*")):
        if module.is_dir() and (module / module.name).is_file():  # a module has its umbrella header
            flags += ["-I", str(module), f"-D{module_define(module.name)}"]
    return tuple(flags)


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in folder.name.split(".") if part.isdigit())


def private_include_flags(flags: Sequence[str]) -> tuple[str, ...]:
    """Qt's private headers (Debian's qt6-base-private-dev, qtbase5-private-dev),
    added as CMake's Qt::CorePrivate adds them: for each module folder QtX of
    `flags` that has them, QtX/<version> (for `<QtX/private/...>`) and
    QtX/<version>/QtX (for `<private/...>`). Nothing when they are not installed."""
    folders = [flags[i + 1] for i, f in enumerate(flags[:-1]) if f == "-I"]
    folders += [f[2:] for f in flags if f.startswith("-I") and len(f) > 2]
    out: list[str] = []
    for folder in dict.fromkeys(folders):
        module = Path(folder)
        if not module.name.startswith("Qt"):
            continue
        versions = [v for v in module.glob("[0-9]*.[0-9]*.[0-9]*") if (v / module.name / "private").is_dir()]
        if versions:
            newest = max(versions, key=_version_key)
            out += ["-I", str(newest), "-I", str(newest / module.name)]
    return tuple(out)


def discover_qt_flags(qt_include: Path | None = None) -> tuple[str, ...]:
    if qt_include is not None:
        if not (qt_include / "QtCore").is_dir():
            raise UsageError(f"{qt_include}: not a Qt include directory (it has no QtCore/ folder)")
        flags = qt_flags_for_headers_dir(qt_include)
        return flags + private_include_flags(flags)
    flags = _pkg_config_flags()
    if flags:
        return flags + private_include_flags(flags)
    headers = _qmake_headers()
    if headers:
        flags = qt_flags_for_headers_dir(Path(headers))
        return flags + private_include_flags(flags)
    raise UsageError(
        "no Qt headers found: install them (Debian/Ubuntu: apt-get install qt6-base-dev) "
        "or pass --qt-include DIR (the folder that holds QtCore/)"
    )


# -- compile_commands.json ---------------------------------------------------


_INCLUDE_LINE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*["<]([^">\n]+)[">]', re.MULTILINE)


def included_names(path: Path, limit: int = 1 << 20) -> frozenset[str]:
    """The base names of the files `path` #includes (a textual scan of its
    first `limit` bytes; unreadable files include nothing)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(limit)
    except OSError:
        return frozenset()
    return frozenset(os.path.basename(m.decode("utf-8", "replace")) for m in _INCLUDE_LINE.findall(head))


@dataclass(frozen=True)
class CompileDatabase:
    path: Path
    entries: dict[Path, tuple[str, ...]]  # resolved source path -> analysis args

    def compiles(self, file: Path) -> bool:
        return real_path(file) in self.entries

    def args_for(self, file: Path) -> tuple[str, ...] | None:
        """The build's flags for a file it compiles; for a header, those of
        a compiled source that includes it (the nearest such one), else of
        the nearest compiled source (as clangd does); None for a source file
        the build does not compile."""
        key = real_path(file)
        if key in self.entries:
            return self.entries[key]
        if key.suffix.lower() not in HEADER_SUFFIXES:
            return None
        includers = [src for src in self._near(key) if key.name in included_names(src)]
        pool = includers or list(self.entries)
        best = max(sorted(pool), key=lambda src: _shared_depth(src, key), default=None)
        return self.entries[best] if best is not None else None

    def _near(self, key: Path, most: int = 400) -> list[Path]:
        """Compiled sources in the header's folder tree, widening one level
        at a time (at most two) until some are found; at most `most`."""
        for up in (key.parent, key.parent.parent, key.parent.parent.parent):
            found = [src for src in self.entries if src.is_relative_to(up)]
            if found:
                return sorted(found, key=lambda src: -_shared_depth(src, key))[:most]
        return []


def _shared_depth(a: Path, b: Path) -> int:
    return len(os.path.commonpath([a.parent, b.parent]).split(os.sep))


@lru_cache(maxsize=4096)
def _absolute(directory: Path, value: str) -> str:
    # Every entry of a database repeats the same include folders.
    return str((directory / value).resolve())


def _analysis_args(arguments: Sequence[str], directory: Path, source: Path) -> tuple[str, ...]:
    args: list[str] = []
    it = iter(arguments[1:])  # the compiler itself goes
    for a in it:
        if a in _DROP_WITH_VALUE:
            next(it, None)
            continue
        if a in _DROP or a.startswith("-MF") or a.startswith("-o"):
            continue
        if Path(a).name == source.name and (directory / a).resolve() == source:
            continue
        for flag in ("-I", "-isystem", "-iquote", "-include"):
            if a == flag:
                value = next(it, "")
                args += [flag, _absolute(directory, value) if value else value]
                break
            if a.startswith(flag) and len(a) > len(flag) and flag != "-include":
                args.append(flag + _absolute(directory, a[len(flag):]))
                break
        else:
            args.append(a)
    return tuple(args)


def _entry_args(i: int, entry: object) -> tuple[Path, tuple[str, ...]]:
    """One database entry's source file and analysis arguments; ValueError
    naming the entry when it is not what the format says."""
    if not isinstance(entry, dict) or "file" not in entry or "directory" not in entry:
        raise ValueError(f"entry {i} lacks 'file' or 'directory'")
    if not isinstance(entry["file"], str) or not isinstance(entry["directory"], str):
        raise ValueError(f"entry {i}: 'file' and 'directory' must be strings")
    directory = Path(entry["directory"])
    if "arguments" in entry:
        arguments = entry["arguments"]
        if not isinstance(arguments, list) or not all(isinstance(a, str) for a in arguments):
            raise ValueError(f"entry {i}: 'arguments' must be a list of strings")
    elif "command" in entry:
        if not isinstance(entry["command"], str):
            raise ValueError(f"entry {i}: 'command' must be a string")
        arguments = shlex.split(entry["command"])
    else:
        raise ValueError(f"entry {i} has neither 'arguments' nor 'command'")
    source = real_path(directory / entry["file"])
    return source, _analysis_args(arguments, directory, source)


def load_compile_database(path: Path) -> CompileDatabase:
    db_file = path / "compile_commands.json" if path.is_dir() else path
    if not db_file.is_file():
        raise UsageError(f"{db_file}: no compile_commands.json there (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)")
    try:
        data = json.loads(db_file.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ValueError("the top level is not a list")
        entries = dict(_entry_args(i, entry) for i, entry in enumerate(data))
    except RecursionError:
        raise UsageError(f"{db_file}: broken compile_commands.json: nested too deeply") from None
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{db_file}: broken compile_commands.json: {exc}") from None
    except OSError as exc:
        raise UsageError(f"{db_file}: cannot read: {exc.strerror or exc}") from None
    return CompileDatabase(db_file, entries)


def find_compile_database(file: Path) -> Path | None:
    for folder in real_path(file).parents:
        candidate = folder / "compile_commands.json"
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class FlagSource:
    """Resolves each file's analysis arguments."""

    build_dir: Path | None = None
    qt_include: Path | None = None

    def databases(self, files: Iterable[Path]) -> dict[Path, CompileDatabase]:
        found: dict[Path, CompileDatabase] = {}
        if self.build_dir is not None:
            db = load_compile_database(self.build_dir)
            return {f: db for f in files}
        cache: dict[Path, CompileDatabase] = {}
        for f in files:
            db_path = find_compile_database(f)
            if db_path is None:
                continue
            if db_path not in cache:
                cache[db_path] = load_compile_database(db_path)
            found[f] = cache[db_path]
        return found

    def args_for_all(self, files: Sequence[Path]) -> tuple[dict[Path, tuple[str, ...]], dict[Path, str]]:
        """(each file's analysis arguments, the files left out with why).

        With a compile database the build decides: a source file it does not
        compile (a Windows-only test, a template, a target switched off) is
        left out, never parsed with guessed flags; a header borrows the flags
        of a source that includes it. Without one, the installed Qt's flags."""
        dbs = self.databases(files)
        qt: tuple[str, ...] | None = None
        result: dict[Path, tuple[str, ...]] = {}
        left_out: dict[Path, str] = {}
        for f in files:
            if f in dbs:
                args = dbs[f].args_for(f)
                if args is None:
                    left_out[f] = f"not compiled by the build (not in {dbs[f].path})"
                    continue
                args = ("-x", "c++", "-Wno-everything") + args
            else:
                if qt is None:
                    qt = discover_qt_flags(self.qt_include)
                args = BASE_FLAGS + qt
            # The file's own folder (for its local includes) is added by the
            # analysis, so files of one folder set share precompiled headers.
            result[f] = args
        return result, left_out
