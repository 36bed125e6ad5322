"""Programme settings: what the monitoring team states independently of the data files
(`<raw>/programme.toml`): the programme's definition (contract v2: participant types,
domains, marker levels and reviews, survey scales and sections), the counts the data are
checked against, and the programme's data-protection policy (small-cell suppression,
whether free text is kept). Everything is optional; what is absent is IDREAM's v1."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.lib.programme_definition import ProgrammeDefinition, idream_definition
from orchestration.lib.programme_tables import DEFINITION_KEYS, read_definition
from orchestration.lib.programme_toml import (
    PROGRAMME_FILE,
    ProgrammeSettingsError,
    Table,
    fail,
)
from orchestration.lib.suppression import DEFAULT_MIN_CELL_SIZE

# Callers import the error and the file name from here, as before the definition.
__all__ = ["PROGRAMME_FILE", "ProgrammeSettings", "ProgrammeSettingsError"]

FILE_KEYS = (
    *DEFINITION_KEYS,
    "cohort_sizes",
    "survey_respondents",
    "disclosure",
    "retention",
)


@dataclass(frozen=True)
class ProgrammeSettings:
    # cohort -> participants on the roster; cohort -> distinct survey respondents.
    cohort_sizes: dict[int, int] = field(default_factory=dict)
    survey_respondents: dict[int, int] = field(default_factory=dict)
    # A published rate over fewer people than this is withheld (lib/suppression.py).
    min_cell_size: int = DEFAULT_MIN_CELL_SIZE
    # Free text (outcome statements, marker texts) is dropped at ingest unless asked for,
    # and then lands only in the `restricted` schema, which nothing published reads.
    keep_free_text: bool = False
    definition: ProgrammeDefinition = field(default_factory=idream_definition)

    @classmethod
    def load(cls, raw_dir: Path) -> ProgrammeSettings:
        """Missing file: nothing stated (the checks that compare against it are skipped),
        the default policy (k = 5, no free text kept) and IDREAM's definition, with the
        folder's name as the programme's id."""
        folder_name = raw_dir.resolve().name
        path = raw_dir / PROGRAMME_FILE
        if not path.exists():
            return cls.from_toml({}, folder_name)
        try:
            with path.open("rb") as handle:
                stated = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ProgrammeSettingsError(f"{PROGRAMME_FILE}: not valid TOML ({error})") from error
        return cls.from_toml(stated, folder_name)

    @classmethod
    def from_toml(cls, stated: dict, folder_name: str) -> ProgrammeSettings:
        """`stated` as `tomllib` reads the file; `folder_name` is the programme folder's."""
        file = Table(stated, keys=FILE_KEYS)
        disclosure = file.table("disclosure", ("min_cell_size",))
        retention = file.table("retention", ("keep_free_text",))
        return cls(
            cohort_sizes=_counts(file, "cohort_sizes"),
            survey_respondents=_counts(file, "survey_respondents"),
            min_cell_size=disclosure.integer("min_cell_size", DEFAULT_MIN_CELL_SIZE, minimum=1),
            keep_free_text=retention.boolean("keep_free_text", False),
            definition=read_definition(file, folder_name),
        )

    @property
    def total_respondents(self) -> int | None:
        return sum(self.survey_respondents.values()) if self.survey_respondents else None


def _counts(file: Table, name: str) -> dict[int, int]:
    table = file.table(name)
    counts = {}
    for cohort in table.values:
        if not str(cohort).strip().isdigit():
            fail(table.key(cohort), f"{cohort!r} is not a cohort number", table.values[cohort])
        counts[int(cohort)] = table.integer(cohort, 0, minimum=0)
    return counts
