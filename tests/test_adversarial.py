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

import pytest

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


# -- item 9: each of these was a traceback with exit 1 (which CI reads as findings)


def _one_error(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    """The run's only stderr line, after checking the exit code and that no
    traceback was printed."""
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_symlink_loop_in_a_tree_costs_only_that_file(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "tst_small.cpp").write_text(SMALL)
    (tree / "x.cpp").symlink_to("y.cpp")
    (tree / "y.cpp").symlink_to("x.cpp")
    proc = qtfix("check", "--no-cache", "--no-pch", "--jobs", "1", ".", cwd=tree)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "x.cpp: failed: cannot read: Too many levels of symbolic links" in proc.stderr.splitlines()
    assert "tst_small.cpp:5:5: QF104" in proc.stdout  # the rest of the batch went on
    named = qtfix("check", "--no-cache", "x.cpp", cwd=tree)
    assert _one_error(named) == "qtfix: error: x.cpp: a symlink that loops or leads nowhere"


def test_unwritable_pch_folder_means_no_precompiled_header(tmp_path):
    """The cache folder passes the trust checks but its pch/ folder cannot be
    written (chattr +i; a full disk fails the same way): one note, and every
    file is analysed without a precompiled header."""
    (tmp_path / "tst_small.cpp").write_text(SMALL)
    (tmp_path / "cache" / "pch").mkdir(mode=0o700, parents=True)
    (tmp_path / "cache").chmod(0o700)
    if subprocess.run(["chattr", "+i", str(tmp_path / "cache" / "pch")], capture_output=True).returncode != 0:
        pytest.skip("chattr +i needs root and a file system that has it")
    try:
        proc = qtfix("check", "--no-cache", "--cache-dir", "cache", "tst_small.cpp", cwd=tmp_path)
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path / "cache" / "pch")])
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("note: cache/pch/") and first.endswith(
        ".lock: Operation not permitted; analysing without a precompiled header"), proc.stderr
    assert "tst_small.cpp:5:5: QF104" in proc.stdout


def test_broken_compile_commands_is_one_line(tmp_path):
    (tmp_path / "tst_small.cpp").write_text(SMALL)
    db = tmp_path / "compile_commands.json"
    db.write_text(f'[{{"directory": "{tmp_path}", "file": "tst_small.cpp", "arguments": [1, 2]}}]')
    proc = qtfix("check", "--no-cache", "--build-dir", ".", "tst_small.cpp", cwd=tmp_path)
    assert _one_error(proc).endswith("broken compile_commands.json: entry 0: 'arguments' must be a list of strings")
    db.write_text("[" * 100_000 + "]" * 100_000)
    proc = qtfix("check", "--no-cache", "--build-dir", ".", "tst_small.cpp", cwd=tmp_path)
    assert _one_error(proc).endswith("broken compile_commands.json: nested too deeply")


