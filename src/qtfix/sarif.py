"""SARIF 2.1.0 output (`qtfix check --format sarif`), for code scanning.

One run: the driver lists every codemod as a rule (its summary, its whole
documentation as help, its default level); each finding is a result with
its location in lines, Unicode code point columns and exact byte offsets, a
partial fingerprint that does not depend on the line number, and, when it
has a fix, the fix's replacements as byte regions. Files that could not be
analysed are tool execution notifications, and make the invocation
unsuccessful.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .codemod import Codemod
from .edits import Finding, Safety
from .fileio import LATIN1, encoding_of, shown
from .patch import display_path
from .report import fingerprint
from .results import FileResult, Status

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "qtfixFinding/v2"  # the baseline's fingerprint (report.fingerprint)


def _column(source: bytes | None, finding: Finding) -> int:
    """1-based column in Unicode code points (libclang counts bytes)."""
    if source is None:
        return finding.column
    start = source.rfind(b"\n", 0, finding.offset) + 1
    return len(source[start:finding.offset].decode("utf-8", "replace")) + 1


def _rule(cls: type[Codemod]) -> dict:
    doc = cls.documentation()
    return {
        "id": cls.code,
        "name": "".join(part.capitalize() for part in cls.name.split("-")),
        "shortDescription": {"text": cls.summary},
        "fullDescription": {"text": doc.split("\n\n")[0] if doc else cls.summary},
        "help": {"text": doc or cls.summary, "markdown": doc or cls.summary},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"fixSafety": cls.safety.value, "tags": ["qt", "qtest"]},
    }


def _location(path: Path, base: Path | None) -> dict:
    return {"uri": display_path(path, base), "uriBaseId": "%SRCROOT%"}


def _fix(finding: Finding, base: Path | None) -> list:
    if finding.fix is None:
        return []
    by_file: dict[Path, list] = {}
    for e in finding.fix.edits:
        by_file.setdefault(e.path, []).append({
            "deletedRegion": {"byteOffset": e.start, "byteLength": e.end - e.start},
            "insertedContent": {"text": shown(e.text)},
        })
    return [{
        "description": {"text": f"{finding.fix.title} [{finding.fix.safety.value}]"},
        "artifactChanges": [{"artifactLocation": _location(p, base), "replacements": reps} for p, reps in by_file.items()],
    }]


def _result(finding: Finding, source: bytes | None, rule_index: dict[str, int], base: Path | None) -> dict:
    result = {
        "ruleId": finding.code,
        "level": "warning",
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": _location(finding.path, base),
            "region": {"startLine": finding.line, "startColumn": _column(source, finding), "byteOffset": finding.offset},
        }}],
        "partialFingerprints": {FINGERPRINT: fingerprint(finding, source, base)},
        "properties": {"safety": finding.safety.value},
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if finding.safety is Safety.NONE and finding.no_fix_reason:
        result["properties"]["noFixReason"] = finding.no_fix_reason
    if finding.suppressed:
        result["suppressions"] = [{"kind": "inSource", "justification": "a NOLINT comment"}]
    elif finding.fix is not None:
        result["fixes"] = _fix(finding, base)
    return result


def to_sarif(results: Sequence[FileResult], codemods: dict[str, type[Codemod]], base: Path | None = None) -> str:
    rules = [_rule(cls) for _, cls in sorted(codemods.items())]
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    notes = [{
        "level": "error" if r.status is Status.FAILED else "warning",
        "message": {"text": f"{display_path(r.path, base)}: {r.status.value}: {r.reason}"},
        "locations": [{"physicalLocation": {"artifactLocation": _location(r.path, base)}}],
    } for r in results if r.status is not Status.CHECKED]
    root = Path(base or os.getcwd()).resolve().as_uri().rstrip("/") + "/"
    run = {
        "tool": {"driver": {"name": "qtfix", "version": __version__, "semanticVersion": __version__, "rules": rules}},
        "invocations": [{"executionSuccessful": not any(r.status is Status.FAILED for r in results),
                         "toolExecutionNotifications": notes}],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": root}},
        "columnKind": "unicodeCodePoints",
        "defaultEncoding": "utf-8",
        "results": [_result(f, r.source, rule_index, base) for r in results for f in r.findings],
    }
    # A legacy source that is not UTF-8 says so (SARIF's artifact.encoding).
    latin1 = [r.path for r in results if r.source is not None and encoding_of(r.source) == LATIN1]
    if latin1:
        run["artifacts"] = [{"location": _location(p, base), "encoding": "iso-8859-1"} for p in latin1]
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False) + "\n"
