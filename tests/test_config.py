"""Configuration files (.qtfix.toml, [tool.qtfix] in pyproject.toml) through
the real CLI on small QtTest files that include the real Qt headers: nearest
configuration wins, per-file-ignores, exclude, timeout-ms, unsafe-fixes,
command-line flags over the file, --show-settings, and bad files (one line
naming the file and key, exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# one QF101 (unsafe fix), one QF103 (safe fix that inserts the timeout), one QF107
SOURCE = """#include <QtTest/QtTest>
#include <QtNetwork/QTcpSocket>
#include <QtCore/QTimer>

class tst_NAME : public QObject
{
    Q_OBJECT
private slots:
    void waits();
    void connects();
};

void tst_NAME::waits()
{
    auto *timer = new QTimer;
    timer->start(10);
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("localhost"), 80);
    while (socket.state() != QAbstractSocket::ConnectedState)
        QTest::qWait(10);
}

void tst_NAME::connects()
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("localhost"), 80);
    socket.waitForConnected(1001);
}

QTEST_MAIN(tst_NAME)
#include "NAME.moc"
"""

ROOT_CONFIG = """# the project's settings
select = ["QF103", "QF107", "QF101"]
timeout-ms = 3210
jobs = 1
exclude = ["generated/"]

[per-file-ignores]
"legacy/*.cpp" = ["QF107"]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def cpp(path: Path) -> Path:
    return write(path, SOURCE.replace("NAME", path.stem))


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("qtfix-cache")  # one precompiled Qt header for every run


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """proj/ with a .qtfix.toml; proj/sub has its own [tool.qtfix] (nearest
    wins); proj/plain has a pyproject.toml without one (not a configuration)."""
    proj = tmp_path_factory.mktemp("proj")
    write(proj / ".qtfix.toml", ROOT_CONFIG)
    write(proj / "sub" / "pyproject.toml", '[project]\nname = "x"\n\n[tool.qtfix]\nselect = ["QF107"]\n')
    write(proj / "plain" / "pyproject.toml", '[project]\nname = "y"\n')
    for name in ("tst_a.cpp", "legacy/tst_b.cpp", "generated/tst_c.cpp", "sub/tst_d.cpp", "plain/tst_e.cpp"):
        cpp(proj / name)
    return proj


