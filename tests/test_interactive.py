"""`qtfix apply --interactive`: the review engine, and the command in a real
terminal (tmux), on real QtTest-style files analysed with the Qt headers.

The terminal tests poll the tmux pane for each prompt instead of sleeping,
send keys as a user types them (key, then Enter), and check both the screen
and the exact bytes of the file afterwards.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from qtfix.codemods.hardcoded_server_name import helper_text
from qtfix.edits import Edit, Finding, Fix
from qtfix.interactive import Decision, FileDone, FileFixes, Proposal, Withdrawn, review, why_not_split

QTFIX = [sys.executable, "-m", "qtfix"]

TEST_CPP = """\
#include <QtTest/QtTest>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>

class tst_Names : public QObject
{
    Q_OBJECT
private slots:
    void serverAndClient();
    void secondServer();
    void cleanupServer();
};

void tst_Names::serverAndClient()
{
    QLocalServer server;
    QVERIFY(server.listen("foo"));
    QLocalSocket socket;
    socket.connectToServer("foo");
    QVERIFY(socket.waitForConnected(1000));
}

void tst_Names::secondServer()
{
    QLocalServer server;
    QVERIFY(server.listen(QStringLiteral("bar")));
}

void tst_Names::cleanupServer()
{
    QLocalServer::removeServer("baz");
}

