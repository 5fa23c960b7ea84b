"""Where the object made by a `new` goes: qtfix's one pointer-fate analysis.

`use_of` says what one use of the pointer does with the object (deletes it,
parents it, hands it to a call that owns it or to one that only keeps it,
stores it, returns it, captures it...). `fate_of` follows a `new` (or the
local variable it initialises) through its function: every use as an
`Event`, the deletes judged on all paths or on some (a delete inside an `if`
or a loop, or after an early return: a failing QVERIFY/QCOMPARE is one), and
for a pointer kept in a member, how the class frees it (`member_frees`).

These are facts, not decisions: each codemod decides which kinds make the
object owned for its own question. Toolkit only: no codemod imports.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from clang.cindex import StorageClass, TypeKind

from .cpp import (CASTS, IMPLICIT, binds_to_reference, enclosing_function, holder_of, in_namespace, initializer, is_array_new,
                  is_assignment, is_null_pointer, member_call, on_this, stored_values, strip_casts, strip_implicit,
                  unary_operator)
from .parse import Cursor, CursorKind, Unit, entity, is_derived_from, walk_with_parents
from .qt import (CONTAINER_STORES, KEEPS_WITHOUT_OWNING, LOOKING_CALLS, OWNING_SMART_POINTERS, POOL_RUNS, TAKE_CALLS,
                 TAKES_OWNERSHIP, parent_parameter)


class Kind(enum.Enum):
    """What happens to the object (one use, or the function as a whole)."""

    LOOKED = "looked at"  # a member call, a comparison, a looking call: nothing changes
    DELETED = "deleted on all paths"
    DELETED_SOME_PATHS = "deleted on some paths"  # conditional, or skipped by an early return
    PARENTED = "given a parent at construction"
    SET_PARENT = "setParent()"
    DELETE_LATER = "deleteLater()"  # p->deleteLater()
    DELETE_LATER_ARRANGED = "deleteLater() arranged"  # connected to a signal, a singleShot, invokeMethod
    WATCHED = "its destruction is watched"  # a QPointer, a spy or connection on `destroyed`
    MOVED_TO_THREAD = "moveToThread()"
    TAKEN = "handed to a call that takes ownership"  # addWidget, setLayout...
    KEPT = "handed to a call that keeps it without owning it"  # addPendingConnection
    POOLED = "run by a QThreadPool"  # pool.start(task): deleted by the pool after run() when autoDelete() is on
    PASSED = "handed to a call qtfix cannot see into"
    BY_REFERENCE = "bound to a reference parameter"  # `void f(T *&p)`: the callee may reseat or delete it
    SMART_POINTER = "owned by a smart pointer"
    CONTAINER = "stored in a container"
    MEMBER = "stored in a member"
    ALIASED = "copied into another pointer"
    ADDRESS_TAKEN = "its address is taken"
    RETURNED = "returned"
    CAPTURED = "captured by a lambda"
    REASSIGNED = "the variable is assigned"  # the variable, not the object
    NULLED = "the variable is set to null"  # `p = nullptr;` (after its delete, typically)
    DELETED_THROUGH_ALIAS = "deleted through another pointer"  # `auto *q = p; delete q;`
    FREED_BY_QDELETEALL = "freed by qDeleteAll"
    FREED_BY_TAKE = "freed by delete of take*()"
    FREED_BY_DESTRUCTOR = "freed by the destructor"
    LEAKED = "never freed or handed on"


@dataclass(frozen=True)
class Event:
    """One thing done with the object, and the cursor that shows it (the
    delete, the call, the return, the lambda...)."""

    kind: Kind
    at: Cursor
    use: Cursor | None = None  # the reference to the pointer it is about
    field: Cursor | None = None  # MEMBER: the member it is stored into; DELETED_THROUGH_ALIAS: the alias
    skipped_by: tuple[Cursor, ...] = ()  # DELETED_SOME_PATHS: the early returns before it
    conditional: Cursor | None = None  # DELETED_SOME_PATHS: the `if`/loop around it


@dataclass(frozen=True)
class Fate:
    """Where the object of one `new` goes in its function."""

    new_expr: Cursor | None
    variable: Cursor | None  # the local it initialises or is assigned to
    events: tuple[Event, ...]  # in source order

    @property
    def kinds(self) -> frozenset[Kind]:
        return frozenset(e.kind for e in self.events)

    def of(self, *kinds: Kind) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.kind in kinds)

    @property
    def kind(self) -> Kind:
        """The one fate that says most: the first in PRIORITY present, else
        LEAKED."""
        return next((k for k in PRIORITY if k in self.kinds), Kind.LEAKED)


PRIORITY = (
    Kind.DELETED, Kind.FREED_BY_DESTRUCTOR, Kind.FREED_BY_QDELETEALL, Kind.FREED_BY_TAKE, Kind.DELETE_LATER,
    Kind.DELETE_LATER_ARRANGED, Kind.PARENTED, Kind.SET_PARENT, Kind.TAKEN, Kind.POOLED, Kind.SMART_POINTER,
    Kind.MOVED_TO_THREAD, Kind.RETURNED, Kind.DELETED_SOME_PATHS, Kind.CONTAINER, Kind.MEMBER, Kind.ALIASED,
    Kind.ADDRESS_TAKEN, Kind.BY_REFERENCE, Kind.PASSED, Kind.KEPT, Kind.WATCHED, Kind.CAPTURED,
    Kind.DELETED_THROUGH_ALIAS, Kind.NULLED,
)
# The pointer value flows through these unchanged (a braced initializer included).
FLOW = IMPLICIT | {CursorKind.INIT_LIST_EXPR}
_MEMBER_FATES = {"deleteLater": Kind.DELETE_LATER, "setParent": Kind.SET_PARENT, "moveToThread": Kind.MOVED_TO_THREAD}


# -- one use -----------------------------------------------------------------------


def use_of(unit: Unit, ref: Cursor, parents: tuple[Cursor, ...]) -> Event:
    """What the use `ref` (a reference to the pointer, with its ancestors)
    does with the object."""
    if parents and parents[-1].kind == CursorKind.LAMBDA_EXPR and is_capture(ref, parents[-1]):
        return Event(Kind.CAPTURED, parents[-1], ref)
    child, i = ref, len(parents) - 1
    while i >= 0:
        holder = parents[i]
        if holder.kind in CASTS and holder.type.get_canonical().kind != TypeKind.POINTER:
            return Event(Kind.LOOKED, holder, ref)  # (void)p, static_cast<bool>(p)
        if not (holder.kind in FLOW or holder.kind in CASTS
                or holder.kind == CursorKind.CALL_EXPR and holder.spelling == "qobject_cast"):
            break
        child, i = holder, i - 1
    if i < 0:
        return Event(Kind.LOOKED, ref, ref)
    holder = parents[i]
    kind = _holder_kind(unit, holder, child)
    return Event(kind, holder, ref, field=_stored_field(holder) if kind == Kind.MEMBER else None)


def _holder_kind(unit: Unit, holder: Cursor, child: Cursor) -> Kind:
    kind = holder.kind
    if kind == CursorKind.CXX_DELETE_EXPR:
        return Kind.DELETED
    if kind == CursorKind.MEMBER_REF_EXPR:
        return _MEMBER_FATES.get(holder.spelling, Kind.LOOKED)
    if kind == CursorKind.CALL_EXPR:
        return _call_kind(holder, child)
    if kind == CursorKind.VAR_DECL:
        return _pointer_kind(holder.type, Kind.ALIASED)
    if kind in (CursorKind.RETURN_STMT, CursorKind.CXX_FUNCTIONAL_CAST_EXPR):
        return Kind.RETURNED if kind == CursorKind.RETURN_STMT else Kind.ALIASED
    if kind == CursorKind.UNARY_OPERATOR:
        return Kind.ADDRESS_TAKEN if unary_operator(unit, holder) == "&" else Kind.LOOKED
    if kind == CursorKind.CONDITIONAL_OPERATOR:
        return Kind.LOOKED if next(iter(holder.get_children()), None) == child else Kind.ALIASED
    if kind in (CursorKind.BINARY_OPERATOR, CursorKind.COMPOUND_ASSIGNMENT_OPERATOR):
        children = list(holder.get_children())
        if not is_assignment(holder) or len(children) != 2:
            return Kind.LOOKED
        if children[0] == child:
            return Kind.REASSIGNED
        return Kind.MEMBER if strip_implicit(children[0]).kind == CursorKind.MEMBER_REF_EXPR else Kind.ALIASED
    return Kind.LOOKED  # conditions, comparisons


def _call_kind(call: Cursor, child: Cursor) -> Kind:
    """What a call that is given the pointer as `child` does with it."""
    mentioned = mentions_deletion(call)
    if mentioned:
        return Kind.DELETE_LATER_ARRANGED if mentioned == "deleteLater" else Kind.WATCHED
    name = call.spelling
    if name in LOOKING_CALLS or in_namespace(call.referenced, "QTest"):
        return Kind.LOOKED
    smart = _pointer_kind(call.type, None)
    if smart is not None:
        return smart
    if binds_to_reference(call, child):
        return Kind.BY_REFERENCE
    converted = child.type.get_canonical()
    if converted.kind == TypeKind.POINTER and converted.get_pointee().is_const_qualified():
        return Kind.LOOKED  # a `const T *` parameter cannot adopt it
    if name in CONTAINER_STORES:
        return Kind.CONTAINER
    if name in KEEPS_WITHOUT_OWNING:
        return Kind.KEPT
    callee = call.referenced
    if name in POOL_RUNS and callee is not None and is_derived_from(callee.semantic_parent, "QThreadPool"):
        return Kind.POOLED
    if name in TAKES_OWNERSHIP:
        return Kind.TAKEN
    return Kind.PASSED


def moves_to_no_thread(event: Event, parents: tuple[Cursor, ...]) -> bool:
    """`p->moveToThread(nullptr)` (the MOVED_TO_THREAD `event` of a use
    with ancestors `parents`): the object leaves every thread, and whoever
    deletes it may still do so from this one."""
    if event.kind != Kind.MOVED_TO_THREAD or event.at not in parents:
        return False
    at = parents.index(event.at)
    call = parents[at - 1] if at > 0 else None
    args = list(call.get_arguments()) if call is not None and call.kind == CursorKind.CALL_EXPR else []
    return len(args) == 1 and is_null_pointer(args[0])


def auto_delete_off(unit: Unit, variable: Cursor) -> bool:
    """The QRunnable that the local pointer `variable` holds does not let a
    QThreadPool delete it: its function calls `p->setAutoDelete(false)`,
    or every constructor of its class (defined in this file) calls
    `setAutoDelete(false)`."""
    function = variable.semantic_parent
    for ref, parents in _references(function, variable) if function is not None else ():
        holder = holder_of(ref, parents)
        if holder.cursor is not None and holder.cursor.spelling == "setAutoDelete" and holder.depth > 0:
            if holder.cursor.kind == CursorKind.MEMBER_REF_EXPR and _turns_off(parents[holder.depth - 1]):
                return True
    cls = variable.type.get_canonical().get_pointee().get_declaration()
    cls = cls.get_definition() if cls is not None else None
    if cls is None or not unit.in_main_file(cls):
        return False
    ctors = [c.get_definition() for c in cls.get_children() if c.kind == CursorKind.CONSTRUCTOR]
    ctors = [c for c in ctors if c is not None and not c.is_copy_constructor() and not c.is_move_constructor()]
    return bool(ctors) and all(any(n.kind == CursorKind.CALL_EXPR and n.spelling == "setAutoDelete" and _turns_off(n)
                                   for n in c.walk_preorder()) for c in ctors)


def _turns_off(call: Cursor) -> bool:
    """`setAutoDelete(false)`."""
    args = list(call.get_arguments()) if call.kind == CursorKind.CALL_EXPR else []
    return len(args) == 1 and [t.spelling for t in strip_casts(args[0]).get_tokens()] == ["false"]


def mentions_deletion(call: Cursor) -> str:
    """"deleteLater" when the call arranges a deletion (a `deleteLater`
    connection, a singleShot), "destroyed" when it watches one (a spy or a
    connection on `destroyed`), else ""."""
    for c in call.walk_preorder():
        for name in ("deleteLater", "destroyed"):
            if c.kind in (CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR) and c.spelling == name:
                return name
            if c.kind == CursorKind.STRING_LITERAL and name in c.spelling:
                return name
    return ""


def _pointer_kind(ctype, otherwise: Kind | None) -> Kind | None:
    """SMART_POINTER for a type that owns its object, WATCHED for a QPointer."""
    if any(w in ctype.spelling for w in OWNING_SMART_POINTERS):
        return Kind.SMART_POINTER
    return Kind.WATCHED if "QPointer" in ctype.spelling else otherwise


def _stored_field(assignment: Cursor) -> Cursor | None:
    lhs = strip_implicit(next(iter(assignment.get_children())))
    field = lhs.referenced
    return field if field is not None and field.kind == CursorKind.FIELD_DECL else None


def is_capture(ref: Cursor, lam: Cursor) -> bool:
    """Whether `ref` is a capture of the lambda `lam` (captures are its
    direct children, before its body)."""
    for child in lam.get_children():
        if child.kind == CursorKind.COMPOUND_STMT:
            return False
        if child == ref:
            return True
    return False


# -- one `new` in its function ------------------------------------------------------


def fate_of(unit: Unit, cursor: Cursor, parents: tuple[Cursor, ...]) -> Fate:
    """The fate of the object made by the `new` expression `cursor` (or by
    the `new` initialising the local variable `cursor`) in its function."""
    new_expr, variable, first = _creation(cursor, parents)
    if new_expr is None and variable is None:
        return Fate(None, None, ())
    parent = parent_argument(new_expr) if new_expr is not None else None
    events = [Event(Kind.PARENTED, parent)] if parent is not None else []
    if variable is None:
        events.append(use_of(unit, new_expr, parents))
        return Fate(new_expr, None, tuple(e for e in events if e.kind != Kind.LOOKED))
    function = enclosing_function(parents)
    body = function if function is not None else parents[0]
    returns = [r for r, rp in walk_with_parents(body, ()) if r.kind == CursorKind.RETURN_STMT and not _in_lambda(rp)]
    start = unit.use_offset(first)
    for ref, ref_parents in _references(body, variable):
        event = use_of(unit, ref, ref_parents)
        if event.kind == Kind.DELETED:
            event = _judge_delete(unit, event, ref_parents, variable, start, returns)
        elif event.kind == Kind.REASSIGNED and is_null_pointer(list(event.at.get_children())[1]):
            event = Event(Kind.NULLED, event.at, ref)
        if event.kind not in (Kind.LOOKED, Kind.REASSIGNED):
            events.append(event)
        if event.kind == Kind.ALIASED and event.at.kind == CursorKind.VAR_DECL and _is_local(event.at):
            events += _alias_deletes(unit, event, ref_parents)
    return Fate(new_expr, variable, tuple(events))


def _alias_deletes(unit: Unit, alias: Event, parents) -> list[Event]:
    """`T *q = p; ... delete q;`: the deletes of the alias, as
    DELETED_THROUGH_ALIAS events (`field` is the alias variable)."""
    decl = alias.at
    deletes = fate_of(unit, decl, parents[: parents.index(decl)]).of(Kind.DELETED, Kind.DELETED_SOME_PATHS)
    return [Event(Kind.DELETED_THROUGH_ALIAS, d.at, alias.use, field=decl, skipped_by=d.skipped_by,
                  conditional=d.conditional) for d in deletes]


def is_taken_out(expr: Cursor) -> bool:
    """`list.takeFirst()`, `hash.take(key)`, `scoped.take()`: a call that
    hands the object it removes to the caller, who owns it from then on."""
    call = member_call(strip_casts(expr)) if expr.kind != CursorKind.CXX_NEW_EXPR else None
    return call is not None and call.member.spelling in TAKE_CALLS and call.object is not None


def _creation(cursor: Cursor, parents) -> tuple[Cursor | None, Cursor | None, Cursor]:
    """(the `new`, the local variable holding it, the cursor the object's
    life starts at)."""
    if cursor.kind == CursorKind.VAR_DECL:
        init = initializer(cursor)
        new = strip_casts(init) if init is not None else None
        return (new, cursor, cursor) if new is not None and new.kind == CursorKind.CXX_NEW_EXPR else (None, cursor, cursor)
    if cursor.kind != CursorKind.CXX_NEW_EXPR:
        return None, None, cursor
    holder = holder_of(cursor, parents, lambda c: c.kind in FLOW or c.kind in CASTS).cursor
    if holder is not None and holder.kind == CursorKind.VAR_DECL and _is_local(holder):
        return cursor, holder, cursor
    if holder is not None and is_assignment(holder):
        lhs = strip_implicit(next(iter(holder.get_children())))
        if lhs.kind == CursorKind.DECL_REF_EXPR and lhs.referenced is not None and _is_local(lhs.referenced):
            return cursor, lhs.referenced, cursor
    return cursor, None, cursor


def _is_local(var: Cursor) -> bool:
    return (var.kind == CursorKind.VAR_DECL and var.storage_class != StorageClass.STATIC
            and var.type.get_canonical().kind == TypeKind.POINTER
            and var.semantic_parent is not None and var.semantic_parent.kind != CursorKind.NAMESPACE
            and var.semantic_parent.kind != CursorKind.TRANSLATION_UNIT)


def _references(body: Cursor, variable: Cursor) -> Iterator[tuple[Cursor, tuple[Cursor, ...]]]:
    key = entity(variable)
    for c, p in walk_with_parents(body, ()):
        if c.kind == CursorKind.DECL_REF_EXPR and c.referenced is not None and entity(c.referenced) == key:
            yield c, p


def _in_lambda(parents) -> bool:
    return any(p.kind == CursorKind.LAMBDA_EXPR for p in parents[1:])


def _judge_delete(unit: Unit, event: Event, parents, variable: Cursor, start: int, returns) -> Event:
    """A delete is on all paths when it is a statement of the block that
    declares the variable and no `return` (a failing QVERIFY/QCOMPARE is
    one) lies between the object's creation and it."""
    block = declaring_block(variable)
    at = parents.index(event.at) if event.at in parents else -1
    statement_parent = parents[at - 1] if at > 0 else None
    end = unit.use_offset(event.at)
    skipped = tuple(r for r in returns if start < unit.use_offset(r) < end)
    conditional = None
    if block is None or statement_parent != block:
        conditional = next((p for p in reversed(parents[:at]) if p.kind in _CONDITIONAL_KINDS), statement_parent)
    if conditional is None and not skipped:
        return event
    return Event(Kind.DELETED_SOME_PATHS, event.at, event.use, skipped_by=skipped, conditional=conditional)


