from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from clang.cindex import StorageClass, TypeKind

from qtfix.codemod import Codemod, Match, Node, NoFix, Options
from qtfix.cpp import (TYPE_REFERENCES, binary_operator, indentation_at, member_call,
                       ensure_include, holder_of, is_array_delete, is_array_new,
                       is_null_pointer, line_is_only, local_object, returns_plain_value, skip_space, statement_span, strip_implicit,
                       unary_operator)
from qtfix.fileio import to_text
from qtfix.edits import Edit, Fix, Safety
from qtfix.fate import (Event, Fate, Kind, auto_delete_off, container_fate, fate_of, holds_pointers, is_capture,
                        is_producer_call, is_taken_out, moves_to_no_thread, use_of)
from qtfix.parse import Cursor, CursorKind, Unit, entity, file_location, identity

# What a use may do with the object while the one `delete` stays its only
# owner (fate.use_of's kinds): look at it, hand it to a call that only uses
# it, capture it, watch its destruction, or arrange a deleteLater() that the
# delete (now reset()) still comes before or cancels. Every other kind lets
# ownership leave the function's new/delete pair.
STAYS_OWNED = frozenset({Kind.LOOKED, Kind.PASSED, Kind.CAPTURED, Kind.WATCHED, Kind.DELETE_LATER_ARRANGED})


class Escape(Exception):
    """The pointer's ownership leaves the function's plain new/delete pair."""


@dataclass
class Candidate:
    decl: Cursor
    decl_stmt: Cursor
    block: Cursor
    parents: tuple[Cursor, ...]  # the declaration's ancestors
    assigned_later: bool = False  # `T *p;` (or `= nullptr`) then `p = new T;`
    uses: list = field(default_factory=list)  # Node of each DECL_REF_EXPR


@dataclass(frozen=True)
class Capture:
    """A lambda capture of the pointer and how it is spelled: "reference"
    (`[&p]`, `[&]`: nothing to change), "named" (`[p]`), "init" (`[q = p]`),
    "default" (`[=]`), "macro" (spelled in a macro body)."""

    ref: Cursor
    form: str


@dataclass(frozen=True)
class DeletedLocal(Match):
    decl: Cursor
    block: Cursor  # the block declaring the pointer, where the delete is
    delete_expr: Cursor
    assignment: Cursor | None  # `p = new T(...)` for `T *p;`, None for `T *p = new T`
    raw_uses: tuple[Cursor, ...]  # uses that need the raw pointer: `p.data()`
    captures: tuple[Capture, ...]
    observed: bool  # the test watches the deletion: the delete keeps its place
    nulled: Cursor | None = None  # `p = nullptr;` right after the delete: reset() does it
    no_fix_reason: str = ""
    pooled: bool = False  # run by a QThreadPool (autoDelete off): a pool thread may still run it at scope exit


