from __future__ import annotations

import re
from dataclasses import dataclass, field

from clang.cindex import StorageClass, TypeKind

from qtfix.codemod import LegacyCodemod as Codemod, Options
from qtfix.cpp import strip_implicit
from qtfix.cpp import ensure_include, is_factory_call, line_is_only, skip_space
from qtfix.edits import Edit, Safety
from qtfix.parse import Cursor, CursorKind, Unit, file_location

# Calls that take ownership of (or schedule the deletion of) a pointer passed
# to them: after such a call the manual `delete` is not the only owner.
OWNERSHIP_SINKS = frozenset(
    {
        "setParent", "addPendingConnection", "reset", "take", "append", "push_back", "emplace_back",
        "prepend", "push_front", "insert", "emplace", "addChild", "setLayout", "addWidget", "addLayout",
        "setCentralWidget", "setWidget", "addTab", "addItem", "setItem", "qDeleteAll", "deleteLater",
        "moveToThread",
    }
)
# Smart pointers that would own the object too (QPointer only watches it).
OWNING_WRAPPERS = ("QSharedPointer", "QScopedPointer", "unique_ptr", "shared_ptr")
TRANSPARENT = (CursorKind.UNEXPOSED_EXPR, CursorKind.PAREN_EXPR)


class Escape(Exception):
    """The pointer's ownership leaves the function's plain new/delete pair."""


@dataclass
class Candidate:
    decl: Cursor
    decl_stmt: Cursor
    block: Cursor
    assigned_later: bool = False  # `T *p;` (or `= nullptr`) then `p = new T;`
    uses: list = field(default_factory=list)  # (DECL_REF_EXPR, parents)