_CONDITIONAL_KINDS = frozenset({CursorKind.IF_STMT, CursorKind.FOR_STMT, CursorKind.WHILE_STMT, CursorKind.DO_STMT,
                                CursorKind.CXX_FOR_RANGE_STMT, CursorKind.SWITCH_STMT, CursorKind.LAMBDA_EXPR,
                                CursorKind.CXX_TRY_STMT, CursorKind.CONDITIONAL_OPERATOR})


def declaring_block(variable: Cursor) -> Cursor | None:
    """The block whose statement declares the local variable."""
    function = variable.semantic_parent
    if function is None:
        return None
    for c, p in walk_with_parents(function, ()):
        if c == variable and len(p) >= 2 and p[-1].kind == CursorKind.DECL_STMT and p[-2].kind == CursorKind.COMPOUND_STMT:
            return p[-2]
    return None


def parent_argument(new_expr: Cursor) -> Cursor | None:
    """The (non-null) parent the `new` passes to its constructor, if any."""
    call = next((c for c in new_expr.get_children() if c.kind == CursorKind.CALL_EXPR), None)
    ctor = call.referenced if call is not None else None
    if ctor is None or ctor.kind != CursorKind.CONSTRUCTOR:
        return None
    at = parent_parameter(list(ctor.get_arguments()))
    explicit = [a for a in call.get_arguments() if a.extent.start.file is not None]
    return explicit[at] if at is not None and at < len(explicit) and not is_null_pointer(explicit[at]) else None


