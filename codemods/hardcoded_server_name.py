from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from qtfix.codemod import Codemod, Match, Node, NoFix, Options
from clang.cindex import BinaryOperator

from qtfix.cpp import (call_arguments_text, code_without_comments, enclosing_function, enclosing_named_function,
                       enclosing_statement, ensure_include, expected_to_fail, function_label, initializer,
                       insertion_point, may_be_written, skip_space, strip_casts, variable_references)
from qtfix.fileio import is_utf8, to_bytes, to_text
from qtfix.edits import Edit, Fix, Safety
from qtfix.parse import Cursor, CursorKind, Unit, file_location, identity, is_derived_from
from qtfix.qt import (LOCAL_CLASSES, SERVER_NAME_CALLS, Fetched, data_rows, fetched, is_helper_program,
                      starts_process)
HELPER = "uniqueServerName"
# When the file already uses HELPER for something else (a function of its own
# with another signature, a member that would hide a free function), the
# helper takes the next free name instead.
HELPER_NAMES = (HELPER, "qtfixUniqueServerName", "qtfixUniqueLocalServerName")
HELPER_SIGNATURE = "QString (const QString &)"

# The whole argument must be one constant: a plain literal, or a literal in
# one of the usual QString wrappers. Anything computed is left alone.
_LITERAL = r'(?P<prefix>u8|u|U|L)?"(?P<value>(?:[^"\\\n]|\\.)*)"'
_ARGUMENT = re.compile(
    rf"""^(?:
        (?:QStringLiteral|QLatin1String|QLatin1StringView|QString|QString::fromLatin1|QString::fromUtf8)
        \s*\(\s*{_LITERAL}\s*\)
      | {_LITERAL.replace("prefix", "prefix2").replace("value", "value2")}(?:_s|_L1|_qs)?
    )$""",
    re.VERBOSE | re.DOTALL,
)


_IDENTIFIER = re.compile(r"^(?:::)?[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*$")
# What follows a variable's name in its declaration: an initializer that is
# one constant name (the same forms as a direct argument).
_DECLARATOR = re.compile(rb"\s*(?:\[[^\]]*\]\s*)?(?:=(?P<a>.*)|\((?P<b>.*)\)|\{(?P<c>.*)\})\s*$", re.DOTALL)
# Variable types whose initializer can become a call of the helper.
_QSTRING_TYPES = frozenset({"QString", "const QString"})


@dataclass(frozen=True)
class ServerName(Match):
    """A call given a constant name, with every use of that value in the
    file that one fix rewrites (companions: negative checks beside them)."""

    value: str
    uses: tuple[Use, ...]
    reason: str  # why no fix, "" when there may be one


@dataclass(frozen=True)
class Use:
    """One call that receives a constant server name."""

    value: str
    prefix: str
    statement: Cursor  # where it is reported
    site: tuple[int, int] | None  # the text a fix rewrites (the literal); None: not editable
    negated: bool
    function: tuple | None  # the enclosing function's identity
    # Why this use can have no fix whatever the others do (a `const char *`
    # variable, a macro defined in another file); "" when it can.
    reason: str = ""
    held_in: Cursor | None = None  # the variable whose declaration holds the literal (reported there)
    in_function: Cursor | None = None  # the enclosing named function


@dataclass(frozen=True)
class Located:
    """Where a call's constant name is written: its value, the literal's
    prefix, the text a fix rewrites (None: not editable), why this use alone
    can have no fix ("" when it can), and the variable holding it."""

    value: str
    prefix: str
    site: tuple[int, int] | None
    reason: str = ""
    holder: Cursor | None = None


_COLLIDE = "parallel or killed runs of this test collide on it"


def _message(value: str, use: Use, group: Sequence[Use]) -> str:
    if use.held_in is None:
        return f'hard-coded local server name "{value}": {_COLLIDE}'
    key = identity(use.held_in)
    calls = sum(1 for u in group if u.held_in is not None and identity(u.held_in) == key)
    used = f"used by {calls} call{'s' if calls != 1 else ''}"
    return f'hard-coded local server name "{value}" held in {use.held_in.spelling} ({used}): {_COLLIDE}'


