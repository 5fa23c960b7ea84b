from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from clang.cindex import AccessSpecifier, StorageClass, TypeKind

from qtfix.codemod import Codemod, Match, Node, NoFix, Options
from qtfix.cpp import (CASTS, TYPE_REFERENCES, call_arguments_text, enclosing_function, is_array_new,
                       holder_of, is_assigned_to, is_assignment, is_placement_new, removal_span, statement_span, strip_implicit)
from qtfix.edits import Edit, Fix, Safety
from qtfix.fate import FLOW, Kind, use_of
from qtfix.parse import (
    Cursor,
    CursorKind,
    Unit,
    class_of_method,
    entity,
    expansion_location,
    is_derived_from,
    same_declaration,
    walk_with_parents,
)
from qtfix.qt import (
    is_qobject_class,
    is_run_by_qtest,
    is_signal,
    is_thread_run,
    member_function_definitions,
    methods_run_calls,
    parent_parameter,
)

# Declared by Q_OBJECT and defined by moc: never in the analysed file.
MOC_MEMBERS = frozenset({"metaObject", "qt_metacast", "qt_metacall", "qt_static_metacall", "tr", "trUtf8"})
# A default argument qtfix may copy into the call: a literal, or a default-
# constructed value of the parameter's own type (`QString()`).
_SIMPLE_DEFAULT = re.compile(
    r"""^(?:[-+]?\d[\w.']*|true|false|nullptr|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)+'
        |(?P<type>[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)\s*(?:\(\s*\)|\{\s*\}))$""",
    re.VERBOSE,
)


class Owned(Exception):
    """The object's lifetime is already decided elsewhere (or qtfix cannot
    tell): no finding."""


@dataclass(frozen=True)
class Unowned(Match):
    new_expr: Cursor
    call: Cursor  # the constructor call inside the `new`
    ctor: Cursor  # the constructor whose parent parameter the fix fills
    explicit: tuple[Cursor, ...]  # the arguments spelled at the call
    parent_at: int  # the index of the parent parameter
    type_name: str
    no_fix_reason: str  # "" when a fix may be built
    drop: Cursor | None = None  # the destructor's `delete m_x` that the parent makes redundant


@dataclass(frozen=True)
class Target:
    """Where the result of the `new` is kept."""

    kind: str  # "local" or "field"
    decl: Cursor


