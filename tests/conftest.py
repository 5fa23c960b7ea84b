"""Shared test setup: the helper modules in tests/ (qtbuild, ...) are importable
from every test file, whatever pytest's import mode."""

from __future__ import annotations

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))
