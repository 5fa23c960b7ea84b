from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from clang.cindex import TypeKind

from qtfix.codemod import Codemod, Match, Node, NoFix, Options
from qtfix.cpp import (IMPLICIT, call_arguments_text, enclosing_function, enclosing_named_function, function_label,
                       holder_of, holds_no_object, initializer, is_factory_call, pointee_class, skip_space,
                       stored_values, strip_implicit)
from qtfix.edits import Edit, Fix, Safety
from qtfix.parse import FUNCTION_KINDS, Cursor, CursorKind, Unit, class_of_method, identity, is_derived_from
from qtfix.qt import (
    CONNECTING_CALLS,
    has_qtest,
    in_benchmark,
    is_helper_program,
    network_class,
    is_run_by_qtest,
    is_thread_run,
    member_function_definitions,
    methods_run_calls,
)

# What a discarded result hides, per call.
HIDDEN_FAILURE = {
    "listen": "a server that failed to listen (name or port in use, stale socket file)",
    "waitForConnected": "a connection that failed or timed out",
    "waitForNewConnection": "a client that never came",
    "waitForReadyRead": "data that never arrived",
    "waitForBytesWritten": "data that was never sent",
    "waitForDisconnected": "a connection that never closed",
    "waitForEncrypted": "a TLS handshake that failed or timed out",
    "write": "a failed write",
    "writeDatagram": "a datagram that was never sent",
    "flush": "a flush that sent nothing",
}
# Calls that show what happened to the object: a test that looks at one of
# them right after the call has checked the outcome its own way.
STATUS_CALLS = (
    "error", "socketError", "serverError", "errorString", "state", "isListening", "isOpen", "isValid",
    "isEncrypted", "bytesToWrite", "bytesAvailable", "hasPendingConnections",
)
# Calls that ask which error happened: a test that compares one of them
# (with anything but "no error") after the call, even several statements
# later, expects the call to fail.
# `sslHandshakeErrors()` (Qt 6) / `sslErrors()` (Qt 5): which certificate
# errors the handshake met; a test that asks expects it to fail.
ERROR_CALLS = ("error", "socketError", "serverError", "sslHandshakeErrors", "sslErrors")
NO_ERROR = re.compile(r"\bUnknownSocketError\b")
# Calls whose negation, or an UnconnectedState compared with state(), after
# the call shows that the test expects the object not to work.
NEGATIVE_CHECKS = ("isListening", "isValid", "isOpen", "isEncrypted")
# A next statement that ends the process: the result no longer matters
# (a helper process that crashes on purpose).
ENDS_PROCESS = re.compile(r"(?:::)?(?:std::)?(?:qFatal|abort|exit|_exit|_Exit|quick_exit)\(")
# Calls whose result, tested by an enclosing `if`, makes the block a probe.
PROBE_CALLS = ("waitForConnected", "waitForEncrypted", "waitForReadyRead", "waitForNewConnection", "listen", "bind")
# After write()/flush(), a checked waitForBytesWritten on the same object fails
# when the write did. (A checked waitForReadyRead does not count: it fails too,
# but as a timeout, for the wrong reason.)
WAITS_AFTER_WRITE = ("waitForBytesWritten",)
POLL_LIMIT_MS = 100
# Calls with no side effects that a receiver expression may contain and
# still be evaluated a second time (for `errorString()`).
PURE_CALLS = frozenset(
    {"operator->", "operator*", "operator[]", "at", "data", "get", "first", "last", "constFirst", "constLast", "value"}
)
LOOPS = (CursorKind.WHILE_STMT, CursorKind.DO_STMT, CursorKind.FOR_STMT, CursorKind.CXX_FOR_RANGE_STMT)
# Statements whose last child (the first for `do`) is a statement, not a value.
BODY_HOLDERS = {
    CursorKind.IF_STMT: "branch",
    CursorKind.WHILE_STMT: "last",
    CursorKind.FOR_STMT: "last",
    CursorKind.CXX_FOR_RANGE_STMT: "last",
    CursorKind.DO_STMT: "first",
    CursorKind.CASE_STMT: "last",
    CursorKind.DEFAULT_STMT: "last",
    CursorKind.LABEL_STMT: "last",
}


@dataclass(frozen=True)
class Receiver:
    """The object a call is made on, as spelled."""

    text: str  # "" for a call on `this`
    arrow: str  # "->", "." or "" (implicit this)
    decl: Cursor  # the object's class
    reusable: bool  # evaluating the text again has no side effects

    def member(self, call: str) -> str:
        return f"{self.text}{self.arrow}{call}"


@dataclass(frozen=True)
class IgnoredResult(Match):
    call: Cursor
    receiver: Receiver
    no_fix_reason: str  # "" when the call can be wrapped in a check


