"""Suppression comments (NOLINT, as clang-tidy spells them), through the real
CLI on real Qt headers: each form, multi-line statements, macro use sites,
the JSON flag, the summary, the exit code, QF001/QF002, and that apply and
diff never touch a suppressed site.

Every wait call of a case has its own timeout (`waitForConnected(1001)`), so
a finding is found by its text, never by a hard-coded line number."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HEAD = """#include <QtTest/QtTest>
#include <QtNetwork/QTcpSocket>

#define WAIT_CONNECTED(s, ms) (s).waitForConnected(ms)

class tst_S : public QObject
{
    Q_OBJECT
private slots:
    void waits();
};

void tst_S::waits()
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("localhost"), 80);
"""
TAIL = """}

QTEST_MAIN(tst_S)
#include "NAME.moc"
"""

# name -> statements of the test function (the QF107 sites)
FORMS = {
    "same_line": """    socket.waitForConnected(1001); // NOLINT(QF107)
    socket.waitForConnected(1002);
""",
    "bare": """    socket.waitForConnected(1001); // NOLINT
    socket.waitForConnected(1002);
""",
    "block_comment": """    socket.waitForConnected(1001); /* NOLINT(QF107) */
    socket.waitForConnected(1002);
""",
    "next_line": """    // NOLINTNEXTLINE(QF104,QF107)
    socket.waitForConnected(1001);
    socket.waitForConnected(1002);
""",
    "begin_end": """    // NOLINTBEGIN(QF1)
    socket.waitForConnected(1001);
    socket.waitForConnected(1003);
    // NOLINTEND(QF1)
    socket.waitForConnected(1002);
""",
    "prefixes_and_other_tools": """    socket.waitForConnected(1001); // NOLINT(bugprone-unused-return-value, QF10)
    socket.waitForConnected(1003); // NOLINT(qf1*)
    socket.waitForConnected(1002); // NOLINT(QF104)
    socket.waitForConnected(1004); // NOLINT(bugprone-unused-return-value)
    socket.waitForConnected(1005); // NOLINT()
""",
    "multi_line": """    socket.waitForConnected(
        1001); // NOLINT(QF107)
    socket.waitForConnected(
        1002);
""",
    "macro_site": """    WAIT_CONNECTED(socket, 1001); // NOLINT(QF107)
    WAIT_CONNECTED(socket, 1002);
""",
    "string_literals": """    QByteArray a("// NOLINT"); socket.waitForConnected(1002);
    QByteArray b(R"(// NOLINT)"); socket.waitForConnected(1004);
    QByteArray c("/* NOLINT */"); socket.waitForConnected(1006); // a comment
