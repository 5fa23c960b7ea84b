"""`qtfix apply --patch`: saved patches checked hunk by hunk, then applied.

Real files in temporary trees. The oracle is `git apply`: wherever it accepts
a patch, `qtfix apply --patch` must produce byte-identical files; where the
patch is stale, unsafe or not a text patch, qtfix refuses the file whole and
says why in one line.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from qtfix.patch_apply import PatchError, plan_patch, read_patch

QTFIX = [sys.executable, "-m", "qtfix"]

TEST_CPP = """\
#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_Names : public QObject
{
    Q_OBJECT
private slots:
    void serverAndClient();
    void secondServer();
};

void tst_Names::serverAndClient()
{
    QLocalServer server;
    QVERIFY(server.listen("foo"));
    QLocalSocket socket;
    socket.connectToServer("foo");
    QVERIFY(socket.waitForConnected(1000));
}

void tst_Names::secondServer()
{
    QLocalServer server;
    QVERIFY(server.listen(QStringLiteral("bar")));
}

QTEST_MAIN(tst_Names)
#include "tst_names.moc"
"""


def run(args, cwd, input=None, check=False):
    return subprocess.run(args, cwd=cwd, input=input, capture_output=True, check=check)


def qtfix(cwd, *args, input=None):
    return run([*QTFIX, *args], cwd, input=input)


def git_apply(cwd, patch: Path, *extra):
    return run(["git", "apply", *extra, str(patch)], cwd)


def snapshot(tree: Path) -> dict[str, bytes]:
    return {str(p.relative_to(tree)): p.read_bytes() for p in sorted(tree.rglob("*")) if p.is_file() and ".git" not in p.parts}


def make_tree(root: Path) -> Path:
    """Three test files that differ only in encoding details: LF, CRLF, and
    a UTF-8 BOM with a non-ASCII comment."""
    root.mkdir()
    (root / "tst_lf.cpp").write_bytes(TEST_CPP.encode())
    (root / "tst_crlf.cpp").write_bytes(TEST_CPP.replace("\n", "\r\n").encode())
    bom = "\ufeff" + TEST_CPP.replace("    QLocalSocket socket;", "    QLocalSocket socket; // Prüfung der Namen")
    (root / "tst_bom.cpp").write_bytes(bom.encode())
    return root


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One analysed tree and the patch `qtfix diff -o` wrote for it."""
    base = tmp_path_factory.mktemp("made")
    tree = make_tree(base / "tree")
    result = qtfix(tree, "diff", "--select", "QF104", "-o", str(base / "migration.patch"), ".")
    assert result.returncode == 1, result.stderr.decode()
    return tree, base / "migration.patch"


@pytest.fixture
def fresh(made, tmp_path):
    """A copy of the original tree and of its patch, to apply to."""
    tree, patch = made

    def copy(name="work") -> Path:
        dst = tmp_path / name
        shutil.copytree(tree, dst)
        return dst

    shutil.copy(patch, tmp_path / "migration.patch")
    return copy, tmp_path / "migration.patch"


def test_the_patch_holds_crlf_and_bom_lines(made):
    _, patch = made
    data = patch.read_bytes()
    assert b"+    QVERIFY(server.listen(uniqueServerName(QStringLiteral(\"foo\"))));\r\n" in data
    assert b"\n \xef\xbb\xbf#include <QtTest/QtTest>\n" in data
    assert "Prüfung".encode() in data