class ScopedPointerForDeletedLocal(Codemod):
    """
    ## What it does
    Finds a local raw pointer initialised with `new` and freed by a `delete`
    of the same variable later in the same block:
    `QLocalSocket *socket = new QLocalSocket; ... delete socket;`, also when
    the pointer is declared first and assigned once before any other use
    (`QLocalSocket *socket; socket = new QLocalSocket;`), or comes from a
    factory: a non-virtual member function of the same class, defined in the
    file, whose every `return` is a `new` (`QTcpSocket *socket = newSocket();`).

    ## Why is this bad?
    Every early exit between the `new` and the `delete` leaks the object, and in
    a test there are many: each failing `QVERIFY`/`QCOMPARE` is a hidden
    `return`. A leaked socket or server keeps its connection or local socket
    file alive into the next test function, which then fails for the wrong
    reason.

    ## Example
    ```cpp
    QLocalServer *server = new QLocalServer();
    connect(server, &QLocalServer::newConnection, [this, server]() { ... });
    QVERIFY(server->listen(name));
    ...
    delete server;
    QTRY_COMPARE(disconnected.count(), 1);
    ```

    ## Use instead
    ```cpp
    QScopedPointer<QLocalServer> server(new QLocalServer());
    connect(server.data(), &QLocalServer::newConnection, [this, server = server.data()]() { ... });
    QVERIFY(server->listen(name));
    ...
    server.reset();
    QTRY_COMPARE(disconnected.count(), 1);
    ```
    Uses that need the raw pointer (`connect`, `QSignalSpy` and other function
    arguments, comparisons, `QPointer` guards, by-value lambda captures) become
    `server.data()`; `#include <QScopedPointer>` is added when the file does not
    include it (or a Qt module header that brings it). The `delete` keeps its
    place as `server.reset();` whenever the moment of destruction may matter:
    other statements follow it (a check of a guard or a spy, a `QTRY_*`), the
    test watches the deletion (a `QPointer`, a spy or connection on
    `destroyed`), or a comment belongs to it. Only a `delete` that ends its
    block (followed by nothing, other deletes, or a `return` of a plain value)
    is removed, together with a blank line left before the `}`. A pointer
    assigned after its declaration becomes `QScopedPointer<T> socket;` and
    `socket.reset(new T);`.

    ## Fix safety
    Safe: the object is destroyed at the same point on the normal path, and now
    also on early returns. qtfix stays silent when the pointer escapes: it is
    returned, stored or aliased in a raw pointer, reassigned (or assigned
    conditionally, or used before its one assignment), its address taken,
    handed to an owner (`setParent`, `addPendingConnection`, containers, other
    smart pointers), `deleteLater()`-ed or moved to a thread, deleted more than
    once or only on some paths, or used after the `delete`. It reports without
    a fix when part of the code is spelled inside a macro body.
    """

    code = "QF102"
    name = "scoped-pointer-for-deleted-local"
    summary = "local `T *p = new T` freed by `delete p` leaks on every early return (QVERIFY/QCOMPARE)"
    safety = Safety.SAFE

    def find(self, unit: Unit, options: Options):
        candidates: dict[int, Candidate] = {}
        refs = []
        deletes = []
        for cursor, parents in unit.walk():
            kind = cursor.kind
            if kind == CursorKind.VAR_DECL:
                cand = self._candidate(unit, cursor, parents)
                if cand is not None:
                    candidates[cursor.hash] = cand
            elif kind == CursorKind.DECL_REF_EXPR:
                ref = cursor.referenced
                if ref is not None and ref.kind == CursorKind.VAR_DECL:
                    refs.append((cursor, parents, ref))
        for cursor, parents, ref in refs:
            cand = candidates.get(ref.hash)
            if cand is not None and ref == cand.decl:
                cand.uses.append((cursor, parents))
        for cand in candidates.values():
            try:
                finding = self._finding(unit, cand)
            except Escape:
                continue
            if finding is not None:
                yield finding

    # -- matching ------------------------------------------------------------

    @staticmethod
    def _candidate(unit: Unit, decl: Cursor, parents) -> Candidate | None:
        if len(parents) < 2 or parents[-1].kind != CursorKind.DECL_STMT or parents[-2].kind != CursorKind.COMPOUND_STMT:
            return None
        if decl.storage_class == StorageClass.STATIC:
            return None
        if decl.type.get_canonical().kind != TypeKind.POINTER:
            return None
        if sum(1 for c in parents[-1].get_children() if c.kind == CursorKind.VAR_DECL) != 1:
            return None
        init = [c for c in decl.get_children() if c.kind not in (CursorKind.TYPE_REF, CursorKind.NAMESPACE_REF, CursorKind.TEMPLATE_REF)]
        if not init or (len(init) == 1 and _is_null(unit, init[0])):
            return Candidate(decl, parents[-1], parents[-2], assigned_later=True)
        if len(init) == 1 and _is_factory_call(unit, strip_implicit(init[0]), parents):
            return Candidate(decl, parents[-1], parents[-2])
        if len(init) != 1 or strip_implicit(init[0]).kind != CursorKind.CXX_NEW_EXPR:
            return None
        new_text = unit.spelled_text(strip_implicit(init[0]))
        if re.match(r"new\s*[\w:<>,\s*]*\[", new_text):
            return None  # new T[n]: needs QScopedArrayPointer, left to a human
        return Candidate(decl, parents[-1], parents[-2])

    def _finding(self, unit: Unit, cand: Candidate):
        deletes = []
        others = []
        for ref, parents in cand.uses:
            holder = _effective_parent(parents)
            if holder is not None and holder.kind == CursorKind.CXX_DELETE_EXPR:
                deletes.append((ref, parents, holder))
            else:
                others.append((ref, parents))
        if len(deletes) != 1:
            return None  # never deleted here (QF101's business) or deleted on several paths
        ref, parents, delete_expr = deletes[0]
        if re.match(r"delete\s*\[", unit.spelled_text(delete_expr)):
            return None  # delete[]
        # The delete must be a statement of the declaring block, after the
        # declaration: a delete inside an `if` or a loop is a partial path.
        delete_stmt_parent = parents[parents.index(delete_expr) - 1] if parents.index(delete_expr) > 0 else None
        if delete_stmt_parent is None or delete_stmt_parent != cand.block:
            return None
        delete_offset = unit.use_offset(delete_expr)
        if delete_offset < unit.use_offset(cand.decl):
            return None
        assignment = None
        if cand.assigned_later:
            assignment = self._only_assignment(unit, cand, others, delete_offset)
            if assignment is None:
                return None
            others = [(r, ps) for r, ps in others if assignment not in ps]

        edits: list[Edit] = []
        unsure = ""
        observed = False
        lambda_modes: dict[int, str] = {}
        # Captures first: they decide how uses inside each lambda are treated.
        # `others` is in source pre-order, so an enclosing lambda is decided
        # before the lambdas nested in it.
        for ref, parents in others:
            if parents and parents[-1].kind == CursorKind.LAMBDA_EXPR and self._is_capture(ref, parents[-1]):
                if self._inside_copying_lambda(parents[:-1], lambda_modes):
                    continue  # re-captures the enclosing lambda's raw copy
                edit, mode = self._capture_edit(unit, ref, parents[-1], cand.decl.spelling)
                lambda_modes[parents[-1].hash] = mode
                if edit is False:
                    unsure = "a lambda capture of the pointer is spelled inside a macro body"
                elif edit is not None:
                    edits.append(edit)
        for ref, parents in others:
            if parents and parents[-1].kind == CursorKind.LAMBDA_EXPR and self._is_capture(ref, parents[-1]):
                continue
            if unit.use_offset(ref) > delete_offset:
                raise Escape  # used after the delete
            if self._inside_copying_lambda(parents, lambda_modes):
                continue  # refers to the lambda's own raw-pointer copy
            action = self._classify(unit, ref, parents)
            if action == "keep":
                continue
            if action == "observed":
                observed = True
            span = unit.file_range(ref)
            if span is None:
                unsure = "a use of the pointer is spelled inside a macro body"
                continue
            edits.append(Edit.replacement(unit.path, span[0], span[1], f"{cand.decl.spelling}.data()"))

        name = cand.decl.spelling
        decl_edit = self._declaration_edit(unit, cand)
        assign_edit = self._assignment_edit(unit, assignment, name) if assignment is not None else True
        delete_edit = self._delete_edit(unit, cand, delete_expr, keep_place=observed)
        if decl_edit is None or delete_edit is None or assign_edit is None:
            unsure = unsure or "the declaration, the assignment or the delete is spelled inside a macro body"
        message = (
            f"'{name}' is freed by a manual `delete` that every early return "
            f"(a failing QVERIFY/QCOMPARE included) skips; use QScopedPointer"
        )
        if unsure:
            return self.report(unit, cand.decl, message, no_fix_reason=unsure)
        edits += [decl_edit, delete_edit] + ([assign_edit] if assignment is not None else [])
        edits += ensure_include(unit, "QScopedPointer")
        return self.report(unit, cand.decl, message, edits=edits, title=f"own '{name}' with QScopedPointer")

    @staticmethod
    def _only_assignment(unit: Unit, cand: Candidate, others, delete_offset: int) -> Cursor | None:
        """For `T *p;` the one `p = new T(...)` statement of the declaring
        block that comes before every other use of `p`, else None."""
        first = min((unit.use_offset(r) for r, _ in others), default=None)
        for ref, parents in others:
            holder = _effective_parent(parents)
            if holder is None or holder.kind != CursorKind.BINARY_OPERATOR or _binary_operator(unit, holder) != "=":
                continue
            lhs, rhs = list(holder.get_children())
            if strip_implicit(lhs) != ref:
                continue
            if unit.use_offset(ref) != first:
                raise Escape  # a second assignment, or a use before it
            stmt_parent = parents[parents.index(holder) - 1] if parents.index(holder) > 0 else None
            if stmt_parent != cand.block or unit.use_offset(holder) > delete_offset:
                return None  # assigned on some paths only
            new = strip_implicit(rhs)
            if new.kind != CursorKind.CXX_NEW_EXPR or re.match(r"new\s*[\w:<>,\s*]*\[", unit.spelled_text(new)):
                return None
            return holder
        return None

    @staticmethod
    def _is_capture(ref: Cursor, lam: Cursor) -> bool:
        # Captures are direct children of the LAMBDA_EXPR, before its body.
        for child in lam.get_children():
            if child.kind == CursorKind.COMPOUND_STMT:
                return False
            if child == ref:
                return True
        return False

    def _capture_edit(self, unit: Unit, ref: Cursor, lam: Cursor, name: str):
        """(edit or None or False-if-unsure, mode) for a capture of the pointer."""
        span = unit.file_range(ref)
        if span is None:
            return False, "value"
        text = unit.text(*span)
        # An explicit capture `[p]` shows as a VARIABLE_REF on the same token
        # as the DECL_REF; an init-capture `[q = p]` has its VARIABLE_REF on `q`.
        named = [c for c in lam.get_children() if c.kind == CursorKind.VARIABLE_REF and unit.file_range(c) == span]
        if named:
            before = unit.source[: span[0]].rstrip()
            if before.endswith(b"&"):
                return None, "reference"
            return Edit.replacement(unit.path, span[0], span[1], f"{name} = {name}.data()"), "value"
        if text == name:
            # init-capture `[q = p]`: its initializer is an ordinary use
            return Edit.replacement(unit.path, span[0], span[1], f"{name}.data()"), "init"
        if text == "&":
            return None, "reference"
        if text == "=":
            return Edit.insertion(unit.path, span[1], f", {name} = {name}.data()"), "value"
        raise Escape  # an implicit capture we do not understand: stay silent

    @staticmethod
    def _inside_copying_lambda(parents, modes: dict[int, str]) -> bool:
        for p in parents:
            if p.kind == CursorKind.LAMBDA_EXPR and modes.get(p.hash) == "value":
                return True
        return False

    @staticmethod
    def _classify(unit: Unit, ref: Cursor, parents) -> str:
        """'keep' when QScopedPointer works as the raw pointer did, 'raw' when
        the use needs `.data()`, 'observed' when it needs `.data()` and watches
        the deletion (a QPointer guard, a spy on `destroyed`), so the delete
        must keep its place; raises Escape when ownership leaves."""
        chain = list(parents)
        child = ref
        while chain and chain[-1].kind in TRANSPARENT:
            child = chain.pop()
        if not chain:
            return "raw"
        holder = chain[-1]
        kind = holder.kind
        if kind == CursorKind.MEMBER_REF_EXPR:
            if holder.spelling in OWNERSHIP_SINKS:
                raise Escape
            return "keep"  # p->member
        if kind == CursorKind.UNARY_OPERATOR:
            op = _unary_operator(unit, holder)
            if op == "&":
                raise Escape
            return "keep" if op in ("*", "!") else "raw"
        if kind == CursorKind.RETURN_STMT:
            raise Escape
        if kind == CursorKind.VAR_DECL and "QPointer" in holder.type.spelling:
            return "observed"  # a local guard watching for the deletion
        if kind in (CursorKind.VAR_DECL, CursorKind.FIELD_DECL):
            raise Escape  # aliased
        if kind == CursorKind.BINARY_OPERATOR or kind == CursorKind.COMPOUND_ASSIGNMENT_OPERATOR:
            op = _binary_operator(unit, holder)
            if op in ("=",):
                raise Escape  # stored or reassigned
            return "raw"
        if kind in (CursorKind.CALL_EXPR, CursorKind.CXX_FUNCTIONAL_CAST_EXPR, CursorKind.INIT_LIST_EXPR):
            callee = holder.spelling
            if callee in OWNERSHIP_SINKS or any(w in holder.type.spelling for w in OWNING_WRAPPERS):
                raise Escape
            if callee == "QPointer" or "QPointer" in holder.type.spelling:
                return "observed"
            if callee in ("QSignalSpy", "connect") and re.search(r"\bdestroyed\b", unit.spelled_text(holder)):
                return "observed"  # the deletion is what the test observes
            if _binds_to_reference(holder, child):
                raise Escape  # `void f(T *&p)` may reseat or delete it; `.data()` is no lvalue
            return "raw"
        return "raw"

    @staticmethod
    def _declaration_edit(unit: Unit, cand: Candidate) -> Edit | None:
        decl = cand.decl
        span = unit.file_range(decl)
        if span is None:
            return None
        name_file, name_off = file_location(decl.location)
        if not span[0] <= name_off < span[1]:
            return None
        declared = unit.source[span[0]:name_off].decode("utf-8").rstrip()
        if not declared.endswith("*") and declared != "auto":
            return None  # a pointer typedef: keep the human's spelling
        pointee = declared[:-1].rstrip() if declared.endswith("*") else "auto"
        if cand.assigned_later:
            if pointee == "auto" or not pointee:
                return None
            return Edit.replacement(unit.path, span[0], span[1], f"QScopedPointer<{pointee}> {decl.spelling}")
        init = [c for c in decl.get_children() if c.kind not in (CursorKind.TYPE_REF, CursorKind.NAMESPACE_REF, CursorKind.TEMPLATE_REF)]
        new_span = unit.file_range(strip_implicit(init[0]))
        if new_span is None:
            return None
        new_text = unit.text(*new_span)
        if pointee == "auto" and strip_implicit(init[0]).kind == CursorKind.CALL_EXPR:
            pointee = decl.type.get_canonical().get_pointee().spelling  # `auto *s = newSocket();`
        elif pointee == "auto":
            after_new = new_text[3:].lstrip()
            end = min((i for i in (after_new.find("("), after_new.find("{")) if i >= 0), default=len(after_new))
            pointee = after_new[:end].strip()
            if not pointee:
                return None
        return Edit.replacement(unit.path, span[0], span[1], f"QScopedPointer<{pointee}> {decl.spelling}({new_text})")

    @staticmethod
    def _assignment_edit(unit: Unit, assignment: Cursor, name: str) -> Edit | None:
        span = unit.file_range(assignment)
        rhs = unit.file_range(strip_implicit(list(assignment.get_children())[1]))
        if span is None or rhs is None:
            return None
        return Edit.replacement(unit.path, span[0], span[1], f"{name}.reset({unit.text(*rhs)})")

    @staticmethod
    def _delete_edit(unit: Unit, cand: Candidate, delete_expr: Cursor, keep_place: bool) -> Edit | None:
        """`delete p;` becomes `p.reset();` where the moment of destruction
        may matter: statements other than deletes follow it (a check of a
        guard or a spy, a QTRY_*), the test observes the deletion, or a
        comment is attached to it. Only a trailing `delete` goes entirely."""
        span = unit.file_range(delete_expr)
        if span is None:
            return None
        src = unit.source
        semi = skip_space(src, span[1])
        if src[semi:semi + 1] != b";":
            return None
        statements = [c for c in cand.block.get_children() if c.kind != CursorKind.NULL_STMT]
        index = next((i for i, c in enumerate(statements) if delete_expr in (c, strip_implicit(c))), None)
        if index is None:
            return None
        later = statements[index + 1:]
        if later and later[-1].kind == CursorKind.RETURN_STMT and _plain_return(later[-1]):
            later = later[:-1]  # `return ok;` observes nothing of the object
        keep_place = keep_place or any(strip_implicit(c).kind != CursorKind.CXX_DELETE_EXPR for c in later)
        line_end = src.find(b"\n", semi + 1)
        line_end = len(src) if line_end < 0 else line_end
        line_begin = unit.line_start(span[0])
        prev_end = line_begin - 1 if line_begin > 0 else 0
        prev_line = src[unit.line_start(prev_end):prev_end].strip()
        trailing_comment = src[semi + 1:line_end].lstrip().startswith((b"//", b"/*"))
        leading_comment = not src[line_begin:span[0]].strip() and (prev_line.startswith((b"//", b"/*")) or prev_line.endswith(b"*/"))
        if keep_place or trailing_comment or leading_comment:
            return Edit.replacement(unit.path, span[0], span[1], f"{cand.decl.spelling}.reset()")
        start, end = line_is_only(src, span[0], semi + 1)
        if (start, end) != (span[0], semi + 1) and src[end:].lstrip(b" \t").startswith(b"}"):
            # the last statement before the closing brace: take blank lines
            # above it too, so no empty line is left before the `}`
            while start > 0:
                above = unit.line_start(start - 1)
                if src[above:start].strip():
                    break
                start = above
        return Edit.deletion(unit.path, start, end)


