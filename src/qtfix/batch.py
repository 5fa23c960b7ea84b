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

from .results import Failed, FileResult
from .runner import Task, cached_result, run_task


@dataclass(frozen=True)
class Limits:
    jobs: int = os.cpu_count() or 1
    file_timeout: float = 120.0  # seconds for one file
    max_memory_mb: int | None = None  # address-space limit of a worker


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
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        index, task = job
        try:
            result = run_task(task)
        except MemoryError:
            result = Failed(task.path, f"crashed: out of memory (limit {max_memory_mb} MB)")
        except Exception as exc:  # never let one file take the worker down silently
            result = Failed(task.path, f"crashed: {type(exc).__name__}: {exc}")
        conn.send((index, result))


class _Worker:
    def __init__(self, ctx, max_memory_mb):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, max_memory_mb, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.task: Task | None = None
        self.index = -1
        self.started = 0.0

    def give(self, index: int, task: Task) -> None:
        self.task, self.index = task, index
        self.started = time.monotonic()
        self.conn.send((index, task))

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
        return Failed(w.task.path, f"crashed: the analysis process died ({how})"), True
    if time.monotonic() - w.started > file_timeout:
        return Failed(w.task.path, f"timed out: analysis took longer than {file_timeout:g} s"), True
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
    for index, task in enumerate(tasks):
        hit = cached_result(task)
        if hit is not None:
            results[index] = hit
            on_result(hit)
    if len(results) == len(tasks):
        return [results[i] for i in range(len(tasks))]
    ctx = mp.get_context("fork")
    pending = [(i, t) for i, t in reversed(list(enumerate(tasks))) if i not in results]
    workers = [_Worker(ctx, limits.max_memory_mb) for _ in range(max(1, min(limits.jobs, len(pending))))]
    try:
        while len(results) < len(tasks):
            for w in workers:
                if w.task is None and pending:
                    w.give(*pending.pop())
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
                results[w.index] = finished
                on_result(finished)
                w.task = None
                if broken:
                    w.stop(force=True)
                    workers[i] = _Worker(ctx, limits.max_memory_mb)
    finally:
        for w in workers:
            w.stop(force=w.task is not None)
    return [results[i] for i in range(len(tasks))]