def test_qtfix_diff_piped_to_git_apply_and_apply_patch_give_identical_bytes(fresh):
    copy, patch = fresh
    via_git, via_qtfix = copy("git"), copy("qtfix")
    piped = subprocess.run(
        f"{' '.join(QTFIX)} diff --select QF104 . | git apply", shell=True, cwd=via_git, capture_output=True
    )
    assert piped.returncode == 0, piped.stderr.decode()
    result = qtfix(via_qtfix, "apply", "--patch", str(patch))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines() == [
        "patched tst_bom.cpp (2 hunk(s))",
        "patched tst_crlf.cpp (2 hunk(s))",
        "patched tst_lf.cpp (2 hunk(s))",
    ]
    assert snapshot(via_qtfix) == snapshot(via_git)
    fixed = snapshot(via_qtfix)
    assert fixed["tst_crlf.cpp"] == fixed["tst_lf.cpp"].replace(b"\n", b"\r\n")
    assert fixed["tst_bom.cpp"].startswith(b"\xef\xbb\xbf#include")
    assert b'listen("foo")' not in fixed["tst_lf.cpp"]


def test_apply_patch_equals_direct_apply(fresh):
    copy, patch = fresh
    direct, patched = copy("direct"), copy("patched")
    assert qtfix(direct, "apply", "--select", "QF104", ".").returncode == 0
    assert qtfix(patched, "apply", "--patch", str(patch)).returncode == 0
    assert snapshot(direct) == snapshot(patched)


def test_check_reports_and_writes_nothing(fresh):
    copy, patch = fresh
    tree = copy()
    before = snapshot(tree)
    result = qtfix(tree, "apply", "--patch", str(patch), "--check")
    assert result.returncode == 0
    assert "would apply tst_lf.cpp: patched (2 hunk(s))" in result.stdout.decode()
    assert snapshot(tree) == before


def test_a_stale_file_is_refused_whole_and_the_others_apply(fresh):
    copy, patch = fresh
    tree, oracle = copy(), copy("oracle")
    stale = TEST_CPP.replace("QLocalSocket socket;", "QLocalSocket client;").encode()
    (tree / "tst_lf.cpp").write_bytes(stale)
    result = qtfix(tree, "apply", "--patch", str(patch))
    assert result.returncode == 1
    err = result.stderr.decode()
    assert "qtfix: refused tst_lf.cpp: hunk #2 @@ -13,16 +21,16 @@ does not match the file (line 17 differs); file not changed" in err
    assert len(err.strip().splitlines()) == 1
    # Hunk #1 (the helper) matched, but the file is refused whole.
    assert (tree / "tst_lf.cpp").read_bytes() == stale
    assert git_apply(oracle, patch).returncode == 0
    assert (tree / "tst_crlf.cpp").read_bytes() == (oracle / "tst_crlf.cpp").read_bytes()
    assert (tree / "tst_bom.cpp").read_bytes() == (oracle / "tst_bom.cpp").read_bytes()


def test_applying_twice_is_refused_as_already_applied(fresh):
    copy, patch = fresh
    tree = copy()
    assert qtfix(tree, "apply", "--patch", str(patch)).returncode == 0
    after = snapshot(tree)
    result = qtfix(tree, "apply", "--patch", str(patch))
    assert result.returncode == 1
    assert "the patch looks already applied" in result.stderr.decode()
    assert snapshot(tree) == after


def test_lines_added_above_shift_hunks_by_an_offset_like_patch_does(fresh):
    copy, patch = fresh
    tree, oracle = copy(), copy("oracle")
    for t in (tree, oracle):
        f = t / "tst_lf.cpp"
        f.write_bytes(f.read_bytes().replace(b"\nvoid tst_Names::serverAndClient", b"\n// added later\n// second line\nvoid tst_Names::serverAndClient"))
    result = qtfix(tree, "apply", "--patch", str(patch))
    assert result.returncode == 0, result.stderr.decode()
    assert "note: tst_lf.cpp: hunk #2 @@ -13,16 +21,16 @@ applied at line 15 (offset +2 lines)" in result.stderr.decode()
    assert git_apply(oracle, patch).returncode == 0
    assert snapshot(tree) == snapshot(oracle)


