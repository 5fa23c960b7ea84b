"""Applying a saved, reviewed patch: `qtfix apply --patch FILE`.

Every hunk is checked against the current file before anything is written:
context and removed lines must match exactly (byte for byte, line endings
included) at the stated line, or at the nearest line within MAX_OFFSET lines
(as `patch` searches when lines were added above); there is no fuzz. A file
with a hunk that does not match is refused whole and left as it is; the
other files still apply. Paths outside the current directory, binary
patches, and (unless allowed) file creation and deletion are refused.

The patch is read by unidiff, from lines split on LF only (each keeping its
ending, so CRLF, form feeds and "\\ No newline at end of file" survive). What
unidiff does not check is checked here: C-quoted and timestamped names,
a hunk followed by more lines than its header counts, the offset search,
an editor's line-ending conversion, an already applied (reversed) patch,
and confinement to the tree. Two names for one file (`a.cpp` and
`./a.cpp`, a link and its target) are one file: its sections apply in turn.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import unidiff
from unidiff.constants import DEV_NULL, LINE_TYPE_NO_NEWLINE
from unidiff.errors import UnidiffParseError

from .fileio import WriteError, create_file, delete_file, read_source, split_lines, to_bytes, to_text, write_atomically

MAX_OFFSET = 100  # lines a hunk may have moved since the patch was made
NO_NEWLINE_MARK = "\\"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class PatchError(Exception):
    """The patch as a whole cannot be used (unreadable, malformed, empty)."""


@dataclass(frozen=True)
class Hunk:
    header: str  # "@@ -l,s +l,s @@", for messages
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    old: tuple[str, ...]  # context and removed lines, with their endings
    new: tuple[str, ...]  # context and added lines, with their endings
    body_endings: frozenset[str]  # "\n" and/or "\r\n" as the patch spells them


@dataclass(frozen=True)
class Section:
    """The part of the patch about one file."""

    number: int  # 1-based, for messages
    old_path: str | None  # None: /dev/null (a created file)
    new_path: str | None  # None: /dev/null (a deleted file)
    hunks: tuple[Hunk, ...]
    new_mode: int | None = None  # of a created file
    binary: bool = False
    rename: bool = False  # or a copy
    mode_change: bool = False
    symlink: bool = False  # mode 120000 (or a submodule, 160000)

    @property
    def name(self) -> str:
        return self.new_path if self.new_path is not None else (self.old_path or "?")

    @property
    def creates(self) -> bool:
        return self.old_path is None

    @property
    def deletes(self) -> bool:
        return self.new_path is None


@dataclass(frozen=True)
class FileOutcome:
    """What the patch does to one file: applied (old -> new) or refused."""

    name: str  # the path as the patch names it, after stripping a/ b/
    path: Path | None = None
    old: bytes | None = None  # None: the file is created
    new: bytes | None = None  # None: the file is deleted
    hunks: int = 0
    refused: str = ""  # why, when refused
    notes: tuple[str, ...] = ()
    mode: int | None = None  # for a created file

    @property
    def ok(self) -> bool:
        return not self.refused


@dataclass(frozen=True)
class Result:
    outcomes: tuple[FileOutcome, ...]
    written: tuple[Path, ...] = ()
    write_errors: tuple[str, ...] = field(default=())

    @property
    def refused(self) -> tuple[FileOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)


# -- reading the patch -------------------------------------------------------


def _unquote(path: str) -> str:
    """A path as git writes it: C-quoted when it holds special characters."""
    if not (len(path) >= 2 and path.startswith('"') and path.endswith('"')):
        return path
    raw = path[1:-1].encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == ord("\\") and i + 1 < len(raw):
            if raw[i + 1] in _C_ESCAPES:
                out += _C_ESCAPES[raw[i + 1]]
                i += 2
                continue
            if re.fullmatch(rb"[0-3][0-7]{2}", raw[i + 1 : i + 4]):
                out.append(int(raw[i + 1 : i + 4], 8))
                i += 4
                continue
        out.append(raw[i])
        i += 1
    return out.decode("utf-8", errors="surrogateescape")


_C_ESCAPES = {ord(k): v for k, v in {"n": b"\n", "t": b"\t", '"': b'"', "\\": b"\\", "a": b"\a", "b": b"\b",
                                     "f": b"\f", "r": b"\r", "v": b"\v"}.items()}


def _file_name(value: str | None) -> str | None:
    """A name as unidiff read it from a header: without the line's CR or
    the trailing blanks some tools leave, unquoted; None for /dev/null."""
    if value is None:
        return None
    value = value.rstrip("\r\n")
    value = value if value.startswith('"') and value.endswith('"') else value.rstrip()
    value = _unquote(value)
    return None if value == DEV_NULL else value


def _strip_prefix(old: str | None, new: str | None) -> tuple[str | None, str | None]:
    """Drop the leading a/ and b/ (one path component, as git apply and
    patch -p1 do). A patch made without prefixes (diff -u x.cpp.orig x.cpp)
    has names with no directory; those are kept as they are."""

    def strip(p: str | None) -> str | None:
        if p is None or "/" not in p or p.startswith("/"):
            return p  # an absolute name stays absolute, to be refused as such
        return p.split("/", 1)[1]

    names = [p for p in (old, new) if p is not None]
    if names and all("/" in p for p in names):
        return strip(old), strip(new)
    return old, new


class _Counted:
    """The patch's lines as unidiff reads them, counting how far it got
    (for error messages that name the line)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.read = 0

    def __iter__(self):
        for line in self.lines:
            self.read += 1
            yield line


