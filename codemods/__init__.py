"""The codemod catalogue: one module per codemod, named by its slug.

Modules here are discovered (`qtfix.codemod.discover`), never listed by hand.
Modules whose name starts with `_` hold shared helpers.
"""
