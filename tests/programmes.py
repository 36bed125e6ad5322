"""Small hand-made programmes for end-to-end tests, written as the contract's files.

Each test builds exactly the rows it needs, so the expected figures can be computed by
hand next to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from orchestration.lib.workbooks import write_csv, write_workbook

ROSTER_HEADER = (
    "participant_id",
    "cohort",
    "participant_type",
    "name",
    "email",
    "country_of_exile",
)
MARKER_HEADER = (
    "participant_id",
    "domain",
    "outcome_no",
    "outcome",
    "level",
    "marker",
    "midpoint_status",
    "final_status",
)
UNANTICIPATED_HEADER = ("participant_id", "domain", "review", "description")
CODEBOOK_HEADER = ("item_id", "section", "statement", "scale")
LEVELS = ("Realistic", "Ambitious", "Very ambitious")
# programme.toml for tests that check hand-computed rates over a handful of people: with
# the default minimum cell size (5) those rates would be withheld from the brief.
NO_DISCLOSURE_CONTROL = "[disclosure]\nmin_cell_size = 1\n"


def outcome(
    participant_id: str, domain: str, number: int, statuses=((None, None),) * 3
) -> list[tuple]:
    """The three marker rows of one outcome; `statuses` is (midpoint, final) per level."""
    return [
        (
            participant_id,
            domain,
            number,
            f"Outcome {number} of {participant_id}",
            level,
            f"{level} marker text",
            midpoint,
            final,
        )
        for level, (midpoint, final) in zip(LEVELS, statuses, strict=True)
    ]


def achieved_outcome(participant_id: str, domain: str, number: int = 1) -> list[tuple]:
    return outcome(participant_id, domain, number, ((None, "Achieved"), (None, None), (None, None)))


@dataclass
class Programme:
    roster: list[tuple] = field(default_factory=list)
    markers: dict[str, list[tuple]] = field(default_factory=dict)
    unanticipated: dict[str, list[tuple]] = field(default_factory=dict)
    codebook: list[tuple] = field(default_factory=list)
    # file name -> (header, rows); .csv files are written with ',' unless the name says kobo.
    surveys: dict[str, tuple[tuple, list[tuple]]] = field(default_factory=dict)
    # Text of raw/programme.toml; None writes no settings file.
    programme_settings: str | None = None

    def write(self, raw_dir: Path) -> Path:
        write_workbook(
            raw_dir / "participants.xlsx", {"participants": (ROSTER_HEADER, self.roster)}
        )
        for name, rows in self.markers.items():
            sheets = {"markers": (MARKER_HEADER, rows)}
            if name in self.unanticipated:
                sheets["unanticipated"] = (UNANTICIPATED_HEADER, self.unanticipated[name])
            write_workbook(raw_dir / "success_markers" / name, sheets)
        write_workbook(
            raw_dir / "survey" / "codebook.xlsx", {"items": (CODEBOOK_HEADER, self.codebook)}
        )
        for name, (header, rows) in self.surveys.items():
            path = raw_dir / "survey" / name
            if name.endswith(".csv"):
                write_csv(
                    path, header, rows, separator=";" if "kobo" in name else ",", bom="kobo" in name
                )
            else:
                write_workbook(path, {"responses": (header, rows)})
        if self.programme_settings is not None:
            (raw_dir / "programme.toml").write_text(self.programme_settings, encoding="utf-8")
        return raw_dir


def protect_workbook(path: Path, password: str) -> None:
    """Encrypt a workbook in place as Excel's "Encrypt with Password" does."""
    import io

    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    with path.open("rb") as plain:
        OOXMLFile(plain).encrypt(password, encrypted)
    path.write_bytes(encrypted.getvalue())


def person(participant_id: str, cohort: str, participant_type: str) -> tuple:
    return (
        participant_id,
        cohort,
        participant_type,
        f"Name of {participant_id}",
        f"{participant_id.lower()}@example.org",
        "Country",
    )


def minimal_programme() -> Programme:
    """Two participants, one outcome each per domain, one survey item: a valid baseline
    that the bad-input tests break one rule at a time."""
    roster = [person("A-1", "1", "Individual"), person("A-2", "Cohort 1", "ind")]
    markers = []
    for pid in ("A-1", "A-2"):
        for domain in ("Resilience", "Advocacy", "Integrated Security"):
            markers += achieved_outcome(pid, domain)
    survey_rows = [
        ("r1", "2024-05-01T10:00:00", "1", "Agree"),
        ("r2", "2024-05-01T11:00:00", "1", "Disagree"),
    ]
    return Programme(
        roster=roster,
        markers={"cohort_1.xlsx": markers},
        codebook=[("con_01", "connection", "I feel connected", "agreement")],
        surveys={"survey.csv": (("response_id", "submitted_at", "cohort", "con_01"), survey_rows)},
        programme_settings='[cohort_sizes]\n"1" = 2\n[survey_respondents]\n"1" = 2\n',
    )
