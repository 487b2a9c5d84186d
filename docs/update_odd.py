"""Regenerate the parameter table of docs/ODD.md from src/coopsim/config/scenario.py."""

import re
from pathlib import Path

from coopsim.config.scenario import parameter_table

path = Path(__file__).with_name("ODD.md")
text = path.read_text()
new = re.sub(r"(<!-- parameter-table:start -->\n).*?(<!-- parameter-table:end -->)",
             lambda m: m.group(1) + parameter_table() + "\n" + m.group(2), text, flags=re.S)
path.write_text(new)
print(f"updated {path}")
