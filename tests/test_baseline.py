"""`check --baseline-write` / `--baseline`: accept today's findings, fail
only on new ones, and keep matching through unrelated edits (real CLI runs,
real libclang and Qt headers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HELPER = '''#include <QLocalServer>

bool startMain(QLocalServer &server)
{
    return server.listen("baseline_main");
}

bool startSpare(QLocalServer &server)
{
    return server.listen("baseline_spare");
}
'''


def qtfix(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QTFIX_CACHE_DIR": str(cwd / ".cache"), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "qtfix", *args, "--no-pch"], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "tst_servers.cpp").write_text(HELPER)
    res = qtfix(tmp_path, "check", "--baseline-write", "qtfix-baseline.json", "t")
    assert res.returncode == 0, res.stderr
    assert "2 finding(s) recorded in the baseline qtfix-baseline.json" in res.stderr
    return tmp_path


def reported(res: subprocess.CompletedProcess) -> list[str]:
    return [f["message"].split('"')[1] for f in json.loads(res.stdout)["findings"]]


def test_unchanged_tree_passes_against_its_baseline(tree):
    res = qtfix(tree, "check", "--format", "json", "--baseline", "qtfix-baseline.json", "t")
    assert res.returncode == 0, res.stderr
    assert reported(res) == []
    assert "2 known finding(s) not shown, 0 fixed since the baseline" in res.stderr


def test_matching_survives_lines_added_above_and_a_new_finding_fails(tree):
    src = tree / "t" / "tst_servers.cpp"
    src.write_text("// moved down by a header comment\n\n" + HELPER.replace("    return server.listen(\"baseline_spare\");",
                   "    // unrelated comment\n    return server.listen(\"baseline_spare\");")
                   + '\nbool startThird(QLocalServer &server)\n{\n    return server.listen("baseline_new");\n}\n')
    res = qtfix(tree, "check", "--format", "json", "--baseline", "qtfix-baseline.json", "t")
    assert res.returncode == 1, res.stderr
    assert reported(res) == ["baseline_new"]
    assert "2 known finding(s) not shown" in res.stderr


def test_matching_survives_reindenting_respacing_and_a_comment_on_the_line(tree):
    src = tree / "t" / "tst_servers.cpp"
    edited = "\n".join("  " + line.replace(",", " , ") for line in HELPER.splitlines())
    edited = edited.replace('listen("baseline_spare");', 'listen( "baseline_spare" );  // reviewed, kept /* on purpose */')
    assert edited != HELPER and "// reviewed" in edited
    src.write_text(edited + "\n")
    res = qtfix(tree, "check", "--format", "json", "--baseline", "qtfix-baseline.json", "t")
    assert res.returncode == 0, res.stderr
    assert reported(res) == []
    assert "2 known finding(s) not shown, 0 fixed since the baseline" in res.stderr


def test_a_fixed_finding_is_counted(tree):
    src = tree / "t" / "tst_servers.cpp"
    src.write_text(HELPER.split("bool startSpare")[0])
    res = qtfix(tree, "check", "--baseline", "qtfix-baseline.json", "t")
    assert res.returncode == 0, res.stderr
    assert "1 known finding(s) not shown, 1 fixed since the baseline" in res.stderr


def test_sarif_and_baseline_together_report_only_new_findings(tree):
    (tree / "t" / "tst_more.cpp").write_text(HELPER.replace("baseline_", "more_"))
    res = qtfix(tree, "check", "--format", "sarif", "--baseline", "qtfix-baseline.json", "t")
    assert res.returncode == 1
    results = json.loads(res.stdout)["runs"][0]["results"]
    assert sorted(r["message"]["text"].split('"')[1] for r in results) == ["more_main", "more_spare"]


@pytest.mark.parametrize("content, message", [
    (None, "cannot read the baseline: No such file or directory"),
    ("{", "broken baseline"),
    ('{"findings": []}', "not a qtfix baseline"),
    ('{"qtfix-baseline": 1, "findings": []}', "baseline written by another qtfix version (format 1, this qtfix reads 2)"),
])
def test_bad_baseline_is_one_line_and_exit_2(tree, content, message):
    path = tree / "other.json"
    if content is not None:
        path.write_text(content)
    res = qtfix(tree, "check", "--baseline", "other.json", "t")
    assert res.returncode == 2
    errors = [line for line in res.stderr.splitlines() if line.startswith("qtfix: error:")]
    assert len(errors) == 1 and message in errors[0], res.stderr
    assert "Traceback" not in res.stderr


def test_suppressed_findings_stay_out_of_the_baseline(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "tst_servers.cpp").write_text(
        HELPER.replace('listen("baseline_spare");', 'listen("baseline_spare"); // NOLINT(QF104)'))
    res = qtfix(tmp_path, "check", "--baseline-write", "b.json", "t")
    assert "1 finding(s) recorded" in res.stderr
    assert [e["code"] for e in json.loads((tmp_path / "b.json").read_text())["findings"]] == ["QF104"]


def test_a_skipped_file_next_to_the_baseline_findings_is_listed_not_a_crash(tree):
    # a file qtfix does not analyse (lines ending in CR only) under the same folder:
    # the baseline filter passes it through, the run still reports against the baseline
    (tree / "t" / "tst_cr_only.cpp").write_bytes(b"#include <QtCore/QObject>\rint x;\r")
    res = qtfix(tree, "check", "--format", "json", "--baseline", "qtfix-baseline.json", "--allow-unanalysed", "t")
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert reported(res) == []
    assert "tst_cr_only.cpp: skipped" in res.stderr
    assert "2 known finding(s) not shown, 0 fixed since the baseline" in res.stderr
