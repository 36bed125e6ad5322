"""The brief's further analysis (issue 16) through the real pipeline, on the shipped sample
and on examples/paralegal_fellowship: every figure of the six new published tables equals
an independent computation from the raw files.

Independent: the raw workbooks and exports are read here with Polars' own readers
(pl.read_excel, pl.read_csv), not the pipeline's ingest, and the contract's rules are
applied in plain Python over the rows: the label rule, "achieved" (at any review) and
"achieved by a review" (at it or an earlier one), the highest level among the achieved
markers (levels are not nested), the roster as every participant rate's denominator, a
section's figure as the mean of its items' rates, rounding half up only at publication.
The two programmes' definitions are written out below as small tables, from IDREAM's
defaults (raw/programme.toml defines none) and examples/paralegal_fellowship/programme.toml.
Only the 95% Wilson interval is the library's formula (lib/intervals.py, tested on its own),
as in test_example_programme.py.

Guard the guard: the same computation reproduces the tables published before issue 16
(success_markers_by_domain.csv, survey_sections.csv, survey_items.csv) of the same runs.

Hand computation for the paralegal example, from MARKER_PLAN in
orchestration/example_programme.py (HAND_* below hold it; a test checks that the
computation above gives it). Plan letters per participant, domains in order casework,
legal education, referrals, self-care; per letter, when its expected (X) and stretch (S)
markers were first met (4: month 4, 8: month 8, E: exit, -: never):

    E  X:E  S:-     expected only          M  X:4  S:-   expected only
    S  X:-  S:8     stretch only: not nested   B  X:8  S:E   both
    2  two outcomes, N then E: expected met at exit     N, U  never     -  no outcome

    cohort 1 (6):  BENM E-2N MSEE NEE- ENSB UNNN
    cohort 2 (8):  EEEE BN2E NSNN EE-M SNEN MENE E-NE NNNN
    cohort 3 (6):  BBEN ENNE NES- 2MNN E-NS NNNU   (PF3-01..04 legal clinics, 05..06 paralegals)

Highest level (marker_levels.csv: none / expected / stretch): stretch for B and S, expected
for E, M and 2, none for N, U and -; across domains, the highest of the row's letters.
Achieved by a review (marker_progress.csv: month 4 / month 8 / exit): the earliest
review among the row's letters in that domain (any domain: in the whole row).

    cohort  N   casework  legal ed.  referrals  self-care  any domain
    levels: none / expected / stretch
    1       6   2 3 1     3 2 1      2 3 1      3 2 1      1 2 3
    2       8   2 4 2     4 3 1      5 3 0      3 5 0      1 4 3
    3       6   2 3 1     3 2 1      4 1 1      4 1 1      1 2 3
    all    20   6 10 4    10 7 3     11 7 2     10 8 2     3 8 9
    progress: achieved by month 4 / month 8 / exit (exit = the headline table's)
    1       6   1 2 4     0 1 3      0 1 4      1 2 3      2 3 5
    2       8   1 3 6     0 1 4      0 0 3      1 1 5      2 5 7    (1/8 = 12.5% -> 13,
    3       6   0 1 4     1 2 3      0 1 2      0 1 2      1 4 5     3/8 -> 38, 5/8 -> 63)
    all    20   2 6 14    1 4 10     0 2 9      2 4 10     5 12 17

marker_level_rates.csv: markers set at a level = outcomes (letters but -, 2 counting two);
achieved expected = E + M + B + 2, achieved stretch = S + B:

    cohort  expected           stretch
    1       12/23  52% (52.2)  4/23  17% (17.4)
    2       16/31  52% (51.6)  3/31  10% (9.7)
    3        9/23  39% (39.1)  4/23  17%
    all     37/77  48% (48.1)  11/77 14% (14.3)   (154 markers, 48 achieved, as the
                                                    docstring of test_example_programme)

success_markers_by_type.csv (achieved per domain, then any domain):

    paralegal  16   11 69%   7 44%   7 44%   9 56%   13 81%   (68.75, 43.75, 56.25, 81.25)
    clinic      4    3        3       2       1        4      withheld: 4 < k = 5
    all        20   14 70%  10 50%   9 45%  10 50%   17 85%   (the headline's "all" row)
With the clinics withheld, "all" minus "paralegal" would give them: a complementary cell
of each column is withheld too.

survey_sections_by_cohort.csv, from RESPONSES (agreement top box 3+4, frequency 3):

    cohort  section       N   items  mean of the items' rates (N: respondents)
    1       case_skills   5   3   (4/5 + 4/4 + 3/4) / 3 = 85%
    1       outreach      5   2   (4/5 + 3/5) / 2 = 70%
    1       peer_support  5   2   (4/5 + 2/2) / 2 = 90%
    2       case_skills   4   3   (3/4 + 4/4 + 3/4) / 3 = 83%   withheld: 4 respondents
    2       outreach      4   2   (3/4 + 2/4) / 2 = 62.5 -> 63  withheld
    2       peer_support  4   2   (4/4 + 1/1) / 2 = 100%        withheld
    3       case_skills   3   3   (2/3 + 2/3 + 3/3) / 3 = 78%   withheld: 3 respondents
    3       outreach      3   2   (1/2 + 2/3) / 2 = 58%         withheld
    3       peer_support  2   2   (2/2 + 0/1) / 2 = 50%         withheld

A cohort's section average is over its respondents: withheld below k = 5 of them. Unlike
the headline's section figure, it is not withheld for an item with fewer than k valid
answers in the cohort (cs_02 and cs_03 have 4 in cohort 1, peer_02 2): no item is published
by cohort, so there is no published item rate for the average to give back.

unanticipated_outcomes.csv: PF1-04 in referrals at exit, PF3-02 with no domain at month 8:
(1, referrals, exit, 1, 1), (3, unspecified, month_8, 1, 1), and the same two for "all".

Not nested: 6 participants reached the stretch level without the expected one, each in a
cohort and domain of its own (the S letters): the quality warning has 6 lines.
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest

from orchestration.lib.intervals import wilson_percent
from tests.conftest import SAMPLE_RAW
from tests.e2e.test_leak import PSEUDONYM

EXAMPLE_RAW = SAMPLE_RAW.parent / "examples" / "paralegal_fellowship"
SUPPRESSED = "suppressed"
NEW_TABLES = (
    "marker_levels",
    "marker_progress",
    "marker_level_rates",
    "success_markers_by_type",
    "survey_sections_by_cohort",
    "unanticipated_outcomes",
)
# The brief's own findings, as brief.md heads them before issue 16: they stay as they are,
# and the further analysis comes after them. (The spec says "after the brief's own
# sections"; the publisher puts it before the methods note, which covers both.)
OWN_FINDINGS = ("## 1. Success markers", "## 2. End-of-cohort survey")
FURTHER_HEADING = "## Further analysis"


# --- the programmes' definitions, as small tables of their own -------------------------


@dataclass(frozen=True)
class Scale:
    categories: tuple[str, ...]  # lowest to highest
    top: int  # how many of the highest are favourable


@dataclass(frozen=True)
class Programme:
    raw: Path
    # id -> every spelling the contract accepts (id, label, plural, aliases), in order
    participant_types: dict[str, tuple[str, ...]]
    domains: dict[str, tuple[str, ...]]
    levels: tuple[str, ...]  # labels, lowest first
    reviews: tuple[str, ...]  # labels, in time order
    achieved: tuple[str, ...]
    not_achieved: tuple[str, ...]
    cohort_column: str
    excluded: tuple[str, ...]
    exclude_review_states: tuple[str, ...]
    scales: dict[str, Scale]
    sections: dict[str, tuple[str, ...]]  # id -> (label,), in the brief's order
    min_cell_size: int = 5

    @property
    def level_ids(self) -> tuple[str, ...]:
        return tuple(ident(level) for level in self.levels)

    @property
    def review_ids(self) -> tuple[str, ...]:
        return tuple(ident(review) for review in self.reviews)


# IDREAM: no definition in raw/programme.toml, so the contract's defaults.
IDREAM = Programme(
    raw=SAMPLE_RAW,
    participant_types={
        "individual": ("individual", "individuals", "Individual", "ind"),
        "organization": ("organization", "organizations", "Organisation", "org"),
    },
    domains={
        "resilience": ("Resilience", "Psychosocial Resilience"),
        "advocacy": ("Advocacy", "Effective Advocacy"),
        "integrated_security": ("Integrated Security", "Security"),
    },
    levels=("Realistic", "Ambitious", "Very ambitious"),
    reviews=("midpoint", "final"),
    achieved=("Achieved", "Yes"),
    not_achieved=("Partially achieved", "Not achieved", "No"),
    cohort_column="cohort",
    excluded=("Not applicable", "N/A", "Don't know"),
    exclude_review_states=("rejected", "not approved"),
    scales={
        "confidence": Scale(
            (
                "Much less confident",
                "Less confident",
                "About the same",
                "More confident",
                "Much more confident",
            ),
            2,
        ),
        "agreement": Scale(
            (
                "Strongly disagree",
                "Disagree",
                "Neither agree nor disagree",
                "Agree",
                "Strongly agree",
            ),
            2,
        ),
    },
    sections={"security": ("Security",), "advocacy": ("Advocacy",), "connection": ("Connection",)},
)

# examples/paralegal_fellowship/programme.toml
PARALEGAL = Programme(
    raw=EXAMPLE_RAW,
    participant_types={
        "paralegal": ("paralegal", "paralegals", "Paralegal fellow"),
        "clinic": ("legal clinic", "legal clinics", "Clinic", "Community legal clinic"),
    },
    domains={
        "casework": ("Casework", "Case work", "Client casework"),
        "legal_education": ("Legal education", "Community legal education"),
        "referrals": ("Referral networks", "Referrals"),
        "self_care": ("Self-care and safety", "Self care"),
    },
    levels=("Expected", "Stretch"),
    reviews=("Month 4", "Month 8", "Exit"),
    achieved=("Met",),
    not_achieved=("Partly met", "Not met"),
    cohort_column="Which cohort are you in?",
    excluded=("Prefer not to say", "Not relevant to my work"),
    exclude_review_states=("rejected", "not approved"),
    scales={
        "agreement": Scale(("Disagree", "Somewhat disagree", "Somewhat agree", "Agree"), 2),
        "frequency": Scale(("Less often", "About as often", "More often"), 1),
    },
    sections={
        "case_skills": ("Case skills",),
        "outreach": ("Outreach",),
        "peer_support": ("Peer support",),
    },
)


# The paralegal example's hand computation (the module's docstring), per cohort; per domain
# in the definition's order, then any_domain.
HAND_LEVELS = {  # (none, expected, stretch)
    "1": ((2, 3, 1), (3, 2, 1), (2, 3, 1), (3, 2, 1), (1, 2, 3)),
    "2": ((2, 4, 2), (4, 3, 1), (5, 3, 0), (3, 5, 0), (1, 4, 3)),
    "3": ((2, 3, 1), (3, 2, 1), (4, 1, 1), (4, 1, 1), (1, 2, 3)),
    "all": ((6, 10, 4), (10, 7, 3), (11, 7, 2), (10, 8, 2), (3, 8, 9)),
}
HAND_PROGRESS = {  # achieved by month 4, month 8, exit
    "1": ((1, 2, 4), (0, 1, 3), (0, 1, 4), (1, 2, 3), (2, 3, 5)),
    "2": ((1, 3, 6), (0, 1, 4), (0, 0, 3), (1, 1, 5), (2, 5, 7)),
    "3": ((0, 1, 4), (1, 2, 3), (0, 1, 2), (0, 1, 2), (1, 4, 5)),
    "all": ((2, 6, 14), (1, 4, 10), (0, 2, 9), (2, 4, 10), (5, 12, 17)),
}
HAND_PARTICIPANTS = {"1": 6, "2": 8, "3": 6, "all": 20}
HAND_LEVEL_RATES = {  # (markers, achieved, %) for expected, then stretch
    "1": ((23, 12, 52), (23, 4, 17)),
    "2": ((31, 16, 52), (31, 3, 10)),
    "3": ((23, 9, 39), (23, 4, 17)),
    "all": ((77, 37, 48), (77, 11, 14)),
}
HAND_BY_TYPE = {  # participants, achieved per domain
    "paralegal": (16, (11, 7, 7, 9, 13)),
    "clinic": (4, (3, 3, 2, 1, 4)),
    "all": (20, (14, 10, 9, 10, 17)),
}
HAND_SECTIONS = {  # (cohort, section) -> respondents, items, mean of the items' rates
    ("1", "case_skills"): (5, 3, (Fraction(4, 5) + 1 + Fraction(3, 4)) / 3),
    ("1", "outreach"): (5, 2, (Fraction(4, 5) + Fraction(3, 5)) / 2),
    ("1", "peer_support"): (5, 2, (Fraction(4, 5) + 1) / 2),
    ("2", "case_skills"): (4, 3, (Fraction(3, 4) + 1 + Fraction(3, 4)) / 3),
    ("2", "outreach"): (4, 2, (Fraction(3, 4) + Fraction(2, 4)) / 2),
    ("2", "peer_support"): (4, 2, Fraction(1)),
    ("3", "case_skills"): (3, 3, (Fraction(2, 3) + Fraction(2, 3) + 1) / 3),
    ("3", "outreach"): (3, 2, (Fraction(1, 2) + Fraction(2, 3)) / 2),
    ("3", "peer_support"): (2, 2, Fraction(1, 2)),
}
# What the example publishes of them: cohort 1's, the only one with k = 5 respondents.
HAND_SECTIONS_SHOWN = {
    ("1", "case_skills"): "85",
    ("1", "outreach"): "70",
    ("1", "peer_support"): "90",
}
HAND_UNANTICIPATED = [
    ("1", "referrals", "exit", 1, 1),
    ("3", "unspecified", "month_8", 1, 1),
    ("all", "referrals", "exit", 1, 1),
    ("all", "unspecified", "month_8", 1, 1),
]
HAND_NOT_NESTED = 6


# --- the label rule and the raw files, read with Polars' own readers --------------------


def label(text: object) -> str:
    """The contract's label rule: letters and digits, any case; each run of anything else
    is one space; none at the ends."""
    return re.sub(r"[\W_]+", " ", str(text).lower()).strip()


def ident(text: str) -> str:
    """A label's id: `Very ambitious` -> `very_ambitious`, `Month 4` -> `month_4`."""
    return label(text).replace(" ", "_")


