from __future__ import annotations

from dataclasses import dataclass

from qtfix.codemod import Codemod, Options
from qtfix.cpp import ensure_include, skip_space
from qtfix.edits import Edit, Safety
from qtfix.parse import Cursor, CursorKind, Unit, is_derived_from, strip_implicit
from qtfix.qt import enclosing_function, is_test_function

SOCKET_CLASSES = ("QLocalSocket", "QAbstractSocket")
SERVER_CLASSES = ("QLocalServer", "QTcpServer")
EVENT_PUMPS = frozenset({"processEvents", "qWait"})
RETRY_CALLS = frozenset({"connectToServer", "connectToHost"})


@dataclass(frozen=True)
class Wait:
    """What a busy-wait loop waits for, and the blocking call that does it."""

    receiver: str  # the object expression as spelled, e.g. `socket` or `m_server`
    arrow: str  # "->" or "."
    call: str  # waitForConnected / waitForNewConnection / waitForReadyRead
    done: str  # the condition that holds when the wait succeeded
    pending: str  # the loop's own condition, as spelled: holds while still waiting


class BusyWaitOnSocket(Codemod):
    """
    ## What it does
    Finds loops that spin on a socket's or server's state until it changes:
    `while (s->state() != QLocalSocket::ConnectedState)`,
    `while (!server.hasPendingConnections())`, `while (s->bytesAvailable() == 0)`,
    with an empty body, `QCoreApplication::processEvents()`, `qApp->processEvents()`,
    `QTest::qWait(n)`, or the retry form whose body calls `connectToServer` again.

    ## Why is this bad?
    The loop has no bound: when the peer never comes (the server failed to
    listen, the name collided, the other thread crashed) the test hangs until
    the CI job is killed, and the log says nothing about why. An empty body
    also burns a core while it waits.

    ## Example
    ```cpp
    while (socket->state() != QLocalSocket::ConnectedState)
        socket->connectToServer(name);
    ```

    ## Use instead
    ```cpp
    for (QDeadlineTimer deadline(5000); socket->state() != QLocalSocket::ConnectedState && !deadline.hasExpired();) {
        socket->connectToServer(name);
        if (!socket->waitForConnected(int(deadline.remainingTime())))
            QThread::msleep(10);
    }
    QVERIFY2(socket->state() == QLocalSocket::ConnectedState, qPrintable(socket->errorString()));
    ```
    The retry form keeps retrying within the bound (the server thread may not
    be listening yet). A loop with an empty body becomes one blocking call with
    a timeout: `QVERIFY2(socket->waitForConnected(5000), qPrintable(socket->errorString()));`
    (`waitForNewConnection`, `waitForReadyRead` likewise). A loop whose body
    runs the event loop (`processEvents`, `qWait`) keeps running it, bounded:
    `QTRY_VERIFY2_WITH_TIMEOUT(socket->state() == QLocalSocket::ConnectedState, ..., 5000);`
    in a test function, a deadline added to the loop elsewhere. In a test
    function the outcome is checked with `QVERIFY2`/`QTRY_VERIFY2_WITH_TIMEOUT`;
    elsewhere (a helper, a thread's `run()`, a lambda) it is reported with
    `qWarning`, since a QTest macro there would only return from the helper.
    The timeout comes from `--timeout` (default 5000 ms).

    ## Fix safety
    Safe: each fix keeps what the loop did while waiting and only adds the
    bound. An empty body never ran the event loop, so a blocking `waitFor...`
    is equivalent; a body that runs the event loop keeps running it, because a
    blocking `waitFor...` there would stop serving a peer that lives in the
    same thread (an event-driven server answering the client), and the wait
    would time out. Loops whose condition has more terms (already bounded by a
    counter, a deadline or a timer), loops with other statements in the body,
    and loops inside macros such as `QTRY_VERIFY` are left alone.
    """

    code = "QF103"
    name = "busy-wait-on-socket"
    summary = "unbounded loop spinning on a socket/server state instead of a waitFor...() with a timeout"
    safety = Safety.SAFE

    def find(self, unit: Unit, options: Options):
        for cursor, parents in unit.walk():
            if cursor.kind != CursorKind.WHILE_STMT:
                continue
            span = unit.file_range(cursor)
            if span is None or unit.expansion_range(cursor) != span:
                continue  # a loop made by a macro (QTRY_*) or spelled in one
            children = list(cursor.get_children())
            if len(children) != 2:
                continue
            cond, body = children
            wait = self._wait_for(unit, cond)
            if wait is None:
                continue
            shape = self._body_shape(unit, body, wait)
            if shape is None:
                continue
            in_test = is_test_function(unit, enclosing_function(parents))
            timeout = options.timeout_ms
            if shape == "empty":
                remedy = f"use {wait.call}() with a timeout"
                edits = self._blocking_edits(unit, span, wait, in_test, timeout)
            elif shape == "retry":
                remedy = f"retry within a deadline, waiting with {wait.call}()"
                edits = self._deadline_edits(unit, cursor, cond, body, wait, in_test, timeout, retry=True)
            elif in_test:
                remedy = "bound it with QTRY_VERIFY2_WITH_TIMEOUT, which keeps the event loop running"
                edits = self._qtry_edits(unit, span, wait, timeout)
            else:
                remedy = "bound it with a deadline, keeping the event loop running"
                edits = self._deadline_edits(unit, cursor, cond, body, wait, in_test, timeout, retry=False)
            message = f"busy-wait on '{wait.receiver}' has no bound: it hangs the test when the peer never comes; {remedy}"
            if edits is None:
                yield self.finding(unit, cursor, message, no_fix_reason="part of the loop is spelled inside a macro")
                continue
            yield self.finding(unit, cursor, message, edits=edits, title=f"bound the wait to {timeout} ms")

    # -- matching ------------------------------------------------------------

    def _wait_for(self, unit: Unit, cond: Cursor) -> Wait | None:
        cond = strip_implicit(cond)
        if cond.kind == CursorKind.BINARY_OPERATOR:
            lhs, rhs = [strip_implicit(c) for c in cond.get_children()]
            op = _between(unit, lhs, rhs)
            if op == "!=" and lhs.kind == CursorKind.CALL_EXPR and lhs.spelling == "state":
                receiver = self._receiver(unit, lhs, SOCKET_CLASSES)
                if receiver and rhs.spelling == "ConnectedState":
                    state = unit.spelled_text(rhs)
                    return Wait(*receiver, "waitForConnected", f"{receiver[0]}{receiver[1]}state() == {state}",
                                unit.spelled_text(cond))
            if op in ("==", "<=") and lhs.kind == CursorKind.CALL_EXPR and lhs.spelling == "bytesAvailable":
                receiver = self._receiver(unit, lhs, SOCKET_CLASSES)
                if receiver and unit.spelled_text(rhs).strip() == "0":
                    return Wait(*receiver, "waitForReadyRead", f"{receiver[0]}{receiver[1]}bytesAvailable() > 0",
                                unit.spelled_text(cond))
            return None
        if cond.kind == CursorKind.UNARY_OPERATOR and unit.spelled_text(cond).lstrip().startswith("!"):
            inner = strip_implicit(next(cond.get_children()))
            if inner.kind != CursorKind.CALL_EXPR:
                return None
            if inner.spelling == "hasPendingConnections":
                receiver = self._receiver(unit, inner, SERVER_CLASSES)
                if receiver:
                    return Wait(*receiver, "waitForNewConnection", f"{receiver[0]}{receiver[1]}hasPendingConnections()",
                                unit.spelled_text(cond))
            if inner.spelling == "bytesAvailable":
                receiver = self._receiver(unit, inner, SOCKET_CLASSES)
                if receiver:
                    return Wait(*receiver, "waitForReadyRead", f"{receiver[0]}{receiver[1]}bytesAvailable() > 0",
                                unit.spelled_text(cond))
        return None

    @staticmethod
    def _receiver(unit: Unit, call: Cursor, classes) -> tuple[str, str] | None:
        """(object text, '->' or '.') of a member call on one of `classes`."""
        member = next(call.get_children(), None)
        if member is None or member.kind != CursorKind.MEMBER_REF_EXPR:
            return None
        base = next(member.get_children(), None)
        if base is None:
            return None
        t = base.type.get_canonical()
        pointee = t.get_pointee()
        decl = (pointee if pointee.spelling else t).get_canonical().get_declaration()
        # QScopedPointer<QLocalSocket>: `socket->` reaches the socket through operator->
        if not any(is_derived_from(decl, c) for c in classes):
            decl = _smart_pointee(base)
            if decl is None or not any(is_derived_from(decl, c) for c in classes):
                return None
        span = unit.file_range(base)
        member_span = unit.file_range(member)
        if span is None or member_span is None:
            return None
        rest = unit.text(span[1], member_span[1]).lstrip()
        arrow = "->" if rest.startswith("->") else "." if rest.startswith(".") else None
        if arrow is None:
            return None
        return unit.text(*span), arrow

    @staticmethod
    def _body_shape(unit: Unit, body: Cursor, wait: Wait) -> str | None:
        """'empty', 'events' (pumps the event loop) or 'retry' (connects again)."""
        statements = list(body.get_children()) if body.kind == CursorKind.COMPOUND_STMT else [body]
        statements = [s for s in statements if s.kind != CursorKind.NULL_STMT]
        if not statements:
            return "empty"
        kinds = set()
        for s in statements:
            call = strip_implicit(s)
            if call.kind != CursorKind.CALL_EXPR:
                return None
            if call.spelling in EVENT_PUMPS:
                kinds.add("events")
            elif call.spelling in RETRY_CALLS and wait.call == "waitForConnected":
                member = next(call.get_children(), None)
                base = next(member.get_children(), None) if member is not None else None
                span = unit.file_range(base) if base is not None else None
                if span is None or unit.text(*span) != wait.receiver:
                    return None
                kinds.add("retry")
            else:
                return None
        if "retry" in kinds:
            return "retry" if len(statements) == 1 else None
        return "events"

    # -- fixing --------------------------------------------------------------

    def _check(self, unit: Unit, wait: Wait, success: str, failure: str, in_test: bool, indent: str) -> str:
        error = f"qPrintable({wait.receiver}{wait.arrow}errorString())"
        if in_test:
            return f"QVERIFY2({success}, {error});"
        nl = unit.newline.decode()
        return f'if ({failure}){nl}{indent}    qWarning("{wait.call} failed: %s", {error});'

    @staticmethod
    def _statement_span(unit: Unit, span) -> tuple[int, int]:
        start, end = span
        if unit.source[end - 1 : end] not in (b"}", b";"):
            semi = skip_space(unit.source, end)
            if unit.source[semi : semi + 1] == b";":
                end = semi + 1  # the body statement's `;` lies outside the loop's extent
        return start, end

    def _blocking_edits(self, unit: Unit, span, wait: Wait, in_test: bool, timeout: int):
        start, end = self._statement_span(unit, span)
        indent = _indent_of(unit, start)
        call = f"{wait.receiver}{wait.arrow}{wait.call}({timeout})"
        return [Edit.replacement(unit.path, start, end, self._check(unit, wait, call, f"!{call}", in_test, indent))]

    def _qtry_edits(self, unit: Unit, span, wait: Wait, timeout: int):
        # QTRY_* waits by running the event loop, exactly as the loop's body
        # did, so a peer served by this thread still gets to answer.
        start, end = self._statement_span(unit, span)
        error = f"qPrintable({wait.receiver}{wait.arrow}errorString())"
        return [Edit.replacement(unit.path, start, end, f"QTRY_VERIFY2_WITH_TIMEOUT({wait.done}, {error}, {timeout});")]

    def _deadline_edits(self, unit: Unit, loop: Cursor, cond: Cursor, body: Cursor, wait: Wait, in_test: bool,
                        timeout: int, retry: bool):
        """The loop, its condition and its body kept; a deadline added to the
        condition, a check after it, and for the retry form a bounded wait
        between attempts."""
        loop_span = unit.file_range(loop)
        cond_span = unit.file_range(cond)
        body_span = unit.file_range(body)
        if loop_span is None or cond_span is None or body_span is None:
            return None
        src = unit.source
        open_paren = src.rfind(b"(", loop_span[0], cond_span[0])
        close_paren = skip_space(src, cond_span[1])
        if open_paren < 0 or src[close_paren:close_paren + 1] != b")":
            return None
        nl = unit.newline.decode()
        indent = _indent_of(unit, loop_span[0])
        inner = indent + "    "
        retry_wait = (
            f"{inner}if (!{wait.receiver}{wait.arrow}{wait.call}(int(deadline.remainingTime()))){nl}"
            f"{inner}    QThread::msleep(10);{nl}"
        ) if retry else ""
        after = f"{nl}{indent}{self._check(unit, wait, wait.done, wait.pending, in_test, indent)}"
        braced = body.kind == CursorKind.COMPOUND_STMT
        edits = [
            Edit.replacement(unit.path, loop_span[0], open_paren + 1, "for (QDeadlineTimer deadline(%d); " % timeout),
            Edit.replacement(unit.path, cond_span[1], close_paren + 1,
                             " && !deadline.hasExpired();)" + (" {" if retry and not braced else "")),
        ]
        if braced:
            closing = body_span[1] - 1  # the body's `}`
            line_begin = unit.line_start(closing)
            if retry and src[line_begin:closing].strip():
                # `{ ...; }` on one line: open a line before the brace
                edits.append(Edit.insertion(unit.path, closing, f"{nl}{retry_wait}{indent}"))
            elif retry:
                edits.append(Edit.insertion(unit.path, line_begin, retry_wait))
            edits.append(Edit.insertion(unit.path, body_span[1], after))
        else:
            semi = skip_space(src, body_span[1])
            if src[semi:semi + 1] != b";":
                return None
            closing = f"{nl}{retry_wait}{indent}}}" if retry else ""
            edits.append(Edit.insertion(unit.path, semi + 1, f"{closing}{after}"))
        edits += ensure_include(unit, "QDeadlineTimer") + (ensure_include(unit, "QThread") if retry else [])
        return edits


def _between(unit: Unit, lhs: Cursor, rhs: Cursor) -> str:
    a, b = unit.file_range(lhs), unit.file_range(rhs)
    if a is None or b is None:
        return ""
    return unit.text(a[1], b[0]).strip()


def _indent_of(unit: Unit, offset: int) -> str:
    start = unit.line_start(offset)
    text = unit.source[start:offset]
    return text[: len(text) - len(text.lstrip())].decode()


def _smart_pointee(base: Cursor) -> Cursor | None:
    t = base.type.get_canonical()
    if t.get_num_template_arguments() >= 1 and "Pointer" in t.spelling or "ptr" in t.spelling:
        arg = t.get_template_argument_type(0).get_canonical()
        return arg.get_declaration()
    return None
