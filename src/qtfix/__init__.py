"""qtfix: codemods for legacy Qt C++ test suites."""

__version__ = "0.1.0"