class ScopedPointerForDeletedLocal(Codemod):
    """
    ## What it does
    Finds a local raw pointer initialised with `new` and freed by a `delete`
    of the same variable later in the same block:
    `QLocalSocket *socket = new QLocalSocket; ... delete socket;`, also when
    the pointer is declared first and assigned once before any other use
    (`QLocalSocket *socket; socket = new QLocalSocket;`), or comes from a
    factory: a non-virtual function (a member or a free function) defined in
    the file whose every `return` hands over a new object, a `new` or a local
    made by `new` that it only connects or passes to calls before returning
    it (`QTcpSocket *socket = newSocket();`).

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
    `socket.reset(new T);`. A `socket = nullptr;` right after the delete goes
    (reset() leaves it null). A pointer taken out of a container
    (`T *p = list.takeFirst();`, `takeAt`, `takeLast`, `take`) is owned the
    same way. A delete through an alias (`QObject *o = p; delete o;`) is
    reported without a fix.

    A local container of pointers (`QList<T *>`, `QVector<T *>`,
    `std::vector<T *>`) whose objects one `qDeleteAll(list)` frees after an
    early return leaks them all on that return: the fix frees them in a
    `qScopeGuard` declared right after the container (`#include
    <QScopeGuard>`, Qt 5.12), and drops the old `qDeleteAll` when it ends the
    block, else keeps it and clears the container after it, so the guard
    frees nothing twice. A container used after its `qDeleteAll` (beyond
    `clear()`/`isEmpty()`) is reported without a fix; one copied, returned or
    handed to a call is left alone (its objects may be owned there).

    ## Fix safety
    Safe: the object is destroyed at the same point on the normal path, and now
    also on early returns. Unsafe for a QRunnable handed to a QThreadPool with
    its autoDelete() off: at scope exit a pool thread may still be running it
    (a QScopedPointer declared after the pool is destroyed before the pool
    waits for its threads); with autoDelete() on the pool owns it, and qtfix
    stays silent. `moveToThread(nullptr)` keeps the object where it can be
    deleted from here, as before. qtfix stays silent when the pointer escapes: it is
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

    kinds = frozenset({CursorKind.VAR_DECL, CursorKind.DECL_REF_EXPR})

    def match(self, unit: Unit, nodes: Sequence[Node], options: Options) -> Iterator[DeletedLocal | FreedAtEnd]:
        candidates: dict[tuple, Candidate] = {}
        refs = []
        for node in nodes:
            cursor = node.cursor
            if cursor.kind == CursorKind.VAR_DECL:
                freed = _container_freed_at_end(unit, cursor, node.parents)
                if freed is not None:
                    yield freed
                cand = self._candidate(unit, cursor, node.parents)
                if cand is not None:
                    candidates[entity(cursor)] = cand
            else:
                ref = cursor.referenced
                if ref is not None and ref.kind == CursorKind.VAR_DECL:
                    refs.append((node, entity(ref)))
        for node, key in refs:
            cand = candidates.get(key)
            if cand is not None:
                cand.uses.append(node)
        for cand in candidates.values():
            try:
                found = self._examine(unit, cand)
            except Escape:
                continue
            if found is not None:
                yield found

    def fix(self, unit: Unit, match: DeletedLocal | FreedAtEnd, options: Options) -> Fix | NoFix:
        if match.no_fix_reason:
            return NoFix(match.no_fix_reason)
        if isinstance(match, FreedAtEnd):
            return self._guard_fix(unit, match)
        name = match.decl.spelling
        edits = []
        reason = ""
        for capture in match.captures:
            if capture.form == "macro":
                reason = "a lambda capture of the pointer is spelled inside a macro body"
            elif capture.form != "reference":
                edits.append(_capture_edit(unit, capture, name))
        for ref in match.raw_uses:
            span = unit.file_range(ref)
            if span is None:
                reason = "a use of the pointer is spelled inside a macro body"
                continue
            edits.append(Edit.replacement(unit.path, span[0], span[1], f"{name}.data()"))
        decl_edit = self._declaration_edit(unit, match.decl, match.assignment is not None)
        assign_edit = _assignment_edit(unit, match.assignment, name) if match.assignment is not None else True
        delete_edit = self._delete_edit(unit, match, keep_place=match.observed)
        if decl_edit is None or delete_edit is None or assign_edit is None:
            reason = reason or "the declaration, the assignment or the delete is spelled inside a macro body"
        if reason:
            return NoFix(reason)
        edits += [decl_edit, delete_edit] + ([assign_edit] if match.assignment is not None else [])
        if match.nulled is not None:
            span = statement_span(unit, match.nulled)
            if span is None:
                return NoFix("the `= nullptr` after the delete is spelled inside a macro body")
            edits.append(Edit.deletion(unit.path, *line_is_only(unit.source, *span)))
        edits += ensure_include(unit, "QScopedPointer")
        # A pool thread may still run the task when the QScopedPointer deletes it
        # at scope exit (before a QThreadPool declared above it waits for it).
        return self.fixed(edits, f"own '{name}' with QScopedPointer", Safety.UNSAFE if match.pooled else None)

    def _guard_fix(self, unit: Unit, match: FreedAtEnd) -> Fix | NoFix:
        """`auto deleteXs = qScopeGuard([&xs] { qDeleteAll(xs); });` after
        the container's declaration; the old qDeleteAll goes when it ends
        the block, else `xs.clear();` follows it (so the guard frees nothing
        twice) unless a clear() already does."""
        name = match.decl.spelling
        decl_span = statement_span(unit, match.decl_stmt)
        free_span = statement_span(unit, match.free_call)
        if decl_span is None or free_span is None:
            return NoFix("the container's declaration or its qDeleteAll is spelled inside a macro body")
        guard = f"delete{name[:1].upper()}{name[1:]}"
        if guard.encode() in unit.source:
            return NoFix(f"the name '{guard}' that the guard would take is already used in this file")
        nl = unit.newline.decode()
        indent = indentation_at(unit, decl_span[0])
        text = f"{nl}{indent}const auto {guard} = qScopeGuard([&{name}] {{ qDeleteAll({name}); }});"
        edits = [Edit.insertion(unit.path, decl_span[1], text)]
        if match.ending == "ends":
            edits.append(Edit.deletion(unit.path, *line_is_only(unit.source, *free_span)))
        elif match.ending == "mid":
            edits.append(Edit.insertion(unit.path, free_span[1], f"{nl}{indentation_at(unit, free_span[0])}{name}.clear();"))
        edits += ensure_include(unit, "QScopeGuard")
        return self.fixed(edits, f"free the objects of '{name}' in a qScopeGuard")

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
        init = [c for c in decl.get_children() if c.kind not in TYPE_REFERENCES]
        if not init or (len(init) == 1 and is_null_pointer(init[0])):
            return Candidate(decl, parents[-1], parents[-2], parents, assigned_later=True)
        value = strip_implicit(init[0]) if len(init) == 1 else None
        if value is not None and (is_producer_call(unit, value) or is_taken_out(value)):
            return Candidate(decl, parents[-1], parents[-2], parents)
        if value is None or value.kind != CursorKind.CXX_NEW_EXPR or is_array_new(unit, value):
            return None  # new T[n]: needs QScopedArrayPointer, left to a human
        return Candidate(decl, parents[-1], parents[-2], parents)

    def _examine(self, unit: Unit, cand: Candidate) -> DeletedLocal | None:
        fate = fate_of(unit, cand.decl, cand.parents)
        deletions = fate.of(Kind.DELETED, Kind.DELETED_SOME_PATHS)
        if not deletions:
            return self._deleted_through_alias(unit, cand, fate)
        if len(deletions) != 1:
            return None  # deleted on several paths
        deletion = deletions[0]
        delete_expr = deletion.at
        if is_array_delete(unit, delete_expr):
            return None
        # The delete must be a statement of the declaring block, after the
        # declaration: a delete inside an `if` or a loop is a partial path
        # (one that an early return skips is what this codemod is about).
        if deletion.conditional is not None:
            return None
        parented = fate.of(Kind.PARENTED)
        if parented and local_object(unit, parented[0].at) is not None:
            return None  # its parent, a local object, frees it on every return: nothing leaks
        nulled = _nulled_after(cand.block, delete_expr, fate)
        others = [u for u in cand.uses if u.cursor not in (deletion.use, nulled and nulled.use)]
        delete_offset = unit.use_offset(delete_expr)
        if delete_offset < unit.use_offset(cand.decl):
            return None
        assignment = None
        if cand.assigned_later:
            assignment = self._only_assignment(unit, cand, others, delete_offset)
            if assignment is None:
                return None
            others = [u for u in others if assignment not in u.parents]
        captures, modes = self._captures(unit, others, cand.decl.spelling)
        after = unit.use_offset(nulled.at) if nulled is not None else None
        raw_uses, observed, pooled = self._raw_uses(unit, others, modes, delete_offset, after)
        message = (
            f"'{cand.decl.spelling}' is freed by a manual `delete` that every early return "
            f"(a failing QVERIFY/QCOMPARE included) skips; use QScopedPointer"
        ) if deletion.skipped_by else (
            f"'{cand.decl.spelling}' is freed by a manual `delete`: any early return added before it "
            f"(a failing QVERIFY/QCOMPARE) leaks it; use QScopedPointer"
        )
        return DeletedLocal(unit.use_offset(cand.decl), message, cand.decl, cand.block, delete_expr, assignment,
                            raw_uses, captures, observed, nulled.at if nulled is not None else None, pooled=pooled)

    def _deleted_through_alias(self, unit: Unit, cand: Candidate, fate) -> DeletedLocal | None:
        """`T *p = new T; T *q = p; ... delete q;`: reported without a fix
        when the alias's one unconditional delete is all that frees it."""
        (through, *more) = fate.of(Kind.DELETED_THROUGH_ALIAS) or (None,)
        if through is None or more or through.conditional is not None or cand.assigned_later:
            return None
        alias = through.field
        if any(e.kind not in STAYS_OWNED and e.use != through.use for e in fate.events if e.kind != Kind.DELETED_THROUGH_ALIAS):
            return None
        if any(e.kind not in STAYS_OWNED | {Kind.DELETED} for e in fate_of(unit, alias, cand.parents).events):
            return None
        message = (
            f"'{cand.decl.spelling}' is freed by a manual `delete {alias.spelling}` (an alias) that every early "
            f"return (a failing QVERIFY/QCOMPARE included) skips; use QScopedPointer"
        )
        reason = (f"the object is deleted through the alias '{alias.spelling}': own it with "
                  f"QScopedPointer '{cand.decl.spelling}' and make '{alias.spelling}' a plain "
                  f"`{cand.decl.spelling}.data()` view, by hand")
        return DeletedLocal(unit.use_offset(cand.decl), message, cand.decl, cand.block, through.at, None, (), (),
                            False, None, reason)

    def _captures(self, unit: Unit, others, name: str) -> tuple[tuple[Capture, ...], dict[tuple, str]]:
        """The lambda captures of the pointer, and how each lambda holds it
        ("value", "reference", "init"), by the lambda's identity. `others` is
        in source pre-order, so an enclosing lambda is decided before the
        lambdas nested in it."""
        captures = []
        modes: dict[tuple, str] = {}
        for use in others:
            ref, parents = use.cursor, use.parents
            if parents and parents[-1].kind == CursorKind.LAMBDA_EXPR and is_capture(ref, parents[-1]):
                if _inside_copying_lambda(parents[:-1], modes):
                    continue  # re-captures the enclosing lambda's raw copy
                form = _capture_form(unit, ref, parents[-1], name)
                modes[identity(parents[-1])] = {"reference": "reference", "init": "init"}.get(form, "value")
                captures.append(Capture(ref, form))
        return tuple(captures), modes

    def _raw_uses(self, unit: Unit, others, modes: dict[tuple, str], delete_offset: int,
                  nulled_at: int | None) -> tuple[tuple[Cursor, ...], bool]:
        """The uses that need the raw pointer, and whether one of them
        watches the deletion; Escape when a use lets ownership leave. After
        `p = nullptr;` (`nulled_at`) a use sees null either way."""
        raw = []
        observed = pooled = False
        for use in others:
            ref, parents = use.cursor, use.parents
            if parents and parents[-1].kind == CursorKind.LAMBDA_EXPR and is_capture(ref, parents[-1]):
                continue
            if unit.use_offset(ref) > delete_offset and (nulled_at is None or unit.use_offset(ref) < nulled_at):
                raise Escape  # used after the delete
            if _inside_copying_lambda(parents, modes):
                continue  # refers to the lambda's own raw-pointer copy
            action = self._classify(unit, ref, parents)
            if action == "keep":
                continue
            observed = observed or action == "observed"
            pooled = pooled or action == "pooled"
            raw.append(ref)
        return tuple(raw), observed, pooled

    @staticmethod
    def _only_assignment(unit: Unit, cand: Candidate, others, delete_offset: int) -> Cursor | None:
        """For `T *p;` the one `p = new T(...)` statement of the declaring
        block that comes before every other use of `p`, else None."""
        first = min((unit.use_offset(u.cursor) for u in others), default=None)
        for use in others:
            ref, parents = use.cursor, use.parents
            holder = holder_of(ref, parents)
            op = holder.cursor
            if op is None or op.kind != CursorKind.BINARY_OPERATOR or binary_operator(unit, op) != "=":
                continue
            lhs, rhs = list(op.get_children())
            if strip_implicit(lhs) != ref:
                continue
            if unit.use_offset(ref) != first:
                raise Escape  # a second assignment, or a use before it
            stmt_parent = parents[holder.depth - 1] if holder.depth > 0 else None
            if stmt_parent != cand.block or unit.use_offset(op) > delete_offset:
                return None  # assigned on some paths only
            new = strip_implicit(rhs)
            if new.kind != CursorKind.CXX_NEW_EXPR or is_array_new(unit, new):
                return None
            return op
        return None

    @staticmethod
    def _classify(unit: Unit, ref: Cursor, parents) -> str:
        """'keep' when QScopedPointer works as the raw pointer did, 'raw' when
        the use needs `.data()`, 'observed' when it needs `.data()` and watches
        the deletion (a QPointer guard, a spy on `destroyed`), so the delete
        must keep its place, 'pooled' when a QThreadPool runs it without
        deleting it (autoDelete off); raises Escape when ownership leaves (fate)."""
        event = use_of(unit, ref, parents)
        kind = event.kind
        if kind == Kind.POOLED:
            if not auto_delete_off(unit, ref.referenced):
                raise Escape  # the pool deletes it after run()
            return "pooled"
        if kind not in STAYS_OWNED and not moves_to_no_thread(event, parents):
            raise Escape
        if kind == Kind.WATCHED:
            return "observed"
        holder = holder_of(ref, parents).cursor
        if holder is not None and holder.kind == CursorKind.MEMBER_REF_EXPR:
            return "keep"  # p->member
        if holder is not None and holder.kind == CursorKind.UNARY_OPERATOR and unary_operator(unit, holder) in ("*", "!"):
            return "keep"
        return "raw"

    # -- fix -----------------------------------------------------------------

    @staticmethod
    def _declaration_edit(unit: Unit, decl: Cursor, assigned_later: bool) -> Edit | None:
        span = unit.file_range(decl)
        if span is None:
            return None
        name_file, name_off = file_location(decl.location)
        if not span[0] <= name_off < span[1]:
            return None
        declared = to_text(unit.source[span[0]:name_off]).rstrip()
        if declared.endswith("const") and declared[:-5].rstrip().endswith("*"):
            declared = declared[:-5].rstrip()  # `T *const p`: reset() needs a QScopedPointer that is not const
        if not declared.endswith("*") and declared != "auto":
            return None  # a pointer typedef: keep the human's spelling
        pointee = declared[:-1].rstrip() if declared.endswith("*") else "auto"
        if assigned_later:
            if pointee == "auto" or not pointee:
                return None
            return Edit.replacement(unit.path, span[0], span[1], f"QScopedPointer<{pointee}> {decl.spelling}")
        init = [c for c in decl.get_children() if c.kind not in TYPE_REFERENCES]
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
    def _delete_edit(unit: Unit, match: DeletedLocal, keep_place: bool) -> Edit | None:
        """`delete p;` becomes `p.reset();` where the moment of destruction
        may matter: statements other than deletes follow it (a check of a
        guard or a spy, a QTRY_*), the test observes the deletion, or a
        comment is attached to it. Only a trailing `delete` goes entirely."""
        span = unit.file_range(match.delete_expr)
        if span is None:
            return None
        src = unit.source
        semi = skip_space(src, span[1])
        if src[semi:semi + 1] != b";":
            return None
        statements = [c for c in match.block.get_children() if c.kind != CursorKind.NULL_STMT]
        index = next((i for i, c in enumerate(statements) if match.delete_expr in (c, strip_implicit(c))), None)
        if index is None:
            return None
        later = [c for c in statements[index + 1:] if c != match.nulled]
        if later and later[-1].kind == CursorKind.RETURN_STMT and returns_plain_value(later[-1]):
            later = later[:-1]  # `return ok;` observes nothing of the object
        keep_place = keep_place or any(strip_implicit(c).kind != CursorKind.CXX_DELETE_EXPR for c in later)
        if keep_place or _has_comment(unit, span[0], semi):
            return Edit.replacement(unit.path, span[0], span[1], f"{match.decl.spelling}.reset()")
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