class IgnoredSocketResult(Codemod):
    """
    ## What it does
    Finds socket and server calls whose result is thrown away in test code:
    a bare statement `server.listen(name);`, `socket->write(data);`,
    `udp.writeDatagram(...)`, `socket->waitForConnected(...)`,
    `waitForEncrypted`, `waitForReadyRead`, `waitForBytesWritten`,
    `waitForNewConnection`, `waitForDisconnected` or `flush()`.

    Only members of the socket and server classes count: `QAbstractSocket`
    (`QTcpSocket`, `QUdpSocket`, `QSslSocket`), `QLocalSocket`, `QTcpServer`,
    `QLocalServer` and user subclasses of them (their own `bool listen(...)`
    wrappers included), called directly, through a pointer or a
    `QScopedPointer`. A user method that happens to be called `write` and
    returns `void` has no result to ignore. A `QIODevice` pointer or
    reference counts only when every value it is given is a socket: a
    variable or a data member of this file (or an element of an array of
    them, `QIODevice *endPoints[2]`), followed through its initializer, a
    constructor's member initializer and each assignment (`dev = &socket;`,
    `endPoints[0] = active;`), null pointers aside. One that is also given
    a `QBuffer`, whose address is taken or that is bound to a non-const
    reference, a device parameter, or a device from elsewhere
    (`QNetworkDiskCache::prepare()`) is not covered.

    ## Why is this bad?
    These calls report failure only through their result. When a test drops
    it, a server that could not listen (the name is taken, a stale socket
    file) or a connection that timed out goes unnoticed: the test fails
    later with a misleading message, hangs, or passes without testing
    anything.

    ## Example
    ```cpp
    server.listen(name);
    socket->connectToServer(name);
    socket->waitForConnected(5000);
    socket->write(payload);
    ```

    ## Use instead
    ```cpp
    QVERIFY2(server.listen(name), qPrintable(server.errorString()));
    socket->connectToServer(name);
    QVERIFY2(socket->waitForConnected(5000), qPrintable(socket->errorString()));
    QCOMPARE(socket->write(payload), qint64(payload.size()));
    ```
    In a test function (a `private slot`) the call is wrapped in a check:
    `QVERIFY2(..., qPrintable(obj->errorString()))`; for `write` and
    `writeDatagram` of a `QByteArray` variable `QCOMPARE(..., qint64(data.size()))`,
    else `QVERIFY2(s->write(...) != -1, ...)` (both return -1 on error);
    `QVERIFY2(s->state() == QLocalSocket::UnconnectedState || s->waitForDisconnected(...), ...)`
    and `QVERIFY2(s->isEncrypted() || s->waitForEncrypted(...), ...)`, because
    those waits also return false when what they wait for has already
    happened. When the object expression cannot be evaluated again without
    side effects, plain `QVERIFY(...)` is used. Elsewhere (a helper, a
    lambda, a thread's `run()`) a QTest macro would only return from there,
    so qtfix reports without a fix.

    No finding where the result is ignored on purpose, because the failure
    is expected or tolerated:
    - a `(void)` cast or `Q_UNUSED`;
    - the next statement checks the outcome another way (`error()`,
      `state()`, `isListening()`, `isEncrypted()`, `bytesAvailable()`...);
    - after a `write` or `flush`, a later statement checks a
      `waitForBytesWritten` on the same object with no other write to it in
      between, which fails when the write did (a checked `waitForReadyRead`
      does not count: it fails too, but as a timeout, for the wrong reason);
    - a `waitForDisconnected` that ends the function or is followed by a
      `return`: on the way out, nothing depends on the disconnection;
    - `write`/`writeDatagram` of a `QUdpSocket` in a helper program (its own
      `main()`, no QtTest): datagram loss is part of UDP, and the test that
      drives the helper counts what arrives;
    - any later statement of the block (or of an enclosing block) looks at
      the same object's `error()`/`socketError()`/`serverError()` (unless
      it compares with `UnknownSocketError`) or at the certificate errors
      of its TLS handshake (`sslHandshakeErrors()`, Qt 5's `sslErrors()`:
      a handshake with a mismatching host name is meant to fail), compares its `state()` with
      `UnconnectedState`, or checks `!isListening()`/`!isValid()`/`!isOpen()`/
      `!isEncrypted()`: the test expects the failure (a connection refused
      on purpose, a port in use), and an unexpected outcome shows up there;
    - the next statement ends the process (`qFatal`, `abort`, `exit`): a
      helper that crashes on purpose;
    - a later `if` on the same object's state, error or validity that
      `QSKIP`s: the test tolerates the failure and skips;
    - the call sits in a branch of an `if` that tests a wait, `listen` or
      `bind` of the same object (`if (s.waitForConnected(...)) { s.waitForReadyRead(...); ... }`):
      a probe, where no answer is an answer too;
    - the call is in a loop that polls (a `while`/`do` loop, a `for` loop
      whose condition looks at the object) or that counts successes
      (`if (s.waitForReadyRead(...)) ++received;`): one failure is part of
      what the loop measures;
    - a short `waitFor...(n)` with n <= 100 ms, which only polls;
    - `flush()` on a local socket that nothing connected, opened or was
      handed before (made with `new`, or by the test's own factory member
      function whose every `return` is a `new`): it returns false by
      design, the call is the subject.

    Reported without a fix: calls in a `_data` function (`initTestCase_data`
    included), which only builds rows, where a failed probe may be the
    answer and a check would fail every row; calls inside `QBENCHMARK`
    or `QBENCHMARK_ONCE`, where a check would be measured with the code
    under test; and `writeDatagram` to a broadcast address
    (`QHostAddress::Broadcast`, or inside a loop over broadcast addresses),
    which a platform or an interface may refuse while the test only needs
    one of its datagrams to arrive.

    ## Fix safety
    Safe for `listen`, `waitForConnected`, `QLocalServer::waitForNewConnection`,
    `write`, `writeDatagram` and the guarded `waitForDisconnected` and
    `waitForEncrypted`: they return false (-1) only on a real failure. Unsafe
    for `waitForReadyRead` (false when the data is already buffered and
    nothing more comes), `waitForBytesWritten` and `flush` (false when
    nothing was left to send, e.g. after an earlier wait),
    `QTcpServer::waitForNewConnection` (false when the connection was already
    accepted), and for the guarded waits when the object cannot be evaluated
    twice: a test that passed may fail.
    """

    code = "QF107"
    name = "ignored-socket-result"
    summary = "socket/server result (listen, write, waitFor..., flush) thrown away in a test"
    safety = Safety.SAFE

    kinds = frozenset({CursorKind.CALL_EXPR})

    def match(self, unit: Unit, nodes: Sequence[Node], options: Options) -> Iterator[IgnoredResult]:
        qtest = has_qtest(unit)
        for node in nodes:
            call, parents = node.cursor, node.parents
            method = call.referenced if call.spelling in HIDDEN_FAILURE else None
            if method is None or method.kind != CursorKind.CXX_METHOD or not _socket_member(method):
                continue
            receiver = _receiver(unit, call, parents)
            place = _discarded(call, parents) if receiver is not None else None
            if place is None:
                continue
            statement, above = place
            verdict = self._on_purpose(unit, call, statement, above, receiver)
            if verdict != "":
                yield self._finding(unit, call, statement, parents, receiver, qtest, verdict)

    def fix(self, unit: Unit, match: IgnoredResult, options: Options) -> Fix | NoFix:
        if match.no_fix_reason:
            return NoFix(match.no_fix_reason)
        call, name = match.call, match.call.spelling
        span = _call_span(unit, call)
        if span is None:
            return NoFix("the call is spelled inside a macro body")
        before, after, safety = _wrapping(unit, call, match.receiver)
        edits = [Edit.insertion(unit.path, span[0], before), Edit.insertion(unit.path, span[1], after)]
        title = f"check the result with {before.split('(', 1)[0]}"
        if safety == Safety.UNSAFE:
            title += f" (unsafe: {FALSE_WITHOUT_FAILURE[name]})"
        return self.fixed(edits, title, safety)

    # -- on purpose ------------------------------------------------------------

    def _on_purpose(self, unit: Unit, call: Cursor, statement: Cursor, above, receiver: Receiver) -> str | None:
        """None: an ignored result to report. "": ignored on purpose, no
        finding. Any other text: report it, but without a fix, for that reason."""
        name = call.spelling
        if name.startswith("waitFor"):
            timeout = _literal_argument(unit, call)
            if timeout is not None and timeout <= POLL_LIMIT_MS:
                return ""  # a short poll
        scope = []  # the ancestors inside the innermost function or lambda
        for p in reversed(above):
            if p.kind in FUNCTION_KINDS or p.kind == CursorKind.LAMBDA_EXPR:
                break
            scope.append(p)
        path = [statement] + scope
        for p in scope:
            if p.kind in LOOPS and (_polls(unit, p, receiver) or _counts_successes(unit, p)):
                return ""
        for child, holder in zip(path, scope):
            if holder.kind == CursorKind.IF_STMT and _probes(unit, holder, child, receiver):
                return ""  # inside `if (s.waitForConnected())`: the test tolerates a dead peer
        if self._what_follows_says_so(unit, call, statement, above, receiver, path, scope):
            return ""
        if name in ("write", "writeDatagram") and is_helper_program(unit) and is_derived_from(receiver.decl, "QUdpSocket"):
            return ""  # a helper's datagrams: loss is part of UDP, the test that drives it counts what arrives
        named = enclosing_named_function(above)
        if named is not None and named.spelling.endswith("_data"):
            return (
                f"'{function_label(named)}' only builds data rows: when a failed probe is itself an answer, "
                "leave it; a check there fails every row, so qtfix does not add one"
            )
        if in_benchmark(unit, tuple(scope)):
            return (
                "inside QBENCHMARK a check is measured with the code under test: "
                "check the outcome once after the benchmark block"
            )
        if name == "writeDatagram" and _broadcast(unit, call, scope):
            return (
                "a broadcast may be refused by the platform or the network (some systems refuse "
                "255.255.255.255, some interfaces have no broadcast), and a test that sends to several "
                "addresses usually needs only one to arrive: check it where a refusal must fail the test"
            )
        return None

    @staticmethod
    def _what_follows_says_so(unit: Unit, call: Cursor, statement: Cursor, above, receiver: Receiver, path,
                              scope) -> bool:
        """Whether the code after the call shows that its result is ignored
        on purpose: the next statement checks the outcome another way or
        ends the process, a later one expects the failure, QSKIPs on it or
        (after a write) checks a waitForBytesWritten, nothing but returns
        follows a waitForDisconnected, or a flush is the subject."""
        name = call.spelling
        block = above[-1] if above else None
        if block is not None and block.kind == CursorKind.COMPOUND_STMT:
            siblings, keys = _block(unit, block)
            index = keys.index(identity(statement))
            if index + 1 < len(siblings) and _inspects(unit, siblings[index + 1], receiver, name):
                return True
            if index + 1 < len(siblings) and ENDS_PROCESS.match(_compact(unit, siblings[index + 1])):
                return True  # the process dies next, on purpose
        later = list(_later_statements(unit, path, scope))
        expects_failure = _Expectation(receiver)
        for s in later:
            if expects_failure(_compact(unit, s)) or _skips_on(unit, s, receiver):
                return True
        if name in ("write", "flush") and _checked_wait_covers(unit, later, receiver):
            return True  # a checked waitForBytesWritten fails when the write did
        if name == "waitForDisconnected" and (not later or later[0].kind == CursorKind.RETURN_STMT):
            return True  # on the way out: nothing after it depends on the disconnection
        return name == "flush" and _never_connected(unit, call, receiver, above)  # false by design

    # -- reporting -------------------------------------------------------------

    @staticmethod
    def _finding(unit: Unit, call: Cursor, statement: Cursor, parents, receiver: Receiver, qtest: bool,
                 no_fix: str | None) -> IgnoredResult:
        name = call.spelling
        message = f"ignored result of '{receiver.member(f'{name}()')}': {HIDDEN_FAILURE[name]} goes unnoticed"
        at = unit.use_offset(statement)
        function = enclosing_function(parents)
        if not (is_run_by_qtest(unit, function) and function.result_type.kind == TypeKind.VOID and qtest):
            where = _where(unit, function, parents, qtest)
            message += f"; {where}: check it and report the failure (qWarning, or a result the test function checks)"
            return IgnoredResult(at, message, call, receiver, "only a test function can turn the result into a QTest failure")
        if no_fix:
            return IgnoredResult(at, f"{message}; {no_fix}", call, receiver, no_fix)
        message += ", and the test fails later for the wrong reason, or passes"
        return IgnoredResult(at, message, call, receiver, "")


