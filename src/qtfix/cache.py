"""Incremental cache: a file whose analysis inputs are unchanged is not parsed again.

The key (`result_key`, the one place it is made) covers everything the
findings depend on: the file's resolved real path and bytes, its compiler
arguments, qtfix's version and the source of every module of the package
and of the selected codemods, and the options. Project headers the
translation unit included are recorded with their size and mtime and checked
on every hit, so editing a test's helper header re-analyses its includers.

Trust model. An entry is data, never code: JSON, read only after its SHA-256
checksum matched, and decoded into qtfix's own frozen values field by field
(a wrong type drops the entry). The cache directory is created 0700; one that
another user owns or can write (a shared `/tmp` folder, a cache handed over
between CI jobs) is refused with one warning, and the run goes on with a
private throwaway directory instead. Entries are refused on the same rule.
The cache is best effort: an entry that cannot be written is skipped, one
that cannot be read or fails its checksum is dropped and the file analysed
again.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import stat
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from functools import lru_cache
from pathlib import Path

from . import __version__
from .codemod import Codemod, Options
from .edits import Edit, Finding, Fix, Safety
from .fileio import replacing
from .results import Checked

CACHE_FORMAT = 2
MAGIC = b"qtfix-cache 2 "
DEFAULT_MAX_MB = 512  # results only; $QTFIX_CACHE_MAX_MB overrides


def default_cache_dir() -> Path:
    base = os.environ.get("QTFIX_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "qtfix"
    )
    return Path(base)


# -- where the cache may live ------------------------------------------------


def distrust(st: os.stat_result) -> str:
    """Why a cache file or folder with this status must not be trusted ("" when it may)."""
    if st.st_uid != os.geteuid():
        return f"it is owned by another user (uid {st.st_uid})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "other users can write to it"
    return ""


def _own_dir(path: Path) -> None:
    """Create `path` (and missing parents) private to this user, then check
    what is there: an existing folder is used only if this user owns it and
    nobody else can write to it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise OSError(f"{path} is not a directory")
    why = distrust(st)
    if why:
        raise PermissionError(f"{path}: {why}")


def usable_cache_dir(wanted: Path) -> tuple[Path, str]:
    """The folder this run keeps its cache in, and a warning ("" if none).

    `wanted` is used when it is (or can be made) a private, writable folder
    of this user, including its `results` and `pch` subfolders; otherwise the
    run gets a fresh private temporary folder (removed by nobody: it is
    empty of anything shared) and the warning says why."""
    try:
        for sub in (wanted, wanted / "results", wanted / "pch"):
            _own_dir(sub)
        probe = tempfile.NamedTemporaryFile(dir=wanted / "results", prefix=".probe-")
        probe.close()
        return wanted, ""
    except OSError as exc:
        reason = str(exc) if isinstance(exc, PermissionError) and not exc.errno else (
            f"{wanted}: {exc.strerror or exc}")
    fallback = Path(tempfile.mkdtemp(prefix="qtfix-cache-"))
    return fallback, f"cache directory not used ({reason}); this run uses a private temporary one"


# -- the key -----------------------------------------------------------------


@lru_cache(maxsize=None)
def _codemod_fingerprint(cls: type[Codemod]) -> str:
    try:
        source = inspect.getsource(inspect.getmodule(cls))
    except (OSError, TypeError):
        source = cls.__qualname__
    return hashlib.sha256(source.encode()).hexdigest()


