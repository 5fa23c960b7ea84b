from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from clang.cindex import TypeKind

from qtfix.codemod import Codemod, Match, Node, NoFix, Options
from qtfix.cpp import (binary_operator, binds_to_reference, enclosing_function, function_label, holder_of, in_namespace,
                       is_assignment, macro_arguments, skip_space, strip_implicit, unary_operator)
from qtfix.edits import Edit, Fix, Safety
from qtfix.parse import FUNCTION_KINDS, Cursor, CursorKind, MacroUse, Unit, class_of_method, entity, walk_with_parents
from qtfix.qt import (EVENT_LOOP_SIGNALS, QTEST_MACRO, RECORDING_CALLS, is_run_by_qtest, is_thread_run,
                      member_function_definitions, methods_run_calls, network_class, private_to_this_file)

# Calls that keep a lambda (or a function's address) to run it later, from
# the event loop or another thread.
DEFERRING_CALLS = frozenset({"connect", "singleShot", "callOnTimeout", "invokeMethod", "run", "start"})
# What a reference must name to be followed (calls of helpers, lambda variables).
REFERENCED_KINDS = (CursorKind.FUNCTION_DECL, CursorKind.CXX_METHOD, CursorKind.VAR_DECL, CursorKind.FUNCTION_TEMPLATE)
FLAG_REFERENCES = (CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR)
FAILURE_CHECK = re.compile(r"\bcurrentTest(Failed|Resolved)\s*\(")
# currentTestFailed() is false after a QSKIP; only Qt 6.5's currentTestResolved() sees it.
SKIP_CHECK = re.compile(r"\bcurrentTestResolved\s*\(")
FAILURE_CALLS = frozenset({"currentTestFailed", "currentTestResolved"})
SKIP_CALLS = frozenset({"currentTestResolved"})
THREAD_REASON = "a check in another thread must hand its result to the test function; qtfix cannot choose how"
LATER = ("runs later from the event loop, possibly after the test function has ended (the failure lands in another "
         "test, or nowhere)")
LATER_REASON = "the lambda runs later; record its result (a captured flag, a QSignalSpy) and check it in the test function"


@dataclass(frozen=True)
class MacroCheck:
    """One verification macro use and the function its `return` leaves."""

    macro: MacroUse
    function: Cursor  # innermost function or lambda around the macro use
    parents: tuple[Cursor, ...]  # the function's ancestors
    skips: bool  # records a skip (QSKIP), which currentTestFailed() does not see


@dataclass(frozen=True)
class CheckOutside(Match):
    guards: tuple[Edit, ...]  # `if (QTest::currentTestFailed()) return;` after each call that needs it
    no_fix_reason: str  # why there are no guards


@dataclass(frozen=True)
class Verdict:
    """What a check outside a test function means, and whether qtfix can help."""

    message: str
    guards: tuple[Edit, ...] = ()
    no_fix_reason: str = ""
    silent: bool = False  # every caller already stops after a failure


@dataclass(frozen=True)
class Callers:
    """How a helper (or a lambda variable) is used in the translation unit."""

    edits: tuple[Edit, ...]
    reason: str  # why no fix ("" when there is one, or nothing to do)
    deferred: str  # the connect()/singleShot()... it is handed to, to run from the event loop
    deferring: Cursor | None = None  # that call


@dataclass(frozen=True)
class When:
    """When a lambda handed to connect()/singleShot()... runs, as far as qtfix sees."""

    text: str  # "runs ...", completing "its `return` leaves only the lambda, which ..."
    reason: str  # the no_fix_reason


