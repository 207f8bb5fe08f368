"""A seeded, typed generator of small Python programs (the ``generated`` dataset kind).

Built like Csmith and like Hypothesis strategies: a symbol table (scope.py) tracks every name's type and
which names may change; small strategies write literals (values.py), expressions (expressions.py),
statements (statements.py) and whole programs (shapes.py), each only from what the scope allows, so every
program parses and every loop and recursion ends by construction, not by filtering afterwards.
structure.py hashes a program's shape (names and constants abstracted) to measure diversity.
"""
