"""Facts that need the whole analysed tree, and the text helpers behind them:
a test and the helper program it starts share a server name, so QF104 must
not make the name unique on either side; comments never count as uses;
what qtfix adds to a file lands outside `#if` blocks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from qtfix.cpp import _conditional_blocks, code_without_comments
from qtfix.tree import is_helper_program_text, literals_shared_with_helpers

GOLDEN = Path(__file__).resolve().parent / "golden" / "QF104_hardcoded_server_name"


def qtfix_json(*args: str, cwd: Path) -> dict:
    res = subprocess.run([sys.executable, "-m", "qtfix", "check", "--format", "json", "--no-cache", *args],
                         cwd=cwd, capture_output=True, text=True, timeout=600)
    assert res.returncode in (0, 1), res.stderr
    return json.loads(res.stdout)


def test_comments_are_blanked_and_literals_kept():
    src = b'a = "x//y"; // "foo"\r\n/* "bar"\n */ b = \'/\'; c = "q\\"/*";\n'
    out = code_without_comments(src)
    assert len(out) == len(src)
    assert out.count(b"\n") == src.count(b"\n") and b"\r\n" in out
    assert b'"x//y"' in out and b"'/'" in out and b'"q\\"/*"' in out
    assert b"foo" not in out and b"bar" not in out


def test_conditional_blocks_skip_the_include_guard():
    header = b"#ifndef A_H\n#define A_H\n#include <x>\n#ifdef Q_OS_UNIX\n#include <y>\n#endif\nint a;\n#endif\n"
    blocks = _conditional_blocks(header)
    assert [(header[s:e].split(b"\n")[0], d) for s, e, d in blocks] == [(b"#ifdef Q_OS_UNIX", 0)]
    source = b"#include <a>\n#if X\n# if Y\n# endif\n#endif\nint b;\n"
    assert sorted(d for _, _, d in _conditional_blocks(source)) == [0, 1]


def test_helper_program_is_recognised_by_its_text():
    assert is_helper_program_text(b"#include <QCoreApplication>\nint main(int argc, char **argv) { return 0; }\n")
    assert not is_helper_program_text(b"#include <QtTest>\nint main(int argc, char **argv) { return 0; }\n")
    assert not is_helper_program_text(b"#include <QLocalSocket>\nvoid f();\n")


def test_literals_shared_only_with_other_helper_programs(tmp_path):
    helper = tmp_path / "main.cpp"
    helper.write_bytes(b'int main() { const char *n = "meet"; return 0; } // "commented"\n')
    test = tmp_path / "tst_a.cpp"
    test.write_bytes(b'#include <QtTest>\nvoid f() { g("meet"); g("own"); g("commented"); }\n')
    other_test = tmp_path / "tst_b.cpp"
    other_test.write_bytes(b'#include <QtTest>\nvoid f() { g("own"); }\n')
    shared = literals_shared_with_helpers([helper, test, other_test])
    assert shared[test] == {b'"meet"'}
    assert shared[other_test] == frozenset()  # another test using "own" is not a helper
    assert shared[helper] == frozenset()  # its own literals do not count


def test_rendezvous_with_a_helper_program_gets_no_fix(tmp_path):
    """The test listens on the name its helper program connects to: with both
    in the analysed tree, neither side is made unique; with the test alone,
    the fix is offered (qtfix cannot see the helper)."""
    (tmp_path / "helper").mkdir()
    (tmp_path / "test").mkdir()
    shutil.copyfile(GOLDEN / "helper_program_main.cpp", tmp_path / "helper" / "main.cpp")
    test_source = (GOLDEN / "tst_conditional_includes.cpp").read_text(encoding="utf-8")
    (tmp_path / "test" / "tst_meet.cpp").write_text(test_source.replace('"conditional"', '"lackey_rendezvous"'),
                                                    encoding="utf-8")

    both = qtfix_json(".", "--select", "QF104", cwd=tmp_path)
    assert [f["status"] for f in both["files"]] == ["checked", "checked"]
    by_file = {}
    for f in both["findings"]:
        by_file.setdefault(f["path"], []).append(f)
    assert len(by_file["test/tst_meet.cpp"]) == 2 and len(by_file["helper/main.cpp"]) == 1
    for f in by_file["test/tst_meet.cpp"]:
        assert f["safety"] == "none" and "helper program of the analysed tree" in f["no_fix_reason"]
    assert "this file is a helper program" in by_file["helper/main.cpp"][0]["no_fix_reason"]

    alone = qtfix_json("test", "--select", "QF104", cwd=tmp_path)
    assert [f["safety"] for f in alone["findings"]] == ["safe", "safe"]


def test_port_shared_with_a_helper_program_gets_no_fix(tmp_path):
    """QF109: a test listening on a port number that a helper program of the
    tree also spells gets no fix for that port; other ports of the test and
    the test checked alone keep theirs."""
    ports = GOLDEN.parent / "QF109_fixed_tcp_port"
    (tmp_path / "helper").mkdir()
    (tmp_path / "test").mkdir()
    shutil.copyfile(ports / "portserver_main.cpp", tmp_path / "helper" / "main.cpp")
    # 49211 is the helper's port; the test's 0xC02F (49199) is not spelled there.
    source = (ports / "tst_listen_literal.cpp").read_text(encoding="utf-8").replace("49199", "49211")
    (tmp_path / "test" / "tst_meet.cpp").write_text(source, encoding="utf-8")

    both = qtfix_json(".", "--select", "QF109", cwd=tmp_path)
    found = [(f["message"].split(":")[0], f["safety"]) for f in both["findings"] if f["path"] == "test/tst_meet.cpp"]
    assert found == [("fixed TCP port 49211", "none"), ("fixed TCP port 49211", "none"),
                     ("fixed TCP port 49199", "safe")]
    assert all("helper program of the analysed tree" in f["no_fix_reason"]
               for f in both["findings"] if f["path"] == "test/tst_meet.cpp" and f["safety"] == "none")

    alone = qtfix_json("test", "--select", "QF109", cwd=tmp_path)
    assert [f["safety"] for f in alone["findings"]] == ["safe", "safe", "safe"]
