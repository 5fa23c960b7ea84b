"""Files -> translation units -> findings -> planned file contents -> writes.

The outcome of a file is a closed set of frozen values: it was checked (with
its findings), skipped (it is not text qtfix can edit) or failed (it does not
parse, a codemod crashed). One file's failure never stops the run.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from .codemod import Codemod, Options, dispatch
from .fileio import read_source
from .edits import Edit, Finding, Resolution, Safety, apply_edits, resolve
from .parse import ParseError, parse
from .pch import usable_for as pch_usable
from .project import HEADER_SUFFIXES
from .suppress import apply_suppressions


class Status(str, Enum):
    CHECKED = "checked"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class FileResult:
    path: Path
    status: Status
    reason: str = ""
    findings: tuple[Finding, ...] = ()
    # The bytes the findings refer to; a write refuses if the file changed since.
    source: bytes | None = None
    cached: bool = False  # served from the incremental cache, not parsed
    # Skipped by the build's choice, not for a problem of the file (the
    # compile database does not compile it): listed and counted, never an error.
    left_out: bool = False
    # --verify: fixes whose result did not compile, with the compiler's reason
    rolled_back: tuple[tuple[Finding, str], ...] = ()

    @property
    def reported(self) -> tuple[Finding, ...]:
        """The findings no NOLINT comment suppresses: those that count."""
        return tuple(f for f in self.findings if not f.suppressed)

    @property
    def suppressed(self) -> int:
        return sum(1 for f in self.findings if f.suppressed)


@dataclass(frozen=True)
class Settings:
    """How files are analysed (not what is looked for)."""

    cache_dir: Path | None = None  # None: no incremental cache
    pch: Path | None = None  # a precompiled header for these flags, if any
    verify: bool = False  # compile the fixed content; roll back fixes that break it
    unsafe: bool = False  # which fixes --verify considers (those that would be applied)
    # literals of the file that a helper program of the tree also uses (tree.py)
    shared_literals: frozenset[bytes] = frozenset()


def _project_includes(unit) -> list[str]:
    """Headers of the project (not the system's or Qt's) the unit included:
    the incremental cache re-analyses the file when one of them changes."""
    found = set()
    for inc in unit.tu.get_includes():
        name = inc.include.name if inc.include else ""
        if name and not name.startswith(("/usr/", "/opt/")) and "/site-packages/clang/" not in name:
            found.add(os.path.abspath(name))
    return sorted(found)


class CodemodCrash(Exception):
    """A codemod raised: reported as the file's failure, never the batch's."""


def run_codemods(unit, codemods: Sequence[Codemod], options: Options) -> list[Finding]:
    findings: list[Finding] = []
    nodes = dispatch(unit, codemods)  # one walk of the unit for all codemods
    for codemod in codemods:
        try:
            findings.extend(codemod.findings(unit, nodes[codemod.code], options))
        except Exception as exc:  # a codemod bug must not stop the batch
            where = traceback.extract_tb(exc.__traceback__)[-1]
            raise CodemodCrash(
                f"internal error in {codemod.code}: {type(exc).__name__}: {exc} "
                f"({Path(where.filename).name}:{where.lineno})"
            ) from exc
    findings.sort(key=lambda f: f.sort_key)
    try:
        # the one place NOLINT comments are read: every command sees the same
        return apply_suppressions(unit, findings, [c.code for c in codemods], options)
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        raise CodemodCrash(f"internal error reading suppressions: {type(exc).__name__}: {exc} "
                           f"({Path(where.filename).name}:{where.lineno})") from exc


def _result_cache(path: Path, args: Sequence[str], codemods: Sequence[Codemod], options: Options, settings: Settings):
    """The result cache (None without one) and the function that keys this
    file's content under this run's arguments, codemods and settings."""
    if settings.cache_dir is None:
        return None, None
    from .cache import ResultCache, result_key

    literals = sorted(x.decode("utf-8", "replace") for x in settings.shared_literals)

    def key_of(content: bytes, verify: bool = settings.verify) -> str:
        # which fixes are chosen is decided after the analysis, except that
        # --verify checks those that would be applied
        return result_key(path, content, args, codemods, options, (verify, verify and settings.unsafe, literals))

    return ResultCache(settings.cache_dir), key_of


def cached_result(
    path: Path, args: Sequence[str], codemods: Sequence[Codemod], options: Options, settings: Settings
) -> FileResult | None:
    """The cached result of a file that has not changed since it was
    analysed under the same settings, or None: what a worker would answer
    first, found without starting one (a warm run is all hits)."""
    cache, key_of = _result_cache(path, args, codemods, options, settings)
    if cache is None:
        return None
    try:
        source = read_source(path)
    except (OSError, ValueError):
        return None  # the worker reports it
    hit = cache.get(key_of(source), path, source)
    return replace(hit, cached=True) if hit is not None else None


def analyse_file(
    path: Path, args: Sequence[str], codemods: Sequence[Codemod], options: Options, settings: Settings = Settings()
) -> FileResult:
    try:
        source = read_source(path)
    except OSError as exc:
        return FileResult(path, Status.FAILED, f"cannot read: {exc.strerror or exc}")
    except ValueError as exc:
        return FileResult(path, Status.SKIPPED, str(exc))
    cache, key_of = _result_cache(path, args, codemods, options, settings)
    hit = cache.get(key_of(source), path, source) if cache is not None else None
    if hit is not None:
        return replace(hit, cached=True)
    try:
        unit = _parse(path, source, args, settings)
        options = replace(options, shared_literals=tuple(sorted(x.decode() for x in settings.shared_literals)))
        findings = run_codemods(unit, codemods, options)
    except ParseError as exc:
        reason = str(exc).removeprefix(f"{path}: ")
        if path.suffix.lower() in HEADER_SUFFIXES and reason.startswith("does not compile"):
            # Many project headers only compile after what their includer
            # included first: analysing one alone is not a failure of it.
            return FileResult(path, Status.SKIPPED, f"header is not self-contained (it {reason})", source=source)
        return FileResult(path, Status.FAILED, reason + _missing_qt_hint(reason, args), source=source)
    except CodemodCrash as exc:
        return FileResult(path, Status.FAILED, str(exc), source=source)
    rolled_back: tuple = ()
    if settings.verify:
        verdict = verify_fixes(path, source, findings, args, settings)
        rolled_back = verdict.rolled_back
        if cache is not None and verdict.fixed_unit is not None:
            # The file as it will be after the write is already parsed: its
            # own result goes into the cache, so a resumed or repeated run
            # does not parse it again.
            try:
                after = run_codemods(verdict.fixed_unit, codemods, options)
                fixed = FileResult(path, Status.CHECKED, findings=tuple(after), source=verdict.fixed_content)
                deps = _project_includes(verdict.fixed_unit)
                cache.put(key_of(verdict.fixed_content, verify=False), fixed, deps)
                if not fixable(after, settings.unsafe):
                    # nothing left to fix, so nothing left to verify either
                    cache.put(key_of(verdict.fixed_content), fixed, deps)
            except CodemodCrash:
                pass
    result = FileResult(path, Status.CHECKED, findings=tuple(findings), source=source, rolled_back=rolled_back)
    if cache is not None:
        cache.put(key_of(source), result, _project_includes(unit))
    return result


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


def _parse(path: Path, source: bytes, args: Sequence[str], settings: Settings):
    full_args = list(args) + ["-I", str(path.resolve().parent)]
    if settings.pch is not None and pch_usable(source):
        try:
            return parse(path, source, full_args + ["-include-pch", str(settings.pch)])
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


def verify_fixes(
    path: Path, source: bytes, findings: Sequence[Finding], args: Sequence[str], settings: Settings
) -> Verification:
    """Which of this file's fixes (those that would be applied) make it fail
    to compile, each with the compiler's reason.

    All fixes together are tried first (the common case: one parse). If that
    fails, fixes are added one at a time in report order and each one that
    breaks the build is left out, so one bad fix never costs the others.
    """
    chosen = [f for f in resolve(fixable(findings, settings.unsafe)).accepted if all(e.path == path for e in f.fix.edits)]
    if not chosen:
        return Verification(())

    def attempt(fixes: Sequence[Finding]):
        content = apply_edits(source, [e for f in fixes for e in f.fix.edits])
        try:
            return content, _parse(path, content, args, settings), None
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


def analyse(
    files: Sequence[Path],
    args: dict[Path, tuple[str, ...]],
    codemods: Sequence[Codemod],
    options: Options,
    settings: Settings = Settings(),
) -> list[FileResult]:
    return [analyse_file(f, args[f], codemods, options, settings) for f in files]


@dataclass(frozen=True)
class Plan:
    """What applying the accepted fixes does to each file."""

    resolution: Resolution
    new_contents: dict[Path, bytes] = field(default_factory=dict)
    old_contents: dict[Path, bytes] = field(default_factory=dict)


def fixable(findings: Iterable[Finding], unsafe: bool) -> list[Finding]:
    allowed = {Safety.SAFE, Safety.UNSAFE} if unsafe else {Safety.SAFE}
    return [f for f in findings if f.fix is not None and f.fix.safety in allowed and not f.suppressed]


def plan(results: Sequence[FileResult], unsafe: bool = False, describe=None) -> Plan:
    rolled_back = {f for r in results for f, _ in r.rolled_back}
    findings = [f for r in results if r.status is Status.CHECKED for f in r.findings if f not in rolled_back]
    resolution = resolve(fixable(findings, unsafe), describe)
    originals = {r.path: r.source for r in results if r.source is not None}
    edits_by_path: dict[Path, list[Edit]] = {}
    for f in resolution.accepted:
        for e in f.fix.edits:
            edits_by_path.setdefault(e.path, []).append(e)
    new_contents = {}
    old_contents = {}
    for path, edits in edits_by_path.items():
        old = originals.get(path)
        if old is None:
            old = read_source(path)
        new = apply_edits(old, edits)
        if new != old:
            new_contents[path] = new
            old_contents[path] = old
    return Plan(resolution, new_contents, old_contents)
