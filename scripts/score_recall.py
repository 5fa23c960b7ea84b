#!/usr/bin/env python3
"""Score qtfix against the hand-labelled recall set (docs/recall/labels.tsv).

For every tree of the tree list (docs/recall/trees.tsv) the sources live in
TREES/<name> and the build (compile_commands.json) in TREES/<name>.build.
`--prepare` creates missing ones: the sources from a git mirror or GitHub at the
listed commit, the build with the listed CMake command, or, for trees that do not
build here (`qt5-handmade`), a compile_commands.json written by this script.

qtfix from the current checkout (`python -m qtfix` of this interpreter) runs
`check --format json -p BUILD` on the labelled files of each tree; findings are
matched to labels by (file, line, code). Per code: TP, FN, FP (a finding at a
`none` site, or a finding with another code at a labelled line), recall and
precision, as markdown. Findings in labelled files at lines with no label are
listed as unjudged; `--strict` makes them an error (exit 1).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CODES = tuple(f"QF10{i}" for i in range(1, 10))
QT5 = Path("/usr/include/x86_64-linux-gnu/qt5")
QT5_MKSPEC = Path("/usr/lib/x86_64-linux-gnu/qt5/mkspecs/linux-g++")


class Bad(Exception):
    """A problem with the inputs: one line, exit 2."""


@dataclass(frozen=True)
class Tree:
    name: str
    source: str
    commit: str
    folder: str
    paths: str
    configure: str


@dataclass(frozen=True)
class Label:
    tree: str
    commit: str
    file: str
    line: int
    code: str
    safety: str
    reason: str
    row: int


@dataclass(frozen=True)
class Finding:
    tree: str
    file: str
    line: int
    code: str
    safety: str
    message: str
    no_fix_reason: str


@dataclass
class Score:
    tp: list = field(default_factory=list)
    fn: list = field(default_factory=list)
    fp: list = field(default_factory=list)
    sites: int = 0


def read_tsv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict]]:
    """Rows of a tab-separated file whose comment lines start with '#'."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise Bad(f"cannot read {path}: {e.strerror}") from None
    lines = [(n, l) for n, l in enumerate(text.splitlines(), 1) if l.strip() and not l.startswith("#")]
    if not lines:
        raise Bad(f"{path}: no header row")
    header = lines[0][1].split("\t")
    if tuple(header) != columns:
        raise Bad(f"{path}:{lines[0][0]}: header must be {' '.join(columns)}")
    rows = []
    for n, line in lines[1:]:
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise Bad(f"{path}:{n}: {len(cells)} columns, expected {len(columns)}")
        rows.append((n, dict(zip(columns, (c.strip() for c in cells)))))
    return rows


TREE_COLUMNS = ("name", "source", "commit", "folder", "paths", "configure")
LABEL_COLUMNS = ("tree", "commit", "file", "line", "code", "safety", "reason")


def read_trees(path: Path) -> dict[str, Tree]:
    return {r["name"]: Tree(**r) for _, r in read_tsv(path, TREE_COLUMNS)}


def read_labels(path: Path, trees: dict[str, Tree]) -> list[Label]:
    labels, seen = [], set()
    for n, r in read_tsv(path, LABEL_COLUMNS):
        where = f"{path}:{n}"
        if r["tree"] not in trees:
            raise Bad(f"{where}: unknown tree {r['tree']!r}")
        if r["commit"] != trees[r["tree"]].commit:
            raise Bad(f"{where}: commit {r['commit']} is not the tree list's {trees[r['tree']].commit}")
        if r["code"] not in CODES + ("none",):
            raise Bad(f"{where}: code must be QF101..QF109 or none, not {r['code']!r}")
        if r["safety"] not in ("safe", "unsafe", "none", "-"):
            raise Bad(f"{where}: safety must be safe, unsafe, none or -")
        if not r["line"].isdigit() or not r["reason"]:
            raise Bad(f"{where}: a line number and a reason are required")
        key = (r["tree"], r["file"], int(r["line"]), r["code"])
        if key in seen:
            raise Bad(f"{where}: the same site is labelled twice")
        seen.add(key)
        labels.append(Label(r["tree"], r["commit"], r["file"], int(r["line"]), r["code"],
                            r["safety"], r["reason"], n))
    return labels


# -- preparing trees -------------------------------------------------------