def without_hunk(patch_text: str, file: str, number: int) -> str:
    """The patch with one hunk of one file cut out, as a reviewer would."""
    lines = patch_text.splitlines(keepends=True)
    out, in_file, hunk, skipping = [], False, 0, False
    for line in lines:
        if line.startswith("--- "):
            in_file = line.rstrip("\n") == f"--- a/{file}"
            hunk, skipping = 0, False
        elif line.startswith("@@ ") and in_file:
            hunk += 1
            skipping = hunk == number
        if not skipping or line.startswith(("--- ", "+++ ")):
            out.append(line)
    return "".join(out)


def test_a_patch_with_a_hunk_removed_by_hand_still_applies(fresh):
    copy, patch = fresh
    tree, oracle = copy(), copy("oracle")
    edited = patch.with_name("edited.patch")
    text = patch.read_bytes().decode()
    edited.write_bytes(without_hunk(text, "tst_crlf.cpp", 2).encode())
    assert edited.read_bytes().count(b"\n@@ ") == patch.read_bytes().count(b"\n@@ ") - 1
    result = qtfix(tree, "apply", "--patch", str(edited))
    assert result.returncode == 0, result.stderr.decode()
    assert "patched tst_crlf.cpp (1 hunk(s))" in result.stdout.decode()
    assert git_apply(oracle, edited).returncode == 0
    assert snapshot(tree) == snapshot(oracle)
    crlf = (tree / "tst_crlf.cpp").read_bytes()
    assert b"inline QString uniqueServerName" in crlf and b'listen("foo")' in crlf


def test_a_patch_an_editor_converted_from_crlf_to_lf_keeps_the_files_crlf(fresh):
    copy, patch = fresh
    tree, reference = copy(), copy("reference")
    converted = patch.with_name("converted.patch")
    converted.write_bytes(patch.read_bytes().replace(b"\r\n", b"\n"))
    assert b"\r" not in converted.read_bytes()
    # git apply refuses it (its context lines no longer match the CRLF file) ...
    assert git_apply(copy("git"), converted, "--check").returncode != 0
    # ... qtfix applies it, with the file's own line ending, noting why.
    result = qtfix(tree, "apply", "--patch", str(converted))
    assert result.returncode == 0, result.stderr.decode()
    assert "note: tst_crlf.cpp: the patch's lines end in LF but the file uses CRLF" in result.stderr.decode()
    assert qtfix(reference, "apply", "--patch", str(patch)).returncode == 0
    assert snapshot(tree) == snapshot(reference)


def test_a_converted_patch_is_refused_cleanly_where_the_endings_are_ambiguous(fresh):
    copy, patch = fresh
    tree = copy()
    # One LF line in the CRLF file: its line endings are mixed, so the
    # LF patch cannot be read as CRLF with certainty.
    mixed = (tree / "tst_crlf.cpp").read_bytes().replace(b"QTEST_MAIN(tst_Names)\r\n", b"QTEST_MAIN(tst_Names)\n")
    (tree / "tst_crlf.cpp").write_bytes(mixed)
    converted = patch.with_name("converted.patch")
    converted.write_bytes(patch.read_bytes().replace(b"\r\n", b"\n"))
    result = qtfix(tree, "apply", "--patch", str(converted))
    assert result.returncode == 1
    assert (
        "qtfix: refused tst_crlf.cpp: hunk #1 @@ -1,6 +1,14 @@ does not match the file "
        "(line 1 differs in its line ending); file not changed"
    ) in result.stderr.decode()
    assert (tree / "tst_crlf.cpp").read_bytes() == mixed
    assert b"uniqueServerName" in (tree / "tst_lf.cpp").read_bytes()