def _hunk_header_before(lines: list[str], n: int) -> str:
    for k in range(min(n, len(lines)) - 1, -1, -1):
        m = _HUNK.match(lines[k])
        if m:
            return m.group(0)
    return ""


def _parse_error(exc: UnidiffParseError, source: _Counted) -> PatchError:
    """unidiff's message, made to name the hunk and say what to do."""
    why = str(exc)
    hunk = _hunk_header_before(source.lines, source.read)
    if why.startswith("Hunk is shorter") and source.read >= len(source.lines):
        return PatchError(f"hunk {hunk} ends early: the patch is truncated")
    if why.startswith(("Hunk is shorter", "Hunk is longer")):
        more = "more" if "longer" in why else "fewer"
        return PatchError(f"hunk {hunk} has {more} lines than its header says{_EDITED}")
    if why.startswith("Hunk diff line expected"):
        bad = source.lines[source.read - 1].rstrip("\r\n")[:40]
        return PatchError(f"hunk {hunk}: unexpected line {bad!r} (expected ' ', '-' or '+')")
    return PatchError(f"malformed patch at line {source.read}: {why}")


_EDITED = " (was the patch edited by hand? fix the counts in its @@ line)"


def read_patch(text: str) -> list[Section]:
    """The patch cut into file sections by unidiff, each hunk's lines kept
    byte for byte (split on LF only, so CR, form feeds and the other
    characters str.splitlines would break at stay inside their line)."""
    lines = split_lines(text.removeprefix("\ufeff"))  # an editor's BOM before the first header
    source = _Counted(lines)
    try:
        files = unidiff.PatchSet(source)
    except UnidiffParseError as exc:
        raise _parse_error(exc, source) from None
    sections = [_section(number, f, lines) for number, f in enumerate(files, 1)]
    if not sections:
        raise PatchError("no file changes found in the patch (is it a unified diff?)")
    return sections


def _section(number: int, f: unidiff.PatchedFile, lines: list[str]) -> Section:
    old, new = _strip_prefix(_file_name(f.source_file), _file_name(f.target_file))
    hunks = tuple(_hunk(h, lines, new or old) for h in f)
    git = f.diff_line_no is not None and lines[f.diff_line_no - 1].startswith("diff --git ")
    if not hunks and not f.is_binary_file and not git:
        raise PatchError(f"file {new or old}: no hunks after its ---/+++ lines")
    modes = (f.source_mode, f.target_mode)
    return Section(
        number,
        old,
        new,
        hunks,
        new_mode=int(f.target_mode, 8) if f.target_mode and old is None else None,
        binary=f.is_binary_file,
        rename=old is not None and new is not None and old != new,
        mode_change=None not in modes and modes[0] != modes[1],
        symlink=f.is_symlink or f.is_submodule,
    )


def _hunk(h: unidiff.Hunk, lines: list[str], name: str | None) -> Hunk:
    old: list[str] = []
    new: list[str] = []
    endings: set[str] = set()
    last: list[list[str]] = []  # the lists the previous line went to (for "\ No newline")
    for line in h:
        kind, text = line.line_type, line.value
        if kind == LINE_TYPE_NO_NEWLINE:
            for target in last:
                target[-1] = target[-1].removesuffix("\n")
            last = []
            continue
        if kind not in (" ", "-", "+"):
            continue  # unidiff's record of a blank line after the hunk
        if text.endswith("\n"):
            endings.add("\r\n" if text.endswith("\r\n") else "\n")
        last = [old, new] if kind == " " else [old] if kind == "-" else [new]
        for target in last:
            target.append(text)
    numbers = [l.diff_line_no for l in h if l.diff_line_no]
    match = _HUNK.match(lines[numbers[0] - 2]) if numbers and numbers[0] >= 2 else None
    header = match.group(0) if match else f"@@ -{h.source_start},{h.source_length} +{h.target_start},{h.target_length} @@"
    if numbers and _followed_by_hunk_lines(lines, numbers[-1]):
        raise PatchError(f"file {name}: hunk {header} has more lines than its header says{_EDITED}")
    return Hunk(
        header=header,
        old_start=h.source_start,
        old_count=h.source_length,
        new_start=h.target_start,
        new_count=h.target_length,
        old=tuple(old),
        new=tuple(new),
        body_endings=frozenset(endings),
    )


