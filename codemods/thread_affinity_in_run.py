from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from clang.cindex import TypeKind

from qtfix.codemod import Codemod, Match, Node, Options
from qtfix.cpp import CASTS, IMPLICIT, holds_no_object, on_this, pointee_class, smart_pointee_class, strip_casts
from qtfix.edits import Safety
from qtfix.fate import Kind, member_stores, parent_argument, use_of
from qtfix.parse import Cursor, CursorKind, Unit, class_of_method, entity, identity, same_declaration, walk_with_parents
from qtfix.qt import is_qobject_class, is_signal, is_thread_run, member_function_definitions, methods_run_calls

# The object value flows through these unchanged.
FLOW = IMPLICIT | CASTS
# Calls that are safe from any thread when they name the object: they only
# connect to it or post to its own thread.
CROSS_THREAD_CALLS = frozenset({"connect", "disconnect", "invokeMethod", "postEvent", "singleShot", "QSignalSpy"})
# Connection types that say the slot is meant to run in the receiver's thread.
QUEUED_TYPES = frozenset({"QueuedConnection", "BlockingQueuedConnection"})
# Member functions Qt documents as thread-safe (QObject, QThread).
THREAD_SAFE_MEMBERS = frozenset(
    {"deleteLater", "thread", "quit", "exit", "wait", "isRunning", "isFinished", "requestInterruption", "isInterruptionRequested"}
)


@dataclass(frozen=True)
class Bound:
    """A member of the QThread subclass that lives in the creating thread."""

    field: Cursor
    origin: str  # where it comes from and which thread it lives in


class ThreadAffinityInRun(Codemod):
    """
    ## What it does
    Finds, in `run()` of a QThread subclass, the use of a QObject that lives in
    another thread: a member of the subclass (an object member, or a pointer
    member whose object is created in the constructor or handed in from
    outside), and `this` used as a parent or as the receiver/context of a
    connection (`new QTimer(this)`, `connect(socket, &QLocalSocket::readyRead,
    this, &Server::onReadyRead)`, `connect(socket, SIGNAL(readyRead()),
    SLOT(onReadyRead()))`, `QTimer::singleShot(0, this, ...)`).

    ## Why is this bad?
    A QThread object is not the thread it manages: it and its members live in
    the thread that constructed it, while `run()` executes in the new thread.
    Calling a member QObject from `run()` is a cross-thread call into an object
    whose event processing, timers and socket notifiers belong to the other
    thread (QTimer and QSocketNotifier refuse to work; sockets misbehave
    intermittently). `this` as a parent is refused by Qt ("Cannot create
    children for a parent that is in a different thread"), and as a receiver
    or context it sends the slot back to the creating thread, queued, where
    it runs only if that thread spins an event loop: often never, in a test
    blocked in `wait()`.

    Objects created inside `run()` itself are correct Qt usage: they live in
    the new thread and `exec()` serves them. qtfix does not report them, nor
    members that `run()` (or a member function it calls) creates or assigns,
    members moved to the thread with `moveToThread()`, thread-safe uses
    (`connect`, `invokeMethod`, `postEvent`, emitting a signal, `deleteLater()`,
    QThread's `quit()`/`wait()`...), a test of the pointer itself, `this` as a
    sender, and connections made with `Qt::DirectConnection`. Nor `this` as
    the receiver of a slot (`SLOT()` or `&Class::slot`) connected with an
    explicit `Qt::QueuedConnection` or `Qt::BlockingQueuedConnection`: that
    asks for the slot to run in the creating thread, on purpose. A lambda
    given `this` as its context is still reported, queued or not: it usually
    touches run()'s own objects, now from the other thread. When the class
    moves itself into its thread (`moveToThread(this)`), `this` and its
    children are in the new thread, and only other members are reported.

    ## Example
    ```cpp
    class ServerThread : public QThread
    {
        QLocalServer server;  // lives in the thread that constructs ServerThread
        void run() override
        {
            server.listen(name);  // used from the new thread
            exec();
        }
    };
    ```

    ## Use instead
    ```cpp
    class Server : public QObject
    {
        QLocalServer server{this};
    public slots:
        void start() { server.listen(name); }
    };
    ...
    QThread thread;
    Server *server = new Server;
    server->moveToThread(&thread);
    connect(&thread, &QThread::started, server, &Server::start);
    connect(&thread, &QThread::finished, server, &QObject::deleteLater);
    thread.start();
    ```
    (Or create the server as a local of `run()`.) A worker QObject moved with
    `moveToThread()` lives in the thread whose event loop serves it; its
    children go with it.

    ## Fix safety
    No fix: moving code into a worker object changes the class's structure,
    which qtfix leaves to a human. Each member is reported once, at its first
    use in `run()` (the use site of a macro such as `QVERIFY`).
    """

    code = "QF106"
    name = "thread-affinity-in-run"
    summary = "QObject living in the creating thread (a QThread member, or `this`) used inside QThread::run()"
    safety = Safety.NONE

    kinds = frozenset({CursorKind.CXX_METHOD})

    def match(self, unit: Unit, nodes: Sequence[Node], options: Options) -> Iterator[Match]:
        for node in nodes:
            run = node.cursor
            body = next((c for c in run.get_children() if c.kind == CursorKind.COMPOUND_STMT), None)
            cls = class_of_method(run.canonical) if is_thread_run(run) and run.is_definition() else None
            if body is not None and cls is not None:
                yield from self._check_run(unit, run, body, cls)

    def _check_run(self, unit: Unit, run: Cursor, body: Cursor, cls: Cursor) -> Iterator[Match]:
        facts = _ClassFacts(unit, cls, run)
        bound = {entity(b.field): b for b in facts.bound_members()}
        reported: set = set()
        class_name = cls.spelling
        for cursor, parents in walk_with_parents(body, (run,)):
            if cursor.kind == CursorKind.MEMBER_REF_EXPR:
                field = cursor.referenced
                key = entity(field) if field is not None and field.kind == CursorKind.FIELD_DECL else None
                if key not in bound or key in reported or not on_this(cursor):
                    continue
                if not _is_use(unit, cursor, parents):
                    continue
                reported.add(key)
                b = bound[key]
                yield Match(
                    unit.use_offset(cursor),
                    f"'{field.spelling}' {b.origin}, not in the thread run() executes in; create it inside "
                    f"run(), or move the work into a worker QObject and moveToThread() it",
                )
            elif cursor.kind == CursorKind.CXX_THIS_EXPR and not facts.moves_itself:
                role = _this_role(cursor, parents)
                if role is not None:
                    yield Match(unit.use_offset(cursor), _this_message(role, class_name))
            elif cursor.kind == CursorKind.CALL_EXPR and not facts.moves_itself:
                if _implicit_receiver_connect(cursor):
                    yield Match(unit.use_offset(cursor), _this_message("receiver", class_name))