def test_a_patch_converted_to_crlf_applies_to_lf_files(fresh):
    copy, patch = fresh
    tree, reference = copy(), copy("reference")
    converted = patch.with_name("converted.patch")
    text = patch.read_bytes().decode()
    # Only the files that were LF: a CRLF conversion of the whole patch.
    lf_only = "".join(s for s in text.split("--- ")[1:] if s.startswith("a/tst_lf.cpp"))
    converted.write_bytes(("--- " + lf_only).replace("\r\n", "\n").replace("\n", "\r\n").encode())
    result = qtfix(tree, "apply", "--patch", str(converted))
    assert result.returncode == 0, result.stderr.decode()
    assert qtfix(reference, "apply", "--patch", str(patch)).returncode == 0
    assert (tree / "tst_lf.cpp").read_bytes() == (reference / "tst_lf.cpp").read_bytes()


# -- patches qtfix did not write: exact semantics checked against git apply --


def write_and_apply(tmp_path: Path, files: dict[str, bytes], patch: bytes, *flags: str):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for tree in (ours, theirs):
        tree.mkdir()
        for name, data in files.items():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            (tree / name).write_bytes(data)
    (tmp_path / "p.patch").write_bytes(patch)
    result = qtfix(ours, "apply", "--patch", str(tmp_path / "p.patch"), *flags)
    oracle = git_apply(theirs, tmp_path / "p.patch")
    return result, oracle, ours, theirs


def test_form_feed_and_missing_final_newline_round_trip(tmp_path):
    # str.splitlines would cut the first line at
    # the form feed and lose the CR: the bytes must come through untouched.
    old = b"a\x0cpage\r\nkeep\r\nlast"
    new = b"a\x0cpage\r\nchanged\r\nlast line"
    patch = (
        b"--- a/f.cpp\n+++ b/f.cpp\n@@ -1,3 +1,3 @@\n a\x0cpage\r\n-keep\r\n-last\n\\ No newline at end of file\n"
        b"+changed\r\n+last line\n\\ No newline at end of file\n"
    )
    result, oracle, ours, theirs = write_and_apply(tmp_path, {"f.cpp": old}, patch)
    assert oracle.returncode == 0, oracle.stderr
    assert result.returncode == 0, result.stderr.decode()
    assert (ours / "f.cpp").read_bytes() == (theirs / "f.cpp").read_bytes() == new


def test_two_files_without_diff_lines_stay_two_files(tmp_path):
    # whatthepatch 1.0.7 read this as one file with two hunks; unidiff does not.
    files = {"x.cpp": b"one\n", "sub/y.cpp": b"one\n"}
    patch = b"--- a/x.cpp\n+++ b/x.cpp\n@@ -1 +1 @@\n-one\n+two\n--- a/sub/y.cpp\n+++ b/sub/y.cpp\n@@ -1 +1 @@\n-one\n+three\n"
    result, oracle, ours, theirs = write_and_apply(tmp_path, files, patch)
    assert result.returncode == oracle.returncode == 0
    assert snapshot(ours) == snapshot(theirs) == {"sub/y.cpp": b"three\n", "x.cpp": b"two\n"}


@pytest.mark.parametrize(
    "name, message",
    [
        ("../outside.cpp", "qtfix: refused ../outside.cpp: path goes up out of the current tree ('..'); refused"),
        ("sub/../../outside.cpp", "qtfix: refused sub/../../outside.cpp: path goes up out of the current tree ('..'); refused"),
        (".git/hooks/outside.cpp", "qtfix: refused .git/hooks/outside.cpp: path inside a .git directory; refused"),
    ],
)
def test_paths_going_up_or_into_git_are_refused(tmp_path, name, message):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "sub").mkdir()
    (tmp_path / "outside.cpp").write_bytes(b"one\n")
    (tree / "inside.cpp").write_bytes(b"one\n")
    patch = (
        f"--- a/{name}\n+++ b/{name}\n@@ -1 +1 @@\n-one\n+evil\n"
        "--- a/inside.cpp\n+++ b/inside.cpp\n@@ -1 +1 @@\n-one\n+two\n"
    )
    (tmp_path / "p.patch").write_text(patch)
    result = qtfix(tree, "apply", "--patch", str(tmp_path / "p.patch"))
    assert result.returncode == 1
    assert result.stderr.decode().strip() == message
    assert (tmp_path / "outside.cpp").read_bytes() == b"one\n"
    assert (tree / "inside.cpp").read_bytes() == b"two\n"


