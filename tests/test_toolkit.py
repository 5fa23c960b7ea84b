"""The toolkit on its own (cpp.py, qt.py, parse.py, codemod.py): each piece on
a snippet parsed with the real Qt headers. One translation unit serves every
test (parsing QtNetwork + QtTest is the expensive part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qtfix import cpp, qt
from qtfix.codemod import Codemod, Match, Node, NoFix, dispatch
from qtfix.edits import Edit, Fix, Safety
from qtfix.parse import CursorKind, entity, identity, parse, same_declaration
from qtfix.project import BASE_FLAGS, discover_qt_flags

SNIPPET = b"""\
#include <QtNetwork>
#include <QtTest>
#include "helper.h"

class Tst : public QObject
{
    Q_OBJECT
private slots:
    void first();
public:
    void helper() const;
};

void Tst::first()
{
    QLocalSocket *a = nullptr, *b = NULL;
    QTcpServer *server = static_cast<QTcpServer *>(0);
    QScopedPointer<QLocalSocket> owned(new QLocalSocket);
    int zero = 0;
    a = (new QLocalSocket);
    a->connectToServer(QStringLiteral("x"));
    owned->flush();
	    b = a;
    QVERIFY(a != b);
    delete a;
}
"""

HELPER = b"struct Helper { int x; };\n"


@pytest.fixture(scope="module")
def unit(tmp_path_factory):
    folder = tmp_path_factory.mktemp("toolkit")
    path = folder / "tst_snippet.cpp"
    path.write_bytes(SNIPPET)
    (folder / "helper.h").write_bytes(HELPER)
    return parse(path, SNIPPET, [*BASE_FLAGS, *discover_qt_flags(), "-I", str(folder)])


def nodes(unit, kind, spelling=None):
    return [(c, p) for c, p in unit.walk() if c.kind == kind and (spelling is None or c.spelling == spelling)]


def var(unit, name):
    return nodes(unit, CursorKind.VAR_DECL, name)[0][0]


def test_null_pointers_through_casts_and_macros(unit):
    assert cpp.is_null_pointer(cpp.initializer(var(unit, "a")))  # nullptr
    assert cpp.is_null_pointer(cpp.initializer(var(unit, "b")))  # NULL (GNU __null)
    assert cpp.is_null_pointer(cpp.initializer(var(unit, "server")))  # static_cast<T *>(0)
    assert not cpp.is_null_pointer(cpp.initializer(var(unit, "owned")))
    assert not cpp.holds_no_object(cpp.initializer(var(unit, "owned")))


def test_strip_implicit_reaches_the_new_inside_parentheses(unit):
    (assignment, _), = [(c, p) for c, p in nodes(unit, CursorKind.BINARY_OPERATOR) if cpp.is_assignment(c)][:1]
    rhs = list(assignment.get_children())[1]
    assert rhs.kind != CursorKind.CXX_NEW_EXPR
    assert cpp.strip_implicit(rhs).kind == CursorKind.CXX_NEW_EXPR


def test_holder_of_looks_through_implicit_nodes(unit):
    refs = [(c, p) for c, p in nodes(unit, CursorKind.DECL_REF_EXPR, "a")]
    deleted = [(c, p) for c, p in refs if cpp.holder_of(c, p).cursor.kind == CursorKind.CXX_DELETE_EXPR]
    assert len(deleted) == 1
    assigned = [(c, p) for c, p in refs if cpp.is_assigned_to(c, p)]
    assert len(assigned) == 1  # `a = (new ...)`, not `b = a`


def test_one_identity_for_declarations_of_a_group(unit):
    a, b = var(unit, "a"), var(unit, "b")
    ref_a = next(c for c, _ in nodes(unit, CursorKind.DECL_REF_EXPR, "a")).referenced
    ref_b = next(c for c, _ in nodes(unit, CursorKind.DECL_REF_EXPR, "b")).referenced
    # `b` is not first in its declaration group: the visited cursor and the
    # referenced one differ in that word only, which does not count
    assert identity(ref_b) == identity(b) and ref_b == b
    assert identity(ref_a) == identity(a)
    assert identity(a) != identity(b)
    assert same_declaration(ref_b, b) and not same_declaration(a, b)
    assert entity(None) is None


def test_same_declaration_joins_a_method_and_its_definition(unit):
    declared = next(c for c, _ in nodes(unit, CursorKind.CXX_METHOD, "first") if not c.is_definition())
    defined = next(c for c, _ in nodes(unit, CursorKind.CXX_METHOD, "first") if c.is_definition())
    assert same_declaration(declared, defined)
    assert cpp.function_label(defined) == "Tst::first()"


def test_pointee_class_and_smart_pointers(unit):
    assert cpp.pointee_class(var(unit, "a").type).spelling == "QLocalSocket"
    assert cpp.pointee_class(var(unit, "zero").type) is None
    assert cpp.smart_pointee_class(var(unit, "owned").type).spelling == "QLocalSocket"
    assert cpp.smart_pointee_class(var(unit, "a").type) is None


def test_member_call_and_its_receiver(unit):
    call = nodes(unit, CursorKind.CALL_EXPR, "connectToServer")[0][0]
    parts = cpp.member_call(call)
    assert parts is not None and parts.member.spelling == "connectToServer"
    assert unit.spelled_text(parts.object) == "a"
    assert cpp.member_call(nodes(unit, CursorKind.CALL_EXPR, "qVerify")[0][0]) is None


def test_indentation_at_an_offset_keeps_tabs(unit):
    at = SNIPPET.index(b"b = a;")
    assert cpp.indentation_at(unit, at) == "\t    "
    assert unit.newline == b"\n"


def test_network_classes(unit):
    socket = cpp.pointee_class(var(unit, "a").type)
    server = cpp.pointee_class(var(unit, "server").type)
    assert qt.network_class(socket, qt.SOCKET_CLASSES) and not qt.network_class(socket, qt.SERVER_CLASSES)
    assert qt.network_class(server, qt.SERVER_CLASSES)
    assert "QLocalSocket" in qt.LOCAL_CLASSES and "QTcpServer" not in qt.LOCAL_CLASSES
    assert "connectToServer" in qt.SERVER_NAME_CALLS


def test_qtest_model(unit):
    assert qt.has_qtest(unit)
    first = next(c for c, _ in nodes(unit, CursorKind.CXX_METHOD, "first") if c.is_definition())
    helper = next(c for c, _ in nodes(unit, CursorKind.CXX_METHOD, "helper"))
    assert qt.is_test_function(unit, first) and not qt.is_test_function(unit, helper)
    assert qt.QTEST_MACRO.match("QVERIFY") and not qt.QTEST_MACRO.match("MY_CHECK")


def test_headers_come_through_the_unit(unit, tmp_path):
    helper = next(name for _, _, _, name in unit.includes if name.endswith("helper.h"))
    assert unit.file_bytes(helper) == HELPER
    Path(helper).write_bytes(b"changed on disk\n")  # what clang parsed is what counts
    try:
        assert unit.file_bytes(helper) == HELPER
    finally:
        Path(helper).write_bytes(HELPER)
    assert unit.file_bytes(str(tmp_path / "not-in-the-unit.h")) == b""


def test_once_is_per_unit_and_per_function(unit):
    calls = []

    def count(u, name):
        calls.append(name)
        return len(calls)

    assert unit.once(count, "x") == 1 and unit.once(count, "x") == 1 and unit.once(count, "y") == 2
    assert calls == ["x", "y"]


class _Deletes(Codemod):
    code = "QF999"
    name = "test-only"
    summary = "deletes"
    safety = Safety.SAFE
    kinds = frozenset({CursorKind.CXX_DELETE_EXPR})

    def match(self, unit, nodes, options):
        for node in nodes:
            yield Match(unit.use_offset(node.cursor), "a delete")

    def fix(self, unit, match, options):
        if match.at < 0:
            return NoFix("never")
        return self.fixed([Edit.insertion(unit.path, match.at, "// ")], "comment it out")


def test_dispatch_hands_each_codemod_its_kinds(unit):
    codemod = _Deletes()
    given = dispatch(unit, [codemod])["QF999"]
    assert [n.cursor.kind for n in given] == [CursorKind.CXX_DELETE_EXPR]
    assert isinstance(given[0], Node) and given[0].parents[0].spelling == "first"
    (finding,) = codemod.findings(unit, given, None)
    assert isinstance(finding.fix, Fix) and finding.fix.safety == Safety.SAFE
    assert finding.line == SNIPPET[: SNIPPET.index(b"delete a")].count(b"\n") + 1
    assert codemod.fixed([], "nothing") == NoFix()