def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    print("+", shlex.join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def git_dir(source: str, scratch: Path) -> str:
    owner, _, name = source.partition("/")
    mirror = Path(f"/work/.mirror/{owner}+{name}/repo")
    if mirror.is_dir():
        return str(mirror)
    clone = scratch / f"{owner}+{name}.git"
    if not clone.is_dir():
        run(["git", "clone", "--bare", "--filter=blob:none", f"https://github.com/{source}", str(clone)])
    return str(clone)


def prepare(tree: Tree, trees_dir: Path) -> None:
    src = trees_dir / tree.name
    if tree.source != "local" and not src.is_dir():
        gd = git_dir(tree.source, trees_dir)
        src.mkdir(parents=True)
        archive = subprocess.run(["git", "--git-dir", gd, "archive", tree.commit, *tree.paths.split()],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
        (src / ".recall-commit").write_text(tree.commit + "\n")
    build = trees_dir / f"{tree.name}.build"
    if tree.configure == "-" or (build / "compile_commands.json").is_file():
        return
    if tree.configure == "qt5-handmade":
        write_qt5_database(src, tree.folder, build)
        return
    cmd = [w.replace("{src}", str(src)).replace("{build}", str(build)) for w in shlex.split(tree.configure)]
    run(["nice", "-n", "10", *cmd], stdout=subprocess.DEVNULL)


def qt5_flags(src: Path, cpp: Path) -> list[str]:
    """What qmake's `QT = core network testlib` gives a Qt 5.15 test, private headers included."""
    version = next((p.name for p in (QT5 / "QtCore").iterdir() if p.name[:1].isdigit()), "")
    flags = ["c++", "-std=c++17", "-fPIC", "-DQT_CORE_LIB", "-DQT_NETWORK_LIB", "-DQT_TESTLIB_LIB", "-DQT_CONCURRENT_LIB",
             f'-DSRCDIR="{cpp.parent}/"',
             "-Dqptraddr=quintptr",  # the CHERI fork's one addition to these tests (tst_qftp.cpp)
             f"-I{QT5_MKSPEC}", f"-I{QT5}"]
    for module in ("QtCore", "QtNetwork", "QtTest", "QtConcurrent"):
        flags.append(f"-I{QT5 / module}")
        if version and (QT5 / module / version).is_dir():
            flags += [f"-I{QT5 / module / version}", f"-I{QT5 / module / version / module}"]
    flags += [f"-I{src / 'tests' / 'shared'}", f"-I{cpp.parent}"]
    return flags


def write_qt5_database(src: Path, folder: str, build: Path) -> None:
    entries = []
    for cpp in sorted((src / folder).rglob("*.cpp")):
        entries.append({"directory": str(cpp.parent), "file": str(cpp),
                        "arguments": [*qt5_flags(src, cpp), "-c", str(cpp)]})
    build.mkdir(parents=True, exist_ok=True)
    (build / "compile_commands.json").write_text(json.dumps(entries, indent=1))


# -- running qtfix ---------------------------------------------------------

def run_qtfix(tree: Tree, files: list[str], trees_dir: Path, qtfix: list[str], jobs: int, cache: Path):
    """Findings and per-file statuses of one qtfix check over the labelled files."""
    src = (trees_dir / tree.name).resolve()
    build = trees_dir / f"{tree.name}.build"
    cmd = [*qtfix, "check", "--format", "json", "--jobs", str(jobs), "--allow-unanalysed",
           "--cache-dir", str(cache.resolve())]
    if tree.configure != "-":
        if not (build / "compile_commands.json").is_file():
            raise Bad(f"tree {tree.name}: no {build}/compile_commands.json (run with --prepare)")
        cmd += ["-p", str(build.resolve())]
    missing = [f for f in files if not (src / f).is_file()]
    if missing:
        raise Bad(f"tree {tree.name}: labelled file {missing[0]} is not in {src} (run with --prepare)")
    proc = subprocess.run([*cmd, *files], cwd=src, capture_output=True, text=True)
    try:
        out = json.loads(proc.stdout)
    except json.JSONDecodeError:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise Bad(f"tree {tree.name}: qtfix gave no JSON (exit {proc.returncode}): {tail}") from None
    def rel(p: str) -> str:
        return os.path.relpath(os.path.join(src, p), src)
    findings = [Finding(tree.name, rel(f["path"]), f["line"], f["code"], f.get("safety", ""),
                        f.get("message", ""), f.get("no_fix_reason", ""))
                for f in out["findings"] if not f.get("suppressed") and f["code"] in CODES]
    statuses = {rel(f["path"]): (f["status"], f.get("reason", "")) for f in out.get("files", [])}
    return findings, statuses


# -- scoring ---------------------------------------------------------------

def score(labels: list[Label], findings: list[Finding]):
    """Per-code Score, unjudged findings and safety mismatches."""
    found = {}
    for f in findings:
        found.setdefault((f.tree, f.file, f.line, f.code), f)
    at_line = defaultdict(set)
    for l in labels:
        at_line[(l.tree, l.file, l.line)].add(l.code)
    scores = {c: Score() for c in CODES}
    mismatched = []
    for l in labels:
        if l.code == "none":
            continue
        s = scores[l.code]
        s.sites += 1
        f = found.get((l.tree, l.file, l.line, l.code))
        if f is None:
            s.fn.append(l)
            continue
        s.tp.append(l)
        want = {"-": None, "none": "none"}.get(l.safety, l.safety)
        if want and (f.safety or "none") != want:
            mismatched.append((l, f))
    labelled_files = {(l.tree, l.file) for l in labels}
    unjudged = []
    for key, f in sorted(found.items()):
        codes = at_line.get(key[:3])
        if codes is None:
            if key[:2] in labelled_files:
                unjudged.append(f)
        elif f.code not in codes:
            scores[f.code].fp.append(f)
    return scores, unjudged, mismatched


def ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "–"


def markdown(scores, unjudged, mismatched, statuses, commit: str) -> str:
    out = [f"qtfix at `{commit}`", "",
           "| code | sites | TP | FN | FP | recall | precision |", "|---|---:|---:|---:|---:|---:|---:|"]
    total = Score()
    for code, s in scores.items():
        if s.sites or s.fp:
            out.append(f"| {code} | {s.sites} | {len(s.tp)} | {len(s.fn)} | {len(s.fp)} | "
                       f"{ratio(len(s.tp), s.sites)} | {ratio(len(s.tp), len(s.tp) + len(s.fp))} |")
        total.sites += s.sites
        total.tp += s.tp
        total.fn += s.fn
        total.fp += s.fp
    out.append(f"| all | {total.sites} | {len(total.tp)} | {len(total.fn)} | {len(total.fp)} | "
               f"{ratio(len(total.tp), total.sites)} | {ratio(len(total.tp), len(total.tp) + len(total.fp))} |")
    def section(title, rows):
        if rows:
            out.extend(["", f"### {title}", "", *rows])
    section("False negatives", [f"- {l.code} `{l.tree}:{l.file}:{l.line}`: {l.reason}" for l in total.fn])
    section("False positives", [f"- {f.code} `{f.tree}:{f.file}:{f.line}` [{f.safety}]: {f.message}"
                                for f in total.fp])
    section("Fix safety differs from the label",
            [f"- {l.code} `{l.tree}:{l.file}:{l.line}`: label {l.safety}, qtfix {f.safety or 'none'}"
             for l, f in mismatched])
    section("Unjudged findings (judge and add to labels.tsv)",
            [f"- {f.code} `{f.tree}:{f.file}:{f.line}` [{f.safety}]: {f.message}" for f in unjudged])
    section("Labelled files qtfix did not analyse",
            [f"- `{t}:{p}`: {st} {why}" for (t, p), (st, why) in sorted(statuses.items()) if st != "checked"])
    return "\n".join(out) + "\n"


def head_commit() -> str:
    proc = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src", "codemods"],
                           capture_output=True, text=True).stdout.strip()
    return (proc.stdout.strip() or "unknown") + (" + uncommitted changes" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", type=Path, required=True, help="folder holding TREE and TREE.build")
    ap.add_argument("--labels", type=Path, default=REPO / "docs/recall/labels.tsv")
    ap.add_argument("--tree-list", type=Path, default=REPO / "docs/recall/trees.tsv")
    ap.add_argument("--only", action="append", default=[], help="score only this tree (repeatable)")
    ap.add_argument("--prepare", action="store_true", help="fetch and configure missing trees")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a finding is unjudged")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--qtfix", default=f"{shlex.quote(sys.executable)} -m qtfix", help="qtfix command")
    ap.add_argument("--cache-dir", type=Path, help="qtfix's cache (default: TREES/.qtfix-cache)")
    ap.add_argument("--json", type=Path, help="also write the counts as JSON here")
    args = ap.parse_args(argv)
    try:
        trees = read_trees(args.tree_list)
        labels = [l for l in read_labels(args.labels, trees) if not args.only or l.tree in args.only]
        if not labels:
            raise Bad("no labels to score")
        findings, statuses = [], {}
        for name in sorted({l.tree for l in labels}):
            tree = trees[name]
            if args.prepare:
                prepare(tree, args.trees)
            files = sorted({l.file for l in labels if l.tree == name})
            got, st = run_qtfix(tree, files, args.trees, shlex.split(args.qtfix), args.jobs,
                                args.cache_dir or args.trees / ".qtfix-cache")
            findings += got
            statuses.update({(name, p): s for p, s in st.items()})
    except Bad as e:
        print(f"score_recall: {e}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as e:
        print(f"score_recall: {shlex.join(map(str, e.cmd))} failed (exit {e.returncode})", file=sys.stderr)
        return 2
    scores, unjudged, mismatched = score(labels, findings)
    default = ap.get_default("qtfix")
    who = head_commit() if args.qtfix == default else f"{head_commit()} (scored with: {args.qtfix})"
    print(markdown(scores, unjudged, mismatched, statuses, who), end="")
    if args.json:
        counts = {c: {"sites": s.sites, "tp": len(s.tp), "fn": len(s.fn), "fp": len(s.fp)} for c, s in scores.items()}
        args.json.write_text(json.dumps({
            "codes": counts,
            "unjudged": [f"{f.tree}:{f.file}:{f.line}:{f.code}" for f in unjudged],
            "safety_mismatches": [f"{l.tree}:{l.file}:{l.line}:{l.code}" for l, _ in mismatched],
        }, indent=1) + "\n")
    return 1 if args.strict and unjudged else 0


if __name__ == "__main__":
    sys.exit(main())
