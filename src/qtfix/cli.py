"""The `qtfix` command line: thin typer commands over plain functions.

Output meant for pipes (findings, diffs, JSON) goes to stdout; progress,
notes and errors go to stderr. Exit codes: 0 nothing found / nothing to do,
1 findings (check) or a diff produced (diff), 2 an error.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .batch import Limits, run_tasks
from .cache import CACHE_MAX_ENV, ResultCache, cache_limit_bytes, default_cache_dir, parse_cache_limit, usable_cache_dir
from .codemod import SUPPRESSION_CODES, Options, chosen, discover, select
from .config import ConfigError, Finder, Given, resolve, show_settings
from .pch import PchCache
from .interactive import Answers, NotATerminal, run_review
from .patch import colorize, display_path, unified_diff
from .patch_apply import run_apply_patch
from .sarif import to_sarif
from .export_fixes import to_yaml
from .baseline import new_findings, write_baseline
from .project import FlagSource, UsageError, collect_files
from .report import finding_line, report_json, report_markdown, summarize, summary_table, to_json
from .fileio import LATIN1, MAX_FILE_SIZE_ENV, WriteError, encoding_of, parse_size, to_bytes, write_atomically, write_output
from .results import FileResult, Plan, Skipped, Status, plan
from .runner import Task
from .ctest import BuildError, load_build
from .prove import Files, Proof, Prover, proof_json, proof_markdown, prove
from .suppress import explain as suppression_doc
from .tree import literals_shared_with_helpers

app = typer.Typer(
    name="qtfix",
    help="Find and fix anti-patterns in Qt C++ test code, with libclang and the real Qt headers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"


PathsArg = Annotated[list[Path], typer.Argument(help="C++ files or directories (walked for sources and headers).", show_default=False)]
BuildDirOpt = Annotated[Optional[Path], typer.Option("-p", "--build-dir", help="Build directory holding compile_commands.json.")]
IgnoreOpt = Annotated[Optional[str], typer.Option("--ignore", help="Comma-separated codes or prefixes to skip.")]
QtIncludeOpt = Annotated[Optional[Path], typer.Option("--qt-include", help="Qt include directory (the one holding QtCore/), when pkg-config and qmake cannot find it.")]
TimeoutOpt = Annotated[Optional[int], typer.Option("--timeout", min=1, show_default=False, help="Milliseconds for the bounded waits that fixes insert (default: timeout-ms of the configuration, else 5000).")]
UnsafeOpt = Annotated[Optional[bool], typer.Option("--unsafe-fixes/--no-unsafe-fixes", show_default=False, help="Also apply fixes marked unsafe (default: unsafe-fixes of the configuration, else no).")]
FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
JobsOpt = Annotated[Optional[int], typer.Option("-j", "--jobs", min=1, show_default=False, help="Worker processes (default: jobs of the configuration, else the machine's cores).")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Parse every file again, ignoring the incremental cache.")]
NoPchOpt = Annotated[bool, typer.Option("--no-pch", help="Do not use precompiled Qt headers.")]
CacheDirOpt = Annotated[Optional[Path], typer.Option("--cache-dir", help="Cache folder (default: $QTFIX_CACHE_DIR, else ~/.cache/qtfix).")]
FileTimeoutOpt = Annotated[float, typer.Option("--file-timeout", min=1, help="Seconds one file may take before it is reported as hanging.")]
PartialOpt = Annotated[bool, typer.Option(
    "--allow-unanalysed",
    help="Files that cannot be analysed (do not parse, time out, are binary) are reported on stderr "
         "and in the JSON/report, but do not make the exit code 2: it then says only whether there are findings.",
)]
UnusedSuppressionsOpt = Annotated[bool, typer.Option(
    "--report-unused-suppressions",
    help="Report NOLINT comments naming a qtfix code that suppressed nothing (QF001, with a fix that removes them).",
)]
ExcludeOpt = Annotated[Optional[list[str]], typer.Option(
    "--exclude", metavar="GLOB",
    help="Leave out files under PATHS that match (gitignore syntax, relative to the folder given; repeatable). "
         "Files named on the command line are never left out.",
)]
ExportFixesOpt = Annotated[Optional[Path], typer.Option(
    "--export-fixes", metavar="FILE",
    help="Also write the fixes (those `diff` shows) as clang-tidy's export-fixes YAML, for clang-apply-replacements.")]
SelectOpt = Annotated[Optional[str], typer.Option("--select", help="Comma-separated codes or prefixes to run (default: all).")]
ShowSettingsOpt = Annotated[bool, typer.Option(
    "--show-settings", help="Print the settings each of PATHS gets (configuration files, flags) and where each comes from; analyse nothing.")]
MaxMemoryOpt = Annotated[Optional[int], typer.Option("--max-memory", min=64, help="Address-space limit of a worker, in MB.")]


@dataclass(frozen=True)
class Flags:
    """The options check, diff and apply share, as typed: declared once,
    here (`shared_options` puts them into each command's signature)."""

    build_dir: BuildDirOpt = None
    select_: SelectOpt = None
    ignore: IgnoreOpt = None
    qt_include: QtIncludeOpt = None
    timeout: TimeoutOpt = None
    unsafe_fixes: UnsafeOpt = None
    jobs: JobsOpt = None
    no_cache: NoCacheOpt = False
    no_pch: NoPchOpt = False
    cache_dir: CacheDirOpt = None
    file_timeout: FileTimeoutOpt = 120.0
    max_memory: MaxMemoryOpt = None
    allow_unanalysed: PartialOpt = False
    report_unused: UnusedSuppressionsOpt = False
    exclude: ExcludeOpt = None
    export_fixes: ExportFixesOpt = None


_SHARED = inspect.signature(Flags, eval_str=True).parameters


def shared_options(order: str):
    """A command's parameters in `order` (the order of its --help): names
    of `Flags` are the shared options, the others its own; the command is
    called with its own options and the shared ones as `flags`."""
    names = order.split()

    def wrap(command):
        own = inspect.signature(command, eval_str=True).parameters
        params = [_SHARED[n] if n in _SHARED else own[n] for n in names]

        @functools.wraps(command)
        def with_flags(**given):
            flags = Flags(**{n: given.pop(n) for n in names if n in _SHARED})
            return command(flags=flags, **given)

        with_flags.__signature__ = inspect.Signature(params)
        with_flags.__annotations__ = {p.name: p.annotation for p in params}
        return with_flags

    return wrap


@dataclass(frozen=True)
class RunConfig:
    """What a run analyses and how: the command line's choices, with the
    configuration files filling in what it left unset."""

    paths: tuple[Path, ...]
    build_dir: Path | None = None
    qt_include: Path | None = None
    given: Given = Given()  # what the command line set; configuration files fill in the rest per file
    options: Options = Options()
    unsafe_fixes: bool = False  # run-wide: the flag, else the configuration of the first PATH
    limits: Limits = Limits()  # the worker pool's
    cache: bool = True
    pch: bool = True
    cache_dir: Path | None = None
    verify: bool = False
    finder: Finder = field(default_factory=Finder, compare=False)


def _codes(value: str | None) -> tuple[str, ...] | None:
    """A comma-separated --select/--ignore as codes; None when not given."""
    return None if value is None else tuple(p.strip() for p in value.split(",") if p.strip())


def fail(message: str) -> typer.Exit:
    err.print(f"qtfix: error: {message}", markup=False)
    return typer.Exit(code=2)


def run_analysis(cfg: RunConfig, on_result=None) -> list[FileResult]:
    """Analyse every file (in parallel for several); `on_result(result)` is
    called as each file finishes, before the progress display moves on."""
    files, args, left_out, what = _plan_files(cfg)
    cache_dir, warning = usable_cache_dir(cfg.cache_dir or default_cache_dir())
    if warning:
        err.print(f"qtfix: warning: {warning}", markup=False)
    pch_for: dict[tuple[str, ...], Path | None] = {}
    if cfg.pch:
        pchs = PchCache(cache_dir)
        pch_for = pchs.ensure_all(list(dict.fromkeys(args.values())), cfg.limits.jobs)
        if pchs.problem:
            err.print(f"note: {pchs.problem}", markup=False)
    shared = literals_shared_with_helpers(files)
    tasks = [
        Task(f, args[f], codes, replace(options, shared_literals=_literals(shared.get(f, ()))),
             cache_dir=cache_dir if cfg.cache else None, pch=pch_for.get(args[f]),
             verify=cfg.verify, unsafe=cfg.unsafe_fixes)
        for f in files for codes, options in [what[f]]
    ]
    with progress_reporter(len(tasks)) as progress:

        def finished(result: FileResult) -> None:
            if on_result is not None:
                on_result(result)
            progress(result)

        results = run_tasks(tasks, cfg.limits, finished)
    if cfg.cache:
        ResultCache(cache_dir).prune(cache_limit_bytes())
    results += [Skipped(f, why, left_out=True) for f, why in left_out.items()]
    for r in results:
        if r.status is not Status.CHECKED:
            err.print(f"{display_path(r.path)}: {r.status.value}: {r.reason}", markup=False)
        elif r.source is not None and encoding_of(r.source) == LATIN1:
            err.print(f"{display_path(r.path)}: note: not UTF-8, read as {LATIN1}; bytes outside the fixes are kept as they are",
                      markup=False)
    return results


def _literals(spelled) -> tuple[str, ...]:
    return tuple(sorted(x.decode("utf-8", "replace") for x in spelled))


def _plan_files(cfg: RunConfig):
    """(the files to analyse, their arguments, the files the build leaves
    out with why, each file's codemod codes and options); a usage error
    (a bad configuration file included) ends the run."""
    given, known = cfg.given, discover()
    try:
        select(known, list(given.select or ()), list(given.ignore or ()))  # unknown codes first
        files = _collect(cfg)
        what = {f: _codemods_for(cfg, f, known) for f in files}
        args, left_out = FlagSource(cfg.build_dir, cfg.qt_include).args_for_all(files)
    except (UsageError, ValueError) as exc:
        raise fail(str(exc)) from None
    return [f for f in files if f not in left_out], args, left_out, what


def _collect(cfg: RunConfig) -> list[Path]:
    """The files of PATHS; exclude comes from --exclude, else from each file's configuration."""
    if cfg.given.exclude is not None:
        return collect_files(cfg.paths, cfg.given.exclude)

    def excluded(file: Path) -> bool:
        config = cfg.finder.for_file(file)
        return config is not None and config.excludes(file)

    return collect_files(cfg.paths, skip=excluded)


def _codemods_for(cfg: RunConfig, file: Path, known) -> tuple[tuple[str, ...], Options]:
    """The codes run on `file` and its options: the command line, else its configuration file."""
    resolved = resolve(cfg.finder.for_file(file), cfg.given, file)
    chooser, ignore = list(resolved.settings.select), list(resolved.ignore)
    codes = resolved.codes(known)
    # QF002 goes with select/ignore like a codemod; QF001 is asked for
    # by its own flag, which select does not take back (ignore does)
    unused, invalid = SUPPRESSION_CODES
    suppression = tuple(c for c, pick in ((unused, []), (invalid, chooser)) if chosen(c, pick, ignore))
    return codes, replace(cfg.options, timeout_ms=resolved.settings.timeout_ms, suppression_codes=suppression)


@contextmanager
def progress_reporter(total: int):
    """A live bar on a terminal, a plain line per file otherwise; nothing for one file."""
    if total <= 1:
        yield lambda r: None
        return
    if err.is_terminal:
        with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task("analysing", total=total)
            yield lambda r: bar.update(task, advance=1, description=f"analysing {display_path(r.path)}")
        return
    done = 0

    def line(r: FileResult) -> None:
        nonlocal done
        done += 1
        what = f"{len(r.reported)} finding(s)" if r.status is Status.CHECKED else r.status.value
        err.print(f"[{done}/{total}] {display_path(r.path)}: {what}{' (cached)' if r.cached else ''}", markup=False)

    yield line


def _describe(f) -> str:
    return f"{display_path(f.path)}:{f.line}:{f.column}"


def make_plan(results: list[FileResult], unsafe: bool) -> Plan:
    p = plan(results, unsafe, describe=_describe)
    for finding, note in p.resolution.dropped:
        err.print(f"note: {note}", markup=False)
    return p


def _exit_code_for_problems(results: list[FileResult], allow_unanalysed: bool = False) -> int:
    """2 when a file could not be analysed (unless allowed); files the build
    leaves out are listed, never an error."""
    unanalysed = [r for r in results if r.status is not Status.CHECKED and not r.left_out]
    left_out = sum(1 for r in results if r.left_out)
    if (unanalysed or left_out) and len(results) > 1:
        failed = sum(1 for r in unanalysed if r.status is Status.FAILED)
        parts = [f"{failed} failed", f"{len(unanalysed) - failed} skipped"]
        if left_out:
            parts.append(f"{left_out} not compiled by the build")
        err.print(f"{len(unanalysed) + left_out} of {len(results)} files not analysed ({', '.join(parts)})", markup=False)
    return 2 if unanalysed and not allow_unanalysed else 0


def _config(paths, flags: Flags, verify: bool = False) -> RunConfig:
    """The command line's choices; run-wide keys the command line left
    unset (unsafe-fixes, jobs) come from the configuration of the first PATH."""
    given = Given(
        select=_codes(flags.select_), ignore=_codes(flags.ignore),
        exclude=tuple(flags.exclude) if flags.exclude else None,
        timeout_ms=flags.timeout, unsafe_fixes=flags.unsafe_fixes, jobs=flags.jobs,
    )
    finder = Finder()
    try:
        run = resolve(finder.for_file(Path(paths[0])), given).settings
    except ConfigError as exc:
        raise fail(str(exc)) from None
    return RunConfig(
        paths=tuple(paths), build_dir=flags.build_dir, qt_include=flags.qt_include, given=given,
        options=Options(report_unused_suppressions=flags.report_unused), unsafe_fixes=run.unsafe_fixes,
        limits=Limits(jobs=run.jobs, file_timeout=flags.file_timeout, max_memory_mb=flags.max_memory),
        cache=not flags.no_cache, pch=not flags.no_pch, cache_dir=flags.cache_dir, verify=verify, finder=finder,
    )


@app.command()
@shared_options("paths build_dir select_ ignore format qt_include timeout jobs no_cache no_pch cache_dir file_timeout "
                "max_memory allow_unanalysed report_unused exclude baseline baseline_write settings export_fixes")
def check(
    flags: Flags,
    paths: PathsArg,
    format: FormatOpt = Format.text,
    baseline: Annotated[Optional[Path], typer.Option("--baseline", metavar="FILE", help="Report (and fail on) only findings not in this baseline.")] = None,
    baseline_write: Annotated[Optional[Path], typer.Option("--baseline-write", metavar="FILE", help="Record today's findings as the baseline and exit 0.")] = None,
    settings: ShowSettingsOpt = False,
) -> None:
    """Report findings. Exit 1 when there are any, 2 on errors (files that
    could not be analysed included, unless --allow-unanalysed)."""
    if baseline is not None and baseline_write is not None:
        raise fail("--baseline and --baseline-write go one at a time")
    cfg = _config(paths, flags)
    build_dir, export_fixes = flags.build_dir, flags.export_fixes
    if settings:
        raise typer.Exit(code=_show_settings(cfg))
    _output_folder_exists(export_fixes)
    results = run_analysis(cfg)
    if baseline_write is not None:
        raise typer.Exit(code=_write_baseline(baseline_write, results, build_dir, flags.allow_unanalysed))
    if baseline is not None:
        results = _against_baseline(baseline, results)
    if export_fixes is not None:
        _export_fixes(export_fixes, results, plan(results, cfg.unsafe_fixes, describe=_describe), build_dir)
    findings = [f for r in results for f in r.reported]
    if format is Format.json:
        sys.stdout.write(to_json(results))
    elif format is Format.sarif:
        sys.stdout.write(to_sarif(results, discover()))
    else:
        _print_findings(findings, sum(r.suppressed for r in results))
    problems = _exit_code_for_problems(results, flags.allow_unanalysed)
    raise typer.Exit(code=problems or (1 if findings else 0))


def _print_findings(findings, suppressed: int) -> None:
    for f in findings:
        print(finding_line(f))
    quiet = f"{suppressed} suppressed" if suppressed else ""
    if findings:
        fixable = sum(1 for f in findings if f.fix is not None)
        err.print(f"{len(findings)} finding(s), {fixable} with a fix (`qtfix diff` shows them)"
                  + (f"; {quiet}" if quiet else ""), markup=False)
    elif quiet:
        err.print(f"no findings; {quiet}", markup=False)


def _output_folder_exists(path: Path | None) -> None:
    """An output file's folder must exist before the analysis starts."""
    if path is not None and not path.absolute().parent.is_dir():
        raise fail(f"{path}: no such folder {path.absolute().parent}; nothing was written")


def _export_fixes(path: Path, results: list[FileResult], p: Plan, build_dir: Path | None) -> None:
    try:
        write_output(path, to_bytes(to_yaml(results, p)), _files_read(results, build_dir))
    except WriteError as exc:
        raise fail(f"{exc}; the fixes were not exported") from None
    err.print(f"wrote {display_path(path)} ({len(p.resolution.accepted)} fix(es) for clang-apply-replacements)",
              markup=False)


def _show_settings(cfg: RunConfig) -> int:
    """check --show-settings: what each PATH gets, and from where."""
    given = cfg.given
    try:
        for path in _collect(cfg):
            print(show_settings(path, resolve(cfg.finder.for_file(path), given, path), discover()), end="")
    except (UsageError, ValueError) as exc:
        raise fail(str(exc)) from None
    return 0


def _write_baseline(path: Path, results: list[FileResult], build_dir: Path | None, allow_unanalysed: bool) -> int:
    try:
        n = write_baseline(path, results, _files_read(results, build_dir))
    except WriteError as exc:
        raise fail(str(exc)) from None
    err.print(f"{n} finding(s) recorded in the baseline {display_path(path)}", markup=False)
    return _exit_code_for_problems(results, allow_unanalysed)


def _against_baseline(path: Path, results: list[FileResult]) -> list[FileResult]:
    try:
        filtered = new_findings(results, path)
    except UsageError as exc:
        raise fail(str(exc)) from None
    err.print(f"baseline {display_path(path)}: {filtered.known} known finding(s) not shown, "
              f"{filtered.gone} fixed since the baseline", markup=False)
    return filtered.results


def _files_read(results: list[FileResult], build_dir: Path | None) -> list[Path]:
    """What an output file must never be: an analysed file or the database."""
    reads = [r.path for r in results]
    if build_dir is not None:
        reads += [build_dir, build_dir / "compile_commands.json"]
    return reads


@app.command()
@shared_options("paths build_dir select_ ignore qt_include timeout unsafe_fixes output color jobs no_cache no_pch "
                "cache_dir file_timeout max_memory allow_unanalysed report_unused exclude export_fixes")
def diff(
    flags: Flags,
    paths: PathsArg,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write the patch to this file instead of stdout.")] = None,
    color: Annotated[Optional[bool], typer.Option("--color/--no-color", help="Color the diff (default: when stdout is a terminal).")] = None,
) -> None:
    """Print the fixes as one unified diff (git apply / patch -p1). Exit 1 when there is one."""
    cfg = _config(paths, flags)
    build_dir, export_fixes = flags.build_dir, flags.export_fixes
    _output_folder_exists(export_fixes)
    results = run_analysis(cfg)
    p = make_plan(results, cfg.unsafe_fixes)
    if export_fixes is not None:
        _export_fixes(export_fixes, results, p, build_dir)
    try:
        patch = unified_diff(p.old_contents, p.new_contents)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if output is not None:
        try:
            write_output(output, to_bytes(patch), _files_read(results, build_dir))
        except WriteError as exc:
            raise fail(f"{exc}; the patch was not written") from None
        err.print(f"wrote {output} ({len(p.new_contents)} file(s), {len(p.resolution.accepted)} fix(es))", markup=False)
    else:
        use_color = sys.stdout.isatty() if color is None else color
        sys.stdout.write(colorize(patch) if use_color else patch)
    problems = _exit_code_for_problems(results, flags.allow_unanalysed)
    raise typer.Exit(code=problems or (1 if patch else 0))


@app.command()
@shared_options("paths build_dir select_ ignore qt_include timeout unsafe_fixes interactive answers patch_file check_patch "
                "allow_create allow_delete jobs no_cache no_pch cache_dir file_timeout max_memory allow_unanalysed exclude "
                "verify verify_tests max_rebuilds report report_unused")
def apply(
    flags: Flags,
    paths: Annotated[Optional[list[Path]], typer.Argument(help="C++ files or directories (walked for sources and headers); none with --patch.", show_default=False)] = None,
    interactive: Annotated[bool, typer.Option("-i", "--interactive", help="Review fix by fix, as `git add -p` (y,n,a,d,q,s,e,?); each file is written once all its fixes are answered. Needs a terminal, or --answers.")] = False,
    answers: Annotated[Optional[str], typer.Option("--answers", metavar="FILE", help="Answers for --interactive (implies it) when stdin is not a terminal: one key per line, as typed at the prompt; '-' reads them from stdin.")] = None,
    patch_file: Annotated[Optional[str], typer.Option("--patch", metavar="FILE", help="Apply a saved patch (e.g. from `qtfix diff -o`; '-' for stdin) after checking every hunk against the files; stale files are refused whole.")] = None,
    check_patch: Annotated[bool, typer.Option("--check", help="With --patch: report what would apply, write nothing.")] = False,
    allow_create: Annotated[bool, typer.Option("--allow-create", help="With --patch: allow it to create files.")] = False,
    allow_delete: Annotated[bool, typer.Option("--allow-delete", help="With --patch: allow it to delete files.")] = False,
    verify: Annotated[bool, typer.Option("--verify", help="Compile each fixed file; roll back exactly the fixes that break it. --verify=tests: rebuild and run the tests built from the fixed files (CTest, -p BUILD) and keep only the fixes that keep them green.")] = False,
    verify_tests: Annotated[bool, typer.Option("--verify-tests", hidden=True)] = False,
    max_rebuilds: Annotated[int, typer.Option("--max-rebuilds", min=1, help="With --verify=tests: at most this many rebuilds while bisecting failing tests to the fixes that break them.")] = 12,
    report: Annotated[Optional[Path], typer.Option("--report", help="Write a per-file report: FILE.md (Markdown) or FILE.json.")] = None,
) -> None:
    """Write the fixes in place (atomically, permissions kept); or review them first (--interactive); or apply a saved patch (--patch)."""
    if patch_file is not None:
        if paths or interactive or answers is not None:
            raise fail("--patch applies a saved patch: it takes no PATHS, --interactive or --answers")
        raise typer.Exit(code=run_apply_patch(patch_file, check_patch, allow_create, allow_delete, sys.stdout, sys.stderr))
    if check_patch or allow_create or allow_delete:
        raise fail("--check, --allow-create and --allow-delete go with --patch FILE")
    if not paths:
        raise fail("give the C++ files or directories to fix (or --patch FILE)")
    cfg = _config(paths, flags, verify)
    allow_unanalysed = flags.allow_unanalysed
    if interactive or answers is not None:
        try:
            source = Answers.open(answers)
        except NotATerminal as exc:
            raise fail(str(exc)) from None
        results = run_analysis(replace(cfg, verify=False))
        code = run_review(results, cfg.unsafe_fixes, source)
        raise typer.Exit(code=code if code else _exit_code_for_problems(results, allow_unanalysed))
    if report is not None and report.suffix.lower() not in (".md", ".json"):
        raise fail(f"{report}: --report takes a .md or .json file name")
    if verify_tests:
        raise typer.Exit(code=_apply_proven(cfg, cfg.limits.jobs, max_rebuilds, report))
    raise typer.Exit(code=_apply_in_place(cfg, report, allow_unanalysed))


def _apply_in_place(cfg: RunConfig, report: Path | None, allow_unanalysed: bool) -> int:
    writer = _Writer(cfg.unsafe_fixes)
    try:
        results = run_analysis(cfg, on_result=writer)
    except KeyboardInterrupt:
        done = sum(1 for v in writer.written.values() if v is None)
        err.print(f"interrupted: {done} file(s) were fixed completely, no file was half-written; run the same command again to continue")
        raise typer.Exit(code=130) from None
    summary = summarize(results, writer.applied, writer.written)
    if len(results) > 1:
        err.print(summary_table(summary))
    elif not writer.written:
        err.print("nothing to fix")
    if report is not None:
        _write_report(report, summary, results, cfg.build_dir)
    write_failed = any(v is not None for v in writer.written.values())
    return 2 if write_failed or _exit_code_for_problems(results, allow_unanalysed) else 0


class _Writer:
    """Writes each file as soon as it is analysed: an interrupted batch
    leaves every file either untouched or completely fixed."""

    def __init__(self, unsafe_fixes: bool):
        self.unsafe_fixes = unsafe_fixes
        self.written: dict[Path, str | None] = {}  # path -> None, or why the write failed
        self.applied: list = []

    def __call__(self, result: FileResult) -> None:
        p = make_plan([result], self.unsafe_fixes)
        for path, new in p.new_contents.items():
            fixes = [f for f in p.resolution.accepted if f.path == path]
            try:
                write_atomically(path, p.old_contents[path], new)
            except WriteError as exc:
                err.print(f"qtfix: error: {exc}", markup=False)
                self.written[path] = str(exc).removeprefix(f"{path}: ")
                continue
            self.written[path] = None
            self.applied.extend(fixes)
            codes = Counter(f.code for f in fixes)
            print(f"fixed {display_path(path)} ({', '.join(f'{c} x{n}' for c, n in sorted(codes.items()))})", flush=True)
        for finding, why in result.rolled_back:
            err.print(f"{display_path(finding.path)}:{finding.line}:{finding.column}: rolled back {finding.code}: "
                      f"with it the file {why}", markup=False)


def _write_report(report: Path, summary, results, build_dir, extra_md: str = "", extra_json=None) -> None:
    if report.suffix.lower() == ".json":
        text = report_json(summary)
        if extra_json is not None:
            text = json.dumps(dict(json.loads(text), tests=extra_json), indent=2, ensure_ascii=False) + "\n"
    else:
        text = report_markdown(summary) + extra_md
    try:
        write_output(report, text.encode("utf-8"), _files_read(results, build_dir))
    except WriteError as exc:
        raise fail(f"{exc}; the report was not written") from None
    err.print(f"wrote {report}", markup=False)


def _apply_proven(cfg: RunConfig, jobs: int, max_rebuilds: int, report: Path | None) -> int:
    """apply --verify=tests: analyse, then write the fixes the tests keep green (prove.py)."""
    if cfg.build_dir is None:
        raise fail("--verify=tests needs the build (-p BUILD): its tests are what the fixes are checked against")
    build_dir = cfg.build_dir.parent if cfg.build_dir.is_file() else cfg.build_dir
    try:
        build = load_build(build_dir)
    except BuildError as exc:
        raise fail(str(exc)) from None
    results = run_analysis(cfg)
    p = make_plan(results, cfg.unsafe_fixes)
    if not p.new_contents:
        err.print("nothing to fix")
        return _exit_code_for_problems(results)
    files = Files(p.old_contents)
    with verify_status() as say:
        prover = Prover(build, files, jobs=max(1, min(jobs, os.cpu_count() or 1)), max_rebuilds=max_rebuilds, say=say)
        try:
            proof = prove(prover, p.resolution.accepted)
        except KeyboardInterrupt:
            files.restore()
            err.print("interrupted: every file is back to its original content; the build directory is usable "
                      "(the next build recompiles what changed)")
            return 130
        except (BuildError, WriteError) as exc:
            files.restore()
            raise fail(f"{exc}; every file is back to its original content") from None
    for b in proof.rolled_back:
        err.print(f"{display_path(b.finding.path)}:{b.finding.line}:{b.finding.column}: rolled back {b.finding.code}: "
                  f"{b.test}::{b.case} fails with it: {b.message}", markup=False)
    changed = [path for path, new in files.current.items() if new != files.originals[path]]
    for path in sorted(changed):
        codes = Counter(f.code for f in proof.kept if path in {e.path for e in f.fix.edits})
        print(f"fixed {display_path(path)} ({', '.join(f'{c} x{n}' for c, n in sorted(codes.items()))})", flush=True)
    err.print(proof_table(proof))
    if report is not None:
        summary = summarize(results, proof.kept, {path: None for path in changed})
        _write_report(report, summary, results, cfg.build_dir, proof_markdown(proof), proof_json(proof))
    regressed = proof.regressed
    for row in regressed:
        err.print(f"qtfix: error: {row.test} is still failing after the rollbacks: {row.note}", markup=False)
    return 2 if regressed else _exit_code_for_problems(results)


@contextmanager
def verify_status():
    """A live status line on a terminal, a plain line per step otherwise."""
    if err.is_terminal:
        with err.status("verify: starting") as status:
            yield lambda msg: status.update(f"verify: {msg}")
        return
    yield lambda msg: err.print(f"verify: {msg}", markup=False)


def proof_table(proof: Proof) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, title_justify="left",
                  title=f"tests: {len(proof.kept)} fix(es) kept, {len(proof.rolled_back)} rolled back, "
                        f"{proof.rebuilds} bisect rebuild(s)")
    for col in ("test", "before", "after", "kept", "rolled back"):
        table.add_column(col)
    for r in proof.rows:
        table.add_row(r.test, r.before.summary(), r.after.summary() if r.after else "not run",
                      str(len(r.kept)), str(len(r.rolled_back)))
    return table


