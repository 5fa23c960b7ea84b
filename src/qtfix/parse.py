"""Translation units and the location helpers every codemod needs.

libclang reports two kinds of position for a cursor: the *expansion* location
(where a macro was used; this is what the Python bindings return) and the
*file* location (where the token is really spelled). Inside `QVERIFY(x)` the
argument `x` is spelled in the file, so its file location is editable text;
tokens that come from a macro's own body are spelled in the `#define` and must
never be edited. `Unit.file_range` is the one place that tells them apart.
"""

from __future__ import annotations

import ctypes
import os
import re
import weakref
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from clang import cindex

from .fileio import to_text

# Qt code on Linux is built against libstdc++; libclang-ng would otherwise put
# its bundled libc++ headers first and every `#include <vector>` would resolve
# to a library the code is never compiled with.
cindex.Config.libcxx_dir = None


def _spelling(self) -> str | None:
    # The bindings decode every string clang returns as strict UTF-8, so one
    # Latin-1 byte in a string literal or a comment's token made a spelling
    # raise. Decoded as qtfix decodes sources (fileio.to_text), a spelling is
    # the same text as the source slice it came from.
    val = ctypes.c_char_p.value.__get__(self)
    return None if val is None else to_text(val)


cindex.c_interop_string.value = property(_spelling)

CursorKind = cindex.CursorKind
Cursor = cindex.Cursor


# Two hot paths of the bindings, made cheap without changing their answers.
# Every guarded Cursor method first asks `is_null()`, which the bindings
# answer with a ctypes call to clang_equalCursors against the null cursor;
# clang's null cursor is {CXCursor_InvalidFile, -, {NULL, NULL, NULL}} and
# clang_equalCursors compares the kind and the three data words, so the same
# test in Python is exact. `kind` turns an id into an enum member by calling
# the Enum class (slow); a table lookup returns the same member. Together they
# were a quarter of a worker's time on the benchmark tree.
_NULL_KIND = CursorKind.INVALID_FILE.value


def _is_null(self: Cursor) -> bool:
    data = self.data
    return self._kind_id == _NULL_KIND and not data[0] and not data[1] and not data[2]


def _table_from_id(enum):
    table = {member.value: member for member in enum}

    def from_id(cls, id):
        member = table.get(id)
        return member if member is not None else cls(id)

    return classmethod(from_id)


Cursor.is_null = _is_null
CursorKind.from_id = _table_from_id(CursorKind)
cindex.TypeKind.from_id = _table_from_id(cindex.TypeKind)

# The detailed record gives MACRO_INSTANTIATION and INCLUSION_DIRECTIVE cursors.
PARSE_OPTIONS = cindex.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD

# Includes produced by moc/uic at build time. A legacy test checked without its
# build tree lacks them; they only add meta-object code, so an empty stand-in
# keeps the rest of the file analysable.
GENERATED_INCLUDE = re.compile(
    rb'^[ \t]*#[ \t]*include[ \t]*(?:"|<)((?:[^"<>/]*/)*(?:[^"<>/]+\.moc|moc_[^"<>/]+\.cpp|ui_[^"<>/]+\.h))(?:"|>)',
    re.MULTILINE,
)  # quoted or angled: legacy trees write `#include <tst_x.moc>` too


class ParseError(Exception):
    """The file cannot be analysed; the message is one line for the user."""


def _setup_file_location() -> None:
    lib = cindex.conf.lib
    lib.clang_getFileLocation.argtypes = [
        cindex.SourceLocation,
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(ctypes.c_uint),
        ctypes.POINTER(ctypes.c_uint),
        ctypes.POINTER(ctypes.c_uint),
    ]
    lib.clang_getFileLocation.restype = None


_file_location_ready = False


def _setup_once() -> None:
    global _file_location_ready
    if not _file_location_ready:
        _setup_file_location()
        _file_location_ready = True


def file_location(loc: cindex.SourceLocation) -> tuple[int | None, int]:
    """(CXFile address, byte offset) of where the token at `loc` is spelled."""
    _setup_once()
    f = ctypes.c_void_p()
    line, col, off = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    cindex.conf.lib.clang_getFileLocation(
        loc, ctypes.byref(f), ctypes.byref(line), ctypes.byref(col), ctypes.byref(off)
    )
    return f.value, off.value


def expansion_location(loc: cindex.SourceLocation) -> tuple[int | None, int]:
    """(CXFile address, byte offset) of where `loc` is used (macro use site)."""
    f = cindex.c_object_p()
    line, col, off = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    cindex.conf.lib.clang_getInstantiationLocation(
        loc, ctypes.byref(f), ctypes.byref(line), ctypes.byref(col), ctypes.byref(off)
    )
    return _address(f), off.value


