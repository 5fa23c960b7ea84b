"""One file: read, parse, run the codemods, verify the fixes; its outcome.

Everything raised while a file is parsed, its codemods run or its fixes are
verified becomes that file's `Failed` outcome naming the exception: one
file's failure never stops the run, and nothing here raises. The outcome
types live in results.py; the pool that runs files in workers in batch.py.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .codemod import Codemod, Options, discover, dispatch, select
from .edits import Finding, apply_edits, resolve
from .fileio import read_source
from .parse import ParseError, parse
from .pch import usable_for as pch_usable
from .project import HEADER_SUFFIXES
from .results import Checked, Failed, FileResult, Skipped, fixable
from .suppress import apply_suppressions


@dataclass(frozen=True)
class Task:
    """One file's analysis as a worker receives it: what runs on it (the
    codemod codes and their options) and how (cache, PCH, --verify)."""

    path: Path
    args: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    options: Options = Options()
    cache_dir: Path | None = None  # None: no incremental cache
    pch: Path | None = None  # a precompiled header for these flags, if any
    verify: bool = False  # compile the fixed content; roll back fixes that break it
    unsafe: bool = False  # which fixes --verify considers (those that would be applied)

    def codemods(self) -> list[Codemod]:
        return select(discover(), list(self.codes), None)  # fresh instances: a codemod may keep per-file state


def _project_includes(unit) -> tuple[str, ...]:
    """Headers of the project (not the system's or Qt's) the unit included:
    the incremental cache re-analyses the file when one of them changes."""
    found = set()
    for inc in unit.tu.get_includes():
        name = inc.include.name if inc.include else ""
        if name and not name.startswith(("/usr/", "/opt/")) and "/site-packages/clang/" not in name:
            found.add(os.path.abspath(name))
    return tuple(sorted(found))


class InternalError(Exception):
    """qtfix's own code raised on a file: reported as that file's failure."""


def _internal(what: str, exc: BaseException) -> InternalError:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" ({Path(where.filename).name}:{where.lineno})" if where else ""
    return InternalError(f"internal error {what}: {type(exc).__name__}: {exc}{at}")


def run_codemods(unit, codemods: Sequence[Codemod], options: Options) -> list[Finding]:
    """Every codemod's findings on the unit, NOLINT comments applied;
    InternalError naming the codemod when one raises."""
    findings: list[Finding] = []
    try:
        nodes = dispatch(unit, codemods)  # one walk of the unit for all codemods
    except Exception as exc:
        raise _internal("walking the file", exc) from exc
    for codemod in codemods:
        try:
            findings.extend(codemod.findings(unit, nodes[codemod.code], options))
        except Exception as exc:  # a codemod bug must not stop the batch
            raise _internal(f"in {codemod.code}", exc) from exc
    findings.sort(key=lambda f: f.sort_key)
    try:
        # the one place NOLINT comments are read: every command sees the same
        return apply_suppressions(unit, findings, [c.code for c in codemods], options)
    except Exception as exc:
        raise _internal("reading suppressions", exc) from exc


class _Cache:
    """The task's result cache: best effort, absent without a cache folder."""

    def __init__(self, task: Task, codemods: Sequence[Codemod]):
        from .cache import ResultCache

        self.task, self.codemods = task, codemods
        self.store = ResultCache(task.cache_dir) if task.cache_dir is not None else None

    def key(self, content: bytes, verified: bool) -> str:
        # which fixes are chosen is decided after the analysis, except that
        # --verify checks those that would be applied
        from .cache import result_key

        t = self.task
        return result_key(t.path, content, t.args, self.codemods, t.options, (verified, verified and t.unsafe))

    def get(self, content: bytes, verified: bool) -> Checked | None:
        if self.store is None:
            return None
        try:
            hit = self.store.get(self.key(content, verified), self.task.path, content)
        except Exception:
            return None  # best effort: an unreadable entry costs a parse
        return replace(hit, cached=True) if hit is not None else None

    def put(self, result: Checked, verified: bool) -> None:
        if self.store is None or result.source is None:
            return
        try:
            self.store.put(self.key(result.source, verified), result)
        except Exception:
            pass  # best effort: a lost entry costs a parse next time


def cached_result(task: Task) -> FileResult | None:
    """The cached outcome of a file that has not changed since it was
    analysed (and verified, with --verify) under the same settings, or None:
    what a worker would answer first, found without starting one."""
    if task.cache_dir is None:
        return None
    try:
        source = read_source(task.path)
    except (OSError, ValueError):
        return None  # the worker reports it
    return _Cache(task, task.codemods()).get(source, task.verify)


def run_task(task: Task) -> FileResult:
    """A worker's job: the file's analysis, then (--verify) the check that
    its fixes compile, a separate step on the analysis' outcome."""
    codemods = task.codemods()
    result = analyse_file(task, codemods)
    if task.verify and isinstance(result, Checked):
        result = verify_result(task, result, codemods)
    return result


