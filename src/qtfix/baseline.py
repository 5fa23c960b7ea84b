"""Baselines: accept today's findings, fail only on new ones.

`check --baseline-write FILE` records every finding by its code, its file
(relative to the baseline's folder) and its fingerprint: the text of its
line and its message, not its line number (report.fingerprint), so edits
elsewhere in the file keep it matched. `check --baseline FILE` then reports
only findings the baseline does not hold, and counts those that are gone.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from .fileio import read_regular, write_output
from .patch import display_path
from .project import UsageError
from .report import fingerprint
from .results import FileResult, Status

FORMAT = 2  # 2: fingerprints of the line without whitespace and comments


def _key(f, source: bytes | None, folder: Path) -> tuple[str, str, str]:
    return (f.code, display_path(f.path, folder), fingerprint(f, source, folder))


def write_baseline(path: Path, results: Sequence[FileResult], reads: Sequence[Path]) -> int:
    """Record every finding; returns how many."""
    folder = path.resolve().parent
    keys = sorted(_key(f, r.source, folder) for r in results for f in r.reported)  # not NOLINT'd ones
    entries = [{"code": c, "path": p, "fingerprint": fp} for c, p, fp in keys]
    text = json.dumps({"qtfix-baseline": FORMAT, "findings": entries}, indent=1) + "\n"
    write_output(path, text.encode(), reads)
    return len(entries)


def load_baseline(path: Path) -> Counter:
    try:
        data = json.loads(read_regular(path, 256 << 20, "baseline"))
        if not isinstance(data, dict) or not isinstance(data.get("qtfix-baseline"), int):
            raise ValueError("not a qtfix baseline (write one with --baseline-write)")
        if data["qtfix-baseline"] != FORMAT:
            raise UsageError(f"{path}: baseline written by another qtfix version (format {data['qtfix-baseline']}, "
                             f"this qtfix reads {FORMAT}): write it again with --baseline-write")
        return Counter((e["code"], e["path"], e["fingerprint"]) for e in data["findings"])
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise UsageError(f"{path}: broken baseline: {exc}") from None


@dataclass(frozen=True)
class Filtered:
    results: list[FileResult]  # with only the findings the baseline lacks
    known: int  # findings the baseline holds (not reported)
    gone: int  # baseline entries no finding matched: fixed since


def new_findings(results: Sequence[FileResult], path: Path) -> Filtered:
    left = load_baseline(path)
    folder = path.resolve().parent
    known = 0
    out = []
    for r in results:
        if r.status is not Status.CHECKED:
            out.append(r)  # skipped or failed: no findings to match
            continue
        new = []
        for f in r.findings:
            key = _key(f, r.source, folder)
            if f.suppressed:
                new.append(f)  # stays listed as suppressed, as without a baseline
            elif left[key] > 0:
                left[key] -= 1
                known += 1
            else:
                new.append(f)
        out.append(replace(r, findings=tuple(new)))
    # only the files this run analysed can tell that a finding is gone
    analysed = {display_path(r.path, folder) for r in results if r.status is Status.CHECKED}
    gone = sum(n for (_, p, _), n in left.items() if p in analysed)
    return Filtered(out, known, gone)