# -- a call that hands over a new object ---------------------------------------------

# What a factory may do with the object before it returns it, and the
# caller still owns it alone: connect it, pass it to calls that only use it,
# give it a parent (a `delete` by the caller still frees it once).
FACTORY_KEEPS = frozenset({Kind.RETURNED, Kind.PASSED, Kind.PARENTED})


def is_producer_call(unit: Unit, call: Cursor) -> bool:
    """`newSocket()`, `setupJob()`: a call of a non-virtual function (a
    member or a free function) defined in this file whose every `return`
    hands the caller an object no one else keeps: a `new` of one object
    (either side of a `?:` too), or a local pointer whose every value is
    such a `new` and that the function only connects, passes to calls that
    only use it, or parents before returning it. The caller then owns the
    object as it owns a `new` written in place. (cpp.is_factory_call asks
    the stricter question whether nothing at all was done to it.)"""
    if call.kind != CursorKind.CALL_EXPR:
        return False
    callee = call.referenced
    if callee is None or callee.kind not in (CursorKind.CXX_METHOD, CursorKind.FUNCTION_DECL):
        return False
    if callee.kind == CursorKind.CXX_METHOD and callee.is_virtual_method():
        return False
    definition = callee.get_definition()
    if definition is None or not unit.in_main_file(definition):
        return False
    return unit.once(_returns_only_new_objects, definition)


