"""Applying a saved, reviewed patch: `qtfix apply --patch FILE`.

Every hunk is checked against the current file before anything is written:
context and removed lines must match exactly (byte for byte, line endings
included) at the stated line, or at the nearest line within MAX_OFFSET lines
(as `patch` searches when lines were added above); there is no fuzz. A file
with a hunk that does not match is refused whole and left as it is; the
other files still apply. Paths outside the current directory, binary
patches, and (unless allowed) file creation and deletion are refused.

whatthepatch parses the hunks of each file section, but on this machine
(whatthepatch 1.0.x) it cannot be trusted with the bytes: it splits lines
with str.splitlines (dropping the CR of CRLF lines and breaking lines at
form feeds), drops the "\\ No newline at end of file" markers, and without
`diff --git`/`Index:` lines (qtfix's own patches have none) it merges every
file of the patch into the first. So the patch is cut into file sections and
its lines are read here, splitting on LF only and keeping each line's ending;
whatthepatch reads each section independently (with line-break characters
masked so it sees whole lines), and a section whose added and removed lines
the two readings disagree on is refused as malformed rather than guessed at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import whatthepatch

from .fileio import WriteError, create_file, delete_file, read_source, split_lines, write_atomically

MAX_OFFSET = 100  # lines a hunk may have moved since the patch was made
NO_NEWLINE_MARK = "\\"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_GIT_HEADER = re.compile(r"^diff --git ")
_BINARY = re.compile(r"^(GIT binary patch|Binary files .* differ)$")
_PLAIN_BINARY = re.compile(r"^Binary files (.+) and (.+) differ$")
# str.splitlines breaks at all of these; masked before whatthepatch sees a line.
_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_MASK = {ord(c): 0xF0000 + ord(c) for c in _LINE_BREAKS}
_UNMASK = {v: k for k, v in _MASK.items()}


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
    # (kind, text without its ending) of every '-' and '+' line, in order
    changed: tuple[tuple[str, str], ...]
    body_endings: frozenset[str]  # "\n" and/or "\r\n" as the patch spells them


@dataclass(frozen=True)
class Section:
    """The part of the patch about one file."""

    number: int  # 1-based, for messages
    old_path: str | None  # None: /dev/null (a created file)
    new_path: str | None  # None: /dev/null (a deleted file)
    hunks: tuple[Hunk, ...]
    text: str  # the section as written, for whatthepatch
    git_new: bool = False
    git_deleted: bool = False
    new_mode: int | None = None
    binary: bool = False
    rename: bool = False
    mode_change: bool = False

    @property
    def name(self) -> str:
        return self.new_path if self.new_path is not None else (self.old_path or "?")

    @property
    def creates(self) -> bool:
        return self.old_path is None or self.git_new

    @property
    def deletes(self) -> bool:
        return self.new_path is None or self.git_deleted


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


def _bare(line: str) -> str:
    """A header line without its ending (LF or CRLF: an editor may have
    converted the whole patch)."""
    return line.rstrip("\n").removesuffix("\r")


def _unquote(path: str) -> str:
    """A path as git writes it: C-quoted when it holds special characters."""
    if not (len(path) >= 2 and path.startswith('"') and path.endswith('"')):
        return path
    raw = path[1:-1].encode("utf-8")
    out = bytearray()
    i = 0
    simple = {ord("n"): b"\n", ord("t"): b"\t", ord('"'): b'"', ord("\\"): b"\\", ord("a"): b"\a", ord("b"): b"\b",
              ord("f"): b"\f", ord("r"): b"\r", ord("v"): b"\v"}
    while i < len(raw):
        c = raw[i]
        if c == ord("\\") and i + 1 < len(raw):
            n = raw[i + 1]
            if n in simple:
                out += simple[n]
                i += 2
                continue
            if re.fullmatch(rb"[0-3][0-7]{2}", raw[i + 1 : i + 4]):
                out.append(int(raw[i + 1 : i + 4], 8))
                i += 4
                continue
        out.append(c)
        i += 1
    return out.decode("utf-8", errors="surrogateescape")


def _header_path(line: str) -> str | None:
    """The path of a ---/+++ line; None for /dev/null. Drops a timestamp
    (diff -u writes one after a tab)."""
    value = _bare(line)[4:]
    if not value.startswith('"'):
        value = value.split("\t", 1)[0]
    value = _unquote(value.rstrip() if not value.startswith('"') else value)
    return None if value == "/dev/null" else value


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


def _read_hunk(lines: list[str], i: int, header: str) -> tuple[Hunk, int]:
    m = _HUNK.match(_bare(header))
    if m is None:
        raise PatchError(f"malformed hunk header {_bare(header)!r}")
    old_start, new_start = int(m.group(1)), int(m.group(3))
    old_count = int(m.group(2)) if m.group(2) is not None else 1
    new_count = int(m.group(4)) if m.group(4) is not None else 1
    old: list[str] = []
    new: list[str] = []
    changed: list[tuple[str, str]] = []
    endings: set[str] = set()
    last: list[list[str]] = []  # the lists the previous line went to (for "\ No newline")
    while len(old) < old_count or len(new) < new_count or (i < len(lines) and lines[i].startswith(NO_NEWLINE_MARK)):
        if i >= len(lines):
            raise PatchError(f"hunk {m.group(0)} ends early: the patch is truncated")
        line = lines[i]
        i += 1
        if line.startswith(NO_NEWLINE_MARK):
            if not last:
                raise PatchError(f"hunk {m.group(0)}: '\\ No newline' marker with no line before it")
            for target in last:
                target[-1] = target[-1].removesuffix("\n")
            last = []
            continue
        kind, text = line[:1], line[1:]
        if line in ("\n", "\r\n"):
            # A blank context line whose leading space an editor trimmed.
            kind, text = " ", line
        if text.endswith("\n"):
            endings.add("\r\n" if text.endswith("\r\n") else "\n")
        if kind == " ":
            old.append(text)
            new.append(text)
            last = [old, new]
        elif kind == "-":
            old.append(text)
            changed.append(("-", text))
            last = [old]
        elif kind == "+":
            new.append(text)
            changed.append(("+", text))
            last = [new]
        else:
            raise PatchError(f"hunk {m.group(0)}: unexpected line {_bare(line)[:40]!r} (expected ' ', '-' or '+')")
        if len(old) > old_count or len(new) > new_count:
            raise PatchError(f"hunk {m.group(0)} has more lines than its header says")
    hunk = Hunk(
        header=m.group(0),
        old_start=old_start,
        old_count=old_count,
        new_start=new_start,
        new_count=new_count,
        old=tuple(old),
        new=tuple(new),
        changed=tuple((k, t.rstrip("\n").removesuffix("\r")) for k, t in changed),
        body_endings=frozenset(endings),
    )
    return hunk, i


def read_patch(text: str) -> list[Section]:
    """The patch cut into file sections, each with its hunks read exactly."""
    text = text.removeprefix("\ufeff")  # an editor's BOM before the first header
    lines = split_lines(text)
    sections: list[Section] = []
    i = 0
    pending: list[str] = []  # git extended header lines of the coming section
    start = 0
    while i < len(lines):
        line = lines[i]
        if _GIT_HEADER.match(line):
            if pending:
                sections.append(_git_only_section(len(sections) + 1, pending))
            pending, start = [line], i
            i += 1
            continue
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            old, new = _strip_prefix(_header_path(line), _header_path(lines[i + 1]))
            if not pending:
                start = i
            git = [_bare(p) for p in pending]
            i += 2
            hunks = []
            while i < len(lines) and lines[i].startswith("@@ "):
                hunk, i = _read_hunk(lines, i + 1, lines[i])
                hunks.append(hunk)
            if i < len(lines) and _looks_like_hunk_line(lines, i):
                raise PatchError(
                    f"file {new or old}: hunk {hunks[-1].header if hunks else ''} has more lines than its header says"
                    " (was the patch edited by hand? fix the counts in its @@ line)"
                )
            if not hunks:
                raise PatchError(f"file {new or old}: no hunks after its ---/+++ lines")
            sections.append(_section(len(sections) + 1, old, new, hunks, "".join(lines[start:i]), git))
            pending = []
            continue
        binary = _PLAIN_BINARY.match(_bare(line))
        if binary and not pending:
            old, new = _strip_prefix(binary.group(1), binary.group(2))
            sections.append(Section(len(sections) + 1, old, new, (), line, binary=True))
            i += 1
            continue
        if pending:
            pending.append(line)
        # Anything else between sections (a commit message, `index` lines
        # of plain diffs) is ignored, as git apply and patch do.
        i += 1
    if pending:
        sections.append(_git_only_section(len(sections) + 1, pending))
    if not sections:
        raise PatchError("no file changes found in the patch (is it a unified diff?)")
    return sections


def _looks_like_hunk_line(lines: list[str], i: int) -> bool:
    line = lines[i]
    if line in ("-- \n", "-- \r\n"):
        return False  # the signature separator of `git format-patch`
    if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
        return False  # the next file's header
    return line[:1] in ("+", "-", " ")


def _git_paths(header: str) -> tuple[str | None, str | None]:
    rest = _bare(header)[len("diff --git ") :]
    m = re.fullmatch(r'("(?:[^"\\]|\\.)*"|a/.*?) ("(?:[^"\\]|\\.)*"|b/.*)', rest)
    if m is None:
        return None, None
    return _strip_prefix(_unquote(m.group(1)), _unquote(m.group(2)))


def _git_flags(git: list[str]) -> dict:
    flags: dict = {}
    for line in git:
        if line.startswith("new file mode "):
            flags["git_new"] = True
            flags["new_mode"] = int(line.split()[-1], 8)
        elif line.startswith("deleted file mode "):
            flags["git_deleted"] = True
        elif line.startswith(("rename from ", "rename to ", "copy from ", "copy to ")):
            flags["rename"] = True
        elif line.startswith(("old mode ", "new mode ")):
            flags["mode_change"] = True
        elif _BINARY.match(line):
            flags["binary"] = True
    return flags


def _section(number, old, new, hunks, text, git) -> Section:
    return Section(number, old, new, tuple(hunks), text, **_git_flags(git))


def _git_only_section(number: int, pending: list[str]) -> Section:
    """A `diff --git` section without ---/+++ lines: binary, a rename, a mode
    change, or an empty file created or deleted."""
    old, new = _git_paths(pending[0])
    git = [_bare(p) for p in pending]
    flags = _git_flags(git)
    if flags.get("git_new"):
        old = None
    if flags.get("git_deleted"):
        new = None
    return Section(number, old, new, (), "".join(pending), **flags)


def _whatthepatch_changes(section: Section) -> list[tuple[str, str]] | None:
    """The '-' and '+' lines as whatthepatch reads the section, or None when
    it reads nothing."""
    masked = "\n".join(line.translate(_MASK) for line in section.text.split("\n"))
    diffs = list(whatthepatch.parse_patch(masked))
    if len(diffs) != 1 or not diffs[0].changes:
        return None
    out = []
    for c in diffs[0].changes:
        if c.old is not None and c.new is not None:
            continue
        text = c.line.translate(_UNMASK).removesuffix("\r")
        out.append(("-" if c.new is None else "+", text))
    return out


def cross_check(section: Section) -> str:
    """Why the two readings of the section disagree, or ''."""
    if not section.hunks:
        return ""
    ours = [c for h in section.hunks for c in h.changed]
    theirs = _whatthepatch_changes(section)
    if theirs is None:
        return "whatthepatch finds no changes in it"
    if ours != theirs:
        first = next((k for k, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
        return f"whatthepatch reads its changed line #{first + 1} differently"
    return ""


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


def plan_patch(
    patch_text: str,
    tree: Path | None = None,
    allow_create: bool = False,
    allow_delete: bool = False,
) -> list[FileOutcome]:
    """Check every file of the patch against the tree; nothing is written."""
    tree = tree or Path.cwd()
    sections = read_patch(patch_text)
    outcomes: dict[str, FileOutcome] = {}
    order: list[str] = []

    def refuse(name: str, why: str) -> None:
        if name not in outcomes:
            order.append(name)
        outcomes[name] = FileOutcome(name, refused=why)

    for s in sections:
        name = s.name
        prior = outcomes.get(name)
        if prior is not None and not prior.ok:
            continue  # one refused section refuses the whole file
        if s.binary:
            refuse(name, f"{name}: binary patch; qtfix applies text patches only")
            continue
        if s.rename or (s.old_path is not None and s.new_path is not None and s.old_path != s.new_path):
            refuse(name, f"{name}: renames and copies are not supported; apply this part with git apply")
            continue
        if s.mode_change:
            refuse(name, f"{name}: the patch changes the file's mode; not supported, apply this part with git apply")
            continue
        path, why = _inside(tree, name)
        if path is None:
            refuse(name, why)
            continue
        disagreement = cross_check(s)
        if disagreement:
            refuse(name, f"{name}: malformed patch section #{s.number} ({disagreement}); refused")
            continue
        if s.creates:
            if not allow_create:
                refuse(name, f"{name}: the patch creates this file; pass --allow-create to allow it")
                continue
            if prior is None and (path.exists() or path.is_symlink()):
                refuse(name, f"{name}: the patch creates this file but it already exists; refused")
                continue
        if s.deletes and not allow_delete:
            refuse(name, f"{name}: the patch deletes this file; pass --allow-delete to allow it")
            continue
        if prior is not None:
            if prior.new is None:
                refuse(name, f"{name}: the patch changes the file after deleting it; refused")
                continue
            original, current = prior.old, prior.new
        elif s.creates:
            original, current = None, b""
        else:
            if not path.is_file():
                refuse(name, f"{name}: no such file in the current tree; refused")
                continue
            try:
                original = current = read_source(path)
            except OSError as exc:
                refuse(name, f"{name}: cannot read: {exc.strerror}; refused")
                continue
            except ValueError as exc:
                refuse(name, f"{name}: {exc}; refused")
                continue
        lines = split_lines(current.decode("utf-8"))
        new_lines, why, notes = check_section_text(lines, s)
        if new_lines is None:
            refuse(name, f"{name}: {why}; file not changed")
            continue
        new = "".join(new_lines).encode("utf-8")
        if s.deletes:
            if new:
                refuse(name, f"{name}: the patch deletes this file but does not remove all of its lines; refused")
                continue
            new_value = None
        else:
            new_value = new
        if prior is None:
            order.append(name)
        outcomes[name] = FileOutcome(
            name,
            path,
            original,
            new_value,
            (prior.hunks if prior else 0) + len(s.hunks),
            notes=(prior.notes if prior else ()) + tuple(f"{name}: {n}" for n in notes),
            mode=s.new_mode if s.creates else None,
        )
    return [outcomes[n] for n in order]


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
    """The patch text from a file (or '-' for stdin), as UTF-8."""
    import sys

    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise PatchError(f"{source}: cannot read the patch: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PatchError(f"{source}: the patch is not UTF-8 (invalid byte at offset {exc.start})") from None


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
