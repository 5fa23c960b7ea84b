"""Suppression comments, spelled as clang-tidy spells them.

    // NOLINT                      every qtfix finding on this line
    // NOLINT(QF104)               only QF104 (codes or prefixes, comma-separated)
    // NOLINTNEXTLINE(QF104,QF107) the next line
    // NOLINTBEGIN(QF1) ... // NOLINTEND(QF1)   every line in between

Block comments (`/* NOLINT */`) count too; names that are not qtfix codes
(clang-tidy's checks) are left to clang-tidy. A finding is covered when a
suppression is on any line of the statement it is reported in (the line of
the macro use for macro-made code is that statement's own line), except
lines inside nested blocks (`{ ... }`) that are statements of their own.

`apply_suppressions` runs once per translation unit, after the codemods
(runner.run_codemods), so check, diff, apply and the cache all see the same
result: a covered finding is kept with `suppressed=True`, never fixed, and a
fix that would also rewrite a suppressed statement is withheld. Comments
are found by libclang's lexer (`Unit.comments`), so string literals are not
comments. QF001 (with --report-unused-suppressions) reports a suppression
of a qtfix code that covered nothing, with a fix that removes it; QF002
reports what cannot be a suppression: an unknown qtfix code, a NOLINTBEGIN
without its NOLINTEND or the reverse.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .codemod import SUPPRESSION_CODES, Options, discover
from .cpp import line_is_only
from .edits import Edit, Finding, Fix, Safety
from .fileio import shown, to_bytes, to_text
from .parse import CursorKind, Unit

UNUSED = (SUPPRESSION_CODES[0], "unused-suppression")
INVALID = (SUPPRESSION_CODES[1], "invalid-suppression")

_DIRECTIVE = re.compile(rb"NOLINT(NEXTLINE|BEGIN|END)?(?:\(([^()\n]*)\))?")
_QTFIX_NAME = re.compile(r"QF\d*\*?", re.IGNORECASE)
_SCOPES = frozenset({
    CursorKind.NAMESPACE, CursorKind.CLASS_DECL, CursorKind.STRUCT_DECL, CursorKind.UNION_DECL,
    CursorKind.CLASS_TEMPLATE, CursorKind.CLASS_TEMPLATE_PARTIAL_SPECIALIZATION, CursorKind.LINKAGE_SPEC,
})


@dataclass(frozen=True)
class Name:
    """One item of a directive's list, as spelled, with its byte range."""

    spelled: str
    start: int
    end: int

    @property
    def prefix(self) -> str:
        """The qtfix codes it names, as a prefix ("" for a name that is not qtfix's)."""
        return self.spelled.upper().rstrip("*") if _QTFIX_NAME.fullmatch(self.spelled) else ""


@dataclass(frozen=True)
class Directive:
    kind: str  # "NOLINT", "NOLINTNEXTLINE", "NOLINTBEGIN" or "NOLINTEND"
    names: tuple[Name, ...] | None  # None: no list, every check
    start: int  # the directive's bytes (NOLINT... up to its closing parenthesis)
    end: int
    line: int
    comment: tuple[int, int]  # the comment it is written in
    spelling: str

    @property
    def prefixes(self) -> tuple[str, ...] | None:
        """The qtfix prefixes it names; None when it names every check."""
        if self.names is None:
            return None
        return tuple(n.prefix for n in self.names if n.prefix)

    def covers(self, code: str) -> bool:
        prefixes = self.prefixes
        return prefixes is None or any(code.startswith(p) for p in prefixes)

    @property
    def pairing_key(self) -> tuple | None:
        return None if self.names is None else tuple(n.prefix or n.spelled for n in self.names)


@dataclass
class Rule:
    """A suppression in force on lines first..last (a directive, or a
    NOLINTBEGIN with its NOLINTEND), and which of its names covered a finding."""

    directive: Directive
    first: int
    last: int
    end: Directive | None = None
    used: set[str] = field(default_factory=set)


def explain(code: str) -> str | None:
    """The documentation of QF001/QF002 (they are not codemods), or None."""
    what = {UNUSED[0]: UNUSED, INVALID[0]: INVALID}.get(code.upper())
    if what is None:
        return None
    fix = "safe" if what is UNUSED else "none"
    return f"{what[0]} {what[1]} (fix: {fix})\n\n{textwrap.dedent(__doc__ or '').strip()}\n"


def directives(unit: Unit) -> list[Directive]:
    """The NOLINT directives of the main file's comments that concern qtfix
    (every check, or a list with a qtfix name in it)."""
    if b"NOLINT" not in unit.source:
        return []
    found = []
    for start, end in unit.comments:
        for m in _DIRECTIVE.finditer(unit.source, start, end):
            names = None
            if m.group(2) is not None:
                names = tuple(_names(unit.source, m.start(2), m.end(2)))
                if not any(n.prefix for n in names):
                    continue  # clang-tidy's alone
            found.append(Directive("NOLINT" + (m.group(1) or b"").decode(), names, m.start(), m.end(),
                                   unit.line_col(m.start())[0], (start, end),
                                   unit.source[m.start():m.end()].decode("utf-8", "replace")))
    return found