class ParentForUnownedQObject(Codemod):
    """
    ## What it does
    Finds a QObject-derived object created with `new` and no parent inside a
    member function (constructors included) of a QObject-derived class, kept in
    a local variable or a member, and never deleted, `deleteLater()`-ed,
    re-parented, moved to a thread or handed to anything that could own it.
    The fix passes `this` through the constructor's own parent parameter:
    `new QLocalSocket` becomes `new QLocalSocket(this)`, `new QFile(name)`
    becomes `new QFile(name, this)` (the overload with a parent), and
    `new QSettings("org")` becomes `new QSettings("org", QString(), this)`.

    ## Why is this bad?
    The object leaks. A leaked server keeps listening and a leaked socket keeps
    its connection open into the next test functions, which then see a peer or
    a name they did not create; the leak checkers of a CI run report every one.
    Qt's answer is ownership by the parent: the object is deleted with it.

    ## Example
    ```cpp
    void tst_LocalSocket::connectToServer()
    {
        QLocalServer *server = new QLocalServer;
        QVERIFY(server->listen(name));
        ...
    }
    ```

    ## Use instead
    ```cpp
    void tst_LocalSocket::connectToServer()
    {
        QLocalServer *server = new QLocalServer(this);
        QVERIFY(server->listen(name));
        ...
    }
    ```

    qtfix follows the pointer through the function, its lambdas and, for a
    member, through every member function of the class (its destructor,
    `cleanup()`...) before it calls the object unowned. It stays silent when
    the object is deleted or `deleteLater()`-ed (also by a `deleteLater` or
    `destroyed` connection), re-parented, moved to a thread (such an object must
    stay parentless), returned, aliased, stored anywhere but a member of `this`,
    or passed to a call that may adopt it (containers,
    smart pointers, helpers); when `new` already names a parent (or an explicit
    null one: that is a decision); in `run()` of a QThread subclass and the
    member functions it calls (the QThread object lives in another thread: Qt
    refuses it as a parent there); in lambdas (they may run in any thread, any
    time); in static member functions; for objects that delete themselves and
    for classes whose constructor has no parent parameter (`QSignalSpy`).
    `QTcpServer::addPendingConnection()` queues a socket without reparenting
    it: such a socket is reported (Qt's own incomingConnection() passes the
    server as parent).

    A member created without a parent in the constructor and deleted in the
    destructor is reported too: `this` as its parent does the same, and the
    fix passes it and drops the `delete` when that is sound (the destructor
    does nothing but delete, and no connection of the class involves the
    member: with a parent it is destroyed later, by ~QObject, after the other
    members). One created in the test's `init()` but deleted only in the
    destructor leaks once per test function: reported without a fix (delete
    it in `cleanup()`).

    ## Fix safety
    Unsafe. A parent changes the object's lifetime: it was never destroyed, now
    its destructor runs when `this` is destroyed (for a test object, after the
    last test function). That destructor may do visible things: a socket
    disconnects and emits signals into connections whose lambdas may capture
    locals of a test function that has long returned, a `QProcess` is killed,
    a `QLocalServer` removes its socket file; the object also shows up in
    `children()` and `findChild()`. Usually that is exactly the cleanup that was
    missing, but it is a change in behaviour, so the fix is applied only with
    `--unsafe-fixes`. It is reported without a fix in a `const` member function
    (`this` is const), for `QThread` objects (destroying a running thread
    aborts the program), when the `new` is spelled in a macro body, when
    arguments before the parent have defaults qtfix cannot spell at the call,
    and for brace initialisation.
    """

    code = "QF101"
    name = "parent-for-unowned-qobject"
    summary = "QObject created with `new` and no parent in a QObject's member function is never deleted: pass `this` as parent"
    safety = Safety.UNSAFE

    kinds = frozenset({CursorKind.CXX_NEW_EXPR, CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR,
                       CursorKind.MEMBER_REF})

    def match(self, unit: Unit, nodes: Sequence[Node], options: Options) -> Iterator[Unowned]:
        news = []
        var_uses: dict[tuple, list] = {}
        field_uses: dict[tuple, list] = {}
        for node in nodes:
            cursor, parents = node.cursor, node.parents
            ref = cursor.referenced if cursor.kind != CursorKind.CXX_NEW_EXPR else None
            if cursor.kind == CursorKind.CXX_NEW_EXPR:
                news.append((cursor, parents))
            elif ref is not None and ref.kind == CursorKind.VAR_DECL and cursor.kind == CursorKind.DECL_REF_EXPR:
                var_uses.setdefault(entity(ref), []).append((cursor, parents))
            elif ref is not None and ref.kind == CursorKind.FIELD_DECL and cursor.kind != CursorKind.DECL_REF_EXPR:
                field_uses.setdefault(entity(ref), []).append((cursor, parents))
        context = _Context(unit, var_uses, field_uses)
        for new_expr, parents in news:
            try:
                found = self._examine(context, new_expr, parents)
            except Owned:
                continue
            if found is not None:
                yield found

    def fix(self, unit: Unit, match: Unowned, options: Options) -> Fix | NoFix:
        if match.no_fix_reason:
            return NoFix(match.no_fix_reason)
        edits, reason = self._fix(unit, match.new_expr, match.call, match.ctor, match.explicit, match.parent_at)
        if reason:
            return NoFix(reason)
        if match.drop is not None:
            span = statement_span(unit, match.drop)
            if span is None:
                return NoFix("the destructor's delete is spelled inside a macro body")
            edits.append(Edit.deletion(unit.path, *removal_span(unit.source, *span)))
        return self.fixed(edits, f"pass `this` as the parent of the new {match.type_name}")

    # -- matching ------------------------------------------------------------

    def _examine(self, ctx: _Context, new_expr: Cursor, parents):
        unit = ctx.unit
        function = enclosing_function(parents)
        if function is None or function.kind not in (CursorKind.CXX_METHOD, CursorKind.CONSTRUCTOR):
            return None  # free functions, destructors, lambdas (any thread, any time)
        if function.kind == CursorKind.CXX_METHOD and function.is_static_method():
            return None
        cls = class_of_method(function.canonical)
        if cls is None or cls.kind != CursorKind.CLASS_DECL and cls.kind != CursorKind.STRUCT_DECL:
            return None  # templates: the analysis would guess
        if not is_qobject_class(cls) or ctx.runs_in_other_thread(function, cls):
            return None
        created = new_expr.type.get_pointee().get_canonical().get_declaration()
        if not is_qobject_class(created):
            return None
        if is_placement_new(unit, new_expr) or is_array_new(unit, new_expr):
            return None  # placement new, arrays
        call = next((c for c in new_expr.get_children() if c.kind == CursorKind.CALL_EXPR), None)
        if call is None or call.referenced is None or call.referenced.kind != CursorKind.CONSTRUCTOR:
            return None
        ctor = call.referenced
        explicit = [a for a in call.get_arguments() if a.extent.start.file is not None]
        parent_at, ctor_for_fix = self._parent_parameter(ctor, cls)
        if parent_at is None:
            return None  # no parent parameter to pass: nothing qtfix can offer
        if len(explicit) > parent_at:
            return None  # the parent (maybe an explicit null) is already given
        if ctx.deletes_itself(created):
            return None

        target = self._target(new_expr, parents, cls)
        if target is None:
            return None  # handed straight to a call, returned, unused: not ours to judge
        name = target.decl.spelling
        if target.kind == "local":
            ctx.check_local(target.decl, cls)
        else:
            ctx.check_field(target.decl, cls)
        freed = ctx.destructor_deletes.get(entity(target.decl)) if target.kind == "field" else None
        if freed is not None:
            return self._freed_by_destructor(ctx, new_expr, parents, function, cls, freed,
                                             (call, ctor_for_fix, tuple(explicit), parent_at, created.spelling))

        type_name = created.spelling
        is_thread = is_derived_from(created, "QThread")
        advice = "wait for it and delete it" if is_thread else "pass `this` as its parent"
        kept = target.kind == "local" and any(use_of(unit, r, p).kind == Kind.KEPT
                                              for r, p in ctx.var_uses.get(entity(target.decl), ()))
        message = (
            f"'{name}' (`new {type_name}` without a parent) is never deleted, re-parented "
            f"or moved to a thread: it leaks{' (addPendingConnection() does not reparent it)' if kept else ''}; {advice}"
        )
        at = self._report_offset(unit, new_expr, parents)
        reason = ""
        if function.kind == CursorKind.CXX_METHOD and function.is_const_method():
            reason = "`this` is const in a const member function; give it a parent by hand"
        elif is_thread:
            reason = "destroying a QThread that still runs aborts the program, so a parent is no fix"
        return Unowned(at, message, new_expr, call, ctor_for_fix, tuple(explicit), parent_at, type_name, reason)

    def _freed_by_destructor(self, ctx: _Context, new_expr: Cursor, parents, function: Cursor, cls: Cursor,
                             freed: Cursor, call_parts: tuple) -> Unowned | None:
        """A member created without a parent in the constructor (or in the
        test's init()) and deleted in the destructor."""
        unit, name = ctx.unit, freed_name(freed)
        at = self._report_offset(unit, new_expr, parents)
        type_name = call_parts[-1]
        if is_derived_from(new_expr.type.get_pointee().get_canonical().get_declaration(), "QThread"):
            return None  # a thread must be waited for before it is destroyed: the delete's place matters
        if function.kind == CursorKind.CONSTRUCTOR:
            message = (f"'{name}' (`new {type_name}` without a parent) is created in the constructor and deleted "
                       f"in the destructor: `this` as its parent does the same; pass it and drop the delete")
            reason = ctx.destructor_order_matters(freed, cls)
            return Unowned(at, message, new_expr, *call_parts, reason, None if reason else freed)
        if function.spelling == "init" and is_run_by_qtest(unit, function):
            message = (f"'{name}' (`new {type_name}` without a parent) is created in init(), before every test "
                       f"function, but deleted only in the destructor: every test function but the last leaks one")
            reason = ("delete it in cleanup() (or hold it in a QScopedPointer member reset in init()); `this` as "
                      "its parent would keep every copy alive until the test object is destroyed")
            return Unowned(at, message, new_expr, *call_parts, reason)
        return None  # created elsewhere: the destructor's delete is the design

    @staticmethod
    def _parent_parameter(ctor: Cursor, cls: Cursor) -> tuple[int | None, Cursor | None]:
        """(index of the parameter `this` is passed to, the constructor that
        has it): the selected constructor's own parent parameter, else the
        public overload that adds one after the same parameters (QFile(name)
        -> QFile(name, parent))."""
        params = list(ctor.get_arguments())
        at = parent_parameter(params, cls)
        if at is not None:
            return at, ctor
        types = [p.type.get_canonical().spelling for p in params]
        owner = ctor.semantic_parent
        for sibling in owner.get_children() if owner is not None else ():
            if sibling.kind != CursorKind.CONSTRUCTOR or sibling.access_specifier != AccessSpecifier.PUBLIC:
                continue
            sparams = list(sibling.get_arguments())
            if len(sparams) != len(params) + 1:
                continue
            if [p.type.get_canonical().spelling for p in sparams[:-1]] != types:
                continue
            if parent_parameter(sparams, cls) == len(params):
                return len(params), sibling
        return None, None

    @staticmethod
    def _target(new_expr: Cursor, parents, cls: Cursor) -> Target | None:
        child = new_expr
        i = len(parents) - 1
        while i >= 0 and (parents[i].kind in FLOW or parents[i].kind in CASTS):
            child = parents[i]
            i -= 1
        if i < 0:
            return None
        holder = parents[i]
        if holder.kind == CursorKind.VAR_DECL:
            if holder.storage_class == StorageClass.STATIC or holder.type.get_canonical().kind != TypeKind.POINTER:
                return None
            if holder.semantic_parent is None or holder.semantic_parent.kind not in (
                CursorKind.CXX_METHOD,
                CursorKind.CONSTRUCTOR,
            ):
                return None
            return Target("local", holder)
        if holder.kind == CursorKind.BINARY_OPERATOR:
            children = list(holder.get_children())
            if len(children) != 2 or children[1] != child or not is_assignment(holder):
                return None
            lhs = strip_implicit(children[0])
            ref = lhs.referenced
            if lhs.kind == CursorKind.DECL_REF_EXPR and ref is not None and ref.kind == CursorKind.VAR_DECL:
                if ref.storage_class == StorageClass.STATIC or ref.semantic_parent is None or ref.semantic_parent.kind not in (
                    CursorKind.CXX_METHOD,
                    CursorKind.CONSTRUCTOR,
                ):
                    return None
                return Target("local", ref)
            if lhs.kind == CursorKind.MEMBER_REF_EXPR and _is_own_field(lhs, cls):
                return Target("field", ref)
            return None
        if holder.kind == CursorKind.CONSTRUCTOR:
            # a member initializer: `m_server(new QLocalServer)`
            siblings = list(holder.get_children())
            at = siblings.index(child) if child in siblings else -1
            if at > 0 and siblings[at - 1].kind == CursorKind.MEMBER_REF:
                field = siblings[at - 1].referenced
                if field is not None and field.kind == CursorKind.FIELD_DECL and same_declaration(field.semantic_parent, cls):
                    if field.type.get_canonical().kind == TypeKind.POINTER:
                        return Target("field", field)
            return None
        return None

    @staticmethod
    def _report_offset(unit: Unit, new_expr: Cursor, parents) -> int:
        """At the `new`; in a statement declaring several variables whose
        declarator starts on another line than its `new`, at the declarator."""
        at = unit.use_offset(new_expr)
        decl = next((p for p in reversed(parents) if p.kind == CursorKind.VAR_DECL), None)
        statement = parents[parents.index(decl) - 1] if decl is not None and parents.index(decl) > 0 else None
        if statement is None or statement.kind != CursorKind.DECL_STMT:
            return at
        if sum(1 for c in statement.get_children() if c.kind == CursorKind.VAR_DECL) < 2:
            return at
        _, name_at = expansion_location(decl.location)
        return name_at if unit.line_col(name_at)[0] != unit.line_col(at)[0] else at

    # -- fix -----------------------------------------------------------------

    def _fix(self, unit: Unit, new_expr: Cursor, call: Cursor, ctor: Cursor, explicit, parent_at: int):
        """(edits, "") or ([], why there is no fix)."""
        if unit.file_range(new_expr) is None or unit.file_range(call) is None:
            return [], "the `new` is spelled inside a macro body"
        call_span = unit.file_range(call)
        params = list(ctor.get_arguments())
        fills = []
        for param in params[len(explicit):parent_at]:
            text = _default_text(unit, param)
            if text is None:
                return [], (
                    f"the parent is argument {parent_at + 1} and the default of "
                    f"'{param.spelling}' before it cannot be spelled here; pass it by hand"
                )
            fills.append(text)
        inserted = ", ".join(fills + ["this"])
        last = unit.source[call_span[1] - 1 : call_span[1]]
        if last == b"}":
            return [], "brace-initialised; add the parent by hand"
        if last != b")":  # `new QTimer`: the call is the type name alone
            if explicit:
                return [], "the constructor call is not spelled as qtfix expects"
            return [Edit.insertion(unit.path, call_span[1], f"({inserted})")], ""
        open_paren = self._open_paren(unit, call_span, explicit)
        args = call_arguments_text(unit.source, open_paren) if open_paren is not None else None
        if args is None or len(args) != len(explicit):
            return [], "the constructor call is not spelled as qtfix expects"
        if not args:
            return [Edit.insertion(unit.path, open_paren + 1, inserted)], ""
        last_start, last_end = args[-1]
        end = last_start + len(unit.source[last_start:last_end].rstrip())
        return [Edit.insertion(unit.path, end, f", {inserted}")], ""

    @staticmethod
    def _open_paren(unit: Unit, call_span: tuple[int, int], explicit) -> int | None:
        """The call's '(': the last one before its first argument, or the
        one just before the closing ')' of an empty argument list."""
        if explicit:
            first = unit.file_range(explicit[0]) or unit.expansion_range(explicit[0])
            if first is None:
                return None
            at = unit.source.rfind(b"(", call_span[0], first[0])
            return at if at >= 0 and not unit.source[at + 1 : first[0]].strip() else None
        at = call_span[1] - 2
        while at > call_span[0] and unit.source[at : at + 1] in (b" ", b"\t", b"\r", b"\n"):
            at -= 1
        return at if unit.source[at : at + 1] == b"(" else None


