"""Every read of a user's file and every write qtfix makes, in one place.

Reads open only regular files (never a FIFO, device or socket: opening one
can block or never end) and never more than a size limit. Writes replace a
file in one rename after copying its owner, group, mode and extended
attributes to the new bytes, go through a symlink to its target (the link
stays a link), and write a file with several hard links in place so that
every name keeps seeing the same file. A write that cannot be made leaves
the file as it was and raises WriteError with one line for the user.
docs/safety.md lists these promises and the tests that hold them.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
MAX_FILE_SIZE_ENV = "QTFIX_MAX_FILE_SIZE"  # bytes, or with a K/M suffix
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


class NotEditable(ValueError):
    """The file is not text qtfix edits; the message is the skip reason."""


class WriteError(Exception):
    """A file could not be written; it was left as it was."""


def real_path(path: Path) -> Path:
    """`path` with every symlink resolved; a symlink loop (which no read can
    get through, and which then fails as that file's own error) stays
    unresolved instead of raising."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # a loop: RuntimeError up to Python 3.12
        return Path(os.path.abspath(path))


def kind_of(mode: int) -> str:
    """'a FIFO', 'a socket', ... for a mode that is not a regular file's."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def parse_size(raw: str) -> int:
    """Bytes from '1048576', '512K' or '2M'; ValueError otherwise."""
    raw = raw.strip().upper()
    scale = {"K": 1024, "M": 1024 * 1024}.get(raw[-1:], 1)
    digits = raw[:-1] if scale != 1 else raw
    if not digits.isdigit():
        raise ValueError(f"{raw!r} is not a size (bytes, or with a K or M suffix: 512K, 8M)")
    return int(digits) * scale


def max_file_size() -> int:
    """$QTFIX_MAX_FILE_SIZE (the CLI refuses a bad value up front), else 2 MB."""
    raw = os.environ.get(MAX_FILE_SIZE_ENV, "").strip()
    try:
        return parse_size(raw) if raw else DEFAULT_MAX_FILE_SIZE
    except ValueError:
        return DEFAULT_MAX_FILE_SIZE


def read_regular(path: Path | str, limit: int, what: str = "file") -> bytes:
    """At most `limit` bytes of a regular file; NotEditable for anything
    else or anything larger. Raises OSError when it cannot be opened."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotEditable(f"not a regular file ({kind_of(st.st_mode)}); skipped")
    if st.st_size > limit:
        raise NotEditable(f"{what} too large ({_size(st.st_size)}, the limit is {_size(limit)}); skipped")
    # O_NONBLOCK: if the path was swapped for a FIFO since the stat, the open
    # must not wait for a writer; fstat then tells what was really opened.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotEditable(f"not a regular file ({kind_of(os.fstat(fd).st_mode)}); skipped")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise NotEditable(f"{what} too large (over {_size(limit)}); skipped")
    return data


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def read_source(path: Path) -> bytes:
    """The file's bytes, or NotEditable (a ValueError) with the reason it is
    not editable text; OSError when it cannot be read."""
    try:
        data = read_regular(path, max_file_size())
    except NotEditable as exc:
        if "too large" in str(exc):
            raise NotEditable(f"{exc} (set {MAX_FILE_SIZE_ENV}, e.g. 8M, to analyse larger files)") from None
        raise
    if b"\0" in data:
        raise NotEditable("binary file (it contains NUL bytes)")
    if b"\r" in data and b"\n" not in data:
        # Every line position and inserted line of qtfix assumes LF or CRLF;
        # an inserted LF line would mix endings in the file.
        raise NotEditable("its lines end in CR only (classic Mac OS); qtfix edits LF and CRLF files only")
    return data


# -- text of a source --------------------------------------------------------
#
# Sources are bytes; every offset qtfix handles is a byte offset. Text made
# from them (what a codemod reads, a diff's lines) is decoded as UTF-8 with
# "surrogateescape": a byte that is not UTF-8 (a Latin-1 "é" in a legacy test)
# becomes one lone surrogate and turns back into the same byte on the way out,
# so a non-UTF-8 file is analysed, diffed and edited byte for byte, and only
# the edited ranges change.

LATIN1 = "Latin-1 (ISO 8859-1)"


def to_text(data: bytes) -> str:
    """The bytes as text; bytes that are not UTF-8 kept as lone surrogates."""
    return data.decode("utf-8", "surrogateescape")


def to_bytes(text: str) -> bytes:
    """The inverse of to_text: the same bytes back."""
    return text.encode("utf-8", "surrogateescape")


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def encoding_of(data: bytes) -> str:
    """The encoding qtfix assumes for a source: UTF-8 when all of it is, else
    Latin-1 (every byte is a character there; it is only used to show text)."""
    return "UTF-8" if is_utf8(data) else LATIN1


def shown(text: str) -> str:
    """Text for people (messages, reports): a kept byte shown as the Latin-1
    character it is in a legacy source instead of a lone surrogate."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return "".join(chr(ord(ch) - 0xDC00) if "\udc80" <= ch <= "\udcff" else ch for ch in text)


def mixes_encodings(source: bytes, text: str) -> bool:
    """Whether writing `text` into `source` would put UTF-8 characters into a
    file that is not UTF-8 (a kept byte or ASCII is always safe)."""
    if encoding_of(source) == "UTF-8":
        return False
    return any(ch > "\x7f" and not "\udc80" <= ch <= "\udcff" for ch in text)


def split_lines(text: str) -> list[str]:
    """Lines split on LF only, each keeping its ending (CRLF stays CRLF, a
    lone CR or form feed is part of its line)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


# -- writing -----------------------------------------------------------------


def _why(exc: OSError) -> str:
    if exc.errno in (errno.EPERM, errno.EACCES):
        return f"{exc.strerror} (is the file or its folder immutable or append-only? see lsattr)"
    return exc.strerror or str(exc)


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` that replaces it in one rename when
    the block ends normally, and is removed otherwise. For qtfix's own files
    (cache entries, precompiled headers, patches, reports)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".qtfix", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _unlink_quietly(path: str | Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _write_all(fd: int, data: bytes, offset: int = 0) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


def _copy_metadata(src: str, st: os.stat_result, tmp: str) -> bool:
    """Give `tmp` the owner, group, mode and xattrs of `src`; False when
    one of them cannot be given (the caller then writes in place)."""
    try:
        if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
            os.chown(tmp, st.st_uid, st.st_gid)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        for name in _xattr_names(src):
            os.setxattr(tmp, name, os.getxattr(src, name, follow_symlinks=False), follow_symlinks=False)
    except OSError:
        return False
    return True


def _xattr_names(path: str) -> list[str]:
    try:
        return os.listxattr(path, follow_symlinks=False)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            return []
        raise


def _write_in_place(real: str, st: os.stat_result, new: bytes) -> None:
    """Overwrite the file's own inode: every hard link, the owner and the
    xattrs stay. The space is reserved first, so a full disk fails before
    a byte changes; only a crash in the middle of the write can tear it."""
    fd = os.open(real, os.O_WRONLY | os.O_CLOEXEC)
    try:
        if len(new) > st.st_size:
            try:
                os.posix_fallocate(fd, 0, len(new))
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL):
                    raise
        _write_all(fd, new)
        os.ftruncate(fd, len(new))
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(real: str, st: os.stat_result, new: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.", suffix=".qtfix", dir=os.path.dirname(real))
    try:
        try:
            _write_all(fd, new)
            os.fsync(fd)
        finally:
            os.close(fd)
        if not _copy_metadata(real, st, tmp):
            _unlink_quietly(tmp)
            _write_in_place(real, st, new)
            return
        os.replace(tmp, real)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def write_atomically(path: Path, expected_old: bytes, new: bytes) -> None:
    """Replace the bytes of the file `path` names (a symlink's target), keeping
    its owner, group, mode, xattrs and hard links.

    Refuses a read-only file and a file that changed since it was analysed, so
    a concurrent edit is never overwritten and no file is ever half-written.
    """
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode):
            raise WriteError(f"{path}: {kind_of(st.st_mode)}, not a regular file; not changed")
        # Root may write anything, so look at the mode bits too: a read-only
        # test file is a statement of intent, not an obstacle to route around.
        if not os.access(real, os.W_OK) or not st.st_mode & stat.S_IWUSR:
            raise WriteError(f"{path}: read-only file; not changed")
        if read_regular(real, len(expected_old)) != expected_old:
            raise NotEditable("changed")
        if st.st_nlink > 1:
            _write_in_place(real, st, new)
        else:
            _replace(real, st, new)
    except NotEditable:
        raise WriteError(f"{path}: changed on disk since it was analysed; not changed (run qtfix again)") from None
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {_why(exc)}; not changed") from None


def create_file(path: Path, data: bytes, mode: int | None) -> None:
    """Make a new file, never replacing one that appeared meanwhile (nor a
    dangling symlink's target: the name itself must be free)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing_free(path) as tmp:
            tmp.write_bytes(data)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, ((mode & 0o777) if mode else 0o644) & ~umask)
    except FileExistsError:
        raise WriteError(f"{path}: appeared on disk while the patch was being applied; not changed") from None
    except OSError as exc:
        raise WriteError(f"{path}: cannot create: {_why(exc)}; not changed") from None


@contextmanager
def replacing_free(target: Path) -> Iterator[Path]:
    """As `replacing`, but the result is linked in only if the name is
    free: os.link fails on an existing name, a symlink included."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".qtfix", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.link(tmp, target, follow_symlinks=False)
    finally:
        _unlink_quietly(tmp)


def delete_file(path: Path, expected_old: bytes) -> None:
    """Remove the name `path` (never a symlink, never through one)."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode) or os.path.realpath(path) != os.path.abspath(path):
            raise WriteError(f"{path}: a symlink, or on a path through one; not deleted")
        if not os.access(path, os.W_OK) or not st.st_mode & stat.S_IWUSR:
            raise WriteError(f"{path}: read-only file; not deleted")
        if read_regular(path, len(expected_old)) != expected_old:
            raise WriteError(f"{path}: changed on disk since it was checked; not deleted")
        os.unlink(path)
    except NotEditable:
        raise WriteError(f"{path}: changed on disk since it was checked; not deleted") from None
    except OSError as exc:
        raise WriteError(f"{path}: cannot delete: {_why(exc)}; not changed") from None


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def write_output(path: Path, data: bytes, reads: Iterable[Path]) -> None:
    """Write a file qtfix produces (a patch, a report) atomically, refusing
    a path that is one of the files the run read: `-o src/a.cpp` must never
    turn a source into a patch."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {_why(exc)}") from None
    if st is not None:
        for r in reads:
            try:
                if same_file(st, os.stat(r)):
                    raise WriteError(f"{path}: is {r}, a file this run reads; refused (choose another output file)")
            except OSError:
                continue
        if not stat.S_ISREG(st.st_mode):  # -o /dev/stdout, a FIFO a reader waits on
            try:
                with open(path, "wb") as out:
                    out.write(data)
                return
            except OSError as exc:
                raise WriteError(f"{path}: cannot write: {_why(exc)}") from None
    real = Path(os.path.realpath(path))
    try:
        with replacing(real) as tmp:
            tmp.write_bytes(data)
            if st is not None:
                os.chmod(tmp, stat.S_IMODE(st.st_mode))
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {_why(exc)}") from None
