"""--export-fixes FILE: clang-tidy's export-fixes YAML, applied by the real
clang-apply-replacements (Debian's clang-tools-19) to one copy of a tree,
gives byte for byte what `qtfix apply` writes in another copy. The tree is
the bundled example tree (a header, several codemods) plus the golden
inputs with CRLF line endings, a BOM and non-ASCII text, and a CRLF file
with UTF-8 text before the fix (byte offsets differ from character ones)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"
GOLDEN_INPUTS = [
    "QF102_scoped_pointer_for_deleted_local/crlf_line_endings.cpp",
    "QF102_scoped_pointer_for_deleted_local/bom_and_non_ascii.cpp",
    "QF104_hardcoded_server_name/tst_bom.cpp",
    "QF104_hardcoded_server_name/tst_crlf.cpp",
    "QF104_hardcoded_server_name/tst_non_ascii_comment.cpp",
    "QF103_busy_wait_on_socket/crlf_helper.cpp",
]
UTF8_CRLF = """// Prüfung: ein Socket, 中文, ü
#include <QtTest/QtTest>
#include <QtNetwork/QTcpSocket>

class tst_Utf8 : public QObject
{
    Q_OBJECT
private slots:
    void waits();
};

void tst_Utf8::waits()
{
    QTcpSocket socket; // «non-ASCII» before the fix
    socket.connectToHost(QStringLiteral("localhost"), 80);
    while (socket.state() != QAbstractSocket::ConnectedState)
        QTest::qWait(10);
}

