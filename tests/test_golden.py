"""Golden cases: every codemod, run through the real CLI, on real C++.

Layout: `tests/golden/<CODE>_<slug>/` (the slug is the codemod's file name in
`codemods/`), and in it, per case:

    NAME.cpp            the input
    NAME.cpp.expected   expected findings, one per line: `LINE:COL: CODE message [safety]`
                        (an empty file: no findings)
    NAME.cpp.fixed      the expected whole fixed file (absent: no change expected)
    NAME.cpp.json       optional options: {"qt5": false} (Qt 6-only code),
                        {"run": true|false} (build and run the fixed file;
                        default: when it is a QtTest program),
                        {"unsafe_fixes": true} (diff with --unsafe-fixes)

Per case, in a temporary folder holding the input under its own name, the
harness runs `qtfix check --format json --select CODE` and `qtfix diff
--select CODE`; checks the patch with `git apply --check` and `patch -p1
--dry-run`, applies it with `git apply` and compares the result byte for byte
with `.fixed`; runs `qtfix diff` on `.fixed` (a fixed point prints nothing);
compiles input and `.fixed` with g++ against Qt 6 (and Qt 5), and builds and
runs a fixed QtTest program. Each check is its own test id, e.g.
`test_fixed_output[QF104_hardcoded_server_name/tst_crlf.cpp]`.

The expensive work (qtfix runs, compiles) depends only on the files in the
golden folder, so it is started for every selected test at once on a small
thread pool (QTFIX_TEST_JOBS, default 2) and each test waits for its own piece.

To add a case: write NAME.cpp, run the two qtfix commands above on a copy,
read the output and only then save it as .expected / .fixed.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

import qtbuild
from qtfix.codemod import discover
from qtfix.edits import Safety

GOLDEN = Path(__file__).resolve().parent / "golden"
FOLDER = re.compile(r"^(?P<code>QF\d{3})_(?P<slug>[a-z0-9_]+)$")
SIDE_SUFFIXES = (".expected", ".fixed", ".json")
OPTION_KEYS = {"qt5": bool, "run": bool, "unsafe_fixes": bool}
QTFIX = (sys.executable, "-m", "qtfix")
QTFIX_TIMEOUT = 300


# -- the cases -----------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    folder: Path
    name: str  # NAME.cpp

    @property
    def id(self) -> str:
        return f"{self.folder.name}/{self.name}"

    @property
    def code(self) -> str:
        return FOLDER.match(self.folder.name)["code"]

    @property
    def input_path(self) -> Path:
        return self.folder / self.name

    @cached_property
    def input(self) -> bytes:
        return self.input_path.read_bytes()

    @property
    def fixed_path(self) -> Path:
        return self.folder / f"{self.name}.fixed"

    @cached_property
    def fixed(self) -> bytes | None:
        return self.fixed_path.read_bytes() if self.fixed_path.exists() else None

    @cached_property
    def expected_findings(self) -> list[str]:
        text = (self.folder / f"{self.name}.expected").read_text(encoding="utf-8")
        return [line for line in text.splitlines() if line.strip()]

    @cached_property
    def options(self) -> dict:
        # A malformed file reads as no options here (collection must not
        # break); test_golden_folders_are_well_formed reports it.
        path = self.folder / f"{self.name}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def qt_versions(self) -> tuple[int, ...]:
        return (6, 5) if self.options.get("qt5", True) else (6,)

    @property
    def diff_args(self) -> tuple[str, ...]:
        unsafe = ("--unsafe-fixes",) if self.options.get("unsafe_fixes", False) else ()
        return ("diff", "--select", self.code, *unsafe, self.name)

    @property
    def output(self) -> bytes:
        """What the file should look like after `qtfix apply`."""
        return self.fixed if self.fixed is not None else self.input

    @property
    def runs(self) -> bool:
        return self.options.get("run", qtbuild.is_test_program(self.output))

    def __repr__(self) -> str:  # readable in pytest's failure headers
        return f"Case({self.id})"


def golden_folders() -> list[Path]:
    return sorted(p for p in GOLDEN.iterdir() if p.is_dir()) if GOLDEN.is_dir() else []


def collect_cases() -> list[Case]:
    cases = []
    for folder in golden_folders():
        if FOLDER.match(folder.name):
            cases += [Case(folder, p.name) for p in sorted(folder.glob("*.cpp")) if p.is_file()]
    return cases


CASES = collect_cases()
POSITIVE = [c for c in CASES if c.fixed is not None]


def case_params(cases: list[Case]) -> list:
    return [pytest.param(c, id=c.id) for c in cases]


def compile_params() -> list:
    params = []
    for c in CASES:
        sides = ("input", "fixed") if c.fixed is not None else ("input",)
        for side in sides:
            for qt in c.qt_versions:
                params.append(pytest.param(c, side, qt, id=f"{c.id}-{side}-qt{qt}"))
    return params


# -- running things --------------------------------------------------------------


@dataclass(frozen=True)
class Workdir:
    """A private folder holding one file under the case's own name."""

    path: Path
    name: str

    @property
    def file(self) -> Path:
        return self.path / self.name


