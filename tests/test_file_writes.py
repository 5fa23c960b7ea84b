"""What `qtfix apply` does to the files it writes (issue 10 items 3, 5, 6),
through the real CLI as root: a symlink is written through and stays a
link, each real file is fixed once, owner, group, mode, xattrs and hard
links survive, and `diff -o` never overwrites a file the run reads."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE = b"""#include <QLocalServer>

bool startServer(QLocalServer &server)
{
    return server.listen("foo");
}
"""


def qtfix(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qtfix", *args, "--no-pch", "--no-cache"],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def fixed(tmp_path_factory) -> bytes:
    """The file as `qtfix apply` fixes it, made once."""
    tree = tmp_path_factory.mktemp("reference")
    (tree / "a.cpp").write_bytes(SOURCE)
    res = qtfix(tree, "apply", "a.cpp")
    assert res.returncode == 0, res.stderr
    data = (tree / "a.cpp").read_bytes()
    assert data != SOURCE and b"uniqueServerName" in data
    return data


def test_a_link_sorted_before_its_target_is_written_through_once(tmp_path, fixed):
    (tmp_path / "b_real.cpp").write_bytes(SOURCE)
    (tmp_path / "a_link.cpp").symlink_to("b_real.cpp")
    res = qtfix(tmp_path, "apply", ".")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "a_link.cpp").is_symlink()
    assert os.readlink(tmp_path / "a_link.cpp") == "b_real.cpp"
    assert (tmp_path / "b_real.cpp").read_bytes() == fixed


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_owner_group_mode_and_xattrs_are_kept(tmp_path, fixed):
    target = tmp_path / "a.cpp"
    target.write_bytes(SOURCE)
    os.chown(target, 4321, 4322)
    os.chmod(target, 0o640)
    try:
        os.setxattr(target, "user.qtfix-test", b"kept")
        xattr = True
    except OSError:
        xattr = False  # a file system without user xattrs
    res = qtfix(tmp_path, "apply", "a.cpp")
    assert res.returncode == 0, res.stderr
    st = os.stat(target)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 4322, 0o640)
    if xattr:
        assert os.getxattr(target, "user.qtfix-test") == b"kept"
    assert target.read_bytes() == fixed


def test_a_file_with_two_hard_links_is_written_in_place(tmp_path, fixed):
    (tmp_path / "src").mkdir()
    target = tmp_path / "src" / "a.cpp"
    target.write_bytes(SOURCE)
    other = tmp_path / "other_name.cpp.keep"
    os.link(target, other)
    inode = os.stat(target).st_ino
    res = qtfix(tmp_path, "apply", "src")
    assert res.returncode == 0, res.stderr
    assert os.stat(target).st_ino == inode and os.stat(target).st_nlink == 2
    assert other.read_bytes() == target.read_bytes() == fixed


def test_diff_output_onto_a_source_it_reads_is_refused(tmp_path):
    (tmp_path / "a.cpp").write_bytes(SOURCE)
    (tmp_path / "alias.cpp").symlink_to("a.cpp")
    for output in ("a.cpp", "alias.cpp"):
        res = qtfix(tmp_path, "diff", ".", "-o", output)
        assert res.returncode == 2, res.stderr
        assert "a file this run reads; refused (choose another output file); the patch was not written" in res.stderr.strip().splitlines()[-1]
        assert (tmp_path / "a.cpp").read_bytes() == SOURCE
    res = qtfix(tmp_path, "diff", ".", "-o", "fix.patch")
    assert res.returncode == 1 and (tmp_path / "fix.patch").read_text().startswith("--- a/a.cpp")
