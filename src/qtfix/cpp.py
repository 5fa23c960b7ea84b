"""qtfix's knowledge of C++, shared by every codemod: what libclang puts
between a value and its use, null pointers, receivers of member calls, the
class behind a pointer, function labels; and the text side: includes,
statements, argument text, indentation.

The text helpers work on the main file's bytes and on cursors; they never
parse C++ by themselves beyond balancing brackets and skipping string literals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from clang.cindex import BinaryOperator, StorageClass, TypeKind

from .edits import Edit
from .parse import FUNCTION_KINDS, Cursor, CursorKind, MacroUse, Unit, class_of_method, identity, walk_with_parents

# -- expressions: what stands between a value and its use ----------------------

# Implicit conversions (libclang's UNEXPOSED_EXPR) and parentheses: the value
# is unchanged.
IMPLICIT = frozenset({CursorKind.UNEXPOSED_EXPR, CursorKind.PAREN_EXPR})
# Explicit casts: the same object, seen as another type.
CASTS = frozenset(
    {
        CursorKind.CSTYLE_CAST_EXPR,
        CursorKind.CXX_STATIC_CAST_EXPR,
        CursorKind.CXX_DYNAMIC_CAST_EXPR,
        CursorKind.CXX_REINTERPRET_CAST_EXPR,
        CursorKind.CXX_CONST_CAST_EXPR,
    }
)
# Cursor kinds that hold the type of an initializer, not the initializer.
TYPE_REFERENCES = frozenset({CursorKind.TYPE_REF, CursorKind.NAMESPACE_REF, CursorKind.TEMPLATE_REF})


def strip_implicit(cursor: Cursor, through: frozenset = IMPLICIT) -> Cursor:
    """Look down through the nodes in `through` (by default the implicit
    casts and parentheses) to the expression they wrap."""
    while cursor.kind in through:
        children = list(cursor.get_children())
        if cursor.kind in CASTS:  # `static_cast<T *>(x)` also holds the type's name
            children = [c for c in children if c.kind not in TYPE_REFERENCES]
        if len(children) != 1:
            break
        cursor = children[0]
    return cursor


def strip_casts(cursor: Cursor) -> Cursor:
    """`strip_implicit`, explicit casts included: the object expression itself."""
    return strip_implicit(cursor, IMPLICIT | CASTS)


@dataclass(frozen=True)
class Holder:
    """What an expression is used by: the first ancestor that is not a
    pass-through node, and the node right under it (the expression as that
    ancestor sees it, conversions included)."""

    cursor: Cursor | None  # None: nothing above but pass-through nodes
    child: Cursor
    depth: int  # the holder's index in the ancestors (-1 with no holder)


def holder_of(
    expr: Cursor, parents: tuple[Cursor, ...], passes: Callable[[Cursor], bool] = lambda c: c.kind in IMPLICIT
) -> Holder:
    """Look up from `expr` (whose ancestors are `parents`, outermost first)
    through the ancestors `passes` accepts."""
    child, i = expr, len(parents) - 1
    while i >= 0 and passes(parents[i]):
        child = parents[i]
        i -= 1
    return Holder(parents[i] if i >= 0 else None, child, i)


def initializer(var: Cursor) -> Cursor | None:
    """The initializer of a variable declaration, None without one (or with
    several children qtfix does not know)."""
    init = [c for c in var.get_children() if c.kind not in TYPE_REFERENCES]
    return init[0] if len(init) == 1 else None


def is_null_pointer(expr: Cursor) -> bool:
    """`nullptr`, `NULL`, `0`, `Q_NULLPTR` (through casts): no object."""
    expr = strip_casts(expr)
    if expr.kind in (CursorKind.CXX_NULL_PTR_LITERAL_EXPR, CursorKind.GNU_NULL_EXPR):
        return True
    return expr.kind == CursorKind.INTEGER_LITERAL and [t.spelling for t in expr.get_tokens()] == ["0"]


def holds_no_object(expr: Cursor) -> bool:
    """A null pointer, or an empty smart pointer made in place
    (`QPointer<T>()`, `QScopedPointer<T>(nullptr)`)."""
    if is_null_pointer(expr):
        return True
    expr = strip_casts(expr)
    if expr.kind == CursorKind.CALL_EXPR and expr.referenced is not None and expr.referenced.kind == CursorKind.CONSTRUCTOR:
        args = list(expr.get_arguments())
        return not args or len(args) == 1 and holds_no_object(args[0])
    return False


def is_const_view(ctype) -> bool:
    """A type through which an object cannot be changed: const, or a
    pointer to const."""
    if ctype.is_const_qualified():
        return True
    pointee = ctype.get_pointee()
    return bool(pointee.spelling) and pointee.is_const_qualified()


def may_be_written(ref: Cursor, parents) -> bool:
    """Whether this use of a variable may change it. Uses seen through a
    const view (a `const QString &` parameter, a const member function, a
    copy) only read it; an assignment, a compound assignment, a non-const
    member function, a non-const reference or the address taken may write
    it. Unknown forms count as writes."""
    if ref.type.is_const_qualified():
        return False  # (a pointer to const is still an lvalue that can be reassigned)
    for p in reversed(parents):
        if p.kind in IMPLICIT:
            if is_const_view(p.type):
                return False
            continue
        if p.kind == CursorKind.VAR_DECL:
            # `QString copy = name;` reads it; `QString &alias = name;` may write it.
            declared = p.type.get_canonical()
            return declared.kind.name in ("LVALUEREFERENCE", "RVALUEREFERENCE") and not is_const_view(declared.get_pointee())
        if p.kind == CursorKind.INIT_LIST_EXPR:
            # `QStringList{name}`: the elements of an initializer list are const
            element = p.type.get_canonical().get_array_element_type()
            return not (element.spelling and element.is_const_qualified())
        return True
    return True


def variable_references(unit: Unit, decl: Cursor) -> list[tuple[Cursor, tuple[Cursor, ...]]]:
    """(reference, parents) of every use of the variable `decl` in the main file."""
    key = identity(decl.canonical)
    return [(ref, parents) for ref, parents in unit.once(_named_references, decl.spelling)
            if ref.referenced is not None and ref.referenced.kind == CursorKind.VAR_DECL
            and identity(ref.referenced.canonical) == key]


def _named_references(unit: Unit, name: str):
    return [(c, p) for c, p in unit.walk() if c.kind == CursorKind.DECL_REF_EXPR and c.spelling == name]


def expected_to_fail(unit: Unit, parents) -> bool:
    """Whether the call whose ancestors are `parents` is negated inside a
    macro (`QVERIFY(!server.listen(...))`): the test expects it to fail."""
    for p in reversed(parents):
        if p.kind == CursorKind.UNARY_OPERATOR:
            # Only in a macro (QVERIFY(!x), QVERIFY2, a user's wrapper,
            # or its body) does `!` state the expected outcome; `if (!x)`
            # is error handling around an ordinary use.
            span = unit.file_range(p)
            if span is None:
                return True  # the operator comes from a macro body
            negation = unit.text(*span).lstrip().startswith("!")
            return negation and unit.enclosing_macro(*span) is not None
        if p.kind not in (CursorKind.UNEXPOSED_EXPR, CursorKind.PAREN_EXPR):
            return False
    return False


def is_assignment(op: Cursor) -> bool:
    return op.kind == CursorKind.BINARY_OPERATOR and op.binary_operator == BinaryOperator.Assign


def is_assigned_to(expr: Cursor, parents: tuple[Cursor, ...]) -> bool:
    """Whether `expr` is the left-hand side of a plain assignment."""
    holder = holder_of(expr, parents)
    if holder.cursor is None or not is_assignment(holder.cursor):
        return False
    return next(iter(holder.cursor.get_children()), None) == holder.child


def unary_operator(unit: Unit, op: Cursor) -> str:
    """The operator of a UNARY_OPERATOR as spelled (`&`, `*`, `!`, `++`...)."""
    m = re.match(r"\s*(\+\+|--|[&*!~+-])", unit.spelled_text(op))
    return m.group(1) if m else ""


def binary_operator(unit: Unit, op: Cursor) -> str:
    """The operator between the operands of a binary operator as spelled; ""
    when an operand is not spelled in the file."""
    children = list(op.get_children())
    if len(children) != 2:
        return ""
    return text_between(unit, children[0], children[1])


def text_between(unit: Unit, first: Cursor, second: Cursor) -> str:
    a, b = unit.file_range(first), unit.file_range(second)
    if a is None or b is None:
        return ""
    return unit.text(a[1], b[0]).strip()


def in_namespace(decl: Cursor | None, name: str) -> bool:
    parent = decl.semantic_parent if decl is not None else None
    return parent is not None and parent.kind == CursorKind.NAMESPACE and parent.spelling == name


_ARRAY_NEW = re.compile(r"new\s*[\w:<>,\s*]*\[")
_ARRAY_DELETE = re.compile(r"delete\s*\[")
_PLACEMENT_NEW = re.compile(r"new\s*\(")


def is_array_new(unit: Unit, new_expr: Cursor) -> bool:
    """`new T[n]` (as spelled): one object per element, freed by `delete[]`."""
    return _ARRAY_NEW.match(unit.spelled_text(new_expr)) is not None


def is_placement_new(unit: Unit, new_expr: Cursor) -> bool:
    """`new (where) T`: the storage is not the heap's."""
    return _PLACEMENT_NEW.match(unit.spelled_text(new_expr)) is not None


