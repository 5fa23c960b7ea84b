"""Fix-by-fix review before writing: `qtfix apply --interactive`.

Two halves, as in Fixit. `review()` is the engine: a generator that yields
each fix as a `Proposal`, receives the user's `Decision` back through
`send()`, and yields a `FileDone` carrying the bytes to write once every fix
of a file is answered. It does no I/O. `run_review()` is the terminal front
end: it renders each proposal, reads the answers (from the terminal or from
an --answers file), and writes each file once, with fileio.write_atomically,
only after the whole file is answered, so an interrupted review never leaves
a file half-updated.

A Fix is all-or-nothing by design (its edits only compile together: a
renamed call without its helper function would not), so unlike `git add -p`
a fix can never be split; `s` explains that instead.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import IO, Union

from .codemod import discover
from .edits import Edit, Finding, Fix, apply_edits
from .patch import colorize, display_path, file_diff
from .fileio import WriteError, read_source, write_atomically
from .results import FileResult, Status, fixable
from .suppress import explain as suppression_doc

# -- the engine: no I/O ------------------------------------------------------


class Decision(str, Enum):
    APPLY = "y"
    SKIP = "n"
    APPLY_REST = "a"  # this fix and every remaining fix of the file
    SKIP_REST = "d"  # neither this fix nor any remaining fix of the file
    QUIT = "q"  # stop; the current file keeps what was accepted in it


@dataclass(frozen=True)
class FileFixes:
    """The fixes offered for one file, in report order. One fix may resolve
    several findings (QF104 rewrites every use of one name at once)."""

    path: Path
    fixes: tuple[tuple[Fix, tuple[Finding, ...]], ...]


@dataclass(frozen=True)
class Change:
    """One file's bytes before and after something is applied."""

    path: Path
    old: bytes
    new: bytes


@dataclass(frozen=True)
class Proposal:
    """A fix waiting for a decision. `changes` shows what accepting it adds:
    its edits that no accepted fix makes yet, on the analysed bytes."""

    path: Path
    fix: Fix
    findings: tuple[Finding, ...]
    number: int  # 1-based position among the fixes of this file
    total: int
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Withdrawn:
    """A fix not offered because it overlaps a fix already accepted."""

    path: Path
    fix: Fix
    findings: tuple[Finding, ...]
    clash: tuple[Finding, ...]  # the findings of the accepted fix it overlaps


@dataclass(frozen=True)
class FileDone:
    """Every fix of the file is answered (or the user quit inside it):
    `writes` is what to write now, each from the bytes the file holds if
    every earlier write succeeded."""

    path: Path
    writes: tuple[Change, ...]
    accepted: tuple[Fix, ...]
    findings: tuple[Finding, ...]  # the findings the accepted fixes resolve
    skipped: int
    withdrawn: int
    quit: bool = False


Event = Union[Proposal, Withdrawn, FileDone]


def fixes_by_file(results: Iterable[FileResult], unsafe: bool = False) -> list[FileFixes]:
    """The fixes to review, file by file in the order analysed, each fix once."""
    out = []
    for r in results:
        if r.status is not Status.CHECKED:
            continue
        grouped: dict[Fix, list[Finding]] = {}
        for f in fixable(r.findings, unsafe):
            grouped.setdefault(f.fix, []).append(f)
        if grouped:
            out.append(FileFixes(r.path, tuple((fix, tuple(fs)) for fix, fs in grouped.items())))
    return out


def paths_touched(items: Iterable[FileFixes]) -> set[Path]:
    return {e.path for item in items for fix, _ in item.fixes for e in fix.edits}


@dataclass
class _Answered:
    """What the user said about one file's fixes."""

    mine: list[tuple[Fix, tuple[Finding, ...]]] = field(default_factory=list)
    skipped: int = 0
    withdrawn: int = 0
    quit: bool = False


