"""What a codemod is, how the runner hands it its cursors, and how the
catalogue in `codemods/` is discovered.

A codemod is a class with a stable code (QFnnn), a name, a one-line summary,
its documentation as the docstring (sections: What it does / Why is this bad?
/ Example / Use instead / Fix safety), and:

- `kinds`: the cursor kinds it looks at. `dispatch` walks the unit once and
  gives each codemod its nodes (cursor + ancestors), in source order;
- `match(unit, nodes, options)`: yields frozen `Match` values (where, what
  to say, and what the fix needs), nothing for a site that is fine;
- `fix(unit, match, options)`: a `Fix`, or a `NoFix` with its reason.

Both are pure functions of the unit: they read no files (what they need of
headers comes through the unit) and keep no state between units (per-unit
answers go through `Unit.once`).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import ClassVar

from .fileio import mixes_encodings, shown
from .edits import Edit, Finding, Fix, Safety
from .parse import Cursor, CursorKind, Unit


# The codes of the suppression comments' own findings (suppress.py): not
# codemods, but --select/--ignore choose them as they choose codemods.
SUPPRESSION_CODES = ("QF001", "QF002")


@dataclass(frozen=True)
class Options:
    timeout_ms: int = 5000
    # String literals of this file (as spelled, quotes included) that also
    # appear in a helper program of the analysed tree (see tree.py); the
    # runner fills them in per file.
    shared_literals: tuple[str, ...] = ()
    # Report NOLINT comments naming a qtfix code that suppressed nothing (QF001).
    report_unused_suppressions: bool = False
    # Which of SUPPRESSION_CODES --select/--ignore leave in (the runner fills it in).
    suppression_codes: tuple[str, ...] = SUPPRESSION_CODES


@dataclass(frozen=True)
class Node:
    """A cursor of the main file with its ancestors (outermost first)."""

    cursor: Cursor
    parents: tuple[Cursor, ...]


@dataclass(frozen=True)
class Match:
    """One site a codemod reports. Codemods subclass it (frozen) with what
    their `fix` needs; `at` is the byte offset the finding is reported at."""

    at: int
    message: str


@dataclass(frozen=True)
class NoFix:
    """Why a match has no fix; "" for a codemod that never offers one."""

    reason: str = ""


class Codemod:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    # The best safety this codemod's fixes can have; single fixes may be lower.
    safety: ClassVar[Safety]
    # The cursor kinds `match` is given (in source order, with their ancestors).
    kinds: ClassVar[frozenset[CursorKind]] = frozenset()

    def match(self, unit: Unit, nodes: Sequence[Node], options: Options) -> Iterator[Match]:
        raise NotImplementedError

    def fix(self, unit: Unit, match: Match, options: Options) -> Fix | NoFix:
        return NoFix()

    def findings(self, unit: Unit, nodes: Sequence[Node], options: Options) -> Iterator[Finding]:
        for match in self.match(unit, nodes, options):
            yield self.finding(unit, match, self.fix(unit, match, options))

    @classmethod
    def documentation(cls) -> str:
        return textwrap.dedent(cls.__doc__ or "").strip()

    # -- helpers for subclasses --------------------------------------------

    def fixed(self, edits: Iterable[Edit], title: str, safety: Safety | None = None) -> Fix | NoFix:
        """The Fix of these edits (at this codemod's safety unless lowered);
        a NoFix when there are none."""
        edits = tuple(edits)
        return Fix(title, edits, safety or self.safety) if edits else NoFix()

    def finding(self, unit: Unit, match: Match, outcome: Fix | NoFix) -> Finding:
        offset = match.at
        line, column = unit.line_col(offset)
        fix = outcome if isinstance(outcome, Fix) else None
        no_fix_reason = shown(outcome.reason) if isinstance(outcome, NoFix) else ""
        # ASCII text first: it is safe in any file, and the test of the source (a decode of all of it) is then never made.
        if fix and any(not e.text.isascii() and mixes_encodings(unit.source, e.text) for e in fix.edits):
            fix, no_fix_reason = None, "its fix would write UTF-8 text into a file that is not UTF-8"
        elif fix:
            fix = replace(fix, title=shown(fix.title))
        message = shown(match.message)
        return Finding(
            code=self.code,
            name=self.name,
            path=unit.path,
            offset=offset,
            line=line,
            column=column,
            message=message,
            fix=fix,
            no_fix_reason=no_fix_reason,
        )


def dispatch(unit: Unit, codemods: Sequence[Codemod]) -> dict[str, list[Node]]:
    """One walk of the unit: each codemod's nodes (those of its `kinds`), by code."""
    wanted: dict[CursorKind, list[list[Node]]] = {}
    buckets: dict[str, list[Node]] = {}
    for codemod in codemods:
        bucket = buckets[codemod.code] = []
        for kind in codemod.kinds:
            wanted.setdefault(kind, []).append(bucket)
    for cursor, parents in unit.walk():
        for bucket in wanted.get(cursor.kind, ()):
            bucket.append(Node(cursor, parents))
    return buckets


def discover() -> dict[str, type[Codemod]]:
    """Every codemod shipped in `qtfix.codemods`, by code."""
    return dict(_discover())  # a copy: the scan is done once per process


@lru_cache(maxsize=None)
def _discover() -> dict[str, type[Codemod]]:
    from . import codemods as package  # the top-level codemods/ folder, installed

    found: dict[str, type[Codemod]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Codemod) and obj is not Codemod and obj.__module__ == module.__name__:
                if obj.code in found:
                    raise RuntimeError(f"codemod code {obj.code} is used twice ({obj.__module__})")
                found[obj.code] = obj
    return dict(sorted(found.items()))


def chosen(code: str, select: list[str] | None, ignore: list[str] | None) -> bool:
    """Whether --select/--ignore (prefixes, like ruff: QF1 selects QF1xx) keep `code`."""

    def matches(patterns: list[str]) -> bool:
        return any(code.startswith(p.strip().upper()) for p in patterns if p.strip())

    return (not select or matches(select)) and not (ignore and matches(ignore))


def select(codes: dict[str, type[Codemod]], select: list[str] | None, ignore: list[str] | None) -> list[Codemod]:
    """Codemods chosen by --select/--ignore; a pattern that names no code is an error."""
    for pattern in (select or []) + (ignore or []):
        if pattern.strip() and not any(c.startswith(pattern.strip().upper()) for c in [*codes, *SUPPRESSION_CODES]):
            raise ValueError(f"unknown codemod code '{pattern}' (see `qtfix list`)")
    return [cls() for code, cls in codes.items() if chosen(code, select, ignore)]