def is_array_delete(unit: Unit, delete_expr: Cursor) -> bool:
    return _ARRAY_DELETE.match(unit.spelled_text(delete_expr)) is not None


def binds_to_reference(call: Cursor, argument: Cursor) -> bool:
    """Whether `argument` of `call` is passed to a non-const reference
    parameter (`void f(T *&p)`: the callee may reseat or delete it)."""
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


LITERALS = frozenset({CursorKind.INTEGER_LITERAL, CursorKind.FLOATING_LITERAL, CursorKind.CXX_BOOL_LITERAL_EXPR,
                      CursorKind.CXX_NULL_PTR_LITERAL_EXPR, CursorKind.STRING_LITERAL, CursorKind.CHARACTER_LITERAL})
ARITHMETIC = frozenset({TypeKind.BOOL, TypeKind.INT, TypeKind.LONGLONG, TypeKind.UINT, TypeKind.ULONGLONG,
                        TypeKind.LONG, TypeKind.ULONG, TypeKind.DOUBLE, TypeKind.FLOAT})


def returns_plain_value(ret: Cursor) -> bool:
    """`return;`, `return <literal>;` or `return x;` of a local or parameter
    of arithmetic type: nothing in it can look at an object."""
    values = list(ret.get_children())
    if not values:
        return True
    value = strip_implicit(values[0])
    if value.kind in LITERALS:
        return True
    if value.kind == CursorKind.DECL_REF_EXPR:
        ref = value.referenced
        return (ref is not None and ref.kind in (CursorKind.VAR_DECL, CursorKind.PARM_DECL)
                and ref.type.get_canonical().kind in ARITHMETIC)
    return False


