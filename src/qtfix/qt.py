"""qtfix's model of Qt, shared by every codemod: QObject classes, the
network classes and the calls of theirs that matter, QtTest (test functions,
verification macros, QTEST_MAIN), QThread::run(), signals and slots.

Whatever it needs of a header's text comes through the unit (`Unit.file_bytes`,
the bytes clang parsed); it never reads a file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from clang.cindex import AccessSpecifier, TypeKind

from .cpp import enclosing_function, enclosing_named_function, strip_implicit
from .parse import FUNCTION_KINDS, Cursor, CursorKind, Unit, class_of_method, identity, is_derived_from

__all__ = ["enclosing_function", "enclosing_named_function"]  # where codemods used to find them

# -- the network classes ---------------------------------------------------------


@dataclass(frozen=True)
class NetworkClass:
    """A Qt socket or server class (its subclasses count as it)."""

    name: str
    server: bool  # accepts connections (QLocalServer, QTcpServer)
    local: bool  # named by a server name (QLocalServer, QLocalSocket), not host and port


# QAbstractSocket covers QTcpSocket, QUdpSocket and QSslSocket; QTcpServer covers QSslServer.
NETWORK_CLASSES = (
    NetworkClass("QAbstractSocket", server=False, local=False),
    NetworkClass("QLocalSocket", server=False, local=True),
    NetworkClass("QLocalServer", server=True, local=True),
    NetworkClass("QTcpServer", server=True, local=False),
)
SOCKET_CLASSES = tuple(c.name for c in NETWORK_CLASSES if not c.server)
SERVER_CLASSES = tuple(c.name for c in NETWORK_CLASSES if c.server)
LOCAL_CLASSES = frozenset(c.name for c in NETWORK_CLASSES if c.local)
# The member functions of the local classes that take a server name.
SERVER_NAME_CALLS = frozenset({"listen", "connectToServer", "setServerName", "removeServer"})
# Member functions that (re)connect a socket.
CONNECTING_CALLS = frozenset(
    {"connectToHost", "connectToHostEncrypted", "connectToServer", "setSocketDescriptor", "bind", "open",
     "startClientEncryption", "startServerEncryption"}
)


# -- host and port: who takes a port, who reaches one ----------------------------


@dataclass(frozen=True)
class PortCall:
    """A member function given a TCP/UDP port in its parameter named `port`
    (every Qt 5 and Qt 6 overload names it so)."""

    name: str
    owner: str  # the class that declares it (its subclasses count)
    binds: bool  # takes the port for itself (listen, bind); else reaches the port of another object


PORT_CALLS = {
    c.name: c
    for c in (
        PortCall("listen", "QTcpServer", binds=True),
        PortCall("bind", "QAbstractSocket", binds=True),
        PortCall("connectToHost", "QAbstractSocket", binds=False),
        PortCall("connectToHostEncrypted", "QSslSocket", binds=False),
        PortCall("writeDatagram", "QUdpSocket", binds=False),
    )
}
# Ports below this one need privileges on Unix: a test binding one checks that
# (it expects the failure as a user), it does not meet a client there.
FIRST_UNPRIVILEGED_PORT = 1024
# What tells the port a bound object really got (port 0 asks the system for a
# free one): by the class that declares the binding call.
BOUND_PORT = {"QTcpServer": "serverPort", "QAbstractSocket": "localPort"}


def port_call(call: Cursor) -> tuple[PortCall, int] | None:
    """(what the call is, the index of its `port` argument) for a call of a
    member function in PORT_CALLS on its class or a subclass; None otherwise."""
    known = PORT_CALLS.get(call.spelling)
    method = call.referenced if known is not None else None
    if method is None or method.kind != CursorKind.CXX_METHOD:
        return None
    if not network_class(class_of_method(method), (known.owner,)):
        return None
    for i, param in enumerate(method.get_arguments()):
        if param.spelling == "port" and param.type.get_canonical().kind == TypeKind.USHORT:
            return known, i
    return None


def any_port(call: Cursor, index: int, written: int) -> str:
    """The text that asks the binding `call` for any free port in place of
    its port argument (number `index` of the `written` ones).

    `bind(port)` becomes `bind()`. `bind(QHostAddress::LocalHost, 0)` does
    not compile with Qt 5: a zero is a null pointer there, which QFlags'
    `Zero` takes, so `bind(quint16, BindMode)` competes with the address
    overload; naming the default mode (`DefaultForPlatform`) settles it."""
    if index == 0 and written == 1:
        return ""
    arguments = list(call.get_arguments())
    if call.spelling == "bind" and index == 1 and written == 2 and arguments:
        if strip_implicit(arguments[0]).type.get_canonical().kind == TypeKind.ENUM:
            return "0, QAbstractSocket::DefaultForPlatform"
    return "0"


# QProcess member functions that start a program (static ones included).
PROCESS_STARTS = frozenset({"start", "startDetached", "execute", "startCommand", "open"})


def starts_process(function: Cursor) -> bool:
    """Whether the body of `function` starts a program through QProcess."""
    for c in function.walk_preorder():
        if c.kind == CursorKind.CALL_EXPR and c.spelling in PROCESS_STARTS:
            method = c.referenced
            if method is not None and method.kind == CursorKind.CXX_METHOD:
                if is_derived_from(class_of_method(method), "QProcess"):
                    return True
    return False


def network_class(decl: Cursor | None, classes: tuple[str, ...] = tuple(c.name for c in NETWORK_CLASSES)) -> bool:
    """Whether the class `decl` is (or derives from) one of `classes`."""
    if decl is None:
        return False
    decl = decl.get_definition() or decl
    return any(is_derived_from(decl, base) for base in classes)


# -- ownership ---------------------------------------------------------------------

# Calls that only look at a QObject pointer given to them (or connect to it).
LOOKING_CALLS = frozenset(
    {"connect", "disconnect", "qobject_cast", "invokeMethod", "qCompare", "qVerify", "QSignalSpy", "moveToThread"}
)
# Container members that store a pointer (and own nothing: qDeleteAll or a
# take*() + delete frees it).
CONTAINER_STORES = frozenset({"append", "push_back", "emplace_back", "prepend", "push_front", "insert", "emplace"})
# Calls that keep the pointer without owning (or reparenting) the object:
# QTcpServer::addPendingConnection queues the socket, it stays the caller's.
KEEPS_WITHOUT_OWNING = frozenset({"addPendingConnection"})
# Calls that take ownership of the object given to them (they reparent it).
TAKES_OWNERSHIP = frozenset(
    {"addChild", "setLayout", "addWidget", "addLayout", "setCentralWidget", "setWidget", "addTab", "addItem",
     "setItem", "reset", "take"}
)
# QThreadPool's members that run a QRunnable given to them: the pool deletes
# it after run() unless its autoDelete() is off.
POOL_RUNS = frozenset({"start", "tryStart"})
# Calls that hand the object they remove out of a container (or a smart
# pointer) to the caller: QList::takeFirst/takeLast/takeAt, QHash::take,
# QScopedPointer::take.
TAKE_CALLS = frozenset({"takeFirst", "takeLast", "takeAt", "take"})
# Smart pointers that own their object (QPointer only watches it).
OWNING_SMART_POINTERS = ("QSharedPointer", "QScopedPointer", "unique_ptr", "shared_ptr")


def parent_parameter(params: list[Cursor], child_of: Cursor | None = None) -> int | None:
    """The index of a constructor's parent parameter: among the parameters
    that take a non-const pointer to a QObject class (one `child_of`
    converts to, when given), the one named like a parent, else the only
    one when it is the last."""
    candidates = []
    for i, p in enumerate(params):
        t = p.type.get_canonical()
        if t.kind != TypeKind.POINTER or t.get_pointee().is_const_qualified():
            continue
        base = t.get_pointee().get_declaration()
        if is_qobject_class(base) and (child_of is None or is_derived_from(child_of, base.spelling)):
            candidates.append(i)
    named = [i for i in candidates if "parent" in params[i].spelling.lower()]
    if len(named) == 1:
        return named[0]
    if len(candidates) == 1 and candidates[0] == len(params) - 1:
        return candidates[0]
    return None


# -- QtTest ---------------------------------------------------------------------

# Functions of namespace QTest that a verification macro calls to record its
# outcome. A macro use whose expansion calls one of them and holds a plain
# `return;` is a verification macro, whatever its name (user wrappers too).
RECORDING_CALLS = frozenset(
    {"qVerify", "qCompare", "qFail", "qSkip", "qExpectFail", "reportResult", "qCaught", "qTest"}
)
# QTest's own verification macros; anything else is a user macro.
QTEST_MACRO = re.compile(
    r"^Q(VERIFY2?|COMPARE(_(EQ|NE|LT|LE|GT|GE))?|FAIL|SKIP(_INTERNAL)?|EXPECT_FAIL|TEST|VERIFY_THROWS_(NO_)?EXCEPTION"
    r"|VERIFY_EXCEPTION_THROWN|TRY_\w+)$"
)

_SLOT_SECTION = re.compile(r"^\s*(public|protected|private)\s*(slots|Q_SLOTS)?\s*:", re.DOTALL)


def is_qobject_class(decl: Cursor | None) -> bool:
    return is_derived_from(decl, "QObject")


def is_qobject_type(ctype) -> bool:
    """Whether a (pointer to a) type is a QObject-derived class."""
    t = ctype.get_canonical()
    if t.get_pointee().spelling:
        t = t.get_pointee().get_canonical()
    return is_qobject_class(t.get_declaration())


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
    """The text of an access specifier up to its `:` (`private Q_SLOTS:`),
    in the main file or in the header that declares the class."""
    span = unit.expansion_range(spec)
    if span is not None:
        end = unit.source.find(b":", span[0])
        return unit.text(span[0], end + 1) if end >= 0 else ""
    loc = spec.extent.start
    if loc.file is None:
        return ""
    data = unit.file_bytes(loc.file.name)
    end = data.find(b":", loc.offset)
    return data[loc.offset : end + 1].decode("utf-8", "replace") if end >= 0 else ""


# Called by QTest by name (`init()`...), whatever their access section, when
# moc registered them (a slot, or Q_INVOKABLE); their return type is ignored.
LIFECYCLE_FUNCTIONS = frozenset({"initTestCase", "initTestCase_data", "cleanupTestCase", "init", "cleanup"})
# Written before a member declaration, these make moc register it.
_MOC_MARKERS = re.compile(r"\b(Q_INVOKABLE|Q_SCRIPTABLE|Q_SLOT)\b")
# What ends the previous member (or an access specifier) before a declaration.
_DECLARATION_BOUND = re.compile(rb"[;{}]|(?<!:):(?!:)")


def is_test_function(unit: Unit, function: Cursor | None) -> bool:
    """A function QTest runs in the test object (measured with Qt 5.15 and
    6.4 by building and running a test program), with no parameters:

    - a test function: a `private slots` member returning `void`, `static`
      ones included;
    - `initTestCase`, `initTestCase_data`, `cleanupTestCase`, `init`,
      `cleanup`: called by name in any access section, as long as moc
      registered them (a slot, or `Q_INVOKABLE`);
    - `<name>_data`, registered the same way, of a test function `<name>`.

    Public and protected slots, slots with parameters, helpers and
    non-registered methods are not run by QTest."""
    if function is None or function.kind != CursorKind.CXX_METHOD:
        return False
    if len(list(function.get_arguments())) != 0:
        return False
    cls = class_of_method(function.canonical)
    if not is_qobject_class(cls):
        return False
    name = function.spelling
    if name in LIFECYCLE_FUNCTIONS:
        return is_registered_by_moc(unit, function)
    if name.endswith("_data") and len(name) > len("_data"):
        return is_registered_by_moc(unit, function) and _has_test_function(unit, cls, name[: -len("_data")])
    return _is_test_slot(unit, function)


def _is_test_slot(unit: Unit, method: Cursor) -> bool:
    """A private slot without parameters returning void: QTest runs it as a test."""
    if method.result_type.get_canonical().kind != TypeKind.VOID or len(list(method.get_arguments())) != 0:
        return False
    section, slots = access_section(unit, method)
    return section == "private" and (slots or _moc_marker(unit, method) == "Q_SLOT")


def _has_test_function(unit: Unit, cls: Cursor, name: str, _seen: set | None = None) -> bool:
    """Whether the class (or a base) declares a test function `name`."""
    cls = cls.get_definition() or cls
    seen = _seen if _seen is not None else set()
    if cls.get_usr() in seen:
        return False
    seen.add(cls.get_usr())
    for child in cls.get_children():
        if child.kind == CursorKind.CXX_METHOD and child.spelling == name and _is_test_slot(unit, child):
            return True
        if child.kind == CursorKind.CXX_BASE_SPECIFIER:
            base = child.type.get_declaration()
            if base is not None and base.kind is not None and _has_test_function(unit, base, name, seen):
                return True
    return False


def is_registered_by_moc(unit: Unit, method: Cursor) -> bool:
    """A slot (any access section) or a `Q_INVOKABLE` method: moc puts it in
    the meta-object, so QTest can call it by name."""
    _, slots = access_section(unit, method)
    return slots or bool(_moc_marker(unit, method))


def _moc_marker(unit: Unit, method: Cursor) -> str:
    """`Q_INVOKABLE`, `Q_SCRIPTABLE` or `Q_SLOT` written before the method's
    declaration in its class (they expand to nothing), or ""."""
    decl = method.canonical
    loc = decl.location
    if loc.file is None:
        return ""
    data = unit.source if unit.in_main_file(decl) else unit.file_bytes(loc.file.name)
    end = loc.offset
    window = data[max(0, end - 400) : end]
    bounds = [m.end() for m in _DECLARATION_BOUND.finditer(window)]
    m = _MOC_MARKERS.search(window[bounds[-1] if bounds else 0 :].decode("utf-8", "replace"))
    return m.group(1) if m else ""


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


# What Q_OBJECT declares and moc defines: they call slots and invokables only.
_MOC_METHODS = frozenset({"metaObject", "qt_metacast", "qt_metacall", "qt_static_metacall", "tr", "trUtf8"})
_PLAIN_PRIVATE = re.compile(r"^\s*private\s*:$")


def private_to_this_file(unit: Unit, method: Cursor) -> bool:
    """Whether only the main file can call `method`, although its class is
    declared in a header: it is declared under a plain `private:` (not a
    slots section, which moc and string connects reach), its class has no
    friends, and every other member function of the class (moc's aside) is
    defined in the main file."""
    cls = class_of_method(method.canonical)
    if cls is None or method.access_specifier != AccessSpecifier.PRIVATE:
        return False
    cls = cls.get_definition() or cls
    private = False
    for child in cls.get_children():
        if child.kind == CursorKind.CXX_ACCESS_SPEC_DECL:
            private = _PLAIN_PRIVATE.match(_spec_text(unit, child)) is not None
        elif child.kind == CursorKind.FRIEND_DECL:
            return False
        elif child.kind in FUNCTION_KINDS and child.spelling not in _MOC_METHODS:
            if child == method.canonical and not private:
                return False
            definition = child.get_definition()
            if definition is None or not unit.in_main_file(definition):
                return False
    return True


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
    return unit.once(_has_qtest)


def _has_qtest(unit: Unit) -> bool:
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
            if _QTEST_INCLUDE.search(unit.file_bytes(resolved)):
                return True
    return False


def is_helper_program(unit: Unit) -> bool:
    """A program of its own (it defines `main`) that is not a QtTest test:
    a helper a test starts with QProcess, on the other end of a name."""
    for c in unit.top_level():
        if c.kind == CursorKind.FUNCTION_DECL and c.spelling == "main" and c.is_definition():
            return not has_qtest(unit)
    return False


_QTEST_MAIN_MACROS = frozenset({"QTEST_MAIN", "QTEST_GUILESS_MAIN", "QTEST_APPLESS_MAIN"})


def qtest_main_classes(unit: Unit) -> tuple[Cursor, ...] | None:
    """The QObject classes the main file's QTEST_MAIN (or its GUILESS/APPLESS
    form) runs; None when the file has no such macro (its test class may be
    run from another file) or its test object cannot be found."""
    return unit.once(_qtest_main_classes)


def _qtest_main_classes(unit: Unit) -> tuple[Cursor, ...] | None:
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
    if function is None:
        return False
    return unit.once(_is_run_by_qtest, function)  # a cursor is a key: clang_equalCursors compares it


def _is_run_by_qtest(unit: Unit, function: Cursor) -> bool:
    if not is_test_function(unit, function):
        return False
    classes = qtest_main_classes(unit)
    if classes is None:
        return True
    cls = class_of_method(function.canonical)
    return cls is not None and any(is_derived_from(c, cls.spelling) for c in classes)


# -- waiting ----------------------------------------------------------------------

# The QTRY_* form of a verification macro: the same check tried again, with
# the event loop running in between, until it holds or the timeout (in ms,
# its last argument) expires.
QTRY_FORMS = {"QVERIFY": "QTRY_VERIFY_WITH_TIMEOUT", "QVERIFY2": "QTRY_VERIFY2_WITH_TIMEOUT",
              "QCOMPARE": "QTRY_COMPARE_WITH_TIMEOUT"}
# Calls that block the thread without running its event loop (QThread's,
# QTest::qSleep, POSIX), and the milliseconds one unit of their argument is.
SLEEP_CALLS = {"msleep": 1.0, "qSleep": 1.0, "sleep": 1000.0, "usleep": 0.001}
_GLOBAL = (CursorKind.TRANSLATION_UNIT, CursorKind.LINKAGE_SPEC)  # `extern "C"` in <unistd.h>


def pause(call: Cursor) -> str:
    """What a call does to this thread's time: "wait" for `QTest::qWait`
    (sleeps, running the event loop), "sleep" for a SLEEP_CALLS function of
    QThread, QTest or the C library, "events" for
    `QCoreApplication::processEvents` (delivers what is pending); else ""."""
    callee = call.referenced if call.kind == CursorKind.CALL_EXPR else None
    owner = callee.semantic_parent if callee is not None else None
    if owner is None:
        return ""
    if call.spelling == "qWait" and owner.spelling == "QTest":
        return "wait"
    if call.spelling in SLEEP_CALLS and (owner.spelling in ("QThread", "QTest") or owner.kind in _GLOBAL):
        return "sleep"
    return "events" if call.spelling == "processEvents" and owner.spelling == "QCoreApplication" else ""


# -- data rows ----------------------------------------------------------------------

_FETCH_MACROS = {"QFETCH": False, "QFETCH_GLOBAL": True}
_ROW_CALLS = frozenset({"newRow", "addRow"})


@dataclass(frozen=True)
class Fetched:
    """A variable declared by `QFETCH(Type, name)` (or QFETCH_GLOBAL)."""

    column: str
    global_data: bool  # QFETCH_GLOBAL: the rows are initTestCase_data's


@dataclass(frozen=True)
class DataRow:
    """One `QTest::newRow(tag) << a << b ...` (or addRow) statement, and its
    value for one column (None when the row has no value there)."""

    statement: Cursor  # the whole `<<` chain
    tag: str  # the row's name as spelled ("" when not a literal)
    value: Cursor | None


def fetched(unit: Unit, var: Cursor | None) -> Fetched | None:
    """The data column a variable reads, when QFETCH declared it."""
    if var is None or var.kind != CursorKind.VAR_DECL:
        return None
    span = unit.expansion_range(var)
    use = next((m for m in unit.macro_uses if span is not None and m.start == span[0]), None)
    if use is None or use.name not in _FETCH_MACROS:
        return None
    return Fetched(var.spelling, _FETCH_MACROS[use.name])


def data_rows(unit: Unit, test: Cursor, column: Fetched) -> tuple[DataRow, ...]:
    """The rows of the data function that feeds the test function `test`
    (`test_data()`, or `initTestCase_data()` for QFETCH_GLOBAL), following
    calls to other member functions of the class (`a_data() { b_data(); }`),
    with each row's value in `column`. Empty when the data function is not
    in this file or has no such column."""
    cls = class_of_method(test.canonical)
    if cls is None:
        return ()
    own = {m.canonical.get_usr(): m for m in member_function_definitions(cls)}
    name = "initTestCase_data" if column.global_data else f"{test.spelling}_data"
    start = next((m for m in own.values() if m.spelling == name), None)
    columns: list[str] = []
    chains: list[tuple[Cursor, Cursor, list[Cursor]]] = []
    if start is not None:
        _collect_rows(start, own, set(), columns, chains)
    if column.column not in columns:
        return ()
    index = columns.index(column.column)
    return tuple(DataRow(statement, _row_tag(unit, base), operands[index] if index < len(operands) else None)
                 for statement, base, operands in chains)


def _collect_rows(function: Cursor, own: dict, seen: set, columns: list, chains: list) -> None:
    """Columns (in order) and outermost `<<` chains of a data function and
    of the member functions it calls."""
    seen.add(function.canonical.get_usr())
    inner: set = set()
    for c in function.walk_preorder():
        if c.kind != CursorKind.CALL_EXPR:
            continue
        if c.spelling == "addColumn":
            name = next((a for a in c.get_arguments() if a.kind != CursorKind.TYPE_REF), None)
            literal = next((d for d in name.walk_preorder() if d.kind == CursorKind.STRING_LITERAL), None) if name else None
            if literal is not None:
                columns.append(literal.spelling.strip('"'))
        elif c.spelling == "operator<<" and identity(c) not in inner:
            base, operands = _flatten_row(c)
            if base is not None:
                chains.append((c, base, operands))
                inner.update(identity(d) for d in c.walk_preorder() if d.kind == CursorKind.CALL_EXPR)
        else:
            callee = c.referenced
            usr = callee.canonical.get_usr() if callee is not None and callee.kind == CursorKind.CXX_METHOD else ""
            if usr in own and usr not in seen:
                _collect_rows(own[usr], own, seen, columns, chains)


def _flatten_row(chain: Cursor) -> tuple[Cursor | None, list[Cursor]]:
    """(the newRow/addRow call, the values after it in order) of a
    `QTest::newRow(tag) << a << b` chain; (None, []) for other `<<`."""
    operands: list[Cursor] = []
    node = chain
    while node.kind == CursorKind.CALL_EXPR and node.spelling == "operator<<":
        args = list(node.get_arguments())
        if len(args) != 2:
            return None, []
        operands.insert(0, args[1])
        node = strip_implicit(args[0])
    if node.kind == CursorKind.CALL_EXPR and node.spelling in _ROW_CALLS:
        owner = node.referenced.semantic_parent if node.referenced is not None else None
        if owner is not None and owner.spelling == "QTest":
            return node, operands
    return None, []


def _row_tag(unit: Unit, row_call: Cursor | None) -> str:
    args = list(row_call.get_arguments()) if row_call is not None else []
    return unit.spelled_text(args[0]).strip() if args else ""


# What a loop can be bounded by: clocks and timers (Qt's and std::chrono's).
CLOCK_CLASSES = frozenset({"QElapsedTimer", "QDeadlineTimer", "QTime", "QDateTime", "QTimer",
                           "steady_clock", "system_clock", "high_resolution_clock"})
BENCHMARK_MACROS = frozenset({"QBENCHMARK", "QBENCHMARK_ONCE"})


def clock_calls(expr: Cursor):
    """The calls in `expr` of a clock's or a timer's member (`timer.elapsed()`,
    `deadline.hasExpired()`, `steady_clock::now()`), in source order."""
    for c in expr.walk_preorder():
        callee = c.referenced if c.kind == CursorKind.CALL_EXPR else None
        owner = callee.semantic_parent if callee is not None else None
        if owner is not None and owner.spelling in CLOCK_CLASSES:
            yield c


def in_benchmark(unit: Unit, parents: tuple[Cursor, ...]) -> bool:
    """Whether one of `parents` is the loop a QBENCHMARK/QBENCHMARK_ONCE expands to."""
    starts = {m.start for m in unit.macro_uses if m.name in BENCHMARK_MACROS}
    for p in parents:
        if p.kind == CursorKind.FOR_STMT:
            span = unit.expansion_range(p)
            if span is not None and span[0] in starts:
                return True
    return False


# Classes whose signals Qt emits from the event loop (I/O notifiers, timers,
# processes), never from inside a call the test makes.
EVENT_LOOP_SIGNALS = frozenset({"QIODevice", "QAbstractSocket", "QLocalSocket", "QLocalServer", "QTcpServer",
                                "QTcpSocket", "QUdpSocket", "QSslSocket", "QNetworkReply", "QNetworkAccessManager",
                                "QTimer", "QProcess", "QSocketNotifier", "QFileSystemWatcher", "QDnsLookup"})