def _this_message(role: str, class_name: str) -> str:
    if role == "parent":
        return (
            f"`this` (the {class_name} object) lives in the thread that created it, not in the thread run() "
            f"executes in: Qt refuses it as a parent here; create the object without a parent in run(), "
            f"or move the work into a worker QObject and moveToThread() it"
        )
    what = "the context object" if role == "context" else "the receiver"
    return (
        f"`this` (the {class_name} object) as {what} makes the slot run in the thread that created it "
        f"(queued), not in the thread run() executes in; use a context object created in run(), or move the work "
        f"into a worker QObject and moveToThread() it"
    )


class _ClassFacts:
    """What the QThread subclass's member functions do with its members."""

    def __init__(self, unit: Unit, cls: Cursor, run: Cursor):
        self.unit = unit
        self.cls = cls.get_definition() or cls
        self.bodies = member_function_definitions(self.cls)
        in_thread = methods_run_calls(run) | {run.canonical.get_usr()}
        self.run_bodies = [b for b in self.bodies if b.canonical.get_usr() in in_thread]
        self.other_bodies = [b for b in self.bodies if b.canonical.get_usr() not in in_thread]
        self.outside_run = self._code_outside_run()
        self.moves_itself = self._moves_itself()

    def _code_outside_run(self) -> list[tuple[Cursor, tuple[Cursor, ...]]]:
        """Cursors (with their ancestors) of the class's other member
        functions and of the rest of the file. A `moveToThread()` inside
        run() is not a move: it can only push an object away from the calling
        thread, and run() is not the thread these objects live in."""
        in_run = {identity(c) for b in self.run_bodies for c in b.walk_preorder()}
        cursors = [node for b in self.other_bodies for node in walk_with_parents(b, ())]
        return cursors + [(c, p) for c, p in self.unit.walk() if identity(c) not in in_run]

    def _moves_itself(self) -> bool:
        """`moveToThread(this)` in the class, or `t.moveToThread(&t)` in the
        file: the object (with its children) lives in its own thread."""
        for c, _ in self.outside_run:
            if c.kind != CursorKind.CALL_EXPR or c.spelling != "moveToThread":
                continue
            args = list(c.get_arguments())
            callee = next(iter(c.get_children()), None)
            target = pointee_class(strip_casts(args[0]).type) if args else None
            base = next(iter(callee.get_children()), None) if callee is not None else None
            mover = pointee_class(strip_casts(base).type) if base is not None else self.cls
            if same_declaration(target, self.cls) and same_declaration(mover, self.cls):
                return True
        return False

    def bound_members(self) -> list[Bound]:
        found = []
        for field in self.cls.get_children():
            if field.kind != CursorKind.FIELD_DECL:
                continue
            shape = _object_shape(field.type)
            if shape is None:
                continue
            key = entity(field)
            if self._moved(key):
                continue
            owner = f"the thread that created the {self.cls.spelling} object"
            if shape == "value":
                found.append(Bound(field, f"is a member of {self.cls.spelling}: it lives in {owner}"))
                continue
            if self._assigned_in(self.run_bodies, field):
                continue  # created (or fetched) by run() itself: lives in the new thread
            created_in_ctor = self._created_in_constructor(field)
            if created_in_ctor:
                if self.moves_itself and self._created_with_this_parent(field):
                    continue  # a child of `this`: it moved with it
                found.append(Bound(field, f"is created in the {self.cls.spelling} constructor: it lives in {owner}"))
            elif self._assigned_in(self.other_bodies, field) and not self._something_moves_here():
                found.append(Bound(field, "is set outside run(): it lives in the thread that created it"))
        return found

    def _moved(self, key: tuple) -> bool:
        """The member's object is moved to another thread somewhere in the
        class or the file (`m_server->moveToThread(this)`)."""
        for c, parents in self.outside_run:
            if c.kind == CursorKind.MEMBER_REF_EXPR and c.referenced is not None and entity(c.referenced) == key:
                if on_this(c) and use_of(self.unit, c, parents).kind == Kind.MOVED_TO_THREAD:
                    return True
        return False

    def _assigned_in(self, bodies, field: Cursor) -> bool:
        """Whether these bodies store an object (not a null pointer) in the
        member: `m_x = ...`, `m_x(...)` in a member initializer, `m_x.reset(...)`."""
        return any(not holds_no_object(store.value) for store in member_stores(field, bodies))

    def _constructors(self) -> list[Cursor]:
        return [b for b in self.bodies if b.kind == CursorKind.CONSTRUCTOR]

    def _creations(self, field: Cursor, bodies) -> list[Cursor]:
        """`new` expressions stored in the member by these bodies (or its
        default member initializer)."""
        found = [c for c in field.walk_preorder() if c.kind == CursorKind.CXX_NEW_EXPR]
        for store in member_stores(field, bodies):
            if store.form != "call":
                found += [n for n in store.value.walk_preorder() if n.kind == CursorKind.CXX_NEW_EXPR]
        return found

    def _created_in_constructor(self, field: Cursor) -> bool:
        return bool(self._creations(field, self._constructors()))

    def _created_with_this_parent(self, field: Cursor) -> bool:
        for new_expr in self._creations(field, self._constructors()):
            parent = parent_argument(new_expr)
            if parent is not None and strip_casts(parent).kind == CursorKind.CXX_THIS_EXPR:
                return True
        return False

    def _something_moves_here(self) -> bool:
        """Some code of the file moves an object to this thread class: a
        pointer handed in from outside may be that object."""
        for c, _ in self.outside_run:
            if c.kind == CursorKind.CALL_EXPR and c.spelling == "moveToThread":
                args = list(c.get_arguments())
                if args and same_declaration(pointee_class(strip_casts(args[0]).type), self.cls):
                    return True
        return False


