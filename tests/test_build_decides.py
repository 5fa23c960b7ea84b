"""With a compile database the build decides what is analysed.

tests/build_filter_project is configured by the real CMake (Qt 5 from the
distribution): the compile_commands.json it writes leaves out a Windows-only
test, and lists a QtCore-only library next to the test whose header needs
QtTest and QtNetwork. The CLI runs on it as a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qtfix import pch

PROJECT = Path(__file__).parent / "build_filter_project"



def qtfix(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QTFIX_CACHE_DIR": str(cwd / "cache"), "NO_COLOR": "1"}
    # no precompiled header: a few small files parse faster than one is built
    return subprocess.run([sys.executable, "-m", "qtfix", *args, "--no-pch"], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def configure(where: Path) -> Path:
    shutil.copytree(PROJECT, where / "src")
    done = subprocess.run(
        ["cmake", "-S", "src", "-B", "build", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"],
        cwd=where, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    listed = {Path(e["file"]).name for e in json.loads((where / "build/compile_commands.json").read_text())}
    assert listed == {"aaa_plain.cpp", "tst_server.cpp", "tst_other.cpp"}
    return where


@pytest.fixture(scope="module")
def configured(tmp_path_factory) -> Path:
    """A configured tree the read-only tests share."""
    return configure(tmp_path_factory.mktemp("configured"))


@pytest.fixture(scope="module")
def checked(configured) -> subprocess.CompletedProcess:
    return qtfix(configured, "check", "--format", "json", "-p", "build", "src")


def test_files_the_build_does_not_compile_are_listed_not_failed(checked):
    res = checked
    assert res.returncode == 1, res.stderr  # findings, and no error
    outcome = {Path(f["path"]).name: f for f in json.loads(res.stdout)["files"]}
    assert outcome["tst_windows.cpp"]["status"] == "skipped"
    assert outcome["tst_windows.cpp"]["reason"] == "not compiled by the build (not in build/compile_commands.json)"
    assert "1 of 6 files not analysed (0 failed, 0 skipped, 1 not compiled by the build)" in res.stderr
    assert "Traceback" not in res.stderr


def test_a_header_borrows_the_flags_of_the_source_that_includes_it(checked):
    res = checked
    findings = json.loads(res.stdout)["findings"]
    assert [(Path(f["path"]).name, f["code"]) for f in findings] == [("server_helpers.h", "QF104")]
    outcome = {Path(f["path"]).name: f["status"] for f in json.loads(res.stdout)["files"]}
    assert outcome["server_helpers.h"] == "checked"


def test_apply_fixes_the_header_and_leaves_the_rest_alone(tmp_path):
    built = configure(tmp_path)
    windows = (built / "src/tst_windows.cpp").read_bytes()
    res = qtfix(built, "apply", "-p", "build", "src")
    assert res.returncode == 0, res.stderr
    assert "fixed src/server_helpers.h (QF104 x1)" in res.stdout
    assert b"server.listen(uniqueServerName(" in (built / "src/server_helpers.h").read_bytes()
    assert (built / "src/tst_windows.cpp").read_bytes() == windows
    # the fixed header compiles in its includer's target, and the program runs
    make = subprocess.run(["cmake", "--build", "build", "--target", "tst_server"], cwd=built, capture_output=True,
                          text=True, timeout=600)
    assert make.returncode == 0, make.stdout + make.stderr
    program = next(p for p in (built / "build").rglob("tst_server") if p.is_file() and os.access(p, os.X_OK))
    assert subprocess.run([program], timeout=60).returncode == 0


def test_exclude_leaves_out_what_matches_in_gitignore_syntax(configured):
    built = configured
    res = qtfix(built, "check", "--format", "json", "-p", "build", "--exclude", "server_*.h", "--exclude", "/tst_w*",
                "src")
    assert res.returncode == 0, res.stderr
    names = {Path(f["path"]).name for f in json.loads(res.stdout)["files"]}
    assert names == {"aaa_plain.cpp", "tst_server.cpp", "tst_other.cpp", "other_config.h"}
    named = qtfix(built, "check", "-p", "build", "--exclude", "*.h", "src/server_helpers.h")
    assert named.returncode == 1, "a file named on the command line is analysed even when a pattern matches it"


def test_apply_allow_unanalysed_keeps_exit_zero_for_a_file_that_does_not_parse(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t/tst_broken.cpp").write_text("int main( {\n")
    (tmp_path / "t/tst_good.cpp").write_text(
        '#include <QLocalServer>\nbool f(QLocalServer &s) { return s.listen("x_fixed"); }\n')
    strict = qtfix(tmp_path, "apply", "t")
    assert strict.returncode == 2
    (tmp_path / "t/tst_good.cpp").write_text(
        '#include <QLocalServer>\nbool f(QLocalServer &s) { return s.listen("x_fixed"); }\n')
    allowed = qtfix(tmp_path, "apply", "--allow-unanalysed", "t")
    assert allowed.returncode == 0, allowed.stderr
    assert "t/tst_broken.cpp: failed" in allowed.stderr
    assert "uniqueServerName(" in (tmp_path / "t/tst_good.cpp").read_text()


def test_targets_share_precompiled_qt_headers_and_findings_do_not_change(tmp_path):
    """Two test targets with their own include folder and macro, and a
    QtCore-only library: two precompiled headers, not one per target; and
    the same findings as a parse without any."""
    built = configure(tmp_path)
    env = {**os.environ, "NO_COLOR": "1"}
    runs = {}
    for name, extra in (("pch", []), ("plain", ["--no-pch"])):
        cmd = [sys.executable, "-m", "qtfix", "check", "--format", "json", "-p", "build", "--no-cache",
               "--cache-dir", str(built / name), *extra, "src"]
        runs[name] = subprocess.run(cmd, cwd=built, capture_output=True, text=True, env=env, timeout=600)
        assert runs[name].returncode == 1, runs[name].stderr
    assert len(list((built / "pch" / "pch").glob("*.pch"))) == 2
    assert json.loads(runs["pch"].stdout)["findings"] == json.loads(runs["plain"].stdout)["findings"]
    statuses = {json.dumps(f, sort_keys=True) for f in json.loads(runs["pch"].stdout)["files"]}
    assert statuses == {json.dumps(f, sort_keys=True) for f in json.loads(runs["plain"].stdout)["files"]}


def test_project_folders_and_macros_leave_the_pch_key_but_a_shadowing_folder_stays(tmp_path):
    qt = next(Path(p) for p in ("/usr/include/x86_64-linux-gnu/qt5", "/usr/include/qt5") if Path(p, "QtCore").is_dir())
    (tmp_path / "autogen").mkdir()
    (tmp_path / "shadow" / "QtCore").mkdir(parents=True)
    base = ["-x", "c++", "-std=c++17", "-fPIC", "-isystem", str(qt), "-isystem", str(qt / "QtCore"), "-DQT_CORE_LIB"]
    one = base + ["-I", str(tmp_path / "autogen"), "-Dfoo_EXPORTS", "-fPIC"]
    two = ["-DQT_CORE_LIB"] + base[:-1] + ["-I" + str(tmp_path / "src"), "-DTRANSLATION_DOMAIN=\"x\""]
    assert pch.qt_relevant_args(one) == pch.qt_relevant_args(two) == pch.qt_relevant_args(base)
    shadowed = base + ["-I", str(tmp_path / "shadow")]
    assert pch.qt_relevant_args(shadowed) != pch.qt_relevant_args(base)
    assert pch.qt_relevant_args(base + ["-DQT_NO_CAST_FROM_ASCII"]) != pch.qt_relevant_args(base)


def _qt5_root() -> Path:
    return next(Path(p) for p in ("/usr/include/x86_64-linux-gnu/qt5", "/usr/include/qt5") if Path(p, "QtCore").is_dir())


def test_precompiled_header_holds_the_modules_the_flags_name():
    """A CMake test target names QtCore's and QtTest's folders: its PCH holds
    those two, not QtNetwork and QtConcurrent, which it does not link. With
    only Qt's include root in the flags, every module qtfix precompiles."""
    qt = _qt5_root()
    test_target = ["-x", "c++", "-isystem", str(qt), "-isystem", str(qt / "QtTest"), "-isystem", str(qt / "QtCore")]
    assert pch.prelude_modules(test_target) == ["QtCore", "QtTest"]
    assert pch.prelude(test_target) == "#include <QtCore/QtCore>\n#include <QtTest/QtTest>\n"
    library = ["-x", "c++", f"-isystem{qt}", f"-isystem{qt / 'QtCore'}", f"-I{qt / 'QtDBus'}"]
    assert pch.prelude_modules(library) == ["QtCore"]  # QtDBus is named, but not a module qtfix precompiles
    assert pch.prelude_modules(["-x", "c++", "-I", str(qt)]) == ["QtCore", "QtNetwork", "QtTest", "QtConcurrent"]
    assert pch.prelude_modules(["-x", "c++", "-I", "/nonexistent"]) == []


