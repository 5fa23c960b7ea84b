"""Hostile or unlucky conditions through the real CLI (issue 10): a killed
qtfix leaves no process behind, a single file gets the same crash and
timeout isolation as a directory, and bad input costs one clear line with
exit 2, never a traceback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROGRAMS = REPO / "tests" / "programs"

# Real Qt code, small: one QF104 finding.
SMALL = textwrap.dedent(
    """\
    #include <QLocalServer>

    bool startServer(QLocalServer &server)
    {
        return server.listen("foo");
    }
    """
)


def qtfix(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qtfix", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _stat_fields(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, process group) of a live process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def _alive(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")  # a zombie has exited


def _processes(match) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and fields[0] not in ("Z", "X") and match(fields):
                found.append(int(entry.name))
    return found


def _wait_for(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _blocking_tree(root: Path) -> Path:
    """A tree with one file whose analysis never ends (it includes a FIFO
    nobody writes: libclang waits in open() for ever, using no CPU) and one
    ordinary file that finishes quickly."""
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    os.mkfifo(root / "a" / "pipe.inc")  # not a suffix qtfix collects
    (root / "a" / "tst_a.cpp").write_text('#include <QObject>\n#include "pipe.inc"\nint x;\n')
    shutil.copy(PROGRAMS / "tst_tcpaccept.cpp", root / "b")
    return root


def test_killed_qtfix_leaves_no_worker_behind(tmp_path):
    """SIGKILL the main process while one worker is stuck inside libclang and
    the other waits on its pipe for work: both must exit within seconds."""
    tree = _blocking_tree(tmp_path / "tree")
    log = tmp_path / "stderr.txt"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "qtfix", "check", "--jobs", "2", "--no-pch", "--no-cache",
                                 "--file-timeout", "600", "."], cwd=tree, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
    workers: list[int] = []
    try:
        # b/tst_tcpaccept.cpp done: its worker now idles on the pipe, the other is stuck on a/
        assert _wait_for(lambda: "b/tst_tcpaccept.cpp" in log.read_text(), 120), log.read_text()
        workers = _processes(lambda f: f[1] == proc.pid)
        assert len(workers) == 2, (workers, log.read_text())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        survivors = _wait_for(lambda: not [p for p in workers if _alive(p)], 10)
        assert survivors, [p for p in workers if _alive(p)]
        assert not _processes(lambda f: f[2] == proc.pid), "a process of the killed qtfix's group is still alive"
    finally:
        for pid in [*workers, *_processes(lambda f: f[2] == proc.pid)]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_single_file_that_crashes_libclang_is_reported(tmp_path):
    """1500 nested parentheses overflow libclang's stack (signal 11, here with
    any `ulimit -s`); a directory run reports that file as crashed, and so
    must a run on that one file: one line, exit 2, no traceback."""
    source = tmp_path / "tst_deep.cpp"
    text = "#include <QObject>\nint f() { return " + "(" * 1500 + "1" + ")" * 1500 + "; }\n"
    source.write_text(text)
    proc = qtfix("check", "--no-cache", "tst_deep.cpp", cwd=tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stderr.splitlines() == ["tst_deep.cpp: failed: crashed: the analysis process died (signal 11)"], proc.stderr
    assert source.read_text() == text
    (tmp_path / "more").mkdir()
    shutil.move(source, tmp_path / "more")
    (tmp_path / "more" / "tst_small.cpp").write_text(SMALL)
    whole = qtfix("check", "--no-cache", "--jobs", "1", "more", cwd=tmp_path)
    assert "more/tst_deep.cpp: failed: crashed: the analysis process died (signal 11)" in whole.stderr.splitlines()
    assert whole.returncode == 2 and "Traceback" not in whole.stderr


def test_file_timeout_applies_to_a_single_file(tmp_path):
    """--file-timeout on one file that never finishes: reported as timed out,
    exit 2."""
    tree = _blocking_tree(tmp_path / "tree")
    # the file alone would block for ever: subprocess.run's timeout is the failure
    proc = qtfix("check", "--no-cache", "--no-pch", "--file-timeout", "3", "a/tst_a.cpp", cwd=tree, timeout=120)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stderr.splitlines() == ["a/tst_a.cpp: failed: timed out: analysis took longer than 3 s"], proc.stderr