def _where(unit: Unit, function: Cursor | None, parents, qtest: bool) -> str:
    named = enclosing_named_function(parents)
    label = function_label(named) if named is not None else ""
    if is_thread_run(named) or _called_from_run(named):
        if function is not None and function.kind == CursorKind.LAMBDA_EXPR:
            return f"this lambda in '{label}' runs in another thread, where QTest cannot report it"
        return f"'{label}' runs in another thread, where QTest cannot report it"
    if function is not None and function.kind == CursorKind.LAMBDA_EXPR:
        return "in a lambda, a QTest check would return only from the lambda"
    if function is None:
        return "outside any function QTest cannot report it"
    if not qtest:
        return f"'{label}' is not in a QtTest file"
    return f"'{label}' is not a test function, and a QTest check there would return only from it"


def _called_from_run(method: Cursor | None) -> bool:
    """A member function that its QThread subclass's run() calls."""
    if method is None or method.kind != CursorKind.CXX_METHOD:
        return False
    cls = class_of_method(method.canonical)
    if cls is None or not is_derived_from(cls, "QThread"):
        return False
    usr = method.canonical.get_usr()
    return any(is_thread_run(m) and usr in methods_run_calls(m) for m in member_function_definitions(cls))


# -- matching -------------------------------------------------------------------


