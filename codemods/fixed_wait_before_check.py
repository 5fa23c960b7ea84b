from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import takewhile

from clang.cindex import TypeKind

from qtfix.codemod import Codemod, Match, Node, NoFix, Options
from qtfix.cpp import (binary_operator, has_side_effects, is_null_pointer, macro_arguments, may_be_written,
                       removal_span, statement_span, strip_implicit, unary_operator)
from qtfix.edits import Edit, Fix, Safety
from qtfix.parse import Cursor, CursorKind, MacroUse, Unit, entity, integer_value, walk_with_parents
from qtfix.qt import QTRY_FORMS, SLEEP_CALLS, pause

# What a check after the wait means, worst last. Only the first three are reported: a negative
# check (something did not happen) is what the wait is for; one qtfix cannot read proves nothing.
VERDICTS = ("latched", "moving", "effects", "unknown", "negative")
LATCHED_TYPES = frozenset({TypeKind.ENUM, TypeKind.BOOL})
EMPTINESS = frozenset({"isEmpty", "isNull", "empty"})
FLIP = {"latched": "negative", "negative": "latched"}


@dataclass(frozen=True)
class Check:
    use: MacroUse
    close: int  # where the timeout goes: the end of the last argument
    verdict: str


@dataclass(frozen=True)
class FixedWait(Match):
    waits: tuple[tuple[int, int], ...]  # the wait's statements, `;` included
    wait_ms: int | None  # None: not a constant
    checks: tuple[Check, ...]
    verdict: str  # the worst of the checks'