def test_a_header_guard_keeps_the_pch_but_a_macro_the_qt_headers_spell_does_not(tmp_path):
    """A macro defined before the first include is harmless to the PCH when
    none of its headers spells it (an include guard); one they read
    (QT_NO_CAST_FROM_ASCII, or `private` itself) makes the file parse
    without it; with no record of the names, nothing defined first passes."""
    qt = _qt5_root()
    args = ["-x", "c++", "-std=c++17", "-fPIC", "-isystem", str(qt), "-isystem", str(qt / "QtCore")]
    built = pch.PchCache(tmp_path).ensure(args)
    assert built is not None and built.with_suffix(".names").is_file()
    guarded = b"#ifndef MYTEST_H\n#define MYTEST_H\n#include <QObject>\n#endif\n"
    assert pch.usable_for(guarded, built)
    assert pch.usable_for(b"#include <QObject>\n")
    assert not pch.usable_for(guarded)  # no PCH named: no record to check against
    assert not pch.usable_for(b"#define QT_NO_CAST_FROM_ASCII\n#include <QObject>\n", built)
    assert not pch.usable_for(b"#define private public\n#include <QObject>\n", built)
    assert not pch.usable_for(b"#undef QT_NO_DEBUG\n#include <QObject>\n", built)
    built.with_suffix(".names").unlink()
    pch._names_spelled_in.cache_clear()
    assert not pch.usable_for(guarded, built)


def test_precompiled_headers_are_built_together_once_per_qt_relevant_flag_set(tmp_path):
    """Three targets, two of which differ only by a project folder: two
    headers built (two at once), the first two targets share theirs."""
    qt = _qt5_root()
    base = ("-x", "c++", "-std=c++17", "-isystem", str(qt), "-isystem", str(qt / "QtCore"))
    one, two = base + ("-I", str(tmp_path / "a")), base + ("-I", str(tmp_path / "b"))
    forced = base + ("-DQT_FORCE_ASSERTS",)
    built = pch.PchCache(tmp_path).ensure_all([one, two, forced], jobs=2)
    assert set(built) == {one, two, forced}
    assert built[one] == built[two] != built[forced]
    assert all(p is not None and p.is_file() for p in built.values())
    assert len(list((tmp_path / "pch").glob("*.pch"))) == 2