def _receiver(unit: Unit, call: Cursor, parents) -> Receiver | None:
    """The socket or server a call is made on, or None for other objects."""
    callee = next(call.get_children(), None)
    if callee is None or callee.kind != CursorKind.MEMBER_REF_EXPR:
        return None
    base = next(callee.get_children(), None)
    if base is None:
        # a call on `this` inside a socket or server subclass
        method = enclosing_named_function(parents)
        owner = class_of_method(method.canonical) if method is not None else None
        if owner is None or not network_class(owner):
            return None
        return Receiver("", "", owner, True)
    inner = strip_implicit(base)
    smart = inner.kind == CursorKind.CALL_EXPR and inner.spelling == "operator->"
    shown = next(inner.get_children(), None) if smart else inner
    if shown is None:
        return None
    decl = pointee_class(inner.type)
    if decl is not None and decl.spelling == "QIODevice":
        decl = _socket_behind(unit, shown)  # a socket handed around as its base class
    if decl is None or not network_class(decl):
        return None
    text = unit.spelled_text(shown).strip()
    member_span = unit.file_range(callee)
    shown_span = unit.file_range(shown)
    arrow = ""
    if member_span is not None and shown_span is not None:
        between = unit.text(shown_span[1], member_span[1]).lstrip()
        arrow = "->" if between.startswith("->") else "." if between.startswith(".") else ""
    if not arrow:
        arrow = "->" if smart or inner.type.get_canonical().kind == TypeKind.POINTER else "."
    return Receiver(text, arrow, decl, shown_span is not None and _reusable(unit, shown))


