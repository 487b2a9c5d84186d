"""The architecture refactoring changed no number: every shipped scenario, the Ishigami and a
small Morris experiment, a small discovery, a small compare (national and one region) and
`coopsim validate` give the fingerprints recorded at the commit before it
(tests/identity/golden.json, made by tests/identity/fingerprint.py at f65c78f).

A change meant to change results regenerates the file with `make golden` and says why."""

import json
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "identity"))
import fingerprint  # noqa: E402


@pytest.mark.slow
def test_outputs_are_bit_identical_to_the_recorded_fingerprints(tmp_path):
    expected = json.loads((ROOT / "tests" / "identity" / "golden.json").read_text())
    actual = fingerprint.fingerprints(ROOT / "src", ROOT, tmp_path)
    assert fingerprint.differences(expected, actual) == []


def test_a_changed_number_is_detected(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"x": [0.1, 0.2]})
    frame.to_parquet(tmp_path / "a.parquet")
    before = fingerprint.fingerprint_folder(tmp_path)
    frame.assign(x=[0.1, 0.2 + 1e-16]).to_parquet(tmp_path / "a.parquet")
    after = fingerprint.fingerprint_folder(tmp_path)
    assert fingerprint.differences({"c": before}, {"c": after})
