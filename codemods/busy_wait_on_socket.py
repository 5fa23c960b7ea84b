from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from clang.cindex import StorageClass, TypeKind

from qtfix.codemod import Codemod, Match, Node, NoFix, Options
from qtfix.cpp import (enclosing_function, ensure_include, function_label, has_side_effects, indentation_at,
                       initializer, member_call, negation, pointee_class, skip_space, smart_pointee_class,
                       statement_span, strip_implicit, text_between)
from qtfix.edits import Edit, Fix, Safety
from qtfix.parse import Cursor, CursorKind, Unit
from qtfix.qt import (SERVER_CLASSES, SOCKET_CLASSES, clock_calls, in_benchmark, is_test_function, is_thread_run,
                      network_class, pause)

RETRY_CALLS = frozenset({"connectToServer", "connectToHost"})
# Test functions whose subject is timing, where a bound would change the test.
# A race test (`startFinishRace`, `race_on_close`) repeats a scenario whose
# timing is what it provokes; `trace`, `embrace` are not races.
TIMING_NAMES = re.compile(r"(?i:stress|torture|timing|bench)|(?:Race|(?:^|_)race)(?![a-z])")
# Reading a clock after the loop: the loop's duration is measured.
CLOCK_READS = frozenset({"elapsed", "nsecsElapsed", "restart", "msecsTo", "secsTo", "now", "currentMSecsSinceEpoch",
                         "currentDateTime", "currentTime", "remainingTime", "hasExpired"})
QTRY_STEP = "it polls every 50 ms"


@dataclass(frozen=True)
class Wait:
    """What a busy-wait loop waits for, and the blocking call that does it."""

    receiver: str  # the object expression as spelled, e.g. `socket` or `m_server`
    arrow: str  # "->" or "."
    call: str  # waitForConnected / waitForNewConnection / waitForReadyRead
    done: str  # the condition that holds when the wait succeeded
    pending: str  # the loop's own condition, as spelled: holds while still waiting
    blocking: bool = True  # whether `call` ends the wait (not for "leaves ConnectingState")
    line: bool = False  # waiting for a whole line: `call` repeated until canReadLine()


@dataclass(frozen=True)
class BusyWait(Match):
    loop: Cursor
    span: tuple[int, int]  # the loop statement's bytes, the body's `;` included
    form: str  # "while", "do" or "forever" (`for (;;)` / `while (true)` with `if (done) break;`)
    wait: Wait
    cond: Cursor | None  # the loop's condition (None for "forever")
    body: Cursor
    statements: tuple[Cursor, ...]  # the body's statements ("forever": without the break)
    shape: str  # what the body does: "empty", "sleep", "events" or "retry"
    in_test: bool  # in a QtTest test function: checks are QVERIFY2, else qWarning


@dataclass(frozen=True)
class Poll(Match):
    """An unbounded loop that polls some other state (a future, a flag set by
    another thread, a signal spy, a network object that is not a socket) by
    sleeping or running the event loop."""

    span: tuple[int, int]  # the loop statement's bytes
    done: str  # the condition that ends the wait
    shape: str  # "events" (runs the event loop) or "sleep"
    no_fix_reason: str  # why no QTRY fix ("" when there is one)


def _remedy(shape: str, wait: Wait, in_test: bool) -> str:
    if shape in ("empty", "sleep"):
        if wait.line:
            return f"call {wait.call}() until canReadLine(), within a deadline"
        remedy = f"use {wait.call}() with a timeout"
        return f"sleeping never lets '{wait.receiver}' see its events; {remedy}" if shape == "sleep" else remedy
    if shape == "retry":
        return f"retry within a deadline, waiting with {wait.call}()"
    if in_test:
        return "bound it with QTRY_VERIFY2_WITH_TIMEOUT, which keeps the event loop running"
    return "bound it with a deadline, keeping the event loop running"