def _names(source: bytes, start: int, end: int) -> list[Name]:
    names = []
    for m in re.finditer(rb"[^,]+", source[start:end]):
        text = to_text(m.group(0))
        stripped = text.strip()
        if stripped:
            lead = len(text) - len(text.lstrip())
            at = start + m.start() + len(to_bytes(text[:lead]))
            names.append(Name(shown(stripped), at, at + len(to_bytes(stripped))))
    return names


def rules(found: Sequence[Directive]) -> tuple[list[Rule], list[tuple[Directive, str]]]:
    """The suppressions in force, and the directives that are not one (why)."""
    out: list[Rule] = []
    problems: list[tuple[Directive, str]] = []
    open_blocks: list[Directive] = []
    for d in found:
        if d.kind == "NOLINT":
            out.append(Rule(d, d.line, d.line))
        elif d.kind == "NOLINTNEXTLINE":
            out.append(Rule(d, d.line + 1, d.line + 1))
        elif d.kind == "NOLINTBEGIN":
            open_blocks.append(d)
        else:
            begin = next((b for b in reversed(open_blocks) if b.pairing_key == d.pairing_key), None)
            if begin is None:
                problems.append((d, f"{d.spelling} has no {_partner(d, 'NOLINTBEGIN')} before it"))
            else:
                open_blocks.remove(begin)
                out.append(Rule(begin, begin.line, d.line, end=d))
    problems += [(b, f"{b.spelling} has no {_partner(b, 'NOLINTEND')} after it; it suppresses nothing")
                 for b in open_blocks]
    return out, problems


def _partner(d: Directive, kind: str) -> str:
    return kind + d.spelling[len(d.kind):]


# -- which lines a finding's statement spans ----------------------------------


