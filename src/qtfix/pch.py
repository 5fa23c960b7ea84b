"""Precompiled Qt headers, built once per set of flags and reused.

Nearly all of a QtTest file's parse time is the Qt headers. A precompiled
header of the Qt module umbrellas the flags can reach (QtCore, QtNetwork,
QtTest, ...) cuts it several times over. It is built from, and keyed by, the
part of the flags the Qt headers can see (`qt_relevant_args`: not a target's
own include folders or macros, so a CMake project's targets share a few), the
Qt headers' identity and libclang's version, so a change of any of them builds a new one; a file lock keeps
parallel workers and concurrent runs from building the same one twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from clang import cindex

from .fileio import replacing
from .parse import PARSE_OPTIONS, include_dirs_of

# Bump when the way precompiled headers are built changes.
PCH_FORMAT = 4
# The modules a precompiled header may hold, in the order they are included.
PRELUDE_MODULES = ("QtCore", "QtNetwork", "QtTest", "QtConcurrent")
# A file that defines or undefines, before its first include, a macro the Qt
# headers read (QT_NO_CAST_FROM_ASCII, QT_NO_DEBUG, ...) changes what they
# mean: the shared precompiled header would be wrong for it (`usable_for`).
_MACRO_BEFORE_INCLUDE = re.compile(rb"^[ \t]*#[ \t]*(?:define|undef)\b[ \t]*(\w*)", re.MULTILINE)
_IDENTIFIER = re.compile(rb"[A-Za-z_]\w*")
_FIRST_INCLUDE = re.compile(rb"^\s*#\s*include\b", re.MULTILINE)


def libclang_version() -> str:
    """libclang's own version string (the bindings do not wrap it)."""
    lib = cindex.conf.lib
    lib.clang_getClangVersion.restype = cindex._CXString
    lib.clang_getClangVersion.argtypes = []
    return cindex._CXString.from_result(lib.clang_getClangVersion())


def prelude_modules(args: Sequence[str]) -> list[str]:
    """The Qt modules whose umbrella header goes into the precompiled header
    for `args`: of PRELUDE_MODULES, those reachable from an include folder
    and, when the flags name module folders (a build names one for each Qt
    module a target links), only those named. A CMake test target linking
    QtTest alone then gets QtCore and QtTest, not QtNetwork and QtConcurrent
    too: a smaller header, built and loaded faster; a file that includes
    another module parses that module's headers after it, as it would alone."""
    dirs = include_dirs_of(args)
    reachable = [m for m in PRELUDE_MODULES if any((Path(d) / m / m).is_file() for d in dirs)]
    named = {Path(d).name for d in dirs if _is_module_dir(d)}
    return [m for m in reachable if m in named] if named else reachable


def _is_module_dir(d: str) -> bool:
    path = Path(d)
    return path.name.startswith("Qt") and (path.parent / "QtCore").is_dir() and (path / path.name).is_file()


def prelude(args: Sequence[str]) -> str:
    """The umbrella includes of `prelude_modules(args)`."""
    return "".join(f"#include <{module}/{module}>\n" for module in prelude_modules(args))


_DIR_FLAGS = ("-I", "-isystem", "-iquote", "-idirafter")
# Macros the Qt headers (and the C library under them) read: Qt's own
# (QT_NO_CAST_FROM_ASCII, QT_DISABLE_DEPRECATED_BEFORE, QT_CORE_LIB ...),
# reserved names (_GNU_SOURCE, __STRICT_ANSI__ ...) and the assert switches.
_QT_MACRO = re.compile(r"(Q|_|NDEBUG$|DEBUG$)")


def _is_qt_dir(d: str) -> bool:
    """A folder a Qt header is found in: the include root (holding QtCore),
    a module folder beside QtCore, or Qt's mkspecs."""
    path = Path(d)
    return ((path / "QtCore").is_dir() or (path.name.startswith("Qt") and (path.parent / "QtCore").is_dir())
            or "mkspecs" in path.parts)


def _shadows_qt(d: str) -> bool:
    """Could this project folder change what a Qt include finds? (It holds
    a Qt module folder or a header named like one.)"""
    path = Path(d)
    return any((path / m).exists() for m in PRELUDE_MODULES) or (path / "qglobal.h").exists()


def qt_relevant_args(args: Sequence[str]) -> tuple[str, ...]:
    """The part of `args` that can change what the Qt headers mean: macro
    definitions Qt reads, the language standard and options, the target,
    and the include folders that resolve a Qt header. Project include
    folders (every CMake target has its own `<target>_autogen/include`) and
    project macros (`-Dfoo_EXPORTS`) are left out, so the targets of one
    project share one precompiled header. Sound because clang takes a PCH
    only when its macros agree with the file's, adding the file's extra
    definitions after it, and no Qt header reads a project's folder or macro."""
    out: list[str] = []
    dirs: list[str] = []  # their order decides which header is found: kept
    macros: list[tuple[str, str]] = []
    it = iter(args)
    for a in it:
        flag = next((f for f in _DIR_FLAGS if a.startswith(f)), None)
        if flag is not None:
            d = next(it, "") if a == flag else a[len(flag):]
            if _is_qt_dir(d) or _shadows_qt(d) or not os.path.isabs(d) or d.startswith("/usr/"):
                dirs += [flag, d]
        elif a in ("-D", "-U") or a.startswith(("-D", "-U")):
            kind, body = a[:2], (next(it, "") if len(a) == 2 else a[2:])
            if _QT_MACRO.match(body):
                macros.append((kind, body))
        else:
            out.append(a)
    # a switch given twice (CMake repeats -fPIC) counts once, where it came last
    last = {a: i for i, a in enumerate(out) if a.startswith(("-f", "-W", "-m", "-pedantic"))}
    out = [a for i, a in enumerate(out) if last.get(a, i) == i]
    names = [body.split("=")[0] for _, body in macros]
    if len(set(names)) == len(names):
        macros.sort()  # their order only matters when one name comes twice
    return tuple(out) + tuple(dirs) + tuple(kind + body for kind, body in macros)