class _Review:
    """The state of one review: the fixes accepted so far and what each
    path holds if every write so far succeeded."""

    def __init__(self, sources: Mapping[Path, bytes]) -> None:
        self.sources = sources
        self.accepted: list[tuple[Fix, tuple[Finding, ...]]] = []
        self.edits: dict[Path, list[Edit]] = {}
        self.on_disk: dict[Path, bytes] = dict(sources)

    def changes_of(self, fix: Fix) -> tuple[Change, ...]:
        # Against the analysed file, as `git add -p` shows hunks against the
        # index: line numbers agree with the findings' locations. Edits some
        # accepted fix already makes (a shared helper) are not shown again.
        out = []
        for path in sorted({e.path for e in fix.edits}, key=str):
            done = set(self.edits.get(path, ()))
            new = [e for e in fix.edits if e.path == path and e not in done]
            before = self.sources[path]
            after = apply_edits(before, new)
            if before != after:
                out.append(Change(path, before, after))
        return tuple(out)

    def accept(self, fix: Fix, findings: tuple[Finding, ...], answered: _Answered) -> None:
        self.accepted.append((fix, findings))
        answered.mine.append((fix, findings))
        for e in fix.edits:
            self.edits.setdefault(e.path, []).append(e)

    def ask(self, item: FileFixes) -> Generator[Event, Decision | None, _Answered]:
        answered = _Answered()
        rest: Decision | None = None
        for number, (fix, findings) in enumerate(item.fixes, 1):
            clash = next((fs for a, fs in self.accepted if a.conflicts_with(fix)), None)
            if clash is not None:
                answered.withdrawn += 1
                yield Withdrawn(item.path, fix, findings, clash)
                continue
            changes = self.changes_of(fix)
            if not changes:
                # Everything it does is already accepted (the same helper
                # and include from another fix): nothing left to ask about.
                self.accept(fix, findings, answered)
                continue
            decision = rest
            if decision is None:
                decision = yield Proposal(item.path, fix, findings, number, len(item.fixes), changes)
                if not isinstance(decision, Decision):
                    raise TypeError(f"send a Decision after a Proposal, not {decision!r}")
            if decision in (Decision.APPLY, Decision.APPLY_REST):
                self.accept(fix, findings, answered)
            else:
                answered.skipped += 1
            if decision in (Decision.APPLY_REST, Decision.SKIP_REST):
                rest = decision
            if decision is Decision.QUIT:
                answered.quit = True
                break
        return answered

    def done(self, item: FileFixes, answered: _Answered) -> FileDone:
        writes = []
        for path in sorted({e.path for fix, _ in answered.mine for e in fix.edits}, key=str):
            new = apply_edits(self.sources[path], self.edits.get(path, ()))
            if new != self.on_disk[path]:
                writes.append(Change(path, self.on_disk[path], new))
                self.on_disk[path] = new
        return FileDone(
            item.path,
            tuple(writes),
            tuple(fix for fix, _ in answered.mine),
            tuple(f for _, fs in answered.mine for f in fs),
            answered.skipped,
            answered.withdrawn,
            answered.quit,
        )


def review(items: Sequence[FileFixes], sources: Mapping[Path, bytes]) -> Generator[Event, Decision | None, None]:
    """Yield each fix for a decision; yield FileDone when a file is answered.

    `sources` holds the analysed bytes of every path the fixes edit. Send a
    Decision after a Proposal; anything (None) after the other events.
    """
    state = _Review(sources)
    for item in items:
        answered = yield from state.ask(item)
        yield state.done(item, answered)
        if answered.quit:
            return


def why_not_split(proposal: Proposal) -> str:
    """Why `s` cannot split this fix (a Fix is applied all or none, always)."""
    hunks = sum(hunk_count(c) for c in proposal.changes)
    if hunks <= 1:
        return "Sorry, cannot split this fix: it is a single hunk."
    return (
        f"Sorry, cannot split this fix: its {hunks} hunks are one fix, applied all or none "
        f"(the edits only make sense together, e.g. a call and the helper it now uses). "
        f"Answer y or n for the whole fix."
    )


def hunk_count(change: Change) -> int:
    return sum(1 for line in diff_text(change).splitlines() if line.startswith("@@ "))


