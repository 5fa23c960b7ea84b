"""Bad input through the real CLI: a one-line error naming the file, exit 2,
and no file changed (bytes, mtime and mode compared before and after)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

COMMANDS = ("check", "diff", "apply")

# A small test with one QF104 finding and a safe fix, and no Qt umbrella header.
GOOD = textwrap.dedent(
    """\
    #include <QLocalServer>

    bool startServer(QLocalServer &server)
    {
        return server.listen("foo");
    }
    """
).encode()

# Runs the real CLI, but edits the target file at the moment qtfix re-reads it
# to write it: the window between analysis and write, hit every time.
CONCURRENT_EDIT = textwrap.dedent(
    """\
    import os, sys
    target = os.path.realpath(sys.argv[1])
    state = {"done": False}

    def hook(event, args):
        if event != "open" or state["done"] or not isinstance(args[0], (str, bytes, os.PathLike)):
            return
        if os.path.realpath(os.fsdecode(args[0])) != target or any(c in (args[1] or "") for c in "wax+"):
            return
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_name != "write_atomically":
            frame = frame.f_back
        if frame is None:
            return
        state["done"] = True
        with open(target, "ab") as f:
            f.write(b"// edited by someone else meanwhile\\n")
        print("test-hook: edited", target, file=sys.stderr)

    sys.addaudithook(hook)
    from qtfix.cli import main
    sys.argv = ["qtfix", "apply", sys.argv[1]]
    main()
    """
)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    # qtfix's own caches go outside the trees under test (and outside ~).
    return tmp_path_factory.mktemp("qtfix-cache")


def qtfix(cwd: Path, *args: str, cache: Path, script: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", script, *args] if script else [sys.executable, "-m", "qtfix", *args]
    env = {**os.environ, "QTFIX_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file under `root` with its bytes, mtime and mode."""
    found = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        content = path.read_bytes() if path.is_file() else None
        found[str(path.relative_to(root))] = (content, st.st_mtime_ns, stat.S_IMODE(st.st_mode))
    return found


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def assert_one_error_line(res: subprocess.CompletedProcess, name: str, *, only_line: bool = True) -> str:
    """Exactly one stderr line names `name`; for check and diff it is the only
    line there is. Returns that line."""
    assert "Traceback" not in res.stderr, res.stderr
    naming = [line for line in lines(res.stderr) if name in line]
    assert len(naming) == 1, f"expected one line naming {name}:\n{res.stderr}"
    if only_line:
        assert lines(res.stderr) == naming, f"expected only the error on stderr:\n{res.stderr}"
    return naming[0]


def run_bad(tmp_path: Path, cache: Path, command: str, *args: str) -> subprocess.CompletedProcess:
    before = snapshot(tmp_path)
    res = qtfix(tmp_path, command, *args, cache=cache)
    assert res.returncode == 2, f"exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    assert res.stdout == "", f"nothing belongs on stdout:\n{res.stdout}"
    assert snapshot(tmp_path) == before, "a file was changed, created or removed"
    return res


@pytest.mark.parametrize("command", COMMANDS)
def test_nonexistent_path(tmp_path, cache_dir, command):
    res = run_bad(tmp_path, cache_dir, command, "tst_missing.cpp")
    line = assert_one_error_line(res, "tst_missing.cpp")
    assert "no such file" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_directory_without_cpp_files(tmp_path, cache_dir, command):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("# notes\n")
    (tmp_path / "docs" / "tst_foo.py").write_text("print('not C++')\n")
    res = run_bad(tmp_path, cache_dir, command, "docs")
    line = assert_one_error_line(res, "docs")
    assert "no C++" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_binary_file(tmp_path, cache_dir, command):
    (tmp_path / "tst_blob.cpp").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)))
    res = run_bad(tmp_path, cache_dir, command, "tst_blob.cpp")
    line = assert_one_error_line(res, "tst_blob.cpp", only_line=command != "apply")
    assert "binary" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_cr_only_file(tmp_path, cache_dir, command):
    # Valid C++ with classic Mac OS line endings: left byte for byte.
    data = GOOD.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    (tmp_path / "tst_cr.cpp").write_bytes(data)
    res = run_bad(tmp_path, cache_dir, command, "tst_cr.cpp")
    line = assert_one_error_line(res, "tst_cr.cpp", only_line=command != "apply")
    assert "CR only" in line
    assert (tmp_path / "tst_cr.cpp").read_bytes() == data