# -- classes, pointers, member calls ------------------------------------------

# Smart pointers whose first template argument is the object's class.
SMART_POINTERS = ("QScopedPointer", "QPointer", "QSharedPointer", "unique_ptr", "shared_ptr")


def pointee_class(ctype) -> Cursor | None:
    """The declaration of the (named) class behind a pointer or reference
    type, or of the type itself; None for types that declare nothing."""
    t = ctype.get_canonical()
    if t.kind in (TypeKind.POINTER, TypeKind.LVALUEREFERENCE, TypeKind.RVALUEREFERENCE):
        t = t.get_pointee().get_canonical()
    decl = t.get_declaration()
    return decl if decl.kind != CursorKind.NO_DECL_FOUND and decl.spelling else None


def smart_pointee_class(ctype) -> Cursor | None:
    """The class a smart pointer type (QScopedPointer<T>, std::unique_ptr<T>...)
    points to; None for other types."""
    t = ctype.get_canonical()
    if t.get_num_template_arguments() >= 1 and any(name in t.spelling for name in SMART_POINTERS):
        return t.get_template_argument_type(0).get_canonical().get_declaration()
    return None


@dataclass(frozen=True)
class MemberCall:
    """`object->name(...)` or `object.name(...)`."""

    call: Cursor
    member: Cursor  # the MEMBER_REF_EXPR naming the function
    object: Cursor | None  # the object expression, None for an implicit `this`