def test_absolute_paths_are_refused(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    victim = tmp_path / "victim.cpp"
    victim.write_bytes(b"one\n")
    patch = f"--- {victim}\n+++ {victim}\n@@ -1 +1 @@\n-one\n+evil\n"
    (tmp_path / "p.patch").write_text(patch)
    result = qtfix(tree, "apply", "--patch", str(tmp_path / "p.patch"))
    assert result.returncode == 1
    # A plain `diff -u` path has no a/ prefix to strip; it stays absolute.
    assert f"absolute path outside the current tree; refused" in result.stderr.decode()
    assert victim.read_bytes() == b"one\n"


def test_symlinks_leading_out_of_the_tree_are_refused(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "a.cpp").write_bytes(b"one\n")
    (tree / "link").symlink_to(outside)
    (tree / "file_link.cpp").symlink_to(outside / "a.cpp")
    (tree / "real.cpp").write_bytes(b"one\n")
    (tree / "inner_link.cpp").symlink_to("real.cpp")
    patch = "".join(
        f"--- a/{n}\n+++ b/{n}\n@@ -1 +1 @@\n-one\n+two\n" for n in ("link/a.cpp", "file_link.cpp", "inner_link.cpp")
    )
    (tmp_path / "p.patch").write_text(patch)
    result = qtfix(tree, "apply", "--patch", str(tmp_path / "p.patch"))
    assert result.returncode == 1
    err = result.stderr.decode().splitlines()
    assert err == [
        f"qtfix: refused link/a.cpp: a symlink on the path leads outside the current tree (to {outside.resolve() / 'a.cpp'}); refused",
        f"qtfix: refused file_link.cpp: a symlink on the path leads outside the current tree (to {outside.resolve() / 'a.cpp'}); refused",
    ]
    assert (outside / "a.cpp").read_bytes() == b"one\n"
    # A link inside the tree is followed, and stays a link.
    assert (tree / "inner_link.cpp").is_symlink() and (tree / "real.cpp").read_bytes() == b"two\n"


GIT_BINARY = b"""\
diff --git a/icon.png b/icon.png
index 4b825dc..e69de29 100644
GIT binary patch
literal 0
HcmV?d00001

literal 3
KcmZ?wbN>JV01y5E

"""


@pytest.mark.parametrize(
    "patch",
    [GIT_BINARY, b"diff --git a/icon.png b/icon.png\nindex 1111111..2222222 100644\nBinary files a/icon.png and b/icon.png differ\n",
     b"Binary files a/icon.png and b/icon.png differ\n"],
    ids=["git-binary-patch", "git-binary-files-differ", "diff-binary-files-differ"],
)
def test_binary_patches_are_refused(tmp_path, patch):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "icon.png").write_bytes(b"\x89PNG")
    (tmp_path / "p.patch").write_bytes(patch)
    result = qtfix(tree, "apply", "--patch", str(tmp_path / "p.patch"))
    assert result.returncode == 1
    assert result.stderr.decode().strip() == "qtfix: refused icon.png: binary patch; qtfix applies text patches only"
    assert (tree / "icon.png").read_bytes() == b"\x89PNG"


CREATE = b"diff --git a/new/helper.h b/new/helper.h\nnew file mode 100755\nindex 0000000..1111111\n--- /dev/null\n+++ b/new/helper.h\n@@ -0,0 +1,2 @@\n+#pragma once\r\n+int helper();\n"
DELETE = b"diff --git a/old.cpp b/old.cpp\ndeleted file mode 100644\nindex 1111111..0000000\n--- a/old.cpp\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-one\n-two\n"