def lookup(spellings: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """label -> id, over an id and all its spellings."""
    return {label(s): key for key, names in spellings.items() for s in (key, *names)}


def cohort_number(text: str) -> int:
    match = re.fullmatch(r"(?:cohort|c)?\s*(\d+)", label(text))
    assert match, f"not a cohort: {text!r}"
    return int(match.group(1))


def participant(text: str) -> str:
    """Participant ids match ignoring case and surrounding or repeated spaces."""
    return " ".join(text.split()).upper()


@dataclass
class Sheet:
    """A sheet's header (as written) and the non-empty rows under it, cells as text or None."""

    name: str
    headers: list[str | None]
    rows: list[tuple[str | None, ...]]

    def index(self, column: str) -> int | None:
        wanted = label(column)
        found = [i for i, h in enumerate(self.headers) if h is not None and label(h) == wanted]
        return found[0] if found else None

    def column(self, column: str) -> list[str | None]:
        index = self.index(column)
        assert index is not None, (self.name, column, self.headers)
        return [row[index] for row in self.rows]

    def records(self, *columns: str) -> list[tuple[str | None, ...]]:
        return list(zip(*(self.column(c) for c in columns), strict=True))


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()  # spaces, tabs and non-breaking spaces alone are a blank
    return text or None


def _sheet(name: str, frame: pl.DataFrame, required: tuple[str, ...]) -> Sheet:
    """The header is the first of the first 10 rows that holds every required column."""
    rows = [tuple(_text(v) for v in row) for row in frame.iter_rows()]
    rows = [row for row in rows if any(v is not None for v in row)]
    wanted = {label(c) for c in required}
    for position, row in enumerate(rows[:10]):
        if wanted <= {label(v) for v in row if v is not None}:
            return Sheet(name, list(row), rows[position + 1 :])
    raise AssertionError(f"{name}: no header with {required}")


def workbook(path: Path) -> dict[str, pl.DataFrame]:
    """Every sheet, every cell as text (a cached formula value, as Polars reads it)."""
    return pl.read_excel(path, sheet_id=0, has_header=False, infer_schema_length=0)


def read_sheet(path: Path, sheet: str, required: tuple[str, ...]) -> Sheet | None:
    for name, frame in workbook(path).items():
        if label(name) == label(sheet):
            return _sheet(f"{path.name}:{name}", frame, required)
    return None


def read_csv(path: Path, required: tuple[str, ...]) -> Sheet:
    text = path.read_text(encoding="utf-8-sig")
    first = text.splitlines()[0]
    separator = ";" if first.count(";") > first.count(",") else ","
    frame = pl.read_csv(
        io.StringIO(text), separator=separator, has_header=False, infer_schema=False
    )
    return _sheet(path.name, frame, required)


WORKBOOKS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


def data_files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The folder's own files (not its sub-folders'), lock and hidden files left out, in
    name order."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file()
        and not path.name.startswith(("~$", "."))
        and path.suffix.lower() in suffixes
    )