def _returns_only_new_objects(unit: Unit, definition: Cursor) -> bool:
    found = 0
    locals_ = {}
    for node, parents in walk_with_parents(definition, ()):
        if node.kind == CursorKind.VAR_DECL:
            locals_[entity(node)] = (node, parents)
        if node.kind != CursorKind.RETURN_STMT or _in_lambda(parents):
            continue
        values = [strip_casts(c) for c in node.get_children()]
        if len(values) != 1:
            return False
        value = values[0]
        local = locals_.get(entity(value.referenced)) if value.kind == CursorKind.DECL_REF_EXPR else None
        if not (_is_new_object(unit, value) or local is not None and _only_new_objects(unit, *local)):
            return False
        found += 1
    return found > 0


def _is_new_object(unit: Unit, value: Cursor) -> bool:
    """`new T(...)` of one object, or `c ? new A : new B`."""
    value = strip_casts(value)
    if value.kind == CursorKind.CONDITIONAL_OPERATOR:
        branches = list(value.get_children())[1:]
        return len(branches) == 2 and all(_is_new_object(unit, b) for b in branches)
    return value.kind == CursorKind.CXX_NEW_EXPR and not is_array_new(unit, value)


def _only_new_objects(unit: Unit, variable: Cursor, parents: tuple[Cursor, ...]) -> bool:
    """The local pointer `variable` is only ever given new objects (or
    null), and its function does nothing with them that FACTORY_KEEPS does
    not allow."""
    values = [v for v in stored_values(unit, variable) or () if not is_null_pointer(v)]
    if not values or not all(_is_new_object(unit, v) for v in values):
        return False
    return fate_of(unit, variable, parents).kinds <= FACTORY_KEEPS


