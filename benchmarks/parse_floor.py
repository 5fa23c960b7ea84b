#!/usr/bin/env python3
"""The floor under `qtfix check`: a bare libclang parse of every file.

    python benchmarks/parse_floor.py PATHS -p BUILD_DIR [--jobs J] [--no-pch --cache-dir DIR]

Each file is parsed exactly as qtfix parses it (same file list, same
arguments from compile_commands.json plus the file's own folder, same parse
options, the main file and missing moc outputs as unsaved files, the same
precompiled header from the cache directory), and nothing else is done: no
codemods, no result cache. `jobs` worker processes take files one at a time,
as qtfix's do. Prints one JSON line: files parsed, files with errors.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
from pathlib import Path

from clang import cindex

from qtfix.cache import default_cache_dir
from qtfix.parse import PARSE_OPTIONS, generated_stand_ins, include_dirs_of  # also sets up libclang as qtfix does
from qtfix.pch import PchCache, usable_for
from qtfix.project import FlagSource, collect_files


def parse_one(task: tuple[str, tuple[str, ...], str | None]) -> tuple[str, int]:
    path, args, pch = task
    source = Path(path).read_bytes()
    full = list(args) + ["-I", str(Path(path).resolve().parent)]
    if pch is not None and usable_for(source, Path(pch)):
        full += ["-include-pch", pch]
    unsaved = [(path, source)] + generated_stand_ins(Path(path), source, include_dirs_of(full))
    tu = cindex.Index.create().parse(path, args=full, unsaved_files=unsaved, options=PARSE_OPTIONS)
    errors = sum(1 for d in tu.diagnostics if d.severity >= cindex.Diagnostic.Error)
    return path, errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("-p", "--build-dir", type=Path, default=None)
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("--no-pch", action="store_true")
    ap.add_argument("--cache-dir", type=Path, default=None, help="where qtfix keeps its precompiled headers")
    a = ap.parse_args(argv)
    files = collect_files(a.paths)
    args, left_out = FlagSource(a.build_dir).args_for_all(files)
    files = [f for f in files if f not in left_out]  # as qtfix: the build decides
    pch_for: dict[tuple[str, ...], str | None] = {}
    if not a.no_pch:
        pchs = PchCache(a.cache_dir or default_cache_dir())
        for flags in dict.fromkeys(args.values()):
            built = pchs.ensure(flags)
            pch_for[flags] = str(built) if built else None
    tasks = [(str(f), args[f], pch_for.get(args[f])) for f in files]
    failed = []
    with mp.get_context("fork").Pool(a.jobs) as pool:
        for path, errors in pool.imap_unordered(parse_one, tasks, chunksize=1):
            if errors:
                failed.append(path)
    print(json.dumps({"files": len(files), "with_errors": len(failed), "pch": sorted({p for p in pch_for.values() if p})}))
    for path in failed:
        print(f"parse_floor: {path}: has errors", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