def test_creating_needs_allow_create(tmp_path):
    result, oracle, ours, theirs = write_and_apply(tmp_path, {"keep.cpp": b"x\n"}, CREATE)
    assert result.returncode == 1
    assert result.stderr.decode().strip() == "qtfix: refused new/helper.h: the patch creates this file; pass --allow-create to allow it"
    assert not (ours / "new").exists()
    allowed = qtfix(ours, "apply", "--patch", str(tmp_path / "p.patch"), "--allow-create")
    assert allowed.returncode == 0, allowed.stderr.decode()
    assert allowed.stdout.decode().strip() == "created new/helper.h (1 hunk(s))"
    assert snapshot(ours) == snapshot(theirs)
    assert (ours / "new/helper.h").stat().st_mode & 0o111  # the mode the patch names
    again = qtfix(ours, "apply", "--patch", str(tmp_path / "p.patch"), "--allow-create")
    assert again.returncode == 1
    assert "the patch creates this file but it already exists" in again.stderr.decode()


def test_deleting_needs_allow_delete(tmp_path):
    result, oracle, ours, theirs = write_and_apply(tmp_path, {"old.cpp": b"one\ntwo\n"}, DELETE)
    assert result.returncode == 1
    assert result.stderr.decode().strip() == "qtfix: refused old.cpp: the patch deletes this file; pass --allow-delete to allow it"
    assert (ours / "old.cpp").read_bytes() == b"one\ntwo\n"
    allowed = qtfix(ours, "apply", "--patch", str(tmp_path / "p.patch"), "--allow-delete")
    assert allowed.returncode == 0, allowed.stderr.decode()
    assert snapshot(ours) == snapshot(theirs) == {}


def test_deleting_a_file_that_changed_is_refused(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "old.cpp").write_bytes(b"one\ntwo\nthree\n")
    (tmp_path / "p.patch").write_bytes(DELETE)
    result = qtfix(tree, "apply", "--patch", str(tmp_path / "p.patch"), "--allow-delete")
    assert result.returncode == 1
    assert "does not remove all of its lines" in result.stderr.decode()
    assert (tree / "old.cpp").exists()


def test_a_read_only_file_is_not_written(fresh):
    copy, patch = fresh
    tree = copy()
    target = tree / "tst_lf.cpp"
    before = target.read_bytes()
    target.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        result = qtfix(tree, "apply", "--patch", str(patch))
    finally:
        target.chmod(0o644)
    assert result.returncode == 1
    assert "tst_lf.cpp: read-only file; not changed" in result.stderr.decode()
    assert target.read_bytes() == before
    assert b"uniqueServerName" in (tree / "tst_crlf.cpp").read_bytes()


def test_file_permissions_are_kept(fresh):
    copy, patch = fresh
    tree = copy()
    (tree / "tst_lf.cpp").chmod(0o640)
    assert qtfix(tree, "apply", "--patch", str(patch)).returncode == 0
    assert stat.S_IMODE((tree / "tst_lf.cpp").stat().st_mode) == 0o640


def test_patch_from_stdin(fresh):
    copy, patch = fresh
    tree = copy()
    result = qtfix(tree, "apply", "--patch", "-", input=patch.read_bytes())
    assert result.returncode == 0, result.stderr.decode()
    assert b"uniqueServerName" in (tree / "tst_bom.cpp").read_bytes()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"just some text\n", "qtfix: error: no file changes found in the patch (is it a unified diff?)"),
        (b"--- a/x.cpp\n+++ b/x.cpp\n@@ -1,3 +1,3 @@\n a\n-b\n", "qtfix: error: hunk @@ -1,3 +1,3 @@ ends early: the patch is truncated"),
        (b"\xff\xfe--- a/x", "qtfix: error: p.patch: the patch is UTF-16 text; save it as UTF-8 or 8-bit text"),
        (
            b"--- a/x.cpp\n+++ b/x.cpp\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n+d\n",
            "qtfix: error: file x.cpp: hunk @@ -1,2 +1,2 @@ has more lines than its header says (was the patch edited by hand? fix the counts in its @@ line)",
        ),
    ],
    ids=["not-a-diff", "truncated", "not-utf8", "counts-off"],
)
def test_unusable_patches_are_an_error(tmp_path, content, message):
    (tmp_path / "x.cpp").write_bytes(b"a\nb\nc\n")
    (tmp_path / "p.patch").write_bytes(content)
    result = qtfix(tmp_path, "apply", "--patch", "p.patch")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == message
    assert (tmp_path / "x.cpp").read_bytes() == b"a\nb\nc\n"