# -- a local container of pointers --------------------------------------------------


def holds_pointers(ctype) -> bool:
    """A container type whose elements are pointers: `QList<T *>`,
    `QVector<T *>`, `std::vector<T *>`..."""
    ctype = ctype.get_canonical()
    return ctype.get_num_template_arguments() >= 1 and ctype.get_template_argument_type(0).kind == TypeKind.POINTER


def container_fate(unit: Unit, variable: Cursor, parents: tuple[Cursor, ...]) -> Fate:
    """What the function does with the objects of the local container
    `variable` (declared with ancestors `parents`): FREED_BY_QDELETEALL
    (judged on all or some paths as a delete is), FREED_BY_TAKE, LOOKED for
    member calls, subscripts and loops over it, RETURNED, else PASSED (a
    copy, a call that gets the container: its objects may be owned there)."""
    function = enclosing_function(parents)
    body = function if function is not None else parents[0]
    returns = [r for r, rp in walk_with_parents(body, ()) if r.kind == CursorKind.RETURN_STMT and not _in_lambda(rp)]
    start = unit.use_offset(variable)
    events = []
    for ref, ref_parents in _references(body, variable):
        at = holder_of(ref, ref_parents, _copies).cursor
        kind = _container_use(unit, ref, ref_parents, at)
        if kind == Kind.FREED_BY_QDELETEALL and at.kind == CursorKind.MEMBER_REF_EXPR:
            at = _qdeleteall_of(ref_parents[: ref_parents.index(at)])  # qDeleteAll(list.begin(), list.end())
            if events and events[-1].at == at:
                continue  # its end() after its begin()
        event = Event(kind, at if at is not None else ref, ref)
        if kind == Kind.FREED_BY_QDELETEALL:
            judged = _judge_delete(unit, event, ref_parents, variable, start, returns)
            event = Event(kind, at, ref, skipped_by=judged.skipped_by, conditional=judged.conditional)
        events.append(event)
    return Fate(None, variable, tuple(events))


