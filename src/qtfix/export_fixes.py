"""`--export-fixes FILE`: the fixes in clang-tidy's export-fixes YAML, which
`clang-apply-replacements` applies (and code-review bots read).

One document: MainSourceFile (the file, for a run on one file; empty for
several, as run-clang-tidy merges them), then one diagnostic per reported
finding (suppressed ones are left out, as clang-tidy leaves out NOLINT'd
ones) with its byte offset and, for the fixes `diff`/`apply` would apply,
its replacements: byte Offset and Length into the original file and the
new text. The replacements of one file are the edits `apply` makes, with
touching edits (two insertions at one point, an insertion right after a
replacement) joined into one, so that clang-apply-replacements sees no
conflict and orders them as `apply` does: applying the file gives the
bytes `qtfix apply` writes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .edits import Edit, Finding, unique_edits
from .results import FileResult, Plan

# YAML double-quoted escapes for characters that must not appear raw
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
            "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF"}


def quoted(text: str) -> str:
    """`text` as a one-line YAML double-quoted scalar (UTF-8 kept as is)."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _file(path: Path) -> str:
    return quoted(os.path.abspath(path))


def joined_edits(edits: Sequence[Edit]) -> list[tuple[Edit, list[Edit]]]:
    """The edits of one file in apply order, touching ones joined: (the
    joined edit, the edits it is made of)."""
    groups: list[list[Edit]] = []
    for e in unique_edits(edits):
        if groups and e.start == groups[-1][-1].end:
            groups[-1].append(e)
        else:
            groups.append([e])
    return [(Edit(g[0].path, g[0].start, g[-1].end, "".join(e.text for e in g)), g) for g in groups]


def _replacements_by_finding(p: Plan) -> dict[Finding, list[Edit]]:
    """Each joined edit, given to the accepted finding whose fix holds its first part."""
    owner: dict[Edit, Finding] = {}
    by_path: dict[Path, list[Edit]] = {}
    for f in p.resolution.accepted:
        for e in f.fix.edits:
            owner.setdefault(e, f)
            by_path.setdefault(e.path, []).append(e)
    out: dict[Finding, list[Edit]] = {}
    for path in sorted(by_path, key=str):
        for joined, parts in joined_edits(by_path[path]):
            out.setdefault(owner[parts[0]], []).append(joined)
    return out


def _replacement(e: Edit) -> list[str]:
    return [
        f"        - FilePath:        {_file(e.path)}",
        f"          Offset:          {e.start}",
        f"          Length:          {e.end - e.start}",
        f"          ReplacementText: {quoted(e.text)}",
    ]


def to_yaml(results: Sequence[FileResult], p: Plan) -> str:
    """The export-fixes document for these results and the fixes of `p`."""
    findings = sorted((f for r in results for f in r.reported), key=lambda f: f.sort_key)
    replacements = _replacements_by_finding(p)
    analysed = [r.path for r in results if not r.left_out]
    main = _file(analysed[0]) if len(analysed) == 1 else "''"
    lines = ["---", f"MainSourceFile:  {main}", "Diagnostics:" + ("" if findings else " []")]
    for f in findings:
        lines += [
            f"  - DiagnosticName:  {f.code}",
            "    DiagnosticMessage:",
            f"      Message:         {quoted(f.message)}",
            f"      FilePath:        {_file(f.path)}",
            f"      FileOffset:      {f.offset}",
            "      Replacements:" + ("" if replacements.get(f) else " []"),
        ]
        for e in replacements.get(f, []):
            lines += _replacement(e)
        lines.append("    Level:           Warning")
    lines.append("...")
    return "\n".join(lines) + "\n"
