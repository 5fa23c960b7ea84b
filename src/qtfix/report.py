"""Findings and file outcomes rendered for people (text) and tools (json)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.table import Table

from .fileio import encoding_of, shown
from .edits import Finding
from .patch import display_path
from .results import FileResult, Status


_COMMENT = re.compile(rb"/\*.*?\*/|//.*")
_SPACE = re.compile(rb"\s+")


def fingerprint(finding: Finding, source: bytes | None, base: Path | None = None) -> str:
    """A finding's identity across unrelated edits: its code, its file, the
    text of the line it is on and its message; not its line number, so
    inserting lines above it keeps it the same. The line is taken without
    its whitespace and comments (as GitHub's line hash ignores whitespace),
    so reindenting, respacing or a comment added to the line keep it too.
    A `//` inside a string literal cuts the text there: still the same
    text on every run, so still the same identity."""
    text = b""
    if source is not None:
        start = source.rfind(b"\n", 0, finding.offset) + 1
        end = source.find(b"\n", finding.offset)
        text = _SPACE.sub(b"", _COMMENT.sub(b"", source[start:end if end >= 0 else len(source)]))
    h = hashlib.sha256()
    for part in (finding.code, display_path(finding.path, base), text.decode("utf-8", "replace"), finding.message):
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:32]


def finding_line(f: Finding, base: Path | None = None) -> str:
    return f"{display_path(f.path, base)}:{f.line}:{f.column}: {f.code} {f.message} [{f.safety.value}]"


def to_json(results: Sequence[FileResult], base: Path | None = None) -> str:
    """The stable machine format (documented in the README; keep it stable)."""
    findings = []
    for r in results:
        for f in r.findings:
            findings.append(
                {
                    "code": f.code,
                    "name": f.name,
                    "path": display_path(f.path, base),
                    "line": f.line,
                    "column": f.column,
                    "message": f.message,
                    "safety": f.safety.value,
                    "no_fix_reason": f.no_fix_reason,
                    "suppressed": f.suppressed,
                    "edits": [
                        {"path": display_path(e.path, base), "offset": e.start, "length": e.end - e.start, "text": shown(e.text)}
                        for e in (f.fix.edits if f.fix else ())
                    ],
                }
            )
    files = [{"path": display_path(r.path, base), "status": r.status.value, "reason": r.reason,
              "encoding": encoding_of(r.source) if r.source is not None else None} for r in results]
    return json.dumps({"findings": findings, "files": files}, indent=2, ensure_ascii=False) + "\n"


# -- batch summary -------------------------------------------------------------


@dataclass(frozen=True)
class FileOutcome:
    path: str
    outcome: str  # changed | unchanged | skipped | failed
    reason: str = ""
    findings: int = 0
    fixes_applied: int = 0
    rolled_back: tuple[tuple[str, str], ...] = ()  # (code at line:col, why)


@dataclass(frozen=True)
class Summary:
    files: tuple[FileOutcome, ...]
    findings_by_code: dict[str, int]
    fixes_by_code: dict[str, int]
    rolled_back_by_code: dict[str, int]
    cached: int = 0
    suppressed: int = 0  # findings a NOLINT comment covers (not in the counts above)

    def count(self, outcome: str) -> int:
        return sum(1 for f in self.files if f.outcome == outcome)


def summarize(results: Sequence[FileResult], applied: Sequence[Finding], written: dict, base: Path | None = None) -> Summary:
    """`applied`: the fixes that reached the files; `written`: path -> None
    when the write succeeded, or the reason it did not."""
    applied_by_path = Counter(f.path for f in applied)
    files = []
    for r in results:
        rolled = tuple((f"{f.code} at {f.line}:{f.column}", why) for f, why in r.rolled_back)
        if r.status is not Status.CHECKED:
            outcome, reason = r.status.value, r.reason
        elif r.path in written and written[r.path] is not None:
            outcome, reason = "failed", written[r.path]
        elif r.path in written:
            outcome, reason = "changed", ""
        else:
            outcome, reason = "unchanged", ""
        files.append(
            FileOutcome(display_path(r.path, base), outcome, reason, len(r.reported),
                        applied_by_path[r.path] if outcome == "changed" else 0, rolled)
        )
    findings = Counter(f.code for r in results for f in r.reported)
    fixes = Counter(f.code for f in applied if written.get(f.path, "") is None)
    rolled_codes = Counter(f.code for r in results for f, _ in r.rolled_back)
    return Summary(tuple(files), dict(sorted(findings.items())), dict(sorted(fixes.items())),
                   dict(sorted(rolled_codes.items())), sum(1 for r in results if r.cached),
                   sum(r.suppressed for r in results))


def summary_table(s: Summary) -> Table:
    table = Table(title="qtfix summary", show_header=True, header_style="bold")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("files scanned", str(len(s.files)))
    for outcome in ("changed", "unchanged", "skipped", "failed"):
        table.add_row(f"  {outcome}", str(s.count(outcome)))
    table.add_row("  from cache", str(s.cached))
    if s.suppressed:
        table.add_row("findings suppressed", str(s.suppressed))
    for code in sorted(set(s.findings_by_code) | set(s.fixes_by_code) | set(s.rolled_back_by_code)):
        rolled = s.rolled_back_by_code.get(code, 0)
        table.add_row(
            f"{code}",
            f"{s.findings_by_code.get(code, 0)} found, {s.fixes_by_code.get(code, 0)} fixed"
            + (f", {rolled} rolled back" if rolled else ""),
        )
    return table


def problems(s: Summary) -> list[str]:
    lines = [f"{f.path}: {f.outcome}: {f.reason}" for f in s.files if f.outcome in ("skipped", "failed")]
    lines += [f"{f.path}: rolled back {what}: {why}" for f in s.files for what, why in f.rolled_back]
    return lines


def report_markdown(s: Summary) -> str:
    out = ["# qtfix report", "", "| | count |", "|---|---:|", f"| files scanned | {len(s.files)} |"]
    out += [f"| {o} | {s.count(o)} |" for o in ("changed", "unchanged", "skipped", "failed")]
    out += [f"| findings suppressed | {s.suppressed} |"] * bool(s.suppressed)
    out += ["", "| code | findings | fixed | rolled back by --verify |", "|---|---:|---:|---:|"]
    for code in sorted(set(s.findings_by_code) | set(s.fixes_by_code)):
        out.append(f"| {code} | {s.findings_by_code.get(code, 0)} | {s.fixes_by_code.get(code, 0)} | {s.rolled_back_by_code.get(code, 0)} |")
    out += ["", "## Files", "", "| file | outcome | findings | fixes applied | notes |", "|---|---|---:|---:|---|"]
    for f in s.files:
        notes = "; ".join([f.reason] * bool(f.reason) + [f"rolled back {w}: {why}" for w, why in f.rolled_back])
        out.append(f"| `{f.path}` | {f.outcome} | {f.findings} | {f.fixes_applied} | {notes.replace('|', '/')} |")
    return "\n".join(out) + "\n"


def report_json(s: Summary) -> str:
    data = {
        "files": [
            {"path": f.path, "outcome": f.outcome, "reason": f.reason, "findings": f.findings,
             "fixes_applied": f.fixes_applied, "rolled_back": [{"fix": w, "reason": why} for w, why in f.rolled_back]}
            for f in s.files
        ],
        "totals": {o: s.count(o) for o in ("changed", "unchanged", "skipped", "failed")}
        | {"scanned": len(s.files), "cached": s.cached, "suppressed": s.suppressed},
        "findings_by_code": s.findings_by_code,
        "fixes_by_code": s.fixes_by_code,
        "rolled_back_by_code": s.rolled_back_by_code,
    }
    return json.dumps(data, indent=2) + "\n"
