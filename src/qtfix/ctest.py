"""What a CMake build knows about its tests, read from the build itself.

`apply --verify=tests` needs three facts and takes each from the tool that
owns it: which targets compile which files (CMake's file API, codemodel v2),
which tests run which executables with what environment and timeout (CTest's
`--show-only=json-v1`), and how each test function ended (QtTest's own
JUnit XML, not the exit code alone). Builds go through `cmake --build`, so the
build's own generator, flags and parallelism are used.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

QUERY_CLIENT = "client-qtfix"
DEFAULT_TIMEOUT = 1500.0  # CTest's own default for a test without TIMEOUT


class BuildError(Exception):
    """The build directory cannot be used for --verify=tests (one line)."""


@dataclass(frozen=True)
class Target:
    name: str
    artifacts: frozenset[Path]
    sources: frozenset[Path]
    qttest: bool  # links QtTest: its executable understands `-o file,junitxml`


@dataclass(frozen=True)
class CTest:
    name: str
    command: tuple[str, ...]
    environment: tuple[tuple[str, str], ...] = ()
    timeout: float = DEFAULT_TIMEOUT
    cwd: Path | None = None
    target: str | None = None  # the build target whose artifact it runs
    qttest: bool = False


@dataclass(frozen=True)
class Case:
    """One test function (or, for a test that is not QtTest, the whole test)."""

    name: str
    passed: bool
    message: str = ""


@dataclass(frozen=True)
class RunResult:
    test: str
    exit_code: int | None  # None: timed out
    cases: tuple[Case, ...] = ()
    note: str = ""  # "timed out after 60 s", "crashed (signal 11)", ...

    @property
    def green(self) -> bool:
        return self.exit_code == 0 and all(c.passed for c in self.cases)

    def failures(self) -> tuple[Case, ...]:
        failed = tuple(c for c in self.cases if not c.passed)
        if failed or self.green:
            return failed
        return (Case("(whole test)", False, self.note or f"exit code {self.exit_code}"),)

    def summary(self) -> str:
        if not self.cases:
            return "passed" if self.green else f"failed ({self.note or f'exit code {self.exit_code}'})"
        bad = sum(1 for c in self.cases if not c.passed)
        text = f"{len(self.cases) - bad}/{len(self.cases)} passed"
        return text if self.exit_code == 0 or bad else f"{text}, {self.note or f'exit code {self.exit_code}'}"


@dataclass
class Build:
    directory: Path
    targets: dict[str, Target] = field(default_factory=dict)
    tests: list[CTest] = field(default_factory=list)


def _run(cmd: list[str], cwd: Path | None = None, timeout: float | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=timeout)
    except FileNotFoundError:
        raise BuildError(f"{cmd[0]} not found; --verify=tests needs CMake and CTest on PATH") from None


def _reply(directory: Path) -> dict:
    reply = directory / ".cmake" / "api" / "v1" / "reply"
    indexes = sorted(reply.glob("index-*.json")) if reply.is_dir() else []
    if not indexes:
        raise BuildError(f"{directory}: CMake wrote no file-API reply (CMake 3.14 or later is needed)")
    index = json.loads(indexes[-1].read_text())
    for entry in index.get("reply", {}).get(QUERY_CLIENT, {}).get("query.json", {}).get("responses", []):
        if entry.get("kind") == "codemodel":
            return json.loads((reply / entry["jsonFile"]).read_text())
    raise BuildError(f"{directory}: the file-API reply has no codemodel")


def _target(reply_dir: Path, ref: dict, top_source: Path, top_build: Path) -> Target:
    data = json.loads((reply_dir / ref["jsonFile"]).read_text())
    artifacts = frozenset((top_build / a["path"]).resolve() for a in data.get("artifacts", []))
    sources = frozenset((top_source / s["path"]).resolve() for s in data.get("sources", []))
    fragments = " ".join(f.get("fragment", "") for f in data.get("link", {}).get("commandFragments", []))
    qttest = bool(re.search(r"Qt[56]?Test\b|Qt[56]?::Test\b", fragments))
    return Target(data["name"], artifacts, sources, qttest)


def _codemodel(directory: Path) -> dict[str, Target]:
    query = directory / ".cmake" / "api" / "v1" / "query" / QUERY_CLIENT
    query.mkdir(parents=True, exist_ok=True)
    (query / "query.json").write_text(json.dumps({"requests": [{"kind": "codemodel", "version": 2}]}))
    done = _run(["cmake", str(directory)], cwd=directory)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BuildError(f"{directory}: re-running CMake to read its file API failed: {last}")
    model = _reply(directory)
    top_source = Path(model["paths"]["source"])
    top_build = Path(model["paths"]["build"])
    reply_dir = directory / ".cmake" / "api" / "v1" / "reply"
    configuration = model["configurations"][0]
    targets = (_target(reply_dir, ref, top_source, top_build) for ref in configuration["targets"])
    return {t.name: t for t in targets}


def _property(test: dict, name: str, default=None):
    for p in test.get("properties", []):
        if p.get("name") == name:
            return p.get("value")
    return default


def _tests(directory: Path, targets: dict[str, Target]) -> list[CTest]:
    done = _run(["ctest", "--test-dir", str(directory), "--show-only=json-v1"], cwd=directory)
    if done.returncode != 0:
        raise BuildError(f"{directory}: `ctest --show-only=json-v1` failed: {done.stderr.strip()[:200]}")
    by_artifact = {a: t for t in targets.values() for a in t.artifacts}
    tests = []
    for raw in json.loads(done.stdout).get("tests", []):
        command = tuple(raw.get("command") or ())
        if not command:
            continue  # a test CTest itself cannot run (NOT_AVAILABLE)
        target = by_artifact.get(Path(command[0]).resolve())
        env = tuple(tuple(v.split("=", 1)) for v in _property(raw, "ENVIRONMENT", []) if "=" in v)
        cwd = _property(raw, "WORKING_DIRECTORY")
        tests.append(CTest(raw["name"], command, env, float(_property(raw, "TIMEOUT", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT),
                          Path(cwd) if cwd else None, target.name if target else None,
                          bool(target and target.qttest)))
    return tests


def load_build(directory: Path) -> Build:
    """The targets and tests of a configured CMake build directory."""
    directory = directory.resolve()
    if not (directory / "CMakeCache.txt").is_file():
        raise BuildError(f"{directory}: not a CMake build directory (no CMakeCache.txt); "
                         "--verify=tests reads CMake's file API and CTest (qmake builds are not supported yet)")
    targets = _codemodel(directory)
    return Build(directory, targets, _tests(directory, targets))


def build_targets(build: Build, targets: list[str], jobs: int) -> tuple[bool, str]:
    """Build just these targets with the build's own tool; (ok, last lines of its output)."""
    if not targets:
        return True, ""
    cmd = ["cmake", "--build", str(build.directory), "--parallel", str(jobs)]
    for t in sorted(targets):
        cmd += ["--target", t]
    done = _run(cmd, cwd=build.directory)
    out = (done.stdout + done.stderr).strip().splitlines()
    errors = [line for line in out if "error" in line.lower()]
    return done.returncode == 0, "\n".join((errors or out)[-5:])


