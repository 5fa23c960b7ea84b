"""Property-based fuzzing (hypothesis), bounded and derandomized so CI is
fast and repeatable: issue 10's "no file is ever lost, truncated or
half-written; CRLF, BOM and encoding survive byte for byte".

1. Byte-range edits on random text with CRLF, lone CRs, form feeds, a BOM
   and no final newline keep every byte outside the edited ranges.
2. The diff qtfix prints for any such change, read back by the saved-patch
   reader (unidiff underneath), rebuilds the new bytes exactly.
3. Real golden inputs, mutated (line endings, BOM, cut, bytes inserted or
   flipped), through the real CLI: `diff` and `apply` never give a
   traceback, and `apply` leaves the file either as it was or exactly as the
   printed patch says.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qtfix.edits import Edit, apply_edits
from qtfix.patch import file_diff
from qtfix.patch_apply import check_section_text, read_patch
from qtfix.fileio import split_lines

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"

FAST = settings(max_examples=300, deadline=None, derandomize=True, database=None)
SLOW = settings(
    max_examples=6, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Text as legacy files have it: ASCII code, CRLF and lone CR, form feeds,
# tabs, non-ASCII letters, and lines that look like diff syntax.
PIECES = st.sampled_from(
    ["a", "b", " ", "\t", "\n", "\r\n", "\r", "\x0c", "ü", "€", "--- a", "+++ b", "@@ -1 +1 @@", "\\ x", "-", "+"]
)
TEXT = st.lists(PIECES, max_size=40).map("".join)
FILE = st.tuples(st.booleans(), TEXT).map(lambda t: ("\ufeff" if t[0] else "") + t[1])


@st.composite
def edited(draw):
    """A file's bytes and non-overlapping edits at character boundaries."""
    text = draw(FILE)
    data = text.encode("utf-8")
    bounds = sorted({len(text[:i].encode("utf-8")) for i in range(len(text) + 1)})
    # distinct points: insertions at one point are ordered by apply_edits' own rule
    cuts = sorted(draw(st.lists(st.sampled_from(bounds), max_size=6, unique=True)))
    edits = []
    for start, end in zip(cuts[::2], cuts[1::2]):
        edits.append(Edit(Path("f.cpp"), start, end, draw(TEXT)))
    return data, edits


@FAST
@given(edited())
def test_edits_keep_every_byte_outside_their_ranges(case):
    data, edits = case
    out = apply_edits(data, edits)
    pos, expected = 0, b""
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        expected += data[pos : e.start] + e.text.encode("utf-8")
        pos = e.end
    assert out == expected + data[pos:]
    assert apply_edits(data, edits + edits) == out  # an edit made twice applies once


@FAST
@given(FILE, FILE)
def test_the_printed_diff_read_back_rebuilds_the_new_bytes(old_text, new_text):
    old, new = old_text.encode("utf-8"), new_text.encode("utf-8")
    patch = file_diff("f.cpp", old, new)
    if old == new:
        assert patch == ""
        return
    (section,) = read_patch(patch)
    lines, why, _ = check_section_text(split_lines(old_text), section)
    assert lines is not None, why
    assert "".join(lines).encode("utf-8") == new


INPUTS = sorted(p for p in GOLDEN.glob("QF10*/*.cpp") if p.stat().st_size < 4000)


def _at_line_start(data: bytes, k: int) -> int:
    starts = [0] + [i + 1 for i, c in enumerate(data) if c == 0x0A]
    return starts[k % len(starts)]


@st.composite
def mutated_input(draw):
    """A golden input with changes that keep it C++ (line endings, BOM, no
    final newline, comment lines with non-ASCII text and form feeds) and,
    in a third of the cases, one that may break it (a cut, a stray byte)."""
    source = draw(st.sampled_from(INPUTS))
    data = source.read_bytes()
    if draw(st.booleans()):
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data.removeprefix(b"\xef\xbb\xbf")
    if draw(st.booleans()):
        data = data.rstrip(b"\r\n")
    for _ in range(draw(st.integers(0, 3))):
        at = _at_line_start(data, draw(st.integers(0, 10_000)))
        data = data[:at] + draw(st.sampled_from(["// ü\n", "/* € */\r\n", "\x0c\n", "\t\n", "\n"])).encode() + data[at:]
    if draw(st.integers(0, 2)) == 0:
        at = draw(st.integers(0, len(data)))
        stray = draw(st.sampled_from([b"", b"{", b"}", b'"', b"\r", b"\x00", b"\xff"]))
        data = data[:at] + stray + data[at + draw(st.integers(0, 20)) :]
    return source.name, data


def qtfix(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qtfix", *args, "--no-pch", "--no-cache"],
        cwd=cwd, capture_output=True, timeout=300,
    )


@SLOW
@given(mutated_input())
def test_mutated_real_files_through_check_diff_and_apply(tmp_path_factory, case):
    name, data = case
    tree = tmp_path_factory.mktemp("fuzz")
    target = tree / name
    target.write_bytes(data)
    diff = qtfix(tree, "diff", name)  # the same analysis as check, and the patch
    apply = qtfix(tree, "apply", name)
    for run in (diff, apply):
        assert b"Traceback" not in run.stderr, run.stderr.decode(errors="replace")
        assert run.returncode in (0, 1, 2), run.stderr.decode(errors="replace")
    after = target.read_bytes()
    patch = diff.stdout.decode("utf-8")
    event(f"exit {apply.returncode}, {'a patch' if patch else 'no patch'}")  # pytest --hypothesis-show-statistics
    if not patch:
        assert after == data
        return
    (section,) = read_patch(patch)
    lines, why, _ = check_section_text(split_lines(data.decode("utf-8")), section)
    assert lines is not None, why
    assert after in (data, "".join(lines).encode("utf-8"))
    if apply.returncode == 0:
        assert after == "".join(lines).encode("utf-8")