def _socket_member(method: Cursor) -> bool:
    """A member function of a socket or server class (QIODevice's own ones
    included) with a result: a user method of another class that happens to
    be called `write`, or a `void` slot of a server subclass, is not one."""
    if method.result_type.kind == TypeKind.VOID:
        return False
    cls = class_of_method(method.canonical)
    if cls is None:
        return False
    return cls.spelling == "QIODevice" or network_class(cls)


def _socket_behind(unit: Unit, expr: Cursor) -> Cursor | None:
    """The socket class of the object a QIODevice pointer or reference
    holds, when that is known: a variable or data member of this file (an
    element of an array of them included) whose every value, from its
    initializer, a constructor or an assignment, is a socket (null pointers
    aside). A parameter, or a device from elsewhere (a buffer, a file, a
    cache device), is not known to be a socket."""
    expr = strip_implicit(expr)
    if expr.kind == CursorKind.ARRAY_SUBSCRIPT_EXPR:
        expr = strip_implicit(next(expr.get_children()))
    if expr.kind not in (CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR):
        return None
    values = stored_values(unit, expr.referenced)
    classes = [_class_of(v) for v in values or () if not holds_no_object(v)]
    if not classes or not all(network_class(c) for c in classes):
        return None
    return classes[0]


def _class_of(value: Cursor) -> Cursor | None:
    """The class of the object a pointer or reference value is, looking
    through its conversions to QIODevice."""
    while value is not None:
        decl = pointee_class(value.type)
        if decl is not None and decl.spelling != "QIODevice":
            return decl
        children = list(value.get_children())
        value = children[0] if value.kind in IMPLICIT and len(children) == 1 else None
    return None


def _reusable(unit: Unit, expr: Cursor) -> bool:
    """Whether the expression can be evaluated again to the same object
    without side effects: names, members, `this`, subscripts and accessors."""
    if unit.file_range(expr) is None:
        return False  # comes from a macro: who knows what it does
    for c in expr.walk_preorder():
        kind = c.kind
        if kind in (CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR, CursorKind.CXX_THIS_EXPR,
                    CursorKind.INTEGER_LITERAL, CursorKind.ARRAY_SUBSCRIPT_EXPR, CursorKind.UNEXPOSED_EXPR,
                    CursorKind.PAREN_EXPR, CursorKind.TYPE_REF, CursorKind.NAMESPACE_REF, CursorKind.TEMPLATE_REF):
            continue
        if kind == CursorKind.CALL_EXPR and c.spelling in PURE_CALLS:
            continue
        if kind == CursorKind.UNARY_OPERATOR:
            text = unit.spelled_text(c).lstrip()
            if text[:1] in ("*", "&") and text[:2] not in ("&&",):
                continue
        return False
    return True


def _discarded(call: Cursor, parents) -> tuple[Cursor, tuple[Cursor, ...]] | None:
    """(the statement, its ancestors) when the call is a statement of its own."""
    up = holder_of(call, parents)
    statement, chain = up.child, tuple(parents[:up.depth + 1])
    if not chain:
        return None
    holder = chain[-1]
    if holder.kind == CursorKind.COMPOUND_STMT:
        return statement, chain
    where = BODY_HOLDERS.get(holder.kind)
    children = list(holder.get_children())
    if where == "last" and children[-1] == statement:
        return statement, chain
    if where == "first" and children[0] == statement:
        return statement, chain
    if where == "branch" and statement in children[1:] and children[0] != statement:
        return statement, chain
    return None


def _literal_argument(unit: Unit, call: Cursor) -> int | None:
    args = list(call.get_arguments())
    if not args:
        return None
    text = unit.spelled_text(args[0]).strip()
    return int(text) if re.fullmatch(r"\d+", text) else None