def _cases(xml_path: Path) -> tuple[Case, ...]:
    try:
        root = ET.parse(xml_path).getroot()
    except (ET.ParseError, OSError):
        return ()
    cases = []
    for tc in root.iter("testcase"):
        bad = next((c for c in tc if c.tag in ("failure", "error")), None)
        if bad is None and tc.get("result") in ("fail", "error"):  # Qt 5's junitxml
            bad = tc
        message = (bad.get("message") or bad.get("result") or "failed") if bad is not None else ""
        name = tc.get("name", "?")
        cases.append(Case(name, bad is None, message.strip()))
    return tuple(cases)


def _note(code: int) -> str:
    return f"crashed (signal {-code})" if code < 0 else f"exit code {code}"


def run_test(test: CTest) -> RunResult:
    """Run a test with CTest's command line, environment, folder and timeout."""
    env = dict(os.environ)
    env.update(dict(test.environment))
    with tempfile.TemporaryDirectory(prefix="qtfix-test-") as scratch:
        xml_path = Path(scratch) / "junit.xml"
        cmd = list(test.command) + (["-o", f"{xml_path},junitxml", "-o", "-,txt"] if test.qttest else [])
        try:
            done = subprocess.run(cmd, cwd=test.cwd, env=env, capture_output=True, timeout=test.timeout)
        except subprocess.TimeoutExpired:
            return RunResult(test.name, None, _cases(xml_path), f"timed out after {test.timeout:g} s")
        except OSError as exc:
            return RunResult(test.name, 127, (), f"cannot run {cmd[0]}: {exc.strerror}")
        cases = _cases(xml_path) if test.qttest else ()
        return RunResult(test.name, done.returncode, cases, "" if done.returncode == 0 else _note(done.returncode))