""",
}


def source(name: str, body: str) -> str:
    return HEAD + body + TAIL.replace("NAME", name)


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) == 1, needle
    return text[: text.index(needle)].count("\n") + 1


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("qtfix-cache")  # one precompiled header for every run


def qtfix(cwd: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QTFIX_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "qtfix", *args, "--jobs", "2"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def findings(res: subprocess.CompletedProcess) -> list[dict]:
    assert "Traceback" not in res.stderr, res.stderr
    return json.loads(res.stdout)["findings"]


def by_timeout(found: list[dict], text: str, path: str) -> dict[str, bool]:
    """(timeout of the call -> suppressed) of the QF107 findings of one file
    (the timeout is on the finding's line or, for a call split over two
    lines, the next one)."""
    lines = text.splitlines()
    out = {}
    for f in found:
        if f["path"] == path and f["code"] == "QF107":
            ms = re.search(r"\b100\d\b", " ".join(lines[f["line"] - 1:f["line"] + 1])).group(0)
            assert ms not in out
            out[ms] = f["suppressed"]
    return out


@pytest.fixture(scope="module")
def forms(tmp_path_factory, cache) -> tuple[Path, dict]:
    tree = tmp_path_factory.mktemp("forms")
    for name, body in FORMS.items():
        (tree / f"{name}.cpp").write_text(source(name, body))
    res = qtfix(tree, cache, "check", "--format", "json", "--select", "QF107", ".")
    assert res.returncode == 1, res.stderr
    assert {f["status"] for f in json.loads(res.stdout)["files"]} == {"checked"}, res.stdout
    return tree, findings(res)


def suppressed_in(forms, name: str) -> dict[str, bool]:
    tree, found = forms
    text = (tree / f"{name}.cpp").read_text()
    return by_timeout(found, text, f"{name}.cpp")


def test_nolint_on_the_line(forms):
    assert suppressed_in(forms, "same_line") == {"1001": True, "1002": False}


def test_bare_nolint_suppresses_every_qtfix_code(forms):
    assert suppressed_in(forms, "bare") == {"1001": True, "1002": False}


def test_block_comment(forms):
    assert suppressed_in(forms, "block_comment") == {"1001": True, "1002": False}


def test_nolintnextline_with_a_list(forms):
    assert suppressed_in(forms, "next_line") == {"1001": True, "1002": False}


def test_nolintbegin_end_with_a_prefix(forms):
    assert suppressed_in(forms, "begin_end") == {"1001": True, "1003": True, "1002": False}


def test_only_the_named_codes_and_prefixes(forms):
    """A prefix (QF10, qf1*) covers QF107; QF104, clang-tidy's own checks and
    an empty list do not."""
    assert suppressed_in(forms, "prefixes_and_other_tools") == {
        "1001": True, "1003": True, "1002": False, "1004": False, "1005": False}


def test_suppression_on_another_line_of_a_multi_line_statement(forms):
    tree, found = forms
    text = (tree / "multi_line.cpp").read_text()
    [quiet] = [f for f in found if f["path"] == "multi_line.cpp" and f["suppressed"]]
    assert quiet["line"] == line_of(text, "socket.waitForConnected(\n        1001)")  # reported a line above
    assert suppressed_in(forms, "multi_line") == {"1001": True, "1002": False}


def test_suppression_at_the_macro_use_site(forms):
    assert suppressed_in(forms, "macro_site") == {"1001": True, "1002": False}


def test_nolint_inside_string_literals_is_not_a_comment(forms):
    assert suppressed_in(forms, "string_literals") == {"1002": False, "1004": False, "1006": False}


def test_json_lists_suppressed_findings_with_the_flag(forms):
    _, found = forms
    assert all(isinstance(f["suppressed"], bool) for f in found)
    assert sum(f["suppressed"] for f in found) == 10


# -- summary, exit code, apply ---------------------------------------------------


def test_summary_counts_suppressed_and_exit_code_is_zero_when_all_are(tmp_path, cache):
    body = """    socket.waitForConnected(1001); // NOLINT(QF107)
    socket.waitForConnected(1002); // NOLINT
"""
    (tmp_path / "all_quiet.cpp").write_text(source("all_quiet", body))
    res = qtfix(tmp_path, cache, "check", "all_quiet.cpp")
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    assert "no findings; 2 suppressed" in res.stderr
    (tmp_path / "all_quiet.cpp").write_text(source("all_quiet", body.replace(" // NOLINT\n", "\n")))
    res = qtfix(tmp_path, cache, "check", "all_quiet.cpp")
    assert res.returncode == 1
    assert res.stdout.count("QF107") == 1 and ":1002" not in res.stdout
    assert "1 finding(s), 1 with a fix (`qtfix diff` shows them); 1 suppressed" in res.stderr


def test_apply_and_diff_leave_a_suppressed_site_unchanged(tmp_path, cache):
    body = """    socket.waitForConnected(1001); // NOLINT(QF107)
    socket.waitForConnected(
        1003); // NOLINT(QF107)
    socket.waitForConnected(1002);
"""
    original = source("apply_quiet", body)
    target = tmp_path / "apply_quiet.cpp"
    target.write_text(original)
    patch = qtfix(tmp_path, cache, "diff", "apply_quiet.cpp").stdout
    changed = [line for line in patch.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-    socket.waitForConnected(1002);",
                       "+    QVERIFY2(socket.waitForConnected(1002), qPrintable(socket.errorString()));"], patch
    res = qtfix(tmp_path, cache, "apply", "--report", "report.json", "apply_quiet.cpp")
    assert res.returncode == 0, res.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["totals"]["suppressed"] == 2 and report["findings_by_code"] == {"QF107": 1}
    after = target.read_text()
    assert after != original
    assert "    QVERIFY2(socket.waitForConnected(1002), qPrintable(socket.errorString()));\n" in after
    assert after.replace("    QVERIFY2(socket.waitForConnected(1002), qPrintable(socket.errorString()));\n",
                         "    socket.waitForConnected(1002);\n") == original


def test_a_shared_fix_that_would_rewrite_a_suppressed_site_is_withheld(tmp_path, cache):
    """QF104 reports a name held in a variable once, at its declaration, and
    rewrites that initializer for all its uses at once: a NOLINT there keeps
    the name for all of them."""
    text = """#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_Names : public QObject
{
    Q_OBJECT
private slots:
    void shared();
    void other();
};