class _Context:
    """The file's uses of each variable and member, and answers about them,
    computed once per file."""

    def __init__(self, unit: Unit, var_uses, field_uses):
        self.unit = unit
        self.var_uses = var_uses
        self.field_uses = field_uses
        self._thread_helpers: dict[tuple, set[str]] = {}
        self._fields_checked: dict[tuple, bool] = {}
        self._self_deleting: dict[tuple, bool] = {}
        self.destructor_deletes: dict[tuple, Cursor | None] = {}  # member -> the `delete m_x` of ~X()

    def runs_in_other_thread(self, function: Cursor, cls: Cursor) -> bool:
        """run() of a QThread subclass and the member functions it calls: the
        QThread object (`this`) lives in the thread that created it."""
        if is_thread_run(function):
            return True
        if not is_derived_from(cls, "QThread"):
            return False
        key = entity(cls)
        if key not in self._thread_helpers:
            run = next((m for m in member_function_definitions(cls) if is_thread_run(m)), None)
            self._thread_helpers[key] = methods_run_calls(run) if run is not None else set()
        return function.canonical.get_usr() in self._thread_helpers[key]

    def destructor_order_matters(self, freed: Cursor, cls: Cursor) -> str:
        """Why dropping the destructor's `delete m_x` for a parent is not
        sound, or "": the destructor does nothing else, and no connection of
        the class involves the member (with a parent it is destroyed after
        the destructor's body and the other members, by ~QObject)."""
        destructor = next((b for b in self._class_bodies(cls) if b.kind == CursorKind.DESTRUCTOR), None)
        block = next((c for c in destructor.get_children() if c.kind == CursorKind.COMPOUND_STMT), None)
        statements = list(block.get_children()) if block is not None else []
        if any(strip_implicit(c).kind != CursorKind.CXX_DELETE_EXPR for c in statements):
            return ("the destructor does more than delete: with `this` as parent the object would be destroyed "
                    "after it (by ~QObject); pass `this` and drop the delete by hand if that order does not matter")
        key = entity(freed_member(freed))
        for method in self._class_bodies(cls):
            for c in method.walk_preorder():
                if c.kind == CursorKind.CALL_EXPR and c.spelling == "connect" and any(
                        n.kind == CursorKind.MEMBER_REF_EXPR and entity(n.referenced) == key for n in c.walk_preorder()):
                    return ("its signals are connected in the class: with `this` as parent it would be destroyed "
                            "after the other members, and a signal it emits then could reach them; keep the delete")
        return ""

    def deletes_itself(self, created: Cursor) -> bool:
        """A class of the file that deletes itself (`deleteLater()`, `delete
        this`): its objects need no parent."""
        definition = created.get_definition()
        if definition is None or not self.unit.in_main_file(definition):
            return False
        key = entity(definition)
        if key not in self._self_deleting:
            found = False
            for method in member_function_definitions(definition):
                for c in method.walk_preorder():
                    if c.kind in (CursorKind.MEMBER_REF_EXPR, CursorKind.DECL_REF_EXPR) and c.spelling == "deleteLater":
                        found = True
                    elif c.kind == CursorKind.CXX_DELETE_EXPR and any(
                        strip_implicit(k).kind == CursorKind.CXX_THIS_EXPR for k in c.get_children()
                    ):
                        found = True
                    elif c.kind == CursorKind.STRING_LITERAL and "deleteLater(" in c.spelling:
                        found = True
            self._self_deleting[key] = found
        return self._self_deleting[key]

    def check_local(self, var: Cursor, cls: Cursor) -> None:
        for ref, parents in self.var_uses.get(entity(var), ()):
            fate = _fate(self.unit, ref, parents, cls)
            if fate is not None:
                self.check_field(fate, cls)
                if self.destructor_deletes.get(entity(fate)) is not None:
                    raise Owned  # stored in a member the destructor frees

    def check_field(self, field: Cursor, cls: Cursor) -> None:
        key = entity(field)
        if key in self._fields_checked:
            if not self._fields_checked[key]:
                raise Owned
            return
        self._fields_checked[key] = False
        if not same_declaration(field.semantic_parent, cls) or field.type.get_canonical().kind != TypeKind.POINTER:
            raise Owned
        freed = []
        uses = list(self.field_uses.get(key, ()))
        for method in self._class_bodies(cls):
            if self.unit.in_main_file(method):
                continue  # already in the file's index
            uses += [
                (c, p)
                for c, p in walk_with_parents(method, ())
                if c.kind in (CursorKind.MEMBER_REF_EXPR, CursorKind.MEMBER_REF)
                and c.referenced is not None
                and entity(c.referenced) == key
            ]
        for ref, parents in uses:
            if ref.kind == CursorKind.MEMBER_REF:
                continue  # the member initializer: a store
            if is_assigned_to(ref, parents):
                continue
            delete = _deleted_by_destructor(ref, parents)
            if delete is not None:
                freed.append(delete)
                continue
            fate = _fate(self.unit, ref, parents, cls)
            if fate is not None and entity(fate) != key:
                raise Owned  # copied into another member
        if len(freed) > 1:
            raise Owned
        self.destructor_deletes[key] = freed[0] if freed else None
        self._fields_checked[key] = True

    def _class_bodies(self, cls: Cursor) -> list[Cursor]:
        """The definitions of the class's member functions; Owned when one that
        could touch a member is defined outside the translation unit."""
        definition = cls.get_definition() or cls
        bodies = []
        for child in definition.get_children():
            if child.kind not in (CursorKind.CXX_METHOD, CursorKind.CONSTRUCTOR, CursorKind.DESTRUCTOR, CursorKind.FUNCTION_TEMPLATE):
                continue
            body = child.get_definition()
            if body is not None:
                bodies.append(body)
                continue
            if child.spelling in MOC_MEMBERS or child.is_pure_virtual_method() or child.is_deleted_method():
                continue
            if child.is_default_method() or is_signal(self.unit, child):
                continue
            raise Owned  # e.g. a destructor defined in another file may delete the member
        return bodies