def _statements(unit: Unit) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(ranges of statement-level code: statements of a block, declarations of
    a namespace or class; ranges of blocks), as used in the main file."""
    statements, blocks = [], []
    for cursor, parents in unit.walk():
        parent = parents[-1].kind if parents else None
        is_block = cursor.kind == CursorKind.COMPOUND_STMT
        at_statement_level = parent == CursorKind.COMPOUND_STMT or (
            cursor.kind.is_declaration() and (parent is None or parent in _SCOPES))
        if not (is_block or at_statement_level):
            continue
        span = unit.expansion_range(cursor)
        if span is None:
            continue
        (blocks if is_block else statements).append(span)
    return statements, blocks


def statement_lines(unit: Unit, offset: int) -> frozenset[int]:
    """The lines of the innermost statement (or declaration) holding `offset`,
    without the inner lines of its nested blocks: where a suppression of a
    finding reported at `offset` may be written."""
    statements, blocks = unit.once(_statements)
    holding = [s for s in statements if s[0] <= offset <= s[1]]
    if not holding:
        return frozenset({unit.line_col(offset)[0]})
    start, end = max(holding, key=lambda s: (s[0], -s[1]))

    def line(at: int) -> int:
        return unit.line_col(at)[0]

    lines = set(range(line(start), line(end) + 1))
    for b_start, b_end in blocks:
        if start <= b_start and b_end <= end and not b_start <= offset <= b_end:
            lines -= set(range(line(b_start) + 1, line(b_end)))
    return frozenset(lines)


# -- applying them ---------------------------------------------------------------


def apply_suppressions(unit: Unit, findings: Sequence[Finding], ran: Sequence[str], options: Options) -> list[Finding]:
    """The findings with those a suppression covers marked `suppressed`, plus
    QF002 (and with --report-unused-suppressions QF001) findings, those of
    them --select/--ignore keep (`options.suppression_codes`). `ran`: the
    codes of the codemods that ran (a suppression of another is not unused)."""
    found = directives(unit)
    if not found:
        return list(findings)
    in_force, problems = rules(found)
    extra = []
    if INVALID[0] in options.suppression_codes:
        extra += [_invalid(unit, d, why) for d, why in problems] + _unknown_names(unit, found)
    marked = [_mark(unit, f, in_force) for f in findings]
    marked = _withhold_fixes(unit, marked)
    if options.report_unused_suppressions and UNUSED[0] in options.suppression_codes:
        extra += [_unused(unit, r, names) for r in in_force if (names := _unused_names(r, ran))]
    return sorted(marked + extra, key=lambda f: f.sort_key)


def _mark(unit: Unit, f: Finding, in_force: Sequence[Rule]) -> Finding:
    lines = statement_lines(unit, f.offset)
    covering = [r for r in in_force if r.directive.covers(f.code) and any(r.first <= n <= r.last for n in lines)]
    for r in covering:
        prefixes = r.directive.prefixes
        r.used.update(p for p in (prefixes or ()) if f.code.startswith(p))
    return replace(f, suppressed=True) if covering else f


def _withhold_fixes(unit: Unit, findings: list[Finding]) -> list[Finding]:
    """A fix of a finding that is not suppressed is withheld when it is also
    a suppressed finding's fix (QF104 rewrites every use of a name at once)
    or edits a suppressed finding's statement: a suppressed site is never
    changed, in its text or in what it means."""
    quiet: dict[int, Finding] = {}
    for f in findings:
        if f.suppressed:
            for n in statement_lines(unit, f.offset):
                quiet.setdefault(n, f)
    if not quiet:
        return findings
    fixes = {f.fix: f for f in findings if f.suppressed and f.fix is not None}
    out = []
    for f in findings:
        hit = None
        if f.fix is not None and not f.suppressed:
            hit = fixes.get(f.fix) or next((quiet[n] for e in f.fix.edits if e.path == unit.path
                                            for n in range(unit.line_col(e.start)[0],
                                                           unit.line_col(max(e.start, e.end - 1))[0] + 1)
                                            if n in quiet), None)
        if hit is not None:
            f = replace(f, fix=None, no_fix_reason=f"its fix also rewrites line {hit.line}, where the {hit.code} "
                                                    "finding is suppressed")
        out.append(f)
    return out


def _unknown_names(unit: Unit, found: Sequence[Directive]) -> list[Finding]:
    codes = discover()
    out = []
    for d in found:
        for n in d.names or ():
            p = n.prefix
            if p and not any(c.startswith(p) for c in codes) and not any(c.startswith(p) for c in SUPPRESSION_CODES):
                out.append(_own(unit, INVALID, n.start, f"{d.spelling}: {n.spelled} is not a qtfix code "
                                                         "(see `qtfix list`); it suppresses nothing"))
    return out


def _unused_names(r: Rule, ran: Sequence[str]) -> list[str]:
    """The qtfix names of a suppression that covered nothing, among those
    whose every codemod ran (with --select, the others were not looked for)."""
    codes = discover()
    out = []
    for p in r.directive.prefixes or ():
        covered = [c for c in codes if c.startswith(p)]
        if covered and p not in r.used and all(c in ran for c in covered) and p not in out:
            out.append(p)
    return out


def _own(unit: Unit, what: tuple[str, str], at: int, message: str, outcome: Fix | str = "") -> Finding:
    line, column = unit.line_col(at)
    fix = outcome if isinstance(outcome, Fix) else None
    return Finding(what[0], what[1], unit.path, at, line, column, message, fix,
                   outcome if isinstance(outcome, str) else "")


def _invalid(unit: Unit, d: Directive, why: str) -> Finding:
    return _own(unit, INVALID, d.start, why)


def _unused(unit: Unit, r: Rule, unused: list[str]) -> Finding:
    d = r.directive
    what = ", ".join(unused)
    edits: list[Edit] = []
    reason = ""
    for directive in (d, r.end) if r.end is not None else (d,):
        outcome = _removal(unit, directive, set(unused))
        if isinstance(outcome, str):
            reason = outcome
            break
        edits += outcome
    fix = Fix(f"remove the unused suppression of {what}", tuple(edits), Safety.SAFE) if not reason else reason
    return _own(unit, UNUSED, d.start, f"{d.spelling}: nothing here is a {what} finding", fix)


def _removal(unit: Unit, d: Directive, unused: set[str]) -> list[Edit] | str:
    """Edits that take `unused` out of the directive's list, or the whole
    comment when nothing else is left in it; or why that is not simple."""
    keep = [n for n in d.names or () if n.prefix not in unused]
    source = unit.source
    if keep:
        first, last = d.names[0], d.names[-1]
        separator = ", " if b", " in source[first.start:last.end] else ","
        return [Edit.replacement(unit.path, first.start, last.end, separator.join(n.spelled for n in keep))]
    start, end = d.comment
    rest = source[start:d.start] + source[d.end:end]
    if re.sub(rb"\s", b"", rest) not in (b"//", b"/**/"):
        return "the comment says more than the suppression: edit it by hand"
    line_start, line_end = line_is_only(source, start, end)
    if (line_start, line_end) != (start, end):
        return [Edit.deletion(unit.path, line_start, line_end)]  # the whole line
    # Code on the same line stays: `code; // NOLINT` loses the space before
    # the comment, `/* NOLINT */ code` the space after it.
    rest_of_line = source[end:].split(b"\n", 1)[0]
    if rest_of_line.strip():
        while end < len(source) and source[end] in b" \t":
            end += 1
    else:
        while start > 0 and source[start - 1] in b" \t":
            start -= 1
    return [Edit.deletion(unit.path, start, end)]