class FixedWaitBeforeCheck(Codemod):
    """
    ## What it does
    Finds a fixed wait right before QtTest checks: `QTest::qWait(500);`, or a
    sleep (`QThread::msleep(n)`, `QTest::qSleep(n)`, `usleep`...) followed
    by `QCoreApplication::processEvents();`, then `QVERIFY`, `QVERIFY2` or
    `QCOMPARE`. Reported at the wait.

    ## Why is this bad?
    The wait guesses how long the thing checked takes. On a loaded CI machine
    it takes longer and the test flakes; everywhere else the test sleeps for
    nothing, and across a suite those waits add up to minutes.

    ## Example
    ```cpp
    QTest::qWait(500);
    QCOMPARE(socket->state(), QLocalSocket::ConnectedState);
    ```

    ## Use instead
    ```cpp
    QTRY_COMPARE_WITH_TIMEOUT(socket->state(), QLocalSocket::ConnectedState, 5000);
    ```
    Each check right after the wait (up to the next other statement) becomes
    its QTRY_* form, which runs the event loop as `qWait`/`processEvents`
    did and goes on once the check holds, within `--timeout` (default 5000
    ms) or the wait, whichever is longer. A QSignalSpy count stays
    `QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, T)`: `spy.wait(T)` waits for
    one more emission and misses one that came before the call.

    Never reported: a check that something does *not* happen
    (`QCOMPARE(spy.count(), 0)`, `QVERIFY(!done)`, `isEmpty()`, `false`,
    `nullptr`, an upper bound `<`/`<=`): there the wait is the test, and a
    QTRY would pass at once; nor a check also made, word for word, in the run
    of checks right before the wait (the wait tests that it still holds), nor
    a wait with such a check in its run or one qtfix cannot read (`!=`).

    ## Fix safety
    Safe for a latched state, which stays true once reached: a bool flag, a
    predicate call, an enum or bool comparison (`state() == ConnectedState`),
    a lower bound (`count() >= 1`, `!list.isEmpty()`): the check passes as
    soon as the state is reached and fails when it is not reached in time.
    Unsafe for a counter or other value compared for equality
    (`QCOMPARE(spy.count(), 1)`, a string, a QSize): it may pass the expected
    value later, which the wait caught, or hold before the wait, which then
    served something else (`resize(s); qWait(500); QCOMPARE(size(), s)` gives
    a state saver time to write). With every fix, code after the checks runs sooner.
    No fix for a wait that is not a constant expression, or a check that calls
    a non-const member, assigns or increments (QTRY repeats it on every try).
    """

    code = "QF108"
    name = "fixed-wait-before-check"
    summary = "fixed qWait/sleep before QVERIFY/QCOMPARE: flaky when slow, wasted time when fast; use QTRY_*"
    safety = Safety.SAFE

    kinds = frozenset({CursorKind.COMPOUND_STMT})

    def match(self, unit: Unit, nodes: Sequence[Node], options: Options) -> Iterator[FixedWait]:
        macros = {m.start: m for m in unit.macro_uses if m.name in QTRY_FORMS}
        for node in nodes:
            statements = list(node.cursor.get_children())
            for i in range(len(statements)):
                wait = self._wait(unit, statements[i : i + 2])
                if wait is None:
                    continue
                waits, ms = wait
                before = takewhile(bool, (_use(unit, macros, s) for s in reversed(statements[:i])))
                earlier = {unit.source[use.start : use.end] for use in before}  # made again after: "still holds"
                after = takewhile(bool, (_use(unit, macros, s) for s in statements[i + len(waits) :]))
                earlier |= _still_holding(unit, macros, statements[:i], {unit.source[u.start : u.end] for u in after})
                checks = tuple(self._checks(unit, macros, statements[i + len(waits) :], earlier))
                verdict = max((c.verdict for c in checks), key=VERDICTS.index, default="unknown")
                if VERDICTS.index(verdict) <= VERDICTS.index("effects"):
                    name = checks[0].use.name
                    message = (f"waits {'a fixed time' if ms is None else f'{ms} ms'} before {name}: flaky when the "
                               f"machine is slower, wasted time when faster; try the check with {QTRY_FORMS[name]}")
                    yield FixedWait(waits[0][0], message, waits, ms, checks, verdict)

    def fix(self, unit: Unit, match: FixedWait, options: Options) -> Fix | NoFix:
        if match.verdict == "effects":
            return NoFix("a check changes state (a non-const call, an assignment): a QTRY_* macro repeats it")
        if match.wait_ms is None:
            return NoFix("the wait is not a constant: qtfix cannot choose a timeout that is no shorter")
        timeout = max(options.timeout_ms, match.wait_ms)
        edits = [Edit.deletion(unit.path, *removal_span(unit.source, *span)) for span in match.waits]
        for check in match.checks:
            edits.append(Edit.replacement(unit.path, check.use.start, check.use.start + len(check.use.name),
                                          QTRY_FORMS[check.use.name]))
            edits.append(Edit.insertion(unit.path, check.close, f", {timeout}"))
        safety = Safety.SAFE if match.verdict == "latched" else Safety.UNSAFE
        return self.fixed(edits, f"try the check for up to {timeout} ms instead of waiting a fixed time", safety)

    @staticmethod
    def _wait(unit: Unit, statements: list[Cursor]) -> tuple[tuple[tuple[int, int], ...], int | None] | None:
        """The wait starting `statements` (its spans, its milliseconds):
        `QTest::qWait(n);` or a sleep then `processEvents();`."""
        calls = [strip_implicit(s) for s in statements]
        kinds = [pause(c) for c in calls]
        count = 1 if kinds[:1] == ["wait"] else 2 if kinds == ["sleep", "events"] else 0
        spans = tuple(statement_span(unit, s) for s in statements[:count])
        if not count or None in spans:
            return None
        args = list(calls[0].get_arguments())
        value = integer_value(args[0]) if args else None
        if value is None or value < 0:
            return spans, None
        factor = 1.0 if kinds[0] == "wait" else SLEEP_CALLS[calls[0].spelling]
        return spans, math.ceil(value * factor)

    def _checks(self, unit: Unit, macros: dict[int, MacroUse], statements: list[Cursor], earlier) -> Iterator[Check]:
        """The verification macros right after the wait, up to the first other statement."""
        for statement in statements:
            use = _use(unit, macros, statement)
            args = macro_arguments(unit, use, statement) if use is not None else None
            if not args or use.name == "QCOMPARE" and len(args) != 2:
                return
            cursors = [a.cursor for a in args[: 2 if use.name == "QCOMPARE" else 1]]  # not QVERIFY2's message
            verdict = "unknown" if None in cursors else self._verdict(unit, use.name, cursors)
            yield Check(use, args[-1].span[1], "negative" if unit.source[use.start : use.end] in earlier else verdict)

    def _verdict(self, unit: Unit, name: str, args: list[Cursor]) -> str:
        if name == "QCOMPARE":
            actual, expected = [strip_implicit(a) for a in args]
            text = unit.spelled_text(expected)
            if text in ("true", "false"):
                verdict = self._truth(unit, actual) if text == "true" else FLIP.get(self._truth(unit, actual), "unknown")
            elif is_null_pointer(expected):
                verdict = "negative"
            else:
                verdict = "latched" if actual.type.get_canonical().kind in LATCHED_TYPES else "moving"
        else:
            verdict = self._truth(unit, args[0])
        effects = VERDICTS.index(verdict) < VERDICTS.index("effects") and any(has_side_effects(unit, a) for a in args)
        return "effects" if effects else verdict

    def _truth(self, unit: Unit, expr: Cursor) -> str:
        """The verdict of `QVERIFY(expr)`."""
        expr = strip_implicit(expr)
        if expr.kind == CursorKind.UNARY_OPERATOR and unary_operator(unit, expr) == "!":
            return FLIP.get(self._truth(unit, next(expr.get_children())), "unknown")
        if expr.kind == CursorKind.CALL_EXPR and expr.spelling in EMPTINESS:
            return "negative"
        if expr.kind != CursorKind.BINARY_OPERATOR:
            return "latched"
        op = binary_operator(unit, expr)
        sides = [strip_implicit(c) for c in expr.get_children()]
        if op in ("&&", "||"):
            return max((self._truth(unit, s) for s in sides), key=VERDICTS.index)
        zero = any(is_null_pointer(s) or unit.spelled_text(s) == "false" for s in sides)
        if op == "==":
            latched = sides[0].type.get_canonical().kind in LATCHED_TYPES
            return "negative" if zero else "latched" if latched else "moving"
        if op in (">", ">=") or op == "!=" and zero:
            return "latched"
        return "negative" if op in ("<", "<=") else "unknown"