def _fate(unit: Unit, ref: Cursor, parents, cls: Cursor) -> Cursor | None:
    """What one use of the pointer means here: None when it only looks at
    the object (or captures it), the member of `this` it is stored into;
    raises Owned when the use decides (or may decide) its lifetime: deleted,
    deleteLater-ed or watched, reparented, moved to a thread, returned,
    aliased, handed to any call that may adopt it (addPendingConnection
    included: a call qtfix cannot see through is not taken on trust)."""
    event = use_of(unit, ref, parents)
    if event.kind in (Kind.LOOKED, Kind.REASSIGNED, Kind.CAPTURED, Kind.KEPT):
        return None  # KEPT: addPendingConnection() queues it without reparenting
    if event.kind == Kind.MEMBER and _is_own_field(strip_implicit(next(iter(event.at.get_children()))), cls):
        return event.field
    raise Owned


def freed_member(delete_expr: Cursor) -> Cursor | None:
    """The member a `delete m_x` frees."""
    ref = next((c for c in delete_expr.walk_preorder() if c.kind == CursorKind.MEMBER_REF_EXPR), None)
    return ref.referenced if ref is not None else None


def freed_name(delete_expr: Cursor) -> str:
    member = freed_member(delete_expr)
    return member.spelling if member is not None else "?"


