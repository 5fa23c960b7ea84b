"""Findings and file outcomes rendered for people (text) and tools (json)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from .edits import Finding
from .patch import display_path
from .runner import FileResult


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
                    "edits": [
                        {"path": display_path(e.path, base), "offset": e.start, "length": e.end - e.start, "text": e.text}
                        for e in (f.fix.edits if f.fix else ())
                    ],
                }
            )
    files = [{"path": display_path(r.path, base), "status": r.status.value, "reason": r.reason} for r in results]
    return json.dumps({"findings": findings, "files": files}, indent=2, ensure_ascii=False) + "\n"