def _is_null(unit: Unit, init: Cursor) -> bool:
    return strip_implicit(init).kind == CursorKind.CXX_NULL_PTR_LITERAL_EXPR or unit.spelled_text(init).strip() in (
        "nullptr", "NULL", "0", "Q_NULLPTR")


LITERALS = (CursorKind.INTEGER_LITERAL, CursorKind.FLOATING_LITERAL, CursorKind.CXX_BOOL_LITERAL_EXPR,
            CursorKind.CXX_NULL_PTR_LITERAL_EXPR, CursorKind.STRING_LITERAL, CursorKind.CHARACTER_LITERAL)


def _plain_return(ret: Cursor) -> bool:
    """`return;`, `return x;` of a local value or `return <literal>;`: nothing
    in it can look at an object destroyed just before."""
    values = list(ret.get_children())
    if not values:
        return True
    value = strip_implicit(values[0])
    if value.kind in LITERALS:
        return True
    if value.kind == CursorKind.DECL_REF_EXPR:
        ref = value.referenced
        return (ref is not None and ref.kind in (CursorKind.VAR_DECL, CursorKind.PARM_DECL)
                and ref.type.get_canonical().kind in (TypeKind.BOOL, TypeKind.INT, TypeKind.LONGLONG, TypeKind.UINT,
                                                      TypeKind.ULONGLONG, TypeKind.LONG, TypeKind.ULONG,
                                                      TypeKind.DOUBLE, TypeKind.FLOAT))
    return False


