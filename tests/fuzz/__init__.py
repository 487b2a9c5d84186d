"""Generators of hostile inputs for tests/test_fuzz.py: scenario files, experiment files and
command lines, each built by a seeded mutator (`random.Random(seed)`), so a failure is
reproduced by its seed and case number.

- `toml_text`: a small TOML writer (valid, or with values TOML can hold but coopsim refuses).
- `schema`: the parameters a scenario declares (paths, types, ranges), read from the schema.
- `values`: wrong types, out-of-range, non-finite, long and misspelt values for a parameter.
- `files`: what a file can be besides good TOML (encodings, syntax, nesting, special files,
  `extends` chains and cycles).
- `scenarios`, `experiments`, `options`: the three kinds of cases.
- `runner`: runs a case through `coopsim.cli.main` in-process under a time limit (or in a
  subprocess) and classifies the outcome.
"""
