"""Facts about the whole analysed tree that a single file cannot see.

A test and the helper program it starts (a file with its own `main()` and
no QtTest) often meet on one name: a local server name, a port file. A fix
that makes the name unique per process in one of them breaks the meeting.
Before files are analysed, the string literals (and the numbers that can be
TCP/UDP ports, 1024-65535, as spelled) of every helper program in the tree
are collected; each file is told which of its own literals also appear in a
helper program other than itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .cpp import code_without_comments
from .fileio import max_file_size, read_regular

_STRING = re.compile(rb'"(?:[^"\\\n]|\\.)*"')
_MAIN = re.compile(rb"\bint\s+main\s*\(")
_QTEST = re.compile(rb"\bQTEST_(?:GUILESS_|APPLESS_)?MAIN\b|#\s*include\s*[<\"](?:QtTest/)?(?:QtTest|QTest|qtest\.h)[>\"]")


_NUMBER = re.compile(rb"(?<![\w.\"])[1-9][0-9]{3,4}(?![\w.\"])")


def _literals(code: bytes) -> frozenset[bytes]:
    strings = (m.group(0) for m in _STRING.finditer(code) if len(m.group(0)) > 2)
    ports = (m.group(0) for m in _NUMBER.finditer(code) if 1024 <= int(m.group(0)) <= 65535)
    return frozenset((*strings, *ports))


def is_helper_program_text(code: bytes) -> bool:
    return _MAIN.search(code) is not None and _QTEST.search(code) is None


def _read(path: Path) -> bytes | None:
    """The file's bytes; None for what the analysis will skip or fail anyway
    (unreadable, too large, a FIFO or device: reading one could block)."""
    try:
        return read_regular(path, max_file_size())
    except (OSError, ValueError):
        return None


def _code(path: Path) -> bytes:
    raw = _read(path)
    return code_without_comments(raw) if raw is not None else b""


def literals_shared_with_helpers(files: Iterable[Path]) -> dict[Path, frozenset[bytes]]:
    """For each file, its string literals that also appear in another file
    of `files` that is a helper program. Unreadable files count as empty.

    Every run pays for this before any file is analysed (a warm run too), so
    only files that mention `main(` are cleaned of comments to tell helpers
    apart, and the other files' literals are read only when there is one."""
    files = list(files)
    helpers: dict[Path, frozenset[bytes]] = {}
    for f in files:
        raw = _read(f)
        if raw is None:
            continue
        if _MAIN.search(raw) is not None:  # blanking comments only removes matches
            code = code_without_comments(raw)
            if is_helper_program_text(code):
                helpers[f] = _literals(code)
    if not helpers:
        return {f: frozenset() for f in files}
    everything = frozenset().union(*helpers.values())
    shared = {}
    for f in files:
        if f in helpers:
            others = frozenset().union(*(lits for h, lits in helpers.items() if h != f))
            shared[f] = helpers[f] & others
        else:
            shared[f] = _literals(_code(f)) & everything
    return shared
