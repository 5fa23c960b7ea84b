"""Compile and run C++ test files against the real Qt headers with g++.

The golden harness uses this to prove that a codemod's input and output both
compile (Qt 6 always, Qt 5 where the case allows) and that a fixed QtTest
program still passes. Nothing here is stubbed: moc, g++ and the Qt libraries
are the ones Debian installs (qt6-base-dev, qtbase5-dev).

Qt 6 is a hard requirement (CI installs it): its absence fails the test. Qt 5
is optional: its absence skips the test.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

CXX_FLAGS = ("-std=c++17", "-fPIC")
MODULES = {6: ("Qt6Core", "Qt6Network", "Qt6Test"), 5: ("Qt5Core", "Qt5Network", "Qt5Test")}
# Where pkg-config says each major version keeps moc, then Debian's paths.
MOC_VARIABLE = {6: ("Qt6Core", "libexecdir"), 5: ("Qt5Core", "host_bins")}
MOC_FALLBACK = {6: "/usr/lib/qt6/libexec/moc", 5: "/usr/lib/qt5/bin/moc"}
# A QtTest program: the macros that define main().
TEST_MAIN = re.compile(rb"^\s*(QTEST_MAIN|QTEST_GUILESS_MAIN|QTEST_APPLESS_MAIN)\s*\(", re.MULTILINE)
Q_OBJECT = re.compile(rb"\bQ_OBJECT\b")


class CompileError(AssertionError):
    """moc or g++ rejected the file; the message holds the command and its output."""


@dataclass(frozen=True)
class Toolchain:
    qt: int
    cflags: tuple[str, ...]
    libs: tuple[str, ...]
    moc: str


def _pkg_config(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pkg-config", *args], capture_output=True, text=True)


@lru_cache(maxsize=None)
def _find_toolchain(qt: int) -> Toolchain | str:
    """The toolchain, or why it is missing."""
    if qt not in MODULES:
        raise ValueError(f"qt must be 5 or 6, not {qt!r}")
    for tool in ("g++", "pkg-config"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    modules = MODULES[qt]
    cflags = _pkg_config("--cflags", *modules)
    libs = _pkg_config("--libs", *modules)
    if cflags.returncode != 0 or libs.returncode != 0:
        return f"pkg-config does not know {' '.join(modules)}: {(cflags.stderr or libs.stderr).strip()}"
    package, variable = MOC_VARIABLE[qt]
    folder = _pkg_config(f"--variable={variable}", package).stdout.strip()
    candidates = [os.path.join(folder, "moc")] if folder else []
    candidates.append(MOC_FALLBACK[qt])
    moc = next((c for c in candidates if os.access(c, os.X_OK)), None)
    if moc is None:
        return f"no moc for Qt {qt} (looked at {', '.join(candidates)})"
    return Toolchain(qt, tuple(shlex.split(cflags.stdout)), tuple(shlex.split(libs.stdout)), moc)


def toolchain(qt: int) -> Toolchain:
    """Qt 6 must be there (fail); Qt 5 may be absent (skip)."""
    found = _find_toolchain(qt)
    if isinstance(found, Toolchain):
        return found
    if qt == 5:
        pytest.skip(f"Qt 5 not available ({found}); install qtbase5-dev to run this check")
    pytest.fail(f"Qt {qt} toolchain not available: {found} (install qt6-base-dev, g++ and pkg-config)")


def is_test_program(source: bytes) -> bool:
    return TEST_MAIN.search(source) is not None


def _run(cmd: list[str], cwd: Path, what: str, timeout: float) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=timeout)
    if res.returncode != 0:
        raise CompileError(f"{what} failed (exit {res.returncode}): {shlex.join(cmd)}\n{res.stdout}{res.stderr}")
    return res


def _prepare(path: Path, work: Path, tools: Toolchain, need_moc: bool, timeout: float) -> Path:
    """Copy the file into `work` under its own name and put its moc output
    beside it, as a build would: `#include "name.moc"` then resolves there."""
    path = Path(path)
    copy = work / path.name
    if not (copy.exists() and copy.samefile(path)):
        shutil.copyfile(path, copy)
    source = copy.read_bytes()
    moc_name = f"{path.stem}.moc"
    includes_moc = re.search(rb'#\s*include\s*"' + re.escape(moc_name.encode()) + rb'"', source) is not None
    if Q_OBJECT.search(source) and includes_moc:
        _run([tools.moc, copy.name, "-o", moc_name], work, f"moc (Qt {tools.qt}) on {path.name}", timeout)
    elif Q_OBJECT.search(source) and need_moc:
        # Without the include, the meta-object code has nowhere to go in a
        # single-file test and the link would fail for an unrelated reason.
        raise CompileError(f'{path.name}: has Q_OBJECT but does not #include "{moc_name}"')
    return copy


def syntax_check(path: Path | str, qt: int = 6, timeout: float = 120) -> subprocess.CompletedProcess:
    """`g++ -fsyntax-only` on the file against the real Qt headers (moc first
    when the file includes its own .moc). Raises CompileError when it fails."""
    tools = toolchain(qt)
    with tempfile.TemporaryDirectory(prefix="qtbuild-") as tmp:
        work = Path(tmp)
        copy = _prepare(Path(path), work, tools, need_moc=False, timeout=timeout)
        cmd = ["g++", *CXX_FLAGS, "-fsyntax-only", *tools.cflags, copy.name]
        return _run(cmd, work, f"g++ -fsyntax-only (Qt {qt}) on {Path(path).name}", timeout)


def build(path: Path | str, out_dir: Path | str, qt: int = 6, timeout: float = 120) -> Path:
    """moc, compile and link the file into a program in `out_dir` (which gets
    a copy of the file and its moc output); returns the executable's path.
    Raises CompileError when moc, g++ or the link fails."""
    tools = toolchain(qt)
    work = Path(out_dir)
    work.mkdir(parents=True, exist_ok=True)
    copy = _prepare(Path(path), work, tools, need_moc=True, timeout=timeout)
    exe = work / copy.stem
    cmd = ["g++", *CXX_FLAGS, *tools.cflags, copy.name, "-o", exe.name, *tools.libs]
    _run(cmd, work, f"g++ build (Qt {qt}) of {Path(path).name}", timeout)
    return exe


def build_and_run(
    path: Path | str,
    qt: int = 6,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    args: tuple[str, ...] = (),
) -> subprocess.CompletedProcess:
    """Build the file (see `build`) in a temporary folder, run it with
    QT_QPA_PLATFORM=offscreen and return its CompletedProcess (not checked:
    the caller asserts on it). A run longer than `timeout` raises
    TimeoutExpired."""
    with tempfile.TemporaryDirectory(prefix="qtbuild-") as tmp:
        exe = build(path, tmp, qt=qt, timeout=timeout)
        run_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
        return subprocess.run(
            [str(exe), *args], cwd=tmp, env=run_env, capture_output=True, text=True, errors="replace", timeout=timeout
        )