def _fetched_argument(unit: Unit, call: Cursor) -> Fetched | None:
    """The data column the call's first argument reads, when it is a
    variable declared by QFETCH (`QFETCH(QString, name); listen(name)`)."""
    arguments = list(call.get_arguments())
    if not arguments:
        return None
    text = unit.spelled_text(arguments[0]).strip()
    ref = next((c for c in arguments[0].walk_preorder() if c.kind == CursorKind.DECL_REF_EXPR), None)
    if ref is None or ref.spelling != text:
        return None
    return fetched(unit, ref.referenced)


def _joined_parts(expr: Cursor) -> list[Cursor]:
    """The operands of a chain of `+` (QString's operator+ or the built-in
    one), through conversions and converting constructors."""
    expr = strip_casts(expr)
    constructor = expr.referenced if expr.kind == CursorKind.CALL_EXPR else None
    if constructor is not None and constructor.kind == CursorKind.CONSTRUCTOR and len(list(expr.get_arguments())) == 1:
        return _joined_parts(next(expr.get_arguments()))  # QString(x), QChar('/'), QLatin1String("x")
    plus = expr.kind == CursorKind.CALL_EXPR and expr.spelling == "operator+"
    if plus or expr.kind == CursorKind.BINARY_OPERATOR and expr.binary_operator == BinaryOperator.Add:
        operands = list(expr.get_arguments()) if plus else list(expr.get_children())
        if len(operands) == 2:
            return _joined_parts(operands[0]) + _joined_parts(operands[1])
    return [expr]


def _meant_to_fail(value: str) -> bool:
    """A name a test passes to see the call fail: empty, a path or a name
    with a separator, or longer than a socket path allows."""
    return not value or "/" in value or "\\" in value or len(value) > 80


def _constant(source: bytes, start: int, end: int):
    """(value, prefix, (start, end) without surrounding space) when
    `source[start:end]` is one constant name, else None."""
    text = source[start:end]
    stripped = text.strip()
    m = _ARGUMENT.match(to_text(stripped))
    if m is None:
        return None
    value = m.group("value") if m.group("value") is not None else m.group("value2")
    prefix = m.group("prefix") or m.group("prefix2") or ""
    lead = len(text) - len(text.lstrip())
    return value, prefix, (start + lead, start + lead + len(stripped))


def helper_text(nl: str, name: str = HELPER) -> str:
    # `inline`, not `static`: every translation unit of one test program that
    # includes this definition shares the one suffix (a server in one .cpp,
    # its client in another), and identical inline definitions are ODR-safe.
    return nl.join(
        [
            "",
            "// qtfix QF104: one server name per test process, so parallel or killed",
            "// runs of this test cannot collide on a fixed local socket name.",
            f"inline QString {name}(const QString &prefix)",
            "{",
            "    static const QString suffix = QUuid::createUuid().toString(QUuid::Id128).left(12);",
            "    return prefix + QLatin1Char('-') + suffix;",
            "}",
        ]
    ) + nl


