"""The incremental cache holds data, never code, and only this user's data.

Real runs of the CLI on a real Qt test file (libclang, the real Qt headers):
a planted pickle is not executed, a foreign or world-writable cache is
refused with one warning and the run's results stay right, a corrupted
entry is dropped and the file analysed again, and the key follows the real
path (copies do not evict each other, spellings share an entry).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qtfix.cache import ResultCache, decode_entry, encode_entry
from qtfix.edits import Edit, Finding, Fix, Safety
from qtfix.results import Checked

SOURCE = textwrap.dedent(
    """\
    #include <QLocalServer>

    bool startServer(QLocalServer &server)
    {
        return server.listen("foo");
    }
    """
).encode()


def qtfix(cwd: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QTFIX_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    # no precompiled header: these tests are about the results cache, and one
    # small header parses faster than a PCH is built for each fresh cache
    return subprocess.run([sys.executable, "-m", "qtfix", *args, "--no-pch"], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def cached_names(res: subprocess.CompletedProcess) -> set[str]:
    return {line.split(": ")[0].split("] ")[-1] for line in res.stderr.splitlines() if line.endswith("(cached)")}


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "results").glob("*/*.json"))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "t").mkdir()
    for name in ("tst_a.cpp", "tst_b.cpp"):
        (tmp_path / "t" / name).write_bytes(SOURCE.replace(b"foo", name.encode()))
    return tmp_path


@pytest.fixture
def warm(tree: Path) -> tuple[Path, Path, str]:
    """A tree, its private cache after one run, and that run's JSON output."""
    cache = tree / "cache"
    first = qtfix(tree, cache, "check", "--format", "json", "t")
    assert first.returncode == 1, first.stderr
    assert len(entries(cache)) == 2
    return tree, cache, first.stdout


def test_new_cache_directory_is_private_and_entries_are_checksummed_json(warm):
    _, cache, _ = warm
    for folder in (cache, cache / "results", cache / "pch"):
        assert folder.stat().st_mode & 0o777 == 0o700
    blob = entries(cache)[0].read_bytes()
    head, _, payload = blob.partition(b"\n")
    assert head.startswith(b"qtfix-cache 2 ")
    assert b'"code":"QF104"' in payload


def test_warm_run_is_served_from_the_cache_with_the_same_output(warm):
    tree, cache, first = warm
    again = qtfix(tree, cache, "check", "--format", "json", "t")
    assert cached_names(again) == {"t/tst_a.cpp", "t/tst_b.cpp"}
    assert again.stdout == first


def test_planted_pickle_is_never_executed(warm):
    tree, cache, first = warm
    marker = tree / "owned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    for entry in entries(cache):
        entry.write_bytes(pickle.dumps(Payload()))
    res = qtfix(tree, cache, "check", "--format", "json", "t")
    assert not marker.exists(), "a planted pickle ran"
    assert cached_names(res) == set(), "a planted entry was used"
    assert res.stdout == first and "Traceback" not in res.stderr


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702])
def test_cache_writable_by_others_is_refused_with_one_warning(warm, mode):
    tree, cache, first = warm
    os.chmod(cache, mode)
    res = qtfix(tree, cache, "check", "--format", "json", "t")
    warnings = [line for line in res.stderr.splitlines() if "warning" in line]
    assert warnings == [f"qtfix: warning: cache directory not used ({cache}: other users can write to it); "
                        "this run uses a private temporary one"]
    assert cached_names(res) == set()
    assert res.returncode == 1 and res.stdout == first


@pytest.mark.skipif(os.geteuid() != 0, reason="handing files to another user needs root")
def test_cache_or_entry_owned_by_another_user_is_not_trusted(warm):
    tree, cache, first = warm
    victim = entries(cache)[0]
    os.chown(victim, 4321, 4321)
    res = qtfix(tree, cache, "check", "--format", "json", "t")
    assert len(cached_names(res)) == 1, "the foreign entry was used"
    assert res.stdout == first
    os.chown(cache, 4321, 4321)
    res = qtfix(tree, cache, "check", "--format", "json", "t")
    assert f"({cache}: it is owned by another user (uid 4321))" in res.stderr
    assert cached_names(res) == set() and res.stdout == first


@pytest.mark.parametrize("make", ["file", "proc"])
def test_unusable_cache_location_warns_and_the_run_goes_on(tree, make):
    cache = tree / "not-a-dir"
    if make == "file":
        cache.write_text("x")
    else:
        cache = Path("/proc/qtfix-cannot-exist")
    res = qtfix(tree, cache, "check", "t")
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert sum("qtfix: warning: cache directory not used" in line for line in res.stderr.splitlines()) == 1
    assert "QF104" in res.stdout


