"""What a codemod is, and how the catalogue in `codemods/` is discovered.

A codemod is a class with a stable code (QFnnn), a name, a one-line summary,
its documentation as the docstring (sections: What it does / Why is this bad?
/ Example / Use instead / Fix safety) and `find(unit, options)`, a pure
function of the translation unit that yields findings with their fixes.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from .edits import Edit, Finding, Fix, Safety
from .parse import Cursor, Unit


@dataclass(frozen=True)
class Options:
    timeout_ms: int = 5000


class Codemod:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    # The best safety this codemod's fixes can have; single fixes may be lower.
    safety: ClassVar[Safety]

    def find(self, unit: Unit, options: Options) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        return textwrap.dedent(cls.__doc__ or "").strip()

    # -- helpers for subclasses --------------------------------------------

    def finding(
        self,
        unit: Unit,
        at: Cursor | int,
        message: str,
        *,
        edits: list[Edit] | tuple[Edit, ...] = (),
        title: str = "",
        safety: Safety | None = None,
        no_fix_reason: str = "",
    ) -> Finding:
        offset = at if isinstance(at, int) else unit.use_offset(at)
        line, column = unit.line_col(offset)
        fix = None
        if edits:
            fix = Fix(title or message, tuple(edits), safety or self.safety)
        return Finding(
            code=self.code,
            name=self.name,
            path=unit.path,
            offset=offset,
            line=line,
            column=column,
            message=message,
            fix=fix,
            no_fix_reason="" if fix else no_fix_reason,
        )


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


def select(codes: dict[str, type[Codemod]], select: list[str] | None, ignore: list[str] | None) -> list[Codemod]:
    """Codemods chosen by --select/--ignore (prefixes, like ruff: QF1 selects QF1xx)."""

    def matches(code: str, patterns: list[str]) -> bool:
        return any(code.startswith(p.strip().upper()) for p in patterns if p.strip())

    for pattern in (select or []) + (ignore or []):
        if pattern.strip() and not any(c.startswith(pattern.strip().upper()) for c in codes):
            raise ValueError(f"unknown codemod code '{pattern}' (see `qtfix list`)")
    chosen = [cls() for code, cls in codes.items() if (not select or matches(code, select))]
    return [c for c in chosen if not (ignore and matches(c.code, ignore))]