class BusyWaitOnSocket(Codemod):
    """
    ## What it does
    Finds loops that spin on a socket's or server's state until it changes:
    `while (s->state() != QLocalSocket::ConnectedState)`,
    `while (!server.hasPendingConnections())`, `while (s->bytesAvailable() == 0)`,
    `while (!s->canReadLine())`, also written as `do { ... } while (...);` or as
    `for (;;)` / `while (true)` whose body starts or ends with
    `if (s->state() == QLocalSocket::ConnectedState) break;`. The body is empty,
    runs the event loop (`QCoreApplication::processEvents()`,
    `qApp->processEvents()`, `QTest::qWait(n)`), sleeps (`QThread::msleep`,
    `usleep`, `sleep`, `QTest::qSleep`, `::usleep`), or is the retry form that
    calls `connectToServer` again.

    Also polling of any other state with the same loop shapes, when the body
    only sleeps or runs the event loop: a future (`!future.isFinished()`,
    `std::future::wait_for(0) != ready`), an atomic flag set by another
    thread, a `QSignalSpy` (`spy.isEmpty()`), a network object that is not a
    socket (QFtp's `hasPendingCommands() || currentCommand() != QFtp::None`),
    and a socket whose condition the rules above do not know
    (`bytesAvailable() < n`) when the body runs the event loop.

    ## Why is this bad?
    The loop has no bound: when the peer never comes (the server failed to
    listen, the name collided, the other thread crashed) the test hangs until
    the CI job is killed, and the log says nothing about why. An empty body
    also burns a core while it waits, and a sleeping body never lets a socket
    of this thread see its events at all: it only ends by luck.

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
    be listening yet). A loop with an empty or sleeping body becomes one
    blocking call with a timeout:
    `QVERIFY2(socket->waitForConnected(5000), qPrintable(socket->errorString()));`
    (`waitForNewConnection`, `waitForReadyRead` likewise); waiting for a line
    calls `waitForReadyRead()` again until `canReadLine()`, within one deadline,
    since one read may bring only part of the line. A loop whose body runs the
    event loop keeps running it, bounded:
    `QTRY_VERIFY2_WITH_TIMEOUT(socket->state() == QLocalSocket::ConnectedState, ..., 5000);`
    in a test function, a deadline added to the loop elsewhere (`do`/`for (;;)`
    loops are rewritten as that bounded `for` loop, their body kept). In a test
    function the outcome is checked with `QVERIFY2`/`QTRY_VERIFY2_WITH_TIMEOUT`;
    elsewhere (a helper, a thread's `run()`, a lambda) it is reported with
    `qWarning`, since a QTest macro there would only return from the helper.
    The timeout comes from `--timeout` (default 5000 ms).

    Polling of other state becomes, in a test function,
    `QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 5000);` (the loop's
    condition negated). It is reported without a fix in a helper (a QTRY
    macro would return only from it: add a deadline and let the caller check
    the outcome), and where the loop's timing is the subject: inside
    `QBENCHMARK`, in a test function named as a stress, torture, timing,
    benchmark or race test (`startFinishRace`), or when a clock is read after the loop (`timer.elapsed()`):
    QTRY polls every 50 ms, which would change what is measured.

    ## Fix safety
    Safe: each fix keeps what the loop did while waiting and only adds the
    bound. An empty or sleeping body never ran the event loop, so a blocking
    `waitFor...` is equivalent; a body that runs the event loop keeps running
    it, because a blocking `waitFor...` there would stop serving a peer that
    lives in the same thread (an event-driven server answering the client), and
    the wait would time out. Left alone: loops whose condition has more terms
    (already bounded by a counter, a deadline or a timer), loops with other
    statements in the body (a counter, a `waitFor...` on each turn), counted
    `for` loops, loops inside macros such as `QTRY_VERIFY`, sleep polling of an
    object that is not a local made in this function (it may live in another
    thread, where sleeping is how to wait) or that is moved to a thread, and a
    sleeping or empty wait to leave `ConnectingState` (`waitForConnected()`
    would turn a refused connection, which that loop accepts, into a failure).

    Polling other state: safe when the body ran the event loop
    (`processEvents`, `qWait`), since QTRY waits the same way, only bounded;
    unsafe when it only slept (`msleep`, `qSleep`, `usleep`): QTRY also runs
    this thread's event loop while it waits, delivering queued signals and
    timers earlier than the old loop, which delivered none. Not reported: a
    condition that reads a clock or changes state (`++tries < 100`,
    `tryLock()`), an empty body (a spin on an atomic is usually the timing
    under test), a loop in a lambda or a thread's `run()` (a worker waiting
    for its go or its stop flag), a socket polled by sleeping (the rules
    above decide).
    """

    code = "QF103"
    name = "busy-wait-on-socket"
    summary = "unbounded loop spinning on a socket/server state or polling other state, instead of a bounded wait"
    safety = Safety.SAFE

    kinds = frozenset({CursorKind.WHILE_STMT, CursorKind.DO_STMT, CursorKind.FOR_STMT})

    def match(self, unit: Unit, nodes: Sequence[Node], options: Options) -> Iterator[BusyWait | Poll]:
        for node in nodes:
            loop, parents = node.cursor, node.parents
            span = statement_span(unit, loop)
            if span is None:
                continue  # a loop made by a macro (QTRY_*) or spelled in one
            found = self._match(unit, loop)
            if found is None:
                poll = self._poll(unit, loop, parents, span)
                if poll is not None:
                    yield poll
                continue
            form, wait, cond, body, statements = found
            shape = self._body_shape(unit, statements, wait)
            if shape is None or (shape in ("empty", "sleep") and not wait.blocking):
                continue
            if shape == "sleep" and not self._lives_here(unit, loop, wait, enclosing_function(parents)):
                continue  # polled from another thread, where sleeping is how to wait
            in_test = is_test_function(unit, enclosing_function(parents))
            message = f"busy-wait on '{wait.receiver}' has no bound: it hangs the test when the peer never comes; "
            message += _remedy(shape, wait, in_test)
            yield BusyWait(unit.use_offset(loop), message, loop, span, form, wait, cond, body, tuple(statements),
                           shape, in_test)

    def fix(self, unit: Unit, match: BusyWait | Poll, options: Options) -> Fix | NoFix:
        m, timeout = match, options.timeout_ms
        if isinstance(m, Poll):
            return self._poll_fix(unit, m, timeout)
        if m.shape in ("empty", "sleep"):
            if m.wait.line:
                edits = self._line_edits(unit, m.span, m.wait, m.in_test, timeout)
            else:
                edits = self._blocking_edits(unit, m.span, m.wait, m.in_test, timeout)
        elif m.shape == "events" and m.in_test:
            edits = self._qtry_edits(unit, m.span, m.wait, timeout)
        elif m.form == "while":
            edits = self._deadline_edits(unit, m.loop, m.cond, m.body, m.wait, m.in_test, timeout,
                                         retry=m.shape == "retry")
        else:
            edits = self._rebuilt_edits(unit, m.span, list(m.statements), m.wait, m.in_test, timeout,
                                        retry=m.shape == "retry")
        if edits is None:
            return NoFix("part of the loop is spelled inside a macro")
        return self.fixed(edits, f"bound the wait to {timeout} ms")

    def _match(self, unit: Unit, loop: Cursor):
        """(form, wait, cond, body, body statements) of a loop that spins
        until a socket or server is ready (see `_loop` for the forms)."""
        parts = _loop(unit, loop)
        if parts is None:
            return None
        if parts.form != "forever":
            wait = self._wait_for(unit, parts.cond)
            return (parts.form, wait, parts.cond, parts.body, list(parts.statements)) if wait else None
        statements = list(parts.statements)
        for index in parts.breaks:
            wait = self._done_when(unit, _break_condition(statements[index]))
            if wait is not None:
                rest = statements[1:] if index == 0 else statements[:-1]
                return "forever", wait, None, parts.body, rest
        return None

    @staticmethod
    def _lives_here(unit: Unit, loop: Cursor, wait: Wait, function: Cursor | None) -> bool:
        """Whether the polled object is a local of this function made here (a
        value, or a pointer from `new`) and not moved to another thread: only
        then can a sleeping loop never see it change."""
        if function is None or not re.fullmatch(r"\w+", wait.receiver):
            return False
        decl = None
        for node in loop.walk_preorder():
            if node.kind == CursorKind.DECL_REF_EXPR and node.spelling == wait.receiver:
                decl = node.referenced
                break
        if decl is None or decl.kind != CursorKind.VAR_DECL or decl.semantic_parent != function:
            return False
        if decl.storage_class == StorageClass.STATIC:
            return False
        kind = decl.type.get_canonical().kind
        if kind == TypeKind.POINTER:
            init = initializer(decl)
            if init is None or strip_implicit(init).kind != CursorKind.CXX_NEW_EXPR:
                return False
        elif kind != TypeKind.RECORD:
            return False
        body = unit.spelled_text(function)
        return not re.search(rf"\b{wait.receiver}\s*(->|\.)\s*moveToThread\b", body)

    # -- matching ------------------------------------------------------------

    def _wait_for(self, unit: Unit, cond: Cursor) -> Wait | None:
        cond = strip_implicit(cond)
        if cond.kind == CursorKind.BINARY_OPERATOR:
            lhs, rhs = [strip_implicit(c) for c in cond.get_children()]
            op = text_between(unit, lhs, rhs)
            if op == "!=" and lhs.kind == CursorKind.CALL_EXPR and lhs.spelling == "state":
                receiver = self._receiver(unit, lhs, SOCKET_CLASSES)
                if receiver and rhs.spelling == "ConnectedState":
                    state = unit.spelled_text(rhs)
                    return Wait(*receiver, "waitForConnected", f"{receiver[0]}{receiver[1]}state() == {state}",
                                unit.spelled_text(cond))
            if op == "==" and lhs.kind == CursorKind.CALL_EXPR and lhs.spelling == "state":
                receiver = self._receiver(unit, lhs, SOCKET_CLASSES)
                if receiver and rhs.spelling in ("ConnectingState", "HostLookupState"):
                    # waits to leave the state, whatever comes next: only the
                    # event-loop form can say so; waitForConnected() fails on
                    # an error the loop accepted
                    state = unit.spelled_text(rhs)
                    return Wait(*receiver, "waitForConnected", f"{receiver[0]}{receiver[1]}state() != {state}",
                                unit.spelled_text(cond), blocking=False)
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
            if inner.spelling == "canReadLine":
                receiver = self._receiver(unit, inner, SOCKET_CLASSES)
                if receiver:
                    return Wait(*receiver, "waitForReadyRead", f"{receiver[0]}{receiver[1]}canReadLine()",
                                unit.spelled_text(cond), line=True)
        return None

    def _done_when(self, unit: Unit, cond: Cursor) -> Wait | None:
        """The wait whose success `cond` tests (`if (cond) break;`), with
        its pending condition spelled as the negation."""
        cond = strip_implicit(cond)
        call = cond
        if cond.kind == CursorKind.BINARY_OPERATOR:
            lhs, rhs = [strip_implicit(c) for c in cond.get_children()]
            op = text_between(unit, lhs, rhs)
            if lhs.kind != CursorKind.CALL_EXPR:
                return None
            call = lhs
            if lhs.spelling == "state" and not (op == "==" and rhs.spelling == "ConnectedState"):
                return None
            if lhs.spelling == "bytesAvailable" and not (op in (">", "!=") and unit.spelled_text(rhs).strip() == "0"):
                return None
            if lhs.spelling not in ("state", "bytesAvailable"):
                return None
        elif cond.kind != CursorKind.CALL_EXPR:
            return None
        name = call.spelling
        if name == "hasPendingConnections":
            receiver = self._receiver(unit, call, SERVER_CLASSES)
            call_name = "waitForNewConnection"
        else:
            receiver = self._receiver(unit, call, SOCKET_CLASSES)
            call_name = "waitForConnected" if name == "state" else "waitForReadyRead"
        if receiver is None:
            return None
        r = f"{receiver[0]}{receiver[1]}"
        if name == "state":
            state = unit.spelled_text(list(cond.get_children())[1])
            return Wait(*receiver, call_name, f"{r}state() == {state}", f"{r}state() != {state}")
        if name == "bytesAvailable":
            return Wait(*receiver, call_name, f"{r}bytesAvailable() > 0", f"{r}bytesAvailable() == 0")
        if name in ("hasPendingConnections", "canReadLine") and cond is call:
            return Wait(*receiver, call_name, f"{r}{name}()", f"!{r}{name}()", line=name == "canReadLine")
        return None

    @staticmethod
    def _receiver(unit: Unit, call: Cursor, classes) -> tuple[str, str] | None:
        """(object text, '->' or '.') of a member call on one of `classes`."""
        parts = member_call(call)
        if parts is None or parts.object is None:
            return None
        member, base = parts.member, strip_implicit(parts.object)  # `s.canReadLine()` converts `s` to `const QIODevice`
        # QScopedPointer<QLocalSocket>: `socket->` reaches the socket through operator->
        if not network_class(pointee_class(base.type), classes):
            if not network_class(smart_pointee_class(base.type), classes):
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
    def _body_shape(unit: Unit, statements: list, wait: Wait) -> str | None:
        """'empty', 'sleep' (only sleeps), 'events' (pumps the event loop) or
        'retry' (connects again)."""
        if not statements:
            return "empty"
        call = strip_implicit(statements[0])
        if len(statements) == 1 and call.kind == CursorKind.CALL_EXPR and call.spelling in RETRY_CALLS:
            if wait.call != "waitForConnected":
                return None
            member = next(call.get_children(), None)
            base = next(member.get_children(), None) if member is not None else None
            span = unit.file_range(base) if base is not None else None
            return "retry" if span is not None and unit.text(*span) == wait.receiver else None
        return _pause_shape(statements)

    # -- polling other state ---------------------------------------------------

    def _poll(self, unit: Unit, loop: Cursor, parents, span) -> Poll | None:
        """An unbounded loop on a state that is not a socket's wait (the
        socket rules decide those), whose body only sleeps or runs events."""
        parts = _loop(unit, loop)
        if parts is None:
            return None
        pending, done, rest = _poll_condition(parts)
        cond = pending if pending is not None else done
        if cond is None or has_side_effects(unit, cond) or next(clock_calls(cond), None) is not None:
            return None  # counted, timed, or changing state on each test: already bounded
        shape = _pause_shape(rest) if rest else None
        if shape is None or shape == "sleep" and self._mentions_socket(unit, cond):
            return None  # a socket polled by sleeping: the socket rules decide
        function = enclosing_function(parents)
        if function is None or function.kind == CursorKind.LAMBDA_EXPR or is_thread_run(function):
            return None  # a worker waiting for its go: how workers wait
        done_text = negation(unit, pending) if pending is not None else unit.spelled_text(done).strip()
        reason = _no_qtry_reason(unit, loop, function, parents)
        shown = f"'{done_text}'" if len(done_text) <= 60 else "its condition"
        message = f"polling loop has no bound: it hangs the test when {shown} never becomes true; "
        if reason:
            message += "bound it with a deadline"
        elif shape == "sleep":
            message += "bound it with QTRY_VERIFY_WITH_TIMEOUT (which also runs this thread's events while it waits)"
        else:
            message += "bound it with QTRY_VERIFY_WITH_TIMEOUT, which keeps the event loop running"
        return Poll(unit.use_offset(loop), message, span, done_text, shape, reason)

    def _mentions_socket(self, unit: Unit, cond: Cursor) -> bool:
        classes = SOCKET_CLASSES + SERVER_CLASSES
        return any(c.kind == CursorKind.CALL_EXPR and self._receiver(unit, c, classes) for c in cond.walk_preorder())

    def _poll_fix(self, unit: Unit, m: Poll, timeout: int) -> Fix | NoFix:
        if m.no_fix_reason:
            return NoFix(m.no_fix_reason)
        done = f"({m.done})" if _top_level_comma(m.done) else m.done
        edit = Edit.replacement(unit.path, *m.span, f"QTRY_VERIFY_WITH_TIMEOUT({done}, {timeout});")
        safety = Safety.UNSAFE if m.shape == "sleep" else None
        return self.fixed([edit], f"wait with QTRY_VERIFY_WITH_TIMEOUT, bounded to {timeout} ms", safety)

    # -- fixing --------------------------------------------------------------

    def _check(self, unit: Unit, wait: Wait, success: str, failure: str, in_test: bool, indent: str,
               timeout: int | None = None) -> str:
        """The check after the wait; outside a test function a warning that
        says what happened: the blocking call failed, or (`timeout` given) the
        deadline loop ran out."""
        error = f"qPrintable({wait.receiver}{wait.arrow}errorString())"
        if in_test:
            return f"QVERIFY2({success}, {error});"
        nl = unit.newline.decode()
        what = f"{wait.call} failed" if timeout is None else f"still waiting after {timeout} ms"
        return f'if ({failure}){nl}{indent}    qWarning("{what}: %s", {error});'

    def _blocking_edits(self, unit: Unit, span, wait: Wait, in_test: bool, timeout: int):
        start, end = span
        indent = indentation_at(unit, start)
        call = f"{wait.receiver}{wait.arrow}{wait.call}({timeout})"
        return [Edit.replacement(unit.path, start, end, self._check(unit, wait, call, f"!{call}", in_test, indent))]

    def _qtry_edits(self, unit: Unit, span, wait: Wait, timeout: int):
        # QTRY_* waits by running the event loop, exactly as the loop's body
        # did, so a peer served by this thread still gets to answer.
        start, end = span
        error = f"qPrintable({wait.receiver}{wait.arrow}errorString())"
        return [Edit.replacement(unit.path, start, end, f"QTRY_VERIFY2_WITH_TIMEOUT({wait.done}, {error}, {timeout});")]

    def _line_edits(self, unit: Unit, span, wait: Wait, in_test: bool, timeout: int):
        """Waiting for a whole line: one waitForReadyRead() may bring part of
        it, so wait again until canReadLine(), within one deadline; a failed
        wait (an error, the peer gone) ends it at once."""
        start, end = span
        nl = unit.newline.decode()
        indent = indentation_at(unit, start)
        inner = indent + "    "
        r = f"{wait.receiver}{wait.arrow}"
        text = (
            f"for (QDeadlineTimer deadline({timeout}); {wait.pending} && !deadline.hasExpired();) {{{nl}"
            f"{inner}if (!{r}{wait.call}(int(deadline.remainingTime()))){nl}"
            f"{inner}    break;{nl}"
            f"{indent}}}{nl}"
            f"{indent}{self._check(unit, wait, wait.done, wait.pending, in_test, indent)}"
        )
        return [Edit.replacement(unit.path, start, end, text)] + ensure_include(unit, "QDeadlineTimer")

    def _rebuilt_edits(self, unit: Unit, span, statements: list, wait: Wait, in_test: bool, timeout: int,
                       retry: bool):
        """A `do ... while` or `for (;;) { if (done) break; ... }` loop written
        again as the bounded `for` loop of the `while` form, its body kept."""
        start, end = span
        nl = unit.newline.decode()
        indent = indentation_at(unit, start)
        inner = indent + "    "
        body = ""
        for statement in statements:
            r = unit.file_range(statement)
            if r is None:
                return None
            text = unit.text(*r)
            if not text.endswith((";", "}")):
                text += ";"
            body += f"{inner}{text}{nl}"
        if retry:
            body += (
                f"{inner}if (!{wait.receiver}{wait.arrow}{wait.call}(int(deadline.remainingTime()))){nl}"
                f"{inner}    QThread::msleep(10);{nl}"
            )
        text = (
            f"for (QDeadlineTimer deadline({timeout}); {wait.pending} && !deadline.hasExpired();) {{{nl}"
            f"{body}{indent}}}{nl}"
            f"{indent}{self._check(unit, wait, wait.done, wait.pending, in_test, indent, timeout)}"
        )
        edits = [Edit.replacement(unit.path, start, end, text)] + ensure_include(unit, "QDeadlineTimer")
        return edits + (ensure_include(unit, "QThread") if retry else [])

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
        indent = indentation_at(unit, loop_span[0])
        inner = indent + "    "
        retry_wait = (
            f"{inner}if (!{wait.receiver}{wait.arrow}{wait.call}(int(deadline.remainingTime()))){nl}"
            f"{inner}    QThread::msleep(10);{nl}"
        ) if retry else ""
        after = f"{nl}{indent}{self._check(unit, wait, wait.done, wait.pending, in_test, indent, timeout)}"
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