def test_missing_patch_file(tmp_path):
    result = qtfix(tmp_path, "apply", "--patch", "nope.patch")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "qtfix: error: nope.patch: cannot read the patch: No such file or directory"


def test_patch_options_do_not_mix_with_paths(tmp_path):
    result = qtfix(tmp_path, "apply", "--patch", "p.patch", "x.cpp")
    assert result.returncode == 2
    assert "--patch applies a saved patch: it takes no PATHS" in result.stderr.decode()
    result = qtfix(tmp_path, "apply", "--check", "x.cpp")
    assert result.returncode == 2
    assert "go with --patch FILE" in result.stderr.decode()


# -- the reader on its own --------------------------------------------------


def test_reader_keeps_line_endings_and_hunk_headers():
    sections = read_patch("--- a/x.cpp\n+++ b/x.cpp\n@@ -2,2 +2,2 @@ void f()\n ctx\r\n-old\r\n+new\r\n")
    (s,) = sections
    assert (s.old_path, s.new_path) == ("x.cpp", "x.cpp")
    (h,) = s.hunks
    assert h.header == "@@ -2,2 +2,2 @@"
    assert h.old == ("ctx\r\n", "old\r\n") and h.new == ("ctx\r\n", "new\r\n")


def test_reader_takes_git_quoted_and_timestamped_names():
    quoted = read_patch('--- "a/caf\\303\\251 t.cpp"\n+++ "b/caf\\303\\251 t.cpp"\n@@ -1 +1 @@\n-a\n+b\n')
    assert quoted[0].name == "café t.cpp"
    stamped = read_patch("--- x.cpp.orig\t2024-01-01 10:00:00\n+++ x.cpp\t2024-01-01 10:00:01\n@@ -1 +1 @@\n-a\n+b\n")
    assert (stamped[0].old_path, stamped[0].new_path) == ("x.cpp.orig", "x.cpp")


def test_plan_refuses_renames(tmp_path):
    (tmp_path / "o.cpp").write_bytes(b"a\n")
    outcomes = plan_patch("diff --git a/o.cpp b/n.cpp\nsimilarity index 100%\nrename from o.cpp\nrename to n.cpp\n", tmp_path)
    assert [o.refused for o in outcomes] == ["n.cpp: renames and copies are not supported; apply this part with git apply"]


def test_reader_rejects_garbage():
    with pytest.raises(PatchError):
        read_patch("hello\n")


# -- one file, two names; links; modes ----------------------------------------


def test_a_link_and_its_target_named_in_one_patch_are_one_file(tmp_path):
    # Each section applies in turn to the real file, which keeps its link.
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "real.cpp").write_bytes(b"one\ntwo\nthree\n")
    (tree / "alias.cpp").symlink_to("real.cpp")
    patch = (
        "--- a/alias.cpp\n+++ b/alias.cpp\n@@ -1,3 +1,3 @@\n-one\n+ONE\n two\n three\n"
        "--- a/real.cpp\n+++ b/real.cpp\n@@ -1,3 +1,3 @@\n ONE\n two\n-three\n+THREE\n"
        "--- a/./real.cpp\n+++ b/./real.cpp\n@@ -2 +2 @@\n-two\n+TWO\n"
    )
    (tmp_path / "p.patch").write_text(patch)
    result = qtfix(tree, "apply", "--patch", str(tmp_path / "p.patch"))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines() == ["patched alias.cpp (3 hunk(s))"]
    assert (tree / "real.cpp").read_bytes() == b"ONE\nTWO\nTHREE\n"
    assert (tree / "alias.cpp").is_symlink()