class QtestMacroOutsideTestFunction(Codemod):
    """
    ## What it does
    Finds QTest verification macros (`QVERIFY`, `QVERIFY2`, `QCOMPARE`,
    `QCOMPARE_EQ`..., `QFAIL`, `QSKIP`, `QEXPECT_FAIL`, `QTEST`, `QTRY_*`,
    and user macros that expand to them) used outside a test function: in a
    thread's `run()` or the functions it calls, in lambdas, in constructors,
    in slots connected to signals, and in helper functions.

    The functions QTest runs (checked by building and running test programs
    with Qt 5.15 and 6.4) are where checks belong: the test functions, which
    are `private slots` without parameters returning `void` (`static` ones
    included); `initTestCase`, `initTestCase_data`, `cleanupTestCase`,
    `init` and `cleanup`, which QTest calls by name in any access section
    (`public slots`, `protected slots`, a `Q_INVOKABLE` method); and
    `<name>_data` of a test function `<name>`, registered the same way.
    Public or protected slots with other names, slots with parameters and
    `_data` functions of no test function are not run by QTest.

    ## Why is this bad?
    A failing check records the failure and then executes `return;`. Outside a
    test function that `return` leaves only the helper or lambda: the test
    function goes on after the failure, into crashes or a cascade of
    misleading failures. A lambda connected to a signal may even run after
    its test function has ended, and its failure lands in another test or in
    none. QTest is not thread-safe: a check in another thread (a server
    thread's `run()`) races with the test function's own logging and result.

    ## Example
    ```cpp
    void tst_Echo::startServer(QLocalServer &server)   // a helper, not a slot
    {
        QVERIFY2(server.listen(name), qPrintable(server.errorString()));
    }

    void tst_Echo::echo()
    {
        QLocalServer server;
        startServer(server);
        QLocalSocket client;   // runs even when listen() failed
        ...
    ```

    ## Use instead
    ```cpp
    void tst_Echo::echo()
    {
        QLocalServer server;
        startServer(server);
        if (QTest::currentTestFailed())
            return;
        ...
    ```
    The fix adds this check after each call of the helper (or of a lambda
    kept in a local variable) in the test functions, wherever more code
    follows the call; calls already followed by a `QTest::currentTestFailed()`
    check (written out, or through a user macro that expands to one, such as
    `STOP_ON_FAILURE`), or last in their test function, need none (and when
    every call is like that, qtfix says nothing). A thread, a slot or a connected lambda has
    to hand its result to the test function (a flag, a `QSignalSpy`, a value
    checked after `wait()`); qtfix reports those without a fix.

    `QFETCH` is not reported: it has no early return, and reading the current
    test data from a helper the test function calls works.

    Not reported either, because the test function already stops or never
    runs the check: a helper's calls of itself (recursion; its outer callers
    decide); a call followed by a QTest check of a variable the call may
    write (`check(a, &ok); QVERIFY(ok);`); a lambda that sets a variable of
    its function that the function reads back after it, in an `if` or a QTest
    check (`skipped = true; QSKIP(...)` then `if (skipped) return;`, or
    `done = true` then `QVERIFY(done)`); and a `_data` function of no test
    function, which QTest never runs.

    What a lambda's finding says about when it runs follows what qtfix sees:
    at once, inside an `emit` of the connected signal that the test function
    makes after the `connect`; later from the event loop for `singleShot`,
    queued connections and the signals of sockets, servers, timers and
    processes; in another thread for `QtConcurrent::run`-style calls and
    blocking queued connections; otherwise "whenever the signal is emitted".

    ## Fix safety
    Unsafe: after a failure the test function now returns at the call, as a
    `QVERIFY` written there would, so clean-up written after the call no
    longer runs (a `QThread` still running when it is destroyed aborts the
    whole test program). No fix is offered when a call is not a plain
    statement of a test function, the helper is virtual, declared in a
    header, a constructor, used through its address or a `SLOT()` string, or
    when it contains `QSKIP` (`QTest::currentTestFailed()` does not see a
    skip, and `currentTestResolved()` needs Qt 6.5).
    """

    code = "QF105"
    name = "qtest-macro-outside-test-function"
    summary = "QVERIFY/QCOMPARE outside a test function only returns from the helper, lambda or thread"
    safety = Safety.UNSAFE

    kinds = frozenset({CursorKind.RETURN_STMT, CursorKind.CALL_EXPR, CursorKind.DECL_REF_EXPR,
                       CursorKind.MEMBER_REF_EXPR})

    def match(self, unit: Unit, nodes: Sequence[Node], options: Options) -> Iterator[CheckOutside]:
        macros = {m.start: m for m in unit.macro_uses}
        returns: dict[int, tuple[Cursor, tuple[Cursor, ...]]] = {}
        recorded: dict[int, set[str]] = {}
        references: list[tuple[Cursor, tuple[Cursor, ...]]] = []
        for node in nodes:
            cursor, parents, kind = node.cursor, node.parents, node.cursor.kind
            if kind == CursorKind.RETURN_STMT:
                if unit.file_range(cursor) is None and next(cursor.get_children(), None) is None:
                    returns.setdefault(unit.use_offset(cursor), (cursor, parents))
            elif kind == CursorKind.CALL_EXPR:
                name = _recording_call(cursor)
                if name and unit.file_range(cursor) is None:
                    recorded.setdefault(unit.use_offset(cursor), set()).add(name)
            elif cursor.referenced is not None and cursor.referenced.kind in REFERENCED_KINDS:
                references.append((cursor, parents))
        context = _Context(unit, references)
        for start, (ret, parents) in sorted(returns.items()):
            macro = macros.get(start)
            if macro is None or start not in recorded:
                continue
            function, above = _leaves(unit, macro, parents)
            if function is None or is_run_by_qtest(unit, function):
                continue
            verdict = context.verdict(MacroCheck(macro, function, above, "qSkip" in recorded[start]))
            if not verdict.silent:
                yield CheckOutside(macro.start, verdict.message, verdict.guards, verdict.no_fix_reason)

    def fix(self, unit: Unit, match: CheckOutside, options: Options) -> Fix | NoFix:
        if not match.guards:
            return NoFix(match.no_fix_reason)
        title = "return from the test function when the check failed: check QTest::currentTestFailed() after the call"
        return self.fixed(match.guards, title)