@dataclass(frozen=True)
class Loop:
    """A loop that runs until a condition holds: `while (pending) body`,
    `do body while (pending);`, or "forever", `for (;;)` / `while (true)`
    whose body starts or ends with `if (done) break;` (no else)."""

    form: str  # "while", "do" or "forever"
    cond: Cursor | None  # the pending condition ("forever": None)
    body: Cursor
    statements: tuple[Cursor, ...]  # the body's statements
    breaks: tuple[int, ...] = ()  # "forever": where the `if (done) break;` statements are (0, -1)


def _loop(unit: Unit, loop: Cursor) -> Loop | None:
    children = list(loop.get_children())
    if loop.kind == CursorKind.WHILE_STMT and len(children) == 2:
        cond, body = children
        if unit.spelled_text(cond).strip() not in ("true", "1"):
            return Loop("while", cond, body, tuple(_statements(body)))
    elif loop.kind == CursorKind.DO_STMT and len(children) == 2:
        body, cond = children
        return Loop("do", cond, body, tuple(_statements(body)))
    elif loop.kind == CursorKind.FOR_STMT and len(children) == 1:
        body = children[0]
        if not re.match(r"for\s*\(\s*;\s*;\s*\)", unit.spelled_text(loop)):
            return None
    else:
        return None
    statements = tuple(_statements(body))
    if not statements:
        return None
    breaks = tuple(i for i in (0, -1) if _break_condition(statements[i]) is not None)
    return Loop("forever", None, body, statements, breaks[:1] if len(statements) == 1 else breaks)