def _qdeleteall_of(parents) -> Cursor | None:
    """The qDeleteAll call whose argument is the call (`list.begin()`) that
    ends the ancestors `parents`, if any."""
    if len(parents) < 2:
        return None
    holder = holder_of(parents[-1], tuple(parents[:-1]), lambda c: c.kind in FLOW or c.kind in CASTS).cursor
    return holder if holder is not None and holder.kind == CursorKind.CALL_EXPR and holder.spelling == "qDeleteAll" else None


def _copies(c: Cursor) -> bool:
    """The value flows on unchanged, or copied (a copy or move constructor)."""
    return c.kind in FLOW or (c.kind == CursorKind.CALL_EXPR and c.referenced is not None
                              and c.referenced.kind == CursorKind.CONSTRUCTOR)


def _container_use(unit: Unit, ref: Cursor, parents, holder: Cursor | None) -> Kind:
    if holder is None:
        return Kind.PASSED
    if holder.kind == CursorKind.CALL_EXPR and holder.spelling == "qDeleteAll":
        return Kind.FREED_BY_QDELETEALL
    if holder.kind == CursorKind.MEMBER_REF_EXPR:
        if holder.spelling in ("begin", "end") and _qdeleteall_of(parents[: parents.index(holder)]) is not None:
            return Kind.FREED_BY_QDELETEALL  # qDeleteAll(list.begin(), list.end())
        return _free_kind(unit, ref, parents, False) or Kind.LOOKED
    if holder.kind == CursorKind.CXX_FOR_RANGE_STMT or holder.kind == CursorKind.CALL_EXPR and holder.spelling == "operator[]":
        return Kind.LOOKED
    if holder.kind == CursorKind.CALL_EXPR and holder.spelling in ("operator<<", "operator+="):
        return Kind.LOOKED  # `list << p`: a store into it
    if holder.kind == CursorKind.RETURN_STMT:
        return Kind.RETURNED
    return Kind.PASSED


