from __future__ import annotations

import re
from collections import defaultdict

from qtfix.codemod import Codemod, Options
from qtfix.cpp import call_arguments_text, code_without_comments, enclosing_statement, ensure_include, insertion_point, skip_space
from qtfix.edits import Edit, Safety
from qtfix.parse import CursorKind, Unit
from qtfix.qt import enclosing_function, has_qtest

LOCAL_CLASSES = frozenset({"QLocalServer", "QLocalSocket"})
NAME_METHODS = frozenset({"listen", "connectToServer", "setServerName", "removeServer"})
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


def is_helper_process(unit: Unit) -> bool:
    """A program of its own (it defines `main`) that is not a QtTest test:
    a helper a test starts with QProcess, on the other end of a name."""
    for c in unit.top_level():
        if c.kind == CursorKind.FUNCTION_DECL and c.spelling == "main" and c.is_definition():
            return not has_qtest(unit)
    return False


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
    `QLocalSocket::connectToServer`, `setServerName` or `QLocalServer::removeServer`,
    as a plain literal or wrapped in `QStringLiteral`/`QLatin1String`/`QString`.

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
    includes, with `#include <QUuid>` when the file lacks it.

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
    handling and is reported. The helper and `#include <QUuid>` go after the
    file's includes, outside any `#if` block, so they exist on every
    platform.
    """

    code = "QF104"
    name = "hardcoded-server-name"
    summary = "fixed QLocalServer/QLocalSocket name collides between parallel or killed test runs"
    safety = Safety.SAFE

    def find(self, unit: Unit, options: Options):
        uses = []  # (literal value, prefix, statement cursor, (start, end) or None, why-not)
        for cursor, parents in unit.walk():
            if cursor.kind != CursorKind.CALL_EXPR or cursor.spelling not in NAME_METHODS:
                continue
            method = cursor.referenced
            if method is None or method.kind != CursorKind.CXX_METHOD:
                continue
            owner = method.semantic_parent
            if owner is None or owner.spelling not in LOCAL_CLASSES:
                continue
            params = list(method.get_arguments())
            if not params or "QString" not in params[0].type.spelling:
                continue
            located = self._literal_argument(unit, cursor)
            if located is None:
                continue
            value, prefix, span = located
            if not value:
                continue  # `connectToServer("")`: nothing to collide on, the failure is the test
            negated = self._negated(unit, parents)  # `QVERIFY(!server.listen("foo"))`: the failure is the test
            function = enclosing_function(parents)
            statement = enclosing_statement(cursor, parents)
            uses.append((value, prefix, statement, span, negated, function.hash if function else None))

        by_value = defaultdict(list)
        for use in uses:
            by_value[use[0]].append(use)
        for value, group in by_value.items():
            positive = [u for u in group if not u[4]]
            if not positive:
                continue  # only expected failures: the name may be bad on purpose
            # A negative check next to the real uses in one function (a second
            # server must not get the name while the first holds it) needs the
            # same name as they get, so it is rewritten with them (and not
            # reported: it is not a bug by itself). Elsewhere it stays.
            functions = {u[5] for u in positive}
            companions = [u[:4] for u in group if u[4] and u[5] is not None and u[5] in functions]
            yield from self._findings_for(unit, value, [u[:4] for u in positive], companions)

    def _literal_argument(self, unit: Unit, call):
        """(value, prefix, (start, end) of the argument text) when the first
        argument is a constant name; (value, prefix, None) when it is one but
        not editable text; None when it is computed."""
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
            return (m.group("value"), m.group("prefix") or "", None) if m else None
        open_paren = skip_space(unit.source, span[1])
        args = call_arguments_text(unit.source, open_paren)
        if not args:
            return None
        start, end = args[0]
        text = unit.source[start:end]
        stripped = text.strip()
        m = _ARGUMENT.match(stripped.decode("utf-8"))
        if m is None:
            return None
        value = m.group("value") if m.group("value") is not None else m.group("value2")
        prefix = m.group("prefix") or m.group("prefix2") or ""
        lead = len(text) - len(text.lstrip())
        return value, prefix, (start + lead, start + lead + len(stripped))

    @staticmethod
    def _negated(unit: Unit, parents) -> bool:
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

    def _findings_for(self, unit: Unit, value: str, group, companions=()):
        message = f'hard-coded local server name "{value}": parallel or killed runs of this test collide on it'
        reason = self._why_no_fix(unit, value, list(group) + list(companions))
        edits: list[Edit] = []
        name, present = self._helper_name(unit)
        if not reason and name is None:
            reason = f"the names {', '.join(HELPER_NAMES)} are all taken in this file"
        if not reason:
            replacement = f'{name}(QStringLiteral("{value}"))'
            edits = [Edit.replacement(unit.path, s, e, replacement) for _, _, _, (s, e) in list(group) + list(companions)]
            if not present:
                edits += ensure_include(unit, "QUuid")
                edits.append(Edit.insertion(unit.path, insertion_point(unit), helper_text(unit.newline.decode(), name)))
        for _, _, statement, _ in group:
            yield self.finding(
                unit,
                statement,
                message,
                edits=edits,
                title=f'use {name}(QStringLiteral("{value}")) for all {len(group) + len(companions)} use(s) of "{value}"',
                no_fix_reason=reason,
            )

    @staticmethod
    def _why_no_fix(unit: Unit, value: str, group) -> str:
        if any(span is None for _, _, _, span in group):
            return "a use of the name is spelled inside a macro body"
        if "/" in value or "\\" in value:
            return "the name is a file-system path; give it a unique temporary directory instead"
        if any(prefix not in ("", "u8") for prefix, in ((p,) for _, p, _, _ in group)):
            return "a wide or UTF-16 literal; rewrite it by hand"
        if is_helper_process(unit):
            return (
                "this file is a helper program (its own main(), no QtTest): a per-process unique name "
                "cannot be shared with the test that starts it; pass the name on its command line or in "
                "its environment instead"
            )
        literal = f'"{value}"'.encode()
        if code_without_comments(unit.source).count(literal) > len(group):
            return f"the literal {literal.decode()} is also used elsewhere in the file (a helper process, a comparison)"
        if literal in unit.shared_literals:
            return (
                f"the literal {literal.decode()} also appears in a helper program of the analysed tree "
                "(a file with its own main() and no QtTest): both sides must agree on the name, so pass "
                "it to the helper on its command line or in its environment"
            )
        return ""

    @staticmethod
    def _helper_name(unit: Unit) -> tuple[str | None, bool]:
        """(the helper's name, whether the file already defines it).

        A name is ours when the file declares a free function of that name
        with the helper's signature (a previous qtfix run). It is taken when
        anything else in the file is declared with it: calling our helper by
        that name would then not compile, or call the wrong function."""
        declared: dict[str, set[str]] = {}
        for c, _ in unit.walk():
            if c.spelling in HELPER_NAMES and c.kind.is_declaration():
                free = c.kind == CursorKind.FUNCTION_DECL and c.semantic_parent.kind == CursorKind.TRANSLATION_UNIT
                declared.setdefault(c.spelling, set()).add(
                    "ours" if free and c.type.spelling == HELPER_SIGNATURE else "other"
                )
        for name in HELPER_NAMES:
            kinds = declared.get(name, set())
            if not kinds:
                return name, False
            if kinds == {"ours"}:
                return name, True
        return None, False