def _followed_by_hunk_lines(lines: list[str], end: int) -> bool:
    """unidiff stops a hunk at the counts in its header and reads whatever
    follows as commentary; a '+', '-' or ' ' line right after a hunk (line
    index `end`, past any "\\ No newline" marker) means the counts are
    wrong (a hand edit), and guessing would change the file in a way nobody
    reviewed."""
    while end < len(lines) and lines[end].startswith(NO_NEWLINE_MARK):
        end += 1
    return end < len(lines) and _looks_like_hunk_line(lines, end)


def _looks_like_hunk_line(lines: list[str], i: int) -> bool:
    line = lines[i]
    if line in ("-- \n", "-- \r\n"):
        return False  # the signature separator of `git format-patch`
    if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
        return False  # the next file's header
    return line[:1] in ("+", "-", " ")


# -- checking hunks against the files ----------------------------------------


def _inside(tree: Path, name: str) -> tuple[Path | None, str]:
    """The file a patch name means, or the reason it is refused."""
    if not name:
        return None, "empty path"
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return None, f"{name}: absolute path outside the current tree; refused"
    if "\0" in name:
        return None, f"{name!r}: a NUL byte in the path; refused"
    parts = re.split(r"[/\\]", name)
    if ".." in parts:
        return None, f"{name}: path goes up out of the current tree ('..'); refused"
    if any(p.lower() == ".git" for p in parts):
        # git's own files (hooks, config) are not source; git apply refuses them too.
        return None, f"{name}: path inside a .git directory; refused"
    path = tree / name
    try:
        real = path.resolve()
    except (OSError, RuntimeError) as exc:
        return None, f"{name}: cannot resolve the path ({exc}); refused"
    root = tree.resolve()
    if real != root and root not in real.parents:
        return None, f"{name}: a symlink on the path leads outside the current tree (to {real}); refused"
    return real, ""


def _line_ending(lines: Sequence[str]) -> str | None:
    """'\\r\\n' or '\\n' when every ended line uses it, else None."""
    ends = {("\r\n" if l.endswith("\r\n") else "\n") for l in lines if l.endswith("\n")}
    return ends.pop() if len(ends) == 1 else None


def _with_ending(line: str, ending: str) -> str:
    if not line.endswith("\n"):
        return line
    return line.removesuffix("\n").removesuffix("\r") + ending


def _find(lines: list[str], want: tuple[str, ...], stated: int, lowest: int) -> int | None:
    """Where `want` sits in `lines`: at `stated` or the nearest offset within
    MAX_OFFSET, never before `lowest` (the end of the previous hunk)."""
    n = len(want)

    def at(p: int) -> bool:
        return lowest <= p and p + n <= len(lines) and tuple(lines[p : p + n]) == want

    if at(stated):
        return stated
    if not want:
        return None  # a pure insertion has nothing to search by
    for d in range(1, MAX_OFFSET + 1):
        for p in (stated + d, stated - d):
            if at(p):
                return p
    return None


def _first_difference(lines: list[str], want: tuple[str, ...], stated: int) -> str:
    for k, w in enumerate(want):
        got = lines[stated + k] if 0 <= stated + k < len(lines) else None
        if got != w:
            if got is None:
                return f"the file ends before line {stated + k + 1}"
            if got.rstrip("\r\n") == w.rstrip("\r\n"):
                return f"line {stated + k + 1} differs in its line ending"
            return f"line {stated + k + 1} differs"
    return "the hunk overlaps the previous one"