def _file_contents(tu: cindex.TranslationUnit, name: str) -> bytes:
    lib = cindex.conf.lib
    handle = lib.clang_getFile(tu, os.fspath(name))
    if not handle:
        return b""
    get = lib.clang_getFileContents
    get.argtypes = [cindex.TranslationUnit, cindex.c_object_p, ctypes.POINTER(ctypes.c_size_t)]
    get.restype = ctypes.c_void_p
    size = ctypes.c_size_t()
    data = get(tu, handle, ctypes.byref(size))
    return ctypes.string_at(data, size.value) if data else b""


def _address(obj) -> int | None:
    return ctypes.cast(obj, ctypes.c_void_p).value if obj else None


@dataclass(frozen=True)
class MacroUse:
    name: str
    start: int
    end: int


class Unit:
    """One parsed translation unit plus the bytes of its main file."""

    def __init__(self, tu: cindex.TranslationUnit, path: Path, source: bytes):
        self.tu = tu
        self.path = path
        self.source = source
        self._answers: dict = {}
        self._files: dict[str, bytes] = {}
        _setup_once()
        self._main_file = _address(cindex.conf.lib.clang_getFile(tu, os.fspath(path)))
        self._line_starts = [0] + [m.end() for m in re.finditer(rb"\n", source)]

    # -- what the toolkit knows about this unit -----------------------------

    def once(self, function, *args):
        """`function(self, *args)`, computed once per unit: the cache of the
        toolkit's per-unit answers (keyed by the function itself, so two
        helpers can never share an entry by accident)."""
        key = (function, *args)
        try:
            return self._answers[key]
        except KeyError:
            answer = self._answers[key] = function(self, *args)
            return answer

    def file_bytes(self, name: str) -> bytes:
        """The bytes clang parsed for a file of this unit (a header), b"" for
        a file it does not hold. Asked from libclang, never read from disk: the
        answer is the text the analysis saw, even if the file changed since."""
        if name not in self._files:
            self._files[name] = _file_contents(self.tu, name)
        return self._files[name]

    @cached_property
    def comments(self) -> tuple[tuple[int, int], ...]:
        """Byte ranges of the main file's comments (`//` and `/* */`), as
        libclang's lexer finds them: a `//` inside a string literal, a raw
        string or a character literal is not one."""
        lib_file = cindex.File.from_name(self.tu, os.fspath(self.path))
        extent = cindex.SourceRange.from_locations(
            cindex.SourceLocation.from_offset(self.tu, lib_file, 0),
            cindex.SourceLocation.from_offset(self.tu, lib_file, len(self.source)),
        )
        return tuple(
            (t.extent.start.offset, t.extent.end.offset)
            for t in self.tu.get_tokens(extent=extent)
            if t.kind == cindex.TokenKind.COMMENT
        )

    # -- positions ---------------------------------------------------------

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and byte column of a byte offset (for rendering only)."""
        i = bisect_right(self._line_starts, offset) - 1
        return i + 1, offset - self._line_starts[i] + 1

    def line_start(self, offset: int) -> int:
        return self._line_starts[bisect_right(self._line_starts, offset) - 1]

    @cached_property
    def newline(self) -> bytes:
        """The file's own line ending, so inserted lines match their neighbours."""
        return b"\r\n" if b"\r\n" in self.source else b"\n"

    def in_main_file(self, cursor: Cursor) -> bool:
        f, _ = expansion_location(cursor.extent.start)
        return f == self._main_file

    def use_offset(self, cursor: Cursor) -> int:
        """Where a finding is reported: the macro use site for macro-made code."""
        _, off = expansion_location(cursor.extent.start)
        return off

    @cached_property
    def _main_children(self) -> tuple[Cursor, ...]:
        """The translation unit's children that belong to the main file.

        Without a precompiled header the children include every declaration
        of the Qt headers (about 40,000 with QtTest and QtNetwork; with one,
        the index leaves them out), so the test runs inside one
        visitor with the cheapest checks first: libclang's own main-file
        test, and only for locations inside macros (bit 31 of the raw
        location) the expansion site, which is where a macro-made
        declaration such as QTEST_MAIN's `main` is used."""
        lib = cindex.conf.lib
        is_main, location_of = lib.clang_Location_isFromMainFile, lib.clang_getCursorLocation
        found: list[Cursor] = []

        def visit(child: Cursor, _parent: Cursor, _data) -> int:
            loc = location_of(child)
            if is_main(loc) or (loc.int_data & 0x80000000 and expansion_location(loc)[0] == self._main_file):
                child._tu = self.tu
                found.append(child)
            return 1  # CXChildVisit_Continue

        lib.clang_visitChildren(self.tu.cursor, cindex.cursor_visit_callback(visit), None)
        return tuple(c for c in found if c.kind != CursorKind.MACRO_DEFINITION)

    @cached_property
    def macro_uses(self) -> tuple[MacroUse, ...]:
        uses = []
        for c in self._main_children:
            if c.kind == CursorKind.MACRO_INSTANTIATION:
                s, e = expansion_location(c.extent.start)[1], expansion_location(c.extent.end)[1]
                uses.append(MacroUse(c.spelling, s, e))
        return tuple(uses)

    def enclosing_macro(self, start: int, end: int) -> MacroUse | None:
        for m in self.macro_uses:
            if m.start <= start and end <= m.end:
                return m
        return None

    def file_range(self, cursor_or_extent) -> tuple[int, int] | None:
        """Byte range of the cursor's text in the main file, or None when that
        text is not editable (it comes from a macro body or another file)."""
        extent = getattr(cursor_or_extent, "extent", cursor_or_extent)
        fs, s = file_location(extent.start)
        fe, e = file_location(extent.end)
        if fs != self._main_file or fe != self._main_file or e < s:
            return None
        xs = expansion_location(extent.start)
        xe = expansion_location(extent.end)
        m = self.enclosing_macro(s, e)
        if xs == (fs, s) and xe == (fe, e) and m is None:
            return s, e
        # Spelled somewhere else than used: editable only as a macro argument,
        # i.e. inside the parentheses of a macro use written in this file.
        # (Tokens of a macro's own body report the macro use's start as both
        # their file and expansion location, so they land here too.)
        if m is None:
            return None
        open_paren = self.source.find(b"(", m.start, m.end)
        if open_paren < 0 or s <= open_paren:
            return None
        return s, e

    def expansion_range(self, cursor: Cursor) -> tuple[int, int] | None:
        """Byte range of the cursor as used in the main file (a macro use
        counts as its whole invocation)."""
        fs, s = expansion_location(cursor.extent.start)
        fe, e = expansion_location(cursor.extent.end)
        if fs != self._main_file or fe != self._main_file or e < s:
            return None
        return s, e

    def spelled_text(self, cursor: Cursor) -> str:
        """The cursor's own text where it is spelled in the file, else the text
        of the macro use it comes from; "" when neither is in the main file.
        (Token APIs misbehave on ranges that start inside a macro.)"""
        span = self.file_range(cursor) or self.expansion_range(cursor)
        return self.text(*span) if span else ""

    def text(self, start: int, end: int) -> str:
        return to_text(self.source[start:end])

    # -- traversal ---------------------------------------------------------

    @cached_property
    def _top_level(self) -> tuple[Cursor, ...]:
        # The translation unit's children include every declaration of the
        # Qt headers: filter them once, not once per codemod.
        skip = (CursorKind.MACRO_INSTANTIATION, CursorKind.INCLUSION_DIRECTIVE)
        return tuple(c for c in self._main_children if c.kind not in skip)

    @cached_property
    def _nodes(self) -> tuple[tuple[Cursor, tuple[Cursor, ...]], ...]:
        return tuple(node for top in self._top_level for node in walk_with_parents(top, ()))

    def top_level(self) -> Iterator[Cursor]:
        return iter(self._top_level)

    def walk(self) -> Iterator[tuple[Cursor, tuple[Cursor, ...]]]:
        """Every cursor of the main file with its ancestors (outermost first)."""
        return iter(self._nodes)

    def function_bodies(self) -> Iterator[tuple[Cursor, Cursor]]:
        """(function, body) for every function defined in the main file."""
        for c, _ in self.walk():
            if c.kind in FUNCTION_KINDS and c.is_definition():
                body = next((ch for ch in c.get_children() if ch.kind == CursorKind.COMPOUND_STMT), None)
                if body is not None:
                    yield c, body

    @cached_property
    def includes(self) -> tuple[tuple[str, int, int, str], ...]:
        """(spelled name, line start, line end (after its newline), resolved
        path or "") of each #include of the main file."""
        found = []
        for c in self._main_children:
            if c.kind == CursorKind.INCLUSION_DIRECTIVE:
                off = self.use_offset(c)
                start = self.line_start(off)
                end = self.source.find(b"\n", off)
                try:
                    included = c.get_included_file()
                    resolved = included.name if included else ""
                except Exception:  # an include that was not found has no file
                    resolved = ""
                found.append((c.spelling, start, len(self.source) if end < 0 else end + 1, resolved))
        return tuple(found)


