"""Batch runs over whole trees: hangs, crashes, --verify roll-backs, interrupted
and resumed runs, and results identical with and without the precompiled
header and the incremental cache. Everything goes through the real CLI (or,
for --verify's roll-back logic, the real parser) on real files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qtfix.codemod import discover
from qtfix.edits import Edit, Finding, Fix, Safety
from qtfix.project import FlagSource
from qtfix.runner import Task, analyse_file, verify_fixes

REPO = Path(__file__).resolve().parent.parent
PROGRAMS = REPO / "tests" / "programs"
GOLDEN = REPO / "tests" / "golden"

# A header that includes itself twice per level: 2^40 inclusions, no tokens,
# so the parse neither fails nor ends. A real hang, from real input.
HANG_HEADER = """#if __INCLUDE_LEVEL__ < 40
#include "hang.h"
#include "hang.h"
#endif
"""


def qtfix(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qtfix", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small legacy tree: the three programs in two folders."""
    root = tmp_path / "tree"
    (root / "net").mkdir(parents=True)
    (root / "tcp").mkdir()
    shutil.copy(PROGRAMS / "tst_seedbench.cpp", root / "net")
    shutil.copy(PROGRAMS / "tst_echosession.cpp", root / "net")
    shutil.copy(PROGRAMS / "tst_tcpaccept.cpp", root / "tcp")
    return root


def findings_of(proc: subprocess.CompletedProcess) -> list:
    data = json.loads(proc.stdout)
    return sorted((f["path"], f["line"], f["column"], f["code"], f["message"], f["safety"], json.dumps(f["edits"])) for f in data["findings"])


def test_hanging_file_is_reported_and_the_rest_is_processed(tree, tmp_path):
    (tree / "hang").mkdir()
    (tree / "hang" / "hang.h").write_text(HANG_HEADER)
    (tree / "hang" / "tst_hang.cpp").write_text('#include "hang.h"\nint main() { return 0; }\n')
    started = time.monotonic()
    # The limit must leave room for an ordinary file on a loaded 2-core CI
    # machine; the hang itself would run for minutes.
    proc = qtfix("check", "--format", "json", "--jobs", "2", "--file-timeout", "45", "--cache-dir", str(tmp_path / "c"), ".", cwd=tree)
    assert time.monotonic() - started < 400
    assert proc.returncode == 2, proc.stderr
    files = {f["path"]: f for f in json.loads(proc.stdout)["files"]}
    assert files["hang/tst_hang.cpp"]["status"] == "failed"
    assert "timed out" in files["hang/tst_hang.cpp"]["reason"]
    assert "hang/tst_hang.cpp: failed: timed out" in proc.stderr
    for name in ("net/tst_seedbench.cpp", "net/tst_echosession.cpp", "tcp/tst_tcpaccept.cpp"):
        assert files[name]["status"] == "checked", files[name]
    assert any(f["path"] == "net/tst_seedbench.cpp" for f in json.loads(proc.stdout)["findings"])