def _break_condition(stmt: Cursor) -> Cursor | None:
    """The condition of `if (done) break;` (no else)."""
    if stmt.kind != CursorKind.IF_STMT:
        return None
    children = list(stmt.get_children())
    if len(children) != 2:
        return None
    cond, then = children
    then_statements = _statements(then)
    if len(then_statements) != 1 or then_statements[0].kind != CursorKind.BREAK_STMT:
        return None
    return cond


def _poll_condition(parts: Loop) -> tuple[Cursor | None, Cursor | None, list]:
    """(pending, done, the other statements) of a loop: `while (pending)`,
    or "forever" with `if (done) break;`."""
    statements = list(parts.statements)
    if parts.form != "forever":
        return parts.cond, None, statements
    if not parts.breaks:
        return None, None, statements
    index = parts.breaks[0]
    rest = statements[1:] if index == 0 else statements[:-1]
    return None, _break_condition(statements[index]), rest


def _pause_shape(statements: list) -> str | None:
    """'events' when the statements are pauses (qt.pause) and one runs the
    event loop, 'sleep' when they only sleep; None for anything else."""
    kinds = set()
    for statement in statements:
        kinds.add(pause(strip_implicit(statement)) or None)
    if None in kinds or not kinds:
        return None
    return "sleep" if kinds == {"sleep"} else "events"