# --- the raw facts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Marker:
    participant: str
    domain: str
    outcome_no: int
    level_order: int  # 1 = lowest
    first_achieved: int | None  # the order of the first review at which it was achieved


@dataclass(frozen=True)
class Response:
    response_id: str
    submitted: datetime
    read_order: tuple[int, int]  # (file, row): the later one wins a tie
    cohort: int
    # item -> ("valid", top box?) | ("excluded", None) | ("skipped", None)
    answers: dict[str, tuple[str, bool | None]]


@dataclass
class Raw:
    programme: Programme
    roster: dict[str, tuple[int, str]] = field(default_factory=dict)  # id -> (cohort, type)
    markers: list[Marker] = field(default_factory=list)
    unanticipated: list[tuple[str, str, str]] = field(default_factory=list)  # pid, domain, review
    items: dict[str, tuple[str, str]] = field(default_factory=dict)  # item -> (section, scale)
    responses: list[Response] = field(default_factory=list)  # kept: one per response id

    @property
    def cohorts(self) -> list[int]:
        return sorted({cohort for cohort, _ in self.roster.values()})

    def members(self, cohort: int | None) -> list[str]:
        """The roster of a cohort (None: all cohorts): the denominator."""
        return [p for p, (c, _) in self.roster.items() if cohort is None or c == cohort]


def read_raw(programme: Programme) -> Raw:
    raw = Raw(programme)
    _read_roster(raw)
    _read_markers(raw)
    _read_survey(raw)
    return raw


def _read_roster(raw: Raw) -> None:
    types = lookup(raw.programme.participant_types)
    sheet = read_sheet(
        raw.programme.raw / "participants.xlsx",
        "participants",
        ("participant_id", "cohort", "participant_type"),
    )
    for pid, cohort, kind in sheet.records("participant_id", "cohort", "participant_type"):
        raw.roster[participant(pid)] = (cohort_number(cohort), types[label(kind)])