def usable_for(source: bytes, pch: Path | None = None) -> bool:
    """Can `source` be parsed after the precompiled header `pch`? Not when it
    defines or undefines, before its first include, a macro that a header in
    the PCH spells: without the PCH that header would see it. A macro no
    header of the PCH spells (an include guard, a project constant) changes
    nothing in them, so the PCH stays right for the file; which names the
    PCH's headers spell is recorded beside it when it is built."""
    first_include = _FIRST_INCLUDE.search(source)
    cut = first_include.start() if first_include else len(source)
    names = {m.group(1) for m in _MACRO_BEFORE_INCLUDE.finditer(source[:cut])}
    if not names:
        return True
    spelled = _names_spelled_in(pch) if pch is not None else None
    return spelled is not None and b"" not in names and spelled.isdisjoint(names)


@lru_cache(maxsize=16)
def _names_spelled_in(pch: Path) -> frozenset[bytes] | None:
    """Every identifier spelled in the headers `pch` was built from; None
    when that record is missing or unreadable (then no macro may come first)."""
    try:
        return frozenset(_names_file(pch).read_bytes().split())
    except OSError:
        return None


def _names_file(pch: Path) -> Path:
    return pch.with_suffix(".names")


def _record_names(tu: cindex.TranslationUnit, pch: Path) -> None:
    """Write beside `pch` the identifiers its headers spell (for `usable_for`)."""
    names: set[bytes] = set()
    for inc in tu.get_includes():
        if inc.include is not None:
            with open(inc.include.name, "rb") as fh:
                names.update(_IDENTIFIER.findall(fh.read()))
    with replacing(_names_file(pch)) as tmp:
        tmp.write_bytes(b"\n".join(sorted(names)) + b"\n")


def _qt_identity(args: Sequence[str], text: str) -> list:
    """Size and mtime of each umbrella header: a Qt upgrade changes them."""
    ident = []
    for d in include_dirs_of(args):
        for module in PRELUDE_MODULES:
            f = Path(d) / module / module
            if f.is_file() and f"<{module}/{module}>" in text:
                st = f.stat()
                ident.append([str(f), st.st_size, st.st_mtime_ns])
    return sorted(ident)


class PchCache:
    def __init__(self, directory: Path):
        self.directory = directory / "pch"
        self.problem: str | None = None  # why no PCH could be kept, for one note line

    def key(self, args: Sequence[str], text: str) -> str:
        blob = json.dumps([PCH_FORMAT, libclang_version(), list(args), text, _qt_identity(args, text)])
        return hashlib.sha256(blob.encode()).hexdigest()[:32]

    def ensure_all(self, flag_sets: Sequence[tuple[str, ...]], jobs: int) -> dict[tuple[str, ...], Path | None]:
        """`ensure` for each flag set, up to `jobs` headers built at once
        (libclang runs without Python's lock), each distinct header once:
        flag sets that differ only where the Qt headers do not look share it."""
        shared = {qt_relevant_args(a): a for a in flag_sets}
        with ThreadPoolExecutor(max(1, min(jobs, len(shared)))) as pool:
            built = dict(zip(shared, pool.map(self.ensure, shared.values())))
        return {a: built[qt_relevant_args(a)] for a in flag_sets}

    def ensure(self, args: Sequence[str]) -> Path | None:
        """The precompiled header for `args` (without the per-file include
        directory), built now if missing; None when there is nothing to
        precompile, building it failed or the cache directory is unusable
        (then files parse without one, and `problem` says why)."""
        args = qt_relevant_args(args)  # what the Qt headers see: one PCH serves many targets
        text = prelude(args)
        if not text or self.problem is not None:
            return None
        try:
            return self._ensure(args, text)
        except OSError as exc:
            self.problem = f"{exc.filename or self.directory}: {exc.strerror or exc}; analysing without a precompiled header"
            return None

    def _ensure(self, args: Sequence[str], text: str) -> Path | None:
        key = self.key(args, text)
        target = self.directory / f"{key}.pch"
        if target.is_file():
            return target
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another worker or run may be building it
            if target.is_file():
                return target
            return self._build(args, text, target)

    def _build(self, args: Sequence[str], text: str, target: Path) -> Path | None:
        header = self.directory / f"{target.stem}.h"
        header.write_text(text, encoding="utf-8")
        header_args = [("c++-header" if a == "c++" else a) for a in args]
        # Not PARSE_INCOMPLETE, although libclang suggests it for headers:
        # an "incomplete" header defers the implicit template instantiations
        # of the Qt headers to every file that uses the precompiled header
        # (0.34 s a file, against 0.02 s with them done here once), and with
        # -std=c++20 those deferred instantiations fail outright ("multiple
        # overloads of '__va_list_tag' instantiate to the same signature").
        tu = cindex.Index.create().parse(str(header), args=header_args, options=PARSE_OPTIONS)
        if any(d.severity >= cindex.Diagnostic.Error for d in tu.diagnostics):
            return None
        try:
            _record_names(tu, target)  # first: a PCH without its record would refuse every guarded header
            with replacing(target) as tmp:
                tu.save(str(tmp))
        except cindex.TranslationUnitSaveError:
            return None
        return target