def test_a_broken_qt_pc_file_does_not_break_the_others(tmp_path):
    """A Qt6 .pc whose Requires is not installed (Debian's
    qt6-remoteobjects-dev without qt6-declarative-dev): pkg-config fails
    for the whole module list; the working modules still give the flags."""
    (tmp_path / "pc").mkdir()
    (tmp_path / "pc" / "Qt6Broken.pc").write_text(
        "Name: Qt6Broken\nDescription: needs a module that is not installed\nVersion: 6.4.2\n"
        "Requires: Qt6NotInstalledAnywhere\nCflags: -I/nonexistent\n")
    (tmp_path / "tst_small.cpp").write_text(SMALL)
    env = dict(os.environ, PKG_CONFIG_PATH=str(tmp_path / "pc"))
    proc = subprocess.run([sys.executable, "-m", "qtfix", "check", "--no-cache", "--no-pch", "tst_small.cpp"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "tst_small.cpp:5:5: QF104" in proc.stdout


def test_interactive_with_closed_stdin_or_bad_answers(tmp_path):
    source = tmp_path / "tst_small.cpp"
    source.write_text(SMALL)
    closed = subprocess.run([sys.executable, "-m", "qtfix", "apply", "--interactive", "tst_small.cpp"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300, preexec_fn=lambda: os.close(0))
    assert _one_error(closed) == "qtfix: error: --interactive needs a terminal or --answers, and stdin is closed"
    (tmp_path / "answers").write_bytes(b"\xff\xfey\n")
    for answers, why in (("answers", "the answers are not UTF-8 text"), ("/dev/zero", "the answers are not lines of text")):
        proc = qtfix("apply", "--no-cache", "--no-pch", "--answers", answers, "tst_small.cpp", cwd=tmp_path)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert f"qtfix: {why}" in proc.stderr and "tst_small.cpp left unchanged" in proc.stderr, proc.stderr
        assert source.read_text() == SMALL


def test_diff_of_a_file_name_with_a_newline(tmp_path):
    (tmp_path / "tst\nsmall.cpp").write_text(SMALL)
    proc = qtfix("diff", "--no-cache", "--no-pch", ".", cwd=tmp_path)
    assert _one_error(proc) == ("qtfix: error: 'tst\\nsmall.cpp': a file name with a line break cannot be named "
                                "in a diff (use `qtfix apply`)")
    assert proc.stdout == ""


def test_patch_naming_a_path_with_a_nul_byte_is_refused(tmp_path):
    (tmp_path / "a.cpp").write_text(SMALL)
    (tmp_path / "nul.patch").write_bytes(b"--- a/a\0.cpp\n+++ b/a\0.cpp\n@@ -1 +1 @@\n-#include <QLocalServer>\n+//\n")
    proc = qtfix("apply", "--patch", "nul.patch", cwd=tmp_path)
    assert "a NUL byte in the path; refused" in _one_error(proc, 1)
    assert (tmp_path / "a.cpp").read_text() == SMALL


def _chattr(flag: str, path: Path) -> bool:
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_immutable_folder_and_append_only_file_fail_per_file(tmp_path):
    """chattr +i on a folder, +a on a file: each such file is one 'cannot
    write' line and stays as it was; the other files of the batch are fixed."""
    (tmp_path / "locked").mkdir()
    for name in ("locked/tst_one.cpp", "locked/tst_two.cpp", "tst_append.cpp", "tst_free.cpp"):
        (tmp_path / name).write_text(SMALL)
    if not (_chattr("+i", tmp_path / "locked") and _chattr("+a", tmp_path / "tst_append.cpp")):
        pytest.skip("chattr +i/+a needs root and a file system that has them")
    try:
        proc = qtfix("apply", "--no-cache", "--no-pch", "--jobs", "1", ".", cwd=tmp_path)
    finally:
        _chattr("-i", tmp_path / "locked")
        _chattr("-a", tmp_path / "tst_append.cpp")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    for name in ("locked/tst_one.cpp", "locked/tst_two.cpp", "tst_append.cpp"):
        assert (f"qtfix: error: {name}: cannot write: Operation not permitted (is the file or its folder immutable "
                "or append-only? see lsattr); not changed") in proc.stderr.splitlines(), proc.stderr
        assert (tmp_path / name).read_text() == SMALL
    assert "uniqueServerName" in (tmp_path / "tst_free.cpp").read_text()


def test_full_disk_leaves_the_file_as_it_was(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        (disk / "tst_small.cpp").write_text(SMALL)
        with (disk / "filler").open("wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass
        proc = qtfix("apply", "--no-cache", "--no-pch", "tst_small.cpp", cwd=disk)
        assert _one_error(proc) == "qtfix: error: tst_small.cpp: cannot write: No space left on device; not changed"
        assert (disk / "tst_small.cpp").read_text() == SMALL
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "tst_small.cpp"]  # no temporary file left
    finally:
        subprocess.run(["umount", "-l", str(disk)])


def test_fifo_and_device_in_a_tree_are_skipped_not_read(tmp_path):
    """A FIFO nobody writes and a link to /dev/zero in a walked tree: nothing
    blocks on them or reads them without end (before this, collecting the
    helper programs' literals opened the FIFO and waited for ever); each is
    skipped with its reason. A FIFO named on the command line is one line."""
    os.mkfifo(tmp_path / "x.cpp")
    (tmp_path / "zero.h").symlink_to("/dev/zero")
    (tmp_path / "tst_small.cpp").write_text(SMALL)
    proc = qtfix("check", "--no-cache", "--no-pch", "--jobs", "1", ".", cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert "x.cpp: skipped: not a regular file (a FIFO); skipped" in lines, proc.stderr
    # (reports name a link by its target)
    assert any(line.endswith("dev/zero: skipped: not a regular file (a character device); skipped") for line in lines)
    assert "tst_small.cpp:5:5: QF104" in proc.stdout
    named = qtfix("check", "--no-cache", "x.cpp", cwd=tmp_path, timeout=120)
    assert _one_error(named) == "qtfix: error: x.cpp: a FIFO, not a regular file or a directory"