def _workers(pid: int) -> list[int]:
    """Forked analysis workers of the qtfix process `pid` (its other children,
    such as pkg-config, do not run qtfix)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    found = []
    for child in out.split():
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"qtfix" in cmdline:
            found.append(int(child))
    return found


def test_crashed_worker_costs_only_its_file(tree, tmp_path):
    """A worker that dies (here: SIGKILL while it is stuck on a file, as the
    OOM killer would) is replaced; its file is reported, the others finish."""
    (tree / "hang").mkdir()
    (tree / "hang" / "hang.h").write_text(HANG_HEADER)
    (tree / "hang" / "tst_hang.cpp").write_text('#include "hang.h"\nint main() { return 0; }\n')
    cmd = [sys.executable, "-m", "qtfix", "check", "--format", "json", "--jobs", "1", "--file-timeout", "600",
           "--cache-dir", str(tmp_path / "c"), "hang/tst_hang.cpp", "net"]
    proc = subprocess.Popen(cmd, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # tst_hang.cpp comes first: wait until the only worker has been on it for a while
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and not workers:
        time.sleep(0.5)
        workers = _workers(proc.pid)
    assert workers, "no worker process appeared"
    time.sleep(3)
    os.kill(workers[0], signal.SIGKILL)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err
    files = {f["path"]: f for f in json.loads(out)["files"]}
    assert files["hang/tst_hang.cpp"]["status"] == "failed"
    assert "crashed" in files["hang/tst_hang.cpp"]["reason"] and "signal 9" in files["hang/tst_hang.cpp"]["reason"]
    assert files["net/tst_seedbench.cpp"]["status"] == "checked"
    assert files["net/tst_echosession.cpp"]["status"] == "checked"


def test_verify_rolls_back_exactly_the_fix_that_breaks_the_build(tmp_path):
    """--verify's search on the real parser: next to QF102's real fix, a fix
    that makes the file ill-formed is rolled back and the real one kept."""
    source_path = tmp_path / "two_timers.cpp"
    source_path.write_text(
        "#include <QtCore/QTimer>\n\nvoid run()\n{\n    QTimer *timer = new QTimer;\n    timer->start(5);\n"
        "    if (!timer->isActive())\n        return;\n    delete timer;\n}\n\nint answer() { return 42; }\n"
    )
    args = FlagSource().args_for_all([source_path])[0][source_path]
    task = Task(source_path, args, ("QF102",))
    result = analyse_file(task)
    assert [f.code for f in result.findings] == ["QF102"]
    good = result.findings[0]
    source = result.source
    at = source.index(b"return 42;")
    bad = Finding("QF999", "breaks-the-build", source_path, at, 10, 18, "test fix",
                  Fix("replace the return", (Edit.replacement(source_path, at, at + len(b"return 42;"), "return undeclared_name;"),), Safety.SAFE))
    verdict = verify_fixes(task, source, [good, bad])
    assert [f.code for f, _ in verdict.rolled_back] == ["QF999"]
    assert "undeclared_name" in verdict.rolled_back[0][1]
    assert b"QScopedPointer<QTimer> timer(new QTimer);" in verdict.fixed_content
    assert b"undeclared_name" not in verdict.fixed_content
    # and with nothing to roll back, one parse decides
    assert verify_fixes(task, source, [good]).rolled_back == ()


def test_verify_keeps_files_compiling_end_to_end(tree, tmp_path):
    proc = qtfix("apply", "--verify", "--jobs", "2", "--cache-dir", str(tmp_path / "c"), "--report", str(tmp_path / "r.json"), ".", cwd=tree)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["totals"]["scanned"] == 3 and report["totals"]["changed"] == 3
    # every changed file still parses with the real headers (a fresh check sees no errors)
    again = qtfix("check", "--no-cache", "--format", "json", ".", cwd=tree)
    assert all(f["status"] == "checked" for f in json.loads(again.stdout)["files"]), again.stderr


def test_interrupted_apply_leaves_whole_files_and_resumes(tree, tmp_path):
    expected_tree = tmp_path / "expected"
    shutil.copytree(tree, expected_tree)
    full = qtfix("apply", "--no-cache", "--jobs", "1", ".", cwd=expected_tree)
    assert full.returncode == 0, full.stderr
    originals = {p.relative_to(tree): p.read_bytes() for p in tree.rglob("*.cpp")}
    cache = tmp_path / "cache"

    cmd = [sys.executable, "-m", "qtfix", "apply", "--verify", "--jobs", "1", "--cache-dir", str(cache), "."]
    proc = subprocess.Popen(cmd, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()  # "fixed <file> ...": one file is done
    assert first.startswith("fixed "), first
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode in (130, 0), err  # 0 if the run had already finished
    for rel, original in originals.items():
        now = (tree / rel).read_bytes()
        assert now in (original, (expected_tree / rel).read_bytes()), f"{rel} is neither untouched nor fully fixed"
    assert any((tree / rel).read_bytes() != original for rel, original in originals.items())

    resumed = qtfix("apply", "--verify", "--jobs", "1", "--cache-dir", str(cache), ".", cwd=tree)
    assert resumed.returncode == 0, resumed.stderr
    for rel in originals:
        assert (tree / rel).read_bytes() == (expected_tree / rel).read_bytes(), rel
    # the file fixed before the interruption was not parsed again
    done_name = first.split()[1]
    assert f"{done_name}: 0 finding(s) (cached)" in resumed.stderr, resumed.stderr


def test_findings_identical_with_and_without_pch_and_cache(tmp_path):
    tree = tmp_path / "inputs"
    tree.mkdir()
    # every third golden input (each codemod's cases are interleaved by name,
    # so all codemods are in) and the programs: the parse without a PCH is
    # the slow third of this test, and it must stay fast on a loaded machine
    for case in sorted(GOLDEN.glob("QF10*_*/*.cpp"))[::3] + sorted(PROGRAMS.glob("*.cpp")):
        shutil.copy(case, tree / f"{case.parent.name}__{case.name}")
    assert len({p.name[:5] for p in tree.iterdir() if p.name.startswith("QF")}) == len(list(GOLDEN.glob("QF10*_*")))
    cache = str(tmp_path / "c")
    plain = qtfix("check", "--format", "json", "--no-pch", "--no-cache", ".", cwd=tree)
    cold = qtfix("check", "--format", "json", "--cache-dir", cache, ".", cwd=tree)
    warm = qtfix("check", "--format", "json", "--cache-dir", cache, ".", cwd=tree)
    assert findings_of(plain) == findings_of(cold) == findings_of(warm)
    assert findings_of(plain), "no findings at all: the comparison would prove nothing"
    assert warm.stderr.count("(cached)") >= len(list(tree.iterdir())) - 1  # binary/failed files are not cached
    statuses = lambda p: sorted((f["path"], f["status"]) for f in json.loads(p.stdout)["files"])  # noqa: E731
    assert statuses(plain) == statuses(cold) == statuses(warm)


def test_cache_notices_a_changed_project_header(tmp_path):
    (tmp_path / "helpers.h").write_text("#pragma once\n#include <QtCore/QTimer>\ninline void poke(QTimer *) {}\n")
    (tmp_path / "tst_uses_header.cpp").write_text(
        '#include "helpers.h"\n\nvoid run()\n{\n    QTimer *timer = new QTimer;\n    poke(timer);\n    if (timer->isActive())\n        return;\n    delete timer;\n}\n'
    )
    cache = str(tmp_path / "c")
    first = qtfix("check", "--format", "json", "--cache-dir", cache, "tst_uses_header.cpp", cwd=tmp_path)
    assert [f["code"] for f in json.loads(first.stdout)["findings"]] == ["QF102"]
    # poke() now takes the pointer by reference: the same .cpp must be re-analysed
    (tmp_path / "helpers.h").write_text("#pragma once\n#include <QtCore/QTimer>\ninline void poke(QTimer *&) {}\n")
    second = qtfix("check", "--format", "json", "--cache-dir", cache, "tst_uses_header.cpp", cwd=tmp_path)
    assert json.loads(second.stdout)["findings"] == []


def test_warm_run_answers_from_the_cache_without_starting_workers(tmp_path, monkeypatch):
    """An unchanged tree is answered in the main process: no worker is
    forked, and the results are the ones the workers computed."""
    from qtfix import batch

    files = []
    for name in ("tst_seedbench.cpp", "tst_tcpaccept.cpp"):
        shutil.copy(PROGRAMS / name, tmp_path / name)
        files.append(tmp_path / name)
    args, _ = FlagSource().args_for_all(files)
    codes = tuple(sorted(discover()))
    tasks = [batch.Task(f, args[f], codes, cache_dir=tmp_path / "c") for f in files]
    cold = batch.run_tasks(tasks, batch.Limits(jobs=2))
    assert [r.cached for r in cold] == [False, False] and all(r.findings for r in cold)

    def no_worker(*_args, **_kwargs):
        raise AssertionError("a worker was started for a cached file")

    monkeypatch.setattr(batch, "_Worker", no_worker)
    warm = batch.run_tasks(tasks, batch.Limits(jobs=2))
    assert [r.cached for r in warm] == [True, True]
    assert [r.findings for r in warm] == [r.findings for r in cold]
    # a changed file is not answered from the cache (here: it would need a worker)
    files[1].write_bytes(files[1].read_bytes() + b"\n// changed\n")
    with pytest.raises(AssertionError, match="a worker was started"):
        batch.run_tasks(tasks, batch.Limits(jobs=2))