def tool(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    # git must not find a repository above the temporary folder: `git apply`
    # inside a work tree resolves paths against its top level.
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(cwd.parent)}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=60)


class Jobs:
    """Futures for the expensive steps, keyed by (step, case, ...)."""

    def __init__(self, base: Path, workers: int):
        self.base = base
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="golden")
        self.futures: dict[tuple, Future] = {}
        self.lock = threading.Lock()
        self.counter = 0
        # qtfix's caches (results, precompiled Qt headers) live for this run
        # only: shared by its cases, never stale from an earlier codemod.
        self.env = {**os.environ, "NO_COLOR": "1", "QTFIX_CACHE_DIR": str(base / "qtfix-cache")}

    def qtfix(self, workdir: Workdir, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*QTFIX, *args], cwd=workdir.path, capture_output=True, timeout=QTFIX_TIMEOUT, env=self.env
        )

    def workdir(self, case: Case, content: bytes, tag: str) -> Workdir:
        with self.lock:
            self.counter += 1
            n = self.counter
        folder = self.base / f"{n:03d}-{case.folder.name}-{case.name}-{tag}"
        folder.mkdir(parents=True)
        (folder / case.name).write_bytes(content)
        return Workdir(folder, case.name)

    def submit(self, key: tuple) -> Future:
        with self.lock:
            if key not in self.futures:
                self.futures[key] = self.pool.submit(STEPS[key[0]], self, *key[1:])
            return self.futures[key]

    def result(self, *key):
        return self.submit(tuple(key)).result()


@dataclass(frozen=True)
class QtfixRun:
    workdir: Workdir
    result: subprocess.CompletedProcess

    def unchanged(self, original: bytes) -> bool:
        return self.workdir.file.read_bytes() == original


def step_check(jobs: Jobs, case: Case) -> QtfixRun:
    wd = jobs.workdir(case, case.input, "check")
    return QtfixRun(wd, jobs.qtfix(wd, "check", "--format", "json", "--select", case.code, case.name))


def step_diff(jobs: Jobs, case: Case) -> QtfixRun:
    wd = jobs.workdir(case, case.input, "diff")
    return QtfixRun(wd, jobs.qtfix(wd, *case.diff_args))


def step_fixpoint(jobs: Jobs, case: Case) -> QtfixRun:
    wd = jobs.workdir(case, case.fixed, "fixpoint")
    return QtfixRun(wd, jobs.qtfix(wd, *case.diff_args))


def step_compile(jobs: Jobs, case: Case, side: str, qt: int) -> subprocess.CompletedProcess:
    wd = jobs.workdir(case, case.input if side == "input" else case.fixed, f"compile-{side}-qt{qt}")
    return qtbuild.syntax_check(wd.file, qt=qt)


def step_run(jobs: Jobs, case: Case) -> subprocess.CompletedProcess:
    """Build (a full compile: it doubles as the Qt 6 compile check of the
    output) and run; a build failure raises CompileError."""
    wd = jobs.workdir(case, case.output, "run")
    return qtbuild.build_and_run(wd.file, qt=6)


def compile_job(case: Case, side: str, qt: int) -> tuple:
    output_side = "fixed" if case.fixed is not None else "input"
    if case.runs and side == output_side and qt == 6:
        return ("run", case)  # the program's build compiles it anyway
    return ("compile", case, side, qt)