def _deleted_by_destructor(ref: Cursor, parents) -> Cursor | None:
    """The `delete m_x;` that is a statement of the class's destructor
    body, when `ref` is its `m_x`."""
    holder = holder_of(ref, parents, lambda c: c.kind in FLOW or c.kind in CASTS)
    i = holder.depth
    if holder.cursor is None or holder.cursor.kind != CursorKind.CXX_DELETE_EXPR or i < 2:
        return None
    if parents[i - 1].kind != CursorKind.COMPOUND_STMT or parents[i - 2].kind != CursorKind.DESTRUCTOR:
        return None
    return holder.cursor


def _is_own_field(member_ref: Cursor, cls: Cursor) -> bool:
    """`m_x` or `this->m_x`, a pointer member declared by `cls` itself."""
    field = member_ref.referenced
    if field is None or field.kind != CursorKind.FIELD_DECL or not same_declaration(field.semantic_parent, cls):
        return False
    base = [c for c in member_ref.get_children()]
    return not base or strip_implicit(base[0]).kind == CursorKind.CXX_THIS_EXPR


def _default_text(unit: Unit, param: Cursor) -> str | None:
    """The parameter's default argument as spelled in its declaration, when
    it is simple enough to repeat at the call; else None."""
    exprs = [c for c in param.get_children() if c.kind not in TYPE_REFERENCES]
    if len(exprs) != 1 or exprs[0].extent.start.file is None:
        return None
    start, end = exprs[0].extent.start, exprs[0].extent.end
    data = unit.file_bytes(start.file.name)
    text = data[start.offset : end.offset].decode("utf-8", "replace").strip()
    m = _SIMPLE_DEFAULT.match(text)
    if m is None:
        return None
    if m.group("type"):
        t = param.type.get_canonical()
        if t.kind in (TypeKind.LVALUEREFERENCE, TypeKind.RVALUEREFERENCE):
            t = t.get_pointee()
        declared = t.get_declaration()
        if declared is None or declared.spelling != m.group("type").split("::")[-1]:
            return None
    return text
