"""`qtfix apply --verify=tests` on a real CMake build: the bundled examples
plus tests/verify_project (a QF104 fix that compiles but breaks its test),
configured, built and run with CMake and CTest; nothing is stubbed."""

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

from qtfix.ctest import Case, CTest, RunResult, _cases
from qtfix.edits import Edit, Finding, Fix
from qtfix.prove import BudgetSpent, Files, Prover, _bisect

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "legacy_tests"
PROJECT = ROOT / "tests" / "verify_project"
TOP = """cmake_minimum_required(VERSION 3.16)
project(qtfix_verify_top LANGUAGES CXX)
enable_testing()
add_subdirectory(legacy_tests)
add_subdirectory(verify_project)
"""


def qtfix(*args: str, cwd: Path, cache: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "QTFIX_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "qtfix", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=timeout)


def configure_and_build(src: Path, build: Path) -> None:
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    for cmd in (["cmake", "-S", str(src), "-B", str(build), *generator, "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"],
                ["cmake", "--build", str(build), "--parallel", "2"]):
        done = subprocess.run(cmd, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The two projects under one top-level CMakeLists, configured and built."""
    base = tmp_path_factory.mktemp("verify")
    src = base / "src"
    shutil.copytree(EXAMPLES, src / "legacy_tests")
    shutil.copytree(PROJECT, src / "verify_project")
    (src / "CMakeLists.txt").write_text(TOP)
    configure_and_build(src, base / "build")
    return src, base / "build"


def test_breaking_fix_is_rolled_back_and_the_others_kept(built, tmp_path):
    src, build = built
    original = files_of(src)
    # What plain `apply` writes: the fixes --verify=tests must keep. (On the
    # tree itself, which is then put back: the build compiles only its files.)
    kept = tmp_path / "kept"
    shutil.copytree(src, kept)
    assert qtfix("apply", "-p", str(build), str(src), cwd=tmp_path, cache=tmp_path / "c").returncode == 0
    plain = files_of(src)
    shutil.rmtree(src)
    shutil.copytree(kept, src)  # copy2: the old mtimes, so the build stays up to date
    assert files_of(src) == original
    report = tmp_path / "report.json"
    res = qtfix("apply", "-p", str(build), "--verify=tests", "--jobs", "2", "--report", str(report), str(src),
                cwd=tmp_path, cache=tmp_path / "c")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "rolled back QF104" in res.stderr and "clientFindsServerByItsParts" in res.stderr
    fixed = files_of(src)
    for name, data in plain.items():
        if name.startswith("legacy_tests/"):
            assert fixed[name] == data, name  # every example fix kept
    shared = fixed["verify_project/tst_sharedname.cpp"].decode()
    assert 'server.listen("rb-joined")' in shared  # the breaking fix is gone
    assert 'uniqueServerName(QStringLiteral("sharedname-server"))' in shared  # the right one is kept
    assert fixed != original
    rows = {r["test"]: r for r in json.loads(report.read_text())["tests"]}
    assert set(rows) == {"tst_localsocketbench", "tst_echochannel", "tst_tcppoll", "tst_sharedname"}
    assert all(r["green_before"] and r["green_after"] for r in rows.values())
    (rolled,) = rows["tst_sharedname"]["rolled_back"]
    assert rolled["code"] == "QF104" and rolled["case"] == "clientFindsServerByItsParts"
    assert "waitForConnected" in rolled["message"]
    assert all(not r["rolled_back"] for name, r in rows.items() if name != "tst_sharedname")
    # The build directory is left built from the files as they are now: CTest agrees.
    ctest = subprocess.run(["ctest", "--test-dir", str(build)], capture_output=True, text=True)
    assert ctest.returncode == 0, ctest.stdout
    # Put the originals back for the other tests of this module.
    for name, data in original.items():
        (src / name).write_bytes(data)


def test_interrupt_puts_every_file_back(built, tmp_path):
    src, build = built
    original = files_of(src)
    env = {**os.environ, "QTFIX_CACHE_DIR": str(tmp_path / "c"), "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "qtfix", "apply", "-p", str(build), "--verify=tests",
                             "--jobs", "2", str(src / "verify_project")],
                            cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "with 3 fix(es)" in line:  # the fixes are written, the rebuild has started
            time.sleep(0.5)
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.communicate(timeout=300)[1]
    assert proc.returncode == 130, "".join(seen) + rest
    assert "back to its original content" in rest
    assert files_of(src) == original
    rebuilt = subprocess.run(["cmake", "--build", str(build)], capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stdout[-2000:]


def test_bad_uses_are_one_line_errors(tmp_path):
    (tmp_path / "a.cpp").write_text("int main() { return 0; }\n")
    for args, words in ((["--verify=bogus"], "the modes are 'compile'"),
                        (["--verify=tests"], "needs the build (-p BUILD)"),
                        (["--verify=tests", "-p", str(tmp_path)], "not a CMake build directory")):
        res = qtfix("apply", *args, "a.cpp", cwd=tmp_path, cache=tmp_path / "c", timeout=120)
        assert res.returncode == 2 and words in res.stderr, res.stderr
        assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_junit_of_qt6_and_qt5(tmp_path):
    qt6 = tmp_path / "qt6.xml"
    qt6.write_text('<testsuite name="t"><testcase name="a" classname="t"/>'
                   '<testcase name="b" classname="t"><failure type="fail" message="&apos;x&apos; returned FALSE."/>'
                   '</testcase></testsuite>')
    qt5 = tmp_path / "qt5.xml"
    qt5.write_text('<testsuite name="t"><testcase result="pass" name="a"/>'
                   '<testcase result="fail" name="b"><failure result="fail" message="Compared values differ"/>'
                   '</testcase></testsuite>')
    assert _cases(qt6) == (Case("a", True), Case("b", False, "'x' returned FALSE."))
    assert _cases(qt5) == (Case("a", True), Case("b", False, "Compared values differ"))
    assert _cases(tmp_path / "missing.xml") == ()
    crashed = RunResult("t", -11, (Case("a", True),), "crashed (signal 11)")
    assert not crashed.green and crashed.failures() == (Case("(whole test)", False, "crashed (signal 11)"),)


class Oracle(Prover):
    """A prover whose "test" fails exactly when a culprit fix is applied: the
    bisection's logic checked on its own, without a build."""

    def __init__(self, culprits: set[int], budget: int = 50):
        super().__init__(build=None, files=Files({}), max_rebuilds=budget)
        self.culprits = culprits

    def trial(self, test, fixes, paths):
        if self.rebuilds >= self.max_rebuilds:
            raise BudgetSpent
        self.rebuilds += 1
        bad = [f for f in fixes if f.offset in self.culprits]
        return RunResult("t", 1 if bad else 0, (Case("f", not bad, "boom" if bad else ""),))


def _findings(n: int) -> list[Finding]:
    return [Finding("QF104", "n", Path("a.cpp"), i, 1, 1, "m", Fix("t", (Edit.insertion(Path("a.cpp"), i, "x"),)))
            for i in range(n)]


@pytest.mark.parametrize("n, culprits", [(1, {0}), (8, {5}), (8, {0, 7}), (13, {2, 3, 11}), (5, {0, 1, 2, 3, 4})])
def test_bisection_finds_every_culprit(n, culprits):
    oracle = Oracle(culprits)
    failing = RunResult("t", 1, (Case("f", False, "boom"),))
    blamed = _bisect(oracle, CTest("t", ("t",)), _findings(n), [], set(), failing)
    assert {f.offset for f, _ in blamed} == culprits
    assert oracle.rebuilds <= len(culprits) * (n.bit_length() + 1)


def test_bisection_stops_at_the_bound():
    oracle = Oracle({3, 9}, budget=2)
    with pytest.raises(BudgetSpent):
        _bisect(oracle, CTest("t", ("t",)), _findings(16), [], set(), RunResult("t", 1, (Case("f", False),)))
    assert oracle.rebuilds == 2
