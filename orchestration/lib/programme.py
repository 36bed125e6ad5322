"""Programme settings: what the monitoring team states independently of the data files
(`<raw>/programme.toml`), so that the data can be checked against it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROGRAMME_FILE = "programme.toml"


@dataclass(frozen=True)
class ProgrammeSettings:
    # cohort -> participants on the roster; cohort -> distinct survey respondents.
    cohort_sizes: dict[int, int] = field(default_factory=dict)
    survey_respondents: dict[int, int] = field(default_factory=dict)

    @classmethod
    def load(cls, raw_dir: Path) -> ProgrammeSettings:
        """Missing file: nothing stated, and the checks that compare against it are skipped."""
        path = raw_dir / PROGRAMME_FILE
        if not path.exists():
            return cls()
        with path.open("rb") as handle:
            stated = tomllib.load(handle)
        return cls(
            cohort_sizes={int(k): int(v) for k, v in stated.get("cohort_sizes", {}).items()},
            survey_respondents={
                int(k): int(v) for k, v in stated.get("survey_respondents", {}).items()
            },
        )

    @property
    def total_respondents(self) -> int | None:
        return sum(self.survey_respondents.values()) if self.survey_respondents else None
