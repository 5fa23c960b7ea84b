"""Qt knowledge shared by codemods: QObject classes, QtTest test functions,
QThread::run(), the functions that enclose a cursor."""

from __future__ import annotations

import re

from .parse import FUNCTION_KINDS, Cursor, CursorKind, Unit, class_of_method, is_derived_from

_SLOT_SECTION = re.compile(r"^\s*(public|protected|private)\s*(slots|Q_SLOTS)?\s*:", re.DOTALL)


def is_qobject_class(decl: Cursor | None) -> bool:
    return is_derived_from(decl, "QObject")


def is_qobject_type(ctype) -> bool:
    """Whether a (pointer to a) type is a QObject-derived class."""
    t = ctype.get_canonical()
    if t.get_pointee().spelling:
        t = t.get_pointee().get_canonical()
    return is_qobject_class(t.get_declaration())


def enclosing_function(parents: tuple[Cursor, ...]) -> Cursor | None:
    """The innermost function or lambda around a cursor."""
    for p in reversed(parents):
        if p.kind in FUNCTION_KINDS or p.kind == CursorKind.LAMBDA_EXPR:
            return p
    return None


def enclosing_named_function(parents: tuple[Cursor, ...]) -> Cursor | None:
    """The innermost real function (lambdas skipped) around a cursor."""
    for p in reversed(parents):
        if p.kind in FUNCTION_KINDS:
            return p
    return None


def access_section(unit: Unit, method: Cursor) -> tuple[str, bool]:
    """("private"/"protected"/"public", is a slots section) of a method as
    declared in its class. Slots are recognised by the text of the access
    specifier (`private slots:` / `private Q_SLOTS:`), since the `slots`
    macro expands to nothing."""
    decl = method.canonical
    cls = class_of_method(decl)
    if cls is None:
        return "public", False
    default = "public" if cls.kind == CursorKind.STRUCT_DECL else "private"
    section, slots = default, False
    for child in cls.get_children():
        if child == decl:
            break
        if child.kind == CursorKind.CXX_ACCESS_SPEC_DECL:
            text = _spec_text(unit, child)
            m = _SLOT_SECTION.match(text)
            if m:
                section, slots = m.group(1), bool(m.group(2))
            else:
                section, slots = child.access_specifier.name.lower(), False
    return section, slots


def _spec_text(unit: Unit, spec: Cursor) -> str:
    span = unit.expansion_range(spec)
    if span is not None:
        end = unit.source.find(b":", span[0])
        return unit.text(span[0], end + 1) if end >= 0 else ""
    # declared in a header: read that file's text around the specifier
    loc = spec.extent.start
    if loc.file is None:
        return ""
    try:
        with open(loc.file.name, "rb") as fh:
            data = fh.read()
    except OSError:
        return ""
    end = data.find(b":", loc.offset)
    return data[loc.offset : end + 1].decode("utf-8", "replace") if end >= 0 else ""


def is_test_function(unit: Unit, function: Cursor | None) -> bool:
    """A QtTest test function: a `private slots` member of a QObject class
    (initTestCase/cleanup and *_data included). Protected slots, helpers and
    base-class slots are not run by QTest as tests."""
    if function is None or function.kind != CursorKind.CXX_METHOD:
        return False
    if function.is_static_method():
        return False
    cls = class_of_method(function.canonical)
    if not is_qobject_class(cls):
        return False
    section, slots = access_section(unit, function)
    return section == "private" and slots


def is_thread_run(function: Cursor | None) -> bool:
    """`run()` of a QThread subclass: it runs in the new thread."""
    if function is None or function.kind != CursorKind.CXX_METHOD or function.spelling != "run":
        return False
    return is_derived_from(class_of_method(function.canonical), "QThread")


_SIGNAL_SECTION = re.compile(r"^\s*(signals|Q_SIGNALS)\s*:")


def is_signal(unit: Unit, method: Cursor | None) -> bool:
    """A method declared in a `signals:`/`Q_SIGNALS:` section of its class.
    The keyword expands to `public`, so only the specifier's text tells."""
    if method is None or method.kind != CursorKind.CXX_METHOD:
        return False
    decl = method.canonical
    cls = class_of_method(decl)
    if cls is None:
        return False
    signal = False
    for child in cls.get_children():
        if child == decl:
            return signal
        if child.kind == CursorKind.CXX_ACCESS_SPEC_DECL:
            signal = _SIGNAL_SECTION.match(_spec_text(unit, child)) is not None
    return False