def diff_text(change: Change, base: Path | None = None) -> str:
    """The hunks (no ---/+++ header) that turn change.old into change.new."""
    text = file_diff(display_path(change.path, base), change.old, change.new)
    return text.split("\n", 2)[2] if text else ""


# -- the terminal front end --------------------------------------------------

KEYS = "y,n,a,d,q,s,e,?"
HELP = """\
y - apply this fix
n - do not apply this fix
a - apply this fix and all remaining fixes in this file
d - do not apply this fix or any of the remaining fixes in this file
q - quit; do not apply this fix or any remaining one (fixes accepted so far are written)
s - split this fix into smaller ones (a fix is all-or-nothing, so this explains why not)
e - explain: show the codemod's documentation
? - print help
"""
ANSWERS_HELP = "one key per line, as typed at the prompt; '-' reads them from stdin"


class Interrupted(Exception):
    pass


class NotATerminal(Exception):
    """Interactive review asked for with no terminal and no --answers."""


class BadAnswers(EOFError):
    """The answers are not lines of text (not UTF-8, NUL bytes: a binary file
    or a device); the review stops there as at the end of the answers."""

    exit_code = 2


MAX_ANSWER = 4096  # characters of one answer line: a key, maybe with spaces


class Answers:
    """Where the keys come from: the terminal, or a file given with --answers
    (then each key is echoed after its prompt, so the transcript reads like a
    session)."""

    def __init__(self, stream: IO[str], echo: bool, close: bool = False) -> None:
        self._stream, self._echo, self._close = stream, echo, close

    @classmethod
    def open(cls, answers: str | None, stdin: IO[str] | None = None) -> Answers:
        stdin = stdin or sys.stdin
        if stdin is None and answers in (None, "-"):
            raise NotATerminal("--interactive needs a terminal or --answers, and stdin is closed")
        if answers is None:
            if not stdin.isatty():
                raise NotATerminal(
                    "--interactive needs a terminal on stdin (give the answers with --answers FILE, or '-' for stdin)"
                )
            return cls(stdin, echo=False)
        if answers == "-":
            return cls(stdin, echo=not stdin.isatty())
        try:
            return cls(open(answers, encoding="utf-8", newline=""), echo=True, close=True)
        except OSError as exc:
            raise NotATerminal(f"{answers}: cannot read the answers: {exc.strerror}") from None

    def read(self, out: IO[str]) -> str:
        try:
            line = self._stream.readline(MAX_ANSWER)
        except UnicodeDecodeError:
            raise BadAnswers("the answers are not UTF-8 text") from None
        if "\0" in line or (len(line) == MAX_ANSWER and not line.endswith("\n")):
            raise BadAnswers("the answers are not lines of text (NUL bytes or an endless line)")
        if not line:
            if self._echo:
                out.write("\n")
            raise EOFError
        key = line.strip()
        if self._echo:
            out.write(key + "\n")
        return key

    def close(self) -> None:
        if self._close:
            self._stream.close()


def _color(out: IO[str]) -> bool:
    return out.isatty() and "NO_COLOR" not in os.environ


