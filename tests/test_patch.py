"""Unified diffs (src/qtfix/patch.py), checked with the real `git apply` and
GNU `patch` on temporary files, byte for byte."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import unidiff

from qtfix.fileio import split_lines
from qtfix.patch import NO_NEWLINE, check_patch, display_path, file_diff, unified_diff

BOM = b"\xef\xbb\xbf"
TEST_BODY = [
    b"#include <QtTest>",
    b"",
    b"void tst_Foo::listen()",
    b"{",
    b"    QLocalServer server;",
    b'    QVERIFY(server.listen("foo"));',
    b"}",
]


def text(lines: list[bytes], nl: bytes = b"\n", final: bool = True) -> bytes:
    return nl.join(lines) + (nl if final else b"")


def fixed(lines: list[bytes]) -> list[bytes]:
    return [line.replace(b'"foo"', b'uniqueServerName(QStringLiteral("foo"))') for line in lines]


def with_helper(lines: list[bytes]) -> list[bytes]:
    return lines[:1] + [b"#include <QUuid>", b"", b"inline QString uniqueServerName();"] + fixed(lines)[1:]


def test_split_lines_keeps_endings():
    assert split_lines("a\r\nb\nc") == ["a\r\n", "b\n", "c"]
    assert split_lines("a\n") == ["a\n"]
    assert split_lines("") == []
    assert split_lines((BOM + b"x\n").decode()) == ["\ufeffx\n"]


def test_no_change_no_diff():
    assert file_diff("tst_foo.cpp", text(TEST_BODY), text(TEST_BODY)) == ""
    assert unified_diff({}, {}) == ""


def test_crlf_lines_stay_crlf():
    old = text(TEST_BODY, b"\r\n")
    out = file_diff("tst_foo.cpp", old, text(fixed(TEST_BODY), b"\r\n"))
    body = out.split("\n", 2)[2]  # after the two header lines
    assert body.startswith("@@ -3,5 +3,5 @@\n")
    assert '-    QVERIFY(server.listen("foo"));\r\n' in body
    assert '+    QVERIFY(server.listen(uniqueServerName(QStringLiteral("foo"))));\r\n' in body
    # Every content line keeps its CR; headers and hunk lines do not get one.
    for line in out.splitlines(keepends=True):
        assert line.endswith("\r\n") == (line[:1] in " +-" and not line.startswith(("--- ", "+++ ")))


def test_missing_final_newline_gets_the_marker():
    old = text(TEST_BODY, final=False)
    out = file_diff("tst_foo.cpp", old, text(fixed(TEST_BODY), final=False))
    # The last line is unchanged context: one marker, after it.
    assert out.endswith(f" }}\n{NO_NEWLINE}")
    assert out.count(NO_NEWLINE) == 1
    out = file_diff("tst_foo.cpp", b"a\nfoo", b"a\nbar")
    assert out.endswith(f"-foo\n{NO_NEWLINE}+bar\n{NO_NEWLINE}")


def test_adding_the_final_newline():
    out = file_diff("tst_foo.cpp", text(TEST_BODY, final=False), text(TEST_BODY))
    assert out.endswith(f"-}}\n{NO_NEWLINE}+}}\n")


def test_bom_is_kept_in_context_and_changes():
    old = BOM + text(TEST_BODY)
    out = file_diff("tst_foo.cpp", old, BOM + text(with_helper(TEST_BODY)))
    assert "\n \ufeff#include <QtTest>\n" in out
    out = file_diff("tst_foo.cpp", old, text(TEST_BODY))  # dropping the BOM is a change of line 1
    assert "\n-\ufeff#include <QtTest>\n+#include <QtTest>\n" in out


def test_hunk_ranges_and_separate_hunks():
    old = text([b"line %d" % i for i in range(1, 31)])
    new = old.replace(b"line 2\n", b"line two\n").replace(b"line 25\n", b"")
    out = file_diff("f.cpp", old, new)
    assert [line for line in out.splitlines() if line.startswith("@@")] == ["@@ -1,5 +1,5 @@", "@@ -22,7 +22,6 @@"]
    patch = check_patch(out)
    assert patch[0].added == 1 and patch[0].removed == 2


def test_names_are_relative_with_a_b_prefixes(tmp_path):
    (tmp_path / "sub").mkdir()
    one, two = tmp_path / "sub" / "tst_b.cpp", tmp_path / "tst_a.cpp"
    out = unified_diff({one: b"x\n", two: b"y\n"}, {one: b"x2\n", two: b"y2\n"}, base=tmp_path)
    headers = [line for line in out.splitlines() if line.startswith(("--- ", "+++ "))]
    assert headers == ["--- a/sub/tst_b.cpp", "+++ b/sub/tst_b.cpp", "--- a/tst_a.cpp", "+++ b/tst_a.cpp"]
    assert display_path(one, tmp_path / "sub") == "tst_b.cpp"
    assert display_path(two, tmp_path / "sub") == "../tst_a.cpp"


def test_check_patch_rejects_a_malformed_hunk():
    good = file_diff("f.cpp", b"a\nb\n", b"a\nc\n")
    with pytest.raises(unidiff.UnidiffParseError):
        check_patch(good.replace("@@ -1,2 +1,2 @@", "@@ -1,5 +1,2 @@"))


# -- the real tools ------------------------------------------------------------------

def one_file(old: bytes, new: bytes) -> tuple[dict[str, bytes], dict[str, bytes]]:
    return {"tst_foo.cpp": old}, {"tst_foo.cpp": new}


NON_ASCII = b"// Gr\xc3\xb6\xc3\x9fe \xe2\x80\x93 \xc3\xbc"
SCENARIOS = {
    "lf": one_file(text(TEST_BODY), text(with_helper(TEST_BODY))),
    "crlf": one_file(text(TEST_BODY, b"\r\n"), text(with_helper(TEST_BODY), b"\r\n")),
    "no-final-newline": one_file(text(TEST_BODY, final=False), text(with_helper(TEST_BODY), final=False)),
    "no-final-newline-crlf": one_file(text(TEST_BODY, b"\r\n", final=False), text(fixed(TEST_BODY), b"\r\n", final=False)),
    "last-line-changed-no-newline": one_file(b"a\nb\nfoo", b"a\nb\nbar"),
    "final-newline-added": one_file(b"a\nb", b"a\nb\n"),
    "final-newline-removed": one_file(b"a\nb\n", b"a\nb"),
    "bom": one_file(BOM + text(TEST_BODY), BOM + text(with_helper(TEST_BODY))),
    "bom-crlf-non-ascii": one_file(
        BOM + text([NON_ASCII, *TEST_BODY], b"\r\n"), BOM + text([NON_ASCII, *with_helper(TEST_BODY)], b"\r\n")
    ),
    "insert-at-top": one_file(text(TEST_BODY), text([b"// header", *TEST_BODY])),
    "mixed-endings": one_file(b"a\r\nb\nc\r\n", b"a\r\nB\nc\r\n"),
    "name-with-spaces": (
        {"my tests/tst a.cpp": text(TEST_BODY)},
        {"my tests/tst a.cpp": text(with_helper(TEST_BODY))},
    ),
    "two-files": (
        {"tests/tst_a.cpp": text(TEST_BODY, b"\r\n"), "tst_b.cpp": text(TEST_BODY)},
        {"tests/tst_a.cpp": text(fixed(TEST_BODY), b"\r\n"), "tst_b.cpp": text(with_helper(TEST_BODY))},
    ),
}


def tool(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(cwd.parent)}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=60)


def make_tree(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def read_tree(root: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in files}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_real_tools_accept_the_patch(tmp_path, name):
    old, new = SCENARIOS[name]
    tree = make_tree(tmp_path / "tree", old)
    patch = unified_diff({tree / r: d for r, d in old.items()}, {tree / r: new[r] for r in old}, base=tree)
    patch_file = tmp_path / "fix.patch"
    patch_file.write_bytes(patch.encode("utf-8"))

    for cmd in (["git", "apply", "--check", str(patch_file)], ["patch", "-p1", "--dry-run", "-i", str(patch_file)]):
        res = tool(cmd, tree)
        assert res.returncode == 0, f"{cmd[:2]} rejects:\n{res.stdout}{res.stderr}\n{patch}"
    assert read_tree(tree, old) == old, "a check changed the files"

    res = tool(["git", "apply", str(patch_file)], tree)
    assert res.returncode == 0, res.stderr
    assert read_tree(tree, old) == new, "git apply gives other bytes"

    other = make_tree(tmp_path / "other", old)
    res = tool(["patch", "-p1", "-i", str(patch_file)], other)
    assert res.returncode == 0, res.stdout + res.stderr
    assert read_tree(other, old) == new, "patch -p1 gives other bytes"
    leftovers = sorted(p.name for p in other.rglob("*") if p.suffix in (".orig", ".rej"))
    assert leftovers == []


def test_colorize_colours_whole_lines_split_on_lf_only():
    from qtfix.patch import colorize

    patch = file_diff("f.cpp", b"a\x0cb\r\nkeep\n", b"a\x0cB\r\nkeep\n")
    painted = colorize(patch).split("\n")
    assert painted[3] == "\033[31m-a\x0cb\r\033[0m"
    assert painted[4] == "\033[32m+a\x0cB\r\033[0m"
    # without the escapes, it is the patch
    assert "".join(p.replace("\033[31m", "").replace("\033[32m", "").replace("\033[36m", "").replace("\033[1m", "").replace("\033[0m", "") + "\n" for p in painted[:-1]) == patch