def _recording_call(call: Cursor) -> str:
    """The name of the QTest function a call records a result with, or ""."""
    callee = call.referenced
    if callee is not None and callee.kind is not None:
        if call.spelling in RECORDING_CALLS and in_namespace(callee, "QTest"):
            return call.spelling
        return ""
    # In a template the call is dependent: `QTest::qCompare` names an overload set.
    first = next(call.get_children(), None)
    first = strip_implicit(first) if first is not None else None
    if first is None or first.kind != CursorKind.DECL_REF_EXPR:
        return ""
    parts = list(first.get_children())
    names = [c.spelling for c in parts if c.kind == CursorKind.OVERLOADED_DECL_REF]
    qualified = any(c.kind == CursorKind.NAMESPACE_REF and c.spelling == "QTest" for c in parts)
    return names[0] if qualified and names and names[0] in RECORDING_CALLS else ""


def _leaves(unit: Unit, macro: MacroUse, parents: tuple[Cursor, ...]):
    """The function or lambda a `return` from the macro leaves, and its ancestors.
    Lambdas the macro itself makes (QCOMPARE_EQ wraps its operands in one)
    do not count."""
    for i in range(len(parents) - 1, -1, -1):
        p = parents[i]
        if p.kind == CursorKind.LAMBDA_EXPR and unit.file_range(p) is None and unit.use_offset(p) == macro.start:
            continue
        if p.kind in FUNCTION_KINDS or p.kind == CursorKind.LAMBDA_EXPR:
            return p, parents[:i]
    return None, ()


def _read_as_check(unit: Unit, at: tuple[int, int], parents) -> bool:
    """Whether a reference is read in an `if` condition, a QTest check or a
    `return` (the caller gets it)."""
    macro = unit.enclosing_macro(*at)
    if macro is not None and QTEST_MACRO.match(macro.name):
        return True
    for p in parents:
        if p.kind == CursorKind.RETURN_STMT:
            return True
        cond = next(p.get_children(), None) if p.kind == CursorKind.IF_STMT else None
        span = unit.file_range(cond) if cond is not None else None
        if span is not None and span[0] <= at[0] and at[1] <= span[1]:
            return True
    return False


def _macro_label(name: str) -> str:
    return name if QTEST_MACRO.match(name) else f"{name} (a QTest check)"


def _function_key(cursor: Cursor | None) -> str:
    if cursor is None:
        return ""
    template = cursor.specialized_template
    if template is not None and template.kind is not None:
        cursor = template
    return cursor.canonical.get_usr()


def _deferring_call(parents: tuple[Cursor, ...]) -> Cursor | None:
    """The connect()/singleShot()... call among `parents` that keeps a callable for later."""
    for p in reversed(parents):
        if p.kind == CursorKind.CALL_EXPR and p.spelling in DEFERRING_CALLS:
            return p
        if p.kind.is_statement():
            break
    return None


def _signal_of(connect: Cursor) -> Cursor | None:
    """The signal a `connect(sender, &Class::signal, ...)` names."""
    args = list(connect.get_arguments())
    if len(args) < 3:
        return None
    for c in args[1].walk_preorder():
        if c.kind == CursorKind.DECL_REF_EXPR and c.referenced is not None and c.referenced.kind == CursorKind.CXX_METHOD:
            return c.referenced
    return None


def _outer_function(parents: tuple[Cursor, ...]) -> Cursor | None:
    return next((p for p in reversed(parents) if p.kind in FUNCTION_KINDS), None)


