"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit in a
throwaway git repository on `git commit`: a commit whose staged C++ file has
a finding fails, a clean one passes, and qtfix-fix writes the safe fix.

Offline: the hooks are declared in a `repo: local` configuration with the
entry, types and other fields taken from the repository's manifest, and
`language: system` with this test's qtfix first on PATH (a `language:
python` hook would make pre-commit pip-install qtfix from the network)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / ".pre-commit-hooks.yaml"

CODE = """#include <QtTest/QtTest>
#include <QtNetwork/QTcpSocket>

class tst_Hook : public QObject
{
    Q_OBJECT
private slots:
    void waits();
};

void tst_Hook::waits()
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("localhost"), 80);
BODY}

QTEST_MAIN(tst_Hook)
#include "tst_hook.moc"
"""
BUSY = """    while (socket.state() != QAbstractSocket::ConnectedState)
        QTest::qWait(10);
"""
CLEAN = """    QVERIFY(socket.waitForConnected(1000));
"""


def manifest() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}


def test_the_manifest_declares_the_hooks():
    hooks = manifest()
    assert hooks["qtfix-check"]["entry"] == "qtfix check" and hooks["qtfix-check"]["types"] == ["c++"]
    assert hooks["qtfix-fix"]["entry"] == "qtfix apply"
    assert all(h["language"] == "python" for h in hooks.values())  # installable from the repository


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "PRE_COMMIT_HOME": str(home / "pre-commit"), "QTFIX_CACHE_DIR": str(home / "qtfix"),
            "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1",
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}


def repository(path: Path, env: dict[str, str], hook_id: str) -> Path:
    """A git repository with pre-commit installed and one hook of the manifest."""
    if shutil.which("pre-commit", path=env["PATH"]) is None:
        pytest.fail("pre-commit is not installed (the test extra of pyproject.toml)")
    hook = {k: v for k, v in manifest()[hook_id].items() if k != "description"}
    hook["language"] = "system"
    hook["args"] = ["--jobs", "1"]
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    path.mkdir()
    (path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    for cmd in (["git", "init", "-q"], ["git", "add", ".pre-commit-config.yaml"],
                ["git", "commit", "-q", "--no-verify", "-m", "config"], ["pre-commit", "install"]):
        subprocess.run(cmd, cwd=path, env=env, check=True, capture_output=True, timeout=120)
    return path


def commit(repo: Path, env: dict[str, str], body: str) -> subprocess.CompletedProcess:
    (repo / "tst_hook.cpp").write_text(CODE.replace("BODY", body), encoding="utf-8")
    subprocess.run(["git", "add", "tst_hook.cpp"], cwd=repo, env=env, check=True, timeout=60)
    return subprocess.run(["git", "commit", "-m", "test"], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=600)


def commits(repo: Path, env: dict[str, str]) -> int:
    out = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=repo, env=env, capture_output=True, text=True)
    return int(out.stdout)


def test_a_commit_with_a_finding_fails_and_a_clean_one_passes(tmp_path, environment):
    repo = repository(tmp_path / "r", environment, "qtfix-check")
    res = commit(repo, environment, BUSY)
    assert res.returncode != 0, res.stdout + res.stderr
    out = res.stdout + res.stderr  # git shows the hook's output on stderr
    assert "tst_hook.cpp:15:5: QF103 busy-wait on 'socket'" in out and "qtfix check" in out, out
    assert "Traceback" not in out
    assert commits(repo, environment) == 1
    res = commit(repo, environment, CLEAN)
    assert res.returncode == 0, res.stdout + res.stderr
    assert commits(repo, environment) == 2


def test_the_fix_hook_writes_the_safe_fix_and_stops_the_commit(tmp_path, environment):
    repo = repository(tmp_path / "r", environment, "qtfix-fix")
    res = commit(repo, environment, BUSY)
    out = res.stdout + res.stderr
    assert res.returncode != 0 and "files were modified by this hook" in out, out
    fixed = (repo / "tst_hook.cpp").read_text(encoding="utf-8")
    assert "QTRY_VERIFY2_WITH_TIMEOUT(socket.state() == QAbstractSocket::ConnectedState" in fixed
    subprocess.run(["git", "add", "tst_hook.cpp"], cwd=repo, env=environment, check=True, timeout=60)
    res = subprocess.run(["git", "commit", "-m", "fixed"], cwd=repo, env=environment, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert commits(repo, environment) == 2