def _object_shape(ctype) -> str | None:
    """"value" for a QObject member, "pointer" for a (smart) pointer to one."""
    t = ctype.get_canonical()
    if t.kind == TypeKind.POINTER:
        return "pointer" if is_qobject_class(t.get_pointee().get_canonical().get_declaration()) else None
    decl = t.get_declaration()
    if decl is None:
        return None
    inner = smart_pointee_class(t)
    if inner is not None:
        return "pointer" if is_qobject_class(inner) else None
    if is_qobject_class(decl):
        return "value"
    return None


def _is_use(unit: Unit, ref: Cursor, parents) -> bool:
    """Whether this mention of the member calls into its object from run()'s
    thread (a test of the pointer, a connection or a queued call does not)."""
    child = ref
    i = len(parents) - 1
    while i >= 0:
        holder = parents[i]
        if holder.kind in FLOW:
            if holder.kind != CursorKind.UNEXPOSED_EXPR and holder.type.get_canonical().kind not in (
                TypeKind.POINTER,
                TypeKind.RECORD,
                TypeKind.LVALUEREFERENCE,
            ):
                return False  # (void)m_x, static_cast<bool>(m_x)
        elif holder.kind == CursorKind.UNARY_OPERATOR and re.match(r"\s*[&*]", unit.spelled_text(holder) or ""):
            pass  # &m_server, *m_server: still the object
        else:
            break
        child = holder
        i -= 1
    if i < 0:
        return False
    holder = parents[i]
    kind = holder.kind
    if kind == CursorKind.MEMBER_REF_EXPR:
        method = holder.referenced
        if holder.spelling in THREAD_SAFE_MEMBERS:
            return False
        if method is not None and method.kind == CursorKind.CXX_METHOD and is_signal(unit, method):
            return False  # emitting a signal is thread-safe
        return True
    if kind == CursorKind.CALL_EXPR:
        name = holder.spelling
        if name in CROSS_THREAD_CALLS:
            return False
        if name.startswith("operator") and name in ("operator->", "operator*", "operator bool", "operator!"):
            return name in ("operator->", "operator*")
        if name in ("operator==", "operator!=", "operator="):
            return False  # compared or copied: nothing is called yet
        return True  # handed to a function that will use it
    if kind == CursorKind.CXX_DELETE_EXPR:
        return True  # deleted from the wrong thread
    return False  # conditions, comparisons, copies of the pointer