class _Context:
    """Per translation unit: who calls what, which methods run in a thread."""

    def __init__(self, unit: Unit, references):
        self.unit = unit
        self.references: dict[str | tuple, list] = {}
        for ref, parents in references:
            target = ref.referenced
            key = _function_key(target) if target.kind != CursorKind.VAR_DECL else entity(target)
            self.references.setdefault(key, []).append((ref, parents))
        self._thread_methods: dict[str, set[str]] = {}

    # -- classification --------------------------------------------------------

    def verdict(self, check: MacroCheck) -> Verdict:
        what = _macro_label(check.macro.name)
        fn = check.function
        if fn.kind == CursorKind.LAMBDA_EXPR:
            return self._lambda_verdict(check, what)
        name = function_label(fn)
        thread = self._thread_of(fn)
        if thread:
            where = f"'{name}', which runs in another thread" if thread == name else (
                f"'{name}', called from '{thread}' in another thread")
            return Verdict(
                f"{what} in {where}: QTest is not thread-safe, and its `return` leaves only '{fn.spelling}()', "
                "not the test function; hand the result to the test function and check it there",
                no_fix_reason=THREAD_REASON,
            )
        if fn.kind in (CursorKind.CONSTRUCTOR, CursorKind.DESTRUCTOR):
            kind = "constructor" if fn.kind == CursorKind.CONSTRUCTOR else "destructor"
            return Verdict(
                f"{what} in the {kind} '{name}', which is not a test function: its `return` leaves only the {kind}, "
                "and the test function goes on after a failure",
                no_fix_reason=f"a {kind} cannot tell its caller that a check failed; move the check into the test function",
            )
        callers = self._callers_of_function(fn, check.skips)
        if callers.deferred:
            return Verdict(
                f"{what} in '{name}', a slot run by a signal rather than a test function: its `return` leaves only "
                "the slot, which may run after the test function has ended; record the result and check it in the test function",
                no_fix_reason="the slot runs from the event loop; record its result (a member, a QSignalSpy) for the test function",
            )
        message = (
            f"{what} in '{name}', which is not a test function (QTest runs private slots without parameters, "
            f"and initTestCase/init/cleanup/*_data by name): its `return` leaves only "
            f"'{fn.spelling}()', and the test function goes on after a failure"
        )
        return self._with_callers(message, callers, check)

    def _lambda_verdict(self, check: MacroCheck, what: str) -> Verdict:
        lam = check.function
        outer = next((p for p in reversed(check.parents) if p.kind in FUNCTION_KINDS), None)
        thread = self._thread_of(outer) if outer is not None else ""
        if thread:
            return Verdict(
                f"{what} in a lambda inside '{function_label(outer)}', which runs in another thread: QTest is not "
                "thread-safe, and its `return` leaves only the lambda; hand the result to the test function and check it there",
                no_fix_reason=THREAD_REASON,
            )
        if self._handled_by_flag(check, outer):
            return Verdict("", silent=True)  # the test function reads back a flag the lambda sets
        holder = holder_of(lam, check.parents).cursor
        call = holder if holder is not None and holder.kind == CursorKind.CALL_EXPR else None
        if holder is not None and holder.kind == CursorKind.VAR_DECL:
            callers = self._callers_of_variable(holder, check.skips)
            if callers.deferred:
                return self._deferred_lambda(what, callers.deferring, outer, f" '{holder.spelling}'")
            message = (
                f"{what} in the lambda '{holder.spelling}': its `return` leaves only the lambda, "
                "and the test function goes on after a failure"
            )
            return self._with_callers(message, callers, check)
        if call is not None and call.spelling in DEFERRING_CALLS:
            return self._deferred_lambda(what, call, outer, "")
        passed = f" passed to '{call.spelling}()'" if call is not None and call.spelling else ""
        return Verdict(
            f"{what} in a lambda{passed}: its `return` leaves only the lambda, and the test function goes on after a failure",
            no_fix_reason="qtfix cannot tell when the lambda runs; check QTest::currentTestFailed() after it has run",
        )

    def _deferred_lambda(self, what: str, call: Cursor, outer: Cursor | None, name: str) -> Verdict:
        when = self._when(call, outer)
        return Verdict(
            f"{what} in the lambda{name} passed to '{call.spelling}()': its `return` leaves only the lambda, which {when.text}",
            no_fix_reason=when.reason,
        )

    def _when(self, call: Cursor, outer: Cursor | None) -> When:
        """When the lambda handed to `call` runs: in another thread, at once
        inside an `emit` the test function makes, whenever a signal comes, or
        later from the event loop."""
        text = self.unit.spelled_text(call)
        if call.spelling in ("run", "start") or "BlockingQueuedConnection" in text:
            return When("runs in another thread, where QTest is not thread-safe", THREAD_REASON)
        if call.spelling != "connect" or "QueuedConnection" in text:
            return When(LATER, LATER_REASON)
        signal = _signal_of(call)
        if signal is None:
            return When(LATER, LATER_REASON)
        owner = signal.semantic_parent
        emit = self._emit_after(outer, signal, call)
        if emit:
            return When(f"runs at once, inside '{emit}' in '{function_label(outer)}', and the test function goes on "
                        "after a failure", "check QTest::currentTestFailed() after the emit, or record the lambda's "
                        "result (a captured flag) and check it in the test function")
        if owner is not None and (owner.spelling in EVENT_LOOP_SIGNALS or network_class(owner)):
            return When(LATER, LATER_REASON)
        label = f"{owner.spelling}::{signal.spelling}" if owner is not None else signal.spelling
        return When(f"runs whenever '{label}' is emitted, possibly after the test function has ended",
                    "the lambda runs when the signal comes; record its result (a captured flag, a QSignalSpy) and "
                    "check it in the test function")

    def _emit_after(self, outer: Cursor | None, signal: Cursor, connect: Cursor) -> str:
        """The `emit x.signal(...)` (a direct call of the signal) that `outer`
        makes after `connect`, as spelled; "" when there is none."""
        after = self.unit.use_offset(connect)
        key = entity(signal)
        for c in outer.walk_preorder() if outer is not None else ():
            if c.kind == CursorKind.CALL_EXPR and c.referenced is not None and entity(c.referenced) == key:
                span = self.unit.file_range(c)
                if span is not None and span[0] > after:
                    start = self.unit.source.rfind(b"emit", self.unit.line_start(span[0]), span[0])
                    return self.unit.text(start if start >= 0 else span[0], span[1])
        return ""

    def _handled_by_flag(self, check: MacroCheck, outer: Cursor | None) -> bool:
        """Whether the lambda sets a variable of its function (or a data
        member) that the function reads back after it, in an `if`, a QTest
        check or its `return` (`if (skipped) return;`, `QVERIFY(done)`,
        `return m_canMessage;`): set after the check (only when it passed),
        or, for a QSKIP, before it (recording the skip)."""
        lam = check.function
        unit, span = self.unit, self.unit.file_range(lam)
        if outer is None or span is None:
            return False
        flags = set()
        for c in lam.walk_preorder():
            lhs = strip_implicit(next(c.get_children())) if is_assignment(c) else None
            target = lhs.referenced if lhs is not None and lhs.kind in FLAG_REFERENCES else None
            at = unit.file_range(c) if target is not None else None
            if at is None or (at[0] < check.macro.start and not check.skips):
                continue  # set before a failure can happen: it does not tell the test
            if target.kind == CursorKind.FIELD_DECL or (
                    target.kind == CursorKind.VAR_DECL and target.semantic_parent == outer):
                flags.add(entity(target))
        for c, parents in walk_with_parents(outer, ()) if flags else ():
            if c.kind in FLAG_REFERENCES and entity(c.referenced) in flags:
                at = unit.file_range(c)
                if at is not None and at[0] > span[1] and _read_as_check(unit, at, parents):
                    return True
        return False

    def _with_callers(self, message: str, callers: Callers, check: MacroCheck) -> Verdict:
        if check.skips:
            message = message.replace("after a failure", "after the skip")
        if callers.reason:
            return Verdict(message, no_fix_reason=callers.reason)
        if not callers.edits:
            return Verdict(message, silent=True)  # every caller already stops after a failure
        if check.skips:
            return Verdict(
                message,
                no_fix_reason="QTest::currentTestFailed() does not see a skip (currentTestResolved() needs Qt 6.5); "
                "move the QSKIP into the test function",
            )
        return Verdict(message, guards=callers.edits)

    def _thread_of(self, fn: Cursor) -> str:
        """'Class::run' when `fn` is a QThread's run() or a method it calls."""
        if fn is None or fn.kind != CursorKind.CXX_METHOD:
            return ""
        if is_thread_run(fn):
            return function_label(fn)
        cls = class_of_method(fn.canonical)
        if cls is None:
            return ""
        key = cls.canonical.get_usr()
        if key not in self._thread_methods:
            reached: set[str] = set()
            for method in member_function_definitions(cls):
                if is_thread_run(method):
                    reached |= methods_run_calls(method)
            self._thread_methods[key] = reached
        if fn.canonical.get_usr() in self._thread_methods[key]:
            return f"{cls.spelling}::run()"
        return ""

    # -- callers ---------------------------------------------------------------

    def _callers_of_function(self, fn: Cursor, skips: bool) -> Callers:
        unit = self.unit
        name = fn.spelling
        if fn.kind == CursorKind.CXX_METHOD and fn.is_virtual_method():
            return Callers((), f"'{name}' is virtual: calls through the base class are out of sight", "")
        spelled = re.escape(name.encode())
        if re.search(rb"\b(SLOT|SIGNAL)\s*\(\s*" + spelled + rb"\s*\(", unit.source) or re.search(
            rb"\binvokeMethod\s*\([^;]*\"" + spelled + rb'\"', unit.source
        ):
            return Callers((), "", "connect")
        if not unit.in_main_file(fn.canonical) and not private_to_this_file(unit, fn):
            return Callers((), f"'{name}' is declared in a header: other files may call it", "")
        uses = self.references.get(_function_key(fn), [])
        calls = []
        for ref, parents in uses:
            up = holder_of(ref, parents)
            holder, child, chain = up.cursor, up.child, parents[:up.depth + 1]
            if (holder is None or holder.kind != CursorKind.CALL_EXPR or _function_key(holder.referenced) != _function_key(fn)
                    or next(holder.get_children(), None) != child):
                # its address is taken: a connect() or a pointer to call later
                deferred = _deferring_call(parents)
                if deferred is not None:
                    return Callers((), "", deferred.spelling, deferred)
                return Callers((), f"'{name}' is used through its address; qtfix cannot follow those calls", "")
            calls.append((holder, chain[:-1]))
        if not calls and name.endswith("_data"):
            return Callers((), "", "")  # a _data function of no test function: QTest never runs it
        if not calls:
            return Callers((), f"qtfix sees no call of '{name}' in this file", "")
        return self._check_after_calls(f"'{name}()'", calls, skips, fn)

    def _callers_of_variable(self, var: Cursor, skips: bool) -> Callers:
        name = var.spelling
        uses = self.references.get(entity(var), [])
        calls = []
        for ref, parents in uses:
            up = holder_of(ref, parents)
            holder, child, chain = up.cursor, up.child, parents[:up.depth + 1]
            if (holder is None or holder.kind != CursorKind.CALL_EXPR or holder.spelling != "operator()"
                    or next(holder.get_children(), None) != child):
                deferred = _deferring_call(parents)
                if deferred is not None:
                    return Callers((), "", deferred.spelling, deferred)
                return Callers((), f"the lambda '{name}' is passed on or captured; qtfix cannot follow where it runs", "")
            calls.append((holder, chain[:-1]))
        if not calls:
            return Callers((), f"qtfix sees no call of the lambda '{name}'", "")
        return self._check_after_calls(f"the lambda '{name}'", calls, skips)

    def _check_after_calls(self, name: str, calls, skips: bool, helper: Cursor | None = None) -> Callers:
        """Edits adding `if (QTest::currentTestFailed()) return;` after each
        call that more code follows; or why that cannot be done. A helper's
        calls of itself need none: its outer callers decide."""
        unit = self.unit
        edits = []
        for call, parents in calls:
            function = enclosing_function(parents)
            if helper is not None and function is not None and _function_key(function) == _function_key(helper):
                continue
            if function is None or function.kind == CursorKind.LAMBDA_EXPR:
                return Callers((), f"{name} is called from a lambda, where a check would again leave only the lambda", "")
            up = holder_of(call, parents)
            statement, chain = up.child, parents[:up.depth + 1]
            if not is_run_by_qtest(unit, function) or function.result_type.kind != TypeKind.VOID:
                if self._caller_handles(statement, chain, skips):
                    continue
                return Callers((), f"{name} is called from '{function_label(function)}', which is not a test function", "")
            parents = chain
            block = parents[-1] if parents else None
            if block is None or block.kind != CursorKind.COMPOUND_STMT:
                return Callers((), f"a call of {name} is not a statement of its own (an unbraced if or loop body, "
                                   "or part of an expression)", "")
            statements = list(block.get_children())
            index = statements.index(statement)
            following = statements[index + 1] if index + 1 < len(statements) else None
            if following is None:
                if len(parents) >= 2 and parents[-2] == function:
                    continue  # last statement of the test function: nothing runs after it
                if self._fails_after_branch(statement, parents, function):
                    continue
            elif self._stops_after(following, skips) or self._checks_result(call, following):
                continue
            edit = self._check_edit(statement)
            if edit is None:
                return Callers((), f"a call of {name} is spelled inside a macro or shares its line with other code", "")
            edits.append(edit)
        return Callers(tuple(edits), "", "")

    def _caller_handles(self, statement: Cursor, chain, skips: bool) -> bool:
        """Whether a caller that is not a test function handles a failure of
        the call right after it: an `if` on `QTest::currentTestFailed()` (alone
        or or-ed) that returns, or that ends the caller (a slot that then only
        stops its event loop); or a `return` of a value every caller checks
        at once (`T v = f(); QVERIFY(!v.isEmpty());`)."""
        following, holder = _next_statement(statement, chain)
        if following is None:
            return False
        if following.kind == CursorKind.RETURN_STMT:
            function = enclosing_function(chain)
            return next(following.get_children(), None) is not None and self._result_checked(function)
        if following.kind != CursorKind.IF_STMT or not self._tests_failure(next(following.get_children()), skips):
            return False
        branch = list(following.get_children())[1:]
        ends = _statements_of(branch[0])[-1:] if len(branch) == 1 else []
        if ends and ends[0].kind == CursorKind.RETURN_STMT:
            return True
        after, holder = _next_statement(following, chain)
        return len(branch) == 1 and after is None and holder is not None and holder.kind in FUNCTION_KINDS

    def _tests_failure(self, cond: Cursor, skips: bool) -> bool:
        """`QTest::currentTestFailed()`, or an `||` with it as one side:
        true whenever the test failed."""
        cond = strip_implicit(cond)
        if cond.kind == CursorKind.BINARY_OPERATOR and binary_operator(self.unit, cond) == "||":
            return any(self._tests_failure(side, skips) for side in cond.get_children())
        names = SKIP_CALLS if skips else FAILURE_CALLS
        return cond.kind == CursorKind.CALL_EXPR and cond.spelling in names and in_namespace(cond.referenced, "QTest")

    def _result_checked(self, function: Cursor | None) -> bool:
        """Whether every call of `function` is `T v = function(...);` in a test
        function followed at once by a QTest check that reads `v`."""
        uses = self.references.get(_function_key(function), []) if function is not None else []
        for ref, parents in uses:
            up = holder_of(ref, parents)
            if up.cursor is None or up.cursor.kind != CursorKind.CALL_EXPR:
                return False
            var = holder_of(up.cursor, parents[:up.depth])
            caller = enclosing_function(parents)
            if var.cursor is None or var.cursor.kind != CursorKind.VAR_DECL or not is_run_by_qtest(self.unit, caller):
                return False
            decl_stmt = parents[var.depth - 1] if var.depth >= 1 else None
            following, _ = _next_statement(decl_stmt, parents[:var.depth - 1]) if decl_stmt is not None else (None, None)
            if following is None or self._qtest_macro(following) is None or not any(
                    c.kind == CursorKind.DECL_REF_EXPR and c.referenced == var.cursor for c in following.walk_preorder()):
                return False
        return bool(uses)

    def _fails_after_branch(self, statement: Cursor, chain, function: Cursor) -> bool:
        """`if (a != b) { ...; helper(); } QVERIFY(a == b);` (or QCOMPARE(a, b)):
        the call ends the branch of a comparison of const locals, and the check
        right after the `if` fails whenever the call ran."""
        following, _ = _next_statement(statement, chain)
        branch = next((p for p in reversed(chain) if p.kind == CursorKind.IF_STMT), None)
        macro = self._qtest_macro(following) if following is not None else None
        if branch is None or macro is None or macro.name not in ("QVERIFY", "QCOMPARE"):
            return False
        if _next_statement(branch, chain[:chain.index(branch)])[0] != following:
            return False
        cond = next(branch.get_children())
        if not _const_locals_only(cond, function):
            return False
        args = macro_arguments(self.unit, macro, following) or ()
        if macro.name == "QCOMPARE":
            sides = tuple(self.unit.text(*a.span) for a in args)
            return len(sides) == 2 and _comparison(self.unit, cond) in (("!=", *sides), ("!=", *sides[::-1]))
        checked = _comparison(self.unit, args[0].cursor) if len(args) == 1 and args[0].cursor is not None else None
        compared = _comparison(self.unit, cond)
        return checked is not None and compared is not None and checked == ("==", *compared[1:]) and compared[0] == "!="

    def _qtest_macro(self, statement: Cursor) -> MacroUse | None:
        """The QTest macro use (QVERIFY, QCOMPARE, ...) a statement is."""
        used = self.unit.expansion_range(statement)
        macro = next((m for m in self.unit.macro_uses if used is not None and m.start == used[0]), None)
        return macro if macro is not None and QTEST_MACRO.match(macro.name) else None

    def _stops_after(self, statement: Cursor, skips: bool) -> bool:
        """Whether the statement after a call already stops after a failure:
        a `return`, or a `QTest::currentTestFailed()` check, also when a
        user macro (`STOP_ON_FAILURE`) expands to it."""
        text = self.unit.spelled_text(statement)
        if (SKIP_CHECK if skips else FAILURE_CHECK).search(text) or re.fullmatch(r"return\s*;?", text.strip()):
            return True
        names = SKIP_CALLS if skips else FAILURE_CALLS
        return any(
            c.kind == CursorKind.CALL_EXPR and c.spelling in names and in_namespace(c.referenced, "QTest")
            for c in statement.walk_preorder()
        )

    def _checks_result(self, call: Cursor, following: Cursor) -> bool:
        """`check(a, &ok); QVERIFY(ok);`: the next statement is a QTest check
        of a bool the call may write (its address, or a non-const reference)."""
        unit = self.unit
        written = set()
        for arg in call.get_arguments():
            inner = strip_implicit(arg)
            if inner.kind == CursorKind.UNARY_OPERATOR and unary_operator(unit, inner) == "&":
                inner = strip_implicit(next(inner.get_children()))
            elif not binds_to_reference(call, arg):
                continue
            if inner.kind == CursorKind.DECL_REF_EXPR and inner.type.get_canonical().kind == TypeKind.BOOL:
                written.add(entity(inner.referenced))  # a flag: an object the call changes is not its result
        if not written or self._qtest_macro(following) is None:
            return False
        return any(c.kind == CursorKind.DECL_REF_EXPR and entity(c.referenced) in written for c in following.walk_preorder())

    def _check_edit(self, call: Cursor) -> Edit | None:
        unit = self.unit
        span = unit.file_range(call)
        if span is None or unit.expansion_range(call) != span or unit.enclosing_macro(*span) is not None:
            return None
        semi = skip_space(unit.source, span[1])
        if unit.source[semi : semi + 1] != b";":
            return None
        line_end = unit.source.find(b"\n", semi)
        line_end = len(unit.source) if line_end < 0 else line_end
        rest = unit.source[semi + 1 : line_end].strip()
        if rest and not rest.startswith(b"//") and not re.fullmatch(rb"/\*(?:(?!\*/).)*\*/", rest):
            return None  # more code on the line, or a comment that goes on
        line_begin = unit.line_start(span[0])
        lead = unit.source[line_begin : span[0]]
        if lead.strip():
            return None
        indent = lead.decode()
        nl = unit.newline.decode()
        text = f"{indent}if (QTest::currentTestFailed()){nl}{indent}    return;{nl}"
        if line_end == len(unit.source):
            return Edit.insertion(unit.path, line_end, nl + text[: -len(nl)])
        return Edit.insertion(unit.path, line_end + 1, text)


