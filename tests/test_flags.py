"""Flag discovery and analysis set-up on real trees without a build: what
the first runs over real KDE and Qt test trees showed (docs/real-trees.md,
"qtfix issues seen on the way"). Every case runs the real CLI on real Qt
headers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qtfix.project import _pkg_config_flags, module_define, qt_flags_for_headers_dir

QT6 = Path("/usr/include/x86_64-linux-gnu/qt6")

TEST = b"""#include <QtTest>
#include <QLocalServer>
class tst_F : public QObject
{
    Q_OBJECT
private slots:
    void f() { QLocalServer s; QVERIFY(s.listen("flags_name")); }
};
QTEST_MAIN(tst_F)
#include "tst_f.moc"
"""


def qtfix(*args: str, cwd: Path, cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qtfix", *args, "--cache-dir", str(cache)],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def statuses(res: subprocess.CompletedProcess) -> dict[str, tuple[str, str]]:
    return {f["path"]: (f["status"], f["reason"]) for f in json.loads(res.stdout)["files"]}


@pytest.mark.parametrize("std", ["-std=c++17", "-std=c++20", "-std=gnu++20"])
def test_precompiled_header_with_the_files_language_standard(tmp_path, std):
    """A compile DB with -std=c++20 once made every file fail with the
    precompiled header ('__va_list_tag' overloads); it must parse, with the
    same findings as without the precompiled header."""
    (tmp_path / "tst_f.cpp").write_bytes(TEST)
    cflags = subprocess.run(["pkg-config", "--cflags", "Qt6Network", "Qt6Test"], capture_output=True, text=True,
                            check=True).stdout.split()
    db = [{"directory": str(tmp_path), "file": "tst_f.cpp",
           "arguments": ["c++", std, "-fPIC", *cflags, "-c", "tst_f.cpp"]}]
    (tmp_path / "compile_commands.json").write_text(json.dumps(db))
    runs = [qtfix("check", "--format", "json", "--no-cache", *extra, "tst_f.cpp", cwd=tmp_path, cache=tmp_path / "c")
            for extra in ([], ["--no-pch"])]
    for res in runs:
        assert res.returncode == 1, res.stderr
        assert statuses(res) == {"tst_f.cpp": ("checked", "")}
    assert json.loads(runs[0].stdout)["findings"] == json.loads(runs[1].stdout)["findings"]
    assert any(p.suffix == ".pch" for p in (tmp_path / "c" / "pch").iterdir()), "no precompiled header was built"


def test_file_the_precompiled_header_breaks_is_parsed_without_it(tmp_path):
    """A complete PCH has already instantiated Qt's templates, so a test
    that declares a metatype Qt's headers only use (legal C++: g++ compiles
    it) fails with the PCH ('explicit specialization after instantiation').
    qtfix must then parse it the plain way: same status and findings as
    --no-pch."""
    (tmp_path / "tst_meta.cpp").write_text(
        "#include <QtTest/QtTest>\n#include <QtNetwork/QLocalServer>\n#include <QtNetwork/QSslError>\n\n"
        "Q_DECLARE_METATYPE(QSslError)\n\n"
        "class tst_Meta : public QObject\n{\n    Q_OBJECT\nprivate slots:\n"
        "    void roundTrip()\n    {\n        QLocalServer server;\n        server.listen(\"meta_name\");\n"
        "        QVERIFY(QVariant::fromValue(QSslError()).isValid());\n    }\n};\n\n"
        "QTEST_MAIN(tst_Meta)\n#include \"tst_meta.moc\"\n"
    )
    runs = [qtfix("check", "--format", "json", "--no-cache", *extra, "tst_meta.cpp", cwd=tmp_path, cache=tmp_path / "c")
            for extra in ([], ["--no-pch"])]
    for res in runs:
        assert statuses(res) == {"tst_meta.cpp": ("checked", "")}, res.stdout
    findings = [json.loads(r.stdout)["findings"] for r in runs]
    assert findings[0] == findings[1] and {f["code"] for f in findings[0]} >= {"QF104", "QF107"}
    assert any(p.suffix == ".pch" for p in (tmp_path / "c" / "pch").iterdir()), "no precompiled header was built"


def test_every_installed_qt_module_is_discovered(tmp_path):
    flags = _pkg_config_flags()
    assert f"-I{QT6}/QtDBus" in flags and "-DQT_DBUS_LIB" in flags
    (tmp_path / "tst_dbus.cpp").write_bytes(b"#include <QtTest>\n#include <QDBusConnection>\n#include <QDBusObjectPath>\n"
                                            b"void f() { QVERIFY(!QDBusObjectPath(\"/a\").path().isEmpty()); }\n")
    res = qtfix("check", "--format", "json", "--no-cache", "tst_dbus.cpp", cwd=tmp_path, cache=tmp_path / "c")
    assert statuses(res) == {"tst_dbus.cpp": ("checked", "")}, res.stderr


def test_qt_include_adds_the_module_defines(tmp_path):
    flags = qt_flags_for_headers_dir(QT6)
    for module in ("QtCore", "QtNetwork", "QtTest"):
        assert f"-D{module_define(module)}" in flags
    assert module_define("QtTest") == "QT_TESTLIB_LIB" and module_define("QtNetwork") == "QT_NETWORK_LIB"
    # A shared test header that hides its API behind the module define, as
    # Qt's own network test helpers do.
    (tmp_path / "settings.h").write_bytes(b"#ifdef QT_NETWORK_LIB\ninline int serverPort() { return 1; }\n#endif\n")
    (tmp_path / "tst_d.cpp").write_bytes(b'#include <QtTest>\n#include "settings.h"\n'
                                         b"void f() { QCOMPARE(serverPort(), 1); }\n")
    res = qtfix("check", "--format", "json", "--no-cache", "--qt-include", str(QT6), "tst_d.cpp",
                cwd=tmp_path, cache=tmp_path / "c")
    assert statuses(res) == {"tst_d.cpp": ("checked", "")}, res.stderr


def test_generated_headers_included_by_a_project_header_get_stand_ins(tmp_path):
    (tmp_path / "editor.h").write_bytes(b'#pragma once\n#include <QtWidgets/QWidget>\n#include "ui_editor.h"\n'
                                        b"class Editor : public QWidget { Q_OBJECT };\n")
    (tmp_path / "tst_editor.cpp").write_bytes(b'#include <QtTest>\n#include "editor.h"\n'
                                              b"void f() { QVERIFY(true); }\n")
    res = qtfix("check", "--format", "json", "--no-cache", "tst_editor.cpp", cwd=tmp_path, cache=tmp_path / "c")
    assert statuses(res) == {"tst_editor.cpp": ("checked", "")}, res.stderr
    assert not (tmp_path / "ui_editor.h").exists(), "a stand-in must never be written to disk"


def test_header_that_is_not_self_contained_is_skipped_and_can_be_allowed(tmp_path):
    (tmp_path / "part.h").write_bytes(b"#pragma once\nstruct Part { QString name; };\n")
    (tmp_path / "tst_ok.cpp").write_bytes(b"#include <QtTest>\nvoid f() { QVERIFY(true); }\n")
    strict = qtfix("check", "--format", "json", "--select", "QF104", "--no-cache", "--no-pch", ".",
                   cwd=tmp_path, cache=tmp_path / "c")
    assert strict.returncode == 2, strict.stderr
    status, reason = statuses(strict)["part.h"]
    assert status == "skipped" and reason.startswith("header is not self-contained") and "QString" in reason
    assert "1 of 2 files not analysed (0 failed, 1 skipped)" in strict.stderr
    allowed = qtfix("check", "--format", "json", "--select", "QF104", "--no-cache", "--no-pch", "--allow-unanalysed", ".",
                    cwd=tmp_path, cache=tmp_path / "c")
    assert allowed.returncode == 0, allowed.stderr
    assert statuses(allowed) == statuses(strict)


@pytest.mark.parametrize("spelling", ['"tst_f.moc"', "<tst_f.moc>", "<moc_tst_f.cpp>"])
def test_generated_include_in_either_spelling_is_a_stand_in(tmp_path, spelling):
    """`#include <tst_x.moc>` (angle brackets, as older trees write it) is
    generated at build time like the quoted form: the file is analysed."""
    (tmp_path / "tst_f.cpp").write_bytes(TEST.replace(b'"tst_f.moc"', spelling.encode()))
    res = qtfix("check", "--format", "json", "--no-pch", "tst_f.cpp", cwd=tmp_path, cache=tmp_path / "c")
    assert res.returncode == 1, res.stderr
    assert statuses(res) == {"tst_f.cpp": ("checked", "")}
    assert [f["code"] for f in json.loads(res.stdout)["findings"]] == ["QF104"]


PRIVATE = b"""#include <QtTest/QtTest>
#include <QtCore/private/qobject_p.h>
#include <private/qlocalserver_p.h>
#include <QLocalServer>

class tst_Private : public QObject
{
    Q_OBJECT
private slots:
    void listens()
    {
        QLocalServer server;
        QVERIFY(server.listen("qprivate"));
        QVERIFY(QObjectPrivate::get(&server) != nullptr);
    }
};

QTEST_MAIN(tst_Private)
#include "tst_private.moc"
"""


@pytest.mark.parametrize("qt", ["qt6 (pkg-config)", "qt5 (--qt-include)"])
def test_private_headers_are_found_as_cmake_adds_them(tmp_path, qt):
    # qtbase-style tests include Qt's private headers both ways; Debian's
    # qt6-base-private-dev / qtbase5-private-dev ship them under QtX/<version>/.
    (tmp_path / "tst_private.cpp").write_bytes(PRIVATE)
    extra = ["--qt-include", str(QT6.parent / "qt5")] if qt.startswith("qt5") else []
    res = qtfix("check", "--format", "json", "--no-pch", *extra, "tst_private.cpp", cwd=tmp_path, cache=tmp_path / "cache")
    assert statuses(res) == {"tst_private.cpp": ("checked", "")}, res.stderr
    assert [f["code"] for f in json.loads(res.stdout)["findings"]] == ["QF104"]
