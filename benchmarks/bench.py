#!/usr/bin/env python3
"""Time `qtfix check` on a synthetic legacy Qt test tree, against clang-tidy
and against a bare libclang parse of the same files.

    python benchmarks/bench.py --files 100 [--jobs J] [--keep DIR] [--json OUT]
    python benchmarks/bench.py --files 100,1000      # two sizes: is the growth linear?

For each size the tree comes from generate_tree.py (reused from --keep DIR
when it was made the same way) and every row runs on that tree with the same
compile_commands.json. README.md beside this file says what each row means.

Wall seconds are what a user waits. On a shared machine other processes
steal cores, so CPU seconds (user + system of the row's whole process tree)
are printed too; they move much less with load. Peak memory is the peak
resident set (VmHWM) of each process, sampled from /proc while it runs; the
exact maximum over the row's process tree (wait4) goes into --json beside it.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate_tree  # noqa: E402  (a sibling script, not a package)

CLANG_TIDY_VERSION = "22.1.8"  # same LLVM major as qtfix's libclang-ng 22; see requirements.txt
TIDY_CHECKS = "-*,cppcoreguidelines-owning-memory,bugprone-unused-return-value"
TARGET_COLD_VS_TIDY = 0.10
TARGET_WARM_VS_COLD = 0.05
TARGET_WORKER_MB = 500
SKIPPABLE = frozenset({"prebuilt", "pch", "nocache1", "nocache", "tidy", "floor", "floor-nopch"})


# -- measuring one command ---------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                found += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return found


def _hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None  # gone, or a zombie (no memory left to report)


class TreeSampler(threading.Thread):
    """Peak RSS of a process and of each of its descendants, polled from /proc."""

    def __init__(self, root: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peaks: dict[int, int] = {}
        self._done = threading.Event()  # not `_stop`: Thread has its own

    def run(self) -> None:
        while not self._done.is_set():
            todo = [self.root]
            while todo:
                pid = todo.pop()
                kb = _hwm_kb(pid)
                if kb is not None and kb > self.peaks.get(pid, 0):
                    self.peaks[pid] = kb
                todo += _children(pid)
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()

    @property
    def root_kb(self) -> int:
        return self.peaks.get(self.root, 0)

    @property
    def descendants_kb(self) -> int:
        return max((kb for pid, kb in self.peaks.items() if pid != self.root), default=0)


@dataclass
class Run:
    wall: float
    cpu: float
    returncode: int
    tree_peak_kb: int  # exact: the largest process of the tree (wait4)
    main_peak_kb: int = 0  # sampled: the launched process
    worker_peak_kb: int = 0  # sampled: its largest descendant (a worker)
    stdout: str = ""
    stderr: str = ""


# Set by main(): the environment every measured command runs in (PYTHONPATH
# pointing at the qtfix snapshot).
ENV: dict[str, str] | None = None


def measure(cmd: list[str], cwd: Path | None = None, sample: bool = True) -> Run:
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=ENV)
        sampler = TreeSampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        if sampler:
            sampler.stop()
        out.seek(0)
        err.seek(0)
        return Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, returncode=proc.returncode,
                   tree_peak_kb=usage.ru_maxrss,
                   main_peak_kb=sampler.root_kb if sampler else usage.ru_maxrss,
                   worker_peak_kb=sampler.descendants_kb if sampler else 0,
                   stdout=out.read(), stderr=err.read())


# -- the rows ----------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    files: int
    wall: float
    cpu: float
    worker_mb: float  # peak RSS of the largest worker (or single process)
    main_mb: float = 0.0  # peak RSS of the driving process, where it is not the worker
    tree_mb: float = 0.0  # exact peak of the largest process in the row's tree (wait4), a check on the sampling
    note: str = ""

    @property
    def files_per_s(self) -> float:
        return self.files / self.wall if self.wall > 0 else float("inf")


class BenchError(Exception):
    pass


def _mb(kb: int) -> float:
    return kb / 1024.0


def qtfix_row(key: str, label: str, n: int, tree: Path, cache_dir: Path, jobs: int, extra: list[str] = ()) -> Row:
    cmd = [sys.executable, "-m", "qtfix", "check", str(tree / "tests"), "-p", str(tree / "build"),
           "--jobs", str(jobs), "--cache-dir", str(cache_dir), *extra]
    r = measure(cmd)
    if r.returncode not in (0, 1):  # 1 means findings, which the tree has
        raise BenchError(f"{label}: qtfix exited {r.returncode}:\n{r.stderr[-3000:]}")
    findings = sum(1 for line in r.stdout.splitlines() if line.strip())
    cached = sum(1 for line in r.stderr.splitlines() if line.endswith("(cached)"))
    note = f"{findings} findings" + (f", {cached} files from cache" if cached else "")
    # With one file qtfix parses in-process; otherwise the workers do the parsing.
    worker = r.worker_peak_kb or r.tree_peak_kb
    return Row(key, label, n, r.wall, r.cpu, _mb(worker), _mb(r.main_peak_kb), _mb(r.tree_peak_kb), note)


def pch_build_row(n: int, tree: Path, cache_dir: Path) -> Row:
    """The precompiled header alone, built the way `qtfix check` builds it."""
    code = (
        "import sys; from pathlib import Path\n"
        "from qtfix.project import FlagSource, collect_files\n"
        "from qtfix.pch import PchCache\n"
        "files = collect_files([Path(sys.argv[1])])\n"
        "args, _ = FlagSource(Path(sys.argv[2])).args_for_all(files)\n"
        "built = [PchCache(Path(sys.argv[3])).ensure(a) for a in dict.fromkeys(args.values())]\n"
        "print(len(built), sum(1 for b in built if b))\n"
    )
    r = measure([sys.executable, "-c", code, str(tree / "tests"), str(tree / "build"), str(cache_dir)])
    if r.returncode != 0:
        raise BenchError(f"PCH build failed:\n{r.stderr[-3000:]}")
    sets, built = r.stdout.split()
    return Row("pch_build", "  PCH build alone (in the main process)", n, r.wall, r.cpu, _mb(r.tree_peak_kb),
               note=f"{built} of {sets} flag set(s)")


def floor_row(key: str, label: str, n: int, tree: Path, cache_dir: Path, jobs: int, pch: bool) -> Row:
    cmd = [sys.executable, str(HERE / "parse_floor.py"), str(tree / "tests"), "-p", str(tree / "build"),
           "--jobs", str(jobs), "--cache-dir", str(cache_dir)] + ([] if pch else ["--no-pch"])
    r = measure(cmd)
    if r.returncode != 0:
        raise BenchError(f"{label}: exited {r.returncode}:\n{r.stderr[-3000:]}")
    return Row(key, label, n, r.wall, r.cpu, _mb(r.worker_peak_kb or r.tree_peak_kb), _mb(r.main_peak_kb), _mb(r.tree_peak_kb))


def ensure_clang_tidy() -> Path:
    try:
        installed = importlib.metadata.version("clang-tidy")
    except importlib.metadata.PackageNotFoundError:
        installed = None
    if installed != CLANG_TIDY_VERSION:
        print(f"installing clang-tidy=={CLANG_TIDY_VERSION} (found {installed or 'none'})", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(HERE / "requirements.txt")], check=True)
        importlib.invalidate_caches()
    import clang_tidy

    # The binary itself: the console script (or a pyenv shim) would add a
    # Python start-up to every file.
    return Path(clang_tidy.get_executable("clang-tidy"))


def qt_system_dirs() -> list[str]:
    """The Qt include folders, passed again as -isystem: clang then treats them
    as system headers (a folder given both ways counts as -isystem) and
    clang-tidy reports, and spends, nothing on Qt's own code."""
    out = subprocess.run(["pkg-config", "--cflags-only-I", *generate_tree.QT_PKG_MODULES],
                         capture_output=True, text=True, check=True).stdout.split()
    return [a[2:] for a in out if a.startswith("-I")]


