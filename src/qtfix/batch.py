"""Parallel analysis of many files: one process per worker, each file under a
time limit, a crash or hang costing only that file.

Every file is analysed in a worker process, a single file too (a file that
crashes libclang or never finishes must cost a message, not the run): `jobs`
worker processes take files one at a time over a pipe; the parent watches
each worker's deadline and its process sentinel: a worker past the per-file
limit is killed and replaced (the file is reported as hanging), a worker
that dies (a crash in libclang, the OOM killer) is replaced too (the file is
reported as crashed). Results come back in the order of the input. A worker
dies with its parent (PR_SET_PDEATHSIG, else a watch on the parent's pid):
a killed `qtfix` leaves no process behind.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from .codemod import Options, discover, select
from .runner import FileResult, Settings, Status, analyse_file, cached_result


@dataclass(frozen=True)
class Task:
    index: int
    path: Path
    args: tuple[str, ...]
    codes: tuple[str, ...]
    options: Options
    settings: Settings


@dataclass(frozen=True)
class Limits:
    jobs: int = os.cpu_count() or 1
    file_timeout: float = 120.0  # seconds for one file
    max_memory_mb: int | None = None  # address-space limit of a worker


def _codemods(codes: Sequence[str]):
    return select(discover(), list(codes), None)  # fresh instances: a codemod may keep per-file state


def run_task(task: Task) -> FileResult:
    return analyse_file(task.path, task.args, _codemods(task.codes), task.options, task.settings)


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """End this worker when the process that started it is gone (killed with
    SIGKILL, it closes nothing: a worker waiting on its pipe would wait
    forever, since its siblings hold copies of the pipe's other end)."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            armed = ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:  # it died before the signal was armed
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _worker(conn: Connection, max_memory_mb: int | None, parent: int) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    if max_memory_mb:
        limit = max_memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            result = run_task(task)
        except MemoryError:
            result = FileResult(task.path, Status.FAILED, f"crashed: out of memory (limit {max_memory_mb} MB)")
        except Exception as exc:  # never let one file take the worker down silently
            result = FileResult(task.path, Status.FAILED, f"crashed: {type(exc).__name__}: {exc}")
        conn.send((task.index, result))


class _Worker:
    def __init__(self, ctx, max_memory_mb):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, max_memory_mb, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.started = 0.0

    def give(self, task: Task) -> None:
        self.task = task
        self.started = time.monotonic()
        self.conn.send(task)

    def stop(self, force: bool = False) -> None:
        if force:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _outcome(w: _Worker, ready: list, file_timeout: float) -> tuple[FileResult | None, bool]:
    """(the file's result or None while it still runs, whether the worker
    must be replaced)."""
    if w.conn in ready:
        try:
            _, result = w.conn.recv()
            return result, False
        except (EOFError, OSError):
            pass  # it died mid-answer: a crash, below
    if w.process.sentinel in ready or not w.process.is_alive():
        w.process.join(timeout=1)
        code = w.process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return FileResult(w.task.path, Status.FAILED, f"crashed: the analysis process died ({how})"), True
    if time.monotonic() - w.started > file_timeout:
        return FileResult(w.task.path, Status.FAILED, f"timed out: analysis took longer than {file_timeout:g} s"), True
    return None, False


def run_tasks(
    tasks: Sequence[Task],
    limits: Limits = Limits(),
    on_result: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Analyse every task; `on_result` is called as each file finishes.

    KeyboardInterrupt stops the workers and propagates; files already
    finished were reported through `on_result` (and cached), so a re-run
    picks up where this one stopped.
    """
    on_result = on_result or (lambda r: None)
    results: dict[int, FileResult] = {}
    for task in tasks:
        hit = cached_result(task.path, task.args, _codemods(task.codes), task.options, task.settings)
        if hit is not None:
            results[task.index] = hit
            on_result(hit)
    if len(results) == len(tasks):
        return [results[t.index] for t in tasks]
    ctx = mp.get_context("fork")
    pending = [t for t in reversed(tasks) if t.index not in results]
    workers = [_Worker(ctx, limits.max_memory_mb) for _ in range(max(1, min(limits.jobs, len(pending))))]
    try:
        while len(results) < len(tasks):
            for w in workers:
                if w.task is None and pending:
                    w.give(pending.pop())
            busy = [w for w in workers if w.task is not None]
            now = time.monotonic()
            next_deadline = min(w.started + limits.file_timeout for w in busy) - now
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=max(0.0, next_deadline))
            for i, w in enumerate(workers):
                if w.task is None:
                    continue
                finished, broken = _outcome(w, ready, limits.file_timeout)
                if finished is None:
                    continue
                results[w.task.index] = finished
                on_result(finished)
                w.task = None
                if broken:
                    w.stop(force=True)
                    workers[i] = _Worker(ctx, limits.max_memory_mb)
    finally:
        for w in workers:
            w.stop(force=w.task is not None)
    return [results[t.index] for t in tasks]