FUNCTION_KINDS = (CursorKind.CXX_METHOD, CursorKind.FUNCTION_DECL, CursorKind.CONSTRUCTOR, CursorKind.DESTRUCTOR,
                  CursorKind.FUNCTION_TEMPLATE, CursorKind.LAMBDA_EXPR)


def _is_factory_call(unit: Unit, call: Cursor, parents) -> bool:
    caller = next((p for p in reversed(parents) if p.kind in FUNCTION_KINDS), None)
    return is_factory_call(unit, call, caller)


def _effective_parent(parents) -> Cursor | None:
    for p in reversed(parents):
        if p.kind not in TRANSPARENT:
            return p
    return None


def _binds_to_reference(call: Cursor, argument: Cursor) -> bool:
    """Whether `argument` of `call` is passed to a non-const reference parameter."""
    callee = call.referenced
    if callee is None:
        return False
    args = list(call.get_arguments())
    index = next((i for i, a in enumerate(args) if a == argument), None)
    params = list(callee.get_arguments())
    if index is None or index >= len(params):
        return False
    ptype = params[index].type
    return ptype.kind == TypeKind.LVALUEREFERENCE and not ptype.get_pointee().is_const_qualified()


def _unary_operator(unit: Unit, op: Cursor) -> str:
    m = re.match(r"\s*(\+\+|--|[&*!~+-])", unit.spelled_text(op))
    return m.group(1) if m else ""


def _binary_operator(unit: Unit, op: Cursor) -> str:
    children = list(op.get_children())
    if len(children) != 2:
        return ""
    lhs, rhs = unit.file_range(children[0]), unit.file_range(children[1])
    if lhs is None or rhs is None:
        return ""
    return unit.text(lhs[1], rhs[0]).strip()
