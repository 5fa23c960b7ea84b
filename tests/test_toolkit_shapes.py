"""Toolkit pieces behind issue 13's QF104/QF107 shapes, on one snippet
parsed with the real Qt headers: what a variable or member holds
(cpp.stored_values) and QtTest data rows (qt.fetched, qt.data_rows)."""

from __future__ import annotations

import pytest

from qtfix import cpp, qt
from qtfix.parse import CursorKind, parse
from qtfix.project import BASE_FLAGS, discover_qt_flags

SNIPPET = b"""\
#include <QtNetwork>
#include <QtTest>

class Pair : public QObject
{
public:
    QIODevice *ends[2];
    QIODevice *mixed = nullptr;
    Pair() { ends[0] = ends[1] = nullptr; }
    void make(QLocalSocket *a, QTcpSocket *b, QBuffer *c)
    {
        ends[0] = a;
        ends[1] = b;
        mixed = a;
        mixed = c;
    }
};

static void reseat(QIODevice *&device) { device = nullptr; }

class Tst : public QObject
{
    Q_OBJECT
private slots:
    void rows_data();
    void rows();
    void more_data();
    void more();
};

void Tst::rows_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("name");
    QTest::newRow("first") << 1 << QString("one");
    QTest::addRow("second") << 2;
    QTest::newRow("third") << 3 << QStringLiteral("three");
}

void Tst::rows()
{
    QFETCH(QString, name);
    QFETCH(int, count);
    QLocalSocket socket;
    QIODevice *plain = &socket;
    QIODevice *passed = &socket;
    reseat(passed);
    QIODevice *pointed = &socket;
    QIODevice **where = &pointed;
    Q_UNUSED(where);
    plain->write(name.toUtf8().left(count));
}

void Tst::more_data()
{
    rows_data();
}

void Tst::more()
{
    QFETCH(QString, name);
    Q_UNUSED(name);
}
"""


@pytest.fixture(scope="module")
def unit(tmp_path_factory):
    path = tmp_path_factory.mktemp("toolkit_shapes") / "tst_shapes.cpp"
    path.write_bytes(SNIPPET)
    return parse(path, SNIPPET, [*BASE_FLAGS, *discover_qt_flags()])


def declared(unit, name, kind=CursorKind.VAR_DECL):
    return next(c for c, _ in unit.walk() if c.kind == kind and c.spelling == name)


def method(unit, name):
    return next(c for c, _ in unit.walk() if c.kind == CursorKind.CXX_METHOD and c.spelling == name and c.is_definition())


def classes(values):
    return sorted(cpp.pointee_class(v.type).spelling for v in values if not cpp.holds_no_object(v))


def test_stored_values_follow_a_member_array_through_every_assignment(unit):
    values = cpp.stored_values(unit, declared(unit, "ends", CursorKind.FIELD_DECL))
    assert values is not None
    assert len(values) == 4  # two nulls from the chained assignment, then a and b
    assert classes(values) == ["QLocalSocket", "QTcpSocket"]
    assert classes(cpp.stored_values(unit, declared(unit, "mixed", CursorKind.FIELD_DECL))) == [
        "QBuffer", "QLocalSocket"]


def test_stored_values_are_unknown_when_a_use_may_reseat_the_variable(unit):
    assert classes(cpp.stored_values(unit, declared(unit, "plain"))) == ["QLocalSocket"]
    assert cpp.stored_values(unit, declared(unit, "passed")) is None  # bound to QIODevice *&
    assert cpp.stored_values(unit, declared(unit, "pointed")) is None  # its address is taken
    assert cpp.stored_values(unit, declared(unit, "device", CursorKind.PARM_DECL)) is None  # not a variable


def test_fetched_names_the_column_qfetch_reads(unit):
    column = qt.fetched(unit, declared(unit, "name"))
    assert column == qt.Fetched("name", False)
    assert qt.fetched(unit, declared(unit, "plain")) is None


def test_data_rows_give_each_row_its_value_in_the_column(unit):
    rows = qt.data_rows(unit, method(unit, "rows"), qt.Fetched("name", False))
    assert [r.tag for r in rows] == ['"first"', '"second"', '"third"']
    assert [unit.spelled_text(r.value) if r.value is not None else None for r in rows] == [
        'QString("one")', None, 'QStringLiteral("three")']
    counts = qt.data_rows(unit, method(unit, "rows"), qt.Fetched("count", False))
    assert [unit.spelled_text(r.value) for r in counts] == ["1", "2", "3"]


def test_data_rows_follow_a_data_function_that_calls_another(unit):
    rows = qt.data_rows(unit, method(unit, "more"), qt.Fetched("name", False))
    assert [r.tag for r in rows] == ['"first"', '"second"', '"third"']
    assert qt.data_rows(unit, method(unit, "more"), qt.Fetched("missing", False)) == ()
