"""The toolkit pieces QF103's polling rules added (cpp.negation,
qt.clock_calls, qt.in_benchmark), on one snippet parsed with the real Qt
headers."""

from __future__ import annotations

import pytest

from qtfix import cpp, qt
from qtfix.parse import CursorKind, parse
from qtfix.project import BASE_FLAGS, discover_qt_flags

SNIPPET = b"""\
#include <QtTest>
#include <atomic>
#include <chrono>

struct Engine
{
    bool isDone();
    bool isDoneAt(int turn);
    bool takeDone();
    int hasCount();
};

void polls(std::atomic<bool> &flag, QSignalSpy &spy, QString s, int n, QElapsedTimer &timer, Engine &e)
{
    if (!flag) {}
    if (flag) {}
    if (spy.isEmpty()) {}
    if (n == 3) {}
    if (n < 3) {}
    if (s == QLatin1String("x")) {}
    if (n > 1 && spy.count() != n) {}
    if (!(n > 1 || n < 0)) {}
    if (timer.elapsed() < 5000 && n) {}
    if (std::chrono::steady_clock::now().time_since_epoch().count() > n) {}
    QBENCHMARK {
        while (n) {}
    }
    if (e.isDone()) {}
    if (e.isDoneAt(1)) {}
    if (e.takeDone()) {}
    if (e.hasCount()) {}
}
"""


@pytest.fixture(scope="module")
def unit(tmp_path_factory):
    path = tmp_path_factory.mktemp("toolkit_polling") / "snippet.cpp"
    path.write_bytes(SNIPPET)
    return parse(path, SNIPPET, [*BASE_FLAGS, *discover_qt_flags()])


def conditions(unit):
    return [next(c.get_children()) for c, _ in unit.walk() if c.kind == CursorKind.IF_STMT]


def test_negation_reads_as_written(unit):
    negated = [cpp.negation(unit, c) for c in conditions(unit)[:8]]
    assert negated == ["flag", "!flag", "!spy.isEmpty()", "n != 3", "n >= 3", '!(s == QLatin1String("x"))',
                       "!(n > 1 && spy.count() != n)", "(n > 1 || n < 0)"]


def test_clock_calls_find_qt_and_std_clocks(unit):
    found = [[c.spelling for c in qt.clock_calls(cond)] for cond in conditions(unit)]
    assert found[:8] == [[]] * 8
    assert found[8] == ["elapsed"] and found[9] == ["now"]


def test_in_benchmark_sees_the_loop_qbenchmark_makes(unit):
    (inner, parents), = [(c, p) for c, p in unit.walk() if c.kind == CursorKind.WHILE_STMT]
    assert qt.in_benchmark(unit, parents)
    first_if = next(p for c, p in unit.walk() if c.kind == CursorKind.IF_STMT)
    assert not qt.in_benchmark(unit, first_if)


def test_a_non_const_predicate_only_reads(unit):
    """`bool isX()` without parameters reads by its name; one with an argument,
    any other non-const call, or a non-bool `hasX()` may change state."""
    effects = [cpp.has_side_effects(unit, c) for c in conditions(unit)[10:]]
    assert effects == [False, True, True, True]