def _paint(text: str, code: str, on: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if on else text


def render(p: Proposal, color: bool = False) -> str:
    first = p.findings[0]
    where = ", ".join(f"{display_path(f.path)}:{f.line}:{f.column}" for f in p.findings)
    messages = list(dict.fromkeys(f.message for f in p.findings))
    lines = [
        _paint(f"── {display_path(p.path)} ── fix {p.number} of {p.total} ──", "1", color),
        f"{_paint(first.code, '1', color)} {first.name} [{p.fix.safety.value}] at {where}",
        *messages,
        f"fix: {p.fix.title}",
    ]
    body = []
    for c in p.changes:
        if c.path != p.path or len(p.changes) > 1:
            body.append(_paint(f"in {display_path(c.path)}:", "1", color) + "\n")
        body.append(colorize(diff_text(c)) if color else diff_text(c))
    return "\n".join(lines) + "\n" + "".join(body)


def explain_text(code: str) -> str:
    cls = discover().get(code)
    if cls is None:
        return suppression_doc(code) or f"no documentation for {code}\n"
    return f"{cls.code} {cls.name} (fix: {cls.safety.value})\n\n{cls.documentation()}\n"


def _ask(p: Proposal, answers: Answers, out: IO[str]) -> Decision:
    prompt = f"({p.number}/{p.total}) Apply this fix to {display_path(p.path)} [{KEYS}]? "
    while True:
        out.write(_paint(prompt, "1;34", _color(out)))
        out.flush()
        key = answers.read(out)
        if key in {d.value for d in Decision}:
            return Decision(key)
        if key == "s":
            out.write(why_not_split(p) + "\n")
        elif key == "e":
            out.write(explain_text(p.findings[0].code))
        else:
            out.write(HELP)


@dataclass
class Tally:
    written: list[Path]
    failed: list[str]


def _write(done: FileDone, tally: Tally, out: IO[str], err: IO[str]) -> None:
    codes: dict[str, int] = {}
    for f in done.findings:
        codes[f.code] = codes.get(f.code, 0) + 1
    detail = ", ".join(f"{c} x{n}" for c, n in sorted(codes.items()))
    for w in done.writes:
        try:
            write_atomically(w.path, w.old, w.new)
        except WriteError as exc:
            tally.failed.append(str(exc))
            err.write(f"qtfix: error: {exc}\n")
            continue
        tally.written.append(w.path)
        out.write(f"fixed {display_path(w.path)} ({detail})\n")
    if not done.writes:
        out.write(f"{display_path(done.path)}: no fix applied\n")


def _sources(results: Sequence[FileResult], items: Sequence[FileFixes]) -> dict[Path, bytes]:
    """The analysed bytes of every file a fix edits (a header edited from a
    .cpp's translation unit is read here)."""
    sources = {r.path: r.source for r in results if r.source is not None}
    for path in paths_touched(items) - sources.keys():
        sources[path] = read_source(path)
    return sources


def _withdrawn_note(event: Withdrawn) -> str:
    f, c = event.findings[0], event.clash[0]
    return (
        f"note: {f.code} fix at {display_path(f.path)}:{f.line}:{f.column} withdrawn: it overlaps "
        f"the accepted {c.code} fix at {display_path(c.path)}:{c.line}:{c.column}\n"
    )


def run_review(
    results: Sequence[FileResult],
    unsafe: bool,
    answers: Answers,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """Review every fix, writing each file once it is answered; the exit code.

    0 done (or quit), 2 a write failed, 130 Ctrl-C, 1 the answers ran out
    (EOF). An interrupted file is left exactly as it was.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    items = fixes_by_file(results, unsafe)
    if not items:
        err.write("nothing to fix\n")
        return 0
    try:
        sources = _sources(results, items)
    except (OSError, ValueError) as exc:
        err.write(f"qtfix: error: cannot read a file a fix edits: {exc}\n")
        return 2
    color = _color(out)
    tally = Tally([], [])
    engine = review(items, sources)
    current: Path | None = None
    try:
        event = next(engine, None)
        while event is not None:
            reply: Decision | None = None
            if isinstance(event, Proposal):
                current = event.path
                out.write("\n" + render(event, color))
                reply = _ask(event, answers, out)
            elif isinstance(event, Withdrawn):
                out.write(_withdrawn_note(event))
            elif isinstance(event, FileDone):
                current = None  # answered: from here on it is written whole or not at all
                _write(event, tally, out, err)
                if event.quit:
                    out.write("quit: the remaining files were not reviewed\n")
            try:
                event = engine.send(reply)
            except StopIteration:
                event = None
    except (KeyboardInterrupt, EOFError) as exc:
        engine.close()
        out.flush()
        cause = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc) or "the answers ended (EOF)"
        left = f"{display_path(current)} left unchanged" if current is not None else "no file half-written"
        done = f"{len(tally.written)} file(s) already written" if tally.written else "no file written"
        err.write(f"\nqtfix: {cause}; {left}; {done}\n")
        return 130 if isinstance(exc, KeyboardInterrupt) else getattr(exc, "exit_code", 1)
    finally:
        answers.close()
    return 2 if tally.failed else 0