@lru_cache(maxsize=None)
def engine_fingerprint() -> str:
    """Every module of the package, found (not listed by hand): a change to
    any of them invalidates results. Read once per process: the code that
    runs is the code loaded at start."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for module in sorted(here.rglob("*.py")):
        h.update(str(module.relative_to(here)).encode() + b"\0")
        h.update(module.read_bytes())
    return h.hexdigest()


def result_key(
    path: Path, source: bytes, args: Sequence[str], codemods: Sequence[Codemod], options: Options, mode: tuple = ()
) -> str:
    """The one cache key of a file's analysis. The real path is in it, so
    two copies of a file do not evict each other and two spellings of one
    path (`autotests/x.cpp`, `src/../autotests/x.cpp`) share an entry."""
    h = hashlib.sha256()
    meta = [
        CACHE_FORMAT, __version__, engine_fingerprint(), os.path.realpath(path), list(args),
        sorted((c.code, _codemod_fingerprint(type(c))) for c in codemods), asdict(options), list(mode),
    ]
    h.update(json.dumps(meta).encode())
    h.update(b"\0")
    h.update(source)
    return h.hexdigest()


def dependency_stamps(paths: Sequence[str]) -> list[list]:
    stamps = []
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            continue
        stamps.append([p, st.st_size, st.st_mtime_ns])
    return stamps


# -- entries: JSON with a checksum, decoded field by field --------------------


class BadEntry(ValueError):
    """A cache entry that is not what qtfix wrote: dropped, never trusted."""


def _expect(value, kind):
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadEntry(f"expected {kind.__name__}")
    return value


def _encode_path(path: Path, here: Path) -> str:
    return "" if path == here else str(path)  # "": the file itself, however it is spelled


def _decode_path(value, here: Path) -> Path:
    return here if _expect(value, str) == "" else Path(value)


def _encode_fix(fix: Fix | None, here: Path):
    if fix is None:
        return None
    return {"title": fix.title, "safety": fix.safety.value,
            "edits": [[_encode_path(e.path, here), e.start, e.end, e.text] for e in fix.edits]}


def _decode_fix(value, here: Path) -> Fix | None:
    if value is None:
        return None
    _expect(value, dict)
    edits = []
    for item in _expect(value["edits"], list):
        p, start, end, text = _expect(item, list)
        edits.append(Edit(_decode_path(p, here), _expect(start, int), _expect(end, int), _expect(text, str)))
    return Fix(_expect(value["title"], str), tuple(edits), Safety(value["safety"]))


def _encode_finding(f: Finding, here: Path) -> dict:
    out = {}
    for name, value in vars(f).items():
        if name == "path":
            value = _encode_path(value, here)
        elif name == "fix":
            value = _encode_fix(value, here)
        elif not isinstance(value, (str, int, bool)):
            raise TypeError(f"Finding.{name}: {type(value).__name__} has no cache encoding")
        out[name] = value
    return out


def _decode_finding(value, here: Path) -> Finding:
    fields = dict(_expect(value, dict))
    fields["path"] = _decode_path(fields.get("path"), here)
    fields["fix"] = _decode_fix(fields.get("fix"), here)
    defaults = Finding.__dataclass_fields__
    for name, v in fields.items():
        if name not in defaults:
            raise BadEntry(f"unknown field {name}")
        if name not in ("path", "fix"):
            _expect(v, (str, int, bool))
    return Finding(**fields)


def encode_entry(result: Checked) -> bytes:
    """A checked file's result and the stamps of the project headers it
    included, as checksummed JSON (its bytes and the cache flag are not
    stored: a hit has the bytes it was keyed by)."""
    here = result.path
    payload = json.dumps({
        "deps": dependency_stamps(result.includes), "status": result.status.value, "reason": result.reason,
        "findings": [_encode_finding(f, here) for f in result.findings],
        "rolled_back": [[_encode_finding(f, here), why] for f, why in result.rolled_back],
    # ASCII escapes: the text of a fix in a Latin-1 file holds lone
    # surrogates (fileio.to_text), which only an escape carries through.
    }, separators=(",", ":"), sort_keys=True).encode()
    return MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def decode_entry(blob: bytes, path: Path, source: bytes) -> tuple:
    """(the result `encode_entry` wrote, for `path` as this run spells it,
    its dependency stamps); BadEntry if the checksum or any field is wrong."""
    head, _, payload = blob.partition(b"\n")
    if not head.startswith(MAGIC) or head[len(MAGIC):] != hashlib.sha256(payload).hexdigest().encode():
        raise BadEntry("checksum mismatch")
    try:
        data = _expect(json.loads(payload), dict)
        if data["status"] != "checked" or data["reason"] != "":
            raise BadEntry("only checked files are cached")
        result = Checked(
            path, findings=tuple(_decode_finding(f, path) for f in _expect(data["findings"], list)),
            source=source,
            rolled_back=tuple((_decode_finding(f, path), _expect(why, str))
                              for f, why in _expect(data["rolled_back"], list)),
        )
        deps = _expect(data["deps"], list)
        includes = tuple(d[0] for d in deps if isinstance(d, list) and d and isinstance(d[0], str))
        return replace(result, includes=includes), deps
    except (KeyError, TypeError, ValueError, RecursionError) as exc:
        raise BadEntry(str(exc)) from None


class ResultCache:
    def __init__(self, directory: Path):
        self.directory = directory / "results"

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def _read(self, path: Path) -> bytes | None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or distrust(st) or st.st_size > 64 << 20:
                return None
            return fh.read()

    def get(self, key: str, path: Path, source: bytes):
        """The stored result of `key` for `path` (whose bytes are `source`),
        or None: missing, not this user's, corrupted (then it is removed) or
        a project header changed since."""
        entry = self._path(key)
        blob = self._read(entry)
        if blob is None:
            return None
        try:
            result, deps = decode_entry(blob, path, source)
        except BadEntry:
            _remove(entry)  # not what qtfix wrote: analyse the file again
            return None
        if dependency_stamps(result.includes) != deps:
            return None  # a project header changed since
        try:
            os.utime(entry)  # recently used: evicted last
        except OSError:
            pass
        return result

    def put(self, key: str, result: Checked) -> None:
        """Store a result; best effort (a full disk or a read-only cache
        loses the entry, never the run)."""
        path = self._path(key)
        blob = encode_entry(result)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with replacing(path) as tmp:
                tmp.write_bytes(blob)
        except OSError:
            pass

    def prune(self, max_bytes: int) -> int:
        """Remove the least recently used entries until the results take at
        most `max_bytes`; returns how many were removed."""
        for old in self.directory.glob("*/*.pickle"):
            _remove(old)  # format 1 (pickle): never read again
        for tmp in [*self.directory.glob("*/.*.qtfix"), *self.directory.glob("*/*.tmp")]:
            _remove_if_stale(tmp)  # left by a writer that was killed
        entries = []
        for p in self.directory.glob("*/*.json"):
            try:
                st = p.stat()
            except OSError:
                continue
            entries.append((st.st_mtime_ns, st.st_size, p))
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, p in sorted(entries):
            if total <= max_bytes:
                break
            _remove(p)
            total -= size
            removed += 1
        return removed


CACHE_MAX_ENV = "QTFIX_CACHE_MAX_MB"


def parse_cache_limit(raw: str) -> int:
    """Bytes from a whole number of megabytes; ValueError otherwise."""
    raw = raw.strip()
    if not raw.isdigit():
        raise ValueError(f"{raw!r} is not a whole number of megabytes")
    return int(raw) << 20


def cache_limit_bytes() -> int:
    """$QTFIX_CACHE_MAX_MB in bytes (the CLI refuses a bad value up front)."""
    raw = os.environ.get(CACHE_MAX_ENV, "").strip()
    try:
        return parse_cache_limit(raw) if raw else DEFAULT_MAX_MB << 20
    except ValueError:
        return DEFAULT_MAX_MB << 20


STALE_TEMPORARY_S = 3600


def _remove_if_stale(path: Path) -> None:
    try:
        if time.time() - path.stat().st_mtime > STALE_TEMPORARY_S:
            _remove(path)
    except OSError:
        pass


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