@dataclass(frozen=True)
class FreedAtEnd(Match):
    """A local container of pointers whose objects one unconditional
    `qDeleteAll` frees, after early returns."""

    decl: Cursor
    decl_stmt: Cursor
    free_call: Cursor  # the qDeleteAll(...) statement
    ending: str  # "ends": it ends the block; "cleared": a clear() follows it; "mid": neither
    no_fix_reason: str = ""


def _container_freed_at_end(unit: Unit, decl: Cursor, parents) -> FreedAtEnd | None:
    if len(parents) < 2 or parents[-1].kind != CursorKind.DECL_STMT or parents[-2].kind != CursorKind.COMPOUND_STMT:
        return None
    if decl.storage_class == StorageClass.STATIC or not holds_pointers(decl.type):
        return None
    if sum(1 for c in parents[-1].get_children() if c.kind == CursorKind.VAR_DECL) != 1:
        return None
    fate = container_fate(unit, decl, parents)
    frees = fate.of(Kind.FREED_BY_QDELETEALL)
    if len(frees) != 1 or frees[0].conditional is not None or not frees[0].skipped_by:
        return None  # freed on some paths only, several times, or nothing returns early before it
    if any(e.kind not in (Kind.LOOKED, Kind.FREED_BY_TAKE, Kind.FREED_BY_QDELETEALL) for e in fate.events):
        return None  # copied, returned or handed to a call: its objects may be owned there
    free = frees[0].at
    block = parents[-2]
    statements = [c for c in block.get_children() if c.kind != CursorKind.NULL_STMT]
    later = statements[statements.index(free) + 1:] if free in statements else []
    after = [e for e in fate.events if unit.use_offset(e.at) > unit.use_offset(free)]
    ending, reason = "mid", ""
    if all(strip_implicit(c).kind == CursorKind.CXX_DELETE_EXPR or c.kind == CursorKind.RETURN_STMT
           and returns_plain_value(c) for c in later):
        ending = "ends"
    elif after and _clears(later[0], after[0].at) and all(e.at.spelling in _EMPTY_QUERIES for e in after[1:]):
        ending = "cleared"
    elif after:
        reason = (f"'{decl.spelling}' is used after its qDeleteAll: keep the objects in a "
                  f"std::vector<std::unique_ptr<T>>, or clear the list right after qDeleteAll and free it "
                  f"in a qScopeGuard, by hand")
    message = (f"the objects in '{decl.spelling}' are freed by a `qDeleteAll` that every early return "
               f"(a failing QVERIFY/QCOMPARE included) skips; free them in a qScopeGuard")
    return FreedAtEnd(unit.use_offset(decl), message, decl, parents[-1], free, ending, reason)


