"""C++ text helpers shared by codemods: includes, statements, argument text.

They work on the main file's bytes and on cursors; they never parse C++ by
themselves beyond balancing brackets and skipping string literals.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from .edits import Edit
from .parse import CursorKind, Cursor, Unit, strip_implicit, walk_with_parents

BOM = b"\xef\xbb\xbf"


def includes_header(unit: Unit, header: str) -> bool:
    """Whether the main file includes `header` (e.g. "QScopedPointer") itself.

    A Qt module umbrella (`<QtTest>`, `<QtNetwork/QtNetwork>`, ...) counts
    for QtCore classes: every module umbrella pulls in QtCore's.
    """
    lowered = header.lower()
    for name, _, _, resolved in unit.includes:
        base = PurePosixPath(name).name
        if base == header or base.lower() == f"{lowered}.h":
            return True
        # An umbrella header is the file named like its module folder.
        path = PurePosixPath(resolved)
        if resolved and path.name.startswith("Qt") and path.name == path.parent.name:
            return True
    return False


def first_declaration_offset(unit: Unit) -> int:
    first = next(unit.top_level(), None)
    return unit.line_start(unit.use_offset(first)) if first is not None else len(unit.source)


_CONDITIONAL = re.compile(rb"^[ \t]*#[ \t]*(if|ifdef|ifndef|endif)\b", re.MULTILINE)
_GUARD = re.compile(rb"\A(?:\s|//[^\n]*\n|/\*.*?\*/)*#[ \t]*ifndef[ \t]+(\w+)\s*#[ \t]*define[ \t]+(\w+)", re.DOTALL)


def _conditional_blocks(source: bytes) -> list[tuple[int, int, int]]:
    """(start of the opening directive's line, end of the `#endif` line,
    nesting depth) of every `#if`/`#ifdef`/`#ifndef` block, outermost at
    depth 0. An include guard around the whole file is not a block."""
    blocks, stack = [], []
    for m in _CONDITIONAL.finditer(source):
        if m.group(1) == b"endif":
            if stack:
                eol = source.find(b"\n", m.end())
                blocks.append((stack.pop(), len(source) if eol < 0 else eol + 1, len(stack)))
        else:
            stack.append(m.start())
    guard = _GUARD.match(source)
    if guard and guard.group(1) == guard.group(2):
        opening = source.rfind(b"\n", 0, guard.start(1)) + 1
        outer = [b for b in blocks if b[0] == opening and source[b[1]:].strip() == b""]
        if outer:
            blocks = [(s, e, d - 1) for s, e, d in blocks if (s, e, d) != outer[0]]
    return blocks


def insertion_point(unit: Unit) -> int:
    """Where new includes and file-level helpers go: after the last #include
    that precedes the first declaration (never after a trailing `#include
    "x.moc"`), else at the top of the file (after a BOM).

    Never inside a conditional block: an include under `#ifdef Q_OS_UNIX`
    moves the point past that block's `#endif` (or, when the block reaches
    the first declaration, before its `#if`), so what qtfix adds exists on
    every platform."""
    limit = first_declaration_offset(unit)
    before = [end for _, start, end, _ in unit.includes if start < limit]
    if not before:
        return len(BOM) if unit.source.startswith(BOM) else 0
    at = max(before)
    for start, end, depth in _conditional_blocks(unit.source):
        if depth == 0 and start < at < end:
            return end if end <= limit else start
    return at


def ensure_include(unit: Unit, header: str) -> list[Edit]:
    if includes_header(unit, header):
        return []
    at = insertion_point(unit)
    nl = unit.newline.decode()
    text = f"#include <{header}>{nl}"
    if at > 0 and not unit.source[:at].endswith(b"\n"):
        text = nl + text  # the last include is the file's last line, without newline
    return [Edit.insertion(unit.path, at, text)]


def enclosing_statement(cursor: Cursor, parents: tuple[Cursor, ...]) -> Cursor:
    """The outermost ancestor that is a statement of a block (or the cursor)."""
    chain = parents + (cursor,)
    for i in range(len(chain) - 1, 0, -1):
        if chain[i - 1].kind == CursorKind.COMPOUND_STMT:
            return chain[i]
    return cursor


def skip_space(source: bytes, pos: int) -> int:
    while pos < len(source) and source[pos : pos + 1] in (b" ", b"\t", b"\r", b"\n"):
        pos += 1
    return pos


def call_arguments_text(source: bytes, open_paren: int) -> list[tuple[int, int]] | None:
    """Byte ranges of the top-level arguments of the call whose '(' is at
    `open_paren`; None if the text is not balanced."""
    if source[open_paren : open_paren + 1] != b"(":
        return None
    depth = 0
    args = []
    start = open_paren + 1
    i = open_paren
    n = len(source)
    while i < n:
        ch = source[i : i + 1]
        if ch in (b'"', b"'"):
            i += 1
            while i < n and source[i : i + 1] != ch:
                i += 2 if source[i : i + 1] == b"\\" else 1
        elif ch in (b"(", b"[", b"{"):
            depth += 1
        elif ch in (b")", b"]", b"}"):
            depth -= 1
            if depth == 0:
                if source[start:i].strip() or args:
                    args.append((start, i))
                return args
        elif ch == b"," and depth == 1:
            args.append((start, i))
            start = i + 1
        i += 1
    return None


def line_is_only(source: bytes, start: int, end: int) -> tuple[int, int]:
    """If `source[start:end]` is alone on its line(s), the range of the whole
    line including its newline (for clean removal); else (start, end)."""
    line_begin = source.rfind(b"\n", 0, start) + 1
    line_end = source.find(b"\n", end)
    line_end = len(source) if line_end < 0 else line_end + 1
    if source[line_begin:start].strip() == b"" and source[end:line_end].strip() == b"":
        return line_begin, line_end
    return start, end


_LITERAL_OR_COMMENT = re.compile(
    rb'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|(//[^\n]*|/\*.*?(?:\*/|\Z))', re.DOTALL
)


def code_without_comments(source: bytes) -> bytes:
    """`source` with every comment blanked out (same length, newlines kept;
    strings and character literals are kept, so a `//` inside a literal is
    not a comment)."""

    def blank(m: re.Match) -> bytes:
        if m.group(1) is None:
            return m.group(0)
        return re.sub(rb"[^\r\n]", b" ", m.group(0))

    return _LITERAL_OR_COMMENT.sub(blank, source)


def is_factory_call(unit: Unit, call: Cursor, caller: Cursor | None) -> bool:
    """`newSocket()` called from `caller`: a non-virtual member function of
    the caller's own class, defined in this file, whose every `return` is a
    `new` of one object. What it returns is then as fresh as a `new` written
    in place: nothing can have connected or shared it in between."""
    if call.kind != CursorKind.CALL_EXPR:
        return False
    callee = call.referenced
    if callee is None or callee.kind != CursorKind.CXX_METHOD or callee.is_virtual_method():
        return False
    if caller is None or caller.kind != CursorKind.CXX_METHOD or caller.semantic_parent != callee.semantic_parent:
        return False
    definition = callee.get_definition()
    if definition is None or not unit.in_main_file(definition):
        return False
    returns = 0
    for node, node_parents in walk_with_parents(definition, ()):
        if node.kind != CursorKind.RETURN_STMT or any(p.kind == CursorKind.LAMBDA_EXPR for p in node_parents):
            continue
        values = [strip_implicit(c) for c in node.get_children()]
        if len(values) != 1 or values[0].kind != CursorKind.CXX_NEW_EXPR:
            return False
        if re.match(r"new\s*[\w:<>,\s*]*\[", unit.spelled_text(values[0])):
            return False
        returns += 1
    return returns > 0