class HardcodedServerName(Codemod):
    """
    ## What it does
    Finds a fixed local server name passed to `QLocalServer::listen`,
    `QLocalSocket::connectToServer`, `setServerName` or `QLocalServer::removeServer`
    (or a method of the same name, taking a QString first, of a class derived
    from QLocalServer/QLocalSocket, such as a test's own `listen()` wrapper),
    as a plain literal or wrapped in `QStringLiteral`/`QLatin1String`/`QString`.
    The name is also followed, one step, through:
    - a variable named as the whole argument (`listen(name)`): a local, or a
      constant of the file (`static const QString kName = ...;`, a static
      data member defined in the file), whose initializer is such a literal
      and which is never written after its declaration (no assignment,
      `+=`, non-const member call, non-const reference or address taken;
      a written variable is skipped silently);
    - an object-like `#define NAME "foo"` named as the whole argument;
    - a `QFETCH(QString, name)` variable: the rows of the test's `_data`
      function (and of the data functions it calls) are read, and each row
      whose value in that column is such a literal is reported at the row,
      without a fix. Rows meant to fail are left alone: null, empty, a name
      with a `/` or `\\`, longer than 80 characters, or computed.
    A name held in a variable is reported once, at the declaration that
    holds the literal (DESIGN.md: where a finding is reported), with the
    number of calls that use it; a literal argument or a macro at each call.
    Function parameters, class members and anything computed are not
    followed (not reported).

    ## Why is this bad?
    A local server name is a machine-wide resource (a socket file in the temp
    directory on Unix, a named pipe on Windows). Two runs of the same test at
    once (parallel ctest, two CI jobs on one machine) collide on it: the second
    `listen()` fails, and when that result is not checked its clients quietly
    talk to the first process's server. A run that is killed leaves the socket
    file behind, and the next run's `listen()` fails.

    ## Example
    ```cpp
    server->listen("foo");
    socket->connectToServer("foo");
    ```

    ## Use instead
    ```cpp
    inline QString uniqueServerName(const QString &prefix)
    {
        static const QString suffix = QUuid::createUuid().toString(QUuid::Id128).left(12);
        return prefix + QLatin1Char('-') + suffix;
    }
    ...
    server->listen(uniqueServerName(QStringLiteral("foo")));
    socket->connectToServer(uniqueServerName(QStringLiteral("foo")));
    ```
    The suffix is 48 random bits (12 hex digits), not a whole UUID: on Unix
    the name becomes a socket file in the temp directory, and a socket path
    has room for only about 107 bytes, which a long TMPDIR plus a 36-character
    UUID can exceed (then `listen()` fails with no error text).
    Every use of one literal in the file is rewritten by one fix, so server and
    clients keep agreeing on the name; the helper is added once, after the
    includes, with `#include <QUuid>` when the file lacks it. A name held in
    a variable or macro is rewritten where the literal is (its initializer,
    the macro body), once however many calls go through it:
    ```cpp
    const QString name = uniqueServerName(QStringLiteral("foo"));
    #define SERVER_NAME uniqueServerName(QStringLiteral("foo"))
    ```
    Other reads of the variable (`QCOMPARE(server.serverName(), name)`, a
    command line built from it) then see the same unique name.

    ## Fix safety
    Safe: within one process every use of the literal gets the same name. No
    fix is offered when the literal also appears elsewhere in the file
    outside comments (a comparison, a command line for a helper), when the
    name is a path, when the text comes from a macro body, in a helper
    program (a file with its own `main()` and no QtTest: it meets its test
    on the name, so a per-process name would break them), and in a file
    whose literal also appears in such a helper program of the analysed
    tree. Names built at run time and empty names (they cannot collide; a
    test passing one expects the failure) are never reported. A call
    negated inside a verification macro (`QVERIFY(!server.listen("foo"))`)
    expects a failure: alone it is not reported, and next to real uses of
    the name in the same function (a second server refused while the first
    holds the name) it is rewritten with them, so it still checks that. A
    negation in plain code (`if (!server.listen("foo")) return;`) is error
    handling and is reported. A negative check through a shared variable or
    macro is rewritten with it, wherever it is. Reported with no fix: a
    name held in a variable that is not a QString (`const char *`, `char[]`,
    `QLatin1String`: it cannot hold a name made at run time, and changing
    its type may break its other uses); a macro that is also used outside
    server-name arguments (a concatenation `"x" NAME`, `QStringLiteral(NAME)`:
    a function call in its body would not compile there or would change
    that use), defined in another file or defined twice; and the "also
    used elsewhere" rule above, which counts the literals a fix rewrites
    (one per variable or macro), not the calls. Also with no fix: a name
    used by a function that starts a program with QProcess, or spelled in
    one (its arguments, its environment): the helper meets the test on the
    name, and the reason says to make it unique once and pass it on the
    command line or in the environment; and every data row (rewriting a
    row may change what the other columns or the test compare). The helper and
    `#include <QUuid>` go after the file's includes, outside any `#if`
    block, so they exist on every platform.
    """

    code = "QF104"
    name = "hardcoded-server-name"
    summary = "fixed QLocalServer/QLocalSocket name collides between parallel or killed test runs"
    safety = Safety.SAFE

    kinds = frozenset({CursorKind.CALL_EXPR})

    def match(self, unit: Unit, nodes: Sequence[Node], options: Options) -> Iterator[ServerName]:
        uses: list[Use] = []
        rows: dict[int, ServerName] = {}
        for node in nodes:
            call, parents = node.cursor, node.parents
            if not self._takes_name(call):
                continue
            column = _fetched_argument(unit, call)
            if column is not None:
                for row in self._rows(unit, parents, column):
                    rows.setdefault(row.at, row)
            elif (use := self._use(unit, call, parents)) is not None:
                uses.append(use)
        yield from self._groups(unit, uses, options)
        yield from rows.values()

    def _groups(self, unit: Unit, uses: list[Use], options: Options) -> Iterator[ServerName]:
        """One finding per place that holds a name: the call's statement for
        a literal argument (or the macro use), the declaration of the
        variable that holds it; every use of one value fixed together."""
        by_site = defaultdict(list)
        for use in uses:
            if use.site is not None:
                by_site[use.site].append(use)
        by_value = defaultdict(list)
        for use in uses:
            by_value[use.value].append(use)
        for value, group in by_value.items():
            positive = [u for u in group if not u.negated]
            if not positive:
                continue  # only expected failures: the name may be bad on purpose
            # A negative check next to the real uses in one function (a second
            # server must not get the name while the first holds it) needs the
            # same name as they get, so it is rewritten with them (and not
            # reported: it is not a bug by itself). Elsewhere a literal stays;
            # one that shares a variable or macro with them is rewritten with it.
            functions = {u.function for u in positive}
            companions = [u for u in group if u.negated and u.function is not None and u.function in functions]
            together = tuple(positive + companions)
            reason = self._why_no_fix(unit, value, together, by_site, options.shared_literals)
            reported: dict[int, Use] = {}
            for use in positive:
                reported.setdefault(unit.use_offset(use.held_in or use.statement), use)
            for at, use in reported.items():
                yield ServerName(at, _message(value, use, group), value, together, reason)

    def _rows(self, unit: Unit, parents, column: Fetched) -> Iterator[ServerName]:
        """The data rows whose name a call reads through QFETCH: reported at
        the row, with no fix; rows meant to fail are left alone."""
        test = enclosing_named_function(parents)
        if test is None or test.kind != CursorKind.CXX_METHOD or expected_to_fail(unit, parents):
            return
        for row in data_rows(unit, test, column):
            span = (unit.file_range(row.value) or unit.expansion_range(row.value)) if row.value is not None else None
            located = _constant(unit.source, *span) if span is not None else None
            if located is None or _meant_to_fail(located[0]):
                continue  # computed, null, empty, a path, over-long: not a name to collide on
            value = located[0]
            reason = (
                f"the name comes from a data row that {function_label(test)} reads with QFETCH, and qtfix does "
                f"not rewrite data rows: give this row a name made unique at run time by hand (for example "
                f'QString("{value}-%1").arg(QCoreApplication::applicationPid())), and leave the rows meant to '
                "fail (empty, null, a path, an over-long name) as they are"
            )
            message = f'hard-coded local server name "{value}" in data row {row.tag}: {_COLLIDE}'
            yield ServerName(unit.use_offset(row.statement), message, value, (), reason)

    def _takes_name(self, call: Cursor) -> bool:
        """A server-name call of QLocalServer/QLocalSocket (or a subclass's
        own method of that name) whose first parameter is a QString."""
        method = call.referenced if call.spelling in SERVER_NAME_CALLS else None
        if method is None or method.kind != CursorKind.CXX_METHOD or not self._is_local_class(method.semantic_parent):
            return False
        params = list(method.get_arguments())
        return bool(params) and "QString" in params[0].type.spelling

    def _use(self, unit: Unit, call: Cursor, parents: tuple[Cursor, ...]) -> Use | None:
        """The use of a constant name by this call, if it is one."""
        located = self._literal_argument(unit, call)
        if located is None or not located.value:
            return None  # computed; or `connectToServer("")`: nothing to collide on, the failure is the test
        negated = expected_to_fail(unit, parents)  # `QVERIFY(!server.listen("foo"))`: the failure is the test
        function = enclosing_function(parents)
        statement = enclosing_statement(call, parents)
        return Use(located.value, located.prefix, statement, located.site, negated,
                   identity(function) if function else None, located.reason, located.holder,
                   enclosing_named_function(parents))

    def fix(self, unit: Unit, match: ServerName, options: Options) -> Fix | NoFix:
        value, uses = match.value, match.uses
        name, present, defined_at = unit.once(_helper_name)
        if match.reason:
            return NoFix(match.reason)
        if name is None:
            return NoFix(f"the names {', '.join(HELPER_NAMES)} are all taken in this file")
        # Several calls through one variable or macro share one site: one edit.
        sites = sorted({u.site for u in uses})
        if present and defined_at > sites[0][0]:
            return NoFix(f"the file's {name}() is defined after a use of the name; move it up first")
        # QStringLiteral makes a u"" literal, which no compiler takes from
        # bytes that are not UTF-8 (a Latin-1 source); the implicit QString
        # the call made from them was QString::fromUtf8.
        wrapper = "QStringLiteral" if is_utf8(to_bytes(value)) else "QString::fromUtf8"
        replacement = f'{name}({wrapper}("{value}"))'
        edits = [Edit.replacement(unit.path, s, e, replacement) for s, e in sites]
        if not present:
            edits += ensure_include(unit, "QUuid")
            edits.append(Edit.insertion(unit.path, insertion_point(unit), helper_text(unit.newline.decode(), name)))
        return self.fixed(edits, f'use {replacement} for all {len(uses)} use(s) of "{value}"')

    @staticmethod
    def _is_local_class(owner) -> bool:
        """QLocalServer, QLocalSocket, or a class of the test derived from
        one (a `listen(const QString &)` that forwards to QLocalServer's)."""
        if owner is None or owner.kind not in (CursorKind.CLASS_DECL, CursorKind.STRUCT_DECL):
            return False
        return owner.spelling in LOCAL_CLASSES or any(is_derived_from(owner, base) for base in LOCAL_CLASSES)

    def _literal_argument(self, unit: Unit, call) -> Located | None:
        """Where the name is written when the first argument is a
        constant name: the argument itself when it is a literal, else the
        literal that initializes the variable or the body of the macro it
        names. The site is None when that text is not editable; the reason
        says why no fix can be offered for this use alone. None when the
        name is computed (or the variable is written after its declaration)."""
        children = list(call.get_children())
        callee = children[0] if children else None
        if callee is None:
            return None
        span = unit.file_range(callee)
        if span is None:
            # Spelled in a macro body: still say so when the literal is visible.
            literal = next((c for c in call.walk_preorder() if c.kind == CursorKind.STRING_LITERAL), None)
            if literal is None:
                return None
            m = re.fullmatch(_LITERAL, literal.spelling)
            return Located(m.group("value"), m.group("prefix") or "", None) if m else None
        open_paren = skip_space(unit.source, span[1])
        args = call_arguments_text(unit.source, open_paren)
        if not args:
            return None
        start, end = args[0]
        located = _constant(unit.source, start, end)
        if located is not None:
            return Located(*located)
        identifier = unit.text(start, end).strip()
        if not _IDENTIFIER.match(identifier):
            return None
        arguments = list(call.get_arguments())
        if not arguments:
            return None
        argument = arguments[0]
        name = identifier.rsplit("::", 1)[-1]
        ref = next(
            (c for c in argument.walk_preorder() if c.kind == CursorKind.DECL_REF_EXPR and c.spelling == name),
            None,
        )
        if ref is not None:
            var = ref.referenced
            if var is None or var.kind != CursorKind.VAR_DECL:
                return None  # a parameter, a function: computed elsewhere
            return self._variable_site(unit, var) or self._joined_site(unit, var)
        if "::" in identifier or not any(m.name == name and start <= m.start < end for m in unit.macro_uses):
            return None
        return self._macro_site(unit, name, argument)

    def _variable_site(self, unit: Unit, var: Cursor):
        """The literal that initializes a variable (local, or a constant of
        the file) that is never written after its declaration."""
        decl = var.get_definition() or var
        if decl.kind != CursorKind.VAR_DECL:
            return None
        span = unit.file_range(decl)
        if span is None or unit.enclosing_macro(*span) is not None:
            return None  # declared in another file, or by a macro (QFETCH)
        _, at = file_location(decl.location)
        name = decl.spelling.encode()
        if not (span[0] <= at and at + len(name) <= span[1]) or unit.source[at : at + len(name)] != name:
            return None
        declarator = _DECLARATOR.match(unit.source, at + len(name), span[1])
        if declarator is None:
            return None
        group = next(g for g in ("a", "b", "c") if declarator.group(g) is not None)
        located = _constant(unit.source, declarator.start(group), declarator.end(group))
        if located is None:
            return None
        value, prefix, site = located
        vtype = decl.type.get_canonical()
        local = decl.semantic_parent is not None and decl.semantic_parent.kind not in (
            CursorKind.TRANSLATION_UNIT, CursorKind.NAMESPACE, CursorKind.CLASS_DECL, CursorKind.STRUCT_DECL)
        element = vtype.get_array_element_type()
        constant = vtype.is_const_qualified() or bool(element.spelling) and element.is_const_qualified()
        if not local and not constant and str(decl.linkage).endswith("EXTERNAL"):
            return None  # another translation unit may assign it
        if not constant and any(may_be_written(ref, parents) for ref, parents in variable_references(unit, decl)):
            return None  # reassigned or modified: the name is not that literal everywhere
        if vtype.spelling in _QSTRING_TYPES:
            return Located(value, prefix, site, "", decl)
        return Located(value, prefix, site, (
            f"the name is held in {decl.spelling}, a {decl.type.spelling}, which cannot hold a name made at run "
            f"time; make it a QString initialised with {HELPER}(QStringLiteral(\"{value}\")) by hand"
        ), decl)

    def _joined_site(self, unit: Unit, var: Cursor) -> Located | None:
        """A local QString joined from constants only, one of them a
        variable holding a name (`QString serverName = path + '/' + name;`):
        a fixed path, reported at the name's declaration with no fix."""
        decl = var.get_definition() or var
        init = initializer(decl) if decl.kind == CursorKind.VAR_DECL else None
        parts = _joined_parts(init) if init is not None else []
        if len(parts) < 2 or decl.type.get_canonical().spelling not in _QSTRING_TYPES:
            return None
        if any(may_be_written(ref, parents) for ref, parents in variable_references(unit, decl)):
            return None
        held = []
        for part in parts:
            if part.kind in (CursorKind.STRING_LITERAL, CursorKind.CHARACTER_LITERAL):
                continue
            located = self._variable_site(unit, part.referenced) if part.kind == CursorKind.DECL_REF_EXPR else None
            if located is None or located.site is None:
                return None  # something computed: the path may well be unique
            held.append(located)
        name = next((h for h in held if "/" not in h.value and "\\" not in h.value), None)
        if name is None:
            return None
        return Located(name.value, name.prefix, None, (
            f"the variable {name.holder.spelling} is joined into the fixed path {decl.spelling}: parallel runs "
            "meet on that socket file; build the path in a QTemporaryDir made by the test instead"), name.holder)

    @staticmethod
    def _macro_site(unit: Unit, name: str, argument: Cursor):
        """The literal body of an object-like macro of the file (`#define
        NAME "foo"`) passed as the name. A macro from another file, or
        defined twice, is reported with no fix (its literal is what the
        compiler saw)."""
        code = code_without_comments(unit.source)
        ident = re.escape(name.encode())
        defines = list(re.finditer(rb"^[ \t]*#[ \t]*define[ \t]+" + ident + rb"(?![\w(])(?P<body>[^\r\n]*)", code, re.M))
        if len(defines) == 1 and not re.search(rb"^[ \t]*#[ \t]*undef[ \t]+" + ident + rb"\b", code, re.M):
            body = defines[0]
            if body.group("body").rstrip().endswith(b"\\"):
                return None
            located = _constant(unit.source, body.start("body"), body.end("body"))
            return Located(*located) if located else None
        literals = [c for c in argument.walk_preorder() if c.kind == CursorKind.STRING_LITERAL]
        if len(literals) != 1:
            return None
        m = re.fullmatch(_LITERAL, literals[0].spelling)
        if m is None:
            return None
        where = "defined in another file" if not defines else "defined more than once in this file"
        return Located(m.group("value"), m.group("prefix") or "", None,
                       f"the name comes from the macro {name}, {where}; give it a unique name by hand")

    @staticmethod
    def _why_no_fix(unit: Unit, value: str, uses: Sequence[Use], by_site, shared_literals: tuple[str, ...]) -> str:
        reason = next((u.reason for u in uses if u.reason), "")
        if reason:
            return reason
        if any(u.site is None for u in uses):
            return "a use of the name is spelled inside a macro body"
        if "/" in value or "\\" in value:
            return "the name is a file-system path; give it a unique temporary directory instead"
        if any(u.prefix not in ("", "u8") for u in uses):
            return "a wide or UTF-16 literal; rewrite it by hand"
        if is_helper_program(unit):
            return (
                "this file is a helper program (its own main(), no QtTest): a per-process unique name "
                "cannot be shared with the test that starts it; pass the name on its command line or in "
                "its environment instead"
            )
        starter = _process_starter(unit, value, uses)
        if starter is not None:
            return (
                f"{function_label(starter)} starts a helper process (QProcess) that may use the name "
                f'"{value}", and a name made unique in this process would not reach it: make the name unique '
                "once here and pass it to the helper on its command line or in its environment"
            )
        sites = {u.site for u in uses}
        code = code_without_comments(unit.source)
        for site in sites:
            line = unit.source[unit.line_start(site[0]) : site[0]]
            macro = re.match(rb"^[ \t]*#[ \t]*define[ \t]+(\w+)", line)
            if macro is None:
                continue
            spelled = len(re.findall(rb"(?<![\w.])" + re.escape(macro.group(1)) + rb"\b", code)) - 1
            if spelled > len(by_site[site]):
                return (
                    f"the macro {macro.group(1).decode()} is also used outside server-name arguments "
                    "(a comparison, a concatenation): rewriting its body would change or break that use"
                )
        literal = to_bytes(f'"{value}"')
        if code.count(literal) > len(sites):
            return f"the literal {to_text(literal)} is also used elsewhere in the file (a helper process, a comparison)"
        if to_text(literal) in shared_literals:
            return (
                f"the literal {to_text(literal)} also appears in a helper program of the analysed tree "
                "(a file with its own main() and no QtTest): both sides must agree on the name, so pass "
                "it to the helper on its command line or in its environment"
            )
        return ""