# What may be asked of a container after it was emptied: the guard then
# finds it as empty as the test left it.
_EMPTY_QUERIES = frozenset({"isEmpty", "empty", "size", "count", "length", "clear"})


def _clears(statement: Cursor, member: Cursor) -> bool:
    """`statement` is `xs.clear();` with `member` its `clear`."""
    call = member_call(strip_implicit(statement))
    return call is not None and call.member == member and member.spelling == "clear"


def _nulled_after(block: Cursor, delete_expr: Cursor, fate: Fate) -> Event | None:
    """The `p = nullptr;` statement right after the delete (QScopedPointer's
    reset() leaves it null too)."""
    statements = [c for c in block.get_children() if c.kind != CursorKind.NULL_STMT]
    index = next((i for i, c in enumerate(statements) if delete_expr in (c, strip_implicit(c))), None)
    following = statements[index + 1] if index is not None and index + 1 < len(statements) else None
    return next((e for e in fate.of(Kind.NULLED) if following is not None and e.at == following), None)


def _has_comment(unit: Unit, start: int, semi: int) -> bool:
    """Whether a comment belongs to the statement `start..semi`: after it on
    its line, or on the line above it."""
    src = unit.source
    line_end = src.find(b"\n", semi + 1)
    line_end = len(src) if line_end < 0 else line_end
    line_begin = unit.line_start(start)
    prev_end = line_begin - 1 if line_begin > 0 else 0
    prev_line = src[unit.line_start(prev_end):prev_end].strip()
    trailing = src[semi + 1:line_end].lstrip().startswith((b"//", b"/*"))
    leading = not src[line_begin:start].strip() and (prev_line.startswith((b"//", b"/*")) or prev_line.endswith(b"*/"))
    return trailing or leading