def member_call(call: Cursor) -> MemberCall | None:
    """The parts of a member function call; None for any other call."""
    member = next(call.get_children(), None)
    if call.kind != CursorKind.CALL_EXPR or member is None or member.kind != CursorKind.MEMBER_REF_EXPR:
        return None
    base = next(member.get_children(), None)
    return MemberCall(call, member, base)


def on_this(member_ref: Cursor) -> bool:
    """`m_x` or `this->m_x` (not `other->m_x`)."""
    base = next(iter(member_ref.get_children()), None)
    return base is None or strip_casts(base).kind == CursorKind.CXX_THIS_EXPR


# -- functions -------------------------------------------------------------------


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


def local_object(unit: Unit, expr: Cursor) -> Cursor | None:
    """The local automatic object whose address `expr` is (`&window`): it is
    destroyed on every return from its function."""
    expr = strip_casts(expr)
    if expr.kind != CursorKind.UNARY_OPERATOR or unary_operator(unit, expr) != "&":
        return None
    operand = next(iter(expr.get_children()), None)
    operand = strip_casts(operand) if operand is not None else None
    var = operand.referenced if operand is not None and operand.kind == CursorKind.DECL_REF_EXPR else None
    if var is None or var.kind != CursorKind.VAR_DECL or var.storage_class in (StorageClass.STATIC, StorageClass.EXTERN):
        return None
    if var.type.get_canonical().kind in (TypeKind.POINTER, TypeKind.LVALUEREFERENCE, TypeKind.RVALUEREFERENCE):
        return None
    owner = var.semantic_parent
    return var if owner is not None and owner.kind in FUNCTION_KINDS else None


def function_label(function: Cursor) -> str:
    """How messages name a function: `Class::name()` or `name()`."""
    cls = class_of_method(function.canonical)
    return f"{cls.spelling}::{function.spelling}()" if cls is not None else f"{function.spelling}()"


# -- text ------------------------------------------------------------------------

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


def indentation_at(unit: Unit, offset: int) -> str:
    """The white space that starts the line holding `offset`."""
    start = unit.line_start(offset)
    text = unit.source[start:offset]
    return text[: len(text) - len(text.lstrip())].decode()


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


def removal_span(source: bytes, start: int, end: int) -> tuple[int, int]:
    """What to delete to remove `source[start:end]`: its whole line(s) when
    it is alone there (`line_is_only`), else it and the blanks after it (so
    `wait();  // why` leaves `// why` where the statement began)."""
    span = line_is_only(source, start, end)
    if span != (start, end):
        return span
    return start, _BLANKS.match(source, end).end()


_BLANKS = re.compile(rb"[ \t]*")


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
        if is_array_new(unit, values[0]):
            return False
        returns += 1
    return returns > 0


# -- statements and macro arguments --------------------------------------------


def statement_span(unit: Unit, statement: Cursor) -> tuple[int, int] | None:
    """The bytes of a statement of a block spelled in the main file, its `;`
    included (an expression statement's extent stops before it); None when
    it is not editable text."""
    span = unit.file_range(statement)
    if span is None or unit.expansion_range(statement) != span:
        return None
    start, end = span
    if unit.source[end - 1 : end] not in (b";", b"}"):
        semi = skip_space(unit.source, end)
        end = semi + 1 if unit.source[semi : semi + 1] == b";" else end
    return start, end


_INCREMENT = re.compile(r"^\s*(\+\+|--)|(\+\+|--)\s*$")


# A predicate by Qt's naming: `isCanceled()`, `hasPendingEvents()`.
_QUERY_NAME = re.compile(r"(is|has)[A-Z]\w*")


