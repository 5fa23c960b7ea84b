"""Unified diffs that `git apply` and `patch -p1` accept unchanged.

Lines are split on LF only and kept with their endings, so a CRLF file diffs
as CRLF lines and a missing final newline gets the standard marker. Every
patch qtfix prints is parsed back with unidiff before it leaves the program.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import unidiff

from .fileio import real_path, split_lines, to_text

NO_NEWLINE = "\\ No newline at end of file\n"


def display_path(path: Path, base: Path | None = None) -> str:
    """The path relative to `base` (the current directory) with '/' separators."""
    return _relative(os.fspath(path), os.fspath(base) if base else os.getcwd())


@lru_cache(maxsize=1 << 16)
def _relative(path: str, base: str) -> str:
    # Reports name every finding's file; resolving the same paths again for
    # each of a tree's thousands of findings was half of a warm run.
    try:
        rel = os.path.relpath(real_path(Path(path)), real_path(Path(base)))
    except ValueError:
        rel = path
    return rel.replace(os.sep, "/")


def _range(start: int, count: int) -> str:
    # An empty range names the line before it (0 at the top), as diff does.
    if count == 0:
        return f"{start},0"
    return f"{start + 1},{count}"


def _line(prefix: str, line: str) -> str:
    if line.endswith("\n"):
        return prefix + line
    return prefix + line + "\n" + NO_NEWLINE


def file_diff(name: str, old: bytes, new: bytes, context: int = 3) -> str:
    a, b = split_lines(to_text(old)), split_lines(to_text(new))
    out = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        i1, i2 = group[0][1], group[-1][2]
        j1, j2 = group[0][3], group[-1][4]
        out.append(f"@@ -{_range(i1, i2 - i1)} +{_range(j1, j2 - j1)} @@\n")
        for tag, x1, x2, y1, y2 in group:
            if tag == "equal":
                out += [_line(" ", line) for line in a[x1:x2]]
                continue
            out += [_line("-", line) for line in a[x1:x2]]
            out += [_line("+", line) for line in b[y1:y2]]
    if not out:
        return ""
    # A name with a blank ends in a tab, as git writes it: GNU patch reads
    # a name up to the first blank unless a tab ends it.
    end = "\t" if any(c.isspace() for c in name) else ""
    return f"--- a/{name}{end}\n+++ b/{name}{end}\n" + "".join(out)


def unified_diff(old: Mapping[Path, bytes], new: Mapping[Path, bytes], base: Path | None = None) -> str:
    """One patch for every changed file, in path order, checked with unidiff.
    ValueError for a file name no diff header can carry (a line break)."""
    parts = []
    for path in sorted(new, key=lambda p: display_path(p, base)):
        name = display_path(path, base)
        if "\n" in name or "\r" in name:
            raise ValueError(f"{name!r}: a file name with a line break cannot be named in a diff (use `qtfix apply`)")
        parts.append(file_diff(name, old[path], new[path]))
    patch = "".join(parts)
    check_patch(patch)
    return patch


_COLORS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m"}


def colorize(patch: str) -> str:
    """The patch for a terminal: file headers bold, hunk headers cyan,
    removed lines red, added lines green. Lines split on LF only, so a form
    feed or lone CR inside a line does not start a new colour."""
    out = []
    for line in split_lines(patch):
        bold = line.startswith(("--- ", "+++ "))
        color = "\033[1m" if bold else _COLORS.get(line[:1], "")
        out.append(f"{color}{line.removesuffix(chr(10))}\033[0m\n" if color else line)
    return "".join(out)


def check_patch(patch: str) -> unidiff.PatchSet:
    """Parse the patch back; a malformed hunk raises unidiff's UnidiffParseError."""
    return unidiff.PatchSet(patch)
