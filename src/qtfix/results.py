"""What analysing a file produced, and what applying the fixes does to the files.

A file's outcome is one of three frozen values, a closed set: `Checked` (it
was analysed; its findings), `Skipped` (qtfix leaves it alone: not text it
can edit, a header that does not compile alone, a file the build does not
compile) or `Failed` (it could not be analysed: it does not parse, a
codemod raised, the worker crashed or timed out). Each kind has only the
fields that make sense for it, so a failed file with findings or a checked
file with a failure reason cannot be built. Everything downstream of the
analysis (the batch pool, reports, the interactive review, the writes)
reads these values and needs nothing of the runner that made them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import ClassVar, Union

from .edits import Edit, Finding, Resolution, Safety, apply_edits, resolve
from .fileio import read_source


class Status(str, Enum):
    CHECKED = "checked"
    SKIPPED = "skipped"
    FAILED = "failed"


class _Outcome:
    """What every outcome answers. A kind without a field has it as a
    constant (a failed file's findings are always empty), never as a value
    someone could set."""

    status: ClassVar[Status]
    findings: tuple[Finding, ...]

    @property
    def reported(self) -> tuple[Finding, ...]:
        """The findings no NOLINT comment suppresses: those that count."""
        return tuple(f for f in self.findings if not f.suppressed)

    @property
    def suppressed(self) -> int:
        return sum(1 for f in self.findings if f.suppressed)


@dataclass(frozen=True)
class Checked(_Outcome):
    status: ClassVar[Status] = Status.CHECKED
    reason: ClassVar[str] = ""
    left_out: ClassVar[bool] = False
    path: Path
    findings: tuple[Finding, ...] = ()
    # The bytes the findings refer to; a write refuses if the file changed since.
    source: bytes | None = None
    cached: bool = False  # served from the incremental cache, not parsed
    # --verify: fixes whose result did not compile, with the compiler's reason
    rolled_back: tuple[tuple[Finding, str], ...] = ()
    # The project headers the parse read: the cache re-analyses the file when one changes.
    includes: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Skipped(_Outcome):
    status: ClassVar[Status] = Status.SKIPPED
    findings: ClassVar[tuple[Finding, ...]] = ()
    cached: ClassVar[bool] = False
    rolled_back: ClassVar[tuple[tuple[Finding, str], ...]] = ()
    path: Path
    reason: str
    source: bytes | None = None
    # Skipped by the build's choice, not for a problem of the file (the
    # compile database does not compile it): listed and counted, never an error.
    left_out: bool = False


@dataclass(frozen=True)
class Failed(_Outcome):
    status: ClassVar[Status] = Status.FAILED
    findings: ClassVar[tuple[Finding, ...]] = ()
    cached: ClassVar[bool] = False
    left_out: ClassVar[bool] = False
    rolled_back: ClassVar[tuple[tuple[Finding, str], ...]] = ()
    path: Path
    reason: str
    source: bytes | None = None


FileResult = Union[Checked, Skipped, Failed]


def fixable(findings: Iterable[Finding], unsafe: bool) -> list[Finding]:
    allowed = {Safety.SAFE, Safety.UNSAFE} if unsafe else {Safety.SAFE}
    return [f for f in findings if f.fix is not None and f.fix.safety in allowed and not f.suppressed]


@dataclass(frozen=True)
class Plan:
    """What applying the accepted fixes does to each file."""

    resolution: Resolution
    new_contents: dict[Path, bytes] = field(default_factory=dict)
    old_contents: dict[Path, bytes] = field(default_factory=dict)


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