def is_query(method: Cursor) -> bool:
    """A member function `bool isX()` / `bool hasX()` without parameters: by
    Qt's naming a read, even where it is not declared const (QtConcurrent's
    `ThreadEngineBase::isCanceled()`)."""
    return (_QUERY_NAME.fullmatch(method.spelling) is not None and not list(method.get_arguments())
            and method.result_type.get_canonical().kind == TypeKind.BOOL)


def has_side_effects(unit: Unit, expr: Cursor) -> bool:
    """Whether evaluating `expr` may change state: an assignment, `++`/`--`,
    `new`/`delete`, or a call of a non-const, non-static member function that
    is not a query (`is_query`); free and static functions are taken to only
    read."""
    for c in expr.walk_preorder():
        if c.kind in (CursorKind.CXX_NEW_EXPR, CursorKind.CXX_DELETE_EXPR, CursorKind.COMPOUND_ASSIGNMENT_OPERATOR):
            return True
        if is_assignment(c) or c.kind == CursorKind.UNARY_OPERATOR and _INCREMENT.search(unit.spelled_text(c)):
            return True
        ref = c.referenced if c.kind == CursorKind.CALL_EXPR else None
        if ref is not None and ref.kind == CursorKind.CXX_METHOD:
            if not (ref.is_const_method() or ref.is_static_method() or is_query(ref)):
                return True
    return False


@dataclass(frozen=True)
class MacroArgument:
    span: tuple[int, int]  # its bytes in the main file, white space trimmed
    cursor: Cursor | None  # the outermost expression of the expansion spelled there


def macro_arguments(unit: Unit, use: MacroUse, expansion: Cursor) -> tuple[MacroArgument, ...] | None:
    """The arguments of a function-like macro use (`QVERIFY(x)`), each with
    the expression the expansion (a cursor the macro made, such as the
    statement of a QVERIFY) holds for it; None without a balanced list."""
    ranges = call_arguments_text(unit.source, skip_space(unit.source, use.start + len(use.name)))
    if ranges is None:
        return None
    spelled = [(span, c) for c in expansion.walk_preorder() if (span := unit.file_range(c))]  # outermost first
    found = []
    for start, end in ranges:
        text = unit.source[start:end]
        s, e = start + len(text) - len(text.lstrip()), end - len(text) + len(text.rstrip())
        # A macro inside the argument (`QStringLiteral("x")`) spans only its own name.
        cursor = next((c for span, c in spelled if span == (s, e)), None) or next(
            (c for span, c in spelled if span[0] == s and span[1] <= e), None)
        found.append(MacroArgument((s, e), cursor))
    return tuple(found)


# -- what a variable holds ---------------------------------------------------------

_HOLDERS = (CursorKind.VAR_DECL, CursorKind.FIELD_DECL)


def stored_values(unit: Unit, decl: Cursor) -> tuple[Cursor, ...] | None:
    """Every value a variable or data member of the main file is given: its
    initializer (each element of a braced one), a constructor's member
    initializer, and the right side of each plain assignment to it or to an
    element of it (`p = v`, `a[i] = v`, `obj.m = v`). None when a use may
    change it another way (its address taken, a non-const reference bound
    to it, `++`, a compound assignment), or when other translation units
    may assign it: then what it holds is not known."""
    if decl is None or decl.kind not in _HOLDERS or unit.file_range(decl) is None:
        return None
    if decl.kind == CursorKind.VAR_DECL and decl.semantic_parent.kind in (
            CursorKind.TRANSLATION_UNIT, CursorKind.NAMESPACE) and str(decl.linkage).endswith("EXTERNAL"):
        return None
    return unit.once(_stored_values, decl)


