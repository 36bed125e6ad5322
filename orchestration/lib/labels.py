"""The label dictionary: every spelling the contract allows, mapped to one canonical value.

The dictionary is the dbt seed `label_dictionary.csv`: dbt staging maps labels through it
and the GX suites check raw labels against the same file, so the two can never disagree.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl


@dataclass(frozen=True)
class LabelDictionary:
    values: dict[str, dict[str, str]]

    @classmethod
    def load(cls, path: Path) -> LabelDictionary:
        values: dict[str, dict[str, str]] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                values.setdefault(row["field"], {})[row["label_key"]] = row["value"]
        return cls(values)

    def frame(self, field: str) -> pl.DataFrame:
        entries = self.values[field]
        return pl.DataFrame(
            {"label_key": list(entries), "value": list(entries.values())},
            schema={"label_key": pl.String, "value": pl.String},
        )


def label_key_expr(column: str) -> pl.Expr:
    """Column version of `text.label_key` and of the dbt macro of the same name."""
    return pl.col(column).str.to_lowercase().str.replace_all(r"[-_ ]+", " ").str.strip_chars()
