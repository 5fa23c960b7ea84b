"""scripts/score_recall.py: a real qtfix run over the bundled example tree, scored against a tiny labelled set
whose rows are right, wrong on purpose, or missing, so that every count can be seen to move."""
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "score_recall.py"
TREES = ("# the bundled example tree, analysed with default flag discovery\n"
         "name\tsource\tcommit\tfolder\tpaths\tconfigure\n"
         "legacy_tests\tlocal\t-\t.\t.\t-\n")
HEADER = "tree\tcommit\tfile\tline\tcode\tsafety\treason\n"


def label(line, code, safety="-", reason="judged"):
    return f"legacy_tests\t-\ttst_tcppoll.cpp\t{line}\t{code}\t{safety}\t{reason}\n"


def score(tmp_path, rows, *extra):
    (tmp_path / "trees.tsv").write_text(TREES)
    (tmp_path / "labels.tsv").write_text(HEADER + "".join(rows))
    out = tmp_path / "score.json"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--trees", str(REPO / "examples"),
                           "--tree-list", str(tmp_path / "trees.tsv"), "--labels", str(tmp_path / "labels.tsv"),
                           "--cache-dir", str(tmp_path / "cache"), "--json", str(out), "--jobs", "1", *extra],
                          capture_output=True, text=True)
    return proc, (json.loads(out.read_text()) if out.exists() else None)


def test_counts_follow_the_labels(tmp_path):
    # qtfix reports tst_tcppoll.cpp: QF103 at 38, 41 and 47 (safe fixes), QF107 at 46 (safe fix).
    rows = [label(38, "QF103", "unsafe"),   # right code, wrong safety: a TP listed as a safety mismatch
            label(46, "QF104"),             # wrong code: an FN of QF104, and the QF107 finding there is an FP
            label(30, "QF102"),             # nothing is reported at the delete: an FN
            label(47, "none")]              # a finding at a `none` site: an FP of QF103
    proc, got = score(tmp_path, rows)       # line 41 has no label: unjudged
    assert proc.returncode == 0, proc.stderr
    codes = got["codes"]
    assert codes["QF103"] == {"sites": 1, "tp": 1, "fn": 0, "fp": 1}
    assert codes["QF104"] == {"sites": 1, "tp": 0, "fn": 1, "fp": 0}
    assert codes["QF107"] == {"sites": 0, "tp": 0, "fn": 0, "fp": 1}
    assert codes["QF102"] == {"sites": 1, "tp": 0, "fn": 1, "fp": 0}
    assert got["unjudged"] == ["legacy_tests:tst_tcppoll.cpp:41:QF103"]
    assert got["safety_mismatches"] == ["legacy_tests:tst_tcppoll.cpp:38:QF103"]
    assert "| QF103 | 1 | 1 | 0 | 1 | 1.00 | 0.50 |" in proc.stdout
    assert "### Unjudged findings" in proc.stdout and "tst_tcppoll.cpp:41" in proc.stdout


def test_strict_fails_only_on_unjudged_findings(tmp_path):
    judged = [label(38, "QF103", "safe"), label(41, "QF103", "safe"), label(46, "QF107", "safe")]
    proc, _ = score(tmp_path, judged, "--strict")
    assert proc.returncode == 1 and "tst_tcppoll.cpp:47" in proc.stdout
    proc, got = score(tmp_path, judged + [label(47, "QF103", "safe")], "--strict")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert got["unjudged"] == [] and got["safety_mismatches"] == []
    assert {c: v["tp"] for c, v in got["codes"].items() if v["tp"]} == {"QF103": 3, "QF107": 1}


def test_bad_label_is_one_line(tmp_path):
    proc, got = score(tmp_path, [label(38, "QF199")])
    assert proc.returncode == 2 and got is None
    assert proc.stderr.strip().count("\n") == 0 and "QF199" in proc.stderr
