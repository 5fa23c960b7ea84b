#!/usr/bin/env python3
"""Renders the codemod catalogue table into README.md from the codemods.

The table sits between `<!-- catalogue:start -->` and `<!-- catalogue:end -->`;
everything outside the markers is left alone. The rows come from the same
discovery the CLI uses, so a new file in codemods/ shows up here without
anyone listing it.

    python3 scripts/gen_readme_catalogue.py          # rewrite README.md
    python3 scripts/gen_readme_catalogue.py --check  # exit 1 when it is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

START = "<!-- catalogue:start -->"
END = "<!-- catalogue:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def _cell(text: str) -> str:
    # A bare `|` would end the cell early; newlines would end the row.
    return " ".join(text.split()).replace("|", "\\|")


def render_table() -> str:
    from qtfix.codemod import discover

    rows = [
        "| code | name | fix | what it finds |",
        "|---|---|---|---|",
    ]
    for code, cls in discover().items():
        rows.append(f"| {code} | `{cls.name}` | {cls.safety.value} | {_cell(cls.summary)} |")
    return "\n".join(rows) + "\n"


def replace_block(readme_text: str, table: str) -> str:
    start = readme_text.find(START)
    end = readme_text.find(END)
    if start < 0 or end < 0 or end < start:
        raise ValueError(f"README.md lacks the markers {START} ... {END} (in that order)")
    head = readme_text[: start + len(START)]
    return f"{head}\n{table}{readme_text[end:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether README.md is up to date")
    parser.add_argument("--readme", type=Path, default=README, help="the file to update (default: the repo's README.md)")
    args = parser.parse_args(argv)

    current = args.readme.read_text(encoding="utf-8")
    try:
        wanted = replace_block(current, render_table())
    except ValueError as exc:
        print(f"{args.readme}: {exc}", file=sys.stderr)
        return 2
    if wanted == current:
        return 0
    if args.check:
        print(f"{args.readme}: the catalogue table is stale; run python3 scripts/gen_readme_catalogue.py", file=sys.stderr)
        return 1
    args.readme.write_text(wanted, encoding="utf-8")
    print(f"updated the catalogue in {args.readme}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