def _read_markers(raw: Raw) -> None:
    programme = raw.programme
    domains, levels = (
        lookup(programme.domains),
        {label(v): i for i, v in enumerate(programme.levels, 1)},
    )
    achieved = {label(s) for s in programme.achieved}
    not_achieved = {label(s) for s in programme.not_achieved}
    reviews = {label(r): order for order, r in enumerate(programme.reviews, 1)}
    status_columns = [f"{review}_status" for review in programme.review_ids]
    required = ("participant_id", "domain", "outcome_no", "level")
    for path in data_files(programme.raw / "success_markers", WORKBOOKS):
        sheet = read_sheet(path, "markers", required)
        present = [
            (order, c) for order, c in enumerate(status_columns, 1) if sheet.index(c) is not None
        ]
        statuses = [sheet.column(c) for _, c in present]
        for row, record in enumerate(sheet.records(*required)):
            pid, domain, outcome_no, level = record
            first = None
            for (order, _), column in zip(present, statuses, strict=True):
                status = column[row]
                if status is None:
                    continue  # not reviewed
                assert label(status) in achieved | not_achieved, (path.name, status)
                if label(status) in achieved and first is None:
                    first = order
            raw.markers.append(
                Marker(
                    participant(pid),
                    domains[label(domain)],
                    int(float(outcome_no)),
                    levels[label(level)],
                    first,
                )
            )
        sheet = read_sheet(path, "unanticipated", ("participant_id", "review"))
        if sheet is None:
            continue
        domain_index = sheet.index("domain")
        for row in sheet.rows:
            pid, review = row[sheet.index("participant_id")], row[sheet.index("review")]
            domain = row[domain_index] if domain_index is not None else None
            assert label(review) in reviews, review
            raw.unanticipated.append(
                (
                    participant(pid),
                    "unspecified" if domain is None else domains[label(domain)],
                    programme.review_ids[reviews[label(review)] - 1],
                )
            )
    # Every marker's participant is on the roster; one marker per level of an outcome.
    assert {m.participant for m in raw.markers} <= set(raw.roster)
    outcomes = defaultdict(list)
    for marker in raw.markers:
        outcomes[marker.participant, marker.domain, marker.outcome_no].append(marker.level_order)
    assert all(sorted(v) == list(range(1, len(programme.levels) + 1)) for v in outcomes.values())


RESPONSE_IDS = ("response_id", "_uuid", "meta/instanceID", "meta-instanceID", "KEY")
SUBMITTED = ("submitted_at", "_submission_time", "SubmissionDate")
REVIEW_STATES = ("_validation_status", "ReviewState")


def _find(headers: list[str | None], name: str, statement: str | None = None) -> int | None:
    """An item's (or the cohort's) column: its name or statement by the label rule, then the
    part after the last `/` (Kobo's groups), then the part after the last `-` (ODK's)."""
    names = {label(name)} | ({label(statement)} if statement else set())
    for part in (
        lambda h: h,
        lambda h: h.rsplit("/", 1)[-1],
    ):
        found = [i for i, h in enumerate(headers) if h is not None and label(part(h)) in names]
        if found:
            return found[0]
    found = [
        i
        for i, h in enumerate(headers)
        if h is not None and label(h.rsplit("-", 1)[-1]) == label(name)
    ]
    return found[0] if found else None


def _first_of(headers: list[str | None], names: tuple[str, ...]) -> int | None:
    for name in names:
        found = [i for i, h in enumerate(headers) if h is not None and label(h) == label(name)]
        if found:
            return found[0]
    return None


def _time(text: str) -> datetime:
    """ISO with or without an offset (none is UTC), or an Excel date rounded to the second."""
    try:
        serial = float(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    moment = datetime(1899, 12, 30, tzinfo=UTC) + timedelta(days=serial)
    return moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))


def _read_survey(raw: Raw) -> None:
    programme = raw.programme
    sections = lookup(programme.sections)
    codebook = read_sheet(
        programme.raw / "survey" / "codebook.xlsx",
        "items",
        ("item_id", "section", "statement", "scale"),
    )
    statements = {}
    for item_id, section, statement, scale in codebook.records(
        "item_id", "section", "statement", "scale"
    ):
        raw.items[item_id] = (sections[label(section)], ident(scale))
        statements[item_id] = statement
    answers = {}  # (scale, answer label) -> ("valid", top?) | ("excluded", None)
    for scale_id, scale in programme.scales.items():
        for position, category in enumerate(scale.categories):
            top = position >= len(scale.categories) - scale.top
            answers[scale_id, label(category)] = ("valid", top)
        for excluded in programme.excluded:
            answers[scale_id, label(excluded)] = ("excluded", None)
    turned_down = {label(state) for state in programme.exclude_review_states}

    exports = [
        path
        for path in data_files(programme.raw / "survey", (".csv", *WORKBOOKS))
        if path.name != "codebook.xlsx"
    ]
    read = []
    for file_order, path in enumerate(exports):
        if path.suffix.lower() == ".csv":
            sheet = read_csv(path, ())
        else:
            sheets = workbook(path)
            name = next((n for n in sheets if label(n) == "responses"), next(iter(sheets)))
            sheet = _sheet(f"{path.name}:{name}", sheets[name], ())
        headers = sheet.headers
        id_at, time_at = _first_of(headers, RESPONSE_IDS), _first_of(headers, SUBMITTED)
        state_at = _first_of(headers, REVIEW_STATES)
        cohort_at = _find(headers, programme.cohort_column)
        item_at = {i: _find(headers, i, statements[i]) for i in raw.items}
        assert None not in (id_at, time_at, cohort_at, *item_at.values()), (path.name, headers)
        for row_order, row in enumerate(sheet.rows):
            state = row[state_at] if state_at is not None else None
            if (
                state is not None
                and label(re.sub(r"^validation_status_", "", state)) in turned_down
            ):
                continue  # a reviewer turned it down: left out before duplicates
            given = {}
            for item_id, (_, scale) in raw.items.items():
                answer = row[item_at[item_id]]
                if answer is None:
                    given[item_id] = ("skipped", None)
                else:
                    assert (scale, label(answer)) in answers, (path.name, item_id, answer)
                    given[item_id] = answers[scale, label(answer)]
            read.append(
                Response(
                    re.sub(r"^uuid:", "", row[id_at]),
                    _time(row[time_at]),
                    (file_order, row_order),
                    cohort_number(row[cohort_at]),
                    given,
                )
            )
    # A response id seen twice keeps the latest submission; on equal times, the one read last.
    latest = {}
    for response in sorted(read, key=lambda r: (r.submitted, r.read_order)):
        latest[response.response_id] = response
    raw.responses = sorted(latest.values(), key=lambda r: r.read_order)