def _capture_form(unit: Unit, ref: Cursor, lam: Cursor, name: str) -> str:
    """How a capture of the pointer is spelled (see Capture); Escape for an
    implicit capture qtfix does not understand."""
    span = unit.file_range(ref)
    if span is None:
        return "macro"
    text = unit.text(*span)
    # An explicit capture `[p]` shows as a VARIABLE_REF on the same token
    # as the DECL_REF; an init-capture `[q = p]` has its VARIABLE_REF on `q`.
    if any(c.kind == CursorKind.VARIABLE_REF and unit.file_range(c) == span for c in lam.get_children()):
        return "reference" if unit.source[: span[0]].rstrip().endswith(b"&") else "named"
    if text == name:
        return "init"  # `[q = p]`: its initializer is an ordinary use
    if text == "&":
        return "reference"
    if text == "=":
        return "default"
    raise Escape  # an implicit capture we do not understand: stay silent


def _capture_edit(unit: Unit, capture: Capture, name: str) -> Edit:
    start, end = unit.file_range(capture.ref)
    if capture.form == "named":
        return Edit.replacement(unit.path, start, end, f"{name} = {name}.data()")
    if capture.form == "init":
        return Edit.replacement(unit.path, start, end, f"{name}.data()")
    return Edit.insertion(unit.path, end, f", {name} = {name}.data()")  # `[=]`


def _inside_copying_lambda(parents, modes: dict[tuple, str]) -> bool:
    return any(p.kind == CursorKind.LAMBDA_EXPR and modes.get(identity(p)) == "value" for p in parents)


def _assignment_edit(unit: Unit, assignment: Cursor, name: str) -> Edit | None:
    span = unit.file_range(assignment)
    rhs = unit.file_range(strip_implicit(list(assignment.get_children())[1]))
    if span is None or rhs is None:
        return None
    return Edit.replacement(unit.path, span[0], span[1], f"{name}.reset({unit.text(*rhs)})")