QTEST_MAIN(tst_Utf8)
#include "tst_utf8.moc"
""".replace("\n", "\r\n")


def apply_replacements() -> str:
    found = shutil.which("clang-apply-replacements") or next(iter(sorted(glob.glob("/usr/bin/clang-apply-replacements-*"))), None)
    if found is None:
        pytest.fail("clang-apply-replacements is not installed (Debian package clang-tools-19, in .ci/run)")
    return found


def qtfix(cwd: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QTFIX_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    res = subprocess.run([sys.executable, "-m", "qtfix", *args], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=900)
    assert "Traceback" not in res.stderr, res.stderr
    return res


def files(tree: Path) -> dict[str, bytes]:
    return {p.relative_to(tree).as_posix(): p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("qtfix-cache")


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    tree = tmp_path_factory.mktemp("tree") / "src"
    shutil.copytree(REPO / "examples" / "legacy_tests", tree)
    for name in GOLDEN_INPUTS:
        shutil.copy(GOLDEN / name, tree / Path(name).name)
    (tree / "tst_utf8.cpp").write_bytes(UTF8_CRLF.encode("utf-8"))
    return tree


@pytest.fixture(scope="module")
def exported(original, cache, tmp_path_factory) -> tuple[Path, Path, dict]:
    """(the copy clang-apply-replacements fixed, the copy qtfix apply fixed, the YAML)."""
    work = tmp_path_factory.mktemp("work")
    by_tool, by_qtfix, fixes = work / "by_tool", work / "by_qtfix", work / "fixes"
    shutil.copytree(original, by_tool)
    shutil.copytree(original, by_qtfix)
    fixes.mkdir()
    res = qtfix(work, cache, "diff", "--unsafe-fixes", "--jobs", "2", "--export-fixes", "fixes/qtfix.yaml", "by_tool")
    assert res.returncode == 1, res.stderr
    assert files(by_tool) == files(original)  # diff writes nothing but the YAML
    tool = subprocess.run([apply_replacements(), str(fixes)], capture_output=True, text=True, timeout=120)
    assert tool.returncode == 0, tool.stderr
    res = qtfix(work, cache, "apply", "--unsafe-fixes", "--jobs", "2", "by_qtfix")
    assert res.returncode == 0, res.stderr
    return by_tool, by_qtfix, yaml.safe_load((fixes / "qtfix.yaml").read_text(encoding="utf-8"))


def test_clang_apply_replacements_gives_the_bytes_qtfix_apply_writes(exported, original):
    by_tool, by_qtfix, _ = exported
    tool, ours, before = files(by_tool), files(by_qtfix), files(original)
    assert tool == ours
    changed = {name for name in before if ours[name] != before[name]}
    # every file of the tree with a fix: the CRLF, BOM and non-ASCII ones included
    assert {Path(n).name for n in GOLDEN_INPUTS} | {"tst_utf8.cpp", "tst_tcppoll.cpp"} <= changed, changed
    assert ours["tst_utf8.cpp"].count(b"\r\n") == ours["tst_utf8.cpp"].count(b"\n")  # still CRLF only
    assert "5000);".encode() in ours["tst_utf8.cpp"]


def test_the_yaml_has_clang_tidys_shape(exported, original, cache):
    by_tool, _, doc = exported
    assert doc["MainSourceFile"] == ""  # several files, as run-clang-tidy writes them
    check = qtfix(by_tool.parent, cache, "check", "--format", "json", "--jobs", "2", str(original))
    reported = [f for f in json.loads(check.stdout)["findings"] if not f["suppressed"]]
    assert sorted(d["DiagnosticName"] for d in doc["Diagnostics"]) == sorted(f["code"] for f in reported)
    for d in doc["Diagnostics"]:
        msg = d["DiagnosticMessage"]
        assert set(msg) == {"Message", "FilePath", "FileOffset", "Replacements"}
        assert Path(msg["FilePath"]).is_absolute() and msg["Message"]
        source = (by_tool.parent / "by_tool" / Path(msg["FilePath"]).name)
        assert 0 <= msg["FileOffset"] <= len(source.read_bytes())
        for r in msg["Replacements"]:
            assert set(r) == {"FilePath", "Offset", "Length", "ReplacementText"}
    replacements = [r for d in doc["Diagnostics"] for r in d["DiagnosticMessage"]["Replacements"]]
    assert any("\r\n" in r["ReplacementText"] for r in replacements)  # multi-line text of a CRLF file


def test_check_exports_one_file_with_its_name_and_only_safe_fixes(original, cache, tmp_path):
    shutil.copy(original / "tst_utf8.cpp", tmp_path / "tst_utf8.cpp")
    res = qtfix(tmp_path, cache, "check", "--export-fixes", "out.yaml", "tst_utf8.cpp")
    assert res.returncode == 1, res.stderr
    doc = yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))
    assert doc["MainSourceFile"] == str(tmp_path / "tst_utf8.cpp")
    (d,) = doc["Diagnostics"]
    (r,) = d["DiagnosticMessage"]["Replacements"]
    data = UTF8_CRLF.encode("utf-8")
    assert data[r["Offset"]:r["Offset"] + r["Length"]].startswith(b"while (socket.state()")
    assert d["DiagnosticMessage"]["FileOffset"] == data.index(b"while (socket.state()")


def test_an_export_path_in_a_missing_folder_is_one_line_and_nothing_is_written(original, cache, tmp_path):
    shutil.copy(original / "tst_utf8.cpp", tmp_path / "tst_utf8.cpp")
    for command in ("check", "diff"):
        res = qtfix(tmp_path, cache, command, "--export-fixes", "missing/out.yaml", "tst_utf8.cpp")
        assert res.returncode == 2 and res.stdout == ""
        assert res.stderr.startswith("qtfix: error: missing/out.yaml: no such folder") and res.stderr.count("\n") == 1
    assert not (tmp_path / "missing").exists()
    res = qtfix(tmp_path, cache, "diff", "--export-fixes", "tst_utf8.cpp", "tst_utf8.cpp")
    assert res.returncode == 2 and "a file this run reads; refused" in res.stderr
    assert (tmp_path / "tst_utf8.cpp").read_bytes() == UTF8_CRLF.encode("utf-8")