def _this_role(this: Cursor, parents) -> str | None:
    """"parent" when `this` is passed as a new object's parent, "receiver" or
    "context" when it receives a connection or a single-shot call."""
    child = this
    i = len(parents) - 1
    while i >= 0 and parents[i].kind in FLOW:
        child = parents[i]
        i -= 1
    if i < 0:
        return None
    holder = parents[i]
    if holder.kind != CursorKind.CALL_EXPR:
        return None
    converted = child.type.get_canonical()
    if converted.kind != TypeKind.POINTER:
        return None
    args = list(holder.get_arguments())
    at = next((n for n, a in enumerate(args) if a == child), -1)
    if i > 0 and parents[i - 1].kind == CursorKind.CXX_NEW_EXPR:
        created = parents[i - 1].type.get_pointee().get_canonical().get_declaration()
        if is_qobject_class(created) and not converted.get_pointee().is_const_qualified():
            return "parent"
        return None
    receives = (holder.spelling == "connect" and len(args) >= 4 and at == 2) or (
        holder.spelling == "singleShot" and len(args) >= 3 and at == 1
    )
    if not receives or _direct_connection(holder):
        return None
    if strip_casts(args[at + 1]).kind == CursorKind.LAMBDA_EXPR:
        return "context"
    if holder.spelling == "connect" and _queued_connection(holder):
        return None  # an explicit hop back to the creating thread: the intent
    return "receiver"


def _direct_connection(call: Cursor) -> bool:
    return any(
        c.kind == CursorKind.DECL_REF_EXPR and c.spelling == "DirectConnection" for c in call.walk_preorder()
    )


def _queued_connection(call: Cursor) -> bool:
    """The connection type is written out as `Qt::QueuedConnection` or
    `Qt::BlockingQueuedConnection` (perhaps or-ed with `Qt::UniqueConnection`)."""
    for c in call.walk_preorder():
        if c.kind == CursorKind.DECL_REF_EXPR and c.spelling in QUEUED_TYPES:
            decl = c.referenced
            owner = decl.semantic_parent if decl is not None and decl.kind == CursorKind.ENUM_CONSTANT_DECL else None
            if owner is not None and owner.spelling == "ConnectionType":
                return True
    return False


def _implicit_receiver_connect(call: Cursor) -> bool:
    """`connect(sender, SIGNAL(x()), SLOT(y()))`: QObject's non-static
    connect whose receiver is the object it is called on, here `this`."""
    if call.spelling != "connect":
        return False
    method = call.referenced
    if method is None or method.kind != CursorKind.CXX_METHOD or method.is_static_method():
        return False
    callee = next(iter(call.get_children()), None)
    if callee is None or callee.kind != CursorKind.MEMBER_REF_EXPR or not on_this(callee):
        return False
    return not _direct_connection(call) and not _queued_connection(call)
