"""Incremental cache: a file whose analysis inputs are unchanged is not parsed again.

The key covers everything the findings depend on: the file's bytes, its
compiler arguments, qtfix's version, the selected codemods' own source code
and the options. Project headers the translation unit included are recorded
with their size and mtime and checked on every hit, so editing a test's
helper header re-analyses the tests that include it.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from . import __version__
from .codemod import Codemod, Options

CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    base = os.environ.get("QTFIX_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "qtfix"
    )
    return Path(base)


@lru_cache(maxsize=None)
def _codemod_fingerprint(cls: type[Codemod]) -> str:
    try:
        source = inspect.getsource(inspect.getmodule(cls))
    except (OSError, TypeError):
        source = cls.__qualname__
    return hashlib.sha256(source.encode()).hexdigest()


@lru_cache(maxsize=None)
def engine_fingerprint() -> str:
    """qtfix's own analysis code: a change to any of it invalidates results
    (read once per process: the code that runs is the code loaded at start)."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for name in ("parse.py", "cpp.py", "qt.py", "codemod.py", "edits.py", "runner.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()


def result_key(
    source: bytes, args: Sequence[str], codemods: Sequence[Codemod], options: Options, engine: str, mode: tuple = ()
) -> str:
    h = hashlib.sha256()
    meta = [
        CACHE_FORMAT, __version__, engine, list(args),
        sorted((c.code, _codemod_fingerprint(type(c))) for c in codemods), asdict(options), list(mode),
    ]
    h.update(json.dumps(meta).encode())
    h.update(b"\0")
    h.update(source)
    return h.hexdigest()


def dependency_stamps(paths: Sequence[str]) -> list[tuple[str, int, int]]:
    stamps = []
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            continue
        stamps.append((p, st.st_size, st.st_mtime_ns))
    return stamps


class ResultCache:
    def __init__(self, directory: Path):
        self.directory = directory / "results"

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.pickle"

    def get(self, key: str):
        try:
            with open(self._path(key), "rb") as fh:
                entry = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if entry.get("format") != CACHE_FORMAT:
            return None
        if dependency_stamps([p for p, _, _ in entry["deps"]]) != entry["deps"]:
            return None  # a project header changed since
        return entry["result"]

    def put(self, key: str, result, deps: Sequence[str]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump({"format": CACHE_FORMAT, "deps": dependency_stamps(deps), "result": result}, fh)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