def member_function_definitions(cls: Cursor) -> list[Cursor]:
    """The definitions, wherever they are in the translation unit, of the
    member functions the class declares (constructors and destructor
    included); functions defined nowhere in it are left out."""
    cls = cls.get_definition() or cls
    found = []
    for child in cls.get_children():
        if child.kind in FUNCTION_KINDS:
            definition = child.get_definition()
            if definition is not None:
                found.append(definition)
    return found


def methods_run_calls(run: Cursor) -> set[str]:
    """USRs of the member functions of run()'s own class that run() calls,
    directly or through each other: their code runs in the new thread too."""
    cls = class_of_method(run.canonical)
    if cls is None:
        return set()
    own = {m.canonical.get_usr(): m for m in member_function_definitions(cls)}
    reached: set[str] = set()
    pending = [run]
    while pending:
        body = pending.pop()
        for c in body.walk_preorder():
            if c.kind != CursorKind.CALL_EXPR:
                continue
            callee = c.referenced
            usr = callee.canonical.get_usr() if callee is not None and callee.kind == CursorKind.CXX_METHOD else ""
            if usr in own and usr not in reached:
                reached.add(usr)
                pending.append(own[usr])
    return reached


_QTEST_INCLUDE = re.compile(rb'^\s*#\s*include\s*[<"](?:QtTest/|QTest\b|QSignalSpy\b|QtTest\b)', re.MULTILINE)


def has_qtest(unit: Unit) -> bool:
    """Whether QTest's macros are available to the main file through its own
    includes (directly, or through a project header it includes).

    Looking for the QVERIFY macro definition would be wrong: with the shared
    precompiled header every file sees QtTest, and results must not depend
    on whether a precompiled header was used."""
    for _, _, _, resolved in unit.includes:
        if "/QtTest/" in resolved:
            return True
    if any(m.name in ("QTEST_MAIN", "QTEST_GUILESS_MAIN", "QTEST_APPLESS_MAIN", "QVERIFY", "QCOMPARE") for m in unit.macro_uses):
        return True
    for _, _, _, resolved in unit.includes:
        if resolved and not resolved.startswith(("/usr/", "/opt/")):
            try:
                with open(resolved, "rb") as fh:
                    if _QTEST_INCLUDE.search(fh.read()):
                        return True
            except OSError:
                continue
    return False


_QTEST_MAIN_MACROS = frozenset({"QTEST_MAIN", "QTEST_GUILESS_MAIN", "QTEST_APPLESS_MAIN"})


def qtest_main_classes(unit: Unit) -> tuple[Cursor, ...] | None:
    """The QObject classes the main file's QTEST_MAIN (or its GUILESS/APPLESS
    form) runs; None when the file has no such macro (its test class may be
    run from another file) or its test object cannot be found."""
    starts = {m.start for m in unit.macro_uses if m.name in _QTEST_MAIN_MACROS}
    if not starts:
        return None
    found = []
    for top in unit.top_level():
        if top.kind == CursorKind.FUNCTION_DECL and top.spelling == "main" and unit.use_offset(top) in starts:
            for c in top.walk_preorder():
                if c.kind == CursorKind.VAR_DECL:
                    decl = c.type.get_canonical().get_declaration()
                    if is_qobject_class(decl):
                        found.append(decl)
    return tuple(found) or None  # a main qtfix cannot read proves nothing


def is_run_by_qtest(unit: Unit, function: Cursor | None) -> bool:
    """`is_test_function`, narrowed by the file's QTEST_MAIN when it has one:
    the private slots of other QObject classes (signal receivers, helper
    objects) are not run as tests; those of the test class's bases are."""
    if not is_test_function(unit, function):
        return False
    classes = qtest_main_classes(unit)
    if classes is None:
        return True
    cls = class_of_method(function.canonical)
    return cls is not None and any(is_derived_from(c, cls.spelling) for c in classes)
