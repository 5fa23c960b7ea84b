"""The toolkit pieces QF108 added (cpp.statement_span, removal_span,
has_side_effects, macro_arguments; parse.integer_value; qt.pause), on one snippet parsed with
the real Qt headers."""

from __future__ import annotations

import pytest

from qtfix import cpp, qt
from qtfix.parse import CursorKind, integer_value, parse
from qtfix.project import BASE_FLAGS, discover_qt_flags

SNIPPET = b"""\
#include <QtTest>
#include <unistd.h>

void waits(QSignalSpy &spy, QList<int> &list, int n)
{
    QTest::qWait(500);  // why
    QThread::msleep(10);
    ::usleep(1000);
    QCoreApplication::processEvents();
    qApp->processEvents();
    QCOMPARE( spy.count() , QStringLiteral("x").size() );
    QVERIFY(list.takeFirst() == n++);
    QVERIFY(list.isEmpty() && (n += 1) && (n = 2));
}
"""


@pytest.fixture(scope="module")
def unit(tmp_path_factory):
    path = tmp_path_factory.mktemp("toolkit_waits") / "snippet.cpp"
    path.write_bytes(SNIPPET)
    return parse(path, SNIPPET, [*BASE_FLAGS, *discover_qt_flags()])


def statements(unit):
    body = next(c for c, _ in unit.walk() if c.kind == CursorKind.COMPOUND_STMT)
    return list(body.get_children())


def test_pause_tells_waits_sleeps_and_event_pumps(unit):
    kinds = [qt.pause(cpp.strip_implicit(s)) for s in statements(unit)]
    assert kinds == ["wait", "sleep", "sleep", "events", "events", "", "", ""]


def test_statement_span_takes_the_semicolon_and_removal_keeps_the_comment(unit):
    wait = statements(unit)[0]
    start, end = cpp.statement_span(unit, wait)
    assert unit.text(start, end) == "QTest::qWait(500);"
    removed = cpp.removal_span(unit.source, start, end)
    assert unit.source[: removed[0]] + unit.source[removed[1] :] == SNIPPET.replace(b"QTest::qWait(500);  ", b"")
    sleep = cpp.statement_span(unit, statements(unit)[1])
    line = cpp.removal_span(unit.source, *sleep)
    assert unit.text(*line) == "    QThread::msleep(10);\n"
    assert cpp.statement_span(unit, statements(unit)[5]) is None  # a QCOMPARE: made by a macro


def test_macro_arguments_find_the_spelled_expressions(unit):
    compare, verify, _ = statements(unit)[5:]
    use = next(m for m in unit.macro_uses if m.name == "QCOMPARE")
    actual, expected = cpp.macro_arguments(unit, use, compare)
    assert unit.text(*actual.span) == "spy.count()" and unit.spelled_text(actual.cursor) == "spy.count()"
    # a macro inside the argument: its expression starts at the macro's name
    assert unit.text(*expected.span) == 'QStringLiteral("x").size()'
    assert expected.cursor is not None and cpp.strip_implicit(expected.cursor).spelling == "size"
    use = next(m for m in unit.macro_uses if m.name == "QVERIFY")
    (condition,) = cpp.macro_arguments(unit, use, verify)
    assert cpp.binary_operator(unit, cpp.strip_implicit(condition.cursor)) == "=="


def test_side_effects(unit):
    compare, verify, compound = statements(unit)[5:]
    actual = cpp.macro_arguments(unit, next(m for m in unit.macro_uses if m.name == "QCOMPARE"), compare)[0]
    assert not cpp.has_side_effects(unit, actual.cursor)  # const count()
    uses = [m for m in unit.macro_uses if m.name == "QVERIFY"]
    (condition,) = cpp.macro_arguments(unit, uses[0], verify)
    lhs, rhs = [cpp.strip_implicit(c) for c in cpp.strip_implicit(condition.cursor).get_children()]
    assert cpp.has_side_effects(unit, lhs)  # takeFirst(): non-const
    assert cpp.has_side_effects(unit, rhs)  # n++
    (condition,) = cpp.macro_arguments(unit, uses[1], compound)
    parts = []
    expr = cpp.strip_implicit(condition.cursor)
    while expr.kind == CursorKind.BINARY_OPERATOR and cpp.binary_operator(unit, expr) == "&&":
        expr, right = [cpp.strip_implicit(c) for c in expr.get_children()]
        parts.insert(0, right)
    parts.insert(0, expr)
    assert [cpp.has_side_effects(unit, p) for p in parts] == [False, True, True]  # isEmpty(), +=, =


def test_integer_value_of_constant_expressions_only(unit):
    waits = [cpp.strip_implicit(s) for s in statements(unit)[:3]]
    assert [integer_value(next(w.get_arguments())) for w in waits] == [500, 10, 1000]
    n = next(c for c, _ in unit.walk() if c.kind == CursorKind.DECL_REF_EXPR and c.spelling == "n")
    assert integer_value(n) is None  # a parameter