def analyse_file(task: Task, codemods: Sequence[Codemod] | None = None) -> FileResult:
    """Read, parse and run the codemods on one file (answered from the cache
    when it is unchanged): its outcome, never an exception."""
    path = task.path
    codemods = task.codemods() if codemods is None else codemods
    try:
        source = read_source(path)
    except OSError as exc:
        return Failed(path, f"cannot read: {exc.strerror or exc}")
    except ValueError as exc:
        return Skipped(path, str(exc))
    cache = _Cache(task, codemods)
    hit = cache.get(source, verified=False)
    if hit is not None:
        return hit
    try:
        unit = _parse(task, source)
        findings = run_codemods(unit, codemods, task.options)
    except ParseError as exc:
        return _unparsed(task, source, str(exc).removeprefix(f"{path}: "))
    except InternalError as exc:
        return Failed(path, str(exc), source)
    except Exception as exc:  # libclang or qtfix itself: the file's failure, never the run's
        return Failed(path, str(_internal("parsing the file", exc)), source)
    result = Checked(path, tuple(findings), source, includes=_project_includes(unit))
    cache.put(result, verified=False)
    return result


def _unparsed(task: Task, source: bytes, reason: str) -> FileResult:
    if task.path.suffix.lower() in HEADER_SUFFIXES and reason.startswith("does not compile"):
        # Many project headers only compile after what their includer
        # included first: analysing one alone is not a failure of it.
        return Skipped(task.path, f"header is not self-contained (it {reason})", source)
    return Failed(task.path, reason + _missing_qt_hint(reason, task.args), source)


_QT_HEADER_NOT_FOUND = re.compile(r"'(?:Qt\w*/)?Q\w*(?:\.h)?' file not found")


def _missing_qt_hint(reason: str, args: Sequence[str]) -> str:
    """What to do when a Qt header is not found: the flags decide it."""
    if not _QT_HEADER_NOT_FOUND.search(reason):
        return ""
    if any(re.search(r"qt[56]", a, re.IGNORECASE) for a in args):
        return " (the flags name Qt include folders, but not the module holding this header: is it in the build's flags?)"
    return (
        " (no Qt include folder in the flags: pass -p BUILD_DIR holding the build's compile_commands.json, "
        "or install qt6-base-dev so pkg-config finds Qt)"
    )


def _parse(task: Task, source: bytes):
    path = task.path
    full_args = list(task.args) + ["-I", str(path.resolve().parent)]
    if task.pch is not None and pch_usable(source, task.pch):
        try:
            return parse(path, source, full_args + ["-include-pch", str(task.pch)])
        except ParseError as exc:
            if "file not found" in str(exc):
                raise  # a missing header is missing without the PCH too
            # The PCH is only a shortcut, so a file it breaks is parsed the
            # plain way and that answer counts: a stale or foreign PCH, and
            # code that is fine alone but not after a complete PCH, which has
            # already instantiated Qt's templates (`Q_DECLARE_METATYPE(QSslError)`
            # in a test: "explicit specialization after instantiation").
    return parse(path, source, full_args)


@dataclass(frozen=True)
class Verification:
    rolled_back: tuple[tuple[Finding, str], ...]  # fixes that break the build, with the reason
    fixed_content: bytes | None = None  # the file with the fixes that compile
    fixed_unit: object = None  # its parse, when there was something to fix


def verify_result(task: Task, result: Checked, codemods: Sequence[Codemod]) -> FileResult:
    """--verify, the step after the analysis: the outcome with the fixes that
    break the build rolled back (a failure of the check itself fails the
    file: its fixes are not known to compile)."""
    try:
        verdict = verify_fixes(task, result.source, result.findings)
    except Exception as exc:
        return Failed(task.path, str(_internal("verifying the fixes", exc)), result.source)
    verified = replace(result, cached=False, rolled_back=verdict.rolled_back)
    cache = _Cache(task, codemods)
    cache.put(verified, verified=True)
    if cache.store is not None and verdict.fixed_unit is not None:
        _cache_fixed(task, cache, codemods, verdict)
    return verified


def _cache_fixed(task: Task, cache: _Cache, codemods: Sequence[Codemod], verdict: Verification) -> None:
    """The file as it will be after the write is already parsed: its own
    result goes into the cache, so a resumed or repeated run does not parse
    it again."""
    try:
        after = run_codemods(verdict.fixed_unit, codemods, task.options)
    except InternalError:
        return
    fixed = Checked(task.path, tuple(after), verdict.fixed_content, includes=_project_includes(verdict.fixed_unit))
    cache.put(fixed, verified=False)
    if not fixable(after, task.unsafe):
        cache.put(fixed, verified=True)  # nothing left to fix, so nothing left to verify either


def verify_fixes(task: Task, source: bytes, findings: Sequence[Finding]) -> Verification:
    """Which of this file's fixes (those that would be applied) make it fail
    to compile, each with the compiler's reason.

    All fixes together are tried first (the common case: one parse). If that
    fails, fixes are added one at a time in report order and each one that
    breaks the build is left out, so one bad fix never costs the others.
    """
    path = task.path
    chosen = [f for f in resolve(fixable(findings, task.unsafe)).accepted if all(e.path == path for e in f.fix.edits)]
    if not chosen:
        return Verification(())

    def attempt(fixes: Sequence[Finding]):
        content = apply_edits(source, [e for f in fixes for e in f.fix.edits])
        try:
            return content, _parse(task, content), None
        except ParseError as exc:
            return content, None, str(exc).removeprefix(f"{path}: ")

    content, unit, error = attempt(chosen)
    if error is None:
        return Verification((), content, unit)
    kept: list[Finding] = []
    rolled: list[tuple[Finding, str]] = []
    for f in chosen:
        content, unit, error = attempt(kept + [f])
        if error is None:
            kept.append(f)
        else:
            rolled.append((f, error))
    if not kept:
        return Verification(tuple(rolled))
    content, unit, _ = attempt(kept)
    return Verification(tuple(rolled), content, unit)
