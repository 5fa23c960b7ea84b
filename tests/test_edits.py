"""Byte-range edits, fixes and their conflicts (src/qtfix/edits.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from qtfix.edits import Edit, Finding, Fix, Safety, apply_edits, resolve, unique_edits

A = Path("tst_a.cpp")
B = Path("tst_b.cpp")


def rep(start: int, end: int, text: str = "x", path: Path = A) -> Edit:
    return Edit.replacement(path, start, end, text)


def ins(at: int, text: str = "x", path: Path = A) -> Edit:
    return Edit.insertion(path, at, text)


def test_named_constructors():
    assert Edit.insertion(A, 4, "#include <QUuid>\n") == Edit(A, 4, 4, "#include <QUuid>\n")
    assert Edit.deletion(A, 2, 9) == Edit(A, 2, 9, "")
    assert Edit.replacement(A, 2, 9, "y") == Edit(A, 2, 9, "y")


OVERLAPS = [
    pytest.param(rep(0, 5), rep(3, 8), True, id="ranges-cross"),
    pytest.param(rep(0, 8), rep(3, 5), True, id="range-inside-range"),
    pytest.param(rep(0, 5, "a"), rep(0, 5, "b"), True, id="same-range-other-text"),
    pytest.param(rep(0, 5), rep(5, 8), False, id="ranges-touch"),
    pytest.param(rep(0, 5), rep(0, 5), False, id="identical"),
    pytest.param(Edit.deletion(A, 2, 4), Edit.deletion(A, 3, 6), True, id="deletions-cross"),
    pytest.param(ins(3), rep(0, 5), True, id="insertion-inside-range"),
    pytest.param(ins(0), rep(0, 5), False, id="insertion-at-range-start"),
    pytest.param(ins(5), rep(0, 5), False, id="insertion-at-range-end"),
    pytest.param(ins(3, "a"), ins(3, "b"), False, id="insertions-at-one-point"),
    pytest.param(rep(0, 5, path=A), rep(0, 5, "other", path=B), False, id="other-file"),
]


@pytest.mark.parametrize(("first", "second", "expected"), OVERLAPS)
def test_overlaps(first, second, expected):
    assert first.overlaps(second) is expected
    assert second.overlaps(first) is expected  # symmetric


def test_fix_conflicts_when_any_edit_overlaps():
    include = ins(0, "#include <QUuid>\n")
    one = Fix("one", (include, rep(10, 15, "uniqueServerName()")))
    same_include = Fix("two", (include, rep(30, 35, "y")))
    crossing = Fix("three", (rep(12, 20, "z"),))
    assert not one.conflicts_with(same_include)  # a shared identical edit is no conflict
    assert one.conflicts_with(crossing) and crossing.conflicts_with(one)
    assert not same_include.conflicts_with(crossing)


def test_identical_edits_are_applied_once():
    source = b"listen(\"foo\"); connect(\"foo\");\n"
    edits = [rep(7, 12, "name()"), ins(0, "#include <QUuid>\n"), rep(7, 12, "name()"), ins(0, "#include <QUuid>\n")]
    assert unique_edits(edits) == [ins(0, "#include <QUuid>\n"), rep(7, 12, "name()")]
    assert apply_edits(source, edits) == b"#include <QUuid>\nlisten(name()); connect(\"foo\");\n"


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))), ids=lambda o: "".join(map(str, o)))
def test_insertions_at_one_point_put_includes_first(order):
    at = len(b"#include <QtTest>\n")
    source = b"#include <QtTest>\nclass X;\n"
    edits = [
        ins(at, "\ninline QString helper();\n"),
        ins(at, "#include <QUuid>\n"),
        ins(at, "  #include <QScopedPointer>\n"),
        ins(at, "\n// another helper\n"),
    ]
    out = apply_edits(source, [edits[i] for i in order])
    # Includes first (ordered by text), then the other insertions by text: the
    # same bytes whatever order the fixes came in.
    assert out == (
        b"#include <QtTest>\n"
        b"  #include <QScopedPointer>\n"
        b"#include <QUuid>\n"
        b"\n// another helper\n"
        b"\ninline QString helper();\n"
        b"class X;\n"
    )


def test_insertion_at_a_replacement_boundary():
    source = b"0123456789"
    assert apply_edits(source, [rep(3, 6, "R"), ins(3, "<"), ins(6, ">")]) == b"012<R>6789"


def test_overlapping_edits_are_refused():
    with pytest.raises(ValueError, match="overlapping edits at byte 3"):
        apply_edits(b"0123456789", [rep(0, 5, "a"), rep(3, 8, "b")])


def test_bytes_outside_the_edits_are_kept():
    bom, crlf = b"\xef\xbb\xbf", b"\r\n"
    source = bom + b"// Gr\xc3\xb6\xc3\x9fe" + crlf + b'listen("foo");' + crlf + b"\xff-not-utf8?"
    start = source.index(b'"foo"')
    out = apply_edits(source, [rep(start, start + 5, "QStringLiteral(\"föö\")")])
    assert out == source.replace(b'"foo"', 'QStringLiteral("föö")'.encode())


def finding(offset: int, edits: tuple[Edit, ...] | None, code: str = "QF104", path: Path = A) -> Finding:
    fix = Fix(f"fix {code}@{offset}", edits, Safety.SAFE) if edits is not None else None
    return Finding(code, "name", path, offset, 1 + offset // 10, 1 + offset % 10, f"message {offset}", fix)


def test_resolve_keeps_the_first_fix_and_explains_the_drop():
    first = finding(10, (rep(10, 20),), code="QF103")
    clash = finding(15, (rep(15, 25),), code="QF101")
    apart = finding(40, (rep(40, 45),))
    no_fix = finding(12, None)
    for order in itertools.permutations([first, clash, apart, no_fix]):
        result = resolve(order)
        assert result.accepted == (first, apart)
        assert result.dropped == ((clash, "QF101 fix at tst_a.cpp:2:6 overlaps QF103 fix at tst_a.cpp:2:1; kept QF103"),)


def test_resolve_orders_by_path_then_offset_then_code():
    later_file = finding(0, (rep(0, 5, path=B),), path=B)
    same_spot_qf105 = finding(0, (rep(0, 5, "b"),), code="QF105")
    same_spot_qf102 = finding(0, (rep(0, 5, "a"),), code="QF102")
    result = resolve([later_file, same_spot_qf105, same_spot_qf102], describe=lambda f: f"{f.path}@{f.offset}")
    assert result.accepted == (same_spot_qf102, later_file)
    assert [note for _, note in result.dropped] == ["QF105 fix at tst_a.cpp@0 overlaps QF102 fix at tst_a.cpp@0; kept QF102"]


def test_resolve_accepts_one_fix_shared_by_several_findings():
    # QF104 gives every use of one name the same fix: all are accepted, and
    # applying their edits together changes each byte range once.
    source = b'listen("foo"); conn("foo");'
    first, second = source.index(b'"foo"'), source.rindex(b'"foo"')
    shared = (ins(0, "#include <QUuid>\n"), rep(first, first + 5, "n()"), rep(second, second + 5, "n()"))
    findings = [finding(first, shared), finding(second, shared)]
    result = resolve(findings)
    assert result.accepted == tuple(findings) and result.dropped == ()
    edits = [e for f in result.accepted for e in f.fix.edits]
    assert len(edits) == 6
    assert apply_edits(source, edits) == b'#include <QUuid>\nlisten(n()); conn(n());'
