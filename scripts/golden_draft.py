"""Draft a golden case's .expected and .fixed from qtfix's current output.

    python scripts/golden_draft.py tests/golden/QF104_hardcoded_server_name/NAME.cpp [--unsafe-fixes]

Runs `qtfix check --format json --select CODE` and `qtfix apply` on a copy in
a temporary folder and writes NAME.cpp.expected (and NAME.cpp.fixed when the
file changes) next to the input. The output is a draft: read it before you
commit it, since a golden file that records a wrong answer protects nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    case = Path(sys.argv[1]).resolve()
    unsafe = ["--unsafe-fixes"] if "--unsafe-fixes" in sys.argv[2:] else []
    code = case.parent.name.split("_", 1)[0]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / case.name
        shutil.copyfile(case, work)
        run = [sys.executable, "-m", "qtfix"]
        check = subprocess.run(run + ["check", case.name, "--format", "json", "--select", code, "--no-cache"],
                               cwd=tmp, capture_output=True, text=True)
        report = json.loads(check.stdout)
        if report["files"][0]["status"] != "checked":
            print(report["files"][0], file=sys.stderr)
            return 2
        lines = [f"{f['line']}:{f['column']}: {f['code']} {f['message']} [{f['safety']}]\n" for f in report["findings"]]
        case.with_name(case.name + ".expected").write_text("".join(lines), encoding="utf-8")
        subprocess.run(run + ["apply", case.name, "--select", code, "--no-cache"] + unsafe,
                       cwd=tmp, capture_output=True, check=False)
        fixed = case.with_name(case.name + ".fixed")
        if work.read_bytes() != case.read_bytes():
            fixed.write_bytes(work.read_bytes())
        elif fixed.exists():
            fixed.unlink()
        print("".join(lines), end="")
        print(f"fixed: {'yes' if fixed.exists() else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