def _no_qtry_reason(unit: Unit, loop: Cursor, function: Cursor, parents) -> str:
    """Why a polling loop gets no QTRY fix: outside a test function, or where
    its timing is the subject."""
    label = function_label(function)
    if not is_test_function(unit, function):
        return (f"'{label}' is not a test function, where a QTRY macro would return only from it; "
                "bound the loop with a QDeadlineTimer and let the caller check the outcome")
    if in_benchmark(unit, parents):
        return f"inside QBENCHMARK the loop is what is measured; a QTRY bound ({QTRY_STEP}) would change it"
    if TIMING_NAMES.search(function.spelling):
        return (f"'{label}' is a stress or race test: the loop's timing is what it exercises, and a QTRY bound "
                f"({QTRY_STEP}) would change it; bound it by hand if it can hang")
    end = unit.file_range(loop)[1]
    for call in clock_calls(function):
        span = unit.file_range(call)
        if call.spelling in CLOCK_READS and span is not None and span[0] >= end:
            return (f"the time the loop takes is measured ('{unit.text(*span)}' after it), and a QTRY bound "
                    f"({QTRY_STEP}) would change it; bound the loop by hand")
    return ""


def _top_level_comma(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            return True
    return False


def _statements(body: Cursor) -> list:
    statements = list(body.get_children()) if body.kind == CursorKind.COMPOUND_STMT else [body]
    return [s for s in statements if s.kind != CursorKind.NULL_STMT]
