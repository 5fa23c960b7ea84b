"""The README tells the truth: its catalogue is the one the codemods make, its
Quick start is two commands, the first of which prints a patch that applies,
and the example tree it points at compiles and passes before and after.

The Quick start's qtfix invocation is taken from the README itself and run
from the repository root, as a user would, so changing the README changes
what is tested.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import qtbuild
from qtfix.cli import app

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
CI_RUN = REPO / ".ci" / "run"
EXAMPLES = REPO / "examples" / "legacy_tests"
EXAMPLE_PROGRAMS = sorted(p.name for p in EXAMPLES.glob("tst_*.cpp"))
QTFIX_TIMEOUT = 600
RUN_TIMEOUT = 120


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_readme_catalogue", REPO / "scripts" / "gen_readme_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def quick_start_commands() -> list[str]:
    section = _section(README.read_text(encoding="utf-8"), "Quick start")
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    sh_blocks = [body for lang, body in blocks if lang in ("sh", "bash", "shell")]
    assert len(sh_blocks) == 1, f"the Quick start must hold exactly one ```sh block, it has {len(sh_blocks)}"
    joined = re.sub(r"\\\n", " ", sh_blocks[0])  # a continued line is one command
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]


def qtfix_invocation(command: str) -> list[str]:
    """The qtfix command line the Quick start's first command runs:
    `bash scripts/quickstart ARGS` runs `qtfix ARGS` once it set things up."""
    argv = shlex.split(command)
    assert argv[:2] == ["bash", "scripts/quickstart"], f"expected `bash scripts/quickstart ...`: {command}"
    return ["qtfix", *argv[2:]]


def ci_test_command() -> str:
    """The pytest command .ci/run executes."""
    for line in CI_RUN.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\s*(python3? -m pytest\b[^|&;<>]*?)\s*(?:<\s*/dev/null)?\s*(?:\|\|.*)?$", line)
        if match:
            return match.group(1).strip()
    pytest.fail(".ci/run never runs pytest")


# -- the catalogue -----------------------------------------------------------


def test_catalogue_table_is_generated_from_the_codemods():
    gen = _load_generator()
    text = README.read_text(encoding="utf-8")
    assert gen.replace_block(text, gen.render_table()) == text, (
        "the README's catalogue differs from the codemods; run: python3 scripts/gen_readme_catalogue.py"
    )


def test_catalogue_lists_every_discovered_codemod():
    from qtfix.codemod import discover

    block = README.read_text(encoding="utf-8").split("<!-- catalogue:start -->")[1].split("<!-- catalogue:end -->")[0]
    listed = re.findall(r"^\| (QF\d{3}) \|", block, re.MULTILINE)
    assert listed == list(discover())


def test_generator_check_mode_reports_a_stale_table(tmp_path):
    gen = _load_generator()
    stale = tmp_path / "README.md"
    stale.write_text("intro\n<!-- catalogue:start -->\n| old |\n<!-- catalogue:end -->\noutro\n", encoding="utf-8")
    assert gen.main(["--check", "--readme", str(stale)]) == 1
    assert gen.main(["--readme", str(stale)]) == 0
    assert gen.main(["--check", "--readme", str(stale)]) == 0
    fixed = stale.read_text(encoding="utf-8")
    assert fixed.startswith("intro\n<!-- catalogue:start -->\n| code |") and fixed.endswith("<!-- catalogue:end -->\noutro\n")


def test_every_cli_command_is_documented():
    text = README.read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    missing = [n for n in names if f"`qtfix {n}" not in text]
    assert not missing, f"README.md does not document: {missing}"


# -- the Quick start -----------------------------------------------------------


def test_quick_start_has_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2, f"the Quick start must be two commands, it is {commands}"
    assert qtfix_invocation(commands[0])[1] == "diff"


def test_second_command_runs_the_same_tests_as_ci():
    second = quick_start_commands()[1]
    test_command = ci_test_command()
    assert second in ("bash .ci/run", ".ci/run") or second.endswith(test_command), second
    tests_section = _section(README.read_text(encoding="utf-8"), "Running the tests")
    assert f"`{test_command}`" in tests_section, f"the README should name .ci/run's test command `{test_command}`"


@pytest.mark.parametrize("script", [CI_RUN, REPO / "scripts" / "quickstart"], ids=["ci-run", "quickstart"])
def test_setup_scripts_are_strict_and_valid_bash(script):
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert ". scripts/bootstrap.sh" in text, "both set up the machine the same way"
    subprocess.run(["bash", "-n", str(script)], check=True)
    subprocess.run(["bash", "-n", str(REPO / "scripts" / "bootstrap.sh")], check=True)


@pytest.fixture(scope="module")
def quick_start_patch(tmp_path_factory) -> str:
    argv = qtfix_invocation(quick_start_commands()[0])
    env = {**os.environ, "QTFIX_CACHE_DIR": str(tmp_path_factory.mktemp("qtfix-cache"))}
    res = subprocess.run(
        [sys.executable, "-m", "qtfix", *argv[1:]],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=QTFIX_TIMEOUT, stdin=subprocess.DEVNULL,
    )
    assert res.returncode == 1, f"`{shlex.join(argv)}` should exit 1 (a diff was printed), got {res.returncode}:\n{res.stderr}"
    assert "error" not in res.stderr.lower(), res.stderr
    assert "\n+++ b/examples/legacy_tests/" in res.stdout, res.stdout[:500]
    return res.stdout


def _copy_of_examples(dest: Path) -> Path:
    shutil.copytree(REPO / "examples", dest / "examples")
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    return dest


def test_quick_start_patch_applies_with_git(quick_start_patch, tmp_path):
    work = _copy_of_examples(tmp_path)
    (work / "fix.patch").write_text(quick_start_patch, encoding="utf-8")
    res = subprocess.run(["git", "apply", "--check", "fix.patch"], cwd=work, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def _build_and_run(source: Path, out: Path) -> None:
    # Built next to its folder's headers (echoserver.h), as CMake would.
    exe = qtbuild.build(source, source.parent)
    res = subprocess.run(
        [str(exe)], cwd=out, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True, text=True, errors="replace", timeout=RUN_TIMEOUT,
    )
    assert res.returncode == 0, f"{source.name} failed:\n{res.stdout}{res.stderr}"


@pytest.mark.parametrize("program", EXAMPLE_PROGRAMS)
def test_example_passes_before_and_after_the_fixes(program, quick_start_patch, tmp_path):
    before = _copy_of_examples(tmp_path / "before")
    _build_and_run(before / "examples" / "legacy_tests" / program, tmp_path)

    after = _copy_of_examples(tmp_path / "after")
    subprocess.run(["git", "apply", "-"], cwd=after, input=quick_start_patch, text=True, check=True)
    _build_and_run(after / "examples" / "legacy_tests" / program, tmp_path)


def test_quick_start_script_runs_end_to_end_in_an_active_virtualenv(tmp_path):
    """`bash scripts/quickstart ...` as the README gives it, with this test's
    Python (a virtualenv or CI's) first on PATH: every package it needs is
    there, so it installs nothing, reinstalls qtfix from the checkout and
    prints the patch."""
    python_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": python_dir + os.pathsep + os.environ["PATH"], "NO_COLOR": "1",
           "QTFIX_CACHE_DIR": str(tmp_path / "cache")}
    argv = shlex.split(quick_start_commands()[0])
    res = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=QTFIX_TIMEOUT,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 1, res.stderr  # 1: a patch was printed
    assert "\n+++ b/examples/legacy_tests/" in res.stdout
    assert "installing" not in res.stderr, "a package was missing on a machine .ci/run set up"
    assert "using the virtualenv ./.venv" not in res.stderr, "the Python first on PATH was not used"


def test_using_qtfix_in_ci_runs_verbatim_and_the_gate_fails_on_a_new_finding(tmp_path):
    section = README.read_text(encoding="utf-8").split("### Using qtfix in CI", 1)[1].split("\n### ", 1)[0]
    (block,) = re.findall(r"^```sh\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    commands = [line.split("   #", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert len(commands) == 4
    tree = tmp_path / "project"
    shutil.copytree(REPO / "examples" / "legacy_tests", tree)
    env = {**os.environ, "QTFIX_CACHE_DIR": str(tmp_path / "cache")}

    def run(command: str) -> subprocess.CompletedProcess:
        command = command.replace("qtfix ", f"{shlex.quote(sys.executable)} -m qtfix ", 1)
        return subprocess.run(command, shell=True, cwd=tree, env=env, capture_output=True, text=True, timeout=900)

    for command in commands:
        res = run(command)
        assert res.returncode == 0, f"{command}\n{res.stdout}\n{res.stderr}"
    assert json.loads((tree / "qtfix.sarif").read_text())["runs"][0]["results"] == []
    target = tree / "tst_tcppoll.cpp"
    target.write_bytes(target.read_bytes() + b'\n#include <QLocalServer>\nstatic bool extra(QLocalServer &s) { return s.listen("newname"); }\n')
    gate, sarif = run(commands[2]), run(commands[3])
    assert gate.returncode == 1, gate.stdout + gate.stderr
    assert "QF104" in gate.stdout and "newname" in gate.stdout
    results = json.loads((tree / "qtfix.sarif").read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["QF104"] and sarif.returncode == 1