def _polls(unit: Unit, loop: Cursor, receiver: Receiver) -> bool:
    """A loop that runs until something happens: its condition, not the
    ignored result, decides when the test goes on."""
    span = unit.file_range(loop)
    if span is None or unit.expansion_range(loop) != span:
        return False  # Q_FOREACH, QBENCHMARK: iterate, do not poll
    if loop.kind in (CursorKind.WHILE_STMT, CursorKind.DO_STMT):
        return True
    if loop.kind != CursorKind.FOR_STMT:
        return False
    open_paren = skip_space(unit.source, span[0] + 3)
    args = call_arguments_text(unit.source, open_paren)
    if not args:
        return False
    header = unit.text(args[0][0], args[-1][1])
    parts = header.split(";")
    condition = parts[1].strip() if len(parts) == 3 else ""
    if not condition or "&&" in condition or "||" in condition:
        return True
    if receiver.text and re.search(r"(?<![\w.>])" + re.escape(receiver.text) + r"(?![\w])", condition):
        return True
    return re.search(r"\b(" + "|".join(STATUS_CALLS) + r")\s*\(", condition) is not None


def _inspects(unit: Unit, statement: Cursor, receiver: Receiver, name: str) -> bool:
    """Whether `statement` looks at the outcome of the call on `receiver` another way."""
    text = re.sub(r"\s+", "", unit.spelled_text(statement))
    calls = list(STATUS_CALLS)
    if name in ("write", "flush") and _bare_call(statement) is None:
        calls += WAITS_AFTER_WRITE  # a checked wait, not another ignored one
    names = "|".join(calls)
    if receiver.text:
        target = re.escape(re.sub(r"\s+", "", receiver.text) + receiver.arrow)
        return re.search(rf"(?<![\w.>]){target}({names})\(", text) is not None
    return re.search(rf"(?<![\w.>])({names})\(", text) is not None


def _checked_wait_covers(unit: Unit, later, receiver: Receiver) -> bool:
    """A later checked waitForBytesWritten on the receiver, with no other
    write to it in between (a wait after several writes shows only that
    something was sent, not that each write was)."""
    for statement in later:
        text = _compact(unit, statement)
        if _bare_call(statement) is None and _calls_on(text, receiver, WAITS_AFTER_WRITE):
            return True
        if _calls_on(text, receiver, ("write", "writeDatagram", "flush")):
            return False
    return False


def _target(receiver: Receiver) -> str:
    """A regex for `<receiver><arrow>` as spelled (nothing for implicit this)."""
    if not receiver.text:
        return ""
    return re.escape(re.sub(r"\s+", "", receiver.text) + receiver.arrow)


def _calls_on(text: str, receiver: Receiver, names) -> bool:
    """Whether compacted `text` calls one of `names` on the receiver."""
    return re.search(rf"(?<![\w.>]){_target(receiver)}({'|'.join(names)})\(", text) is not None


class _Memo:
    """Per translation unit: texts and children that every call of a long
    function would otherwise recompute for each statement after it (keyed
    by parse.identity: comparing cursors is slow)."""

    def __init__(self, unit: Unit):
        self.texts: dict[tuple, str] = {}
        self.blocks: dict[tuple, tuple[list[Cursor], list[tuple]]] = {}
        self.skips = sorted(m.start for m in unit.macro_uses if m.name == "QSKIP")
        self.skipping: dict[tuple, bool] = {}  # per `if`: is there a QSKIP in it


def _memo(unit: Unit) -> _Memo:
    return unit.once(_Memo)


def _compact(unit: Unit, cursor: Cursor) -> str:
    texts = _memo(unit).texts
    key = identity(cursor)
    text = texts.get(key)
    if text is None:
        text = texts[key] = re.sub(r"\s+", "", unit.spelled_text(cursor))
    return text


def _block(unit: Unit, holder: Cursor) -> tuple[list[Cursor], list[tuple]]:
    """A block's statements and their identities."""
    blocks = _memo(unit).blocks
    key = identity(holder)
    found = blocks.get(key)
    if found is None:
        children = list(holder.get_children())
        found = blocks[key] = (children, [identity(c) for c in children])
    return found


def _later_statements(unit: Unit, path: list[Cursor], scope: list[Cursor]):
    """The statements after the call's statement, in its block and in the
    enclosing blocks of the same function or lambda, in order."""
    for child, holder in zip(path, scope):
        if holder.kind == CursorKind.COMPOUND_STMT:
            siblings, keys = _block(unit, holder)
            yield from siblings[keys.index(identity(child)) + 1 :]


class _Expectation:
    """What a later statement says when the test expects the call on the
    receiver to fail: it asks which error happened (other than a check for
    "no error"), or checks that the object is unconnected, not listening or
    not valid."""

    def __init__(self, receiver: Receiver):
        target = _target(receiver)
        self.name = re.sub(r"\s+", "", receiver.text)
        self.error = re.compile(rf"(?<![\w.>]){target}({'|'.join(ERROR_CALLS)})\(")
        self.state = re.compile(rf"(?<![\w.>]){target}state\(")
        self.negated = re.compile(rf"(?<![\w.>])!{target}({'|'.join(NEGATIVE_CHECKS)})\(")

    def __call__(self, text: str) -> bool:
        if self.name not in text:
            return False  # not about this object at all (the common case, and cheap)
        if self.error.search(text) and NO_ERROR.search(text) is None:
            return True
        if "waitForDisconnected" in text:
            return False  # `state() == UnconnectedState || waitForDisconnected()`: a guard, not an expectation
        if "UnconnectedState" in text and self.state.search(text):
            return True
        return self.negated.search(text) is not None