@pytest.mark.parametrize("command", COMMANDS)
def test_file_that_does_not_parse(tmp_path, cache_dir, command):
    broken = GOOD.replace(b'return server.listen("foo");', b'return server.listen("foo") +;')
    (tmp_path / "tst_broken.cpp").write_bytes(broken)
    res = run_bad(tmp_path, cache_dir, command, "tst_broken.cpp")
    line = assert_one_error_line(res, "tst_broken.cpp", only_line=command != "apply")
    # The user learns where: the compiler's own position of the error.
    assert "tst_broken.cpp:5:" in line, line


def test_missing_header(tmp_path, cache_dir):
    (tmp_path / "tst_header.cpp").write_bytes(GOOD.replace(b"<QLocalServer>", b"<QLocalServer>\n#include <QNoSuchHeader>"))
    res = run_bad(tmp_path, cache_dir, "check", "tst_header.cpp")
    line = assert_one_error_line(res, "tst_header.cpp")
    assert "QNoSuchHeader" in line


def test_qt_include_that_is_not_qt(tmp_path, cache_dir):
    (tmp_path / "include").mkdir()
    (tmp_path / "tst_good.cpp").write_bytes(GOOD)
    res = run_bad(tmp_path, cache_dir, "check", "--qt-include", "include", "tst_good.cpp")
    line = assert_one_error_line(res, "include")
    assert "QtCore" in line


BROKEN_DATABASES = {
    "not-json": '[{"directory": "/tmp", "file": "tst_good.cpp", ',
    "not-a-list": '{"directory": "/tmp", "file": "tst_good.cpp", "command": "g++ -c tst_good.cpp"}',
    "entry-without-file": '[{"directory": "/tmp", "command": "g++ -c tst_good.cpp"}]',
    "entry-without-command": '[{"directory": "/tmp", "file": "tst_good.cpp"}]',
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", sorted(BROKEN_DATABASES))
def test_broken_compile_commands(tmp_path, cache_dir, command, kind):
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "compile_commands.json").write_text(BROKEN_DATABASES[kind])
    (tmp_path / "tst_good.cpp").write_bytes(GOOD)
    res = run_bad(tmp_path, cache_dir, command, "-p", "build", "tst_good.cpp")
    line = assert_one_error_line(res, "compile_commands.json")
    assert "build/compile_commands.json" in line


def test_build_flags_without_qt_say_what_to_do(tmp_path, cache_dir):
    (tmp_path / "build").mkdir()
    (tmp_path / "tst_good.cpp").write_bytes(GOOD)
    entry = {"directory": str(tmp_path), "file": "tst_good.cpp", "arguments": ["g++", "-std=c++17", "-c", "tst_good.cpp"]}
    (tmp_path / "build" / "compile_commands.json").write_text(json.dumps([entry]))
    res = run_bad(tmp_path, cache_dir, "check", "-p", "build", "tst_good.cpp")
    line = assert_one_error_line(res, "tst_good.cpp")
    assert "file not found (no Qt include folder in the flags: pass -p BUILD_DIR" in line


def test_missing_compile_commands(tmp_path, cache_dir):
    (tmp_path / "build").mkdir()
    (tmp_path / "tst_good.cpp").write_bytes(GOOD)
    res = run_bad(tmp_path, cache_dir, "check", "-p", "build", "tst_good.cpp")
    assert_one_error_line(res, "compile_commands.json")


def test_read_only_file_under_apply(tmp_path, cache_dir):
    target = tmp_path / "tst_good.cpp"
    target.write_bytes(GOOD)
    target.chmod(0o444)  # the tests run as root: only the mode bits say "read-only"
    res = run_bad(tmp_path, cache_dir, "apply", "tst_good.cpp")
    line = assert_one_error_line(res, "tst_good.cpp")
    assert "read-only" in line