def test_a_second_name_whose_hunk_fails_refuses_the_whole_file(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "real.cpp").write_bytes(b"one\ntwo\n")
    (tree / "alias.cpp").symlink_to("real.cpp")
    patch = "--- a/real.cpp\n+++ b/real.cpp\n@@ -1 +1 @@\n-one\n+ONE\n--- a/alias.cpp\n+++ b/alias.cpp\n@@ -2 +2 @@\n-zwei\n+TWO\n"
    (tmp_path / "p.patch").write_text(patch)
    result = qtfix(tree, "apply", "--patch", str(tmp_path / "p.patch"))
    assert result.returncode == 1
    assert "qtfix: refused alias.cpp: hunk #1 @@ -2 +2 @@ does not match the file (line 2 differs); file not changed" in result.stderr.decode()
    assert (tree / "real.cpp").read_bytes() == b"one\ntwo\n"


def test_deleting_or_creating_through_a_link_is_refused(tmp_path):
    tree = tmp_path / "tree"
    (tree / "real").mkdir(parents=True)
    (tree / "real" / "old.cpp").write_bytes(b"one\ntwo\n")
    (tree / "old_link.cpp").symlink_to("real/old.cpp")
    (tree / "dir_link").symlink_to("real")
    patch = DELETE.replace(b"old.cpp", b"old_link.cpp") + CREATE.replace(b"new/helper.h", b"dir_link/helper.h")
    (tmp_path / "p.patch").write_bytes(patch)
    result = qtfix(tree, "apply", "--allow-delete", "--allow-create", "--patch", str(tmp_path / "p.patch"))
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == [
        "qtfix: refused old_link.cpp: the patch deletes this file through a symbolic link; refused (qtfix never creates or deletes through a link)",
        "qtfix: refused dir_link/helper.h: the patch creates this file through a symbolic link; refused (qtfix never creates or deletes through a link)",
    ]
    assert (tree / "real" / "old.cpp").read_bytes() == b"one\ntwo\n"
    assert (tree / "old_link.cpp").is_symlink() and not (tree / "real" / "helper.h").exists()


@pytest.mark.parametrize("mode", ["120000", "160000"])
def test_a_patch_making_a_symlink_or_submodule_is_refused(tmp_path, mode):
    patch = f"diff --git a/l.cpp b/l.cpp\nnew file mode {mode}\nindex 0000000..1111111\n--- /dev/null\n+++ b/l.cpp\n@@ -0,0 +1 @@\n+target.cpp\n\\ No newline at end of file\n"
    (tmp_path / "p.patch").write_text(patch)
    result = qtfix(tmp_path, "apply", "--allow-create", "--patch", "p.patch")
    assert result.returncode == 1
    assert result.stderr.decode().startswith("qtfix: refused l.cpp: the patch makes or changes a symbolic link or submodule")
    assert not (tmp_path / "l.cpp").exists() and not (tmp_path / "l.cpp").is_symlink()


def test_reader_names_the_line_unidiff_stops_at():
    with pytest.raises(PatchError, match=r"^hunk @@ -1,2 \+1,2 @@: unexpected line 'xyz' \(expected ' ', '-' or '\+'\)$"):
        read_patch("--- a/x.cpp\n+++ b/x.cpp\n@@ -1,2 +1,2 @@\n a\nxyz\n")


def test_reader_trims_trailing_blanks_and_crs_of_unquoted_names():
    (s,) = read_patch("--- a/x y.cpp \r\n+++ b/x y.cpp\t\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\n")
    assert (s.old_path, s.new_path) == ("x y.cpp", "x y.cpp")
    assert s.hunks[0].old == ("a\r\n",)