def _skips_on(unit: Unit, statement: Cursor, receiver: Receiver) -> bool:
    """`if (<the receiver's state>) QSKIP(...)`: the test tolerates the
    failure and skips."""
    if statement.kind != CursorKind.IF_STMT:
        return False
    memo = _memo(unit)
    if not memo.skips:
        return False
    key = identity(statement)
    skipping = memo.skipping.get(key)
    if skipping is None:
        span = unit.expansion_range(statement)
        skipping = memo.skipping[key] = span is not None and bisect_left(memo.skips, span[0]) != bisect_left(
            memo.skips, span[1]
        )
    if not skipping:
        return False  # no QSKIP anywhere in it: no need to look closer
    skips = memo.skips
    children = list(statement.get_children())
    if len(children) < 2 or not _calls_on(_compact(unit, children[0]), receiver, STATUS_CALLS):
        return False
    branch = unit.expansion_range(children[1])
    return branch is not None and bisect_left(skips, branch[0]) != bisect_left(skips, branch[1])


def _probes(unit: Unit, if_stmt: Cursor, child: Cursor, receiver: Receiver) -> bool:
    """The call sits in a branch of an `if` whose condition tests a wait, a
    listen or a bind of the same object: the test has decided what a dead
    peer means, and the calls inside only probe it."""
    children = list(if_stmt.get_children())
    if not children or child == children[0]:
        return False
    return _calls_on(_compact(unit, children[0]), receiver, PROBE_CALLS)


def _counts_successes(unit: Unit, loop: Cursor) -> bool:
    """A loop with `if (<socket call>) ++count;`: it counts the round trips
    that worked, so a single failure inside it is tolerated."""
    for c in loop.walk_preorder():
        if c.kind != CursorKind.IF_STMT:
            continue
        children = list(c.get_children())
        if len(children) < 2:
            continue
        condition = children[0]
        checked = any(
            d.kind == CursorKind.CALL_EXPR and d.spelling in HIDDEN_FAILURE for d in condition.walk_preorder()
        )
        if checked and re.search(r"\+\+|\+=", _compact(unit, children[1])):
            return True
    return False


def _fresh_object(unit: Unit, var: Cursor, function: Cursor | None) -> bool:
    """The pointer is initialised with a `new`, or with the test's own
    factory member function whose every `return` is a `new` (`newSocket()`)."""
    if any(c.kind == CursorKind.CXX_NEW_EXPR for c in var.walk_preorder()):
        return True
    init = initializer(var)
    return init is not None and is_factory_call(unit, strip_implicit(init), function)


def _never_connected(unit: Unit, call: Cursor, receiver: Receiver, above) -> bool:
    """flush() on a socket that is a local of this function and that no
    earlier statement connected, opened or handed to anything else."""
    if not re.fullmatch(r"\w+", receiver.text):
        return False
    function = enclosing_named_function(above)
    span = unit.file_range(call)
    body = unit.file_range(function) if function is not None else None
    if span is None or body is None:
        return False
    var = _receiver_variable(call)
    if var is None or var.kind != CursorKind.VAR_DECL or var.spelling != receiver.text:
        return False
    declared = unit.file_range(var)
    if declared is None or not (body[0] <= declared[0] < body[1]):
        return False  # not a local of this function
    if declared[1] > span[0]:
        return False
    kind = var.type.get_canonical().kind
    if kind == TypeKind.LVALUEREFERENCE:
        return False
    if kind == TypeKind.POINTER and not _fresh_object(unit, var, function):
        return False  # a socket from elsewhere (nextPendingConnection, a member)
    before = unit.text(declared[1], span[0])
    for m in re.finditer(rf"(?<![\w.>:]){re.escape(receiver.text)}\b", before):
        rest = re.match(r"\s*(?:\.|->)\s*(\w+)", before[m.end() :])
        if rest is None or rest.group(1) in CONNECTING_CALLS:
            return False  # connected here, or passed on to code that may connect it
    return True


def _receiver_variable(call: Cursor) -> Cursor | None:
    """The variable a call is made on when it is named directly (`s.flush()`,
    `p->flush()`)."""
    callee = next(call.get_children(), None)
    base = next(callee.get_children(), None) if callee is not None else None
    base = strip_implicit(base) if base is not None else None
    return base.referenced if base is not None and base.kind == CursorKind.DECL_REF_EXPR else None