void tst_Names::shared()
{
    const QString name = QStringLiteral("shared_name"); // NOLINT(QF104)
    QLocalServer server;
    QVERIFY(server.listen(name));
    QLocalSocket socket;
    socket.connectToServer(name);
}

void tst_Names::other()
{
    QLocalServer server;
    QVERIFY(server.listen(QStringLiteral("other_name")));
}

QTEST_MAIN(tst_Names)
#include "tst_names.moc"
"""
    (tmp_path / "tst_names.cpp").write_text(text)
    found = findings(qtfix(tmp_path, cache, "check", "--format", "json", "--select", "QF104", "tst_names.cpp"))
    assert [(f["line"], f["suppressed"], f["safety"]) for f in found if f["code"] == "QF104"] == [
        (15, True, "safe"), (25, False, "safe")], found
    res = qtfix(tmp_path, cache, "apply", "--select", "QF104", "tst_names.cpp")
    assert res.returncode == 0, res.stderr
    after = (tmp_path / "tst_names.cpp").read_text()
    assert 'const QString name = QStringLiteral("shared_name"); // NOLINT(QF104)\n' in after
    assert 'uniqueServerName(QStringLiteral("other_name"))' in after


# -- QF001 unused, QF002 invalid -------------------------------------------------

UNUSED_BODY = """    socket.waitForConnected(1001); // NOLINT(QF104)
    // NOLINTNEXTLINE(QF104, QF107)
    socket.waitForConnected(1002);
    socket.waitForConnected(1003); // NOLINT(QF104, bugprone-unused-return-value)
    socket.waitForConnected(1004); // NOLINT(QF104): the name is fixed on purpose
    // NOLINTBEGIN(QF103)
    socket.waitForConnected(1005); // NOLINT
    // NOLINTEND(QF103)
"""


def test_unused_suppressions_are_reported_and_removed(tmp_path, cache):
    text = source("unused", UNUSED_BODY)
    (tmp_path / "unused.cpp").write_text(text)
    plain = findings(qtfix(tmp_path, cache, "check", "--format", "json", "unused.cpp"))
    assert not [f for f in plain if f["code"] == "QF001"]
    found = findings(qtfix(tmp_path, cache, "check", "--format", "json", "--report-unused-suppressions", "unused.cpp"))
    unused = sorted((f["line"], f["safety"]) for f in found if f["code"] == "QF001")
    assert unused == [(line_of(text, "(1001)"), "safe"), (line_of(text, "NOLINTNEXTLINE"), "safe"),
                      (line_of(text, "(1003)"), "safe"), (line_of(text, "(1004)"), "none"),
                      (line_of(text, "NOLINTBEGIN"), "safe")], found
    res = qtfix(tmp_path, cache, "apply", "--select", "QF104", "--report-unused-suppressions", "unused.cpp")
    assert res.returncode == 0, res.stderr
    after = (tmp_path / "unused.cpp").read_text()
    expected_body = """    socket.waitForConnected(1001);
    // NOLINTNEXTLINE(QF107)
    socket.waitForConnected(1002);
    socket.waitForConnected(1003); // NOLINT(bugprone-unused-return-value)
    socket.waitForConnected(1004); // NOLINT(QF104): the name is fixed on purpose
    // NOLINTBEGIN(QF103)
    socket.waitForConnected(1005); // NOLINT
    // NOLINTEND(QF103)
"""
    assert after == source("unused", expected_body), after


def test_a_suppression_of_a_codemod_that_did_not_run_is_not_unused(tmp_path, cache):
    (tmp_path / "unused.cpp").write_text(source("unused", UNUSED_BODY))
    found = findings(qtfix(tmp_path, cache, "check", "--format", "json", "--select", "QF107",
                           "--report-unused-suppressions", "unused.cpp"))
    assert not [f for f in found if f["code"] == "QF001"], found


def test_unmatched_blocks_and_unknown_codes_are_findings_not_crashes(tmp_path, cache):
    body = """    // NOLINTEND(QF107)
    socket.waitForConnected(1001); // NOLINT(QF999)
    // NOLINTBEGIN(QF107)
    socket.waitForConnected(1002);