def qtfix(cwd: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QTFIX_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    res = subprocess.run([sys.executable, "-m", "qtfix", *args], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=600)
    assert "Traceback" not in res.stderr, res.stderr
    return res


def codes_by_file(res: subprocess.CompletedProcess) -> dict[str, set[str]]:
    data = json.loads(res.stdout)
    out: dict[str, set[str]] = {f["path"]: set() for f in data["files"]}
    for f in data["findings"]:
        out[f["path"]].add(f["code"])
    return out


@pytest.fixture(scope="module")
def walked(tree, cache) -> dict[str, set[str]]:
    res = qtfix(tree, cache, "check", "--format", "json", "--jobs", "2", ".")
    assert res.returncode == 1, res.stderr
    return codes_by_file(res)


def test_nearest_configuration_chooses_the_codemods_of_each_file(walked):
    assert walked["tst_a.cpp"] == {"QF101", "QF103", "QF107"}
    assert walked["legacy/tst_b.cpp"] == {"QF101", "QF103"}  # per-file-ignores
    assert walked["sub/tst_d.cpp"] == {"QF107"}  # its own [tool.qtfix], not merged with the parent's
    assert walked["plain/tst_e.cpp"] == {"QF101", "QF103", "QF107"}  # a pyproject.toml without [tool.qtfix] is skipped


def test_exclude_leaves_out_walked_files_but_not_named_ones(walked, tree, cache):
    assert "generated/tst_c.cpp" not in walked
    res = qtfix(tree, cache, "check", "--format", "json", "generated/tst_c.cpp")
    assert res.returncode == 1 and set(codes_by_file(res)) == {"generated/tst_c.cpp"}, res.stderr
    # --exclude on the command line replaces the file's exclude
    res = qtfix(tree, cache, "check", "--format", "json", "--exclude", "legacy/", "--jobs", "2", ".")
    assert set(codes_by_file(res)) == {"tst_a.cpp", "generated/tst_c.cpp", "sub/tst_d.cpp", "plain/tst_e.cpp"}


def test_command_line_select_overrides_every_configuration(tree, cache):
    res = qtfix(tree, cache, "check", "--format", "json", "--select", "QF103", "tst_a.cpp", "sub/tst_d.cpp")
    assert codes_by_file(res) == {"tst_a.cpp": {"QF103"}, "sub/tst_d.cpp": {"QF103"}}, res.stderr


def test_timeout_and_unsafe_fixes_from_the_file_and_from_flags(tree, cache):
    diff = qtfix(tree, cache, "diff", "tst_a.cpp")
    assert diff.returncode == 1, diff.stderr
    assert "3210);" in diff.stdout and "5000" not in diff.stdout
    assert "new QTimer(this)" not in diff.stdout  # QF101's fix is unsafe: not without unsafe-fixes
    assert "1234);" in qtfix(tree, cache, "diff", "--timeout", "1234", "tst_a.cpp").stdout
    write(tree / "legacy" / ".qtfix.toml", "unsafe-fixes = true\n")
    try:
        assert "new QTimer(this)" in qtfix(tree, cache, "diff", "legacy/tst_b.cpp").stdout
        no = qtfix(tree, cache, "diff", "--no-unsafe-fixes", "legacy/tst_b.cpp").stdout
        assert "new QTimer(this)" not in no and "5000);" in no  # legacy/.qtfix.toml is nearest: its timeout is the default
    finally:
        (tree / "legacy" / ".qtfix.toml").unlink()


def test_show_settings_says_where_each_value_comes_from(tree, cache):
    res = qtfix(tree, cache, "check", "--show-settings", "--timeout", "777", "legacy/tst_b.cpp", "sub/tst_d.cpp",
                "generated/tst_c.cpp")
    assert res.returncode == 0, res.stderr
    text = res.stdout
    root, sub = str(tree / ".qtfix.toml"), str(tree / "sub" / "pyproject.toml")
    b = text[text.index("legacy/tst_b.cpp:"):text.index("sub/tst_d.cpp:")]
    assert f"configuration file: {root}" in b
    assert f'select = ["QF103", "QF107", "QF101"]  # {root}' in b
    assert "timeout-ms = 777  # command line" in b and f"jobs = 1  # {root}" in b
    assert f'per-file-ignores "legacy/*.cpp" = ["QF107"]  # {root}: applies' in b
    assert 'codemods run = ["QF101", "QF103"]' in b
    d = text[text.index("sub/tst_d.cpp:"):text.index("generated/tst_c.cpp:")]
    assert f"configuration file: {sub}" in d and "jobs = " in d and "# default" in d
    assert 'codemods run = ["QF107"]' in d
    c = text[text.index("generated/tst_c.cpp:"):]
    assert "excluded: yes, when found by walking a folder" in c


BAD = {
    "unknown key": ("selct = ['QF1']\n", "unknown key 'selct'"),
    "string for a list": ("select = 'QF1'\n", "select: must be a list of codes"),
    "unknown code": ("ignore = ['QF999']\n", "ignore: unknown codemod code 'QF999'"),
    "zero timeout": ("timeout-ms = 0\n", "timeout-ms: must be a whole number"),
    "bool jobs": ("jobs = true\n", "jobs: must be a whole number"),
    "number for a bool": ("unsafe-fixes = 1\n", "unsafe-fixes: must be true or false"),
    "per-file-ignores list": ("per-file-ignores = ['x']\n", "per-file-ignores: must be a table"),
    "per-file unknown code": ("[per-file-ignores]\n'a.cpp' = ['QF9']\n", "per-file-ignores: unknown codemod code 'QF9'"),
    "bad pattern": ("exclude = ['!']\n", "exclude: bad pattern"),
    "not TOML": ("select = [\n", "not valid TOML"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_configuration_is_one_line_naming_the_file_and_key(tmp_path, cache, name):
    text, expected = BAD[name]
    config = write(tmp_path / ".qtfix.toml", text)
    cpp(tmp_path / "src" / "tst_x.cpp")
    commands = [["check", "."]] if name != "unknown key" else \
        [["check", "."], ["diff", "src/tst_x.cpp"], ["apply", "src"], ["check", "--show-settings", "src"]]
    for command in commands:
        res = qtfix(tmp_path, cache, *command)
        assert res.returncode == 2, (command, res.stderr)
        assert res.stderr.count("\n") == 1 and res.stdout == "", (command, res.stderr, res.stdout)
        assert res.stderr.startswith(f"qtfix: error: {config}: ") and expected in res.stderr, res.stderr
    assert (tmp_path / "src" / "tst_x.cpp").read_text() == SOURCE.replace("NAME", "tst_x")


def test_a_bad_tool_qtfix_table_in_pyproject(tmp_path, cache):
    write(tmp_path / "pyproject.toml", '[tool.qtfix]\nunsafe_fixes = true\n')
    cpp(tmp_path / "tst_y.cpp")
    res = qtfix(tmp_path, cache, "check", "tst_y.cpp")
    assert res.returncode == 2
    assert res.stderr == f"qtfix: error: {tmp_path / 'pyproject.toml'}: [tool.qtfix] unknown key 'unsafe_fixes' " \
                         "(the keys are: select, ignore, per-file-ignores, exclude, timeout-ms, unsafe-fixes, jobs)\n"
