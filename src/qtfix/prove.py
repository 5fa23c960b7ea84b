"""`apply --verify=tests`: keep only the fixes that keep the tests green.

The steps, each with the build's own tools (ctest.py):
1. the tests that run an executable built from a changed file (a header
   counts for every target whose sources include it) are built and run on the
   original files: that is "before";
2. every fix is written, the same targets are rebuilt and the tests run again;
3. a test function that passed before and fails now is run once more (a
   flaky test is not blamed on a fix); if it still fails, the fixes in its
   files are rolled back all at once (a test that fails without them too is
   reported, not blamed), then bisected to the fix that breaks it, one
   rebuild per step and at most `max_rebuilds` in all;
4. the files are written with the fixes that were kept, rebuilt and every
   affected test run a last time: that is "after".
Every write is atomic and checked against the bytes qtfix last wrote, so an
interrupted run can put each file back to its original content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .ctest import Build, Case, CTest, RunResult, build_targets, run_test
from .edits import Finding, apply_edits
from .fileio import WriteError, write_atomically
from .patch import display_path
from .project import HEADER_SUFFIXES

_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]+)[>"]', re.M)


class BudgetSpent(Exception):
    """The bound on rebuilds was reached while bisecting."""


@dataclass(frozen=True)
class Rollback:
    finding: Finding
    test: str
    case: str
    message: str


@dataclass
class Row:
    """One test: how it ran before and after, and what it decided."""

    test: str
    before: RunResult
    after: RunResult | None = None
    kept: list[Finding] = field(default_factory=list)
    rolled_back: list[Rollback] = field(default_factory=list)
    note: str = ""


@dataclass
class Proof:
    rows: list[Row]
    kept: list[Finding]
    rolled_back: list[Rollback]
    untested: list[Finding]  # fixes in files no test executable is built from
    rebuilds: int = 0

    @property
    def regressed(self) -> list[Row]:
        return [r for r in self.rows if r.before.green and r.after is not None and not r.after.green]


def _included_names(path: Path) -> set[str]:
    try:
        return {Path(m.decode("utf-8", "replace")).name for m in _INCLUDE.findall(path.read_bytes())}
    except OSError:
        return set()


def _files_of_targets(build: Build, changed: set[Path]) -> dict[str, set[Path]]:
    """target -> the changed files that go into it: its own sources, and the
    headers those include (by file name, transitively through the tree's headers)."""
    out: dict[str, set[Path]] = {}
    includes: dict[Path, set[str]] = {}
    real = {c.resolve(): c for c in changed}
    for target in build.targets.values():
        reach = {p for p in target.sources if p.suffix.lower() not in (".rule", "") and p.is_file()}
        frontier = set(reach)
        while frontier:
            names = set().union(*(includes.setdefault(p, _included_names(p)) for p in frontier))
            near = {p.parent / n for p in frontier for n in names} | {c for c in real if c.name in names}
            frontier = {p for p in near if p.suffix.lower() in HEADER_SUFFIXES and p.is_file()} - reach
            reach |= frontier
        hit = {c for r, c in real.items() if r in reach}
        if hit:
            out[target.name] = hit
    return out


class Files:
    """The changed files, written as the original plus a chosen set of fixes."""

    def __init__(self, originals: dict[Path, bytes]):
        self.originals = dict(originals)
        self.current = dict(originals)

    def show(self, fixes: Iterable[Finding], paths: Iterable[Path]) -> None:
        fixes = list(fixes)
        for path in sorted(set(paths)):
            edits = [e for f in fixes for e in f.fix.edits if e.path == path]
            new = apply_edits(self.originals[path], edits)
            if new != self.current[path]:
                write_atomically(path, self.current[path], new)
                self.current[path] = new

    def restore(self) -> None:
        """Every file back to its original bytes; a file someone else changed
        meanwhile is left as it is (its write refuses)."""
        for path in list(self.current):
            try:
                self.show((), [path])
            except WriteError:
                pass


@dataclass
class Prover:
    build: Build
    files: Files
    jobs: int = 1
    max_rebuilds: int = 12
    say: Callable[[str], None] = lambda _msg: None
    rebuilds: int = 0

    def run_tests(self, tests: Sequence[CTest]) -> dict[str, RunResult]:
        workers = max(1, min(self.jobs, len(tests)))
        with ThreadPoolExecutor(workers) as pool:
            return {run.test: run for run in pool.map(run_test, tests)}

    def build_and_run(self, tests: Sequence[CTest]) -> dict[str, RunResult]:
        """Rebuild the tests' targets and run them; a target that does not
        build fails its tests with the compiler's message."""
        targets = sorted({t.target for t in tests if t.target})
        ok, log = build_targets(self.build, targets, self.jobs)
        broken: dict[str, str] = {}
        if not ok:
            for target in targets:
                t_ok, t_log = build_targets(self.build, [target], self.jobs)
                if not t_ok:
                    broken[target] = t_log or log
        runnable = [t for t in tests if t.target not in broken]
        runs = self.run_tests(runnable) if runnable else {}
        for t in tests:
            if t.target in broken:
                msg = broken[t.target].splitlines()[-1] if broken[t.target] else "build failed"
                runs[t.name] = RunResult(t.name, 1, (Case("(build)", False, msg),), "does not build")
        return runs

    def trial(self, test: CTest, fixes: Sequence[Finding], paths: set[Path]) -> RunResult:
        if self.rebuilds >= self.max_rebuilds:
            raise BudgetSpent
        self.rebuilds += 1
        self.files.show(fixes, paths)
        return self.build_and_run([test])[test.name]


def _regressions(before: RunResult, after: RunResult) -> list[Case]:
    if not before.green or after.green:
        return []
    passed_before = {c.name for c in before.cases if c.passed}
    failed = [c for c in after.failures() if c.name in passed_before or c.name.startswith("(")]
    return failed or list(after.failures())


def _bisect(p: Prover, test: CTest, suspects: list[Finding], base: list[Finding], paths: set[Path],
            failing: RunResult) -> list[tuple[Finding, RunResult]]:
    """The fixes among `suspects` that make `test` fail on top of `base`
    (one at a time: the shortest failing prefix ends with a culprit)."""
    blamed = []
    remaining = list(suspects)
    while remaining:
        lo, hi = 0, len(remaining)  # base + remaining[:lo] passes, [:hi] fails
        while hi - lo > 1:
            mid = (lo + hi) // 2
            run = p.trial(test, base + remaining[:mid], paths)
            if run.green:
                lo = mid
            else:
                hi, failing = mid, run
        blamed.append((remaining[hi - 1], failing))
        p.say(f"  {test.name}: blamed {remaining[hi - 1].code} at {display_path(remaining[hi - 1].path)}:"
              f"{remaining[hi - 1].line}")
        base = base + remaining[: hi - 1]
        remaining = remaining[hi:]
        if remaining:
            failing = p.trial(test, base + remaining, paths)
            if failing.green:
                break
    return blamed


def _judge(p: Prover, row: Row, test: CTest, kept: list[Finding], paths_of: dict[Finding, set[Path]],
           test_paths: set[Path], failing: RunResult) -> list[Rollback]:
    suspects = [f for f in kept if paths_of[f] & test_paths]
    paths = set().union(*(paths_of[f] for f in suspects)) if suspects else set()
    base = [f for f in kept if f not in suspects]
    try:
        without = p.trial(test, base, paths)
        if not without.green:
            row.note = "fails without the fixes too: not blamed on them"
            p.files.show(kept, paths)
            return []
        blamed = _bisect(p, test, suspects, base, paths, failing)
    except BudgetSpent:
        row.note = f"the bound of {p.max_rebuilds} rebuilds was reached: all its fixes were rolled back"
        blamed = [(f, failing) for f in suspects]
    out = []
    for f, run in blamed:
        case = next(iter(_regressions(row.before, run)), Case("(whole test)", False, run.note))
        out.append(Rollback(f, test.name, case.name, case.message))
    return out


def prove(p: Prover, accepted: Sequence[Finding]) -> Proof:
    paths_of = {f: {e.path for e in f.fix.edits} for f in accepted}
    changed = set().union(*paths_of.values()) if paths_of else set()
    by_target = _files_of_targets(p.build, changed)
    tests = [t for t in p.build.tests if t.target in by_target]
    covered = set().union(*by_target.values()) if by_target else set()
    untested = [f for f in accepted if not paths_of[f] & covered]
    p.say(f"building {len({t.target for t in tests})} target(s) for {len(tests)} test(s) on the original files")
    before = p.build_and_run(tests)
    rows = {t.name: Row(t.name, before[t.name]) for t in tests}
    p.files.show(accepted, changed)
    p.say(f"building and running them with {len(accepted)} fix(es)")
    after = p.build_and_run(tests)
    kept = list(accepted)
    rolled: list[Rollback] = []
    for t in tests:
        failing = after[t.name]
        if not _regressions(before[t.name], failing):
            continue
        again = p.run_tests([t])[t.name]
        if again.green:
            rows[t.name].note = "failed once with the fixes and passed when run again: flaky, not blamed"
            continue
        p.say(f"{t.name} fails with the fixes: bisecting")
        verdict = _judge(p, rows[t.name], t, kept, paths_of, by_target[t.target], again)
        rolled += verdict
        kept = [f for f in kept if f not in {r.finding for r in verdict}]
        p.files.show(kept, changed)  # the next test starts from the fixes kept so far
    p.files.show(kept, changed)
    p.say("final build and run with the fixes kept")
    final = p.build_and_run(tests)
    for t in tests:
        row = rows[t.name]
        row.after = final[t.name]
        if not row.before.green and not row.note:
            row.note = "was not green before the fixes: it judged none of them"

        row.kept = [f for f in kept if paths_of[f] & by_target[t.target]]
        row.rolled_back = [r for r in rolled if r.test == t.name]
    return Proof(list(rows.values()), kept, rolled, untested, p.rebuilds)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def proof_markdown(proof: Proof) -> str:
    out = ["", "## Tests (--verify=tests)", "",
           "| test | before | after | fixes kept | fixes rolled back | why |", "|---|---|---|---:|---:|---|"]
    for r in proof.rows:
        why = "; ".join(f"{b.finding.code} at {display_path(b.finding.path)}:{b.finding.line}: "
                        f"{b.case} failed: {b.message}" for b in r.rolled_back) or r.note
        after = r.after.summary() if r.after else "not run"
        out.append(f"| {r.test} | {r.before.summary()} | {after} | {len(r.kept)} | {len(r.rolled_back)} | {_cell(why)} |")
    if proof.untested:
        out += ["", f"{len(proof.untested)} fix(es) are in files that no test executable is built from; "
                "they were applied without a test run."]
    return "\n".join(out) + "\n"


def proof_json(proof: Proof) -> list[dict]:
    def where(f: Finding) -> dict:
        return {"code": f.code, "path": display_path(f.path), "line": f.line, "column": f.column}

    return [{"test": r.test, "before": r.before.summary(), "after": r.after.summary() if r.after else None,
             "green_before": r.before.green, "green_after": bool(r.after and r.after.green),
             "kept": [where(f) for f in r.kept],
             "rolled_back": [dict(where(b.finding), case=b.case, message=b.message) for b in r.rolled_back],
             "note": r.note} for r in proof.rows]
