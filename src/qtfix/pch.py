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
from pathlib import Path

from clang import cindex

from .fileio import replacing
from .parse import PARSE_OPTIONS

# Bump when the way precompiled headers are built changes.
PCH_FORMAT = 3
PRELUDE_MODULES = ("QtCore", "QtNetwork", "QtTest", "QtConcurrent")
# A file that defines or undefines macros before its first include changes
# what the Qt headers mean (QT_NO_CAST_FROM_ASCII, QT_NO_DEBUG, ...): the
# shared precompiled header would be wrong for it.
_MACRO_BEFORE_INCLUDE = re.compile(rb"^\s*#\s*(define|undef)\b", re.MULTILINE)
_FIRST_INCLUDE = re.compile(rb"^\s*#\s*include\b", re.MULTILINE)


def libclang_version() -> str:
    """libclang's own version string (the bindings do not wrap it)."""
    lib = cindex.conf.lib
    lib.clang_getClangVersion.restype = cindex._CXString
    lib.clang_getClangVersion.argtypes = []
    return cindex._CXString.from_result(lib.clang_getClangVersion())


def prelude(args: Sequence[str]) -> str:
    """The umbrella includes for every prelude module reachable from `args`."""
    dirs = []
    for i, a in enumerate(args):
        if a in ("-I", "-isystem") and i + 1 < len(args):
            dirs.append(args[i + 1])
        elif a.startswith("-I") and len(a) > 2:
            dirs.append(a[2:])
    lines = []
    for module in PRELUDE_MODULES:
        if any((Path(d) / module / module).is_file() for d in dirs):
            lines.append(f"#include <{module}/{module}>")
    return "\n".join(lines) + ("\n" if lines else "")


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


def usable_for(source: bytes) -> bool:
    first_include = _FIRST_INCLUDE.search(source)
    cut = first_include.start() if first_include else len(source)
    return _MACRO_BEFORE_INCLUDE.search(source[:cut]) is None


def _qt_identity(args: Sequence[str], text: str) -> list:
    """Size and mtime of each umbrella header: a Qt upgrade changes them."""
    ident = []
    for i, a in enumerate(args):
        d = args[i + 1] if a in ("-I", "-isystem") and i + 1 < len(args) else a[2:] if a.startswith("-I") else None
        if d is None:
            continue
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
            with replacing(target) as tmp:
                tu.save(str(tmp))
        except cindex.TranslationUnitSaveError:
            return None
        return target