def test_corrupted_entry_is_dropped_and_the_file_analysed_again(warm):
    tree, cache, first = warm
    for entry in entries(cache):
        blob = bytearray(entry.read_bytes())
        at = blob.index(b'"code":"QF104"') + 12
        blob[at] ^= 0x01  # QF104 -> QF105: a plausible, wrong result
        entry.write_bytes(bytes(blob))
    res = qtfix(tree, cache, "check", "--format", "json", "t")
    assert cached_names(res) == set()
    assert res.stdout == first
    again = qtfix(tree, cache, "check", "--format", "json", "t")
    assert cached_names(again) == {"t/tst_a.cpp", "t/tst_b.cpp"}, "the re-analysis was cached again"


def test_every_one_byte_change_of_an_entry_is_detected(tmp_path):
    path = tmp_path / "tst_x.cpp"
    fix = Fix("use a unique name", (Edit(path, 10, 15, 'uniqueName("x")'),), Safety.SAFE)
    result = Checked(path, findings=(
        Finding("QF104", "hardcoded-server-name", path, 10, 2, 3, "fixed name", fix),
        Finding("QF105", "qtest-macro", path, 40, 4, 1, "in a helper", no_fix_reason="a helper"),
    ), source=SOURCE)
    blob = encode_entry(result)
    decoded, deps = decode_entry(blob, path, SOURCE)
    assert decoded == result and deps == []
    cache = ResultCache(tmp_path)
    target = cache._path("ab" * 32)
    target.parent.mkdir(parents=True)
    for i in range(len(blob)):
        for flip in (0x01, 0x20):
            bad = bytearray(blob)
            bad[i] ^= flip
            target.write_bytes(bytes(bad))
            assert cache.get("ab" * 32, path, SOURCE) is None, f"byte {i} ^ {flip:#x} went unnoticed"


def test_copies_keep_their_own_entries_and_spellings_share_one(tree):
    cache = tree / "cache"
    (tree / "copy").mkdir()
    for f in (tree / "t").iterdir():
        (tree / "copy" / f.name).write_bytes(f.read_bytes())
    assert qtfix(tree, cache, "check", "t", "copy").returncode == 1
    assert len(entries(cache)) == 4
    warm = qtfix(tree, cache, "check", "t", "copy")
    assert len(cached_names(warm)) == 4
    inside = qtfix(tree / "t", cache, "check", "--format", "json", ".")
    assert cached_names(inside) == {"tst_a.cpp", "tst_b.cpp"}
    paths = {f["path"] for f in json.loads(inside.stdout)["findings"]}
    assert paths == {"tst_a.cpp", "tst_b.cpp"}, "a hit keeps the spelling of this run"


def test_unsafe_fixes_and_diff_reuse_the_analysis_of_check(warm):
    tree, cache, _ = warm
    for command in (["diff"], ["diff", "--unsafe-fixes"], ["apply"]):
        res = qtfix(tree, cache, *command, "t")
        assert cached_names(res) == {"t/tst_a.cpp", "t/tst_b.cpp"}, command


def test_prune_removes_least_recently_used_entries_first(tmp_path):
    cache = ResultCache(tmp_path)
    for i in range(5):
        p = cache._path(f"{i:02d}" + "0" * 62)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x" * 1000)
        os.utime(p, ns=(i * 10**9, i * 10**9))
    assert cache.prune(2500) == 3
    assert [p.name[:2] for p in sorted(tmp_path.glob("results/*/*.json"))] == ["03", "04"]


def test_prune_removes_temporaries_a_killed_writer_left_and_keeps_fresh_ones(tmp_path):
    cache = ResultCache(tmp_path)
    folder = cache._path("ab" + "0" * 62).parent
    folder.mkdir(parents=True, exist_ok=True)
    stale, fresh = folder / ".entry.json.x1.qtfix", folder / ".entry.json.x2.qtfix"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    os.utime(stale, (1, 1))
    cache.prune(10**9)
    assert not stale.exists() and fresh.exists()


def test_an_entry_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    # The write goes through fileio.replacing: a failure leaves no entry and no temporary.
    cache = ResultCache(tmp_path)
    key = "cd" + "0" * 62
    monkeypatch.setattr(Path, "write_bytes", lambda self, data: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    cache.put(key, Checked(Path("x.cpp")))
    assert list(cache._path(key).parent.iterdir()) == []