def _broadcast(unit: Unit, call: Cursor, scope) -> bool:
    """A datagram sent to a broadcast address: `QHostAddress::Broadcast` (or
    anything named so) among the arguments, or the call sits in a loop whose
    header names broadcast addresses (`for (const QHostAddress &a : broadcastAddresses)`)."""
    text = _compact(unit, call)
    arguments = text[text.find("writeDatagram(") + len("writeDatagram(") :]
    if re.search(r"broadcast", arguments, re.IGNORECASE):
        return True
    for loop in scope:
        if loop.kind not in (CursorKind.FOR_STMT, CursorKind.CXX_FOR_RANGE_STMT):
            continue
        span = unit.expansion_range(loop)
        if span is None:
            continue
        # Q_FOREACH/foreach: the loop is the macro's, its header the macro's arguments
        header = None
        use = next((m for m in unit.macro_uses if m.start == span[0]), None)
        if use is not None:
            arguments = call_arguments_text(unit.source, skip_space(unit.source, use.end))
            header = unit.source[use.start : arguments[-1][1]] if arguments else b""
        if header is None:
            children = list(loop.get_children())
            body = unit.expansion_range(children[-1]) if children else None
            if body is None or not span[0] <= body[0] <= span[1]:
                continue
            header = unit.source[span[0] : body[0]]
        if re.search(rb"broadcast", header, re.IGNORECASE):
            return True
    return False


def _bare_call(statement: Cursor) -> Cursor | None:
    statement = strip_implicit(statement)
    return statement if statement.kind == CursorKind.CALL_EXPR else None


# -- fixing ---------------------------------------------------------------------


def _call_span(unit: Unit, call: Cursor) -> tuple[int, int] | None:
    """Where the call's text starts and ends in the file: its own text (also
    inside a macro argument), or from the use of an object-like macro that
    names the object (`CLIENT->write(data)`) to its closing parenthesis."""
    span = unit.file_range(call)
    if span is not None:
        return span
    used = unit.expansion_range(call)
    if used is None or unit.enclosing_macro(*used) is not None:
        return None  # the whole call comes from a macro's body
    if unit.source[used[1] - 1 : used[1]] != b")":
        return None
    return used


# Why wrapping these may fail a test that passed: false is not always failure.
FALSE_WITHOUT_FAILURE = {
    "flush": "flush() is also false when nothing was left to send",
    "waitForReadyRead": "waitForReadyRead() is also false when the data is already buffered",
    "waitForBytesWritten": "waitForBytesWritten() is also false when nothing was left to send",
    "waitForNewConnection": "QTcpServer::waitForNewConnection() is also false when the connection was already accepted",
    "waitForDisconnected": "waitForDisconnected() is also false when the socket is already disconnected",
    "waitForEncrypted": "waitForEncrypted() is also false when the connection is already encrypted",
}


def _wrapping(unit: Unit, call: Cursor, receiver: Receiver) -> tuple[str, str, Safety]:
    """Text to insert before and after the call, and how safe that is."""
    name = call.spelling
    error = f", qPrintable({receiver.member('errorString()')}))" if receiver.reusable else ")"
    verify = "QVERIFY2(" if receiver.reusable else "QVERIFY("
    if name in ("write", "writeDatagram"):
        data = _reusable_bytes(unit, call)
        if data is not None:
            return "QCOMPARE(", f", qint64({data}.size()))", Safety.SAFE
        return verify, " != -1" + error, Safety.SAFE
    if name == "flush":
        return "QVERIFY(", ")", Safety.UNSAFE
    if name in GUARDS:
        if not receiver.reusable:
            return "QVERIFY(", ")", Safety.UNSAFE
        return f"QVERIFY2({GUARDS[name](receiver)} || ", error, Safety.SAFE
    if name in ("waitForReadyRead", "waitForBytesWritten"):
        return verify, error, Safety.UNSAFE
    if name == "waitForNewConnection" and not is_derived_from(receiver.decl, "QLocalServer"):
        return verify, error, Safety.UNSAFE
    return verify, error, Safety.SAFE


def _unconnected(receiver: Receiver) -> str:
    scope = "QLocalSocket" if is_derived_from(receiver.decl, "QLocalSocket") else "QAbstractSocket"
    return f"{receiver.member('state()')} == {scope}::UnconnectedState"


# Waits that are false when what they wait for has already happened: the
# fix checks that first, so only a real failure fails the test.
GUARDS = {
    "waitForDisconnected": _unconnected,
    "waitForEncrypted": lambda receiver: receiver.member("isEncrypted()"),
}


def _reusable_bytes(unit: Unit, call: Cursor) -> str | None:
    """The text of the data argument of write(data) or writeDatagram(data,
    address, port) when it is a QByteArray that can be evaluated again (a
    variable or member), else None."""
    args = list(call.get_arguments())
    if len(args) != (1 if call.spelling == "write" else 3):
        return None
    arg = args[0]
    inner = strip_implicit(arg)
    decl = pointee_class(inner.type)
    if decl is None or decl.spelling != "QByteArray":
        return None
    if inner.kind not in (CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR) or not _reusable(unit, inner):
        return None
    return unit.spelled_text(inner).strip() or None