STEPS: dict[str, Callable] = {
    "check": step_check,
    "diff": step_diff,
    "fixpoint": step_fixpoint,
    "compile": step_compile,
    "run": step_run,
}
# Which steps each test needs, from its parameters.
NEEDS: dict[str, Callable[..., list[tuple]]] = {
    "test_findings": lambda case: [("check", case)],
    "test_patch_accepted": lambda case: [("diff", case)],
    "test_fixed_output": lambda case: [("diff", case)],
    "test_fixpoint": lambda case: [("fixpoint", case)],
    "test_compiles": lambda case, side, qt: [compile_job(case, side, qt)],
    "test_fixed_program_passes": lambda case: [("run", case)],
}


@pytest.fixture(scope="module")
def jobs(request, tmp_path_factory):
    workers = max(1, int(os.environ.get("QTFIX_TEST_JOBS", "2")))
    pool = Jobs(tmp_path_factory.mktemp("golden"), workers)
    # Queue the work of every selected test now, in test order, so the pool
    # stays busy while the tests consume results one by one.
    for item in request.session.items:
        needs = NEEDS.get(getattr(item, "originalname", ""))
        if item.module is request.module and needs is not None:
            for key in needs(**item.callspec.params):
                pool.submit(key)
    yield pool
    pool.pool.shutdown(wait=True, cancel_futures=True)


# -- helpers for the assertions -----------------------------------------------------


def show_bytes_diff(expected: bytes, actual: bytes, label: str) -> str:
    """A readable diff of two byte strings, line endings and BOM made visible."""

    def lines(data: bytes) -> list[str]:
        text = data.decode("utf-8", "backslashreplace")
        return [repr(line)[1:-1] + "\n" for line in text.splitlines(keepends=True)]

    return "".join(difflib.unified_diff(lines(expected), lines(actual), f"expected {label}", f"actual {label}"))


def decode(out: bytes) -> str:
    return out.decode("utf-8", "replace")


# -- layout ----------------------------------------------------------------------


def test_golden_folders_are_well_formed():
    codemods = discover()
    problems = []
    for folder in golden_folders():
        m = FOLDER.match(folder.name)
        if m is None:
            problems.append(f"{folder.name}: not named <CODE>_<slug> (e.g. QF104_hardcoded_server_name)")
            continue
        cls = codemods.get(m["code"])
        if cls is None:
            problems.append(f"{folder.name}: no codemod {m['code']} (see `qtfix list`)")
        elif cls.__module__.rsplit(".", 1)[-1] != m["slug"]:
            problems.append(f"{folder.name}: {m['code']} lives in codemods/{cls.__module__.rsplit('.', 1)[-1]}.py")
        inputs = {p.name for p in folder.glob("*.cpp")}
        if not inputs:
            problems.append(f"{folder.name}: no NAME.cpp cases")
        for p in sorted(folder.iterdir()):
            if p.name in inputs:
                if not (folder / f"{p.name}.expected").is_file():
                    problems.append(f"{folder.name}/{p.name}: missing {p.name}.expected")
                continue
            base, suffix = os.path.splitext(p.name)
            if suffix not in SIDE_SUFFIXES or base not in inputs:
                problems.append(f"{folder.name}/{p.name}: belongs to no case (NAME.cpp + .expected/.fixed/.json)")
        for name in sorted(inputs):
            options = folder / f"{name}.json"
            if options.exists():
                try:
                    data = json.loads(options.read_text(encoding="utf-8"))
                except ValueError as exc:
                    problems.append(f"{folder.name}/{options.name}: not JSON: {exc}")
                    continue
                for key, value in (data.items() if isinstance(data, dict) else [("", None)]):
                    if key not in OPTION_KEYS or not isinstance(value, OPTION_KEYS[key]):
                        problems.append(f"{folder.name}/{options.name}: unknown option {key!r}: {value!r} (known: {sorted(OPTION_KEYS)})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", sorted(discover()))
def test_every_codemod_has_positive_and_negative_cases(code):
    cases = [c for c in CASES if c.code == code]
    assert cases, f"{code} has no golden folder tests/golden/{code}_<slug>/"
    if discover()[code].safety is Safety.NONE:
        # A diagnostic-only codemod never edits: its positive cases are the
        # ones with findings, its negative cases the ones without.
        assert any(c.expected_findings for c in cases), f"{code}: no case with findings"
        assert any(not c.expected_findings for c in cases), f"{code}: no negative case (empty .expected)"
        return
    assert any(c.fixed is not None for c in cases), f"{code}: no case with a fix (NAME.cpp.fixed)"
    assert any(c.fixed is None for c in cases), f"{code}: no negative case (a NAME.cpp without .fixed)"