# -- a pointer kept in a member ------------------------------------------------------


def member_frees(unit: Unit, field: Cursor, bodies: list[Cursor]) -> tuple[Event, ...]:
    """How the class's member function `bodies` free what the member `field`
    (a pointer, or a container of pointers) holds: `delete m_x` (in the
    destructor: FREED_BY_DESTRUCTOR), `qDeleteAll(m_list)`, `delete
    m_list.takeFirst()`."""
    key = entity(field)
    found = []
    for body in bodies:
        in_destructor = body.kind == CursorKind.DESTRUCTOR
        for c, p in walk_with_parents(body, ()):
            if c.kind != CursorKind.MEMBER_REF_EXPR or c.referenced is None or entity(c.referenced) != key or not on_this(c):
                continue
            kind = _free_kind(unit, c, p, in_destructor)
            if kind is not None:
                found.append(Event(kind, holder_of(c, p).cursor or c, c, field=field))
    return tuple(found)


@dataclass(frozen=True)
class Store:
    """One place a member is given a value."""

    at: Cursor  # the member initializer's MEMBER_REF, the assignment, the reset()/operator= call
    value: Cursor  # what is stored
    form: str  # "initializer" (`m_x(v)` of a constructor), "assignment" (`m_x = v`), "call" (`m_x.reset(v)`)