def test_file_changed_between_analysis_and_write(tmp_path, cache_dir):
    target = tmp_path / "tst_good.cpp"
    target.write_bytes(GOOD)
    res = qtfix(tmp_path, "tst_good.cpp", cache=cache_dir, script=CONCURRENT_EDIT)
    assert "test-hook: edited" in res.stderr, f"the edit was never injected (qtfix no longer re-reads before writing?):\n{res.stderr}"
    assert res.returncode == 2, f"exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    stderr = "\n".join(line for line in lines(res.stderr) if not line.startswith("test-hook:"))
    line = assert_one_error_line(subprocess.CompletedProcess(res.args, 2, res.stdout, stderr), "tst_good.cpp")
    assert "changed on disk" in line
    # The other writer's edit is kept whole, and no temporary file is left.
    assert target.read_bytes() == GOOD + b"// edited by someone else meanwhile\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tst_good.cpp"]


@pytest.fixture
def mixed_tree(tmp_path) -> Path:
    tree = tmp_path / "tests"
    tree.mkdir()
    (tree / "tst_a_broken.cpp").write_bytes(GOOD.replace(b"QLocalServer &server", b"QLocalServer &server,"))
    (tree / "tst_b_good.cpp").write_bytes(GOOD)
    (tree / "tst_c_binary.cpp").write_bytes(GOOD + b"\0\x7fELF")
    return tree


def test_bad_files_in_a_directory_do_not_stop_check(mixed_tree, cache_dir):
    res = qtfix(mixed_tree.parent, "check", "--format", "json", "--select", "QF104", "tests", cache=cache_dir)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    report = json.loads(res.stdout)
    status = {f["path"]: f["status"] for f in report["files"]}
    assert status == {"tests/tst_a_broken.cpp": "failed", "tests/tst_b_good.cpp": "checked", "tests/tst_c_binary.cpp": "skipped"}
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("tests/tst_b_good.cpp", 5)]
    for name, word in (("tst_a_broken.cpp", "failed"), ("tst_c_binary.cpp", "skipped")):
        assert any(name in line and word in line for line in lines(res.stderr)), res.stderr


def test_bad_files_in_a_directory_do_not_stop_apply(mixed_tree, cache_dir):
    before = snapshot(mixed_tree)
    res = qtfix(mixed_tree.parent, "apply", "--select", "QF104", "tests", cache=cache_dir)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert lines(res.stdout) == ["fixed tests/tst_b_good.cpp (QF104 x1)"]
    after = snapshot(mixed_tree)
    for bad in ("tst_a_broken.cpp", "tst_c_binary.cpp"):
        assert after[bad] == before[bad], f"{bad} was touched"
    fixed = (mixed_tree / "tst_b_good.cpp").read_bytes()
    assert b'server.listen(uniqueServerName(QStringLiteral("foo")))' in fixed
    assert sorted(after) == sorted(before), "files were created or removed"


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("QTFIX_MAX_FILE_SIZE", "abc", "qtfix: error: QTFIX_MAX_FILE_SIZE: 'ABC' is not a size (bytes, or with a K or M suffix: 512K, 8M)"),
        ("QTFIX_MAX_FILE_SIZE", "8G", "qtfix: error: QTFIX_MAX_FILE_SIZE: '8G' is not a size (bytes, or with a K or M suffix: 512K, 8M)"),
        ("QTFIX_CACHE_MAX_MB", "1.5", "qtfix: error: QTFIX_CACHE_MAX_MB: '1.5' is not a whole number of megabytes"),
    ],
)
def test_an_unreadable_limit_in_the_environment_is_one_line(tmp_path, variable, value, message):
    (tmp_path / "tst_good.cpp").write_bytes(GOOD)
    res = subprocess.run([sys.executable, "-m", "qtfix", "check", "tst_good.cpp"], cwd=tmp_path, capture_output=True,
                         text=True, env={**os.environ, variable: value}, timeout=120)
    assert res.returncode == 2 and res.stderr.strip() == message and res.stdout == ""


def test_a_readable_size_limit_is_used(tmp_path, cache_dir):
    (tmp_path / "tst_good.cpp").write_bytes(GOOD + b"// padding\n" * 100)  # over 1 KB
    res = subprocess.run([sys.executable, "-m", "qtfix", "check", "--no-pch", "--cache-dir", str(cache_dir), "tst_good.cpp"],
                         cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "QTFIX_MAX_FILE_SIZE": "1K"}, timeout=300)
    assert res.returncode == 2 and "too large" in res.stderr and "QTFIX_MAX_FILE_SIZE" in res.stderr
