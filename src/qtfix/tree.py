"""Facts about the whole analysed tree that a single file cannot see.

A test and the helper program it starts (a file with its own `main()` and
no QtTest) often meet on one name: a local server name, a port file. A fix
that makes the name unique per process in one of them breaks the meeting.
Before files are analysed, the string literals of every helper program in
the tree are collected; each file is told which of its own literals also
appear in a helper program other than itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .cpp import code_without_comments

_STRING = re.compile(rb'"(?:[^"\\\n]|\\.)*"')
_MAIN = re.compile(rb"\bint\s+main\s*\(")
_QTEST = re.compile(rb"\bQTEST_(?:GUILESS_|APPLESS_)?MAIN\b|#\s*include\s*[<\"](?:QtTest/)?(?:QtTest|QTest|qtest\.h)[>\"]")


def _literals(code: bytes) -> frozenset[bytes]:
    return frozenset(m.group(0) for m in _STRING.finditer(code) if len(m.group(0)) > 2)


def is_helper_program_text(code: bytes) -> bool:
    return _MAIN.search(code) is not None and _QTEST.search(code) is None


def literals_shared_with_helpers(files: Iterable[Path]) -> dict[Path, frozenset[bytes]]:
    """For each file, its string literals that also appear in another file
    of `files` that is a helper program. Unreadable files count as empty."""
    literals: dict[Path, frozenset[bytes]] = {}
    helpers: dict[Path, frozenset[bytes]] = {}
    for f in files:
        try:
            code = code_without_comments(f.read_bytes())
        except OSError:
            code = b""
        literals[f] = _literals(code)
        if is_helper_program_text(code):
            helpers[f] = literals[f]
    shared = {}
    for f, own in literals.items():
        others = frozenset().union(*(lits for h, lits in helpers.items() if h != f)) if helpers else frozenset()
        shared[f] = own & others
    return shared