"""
    text = source("invalid", body)
    (tmp_path / "invalid.cpp").write_text(text)
    res = qtfix(tmp_path, cache, "check", "--format", "json", "invalid.cpp")
    assert res.returncode == 1, res.stderr
    found = findings(res)
    invalid = sorted((f["line"], f["message"]) for f in found if f["code"] == "QF002")
    assert invalid == [
        (line_of(text, "NOLINTEND"), "NOLINTEND(QF107) has no NOLINTBEGIN(QF107) before it"),
        (line_of(text, "QF999"), "NOLINT(QF999): QF999 is not a qtfix code (see `qtfix list`); it suppresses nothing"),
        (line_of(text, "NOLINTBEGIN"), "NOLINTBEGIN(QF107) has no NOLINTEND(QF107) after it; it suppresses nothing"),
    ]
    assert not any(f["suppressed"] for f in found)


def test_removing_unused_comments_keeps_the_code_and_its_indentation(tmp_path, cache):
    """Whole lines for a comment alone on its line (a NOLINTBEGIN/END pair
    together), the comment and one side's spaces otherwise; the QF107 fixes
    of the same lines are applied with them."""
    body = """    // NOLINTBEGIN(QF103)
    socket.waitForConnected(1001); // NOLINT(QF104)
    /* NOLINT(QF104) */ socket.waitForConnected(1002);
    // NOLINTEND(QF103)
"""
    (tmp_path / "compose.cpp").write_text(source("compose", body))
    res = qtfix(tmp_path, cache, "apply", "--report-unused-suppressions", "compose.cpp")
    assert res.returncode == 0, res.stderr
    assert "QF001 x3, QF107 x2" in res.stdout
    expected = """    QVERIFY2(socket.waitForConnected(1001), qPrintable(socket.errorString()));
    QVERIFY2(socket.waitForConnected(1002), qPrintable(socket.errorString()));
"""
    assert (tmp_path / "compose.cpp").read_text() == source("compose", expected)


def test_lines_of_a_nested_block_are_statements_of_their_own(tmp_path, cache):
    """QF103 reports a loop at its `while`: a suppression on the loop's own
    lines (its head, its closing brace, an unbraced body) counts; one on a
    statement inside its braces is that statement's."""
    body = """    while (socket.state() != QAbstractSocket::ConnectedState) { // 1001
        qApp->processEvents(); // NOLINT(QF103)
    }
    while (socket.state() != QAbstractSocket::ConnectedState) { // 1002
        qApp->processEvents();
    } // NOLINT(QF103)
    while (socket.state() != QAbstractSocket::ConnectedState) // 1003
        qApp->processEvents(); // NOLINT(QF103)
"""
    text = source("loops", body)
    (tmp_path / "loops.cpp").write_text(text)
    found = findings(qtfix(tmp_path, cache, "check", "--format", "json", "--select", "QF103", "loops.cpp"))
    assert sorted((f["line"], f["suppressed"]) for f in found) == [
        (line_of(text, "// 1001"), False), (line_of(text, "// 1002"), True), (line_of(text, "// 1003"), True)], found


def test_select_and_ignore_choose_qf002_and_ignore_takes_qf001_back(tmp_path, cache):
    body = """    socket.waitForConnected(1001); // NOLINT(QF999)
    socket.waitForConnected(1002); // NOLINT(QF104)
"""
    (tmp_path / "chosen.cpp").write_text(source("chosen", body))

    def codes(*args: str) -> list[str]:
        res = qtfix(tmp_path, cache, "check", "--format", "json", "--report-unused-suppressions", *args, "chosen.cpp")
        return sorted(f["code"] for f in findings(res) if f["code"] in ("QF001", "QF002"))

    assert codes() == ["QF001", "QF002"]
    assert codes("--select", "QF1") == ["QF001"]
    assert codes("--select", "QF1,QF002") == ["QF001", "QF002"]
    assert codes("--ignore", "QF001") == ["QF002"]
    assert codes("--ignore", "QF00") == []