FUNCTION_KINDS = frozenset(
    {
        CursorKind.FUNCTION_DECL,
        CursorKind.CXX_METHOD,
        CursorKind.CONSTRUCTOR,
        CursorKind.DESTRUCTOR,
        CursorKind.FUNCTION_TEMPLATE,
    }
)


def walk_with_parents(cursor: Cursor, parents: tuple[Cursor, ...]) -> Iterator[tuple[Cursor, tuple[Cursor, ...]]]:
    yield cursor, parents
    inner = parents + (cursor,)
    for child in cursor.get_children():
        yield from walk_with_parents(child, inner)


def referenced_decl(cursor: Cursor) -> Cursor | None:
    ref = cursor.referenced
    return ref if ref is not None and ref.kind is not None else None


def base_classes(decl: Cursor) -> list[Cursor]:
    """The declarations of the direct bases of the class `decl` defines.

    libclang lists a class's base specifiers before its members, so the
    visit stops at the first member: a Qt class has hundreds of them."""
    bases: list[Cursor] = []

    def visit(child: Cursor, _parent: Cursor, _data) -> int:
        kind = CursorKind.from_id(child._kind_id)
        if kind == CursorKind.CXX_BASE_SPECIFIER:
            child._tu = decl._tu
            base = child.type.get_declaration()
            if base is not None and base.kind is not None:
                bases.append(base)
            return 1  # CXChildVisit_Continue
        if kind.is_declaration() and kind not in (CursorKind.TEMPLATE_TYPE_PARAMETER, CursorKind.TEMPLATE_NON_TYPE_PARAMETER,
                                                  CursorKind.TEMPLATE_TEMPLATE_PARAMETER):
            return 0  # CXChildVisit_Break: the members have begun
        return 1

    cindex.conf.lib.clang_visitChildren(decl, cindex.cursor_visit_callback(visit), None)
    return bases