QTEST_MAIN(tst_Names)
#include "tst_names.moc"
"""

# The helper function QF104 adds (its text is the codemod's to choose).
HELPER = helper_text("\n")


def fixed(*names: str, source: str = TEST_CPP) -> bytes:
    """TEST_CPP with the QF104 fixes for the given literals applied."""
    text = source
    if names:
        text = text.replace("#include <QtNetwork/QLocalSocket>\n", "#include <QtNetwork/QLocalSocket>\n" + HELPER, 1)
    for name in names:
        text = text.replace(f'QStringLiteral("{name}")', f'"{name}"')
        text = text.replace(f'("{name}")', f'(uniqueServerName(QStringLiteral("{name}")))')
    return text.encode()


def test_expected_texts_match_the_codemod(tmp_path):
    """The helper above is the one `qtfix apply` writes (keeps the terminal
    tests' expectations honest)."""
    f = tmp_path / "tst_names.cpp"
    f.write_text(TEST_CPP)
    result = subprocess.run([*QTFIX, "apply", "--select", "QF104", str(f)], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()
    assert f.read_bytes() == fixed("foo", "bar", "baz")


# -- the engine, through plain calls ------------------------------------------

A = Path("a.cpp")
B = Path("b.cpp")
SOURCES = {A: b"one\ntwo\nthree\nfour\n", B: b"alpha\nbeta\n"}


def finding(path: Path, offset: int, *edits: Edit, code: str = "QF900") -> Finding:
    fix = Fix(f"fix at {offset}", tuple(edits))
    return Finding(code, "test-rule", path, offset, 1, offset + 1, f"message {offset}", fix)


def run_engine(items, answers):
    """Drive the engine; return the events and the FileDones."""
    answers = list(answers)
    engine = review(items, SOURCES)
    events = []
    event = next(engine)
    while True:
        events.append(event)
        reply = answers.pop(0) if isinstance(event, Proposal) else None
        try:
            event = engine.send(reply)
        except StopIteration:
            return events, answers


def test_engine_yields_each_fix_and_writes_each_file_once_answered():
    f1 = finding(A, 0, Edit.replacement(A, 0, 3, "ONE"))
    f2 = finding(A, 8, Edit.replacement(A, 8, 13, "THREE"))
    f3 = finding(B, 0, Edit.replacement(B, 0, 5, "ALPHA"))
    items = [FileFixes(A, ((f1.fix, (f1,)), (f2.fix, (f2,)))), FileFixes(B, ((f3.fix, (f3,)),))]
    events, left = run_engine(items, [Decision.SKIP, Decision.APPLY, Decision.APPLY])
    assert [type(e).__name__ for e in events] == ["Proposal", "Proposal", "FileDone", "Proposal", "FileDone"]
    assert [(e.number, e.total) for e in events if isinstance(e, Proposal)] == [(1, 2), (2, 2), (1, 1)]
    done_a, done_b = [e for e in events if isinstance(e, FileDone)]
    assert [(w.path, w.old, w.new) for w in done_a.writes] == [(A, SOURCES[A], b"one\ntwo\nTHREE\nfour\n")]
    assert (done_a.skipped, done_a.accepted) == (1, (f2.fix,))
    assert [(w.path, w.new) for w in done_b.writes] == [(B, b"ALPHA\nbeta\n")]
    assert left == []


def test_engine_a_and_d_answer_the_rest_of_the_file_only():
    fa = [finding(A, i, Edit.insertion(A, i, "x")) for i in (0, 4, 8)]
    fb = [finding(B, i, Edit.insertion(B, i, "y")) for i in (0, 6)]
    items = [FileFixes(A, tuple((f.fix, (f,)) for f in fa)), FileFixes(B, tuple((f.fix, (f,)) for f in fb))]
    events, left = run_engine(items, [Decision.SKIP, Decision.APPLY_REST, Decision.SKIP_REST])
    dones = [e for e in events if isinstance(e, FileDone)]
    assert dones[0].writes[0].new == b"one\nxtwo\nxthree\nfour\n"
    assert dones[1].writes == () and dones[1].skipped == 2
    assert left == []


def test_engine_quit_keeps_what_the_current_file_accepted_and_stops():
    fa = [finding(A, i, Edit.insertion(A, i, "x")) for i in (0, 4, 8)]
    fb = finding(B, 0, Edit.insertion(B, 0, "y"))
    items = [FileFixes(A, tuple((f.fix, (f,)) for f in fa)), FileFixes(B, ((fb.fix, (fb,)),))]
    events, _ = run_engine(items, [Decision.APPLY, Decision.QUIT])
    assert isinstance(events[-1], FileDone) and events[-1].quit
    assert events[-1].writes[0].new == b"xone\ntwo\nthree\nfour\n"
    assert not any(isinstance(e, Proposal) and e.path == B for e in events)


def test_engine_withdraws_a_fix_that_overlaps_an_accepted_one():
    first = finding(A, 0, Edit.replacement(A, 0, 7, "1-2"))
    clash = finding(A, 4, Edit.replacement(A, 4, 13, "2-3"), code="QF901")
    later = finding(A, 14, Edit.replacement(A, 14, 18, "4"))
    items = [FileFixes(A, tuple((f.fix, (f,)) for f in (first, clash, later)))]
    events, left = run_engine(items, [Decision.APPLY, Decision.APPLY])
    withdrawn = [e for e in events if isinstance(e, Withdrawn)]
    assert [(w.findings, w.clash) for w in withdrawn] == [((clash,), (first,))]
    assert events[-1].writes[0].new == b"1-2\nthree\n4\n" and events[-1].withdrawn == 1
    assert left == []


def test_engine_shows_only_what_a_fix_adds_to_the_accepted_ones():
    source = b"".join(b"line %d\n" % n for n in range(1, 21))
    at = {n: source.index(b"line %d\n" % n) for n in range(1, 21)}
    shared = Edit.insertion(A, 0, "#include <QUuid>\n")
    f1 = finding(A, at[10], shared, Edit.replacement(A, at[10], at[10] + 7, "TEN"))
    f2 = finding(A, at[15], shared, Edit.replacement(A, at[15], at[15] + 7, "FIFTEEN"))
    items = [FileFixes(A, ((f1.fix, (f1,)), (f2.fix, (f2,))))]
    engine = review(items, {A: source})
    p1 = next(engine)
    assert p1.changes[0].new == b"#include <QUuid>\n" + source.replace(b"line 10", b"TEN")
    assert "its 2 hunks are one fix, applied all or none" in why_not_split(p1)
    p2 = engine.send(Decision.APPLY)
    # The include is already accepted: the second fix shows its own line only,
    # on the analysed bytes, so its line numbers match the finding's.
    assert p2.changes[0].new == source.replace(b"line 15", b"FIFTEEN")
    assert why_not_split(p2) == "Sorry, cannot split this fix: it is a single hunk."
    done = engine.send(Decision.APPLY)
    assert done.writes[0].new == b"#include <QUuid>\n" + source.replace(b"line 10", b"TEN").replace(b"line 15", b"FIFTEEN")


def test_engine_wants_a_decision_after_a_proposal():
    f1 = finding(A, 0, Edit.insertion(A, 0, "x"))
    engine = review([FileFixes(A, ((f1.fix, (f1,)),))], SOURCES)
    next(engine)
    with pytest.raises(TypeError):
        engine.send("y")


# -- the command, piped -------------------------------------------------------


@pytest.fixture
def work(tmp_path):
    (tmp_path / "tst_names.cpp").write_text(TEST_CPP)
    return tmp_path


def test_piped_stdin_without_answers_is_refused_at_once(work):
    result = subprocess.run(
        [*QTFIX, "apply", "--interactive", "tst_names.cpp"], cwd=work, input=b"y\ny\ny\n", capture_output=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.decode() == (
        "qtfix: error: --interactive needs a terminal on stdin "
        "(give the answers with --answers FILE, or '-' for stdin)\n"
    )
    assert result.stdout == b""
    assert (work / "tst_names.cpp").read_text() == TEST_CPP


def test_answers_from_a_file(work):
    (work / "answers").write_text("n\ns\ny\ny\n")
    result = subprocess.run(
        [*QTFIX, "apply", "--select", "QF104", "--answers", "answers", "tst_names.cpp"],
        cwd=work,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    # Each answer is echoed after its prompt: the output reads like a session.
    assert "(1/3) Apply this fix to tst_names.cpp [y,n,a,d,q,s,e,?]? n\n" in out
    # "foo" was skipped, so the fix for "bar" now brings the helper: 2 hunks.
    assert "(2/3) Apply this fix to tst_names.cpp [y,n,a,d,q,s,e,?]? s\nSorry, cannot split this fix: its 2 hunks are one fix" in out
    assert out.endswith("fixed tst_names.cpp (QF104 x2)\n")
    assert (work / "tst_names.cpp").read_bytes() == fixed("bar", "baz")


def test_answers_from_stdin_that_run_out_leave_the_file_untouched(work):
    result = subprocess.run(
        [*QTFIX, "apply", "--select", "QF104", "--answers", "-", "tst_names.cpp"], cwd=work, input=b"y\ny\n", capture_output=True
    )
    assert result.returncode == 1
    assert result.stderr.decode().endswith(
        "qtfix: the answers ended (EOF); tst_names.cpp left unchanged; no file written\n"
    )
    assert (work / "tst_names.cpp").read_text() == TEST_CPP


# -- the command, in a real terminal -------------------------------------------

pytestmark_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
PROMPT = "Apply this fix to {file} [y,n,a,d,q,s,e,?]? "


class Terminal:
    """A tmux session of its own (its own server socket) running one command."""

    def __init__(self, cwd: Path, command: list[str]) -> None:
        # An explicit socket in a short private folder (socket paths are
        # limited to ~107 bytes): removed with the folder, never shared.
        self._dir = tempfile.mkdtemp(prefix="qtfix-tmux-")
        self.socket = os.path.join(self._dir, "socket")
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in (("PATH", os.environ.get("PATH", "")), ("TERM", "xterm")))
        line = f"cd {shlex.quote(str(cwd))} && env {env} {shlex.join(command)}; echo \"EXIT=$?\"; sleep 600"
        self._tmux("new-session", "-d", "-x", "200", "-y", "50", line)

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def screen(self, colors: bool = False) -> str:
        """Everything the pane showed, scrollback included; wrapped lines joined."""
        return self._tmux("capture-pane", "-p", "-J", "-S", "-", *(["-e"] if colors else []))

    def wait_for(self, text: str, count: int = 1, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if screen.count(text) >= count:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {text!r} x{count}; the screen:\n{screen}")
            time.sleep(0.1)

    def answer(self, key: str) -> None:
        self._tmux("send-keys", "-l", key)
        self._tmux("send-keys", "Enter")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True)
        shutil.rmtree(self._dir, ignore_errors=True)


@pytest.fixture
def terminal():
    opened: list[Terminal] = []

    def start(cwd: Path, *args: str) -> Terminal:
        t = Terminal(cwd, [*QTFIX, "apply", "--interactive", "--select", "QF104", *args])
        opened.append(t)
        return t

    yield start
    for t in opened:
        t.close()


def prompt(n: int, file: str = "tst_names.cpp", total: int = 3) -> str:
    return f"({n}/{total}) " + PROMPT.format(file=file)


@pytestmark_tmux
def test_terminal_review_with_help_split_explain(work, terminal):
    t = terminal(work, "tst_names.cpp")
    screen = t.wait_for(prompt(1))
    assert "── tst_names.cpp ── fix 1 of 3 ──" in screen
    assert "QF104 hardcoded-server-name [safe] at tst_names.cpp:17:5, tst_names.cpp:19:5" in screen
    assert 'hard-coded local server name "foo": parallel or killed runs of this test collide on it' in screen
    assert "@@ -1,6 +1,14 @@" in screen and "+inline QString uniqueServerName(const QString &prefix)" in screen
    assert '+    socket.connectToServer(uniqueServerName(QStringLiteral("foo")));' in screen
    # Colored hunks: added lines green, removed red.
    assert '\x1b[32m+    socket.connectToServer(' in t.screen(colors=True)

    t.answer("?")
    screen = t.wait_for(prompt(1), 2)
    assert "a - apply this fix and all remaining fixes in this file" in screen
    t.answer("s")
    screen = t.wait_for(prompt(1), 3)
    assert "Sorry, cannot split this fix: its 2 hunks are one fix, applied all or none" in screen
    t.answer("y")

    screen = t.wait_for(prompt(2))
    assert 'hard-coded local server name "bar"' in screen
    # The helper is already accepted: fix 2 shows its own line only.
    assert screen.split(prompt(1))[-1].count("uniqueServerName(const QString") == 0
    t.answer("e")
    screen = t.wait_for(prompt(2), 2)
    assert "QF104 hardcoded-server-name (fix: safe)" in screen and "## Why is this bad?" in screen
    t.answer("n")

    t.wait_for(prompt(3))
    assert (work / "tst_names.cpp").read_text() == TEST_CPP  # nothing written before the file is answered
    t.answer("y")
    screen = t.wait_for("EXIT=")
    assert "fixed tst_names.cpp (QF104 x3)" in screen and "EXIT=0" in screen
    assert (work / "tst_names.cpp").read_bytes() == fixed("foo", "baz")
    record = os.environ.get("QTFIX_RECORD_SCREEN")
    if record:  # how docs/review-workflows.md got its example
        Path(record).write_text(screen)


@pytestmark_tmux
def test_terminal_quit_writes_what_was_accepted(work, terminal):
    t = terminal(work, "tst_names.cpp")
    t.wait_for(prompt(1))
    t.answer("n")
    t.wait_for(prompt(2))
    t.answer("y")
    t.wait_for(prompt(3))
    t.answer("q")
    screen = t.wait_for("EXIT=")
    assert "fixed tst_names.cpp (QF104 x1)" in screen and "EXIT=0" in screen
    assert (work / "tst_names.cpp").read_bytes() == fixed("bar")


@pytestmark_tmux
def test_terminal_a_and_d_across_two_files(work, terminal):
    (work / "tst_other.cpp").write_text(TEST_CPP)
    t = terminal(work, "tst_names.cpp", "tst_other.cpp")
    t.wait_for(prompt(1))
    t.answer("a")  # this and the rest of tst_names.cpp
    t.wait_for(prompt(1, "tst_other.cpp"))
    t.answer("y")
    t.wait_for(prompt(2, "tst_other.cpp"))
    t.answer("d")
    screen = t.wait_for("fixed tst_other.cpp")
    assert "EXIT=0" in t.wait_for("EXIT=")
    assert (work / "tst_names.cpp").read_bytes() == fixed("foo", "bar", "baz")
    assert (work / "tst_other.cpp").read_bytes() == fixed("foo")
    assert "fixed tst_names.cpp (QF104 x4)" in screen


@pytestmark_tmux
def test_terminal_ctrl_c_in_the_second_file(work, terminal):
    (work / "tst_other.cpp").write_text(TEST_CPP)
    t = terminal(work, "tst_names.cpp", "tst_other.cpp")
    t.wait_for(prompt(1))
    t.answer("y")
    t.wait_for(prompt(2))
    t.answer("d")
    t.wait_for(prompt(1, "tst_other.cpp"))
    t.answer("y")
    t.wait_for(prompt(2, "tst_other.cpp"))
    t.keys("C-c")
    screen = t.wait_for("EXIT=")
    assert "qtfix: interrupted; tst_other.cpp left unchanged; 1 file(s) already written" in screen
    assert "EXIT=130" in screen
    assert (work / "tst_names.cpp").read_bytes() == fixed("foo")
    assert (work / "tst_other.cpp").read_text() == TEST_CPP
    assert not [p.name for p in work.iterdir() if p.name.endswith(".qtfix")]  # no temporary left behind


@pytestmark_tmux
def test_terminal_ctrl_d_is_eof(work, terminal):
    t = terminal(work, "tst_names.cpp")
    t.wait_for(prompt(1))
    t.answer("y")
    t.wait_for(prompt(2))
    t.keys("C-d")
    screen = t.wait_for("EXIT=")
    assert "qtfix: the answers ended (EOF); tst_names.cpp left unchanged; no file written" in screen
    assert "EXIT=1" in screen
    assert (work / "tst_names.cpp").read_text() == TEST_CPP


@pytestmark_tmux
def test_terminal_unknown_key_shows_help_and_asks_again(work, terminal):
    t = terminal(work, "tst_names.cpp")
    t.wait_for(prompt(1))
    t.answer("x")
    screen = t.wait_for(prompt(1), 2)
    assert "d - do not apply this fix or any of the remaining fixes in this file" in screen
    t.answer("d")
    screen = t.wait_for("EXIT=")
    assert "tst_names.cpp: no fix applied" in screen and "EXIT=0" in screen
    assert (work / "tst_names.cpp").read_text() == TEST_CPP


@pytestmark_tmux
def test_terminal_a_file_edited_during_the_review_is_not_overwritten(work, terminal):
    t = terminal(work, "tst_names.cpp")
    t.wait_for(prompt(1))
    edited = TEST_CPP.replace("QLocalSocket socket;", "QLocalSocket socket; // edited meanwhile")
    (work / "tst_names.cpp").write_text(edited)  # the user saves in the editor, then answers
    t.answer("a")
    screen = t.wait_for("EXIT=")
    assert "qtfix: error: " in screen and "tst_names.cpp: changed on disk since it was analysed; not changed" in screen
    assert "EXIT=2" in screen
    assert (work / "tst_names.cpp").read_text() == edited


def test_answers_for_a_read_only_file_write_nothing(work):
    target = work / "tst_names.cpp"
    target.chmod(0o444)
    try:
        result = subprocess.run(
            [*QTFIX, "apply", "--select", "QF104", "--answers", "-", "tst_names.cpp"], cwd=work, input=b"a\n", capture_output=True
        )
    finally:
        target.chmod(0o644)
    assert result.returncode == 2
    assert "tst_names.cpp: read-only file; not changed" in result.stderr.decode()
    assert target.read_text() == TEST_CPP