def _stored_values(unit: Unit, decl: Cursor) -> tuple[Cursor, ...] | None:
    key = identity(decl.canonical)
    values = list(_initial_values(decl))
    for c, parents in unit.walk():
        if c.kind not in (CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR, CursorKind.MEMBER_REF):
            continue
        target = c.referenced
        if target is None or target.kind not in _HOLDERS or identity(target.canonical) != key:
            continue
        if c.kind == CursorKind.MEMBER_REF:  # `Ctor() : m(v)`: the value follows the name
            siblings = list(parents[-1].get_children()) if parents else []
            at = next((i for i, s in enumerate(siblings) if identity(s) == identity(c)), None)
            if at is None or at + 1 >= len(siblings):
                return None
            values.extend(_elements(siblings[at + 1]))
            continue
        value = _assigned_value(unit, c, parents)
        if value is None:
            return None
        if value is not _READ:
            values.extend(_elements(value))
    return tuple(values)


_READ = object()  # a use that only reads the variable


def _initial_values(decl: Cursor) -> list[Cursor]:
    children = [c for c in decl.get_children() if c.kind not in TYPE_REFERENCES]
    if not children:
        return []
    init = children[-1]
    if decl.type.get_canonical().kind == TypeKind.CONSTANTARRAY and init.kind != CursorKind.INIT_LIST_EXPR:
        return []  # only the array's size
    return _elements(init)


def _elements(value: Cursor) -> list[Cursor]:
    """The values a braced initializer holds, the value a chained
    assignment stores (`a = b = v`), or the value itself."""
    value = strip_implicit(value)
    if value.kind == CursorKind.INIT_LIST_EXPR:
        return [e for c in value.get_children() for e in _elements(c)]
    if value.kind == CursorKind.BINARY_OPERATOR and is_assignment(value):
        return _elements(list(value.get_children())[1])
    return [value]


def _assigned_value(unit: Unit, ref: Cursor, parents: tuple[Cursor, ...]):
    """The right side when this use is the target of a plain assignment,
    _READ when it only reads the variable, None when it may change it
    another way."""
    child, i = ref, len(parents) - 1
    while i >= 0:
        holder = parents[i]
        first = next(holder.get_children(), None)
        on_left = first is not None and identity(first) == identity(child)
        if holder.kind in IMPLICIT or holder.kind == CursorKind.ARRAY_SUBSCRIPT_EXPR and on_left:
            child, i = holder, i - 1
            continue
        if holder.kind == CursorKind.BINARY_OPERATOR and is_assignment(holder):
            return list(holder.get_children())[1] if on_left else _READ
        if holder.kind == CursorKind.COMPOUND_ASSIGNMENT_OPERATOR:
            return None if on_left else _READ
        if holder.kind == CursorKind.UNARY_OPERATOR:
            changes = unary_operator(unit, holder) == "&" or _INCREMENT.search(unit.spelled_text(holder))
            return None if changes else _READ
        if holder.kind == CursorKind.CALL_EXPR and binds_to_reference(holder, child):
            return None
        if holder.kind == CursorKind.VAR_DECL and holder.type.get_canonical().kind == TypeKind.LVALUEREFERENCE:
            return None if not is_const_view(holder.type.get_canonical().get_pointee()) else _READ
        return _READ
    return _READ


_NEGATED_OPERATORS = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def negation(unit: Unit, cond: Cursor) -> str:
    """The text of `!(cond)`, as a reader would write it: `!x` for `x`,
    `x` for `!x`, `a != b` for `a == b` (built-in comparisons only; an
    overloaded operator is a call), else `!(cond)`."""
    inner = strip_implicit(cond)
    text = unit.spelled_text(cond).strip()
    if inner.kind == CursorKind.UNARY_OPERATOR and text.startswith("!"):
        return unit.spelled_text(next(inner.get_children())).strip()
    if inner.kind == CursorKind.BINARY_OPERATOR:
        lhs, rhs = inner.get_children()
        op = binary_operator(unit, inner)
        if op in _NEGATED_OPERATORS:
            return f"{unit.spelled_text(lhs).strip()} {_NEGATED_OPERATORS[op]} {unit.spelled_text(rhs).strip()}"
    plain = inner.kind in (CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR) or (
        # a call, also of a conversion (`operator bool`), not of an overloaded `==`
        inner.kind == CursorKind.CALL_EXPR and not re.match(r"operator[^\w\s]", inner.spelling))
    return f"!{text}" if plain else f"!({text})"