def identity(cursor: Cursor) -> tuple:
    """The one dict key of a cursor: equal exactly when clang_equalCursors
    says the cursors are equal (kind and data words; for a declaration, its
    "first in its declaration group" word does not count, as there), and
    never colliding, unlike `Cursor.hash`. Compare declarations (not
    cursors) with `entity`."""
    data = cursor.data
    second = 0 if CursorKind.from_id(cursor._kind_id).is_declaration() else data[1]
    return cursor._kind_id, data[0], second, data[2]


def entity(decl: Cursor | None) -> tuple | None:
    """The key of what a declaration declares: every redeclaration of one
    function, class or variable has the same one (its canonical declaration)."""
    if decl is None or decl.kind is None:
        return None
    return identity(decl.canonical)


def same_declaration(a: Cursor | None, b: Cursor | None) -> bool:
    """Whether two cursors declare (or refer to) one entity."""
    ka, kb = entity(a), entity(b)
    return ka is not None and ka == kb


# Per translation unit: (cursor key, base name) -> is_derived_from's answer.
_derived: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def is_derived_from(decl: Cursor | None, base_name: str, _seen: set | None = None) -> bool:
    """Whether the class declared by `decl` is `base_name` or derives from it."""
    if decl is None:
        return False
    tu = getattr(decl, "_tu", None)
    if _seen is None and tu is not None:
        answers = _derived.get(tu)
        if answers is None:
            answers = _derived[tu] = {}
        key = (identity(decl), base_name)
        answer = answers.get(key)
        if answer is None:
            answer = answers[key] = is_derived_from(decl, base_name, set())
        return answer
    decl = decl.get_definition() or decl
    if decl.spelling == base_name and decl.kind in (CursorKind.CLASS_DECL, CursorKind.STRUCT_DECL):
        return True
    seen = _seen if _seen is not None else set()
    usr = decl.get_usr()
    if usr in seen:
        return False
    seen.add(usr)
    return any(is_derived_from(base, base_name, seen) for base in base_classes(decl))


def class_of_method(method: Cursor) -> Cursor | None:
    parent = method.semantic_parent
    if parent is not None and parent.kind in (CursorKind.CLASS_DECL, CursorKind.STRUCT_DECL, CursorKind.CLASS_TEMPLATE):
        return parent
    return None


_QUOTED_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"', re.MULTILINE)