# -- per case -----------------------------------------------------------------------


@pytest.mark.parametrize("case", case_params(CASES))
def test_findings(jobs, case):
    run = jobs.result("check", case)
    res = run.result
    stderr = decode(res.stderr)
    assert res.returncode in (0, 1), f"qtfix check failed (exit {res.returncode}):\n{stderr}"
    report = json.loads(res.stdout)
    files = [(f["path"], f["status"], f["reason"]) for f in report["files"]]
    assert files == [(case.name, "checked", "")], stderr
    findings = report["findings"]
    for f in findings:
        assert f["code"] == case.code and f["path"] == case.name, f
        assert all(e["path"] == case.name for e in f["edits"]), f
        assert (f["safety"] == "none") == (not f["edits"]), f"a fix exactly when safety is not none: {f}"
    actual = [f"{f['line']}:{f['column']}: {f['code']} {f['message']} [{f['safety']}]" for f in findings]
    assert actual == case.expected_findings
    assert res.returncode == (1 if findings else 0)
    assert run.unchanged(case.input), "qtfix check changed the file"


@pytest.mark.parametrize("case", case_params(POSITIVE))
def test_patch_accepted(jobs, case, tmp_path):
    """The printed patch is accepted as it is by git apply and GNU patch."""
    res = jobs.result("diff", case).result
    assert res.returncode == 1 and res.stdout, f"no diff (exit {res.returncode}):\n{decode(res.stderr)}"
    patch_file = tmp_path / "fix.patch"
    patch_file.write_bytes(res.stdout)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / case.name).write_bytes(case.input)
    for cmd in (["git", "apply", "--check", str(patch_file)], ["patch", "-p1", "--dry-run", "-i", str(patch_file)]):
        checked = tool(cmd, tree)
        assert checked.returncode == 0, f"{' '.join(cmd[:2])} rejects the patch:\n{checked.stdout}{checked.stderr}"
    assert (tree / case.name).read_bytes() == case.input, "a dry run changed the file"


@pytest.mark.parametrize("case", case_params(CASES))
def test_fixed_output(jobs, case, tmp_path):
    """`git apply` of the printed patch gives `.fixed` byte for byte (or, with
    no `.fixed`, there is no patch at all)."""
    run = jobs.result("diff", case)
    res = run.result
    assert run.unchanged(case.input), "qtfix diff changed the file"
    if case.fixed is None:
        assert res.stdout == b"", f"unexpected fix:\n{decode(res.stdout)}"
        assert res.returncode == 0, decode(res.stderr)
        return
    assert res.returncode == 1, decode(res.stderr)
    (tmp_path / "fix.patch").write_bytes(res.stdout)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / case.name).write_bytes(case.input)
    applied = tool(["git", "apply", str(tmp_path / "fix.patch")], tree)
    assert applied.returncode == 0, applied.stderr
    actual = (tree / case.name).read_bytes()
    assert actual == case.fixed, "output differs from .fixed:\n" + show_bytes_diff(case.fixed, actual, case.name)


@pytest.mark.parametrize("case", case_params(POSITIVE))
def test_fixpoint(jobs, case):
    """A second run over the fixed file has nothing left to do."""
    run = jobs.result("fixpoint", case)
    res = run.result
    assert (res.returncode, decode(res.stdout)) == (0, ""), decode(res.stderr)
    assert run.unchanged(case.fixed)


@pytest.mark.parametrize(("case", "side", "qt"), compile_params())
def test_compiles(jobs, case, side, qt):
    """Input and expected output compile with g++ against the real Qt headers."""
    res = jobs.result(*compile_job(case, side, qt))  # raises CompileError with g++'s output
    assert isinstance(res, subprocess.CompletedProcess)


@pytest.mark.parametrize("case", case_params([c for c in CASES if c.runs]))
def test_fixed_program_passes(jobs, case):
    """A QtTest program still passes after the fix (Qt 6)."""
    res = jobs.result("run", case)
    assert res.returncode == 0, f"exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    assert re.search(r"^Totals: \d+ passed, 0 failed", res.stdout, re.MULTILINE), res.stdout