# --- the contract's rules -----------------------------------------------------------------


def half_up(share: Fraction) -> int:
    """Whole percentages, half up (62.5 -> 63), on exact fractions."""
    return int((share * 100 + Fraction(1, 2)).__floor__())


def pct(numerator: int, denominator: int) -> int:
    return half_up(Fraction(numerator, denominator))


@dataclass(frozen=True)
class Cell:
    """An expected figure and the denominator that decides whether it may be published
    (None: a count that is no rate, published as it is)."""

    value: object
    denominator: int | None = None


def cohort_keys(raw: Raw) -> list[tuple[str, int | None]]:
    return [(str(c), c) for c in raw.cohorts] + [("all", None)]


def domain_keys(programme: Programme) -> list[str]:
    return [*programme.domains, "any_domain"]


def achieved_markers(raw: Raw, pid: str, domain: str) -> list[Marker]:
    return [
        m
        for m in raw.markers
        if m.participant == pid
        and (domain == "any_domain" or m.domain == domain)
        and m.first_achieved is not None
    ]


def expected_marker_levels(raw: Raw) -> list[dict[str, Cell]]:
    """Participants by the highest level among their achieved markers in the domain."""
    levels = raw.programme.level_ids
    rows = []
    for cohort, number in cohort_keys(raw):
        members = raw.members(number)
        for domain in domain_keys(raw.programme):
            counts = [0] * (len(levels) + 1)  # none, then each level
            for pid in members:
                reached = achieved_markers(raw, pid, domain)
                counts[max((m.level_order for m in reached), default=0)] += 1
            n = len(members)
            row = {"cohort": Cell(cohort), "domain": Cell(domain), "participants": Cell(n)}
            row["highest_none_n"] = Cell(counts[0], n)
            row |= {f"highest_{lv}_n": Cell(counts[i], n) for i, lv in enumerate(levels, 1)}
            rows.append(row)
    return rows


def expected_marker_progress(raw: Raw) -> list[dict[str, Cell]]:
    """Participants with a marker in the domain achieved at each review or an earlier one."""
    rows = []
    for cohort, number in cohort_keys(raw):
        members = raw.members(number)
        n = len(members)
        for domain in domain_keys(raw.programme):
            row = {"cohort": Cell(cohort), "domain": Cell(domain), "participants": Cell(n)}
            for order, review in enumerate(raw.programme.review_ids, 1):
                k = sum(
                    any(m.first_achieved <= order for m in achieved_markers(raw, pid, domain))
                    for pid in members
                )
                row[f"achieved_by_{review}_n"] = Cell(k, n)
                row[f"achieved_by_{review}_pct"] = Cell(pct(k, n), n)
            rows.append(row)
    return rows


def expected_marker_level_rates(raw: Raw) -> list[dict[str, Cell]]:
    """The share of the markers set at each level, over all domains, that were achieved."""
    rows = []
    for cohort, number in cohort_keys(raw):
        members = set(raw.members(number))
        for order, level in enumerate(raw.programme.level_ids, 1):
            set_here = [
                m for m in raw.markers if m.participant in members and m.level_order == order
            ]
            k, n = sum(m.first_achieved is not None for m in set_here), len(set_here)
            rows.append(
                {
                    "cohort": Cell(cohort),
                    "level": Cell(level),
                    "markers": Cell(n),
                    "achieved_n": Cell(k, n),
                    "achieved_pct": Cell(pct(k, n) if n else None, n),
                }
            )
    return rows


def expected_by_type(raw: Raw) -> list[dict[str, Cell]]:
    """As the headline table, by participant type (the types on the roster, then all)."""
    present = {kind for _, kind in raw.roster.values()}
    kinds = [kind for kind in raw.programme.participant_types if kind in present]
    rows = []
    for kind in [*kinds, "all"]:
        members = [p for p, (_, t) in raw.roster.items() if kind in ("all", t)]
        n = len(members)
        row = {"participant_type": Cell(kind), "participants": Cell(n)}
        for domain in domain_keys(raw.programme):
            k = sum(bool(achieved_markers(raw, pid, domain)) for pid in members)
            low, high = wilson_percent(k, n)
            row[f"{domain}_achieved"] = Cell(k, n)
            row[f"{domain}_pct"] = Cell(pct(k, n), n)
            row[f"{domain}_ci_low"] = Cell(low, n)
            row[f"{domain}_ci_high"] = Cell(high, n)
        rows.append(row)
    return rows


def section_figures(raw: Raw, cohort: int | None, section: str) -> dict:
    """respondents, items, the mean of the item rates (exact), and each item's (k, n)."""
    responses = [r for r in raw.responses if cohort is None or r.cohort == cohort]
    items = [i for i, (s, _) in raw.items.items() if s == section]
    rates = {}
    for item in items:
        valid = [r.answers[item][1] for r in responses if r.answers[item][0] == "valid"]
        if valid:
            rates[item] = (sum(valid), len(valid))
    respondents = sum(any(r.answers[i][0] == "valid" for i in items) for r in responses)
    mean = (
        sum((Fraction(k, n) for k, n in rates.values()), Fraction(0)) / len(rates)
        if rates
        else None
    )
    return {"respondents": respondents, "items": len(rates), "mean": mean, "rates": rates}


def expected_survey_sections_by_cohort(raw: Raw) -> list[dict[str, Cell]]:
    """A cohort's section figure: the mean of that cohort's item rates, over its
    respondents (the module's docstring says why an item's few answers do not withhold it)."""
    rows = []
    for cohort in sorted({r.cohort for r in raw.responses}):
        for section in raw.programme.sections:
            figures = section_figures(raw, cohort, section)
            mean = figures["mean"]
            rows.append(
                {
                    "cohort": Cell(str(cohort)),
                    "section": Cell(section),
                    "respondents": Cell(figures["respondents"]),
                    "items": Cell(figures["items"]),
                    "top_box_pct": Cell(
                        None if mean is None else half_up(mean), figures["respondents"]
                    ),
                }
            )
    return rows


