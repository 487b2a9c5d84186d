"""docs/ODD.md stays true to the code: its parameter table is the one the code generates."""

import re

from coopsim.model.mechanisms import STEP_ORDER
from coopsim.config.scenario import parameter_table
from conftest import ROOT


def test_odd_parameter_table_matches_the_code():
    text = (ROOT / "docs" / "ODD.md").read_text()
    block = re.search(r"<!-- parameter-table:start -->\n(.*)\n<!-- parameter-table:end -->", text, re.S)
    assert block, "ODD.md lost its parameter-table markers"
    assert block.group(1).strip() == parameter_table().strip(), \
        "ODD.md's parameter table is stale: run `python docs/update_odd.py`"


def test_odd_names_every_mechanism_in_schedule_order():
    text = (ROOT / "docs" / "ODD.md").read_text()
    positions = [text.index(f"{f.__module__.rsplit('.', 1)[1]}.{f.__name__}") for _, f in STEP_ORDER]
    assert positions == sorted(positions)