@app.command("list")
def list_() -> None:
    """The catalogue: codes, names, fix safety and a one-line summary."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    for col in ("code", "name", "fix", "summary"):
        table.add_column(col, overflow="fold")
    for code, cls in discover().items():
        table.add_row(code, cls.name, cls.safety.value, cls.summary)
    Console(highlight=False, soft_wrap=False, width=200 if not sys.stdout.isatty() else None).print(table)


@app.command()
def explain(code: Annotated[str, typer.Argument(help="A codemod code such as QF102.")]) -> None:
    """Print a codemod's documentation."""
    codemods = discover()
    cls = codemods.get(code.upper())
    if cls is None and suppression_doc(code) is not None:
        print(suppression_doc(code), end="")
        return
    if cls is None:
        raise fail(f"unknown codemod code '{code}' (see `qtfix list`)")
    print(f"{cls.code} {cls.name} (fix: {cls.safety.value})\n")
    print(cls.documentation())


def version_callback(value: bool) -> None:
    if value:
        print(f"qtfix {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")] = False,
) -> None:
    """Codemods for legacy Qt test suites."""
    _check_environment()


def _check_environment() -> None:
    """A limit set in the environment that qtfix cannot read is a usage
    error, not a silent default."""
    for variable, parse in ((MAX_FILE_SIZE_ENV, parse_size), (CACHE_MAX_ENV, parse_cache_limit)):
        raw = os.environ.get(variable, "").strip()
        try:
            if raw:
                parse(raw)
        except ValueError as exc:
            raise fail(f"{variable}: {exc}") from None


def _spelled_out(argv: list[str]) -> list[str]:
    """`--verify=tests` / `--verify=compile`: one option with a mode, where a
    bare `--verify` stays today's compile check (and never eats a PATH)."""
    out = []
    for arg in argv:
        if arg.startswith("--verify="):
            mode = arg.split("=", 1)[1]
            if mode not in ("tests", "compile"):
                err.print(f"qtfix: error: --verify={mode}: the modes are 'compile' (the default) and 'tests'", markup=False)
                raise SystemExit(2)
            arg = "--verify-tests" if mode == "tests" else "--verify"
        out.append(arg)
    return out


def main() -> None:
    # A byte of a non-UTF-8 source travels as a lone surrogate (fileio.to_text)
    # and goes out as the same byte: a diff of a Latin-1 file is its bytes.
    sys.stdout.reconfigure(errors="surrogateescape")
    sys.argv[1:] = _spelled_out(sys.argv[1:])
    app()