def _apply_hunks(lines: list[str], hunks: Sequence[Hunk], ending: str | None) -> tuple[list[str] | None, str, list[str]]:
    """The new lines, or None with the reason naming the failing hunk."""
    out: list[str] = []
    pos = 0
    delta = 0  # how far the previous hunks were found from their stated lines
    notes = []
    for number, h in enumerate(hunks, 1):
        old = tuple(_with_ending(l, ending) for l in h.old) if ending else h.old
        new = [_with_ending(l, ending) for l in h.new] if ending else list(h.new)
        # "-5,0" names the line after which to insert; otherwise the first line.
        stated = (h.old_start if h.old_count == 0 else h.old_start - 1) + delta
        at = _find(lines, old, stated, pos)
        if at is None:
            why = _first_difference(lines, old, stated)
            return None, f"hunk #{number} {h.header} does not match the file ({why})", notes
        if at != stated:
            notes.append(f"hunk #{number} {h.header} applied at line {at + 1} (offset {at - stated + delta:+d} lines)")
        delta = at - (stated - delta)
        out += lines[pos:at]
        out += new
        pos = at + len(old)
    out += lines[pos:]
    return out, "", notes


def check_section_text(lines: list[str], section: Section) -> tuple[list[str] | None, str, list[str]]:
    """Exact first; when that fails only because an editor converted the
    patch's line endings (the patch body uses one ending throughout, the file
    another throughout), again with the file's ending."""
    new, why, notes = _apply_hunks(lines, section.hunks, None)
    if new is not None:
        return new, why, notes
    file_ending = _line_ending(lines)
    patch_endings = frozenset().union(*(h.body_endings for h in section.hunks))
    if file_ending is not None and len(patch_endings) == 1 and file_ending not in patch_endings:
        converted, _, notes = _apply_hunks(lines, section.hunks, file_ending)
        if converted is not None:
            names = {"\n": "LF", "\r\n": "CRLF"}
            notes.append(
                f"the patch's lines end in {names[next(iter(patch_endings))]} but the file uses "
                f"{names[file_ending]} (an editor converted the patch?); applied keeping {names[file_ending]}"
            )
            return converted, "", notes
    reverse = [replace(h, old=h.new, new=h.old, old_start=h.new_start, old_count=h.new_count) for h in section.hunks]
    if _apply_hunks(lines, reverse, None)[0] is not None:
        why += "; the patch looks already applied"
    return None, why, notes


def _unsupported(s: Section) -> str:
    name = s.name
    if s.binary:
        return f"{name}: binary patch; qtfix applies text patches only"
    if s.symlink:
        return f"{name}: the patch makes or changes a symbolic link or submodule (mode 120000/160000); not supported, apply this part with git apply"
    if s.rename:
        return f"{name}: renames and copies are not supported; apply this part with git apply"
    if s.mode_change:
        return f"{name}: the patch changes the file's mode; not supported, apply this part with git apply"
    return ""


def _through_link(tree: Path, name: str) -> bool:
    """Whether a symbolic link inside the tree is on the way to `name`."""
    return os.path.realpath(tree / name) != os.path.join(os.path.realpath(tree), os.path.normpath(name))


class _Planner:
    """The files of a patch, checked section by section against the tree.
    Keyed by the real file, so two names for one file apply in turn."""

    def __init__(self, tree: Path, allow_create: bool, allow_delete: bool) -> None:
        self.tree, self.allow_create, self.allow_delete = tree, allow_create, allow_delete
        self.outcomes: dict[Path | str, FileOutcome] = {}

    def refuse(self, key: Path | str, name: str, why: str) -> None:
        self.outcomes[key] = FileOutcome(name, refused=why)

    def add(self, s: Section) -> None:
        path, why = _inside(self.tree, s.name)
        key = path or s.name
        prior = self.outcomes.get(key)
        if prior is not None and not prior.ok:
            return  # one refused section refuses the whole file
        why = _unsupported(s) or why or self._not_allowed(s, prior)
        if not why:
            assert path is not None
            why = self._apply(s, path, prior)
        if why:
            self.refuse(key, s.name, why)

    def _not_allowed(self, s: Section, prior: FileOutcome | None) -> str:
        name = s.name
        if s.creates and not self.allow_create:
            return f"{name}: the patch creates this file; pass --allow-create to allow it"
        if s.creates and prior is None and os.path.lexists(self.tree / name):
            return f"{name}: the patch creates this file but it already exists; refused"
        if s.deletes and not self.allow_delete:
            return f"{name}: the patch deletes this file; pass --allow-delete to allow it"
        if (s.creates or s.deletes) and _through_link(self.tree, name):
            what = "creates" if s.creates else "deletes"
            return f"{name}: the patch {what} this file through a symbolic link; refused (qtfix never creates or deletes through a link)"
        if prior is not None and prior.new is None:
            return f"{name}: the patch changes the file after deleting it; refused"
        return ""

    def _base(self, s: Section, path: Path, prior: FileOutcome | None) -> tuple[bytes | None, bytes, str]:
        """(the file's bytes on disk, the bytes this section applies to, why not)."""
        if prior is not None:
            return prior.old, prior.new or b"", ""
        if s.creates:
            return None, b"", ""
        if not path.is_file():
            return None, b"", f"{s.name}: no such file in the current tree; refused"
        try:
            data = read_source(path)
        except OSError as exc:
            return None, b"", f"{s.name}: cannot read: {exc.strerror}; refused"
        except ValueError as exc:
            return None, b"", f"{s.name}: {exc}; refused"
        return data, data, ""

    def _apply(self, s: Section, path: Path, prior: FileOutcome | None) -> str:
        name = s.name
        original, current, why = self._base(s, path, prior)
        if why:
            return why
        new_lines, why, notes = check_section_text(split_lines(to_text(current)), s)
        if new_lines is None:
            return f"{name}: {why}; file not changed"
        new = to_bytes("".join(new_lines))
        if s.deletes and new:
            return f"{name}: the patch deletes this file but does not remove all of its lines; refused"
        self.outcomes[path] = FileOutcome(
            prior.name if prior else name,
            path,
            original,
            None if s.deletes else new,
            (prior.hunks if prior else 0) + len(s.hunks),
            notes=(prior.notes if prior else ()) + tuple(f"{name}: {n}" for n in notes),
            mode=s.new_mode if s.creates else (prior.mode if prior else None),
        )
        return ""