def clang_tidy_row(n: int, tree: Path, jobs: int, exe: Path) -> Row:
    entries = json.loads((tree / "build" / "compile_commands.json").read_text(encoding="utf-8"))
    extra = [f"--extra-arg=-isystem{d}" for d in qt_system_dirs()]
    results: list[Run] = []

    def one(entry: dict) -> Run:
        cmd = [str(exe), "-p", str(tree / "build"), "--quiet", f"-checks={TIDY_CHECKS}", *extra, entry["file"]]
        return measure(cmd, sample=False)

    start = time.monotonic()
    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(one, entries))
    wall = time.monotonic() - start
    failed = [(e["file"], r) for e, r in zip(entries, results) if r.returncode != 0]
    if failed:
        path, r = failed[0]
        raise BenchError(f"clang-tidy failed on {len(failed)} file(s), first {path}:\n{(r.stdout + r.stderr)[-3000:]}")
    warnings = sum(r.stdout.count(": warning: ") for r in results)
    return Row("tidy", f"clang-tidy, {jobs} at once", n, wall, sum(r.cpu for r in results),
               _mb(max(r.tree_peak_kb for r in results)), note=f"{warnings} warnings")


# -- which qtfix -----------------------------------------------------------------------


def snapshot_qtfix(repo: Path, into: Path, worktree: bool, rev: str = "HEAD") -> str:
    """A frozen copy of qtfix for the whole run; returns what it was made from.

    The incremental cache keys on qtfix's own source (engine and codemods):
    with an editable install, an edit to the work tree halfway through the run
    would turn the warm run into a cold one, and the rows would measure
    different code. Every measured command imports qtfix from this copy
    (PYTHONPATH comes before the editable install's finder).
    """
    into.mkdir(parents=True)
    source = _copy_qtfix(repo, into, worktree, rev)
    # Byte-compiled as `pip install` does: with PYTHONDONTWRITEBYTECODE set
    # (it is on the development machine) every run would otherwise compile
    # qtfix's 25 modules again, 0.1 s that a warm run of 100 files notices.
    compileall.compile_dir(str(into), quiet=1)
    return source


