"""Byte-range edits, fixes (edits applied all or none) and their conflicts.

Offsets are byte offsets into the original file, as libclang reports them;
nothing here knows about lines. Bytes outside the edited ranges are copied
unchanged, which is what keeps CRLF, a BOM and non-ASCII text intact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from .fileio import to_bytes


class Safety(str, Enum):
    SAFE = "safe"  # keeps the test's meaning; applied by default
    UNSAFE = "unsafe"  # may change behaviour; applied only with --unsafe-fixes
    NONE = "none"  # diagnostic only


@dataclass(frozen=True, order=True)
class Edit:
    path: Path
    start: int
    end: int
    text: str

    @classmethod
    def insertion(cls, path: Path, at: int, text: str) -> Edit:
        return cls(path, at, at, text)

    @classmethod
    def deletion(cls, path: Path, start: int, end: int) -> Edit:
        return cls(path, start, end, "")

    @classmethod
    def replacement(cls, path: Path, start: int, end: int, text: str) -> Edit:
        return cls(path, start, end, text)

    def overlaps(self, other: Edit) -> bool:
        if self.path != other.path or self == other:
            return False
        if self.start == self.end and other.start == other.end:
            # Insertions at one point compose; `apply_edits` orders them.
            return False
        return self.start < other.end and other.start < self.end or (
            # an insertion strictly inside a replaced range
            self.start == self.end and other.start < self.start < other.end
        ) or (other.start == other.end and self.start < other.start < self.end)


@dataclass(frozen=True)
class Fix:
    """Edits that are applied together or not at all."""

    title: str
    edits: tuple[Edit, ...]
    safety: Safety = Safety.SAFE

    def conflicts_with(self, other: Fix) -> bool:
        return any(a.overlaps(b) for a in self.edits for b in other.edits)


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    path: Path
    offset: int  # where it is reported: the macro use site for macro-made code
    line: int
    column: int
    message: str
    fix: Fix | None = None
    # Why there is no fix, when there is none (macro body, escaping pointer ...).
    no_fix_reason: str = ""
    # A NOLINT comment covers it (suppress.py): reported as such, never fixed or counted.
    suppressed: bool = False

    @property
    def safety(self) -> Safety:
        return self.fix.safety if self.fix is not None else Safety.NONE

    @property
    def sort_key(self) -> tuple:
        return (str(self.path), self.offset, self.code, self.message)


@dataclass(frozen=True)
class Resolution:
    """Which fixes of one run are applied, and which were dropped and why."""

    accepted: tuple[Finding, ...]
    dropped: tuple[tuple[Finding, str], ...] = field(default=())


def resolve(findings: Iterable[Finding], describe=None) -> Resolution:
    """Accept fixes in report order; a fix overlapping an accepted one is dropped.

    The order is deterministic (path, offset, code), so two runs on the same
    input always keep the same fix. `describe(finding)` renders a location for
    the note ("path:line:col").
    """
    describe = describe or (lambda f: f"{f.path}:{f.line}:{f.column}")
    accepted: list[Finding] = []
    dropped: list[tuple[Finding, str]] = []
    for f in sorted((f for f in findings if f.fix is not None), key=lambda f: f.sort_key):
        clash = next((a for a in accepted if a.fix.conflicts_with(f.fix)), None)
        if clash is None:
            accepted.append(f)
        else:
            dropped.append(
                (f, f"{f.code} fix at {describe(f)} overlaps {clash.code} fix at {describe(clash)}; kept {clash.code}")
            )
    return Resolution(tuple(accepted), tuple(dropped))


def _order(e: Edit) -> tuple:
    # At one point, `#include` lines go before other inserted text (a helper
    # function that needs the include), then by text: deterministic.
    return (e.start, e.end, not e.text.lstrip().startswith("#include"), e.text)


def unique_edits(edits: Iterable[Edit]) -> list[Edit]:
    """Identical edits (the same include added by two fixes, the same header
    edit from two translation units) are applied once."""
    return sorted(set(edits), key=_order)


def apply_edits(source: bytes, edits: Sequence[Edit]) -> bytes:
    """Apply non-overlapping edits of one file to its bytes."""
    out = bytearray()
    pos = 0
    for e in unique_edits(edits):
        if e.start < pos:
            raise ValueError(f"overlapping edits at byte {e.start} of {e.path}")
        out += source[pos : e.start]
        out += to_bytes(e.text)
        pos = e.end
    out += source[pos:]
    return bytes(out)