def expected_unanticipated(raw: Raw) -> list[dict[str, Cell]]:
    domain_order = [*raw.programme.domains, "unspecified"]
    review_order = list(raw.programme.review_ids)
    rows = []
    for cohort, number in cohort_keys(raw):
        members = set(raw.members(number))
        for domain in domain_order:
            for review in review_order:
                here = [
                    pid
                    for pid, d, r in raw.unanticipated
                    if pid in members and d == domain and r == review
                ]
                if here:
                    rows.append(
                        {
                            "cohort": Cell(cohort),
                            "domain": Cell(domain),
                            "review": Cell(review),
                            "outcomes_n": Cell(len(here)),
                            "participants_n": Cell(len(set(here))),
                        }
                    )
    return rows


def non_nested(raw: Raw) -> dict[tuple[int, str], int]:
    """(cohort, domain) -> participants who reached a level there but missed a lower one."""
    counts = defaultdict(int)
    for pid, (cohort, _) in raw.roster.items():
        for domain in raw.programme.domains:
            reached = {m.level_order for m in achieved_markers(raw, pid, domain)}
            if reached and reached != set(range(1, max(reached) + 1)):
                counts[cohort, domain] += 1
    return dict(counts)


EXPECTED = {
    "marker_levels": expected_marker_levels,
    "marker_progress": expected_marker_progress,
    "marker_level_rates": expected_marker_level_rates,
    "success_markers_by_type": expected_by_type,
    "survey_sections_by_cohort": expected_survey_sections_by_cohort,
    "unanticipated_outcomes": expected_unanticipated,
}


# --- comparing a published CSV with the expected rows -------------------------------------


def published(brief: Path, stem: str) -> pl.DataFrame:
    return pl.read_csv(brief / f"{stem}.csv", infer_schema=False)


def shown(value: object) -> str | None:
    """How the CSV writes an expected value (every cell read back as text)."""
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    return str(value)


def assert_table(table: pl.DataFrame, expected: list[dict[str, Cell]], k: int, name: str) -> None:
    """Same columns and rows in order; a cell over fewer than k is `suppressed`; any other
    cell is the expected figure, or `suppressed` only where the table withholds a cell below
    k (a complementary cell)."""
    columns = [c for c in table.columns if not c.endswith("_suppressed")]
    assert columns == list(expected[0]), name
    assert table.height == len(expected), (name, table.height, len(expected))
    primary = any(
        cell.denominator is not None and 0 < cell.denominator < k
        for row in expected
        for cell in row.values()
    )
    for got, want in zip(table.iter_rows(named=True), expected, strict=True):
        where = (name, *(want[c].value for c in columns[:2]))
        for column, cell in want.items():
            value = got[column]
            if cell.denominator is not None and 0 < cell.denominator < k:
                assert value == SUPPRESSED, (*where, column, value, cell)
            elif value == SUPPRESSED:
                assert primary, (*where, column, "withheld with no cell below k in the table")
            elif isinstance(cell.value, float):
                assert float(value) == cell.value, (*where, column, value, cell.value)
            else:
                assert value == shown(cell.value), (*where, column, value, cell.value)


def assert_not_recomputable(
    table: pl.DataFrame, expected: list[dict[str, Cell]], key: str, totals: dict[str, str]
) -> None:
    """The property test's method, column by column: the withheld counts of a column, which
    add up with the published ones to the "all" row's, can each still take two values. The
    total is the table's "all" cell, or where that is withheld, the same figure published
    elsewhere (`totals`: the headline table's "all" row)."""
    rows = {row[key].value: row for row in expected}
    got = {row[key]: row for row in table.iter_rows(named=True)}
    parts = [name for name in rows if name != "all"]
    for column in [c for c in expected[0] if c.endswith(("_achieved", "_n"))]:
        total = got["all"][column]
        if total == SUPPRESSED:
            total = totals.get(column, SUPPRESSED)
        hidden = [p for p in parts if got[p][column] == SUPPRESSED]
        if total == SUPPRESSED or not hidden:
            continue
        shown_sum = sum(int(got[p][column]) for p in parts if p not in hidden)
        residual = int(total) - shown_sum
        capacity = sum(rows[p][column].denominator for p in hidden)
        for part in hidden:
            size = rows[part][column].denominator
            low, high = max(0, residual - (capacity - size)), min(size, residual)
            assert low < high, (column, part, "recomputable from the published cells")


# --- the runs -----------------------------------------------------------------------------
# The session's run of the sample and of the paralegal example (tests/e2e/conftest.py),
# which other modules read too.


@pytest.fixture(scope="module")
def idream_raw() -> Raw:
    return read_raw(IDREAM)


@pytest.fixture(scope="module")
def paralegal_raw() -> Raw:
    return read_raw(PARALEGAL)


@pytest.fixture(params=["idream", "paralegal"])
def case(request, sample_run, idream_raw, paralegal_raw) -> tuple[Path, Raw, str]:
    """(warehouse, the raw facts, what the run printed) of each programme."""
    if request.param == "idream":
        return sample_run[0], idream_raw, sample_run.terminal
    warehouse, printed = request.getfixturevalue("example_run")
    return warehouse, paralegal_raw, printed


# --- guard the guard: the independent computation against what is published today -------


def test_the_independent_computation_gives_the_headline_success_marker_table(case):
    warehouse, raw, _ = case
    headline = published(warehouse / "brief", "success_markers_by_domain")
    last = raw.programme.review_ids[-1]
    progress = {(r["cohort"].value, r["domain"].value): r for r in expected_marker_progress(raw)}
    levels = {(r["cohort"].value, r["domain"].value): r for r in expected_marker_levels(raw)}
    assert headline["cohort"].to_list() == [cohort for cohort, _ in cohort_keys(raw)]
    for row in headline.iter_rows(named=True):
        for domain in domain_keys(raw.programme):
            mine = progress[row["cohort"], domain]
            n, k = mine["participants"].value, mine[f"achieved_by_{last}_n"].value
            # Achieved by the last review = achieved; and every achiever has a highest level.
            assert n - levels[row["cohort"], domain]["highest_none_n"].value == k
            assert (row["participants"], row[f"{domain}_achieved"]) == (str(n), str(k))
            assert row[f"{domain}_pct"] == str(pct(k, n)), (row["cohort"], domain)