def member_stores(field: Cursor, bodies: list[Cursor]) -> tuple[Store, ...]:
    """Where the member functions `bodies` store a value in the member
    `field` of `this`: `m_x(v)` in a constructor's member initializers,
    `m_x = v`, and for a smart-pointer member `m_x.reset(v)` or `m_x = v`
    spelled as an operator call. (Its default member initializer is the
    field's own child.)"""
    key = entity(field)
    found = []
    for body in bodies:
        children = list(body.get_children())
        for i, c in enumerate(children):
            if c.kind == CursorKind.MEMBER_REF and c.referenced is not None and entity(c.referenced) == key:
                if i + 1 < len(children):
                    found.append(Store(c, children[i + 1], "initializer"))
        for c in body.walk_preorder():
            if is_assignment(c):
                sides = list(c.get_children())
                if len(sides) == 2 and _this_member(sides[0], key):
                    found.append(Store(c, sides[1], "assignment"))
            elif c.kind == CursorKind.CALL_EXPR and c.spelling in ("reset", "operator="):
                args = list(c.get_arguments())
                if args and _stored_by_call(c, key):
                    found.append(Store(c, args[-1], "call"))
    return tuple(found)


def _stored_by_call(call: Cursor, key: tuple) -> bool:
    """`m_x.reset(v)` (the callee's object) or `m_x = v` as an operator call
    (its first child is the left-hand side)."""
    first = next(iter(call.get_children()), None)
    if first is None:
        return False
    if call.spelling == "operator=":
        return _this_member(first, key)
    base = next(iter(first.get_children()), None) if first.kind == CursorKind.MEMBER_REF_EXPR else None
    return base is not None and _this_member(base, key)


def _this_member(expr: Cursor, key: tuple) -> bool:
    expr = strip_casts(expr)
    return (expr.kind == CursorKind.MEMBER_REF_EXPR and expr.referenced is not None
            and entity(expr.referenced) == key and on_this(expr))


def _free_kind(unit: Unit, ref: Cursor, parents, in_destructor: bool) -> Kind | None:
    holder = holder_of(ref, parents, lambda c: c.kind in FLOW or c.kind in CASTS)
    if holder.cursor is None:
        return None
    if holder.cursor.kind == CursorKind.CXX_DELETE_EXPR:
        return Kind.FREED_BY_DESTRUCTOR if in_destructor else Kind.DELETED
    if holder.cursor.kind == CursorKind.CALL_EXPR and holder.cursor.spelling == "qDeleteAll":
        return Kind.FREED_BY_QDELETEALL
    if holder.cursor.kind == CursorKind.MEMBER_REF_EXPR and holder.cursor.spelling.startswith("take"):
        call = parents[holder.depth - 1] if holder.depth > 0 else None
        above = holder_of(call, parents[: holder.depth - 1]).cursor if call is not None else None
        if above is not None and above.kind == CursorKind.CXX_DELETE_EXPR:
            return Kind.FREED_BY_TAKE
    return None