def _process_starter(unit: Unit, value: str, uses: Sequence[Use]) -> Cursor | None:
    """A function that starts a program with QProcess and uses the name: a
    function with one of the uses, or one whose code spells the literal
    (in the helper's arguments or environment)."""
    functions = {identity(u.in_function): u.in_function for u in uses if u.in_function is not None}
    found = next((f for f in functions.values() if starts_process(f)), None)
    if found is not None:
        return found
    literal = to_bytes(f'"{value}"')
    code = code_without_comments(unit.source)
    if code.count(literal) <= len({u.site for u in uses}):
        return None  # the literal is nowhere else
    for function, body in unit.function_bodies():
        span = unit.file_range(body)
        if span is not None and literal in code[span[0] : span[1]] and starts_process(function):
            return function
    return None


def _helper_name(unit: Unit) -> tuple[str | None, bool, int]:
    """(the helper's name, whether the file already defines it, where
    it is first declared).

    A name is ours when the file declares a free function of that name
    with the helper's signature (a previous qtfix run). It is taken when
    anything else in the file is declared with it: calling our helper by
    that name would then not compile, or call the wrong function."""
    declared: dict[str, set[str]] = {}
    first: dict[str, int] = {}
    for c, _ in unit.walk():
        if c.spelling in HELPER_NAMES and c.kind.is_declaration():
            first.setdefault(c.spelling, unit.use_offset(c))
            free = c.kind == CursorKind.FUNCTION_DECL and c.semantic_parent.kind == CursorKind.TRANSLATION_UNIT
            declared.setdefault(c.spelling, set()).add(
                "ours" if free and c.type.spelling == HELPER_SIGNATURE else "other"
            )
    for name in HELPER_NAMES:
        kinds = declared.get(name, set())
        if not kinds:
            return name, False, 0
        if kinds == {"ours"}:
            return name, True, first[name]
    return None, False, 0