def _still_holding(unit: Unit, macros: dict[int, MacroUse], statements: list[Cursor], again: set[bytes]) -> set[bytes]:
    """Of the checks `again` made after the wait, those also made earlier in
    the block, whose variables no later statement before the wait writes
    (`QCOMPARE(spy.count(), 1); trigger(); qWait(100); QCOMPARE(spy.count(), 1);`):
    they check that nothing happened, which a QTRY_* macro would pass at once.
    Only checks spelled as one after the wait are walked."""
    held = set()
    for j, statement in enumerate(statements):
        use = _use(unit, macros, statement)
        if use is None or unit.source[use.start : use.end] not in again:
            continue
        names = {entity(c.referenced) for c in statement.walk_preorder() if c.kind == CursorKind.DECL_REF_EXPR
                 and c.referenced is not None and c.referenced.kind == CursorKind.VAR_DECL}
        if names and not any(_writes(later, names) for later in statements[j + 1 :]):
            held.add(unit.source[use.start : use.end])
    return held


def _writes(statement: Cursor, names: set) -> bool:
    return any(c.kind == CursorKind.DECL_REF_EXPR and c.referenced is not None and entity(c.referenced) in names
               and may_be_written(c, parents) for c, parents in walk_with_parents(statement, ()))


def _use(unit: Unit, macros: dict[int, MacroUse], statement: Cursor) -> MacroUse | None:
    """The verification macro use that is this statement, if it is one."""
    span = unit.expansion_range(statement)
    return macros.get(span[0]) if span is not None and unit.file_range(statement) is None else None
