"""A runner that never dies: whatever qtfix's own code raises on a file
becomes that file's `failed` outcome naming the exception, and the run goes
on (exit 2 at the end, never a traceback). The codemod that raises here is
a real one, found by the real discovery (its module sits in a folder added
to the codemods package's path, as a plugin would), run on real files parsed
with the real Qt headers, through the real CLI and its worker pool."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from qtfix.codemod import Codemod, discover
from qtfix.edits import Safety
from qtfix.parse import CursorKind
from qtfix.project import FlagSource
from qtfix.results import Checked, Failed, Skipped
from qtfix.runner import Task, analyse_file

REPO = Path(__file__).resolve().parent.parent
PROGRAMS = REPO / "tests" / "programs"

RAISING = '''
from qtfix.codemod import Codemod
from qtfix.edits import Safety
from qtfix.parse import CursorKind


class DividesByZero(Codemod):
    """A codemod with a bug: it raises on the first function it sees."""

    code = "QF900"
    name = "divides-by-zero"
    summary = "raises"
    safety = Safety.SAFE
    kinds = frozenset({CursorKind.FUNCTION_DECL, CursorKind.CXX_METHOD})

    def match(self, unit, nodes, options):
        for node in nodes:
            yield 1 // (len(node.cursor.spelling) * 0)
'''


class _Raises(Codemod):
    code = "QF901"
    name = "raises-in-fix"
    summary = "raises while fixing"
    safety = Safety.SAFE
    kinds = frozenset({CursorKind.CXX_NEW_EXPR})

    def match(self, unit, nodes, options):
        yield from (n.cursor for n in nodes)

    def fix(self, unit, match, options):
        raise KeyError("no such thing")


def test_a_codemod_that_raises_fails_its_file_naming_the_exception(tmp_path):
    path = tmp_path / "tst_seedbench.cpp"
    shutil.copy(PROGRAMS / "tst_seedbench.cpp", path)
    args = FlagSource().args_for_all([path])[0][path]
    result = analyse_file(Task(path, args), [_Raises()])
    assert isinstance(result, Failed), result
    assert result.reason.startswith("internal error in QF901: KeyError: 'no such thing' (test_runner.py:")
    assert result.source == path.read_bytes() and result.findings == ()
    # the same file with the real codemods is checked
    assert isinstance(analyse_file(Task(path, args, tuple(discover()))), Checked)


def test_outcomes_are_a_closed_set_of_frozen_values(tmp_path):
    failed = Failed(tmp_path / "x.cpp", "boom")
    with pytest.raises(TypeError):
        Failed(tmp_path / "x.cpp", "boom", findings=())  # a failed file has no findings to give
    with pytest.raises(TypeError):
        Checked(tmp_path / "x.cpp", reason="boom")  # nor a checked file a failure
    with pytest.raises(TypeError):
        Skipped(tmp_path / "x.cpp")  # a skipped file says why
    with pytest.raises(FrozenInstanceError):
        failed.reason = "other"
    assert (failed.findings, failed.reported, failed.rolled_back, failed.cached) == ((), (), (), False)


def _run_with_plugin(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess:
    plugins = tmp_path / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "divides_by_zero.py").write_text(RAISING)
    program = (
        "import sys, qtfix.codemods as c; c.__path__.append(sys.argv[1]); "
        "from qtfix.cli import main; sys.argv[1:] = sys.argv[2:]; main()"
    )
    return subprocess.run([sys.executable, "-c", program, str(plugins), *argv], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", ["check", "diff", "apply"])
def test_a_crash_in_a_codemod_is_exit_2_with_one_line_and_no_traceback(tmp_path, command):
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ("tst_seedbench.cpp", "tst_tcpaccept.cpp"):
        shutil.copy(PROGRAMS / name, tree / name)
    before = {p.name: p.read_bytes() for p in tree.iterdir()}
    proc = _run_with_plugin(tmp_path, command, "--no-cache", "--jobs", "2", "tree")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if "internal error in QF900" in line]
    assert len(lines) == 2, proc.stderr
    assert all(": failed: internal error in QF900: ZeroDivisionError: integer division or modulo by zero "
               "(divides_by_zero.py:" in line for line in lines)
    assert {p.name: p.read_bytes() for p in tree.iterdir()} == before  # a failed file is never written


def test_the_json_report_names_the_failure_and_the_others_are_checked(tmp_path):
    (tmp_path / "tst_seedbench.cpp").write_bytes((PROGRAMS / "tst_seedbench.cpp").read_bytes())
    proc = _run_with_plugin(tmp_path, "check", "--no-cache", "--select", "QF900", "--format", "json", "tst_seedbench.cpp")
    assert proc.returncode == 2, proc.stderr
    files = json.loads(proc.stdout)["files"]
    assert [(f["status"], f["reason"].split(" (")[0]) for f in files] == [
        ("failed", "internal error in QF900: ZeroDivisionError: integer division or modulo by zero")]
