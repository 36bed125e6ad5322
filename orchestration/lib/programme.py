"""Programme settings: what the monitoring team states independently of the data files
(`<raw>/programme.toml`): the counts the data are checked against, and the programme's
data-protection policy (small-cell suppression, whether free text is kept)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.lib.suppression import DEFAULT_MIN_CELL_SIZE

PROGRAMME_FILE = "programme.toml"


class ProgrammeSettingsError(Exception):
    """programme.toml cannot be used; the message names the file and the setting."""


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

    @classmethod
    def load(cls, raw_dir: Path) -> ProgrammeSettings:
        """Missing file: nothing stated (the checks that compare against it are skipped)
        and the default policy: k = 5, no free text kept."""
        path = raw_dir / PROGRAMME_FILE
        if not path.exists():
            return cls()
        try:
            with path.open("rb") as handle:
                stated = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise ProgrammeSettingsError(f"{PROGRAMME_FILE}: not valid TOML ({error})") from error
        disclosure = _table(stated, "disclosure")
        retention = _table(stated, "retention")
        return cls(
            cohort_sizes=_counts(stated, "cohort_sizes"),
            survey_respondents=_counts(stated, "survey_respondents"),
            min_cell_size=_integer(
                disclosure.get("min_cell_size", DEFAULT_MIN_CELL_SIZE),
                "disclosure.min_cell_size",
                minimum=1,
            ),
            keep_free_text=_boolean(
                retention.get("keep_free_text", False), "retention.keep_free_text"
            ),
        )

    @property
    def total_respondents(self) -> int | None:
        return sum(self.survey_respondents.values()) if self.survey_respondents else None


def _table(stated: dict, name: str) -> dict:
    value = stated.get(name, {})
    if not isinstance(value, dict):
        raise ProgrammeSettingsError(f"{PROGRAMME_FILE}: [{name}] must be a table")
    return value


def _counts(stated: dict, name: str) -> dict[int, int]:
    counts = {}
    for cohort, count in _table(stated, name).items():
        if not str(cohort).strip().isdigit():
            raise ProgrammeSettingsError(
                f"{PROGRAMME_FILE}: [{name}] key {cohort!r} is not a cohort number"
            )
        counts[int(cohort)] = _integer(count, f"{name}.{cohort}", minimum=0)
    return counts


def _integer(value: object, name: str, minimum: int) -> int:
    # bool is an int in Python; `min_cell_size = true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ProgrammeSettingsError(
            f"{PROGRAMME_FILE}: {name} must be a whole number of at least {minimum}, not {value!r}"
        )
    return value


def _boolean(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ProgrammeSettingsError(
            f"{PROGRAMME_FILE}: {name} must be true or false, not {value!r}"
        )
    return value
