"""The suites as files: `expectations/suites/<name>.json`, one per checked table.

Read without importing GX (Dagster needs the names and tables at load time). Each suite's
`meta` names the table it checks, the tables it also reads, and the columns its problem
messages quote; each expectation's `meta` holds the contract rule and the message.
"""

from __future__ import annotations

import json
from pathlib import Path

SUITES_DIR = Path(__file__).resolve().parents[3] / "expectations" / "suites"


def suite_names() -> list[str]:
    return sorted(path.stem for path in SUITES_DIR.glob("*.json"))


def load_suite(name: str) -> dict:
    return json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))