def generated_stand_ins(path: Path, source: bytes, include_dirs: Sequence[str], depth: int = 3) -> list[tuple[str, str]]:
    """Empty unsaved files for moc/uic outputs that are not on disk: those
    the main file includes, and those its project headers include (a
    widget's header includes its `ui_x.h`), `depth` quoted includes deep."""
    stand_ins: dict[str, str] = {}
    seen: set[str] = set()

    def scan(where: Path, text: bytes, level: int) -> None:
        search = [str(where.parent)] + list(include_dirs)
        for m in GENERATED_INCLUDE.finditer(text):
            name = m.group(1).decode("utf-8", "replace")
            if not any(os.path.exists(os.path.join(d, name)) for d in search):
                stand_ins.setdefault(os.path.join(str(where.parent), name), "")
                # an angled include is looked up in the include folders only,
                # where the file's own folder is (absolute)
                stand_ins.setdefault(os.path.join(os.path.abspath(where.parent), name), "")
        if level >= depth:
            return
        for m in _QUOTED_INCLUDE.finditer(text):
            name = m.group(1).decode("utf-8", "replace")
            if GENERATED_INCLUDE.match(m.group(0)):
                continue
            for d in search:
                candidate = os.path.normpath(os.path.join(d, name))
                if os.path.isfile(candidate):
                    if candidate not in seen and not candidate.startswith(("/usr/", "/opt/")):
                        seen.add(candidate)
                        try:
                            with open(candidate, "rb") as fh:
                                scan(Path(candidate), fh.read(), level + 1)
                        except OSError:
                            pass
                    break

    scan(path, source, 0)
    return list(stand_ins.items())


def include_dirs_of(args: Sequence[str]) -> list[str]:
    dirs = []
    for i, a in enumerate(args):
        for flag in ("-I", "-isystem", "-iquote"):
            if a == flag and i + 1 < len(args):
                dirs.append(args[i + 1])
            elif a.startswith(flag) and len(a) > len(flag):
                dirs.append(a[len(flag):])
    return dirs


def parse(path: Path, source: bytes, args: Sequence[str], index: cindex.Index | None = None) -> Unit:
    """Parse `path` (whose bytes are `source`) with compiler `args`.

    Errors anywhere in the translation unit make the analysis untrustworthy
    (a missing header silently turns types into `int`), so they fail the file.
    """
    # excludeDecls: visiting the translation unit then skips the
    # declarations that come from the precompiled header (about 40,000 with
    # QtTest and QtNetwork), which the analysis never looks at directly.
    index = index or cindex.Index.create(excludeDecls=True)
    # The main file is parsed from `source`, not re-read from disk: offsets
    # then refer to exactly the bytes the fixes will be applied to (and a
    # proposed new content can be checked without writing it).
    unsaved = [(str(path), source)] + generated_stand_ins(path, source, include_dirs_of(args))
    try:
        tu = index.parse(str(path), args=list(args), unsaved_files=unsaved, options=PARSE_OPTIONS)
    except cindex.TranslationUnitLoadError as exc:
        raise ParseError(f"{path}: libclang could not parse the file ({exc})") from None
    errors = [d for d in tu.diagnostics if d.severity >= cindex.Diagnostic.Error]
    if errors:
        d = errors[0]
        loc = d.location
        where = f"{loc.file.name}:{loc.line}:{loc.column}" if loc.file else str(path)
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        raise ParseError(f"{path}: does not compile: {where}: {d.spelling}{more}")
    return Unit(tu, path, source)


_EVAL_INT = 1  # CXEval_Int


@lru_cache(maxsize=None)
def _evaluation_api():
    lib = cindex.conf.lib
    evaluate, kind, value, dispose = (lib.clang_Cursor_Evaluate, lib.clang_EvalResult_getKind,
                                      lib.clang_EvalResult_getAsLongLong, lib.clang_EvalResult_dispose)
    evaluate.argtypes, evaluate.restype = [Cursor], ctypes.c_void_p
    kind.argtypes, kind.restype = [ctypes.c_void_p], ctypes.c_int
    value.argtypes, value.restype = [ctypes.c_void_p], ctypes.c_longlong
    dispose.argtypes, dispose.restype = [ctypes.c_void_p], None
    return evaluate, kind, value, dispose


def integer_value(expr: Cursor) -> int | None:
    """The value of an integer constant expression as clang evaluates it (a
    literal, `2 * 1000`, a macro, a `const int` with a constant initializer);
    None for anything that is not one."""
    evaluate, kind, value, dispose = _evaluation_api()
    result = evaluate(expr)
    if not result:
        return None
    try:
        return value(result) if kind(result) == _EVAL_INT else None
    finally:
        dispose(result)