def test_the_independent_computation_gives_the_headline_survey_tables(case):
    warehouse, raw, _ = case
    k_min = raw.programme.min_cell_size
    items = {
        r["item_id"]: r
        for r in published(warehouse / "brief", "survey_items").iter_rows(named=True)
    }
    assert set(items) == set(raw.items)
    sections = published(warehouse / "brief", "survey_sections")
    assert sections["section"].to_list() == list(raw.programme.sections)
    for row in sections.iter_rows(named=True):
        figures = section_figures(raw, None, row["section"])
        assert (row["respondents"], row["items"]) == (
            str(figures["respondents"]),
            str(figures["items"]),
        )
        for item, (top, valid) in figures["rates"].items():
            assert items[item]["valid_n"] == str(valid), item
            assert items[item]["top_box_n"] in (str(top), SUPPRESSED), item
        withheld = figures["respondents"] < k_min or any(
            n < k_min for _, n in figures["rates"].values()
        )
        assert row["top_box_pct"] == (SUPPRESSED if withheld else str(half_up(figures["mean"])))


def test_the_independent_computation_is_the_paralegal_hand_computation(paralegal_raw):
    raw = paralegal_raw
    levels = {(r["cohort"].value, r["domain"].value): r for r in expected_marker_levels(raw)}
    progress = {(r["cohort"].value, r["domain"].value): r for r in expected_marker_progress(raw)}
    for cohort, per_domain in HAND_LEVELS.items():
        for domain, counts, by_review in zip(
            domain_keys(raw.programme), per_domain, HAND_PROGRESS[cohort], strict=True
        ):
            row = levels[cohort, domain]
            assert row["participants"].value == HAND_PARTICIPANTS[cohort]
            got = tuple(row[f"highest_{lv}_n"].value for lv in ("none", "expected", "stretch"))
            assert got == counts, (cohort, domain)
            got = tuple(
                progress[cohort, domain][f"achieved_by_{review}_n"].value
                for review in ("month_4", "month_8", "exit")
            )
            assert got == by_review, (cohort, domain)
    rates = {(r["cohort"].value, r["level"].value): r for r in expected_marker_level_rates(raw)}
    for cohort, per_level in HAND_LEVEL_RATES.items():
        for level, figures in zip(("expected", "stretch"), per_level, strict=True):
            row = rates[cohort, level]
            got = (row["markers"].value, row["achieved_n"].value, row["achieved_pct"].value)
            assert got == figures, (cohort, level)
    by_type = {r["participant_type"].value: r for r in expected_by_type(raw)}
    assert list(by_type) == list(HAND_BY_TYPE)
    for kind, (participants, achieved) in HAND_BY_TYPE.items():
        row = by_type[kind]
        assert row["participants"].value == participants
        got = tuple(row[f"{d}_achieved"].value for d in domain_keys(raw.programme))
        assert got == achieved, kind
    sections = expected_survey_sections_by_cohort(raw)
    assert [(r["cohort"].value, r["section"].value) for r in sections] == list(HAND_SECTIONS)
    for row in sections:
        where = (row["cohort"].value, row["section"].value)
        respondents, items, mean = HAND_SECTIONS[where]
        assert (row["respondents"].value, row["items"].value) == (respondents, items), where
        assert row["top_box_pct"].value == half_up(mean), where
        # Published only where k responded.
        shown_here = row["top_box_pct"].denominator >= raw.programme.min_cell_size
        assert shown_here == (where in HAND_SECTIONS_SHOWN), where
        if shown_here:
            assert str(half_up(mean)) == HAND_SECTIONS_SHOWN[where], where
    assert half_up(HAND_SECTIONS["2", "outreach"][2]) == 63  # 62.5, half up
    unanticipated = [tuple(c.value for c in r.values()) for r in expected_unanticipated(raw)]
    assert unanticipated == HAND_UNANTICIPATED
    assert sum(non_nested(raw).values()) == HAND_NOT_NESTED
    assert len(non_nested(raw)) == HAND_NOT_NESTED  # each in a cohort and domain of its own


# --- the published tables -------------------------------------------------------------


def _in_expected_order(table: pl.DataFrame, expected: list[dict[str, Cell]], keys: int):
    """The published rows in the expected rows' order (for a table whose order the spec
    leaves open), once both hold the same keys."""
    names = list(expected[0])[:keys]
    published_keys = [tuple(row[:keys]) for row in table.select(names).iter_rows()]
    wanted = [tuple(shown(row[n].value) for n in names) for row in expected]
    assert sorted(published_keys) == sorted(wanted)
    order = {key: position for position, key in enumerate(wanted)}
    return (
        table.with_columns(pl.Series("_order", [order[key] for key in published_keys]))
        .sort("_order")
        .drop("_order")
    )


@pytest.mark.parametrize("stem", NEW_TABLES)
def test_every_figure_of_the_new_tables_is_the_independent_computation(case, stem):
    warehouse, raw, _ = case
    table = published(warehouse / "brief", stem)
    expected = EXPECTED[stem](raw)
    assert expected, stem
    if stem == "unanticipated_outcomes":
        table = _in_expected_order(table, expected, keys=3)
    assert_table(table, expected, raw.programme.min_cell_size, stem)


def test_the_new_tables_agree_with_the_headline_and_add_up(case):
    warehouse, raw, _ = case
    brief = warehouse / "brief"
    headline = {
        r["cohort"]: r for r in published(brief, "success_markers_by_domain").iter_rows(named=True)
    }
    last = raw.programme.review_ids[-1]
    levels = [f"highest_{lv}_n" for lv in ("none", *raw.programme.level_ids)]
    for row in published(brief, "marker_levels").iter_rows(named=True):
        assert sum(int(row[c]) for c in levels) == int(row["participants"]), row
    for row in published(brief, "marker_progress").iter_rows(named=True):
        domain = row["domain"]
        assert row[f"achieved_by_{last}_n"] == headline[row["cohort"]][f"{domain}_achieved"]
        assert row[f"achieved_by_{last}_pct"] == headline[row["cohort"]][f"{domain}_pct"]
        by_review = [int(row[f"achieved_by_{r}_n"]) for r in raw.programme.review_ids]
        assert by_review == sorted(by_review), row  # achieved by a review stays achieved
    everyone = published(brief, "success_markers_by_type").filter(
        pl.col("participant_type") == "all"
    )
    for column in everyone.columns[2:]:
        if not column.endswith("_suppressed") and everyone[column][0] != SUPPRESSED:
            assert everyone[column][0] == headline["all"][column], column


