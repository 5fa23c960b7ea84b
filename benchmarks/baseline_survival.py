#!/usr/bin/env python3
"""How well a baseline survives edits that do not touch its findings.

    python benchmarks/baseline_survival.py -p BUILD_DIR FOLDER [--jobs J] [--edits insert20,reindent,...]

Copies FOLDER (a test folder of a configured and built CMake project) to a
temporary place, points a copy of BUILD_DIR/compile_commands.json at the
copy, writes a baseline there with `qtfix check --baseline-write`, then for
each edit starts again from the original bytes, edits every file with a
finding and runs `qtfix check --baseline`. A baseline entry that still
matches is a finding the gate keeps quiet about; a "new" finding after an
edit that changed no code is a false alarm of the gate. Prints one table.

Edits (none changes what the code does):
- insert20: 20 comment lines inserted above every finding's line
- top20: 20 comment lines at the top of every file
- reindent: every line indented by 4 more spaces
- append: an unrelated function appended to every file
- respace: a space after every comma that has none, on every line
- comment: a trailing `// reviewed` comment on every finding's line
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

COMMENT = b"// an unrelated comment line added by the baseline survival benchmark\n"


def insert20(source: bytes, lines: set[int]) -> bytes:
    out = source.splitlines(keepends=True)
    for line in sorted(lines, reverse=True):
        out[line - 1:line - 1] = [COMMENT] * 20
    return b"".join(out)


def top20(source: bytes, lines: set[int]) -> bytes:
    return COMMENT * 20 + source


def reindent(source: bytes, lines: set[int]) -> bytes:
    return b"".join(b"    " + line if line.strip() else line for line in source.splitlines(keepends=True))


def append(source: bytes, lines: set[int]) -> bytes:
    return source + b"\nstatic inline int qtfixBaselineProbe() { return 42; }\n"


def respace(source: bytes, lines: set[int]) -> bytes:
    return re.sub(rb",(?=\S)", b", ", source)


def comment(source: bytes, lines: set[int]) -> bytes:
    out = source.splitlines(keepends=True)
    for line in lines:
        text = out[line - 1]
        body = text.rstrip(b"\r\n")
        out[line - 1] = body + b" // reviewed" + text[len(body):]
    return b"".join(out)


EDITS = {"insert20": insert20, "top20": top20, "reindent": reindent, "append": append, "respace": respace,
         "comment": comment}


def qtfix(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qtfix", *args], capture_output=True, text=True)


def copy_database(build: Path, folder: Path, copy: Path, out: Path) -> None:
    """compile_commands.json with FOLDER's paths pointing at its copy."""
    text = (build / "compile_commands.json").read_text()
    text = re.sub(re.escape(str(folder)) + r"(?=[/\"\s])", lambda _: str(copy), text)
    out.mkdir(parents=True)
    (out / "compile_commands.json").write_text(text)


def findings(db: Path, copy: Path, jobs: int, *extra: str) -> tuple[list[dict], str]:
    run = qtfix("check", "-p", str(db), "--jobs", str(jobs), "--format", "json", "--allow-unanalysed",
                *extra, str(copy))
    if run.returncode not in (0, 1):
        raise SystemExit(f"qtfix check failed ({run.returncode}): {run.stderr.strip()[-400:]}")
    return json.loads(run.stdout)["findings"], run.stderr


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("-p", "--build-dir", type=Path, required=True)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--edits", default=",".join(EDITS))
    a = ap.parse_args(argv)
    folder = a.folder.resolve()
    with tempfile.TemporaryDirectory(prefix="qtfix-survival-") as tmp:
        copy, db, base = Path(tmp) / folder.name, Path(tmp) / "build", Path(tmp) / "baseline.json"
        shutil.copytree(folder, copy, symlinks=True)
        copy_database(a.build_dir.resolve(), folder, copy, db)
        first, _ = findings(db, copy, a.jobs)
        if qtfix("check", "-p", str(db), "--baseline-write", str(base), "--allow-unanalysed", str(copy)).returncode:
            raise SystemExit("qtfix check --baseline-write failed")
        original = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
        lines: dict[Path, set[int]] = {}
        for f in first:
            lines.setdefault((Path.cwd() / f["path"]).resolve(), set()).add(f["line"])
        print(f"{folder}: {len(first)} findings in {len(lines)} files, baseline written")
        print("| edit | baseline entries still matched | new findings (false alarms) | counted as fixed |")
        print("|---|---:|---:|---:|")
        for name in a.edits.split(","):
            for path, data in original.items():
                path.write_bytes(EDITS[name](data, lines[path]) if path in lines else data)
            new, err = findings(db, copy, a.jobs, "--baseline", str(base))
            gone = re.search(r"(\d+) fixed since the baseline", err)
            gone_n = int(gone.group(1)) if gone else 0
            print(f"| {name} | {len(first) - gone_n} of {len(first)} | {len(new)} | {gone_n} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