def plan_patch(
    patch_text: str,
    tree: Path | None = None,
    allow_create: bool = False,
    allow_delete: bool = False,
) -> list[FileOutcome]:
    """Check every file of the patch against the tree; nothing is written."""
    planner = _Planner(tree or Path.cwd(), allow_create, allow_delete)
    for section in read_patch(patch_text):
        planner.add(section)
    return list(planner.outcomes.values())


# -- writing -----------------------------------------------------------------


def write_outcome(o: FileOutcome) -> None:
    assert o.ok and o.path is not None
    if o.old is None:
        create_file(o.path, o.new or b"", o.mode)
    elif o.new is None:
        delete_file(o.path, o.old)
    elif o.new != o.old:
        write_atomically(o.path, o.old, o.new)


def apply_patch(
    patch_text: str,
    tree: Path | None = None,
    check: bool = False,
    allow_create: bool = False,
    allow_delete: bool = False,
) -> Result:
    """Check every file, then write those that apply (unless `check`)."""
    outcomes = plan_patch(patch_text, tree, allow_create, allow_delete)
    if check:
        return Result(tuple(outcomes))
    written, errors = [], []
    for o in outcomes:
        if not o.ok:
            continue
        try:
            write_outcome(o)
        except WriteError as exc:
            errors.append(str(exc))
            continue
        except OSError as exc:
            errors.append(f"{o.name}: cannot write: {exc.strerror}; not changed")
            continue
        written.append(o.path)
    return Result(tuple(outcomes), tuple(written), tuple(errors))


def read_patch_file(source: str) -> str:
    """The patch text from a file (or '-' for stdin). Bytes that are not
    UTF-8 (the lines of a Latin-1 source) are kept as fileio.to_text keeps
    them, so they match the file's bytes and are written back as they were."""
    import sys

    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise PatchError(f"{source}: cannot read the patch: {exc.strerror}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PatchError(f"{source}: the patch is UTF-16 text; save it as UTF-8 or 8-bit text")
    return to_text(data)


def run_apply_patch(source: str, check: bool, allow_create: bool, allow_delete: bool, out, err) -> int:
    """The front end: messages, one line each, and the exit code (0 all
    applied, 1 something refused or not written, 2 the patch is unusable)."""
    try:
        result = apply_patch(read_patch_file(source), check=check, allow_create=allow_create, allow_delete=allow_delete)
    except PatchError as exc:
        err.write(f"qtfix: error: {exc}\n")
        return 2
    for o in result.outcomes:
        for note in o.notes:
            err.write(f"note: {note}\n")
        if not o.ok:
            err.write(f"qtfix: refused {o.refused}\n")
            continue
        what = "created" if o.old is None else "deleted" if o.new is None else "patched"
        if check:
            out.write(f"would apply {o.name}: {what} ({o.hunks} hunk(s))\n")
        elif o.path in result.written:
            out.write(f"{what} {o.name} ({o.hunks} hunk(s))\n")
    for e in result.write_errors:
        err.write(f"qtfix: error: {e}\n")
    return 1 if result.refused or result.write_errors else 0