def _copy_qtfix(repo: Path, into: Path, worktree: bool, rev: str) -> str:
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", f"{rev}^{{commit}}"], capture_output=True, text=True)
    if head.returncode != 0 and not worktree and rev != "HEAD":
        raise BenchError(f"--rev {rev}: not a commit of {repo}")
    if worktree or head.returncode != 0:
        import qtfix
        import qtfix.codemods

        shutil.copytree(Path(qtfix.__file__).parent, into / "qtfix", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(Path(qtfix.codemods.__file__).parent, into / "qtfix" / "codemods",
                        ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        return f"the installed qtfix ({Path(qtfix.__file__).parent}) as it was at the start"
    archive = subprocess.run(["git", "-C", str(repo), "archive", head.stdout.strip(), "src/qtfix", "codemods"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    (into / "src" / "qtfix").rename(into / "qtfix")
    (into / "codemods").rename(into / "qtfix" / "codemods")
    return f"qtfix at commit {head.stdout.strip()} ({rev} of {repo})"


# -- one size ------------------------------------------------------------------------


def prepare_tree(n: int, keep: Path | None, seed: int, scratch: Path) -> Path:
    tree = (keep / f"n{n}") if keep else (scratch / f"tree-n{n}")
    wanted = generate_tree.manifest_for(n, seed, moc=True)
    manifest = tree / "tree.json"
    if manifest.is_file() and json.loads(manifest.read_text(encoding="utf-8")) == wanted:
        print(f"reusing the {n}-file tree in {tree}", file=sys.stderr)
        return tree
    print(f"generating {n} files in {tree} (moc included)", file=sys.stderr)
    generate_tree.generate(n, tree, seed, moc=True)
    return tree


def run_size(n: int, jobs: int, keep: Path | None, seed: int, skip: set[str], scratch: Path, tidy_exe: Path | None,
             progress=lambda result: None) -> dict:
    """Every row for one size; `progress(result so far)` after each row, so
    a run stopped halfway still leaves its numbers behind."""
    tree = prepare_tree(n, keep, seed, scratch)
    rows: list[Row] = []
    result = {"files": n, "tree": str(tree), "jobs": jobs, "load_before": os.getloadavg(), "load_after": None, "rows": []}

    def step(what: str, make) -> None:
        print(f"[{n} files] {what} ...", file=sys.stderr, flush=True)
        row = make()
        rows.append(row)
        result.update(load_after=os.getloadavg(), rows=[asdict(r) for r in rows])
        progress(result)
        print(f"[{n} files] {what}: {row.wall:.1f} s wall, {row.cpu:.1f} s CPU", file=sys.stderr, flush=True)

    cold = scratch / f"cache-cold-n{n}"
    prebuilt = scratch / f"cache-prebuilt-n{n}"
    step("qtfix cold", lambda: qtfix_row("cold", f"qtfix check, cold (new cache: PCH build + analysis), -j{jobs}", n, tree, cold, jobs))
    if "pch" not in skip:
        step("PCH build alone", lambda: pch_build_row(n, tree, scratch / f"cache-pch-only-n{n}"))
    # A fresh result cache with the precompiled header already there.
    if "prebuilt" not in skip:
        shutil.copytree(cold / "pch", prebuilt / "pch")
        step("qtfix cold, PCH prebuilt", lambda: qtfix_row("cold_prebuilt", f"qtfix check, cold, PCH already built, -j{jobs}", n, tree, prebuilt, jobs))
    step("qtfix warm", lambda: qtfix_row("warm", f"qtfix check, warm (unchanged tree), -j{jobs}", n, tree, cold, jobs))
    if "nocache1" not in skip:
        step("qtfix --no-cache -j1", lambda: qtfix_row("nocache_j1", "qtfix check --no-cache, -j1", n, tree, cold, 1, ["--no-cache"]))
    if "nocache" not in skip:
        step(f"qtfix --no-cache -j{jobs}", lambda: qtfix_row("nocache", f"qtfix check --no-cache, -j{jobs}", n, tree, cold, jobs, ["--no-cache"]))
    if "tidy" not in skip and tidy_exe is not None:
        step("clang-tidy", lambda: clang_tidy_row(n, tree, jobs, tidy_exe))
    if "floor" not in skip:
        step("floor, PCH", lambda: floor_row("floor_pch", f"floor: bare libclang parse, PCH, -j{jobs}", n, tree, cold, jobs, True))
        if "floor-nopch" not in skip:
            step("floor, no PCH", lambda: floor_row("floor_nopch", f"floor: bare libclang parse, no PCH, -j{jobs}", n, tree, cold, jobs, False))
    return result


# -- report --------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _fmt_ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _verdict(x: float | None, limit: float) -> str:
    return "n/a" if x is None else ("PASS" if x <= limit else "FAIL")


def report_size(result: dict) -> str:
    rows = {r["key"]: r for r in result["rows"]}
    n = result["files"]
    lines = [f"## {n} files, --jobs {result['jobs']}  (load average before {result['load_before'][0]:.2f}, "
             f"after {result['load_after'][0]:.2f})", ""]
    lines.append(f"| {'run':<62} | {'wall s':>8} | {'files/s':>8} | {'CPU s':>8} | {'peak MB/worker':>14} | {'main MB':>7} | note")
    lines.append(f"|{'-' * 64}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 16}|{'-' * 9}|------")
    for r in result["rows"]:
        fps = r["files"] / r["wall"] if r["wall"] else float("inf")
        main = f"{r['main_mb']:.0f}" if r["main_mb"] else ""
        lines.append(f"| {r['label']:<62} | {r['wall']:>8.1f} | {fps:>8.2f} | {r['cpu']:>8.1f} | "
                     f"{r['worker_mb']:>14.0f} | {main:>7} | {r['note']}")

    def get(key: str, what: str = "wall") -> float | None:
        return rows[key][what] if key in rows else None

    lines += ["", "| ratio | wall | CPU | target | verdict (wall) |", "|---|---|---|---|---|"]
    pairs = [
        ("qtfix cold / clang-tidy", "cold", "tidy", TARGET_COLD_VS_TIDY),
        ("qtfix cold, PCH prebuilt / clang-tidy", "cold_prebuilt", "tidy", None),
        ("qtfix warm / qtfix cold", "warm", "cold", TARGET_WARM_VS_COLD),
        ("qtfix --no-cache / floor with PCH", "nocache", "floor_pch", None),
        ("qtfix cold, PCH prebuilt / floor with PCH", "cold_prebuilt", "floor_pch", None),
        ("floor with PCH / clang-tidy", "floor_pch", "tidy", None),
        ("floor with PCH / floor without", "floor_pch", "floor_nopch", None),
        ("qtfix --no-cache -j1 / -jJ", "nocache_j1", "nocache", None),
    ]
    for name, a, b, target in pairs:
        if a not in rows or b not in rows:
            continue
        w, c = _ratio(get(a), get(b)), _ratio(get(a, "cpu"), get(b, "cpu"))
        verdict = _verdict(w, target) if target is not None else ""
        tgt = f"<= {target:g}" if target is not None else ""
        lines.append(f"| {name} | {_fmt_ratio(w)} | {_fmt_ratio(c)} | {tgt} | {verdict} |")
    if "cold" in rows and "pch_build" in rows and "tidy" in rows:
        w = _ratio(get("cold") - get("pch_build"), get("tidy"))
        c = _ratio(get("cold", "cpu") - get("pch_build", "cpu"), get("tidy", "cpu"))
        lines.append(f"| (qtfix cold - PCH build alone) / clang-tidy | {_fmt_ratio(w)} | {_fmt_ratio(c)} | | |")
    qtfix_workers = [r["worker_mb"] for r in result["rows"] if r["key"] in ("cold", "cold_prebuilt", "warm", "nocache_j1", "nocache")]
    qtfix_mains = [r["main_mb"] for r in result["rows"] if r["key"] in ("cold", "cold_prebuilt", "warm", "nocache_j1", "nocache")]
    peak = max(qtfix_workers, default=0.0)
    lines.append(f"| qtfix peak RSS per worker (MB) | {peak:.0f} | | < {TARGET_WORKER_MB} | "
                 f"{'PASS' if peak < TARGET_WORKER_MB else 'FAIL'} |")
    lines.append(f"| qtfix main process peak RSS (MB) | {max(qtfix_mains, default=0.0):.0f} | | | |")
    return "\n".join(lines)


def report_growth(results: list[dict]) -> str:
    if len(results) < 2:
        return ""
    small, large = results[0], results[-1]
    rs = {r["key"]: r for r in small["rows"]}
    rl = {r["key"]: r for r in large["rows"]}
    lines = [f"## Growth from {small['files']} to {large['files']} files (per-file cost; 1.00 = linear)", "",
             f"| run | ms/file at {small['files']} (wall) | ms/file at {large['files']} (wall) | ratio wall | ratio CPU |",
             "|---|---|---|---|---|"]
    for key, r in rl.items():
        if key not in rs or key == "pch_build":
            continue
        a = rs[key]
        ws, wl = a["wall"] / a["files"] * 1000, r["wall"] / r["files"] * 1000
        cs, cl = a["cpu"] / a["files"], r["cpu"] / r["files"]
        lines.append(f"| {r['label']} | {ws:.0f} | {wl:.0f} | {wl / ws:.2f} | {cl / cs:.2f} |")
    return "\n".join(lines)


def machine_details() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass

    def version(pkg: str) -> str:
        try:
            return importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    qt = subprocess.run(["pkg-config", "--modversion", "Qt6Core"], capture_output=True, text=True).stdout.strip()
    return (f"machine: {os.cpu_count()} cores ({model}), {mem} RAM, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, qtfix {version('qtfix')}, libclang-ng {version('libclang-ng')}, "
            f"clang-tidy {version('clang-tidy')}, Qt {qt}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", default="100", help="tree size, or sizes separated by commas (e.g. 100,1000)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="qtfix workers and clang-tidy processes at once")
    ap.add_argument("--keep", type=Path, default=None, help="keep (and reuse) the generated trees under DIR/nN")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip", default="", help="comma-separated rows to leave out: prebuilt, pch (PCH build alone), nocache1 (-j1), nocache, "
                    "tidy, floor (both floors), floor-nopch")
    ap.add_argument("--json", type=Path, default=None, help="also write every number to this file")
    ap.add_argument("--worktree", action="store_true",
                    help="benchmark the installed qtfix as it is now (uncommitted edits included), not a commit")
    ap.add_argument("--rev", default="HEAD", help="the commit of qtfix to benchmark (default: HEAD of this repository)")
    ap.add_argument("--report", type=Path, nargs="+", metavar="JSON", default=None,
                    help="run nothing: print the tables from earlier --json files")
    a = ap.parse_args(argv)
    if a.report:
        return report_from_json(a.report)
    try:
        sizes = [int(s) for s in a.files.split(",") if s.strip()]
    except ValueError:
        ap.error("--files takes numbers separated by commas")
    if not sizes or min(sizes) < 2:
        ap.error("--files: at least 2 files (with one, qtfix does not start workers)")
    skip = {s.strip() for s in a.skip.split(",") if s.strip()}
    if skip - SKIPPABLE:
        ap.error(f"--skip: unknown row(s) {', '.join(sorted(skip - SKIPPABLE))}")
    tidy_exe = ensure_clang_tidy() if "tidy" not in skip else None
    global ENV
    results = []
    with tempfile.TemporaryDirectory(prefix="qtfix-bench-") as scratch:
        try:
            source = snapshot_qtfix(HERE.parent, Path(scratch) / "qtfix-src", a.worktree, a.rev)
        except BenchError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 2
        ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(Path(scratch) / "qtfix-src")] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))
        used = subprocess.run([sys.executable, "-c", "import qtfix; print(qtfix.__file__)"], env=ENV,
                              capture_output=True, text=True).stdout.strip()
        if not used.startswith(str(Path(scratch) / "qtfix-src")):
            print(f"bench: the snapshot is not what gets imported ({used})", file=sys.stderr)
            return 2
        details = f"{machine_details()}\nbenchmarked: {source}"
        print(details, file=sys.stderr)
        def save(partial: dict | None = None) -> None:
            if a.json:
                done = results + ([partial] if partial is not None else [])
                a.json.write_text(json.dumps({"machine": details, "results": done}, indent=1) + "\n", encoding="utf-8")

        for n in sorted(sizes):
            try:
                results.append(run_size(n, a.jobs, a.keep.resolve() if a.keep else None, a.seed, skip, Path(scratch),
                                        tidy_exe, progress=save))
            except BenchError as exc:
                print(f"bench: {exc}", file=sys.stderr)
                return 2
            save()
    print(render(details, results))
    return 0


def render(details: str, results: list[dict]) -> str:
    return "\n\n".join([details] + [report_size(r) for r in results] + [report_growth(results)]).rstrip() + "\n"


def report_from_json(paths: list[Path]) -> int:
    """Print the tables again from --json files (several: their sizes side by side)."""
    details, results = [], []
    for p in paths:
        data = json.loads(p.read_text(encoding="utf-8"))
        details.append(data["machine"])
        results += data["results"]
    results.sort(key=lambda r: r["files"])
    print(render("\n".join(dict.fromkeys(details)), results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