def _next_statement(statement: Cursor, chain) -> tuple[Cursor | None, Cursor | None]:
    """The statement that runs next when `statement` (whose ancestors are
    `chain`, outermost first) completes: the next one of its block, or the one
    after the `if` (without else) whose branch it ends. None when nothing
    follows, with the holder where the search stopped (the function: its end)."""
    while chain:
        holder = chain[-1]
        if holder.kind == CursorKind.COMPOUND_STMT:
            statements = list(holder.get_children())
            index = statements.index(statement)
            if index + 1 < len(statements):
                return statements[index + 1], holder
        elif holder.kind != CursorKind.IF_STMT or list(holder.get_children())[1:] != [statement]:
            return None, holder
        statement, chain = holder, chain[:-1]
    return None, None


def _statements_of(body: Cursor) -> list[Cursor]:
    return list(body.get_children()) if body.kind == CursorKind.COMPOUND_STMT else [body]


def _comparison(unit: Unit, expr: Cursor) -> tuple[str, str, str] | None:
    """(operator, left text, right text) of `a == b` / `a != b`, built in or
    an overloaded operator."""
    expr = strip_implicit(expr)
    if expr.kind == CursorKind.BINARY_OPERATOR:
        op = binary_operator(unit, expr)
    elif expr.kind == CursorKind.CALL_EXPR and expr.spelling in ("operator==", "operator!="):
        op = expr.spelling[len("operator"):]
    else:
        return None
    sides = [c for c in expr.get_children() if strip_implicit(c).spelling != f"operator{op}"]
    if op not in ("==", "!=") or len(sides) != 2:
        return None
    return op, unit.spelled_text(sides[0]).strip(), unit.spelled_text(sides[1]).strip()


def _const_locals_only(cond: Cursor, function: Cursor) -> bool:
    """Whether the condition reads only const local variables of `function`
    (nothing a call in between can change)."""
    refs = [c for c in cond.walk_preorder() if c.kind in FLAG_REFERENCES
            and not (c.referenced is not None and c.referenced.kind in FUNCTION_KINDS)]  # `operator!=` reads
    return bool(refs) and all(
        c.kind == CursorKind.DECL_REF_EXPR and c.referenced is not None and c.referenced.kind == CursorKind.VAR_DECL
        and c.referenced.semantic_parent == function and c.referenced.type.is_const_qualified()
        for c in refs)