def test_a_withheld_participant_type_cannot_be_recomputed(case):
    warehouse, raw, _ = case
    table = published(warehouse / "brief", "success_markers_by_type")
    expected = expected_by_type(raw)
    headline = published(warehouse / "brief", "success_markers_by_domain")
    totals = headline.filter(pl.col("cohort") == "all").row(0, named=True)
    assert_not_recomputable(table, expected, "participant_type", totals)
    if raw.programme is PARALEGAL:
        # The 4 legal clinics are below k = 5: every rate of their row is withheld.
        clinic = table.filter(pl.col("participant_type") == "clinic").row(0, named=True)
        rates = [c for c in clinic if c not in ("participant_type", "participants")]
        assert all(clinic[c] == SUPPRESSED for c in rates if not c.endswith("_suppressed"))
    else:
        assert SUPPRESSED not in table.write_csv()


@pytest.mark.parametrize("stem", NEW_TABLES)
def test_the_parquet_copies_hold_the_csv_figures_typed(case, stem):
    warehouse, _, _ = case
    brief = warehouse / "brief"
    text, typed = published(brief, stem), pl.read_parquet(brief / f"{stem}.parquet")
    assert typed.height == text.height
    for column in text.columns:
        if column.endswith("_suppressed"):
            continue
        for cell, value in zip(text[column], typed[column], strict=True):
            if cell in (None, SUPPRESSED):
                assert value is None, (stem, column, cell, value)
            elif isinstance(value, float):
                assert value == float(cell), (stem, column)
            else:
                assert str(value) == cell, (stem, column, value, cell)


OWN_SECTIONS_MD = [
    "## 1. Success markers",
    "## 2. End-of-cohort survey",
    "## Methods",
    "### Counting rules",
    "### Denominators",
    "### What “average” means",
    "### Uncertainty",
    "### Small cells",
    "### Interpreting the evidence",
    "### Data quality",
    "## Provenance",
]


def _further_section(markdown: str) -> tuple[list[str], str]:
    """The brief's headings outside the further analysis, and the further analysis's text."""
    lines = markdown.splitlines()
    start = lines.index(FURTHER_HEADING)
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(r"#{1,2} ", lines[i])), len(lines)
    )
    outside = [line for line in lines[:start] + lines[end:] if re.match(r"#+ ", line)]
    return outside, "\n".join(lines[start:end])


def test_the_further_analysis_follows_the_briefs_own_sections_unchanged(case):
    warehouse, raw, _ = case
    brief = warehouse / "brief"
    markdown = (brief / "brief.md").read_text(encoding="utf-8")
    assert markdown.count(FURTHER_HEADING + "\n") == 1
    outside, further = _further_section(markdown)
    # The brief's own sections, as issue 16 found them, in their order and all there.
    assert outside[0].startswith("# ") and outside[1:] == OWN_SECTIONS_MD
    headings = [line for line in markdown.splitlines() if re.match(r"#+ ", line)]
    assert all(headings.index(FURTHER_HEADING) > headings.index(h) for h in OWN_FINDINGS)
    html = (brief / "brief.html").read_text(encoding="utf-8")
    h2 = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    assert h2.count("Further analysis") == 1
    assert all(h2.index("Further analysis") > h2.index(h.removeprefix("## ")) for h in OWN_FINDINGS)
    # The caveats of the brief apply here too.
    assert re.search(r"self-report", further, re.I), further
    assert re.search(r"comparison group", further, re.I), further
    # No claim the figures do not carry: every "p% (k/n)" is one of the independent
    # computation's fractions, rounded half up, and every other percentage is published or
    # a level's share of its participants.
    fractions = _independent_fractions(raw)
    matches = list(re.finditer(r"(\d+)% [^(%|]{0,40}\((\d+)/(\d+)\b", further))
    assert len(matches) >= 10, further
    for match in matches:
        said, k, n = map(int, match.groups())
        assert (k, n) in fractions and said == pct(k, n), match.group(0)
    shown_pcts = {str(pct(k, n)) for k, n in fractions}
    for stem in (*NEW_TABLES, "success_markers_by_domain"):
        table = published(brief, stem)
        for column in (c for c in table.columns if c.endswith("_pct")):
            shown_pcts |= {cell for cell in table[column] if cell not in (None, SUPPRESSED)}
    said = re.findall(r"(?<![\d.])(\d+)%(?!\s*(?:confidence|interval|Wilson))", further)
    assert said and set(said) <= shown_pcts, sorted(set(said) - shown_pcts)


def _independent_fractions(raw: Raw) -> set[tuple[int, int]]:
    """Every (k, n) of the independent computation: levels, progress, level and type rates."""
    fractions = set()
    for row in expected_marker_levels(raw):
        n = row["participants"].value
        fractions |= {(c.value, n) for name, c in row.items() if name.startswith("highest_")}
    for row in expected_marker_progress(raw):
        n = row["participants"].value
        fractions |= {(c.value, n) for name, c in row.items() if name.endswith("_n")}
    for row in expected_marker_level_rates(raw):
        fractions.add((row["achieved_n"].value, row["markers"].value))
    for row in expected_by_type(raw):
        n = row["participants"].value
        fractions |= {(c.value, n) for name, c in row.items() if name.endswith("_achieved")}
    return fractions


def test_the_not_nested_warning_gives_counts_and_no_participant(case):
    warehouse, raw, printed = case
    summary = json.loads((warehouse / "quality" / "summary.json").read_text(encoding="utf-8"))
    warnings = [
        failure
        for suite in summary["suites"]
        for failure in suite["failures"]
        if failure["severity"] == "warning" and "not nested" in failure["rule"]
    ]
    # One line per cohort and domain where some participant skipped a lower level.
    assert len(warnings) == 1, warnings
    assert warnings[0]["unexpected_count"] == len(non_nested(raw)) > 0
    ids = [pid.lower() for pid in raw.roster]
    places = {"terminal": printed}
    for path in [warehouse / "brief" / "brief.md", *(warehouse / "logs").iterdir()]:
        places[str(path)] = path.read_text(encoding="utf-8")
    for path in (warehouse / "quality").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json"):
            places[str(path)] = path.read_text(encoding="utf-8")
    # The run's log has the report's lines: each cohort and domain with its count, in the
    # definition's labels.
    log = "\n".join(text for place, text in places.items() if place.endswith(".log"))
    for (cohort, domain), count in non_nested(raw).items():
        label_of = raw.programme.domains[domain][0]
        line = f"cohort {cohort}, {label_of}: {count} participant(s) achieved a higher level"
        assert line in log, line
    for place, text in places.items():
        assert not PSEUDONYM.search(text), place
        lowered = text.lower()
        assert not [pid for pid in ids if pid in lowered], place
