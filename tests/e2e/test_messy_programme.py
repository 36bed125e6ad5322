"""A small, messy programme whose every figure was computed by hand (see the comments):
62.5 -> 63 rounding, a participant with no outcome in a domain, markers achieved only at
the mid-point, a participant with no outcome at all, a duplicate survey submission whose
earlier copy comes later in the file, not-applicable answers and blanks."""

import duckdb
import polars as pl
import pytest

from tests.conftest import run_idream
from tests.programmes import (
    LEVELS,
    MARKER_HEADER,
    NO_DISCLOSURE_CONTROL,
    Programme,
    outcome,
    person,
)

NOTHING = (("Partially achieved", "No"), (None, "not achieved"), (None, None))


def _markers_cohort_1() -> list[tuple]:
    rows = []
    # Resilience: I-1..I-5 achieved, I-6 and I-7 did not, I-8 set no outcome -> 5/8 = 62.5% -> 63%.
    rows += outcome("I-1", "Resilience", 1, ((None, "Achieved"), (None, None), (None, None)))
    rows += outcome(
        "I-2", "Psychosocial Resilience", 1, ((None, "yes"), (None, None), (None, None))
    )
    # Achieved at the mid-point only: still achieved.
    rows += outcome(
        "I-3", "resilience", 1, (("Achieved", "Partially achieved"), (None, None), (None, None))
    )
    # Only the very ambitious marker achieved (levels are not nested).
    rows += [
        ("I-4", "Resilience", 1, "o", level, "m", None, final)
        for level, final in zip(
            ("realistic", "AMBITIOUS", "very-ambitious"),
            ("Not achieved", "Partially achieved", "Achieved"),
            strict=True,
        )
    ]
    rows += outcome("I-5", "Resilience", 1, ((None, " ACHIEVED  "), (None, None), (None, None)))
    rows += outcome("I-6", "Resilience", 1, NOTHING)
    rows += outcome("I-7", "Resilience", 1, NOTHING) + outcome("I-7", "Resilience", 2, NOTHING)
    # Advocacy: only I-1, at the mid-point with no final review -> 1/8 = 12.5% -> 13%.
    rows += outcome(
        "I-1", "Effective Advocacy", 1, (("Achieved", None), (None, None), (None, None))
    )
    rows += outcome("I-2", "advocacy", 1, NOTHING)
    # Integrated security: nobody -> 0/8.
    rows += outcome("I-1", "Integrated Security", 1, NOTHING)
    rows += outcome("I-6", "SECURITY", 1, NOTHING)
    rows += outcome("I-8", "integrated  security", 1, NOTHING)
    return rows


def _markers_cohort_2() -> list[tuple]:
    # O-1: outcome 1 not achieved, outcome 2 achieved at the final review. O-2: no outcome.
    return outcome("O-1", "RESILIENCE", 1, NOTHING) + outcome(
        "O-1", "Resilience", 2, ((None, None), (None, "Achieved"), (None, None))
    )


SURVEY_ITEMS = ("s1", "s2", "c1")
# (response_id, cohort, s1, s2, c1). Kept answers by item:
#   s1: 5 top-box of 8 valid -> 62.5% -> 63%
#   s2: 3 top-box of 4 valid (2 N/A, 1 Don't know, 1 blank) -> 75%
#   c1: 3 top-box of 8 valid -> 37.5% -> 38%
# Security section = mean(62.5%, 75%) = 68.75% -> 69%; connection = 38%.
COHORT_1_RESPONSES = [
    ("r1", "More confident", "More confident", "Agree"),
    ("r2", "more confident", "Much more confident", "Agree"),
    ("r3", "More  confident", "much more confident", "strongly agree"),
    ("r4", "much more confident", "About the same", "Neither agree nor disagree"),
]
COHORT_2_RESPONSES = [
    ("r5", "Much more confident", "N/A", "Neither agree nor disagree", "2024-06-01T10:00:00+02:00"),
    ("r6", "About the same", "Not applicable", "disagree", "2024-06-01T11:00:00+02:00"),
    ("r7", "Less confident", "Don\u2019t know", "disagree", "2024-06-01T12:00:00+02:00"),
    # The kept, later submission of `dup` comes first in the file...
    ("dup", "much less confident", None, "Disagree", "2024-06-02T09:00:00Z"),
    # ...and its earlier attempt second: it must be discarded.
    ("dup", "More confident", "More confident", "Strongly agree", "2024-06-01T09:00:00Z"),
]


def messy_programme() -> Programme:
    from datetime import datetime

    roster = [
        person(f"I-{n}", ("1", "Cohort 1", "C1", " cohort 1 ")[n % 4], ("Individual", "ind")[n % 2])
        for n in range(1, 9)
    ]
    roster += [person("O-1", "2", "Organisation"), person("O-2", "cohort 2", "org")]
    kobo_header = (
        "start",
        "deviceid",
        "username",
        "cohort",
        *SURVEY_ITEMS,
        "_id",
        "_uuid",
        "_submission_time",
        "_submitted_by",
    )
    return Programme(
        roster=roster,
        markers={"c1.xlsx": _markers_cohort_1(), "c2.xlsx": _markers_cohort_2()},
        unanticipated={
            "c2.xlsx": [("O-2", None, "Final", "A description that must never be stored")]
        },
        programme_settings=NO_DISCLOSURE_CONTROL,
        codebook=[
            ("s1", "security", "Statement s1", "confidence"),
            ("S2 ", "Security", "Statement s2", "Confidence"),
            ("c1", "connection", "Statement c1", "agreement"),
        ],
        surveys={
            "cohort1.xlsx": (
                ("Response ID", "Submitted at", "Cohort", "S1", "s2", "c1", "Comments"),
                [
                    (rid, datetime(2024, 5, 1, 9 + n), "C1", s1, s2, c1, "free text")
                    for n, (rid, s1, s2, c1) in enumerate(COHORT_1_RESPONSES)
                ],
            ),
            "cohort2_kobo.csv": (
                kobo_header,
                [
                    ("2024-06-01", "dev1", "enum", "2", s1, s2, c1, n, rid, at, "me")
                    for n, (rid, s1, s2, c1, at) in enumerate(COHORT_2_RESPONSES)
                ],
            ),
        },
    )


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory):
    raw = messy_programme().write(tmp_path_factory.mktemp("raw"))
    warehouse = tmp_path_factory.mktemp("warehouse")
    assert run_idream(raw, warehouse).exit_code == 0
    return warehouse


def test_domain_rates_are_computed_by_hand(messy_run):
    table = pl.read_csv(messy_run / "brief" / "success_markers_by_domain.csv", infer_schema=False)
    counts = ["cohort", "participant_type", "participants"] + [
        f"{domain}_{part}"
        for domain in ("resilience", "advocacy", "integrated_security", "any_domain")
        for part in ("achieved", "pct")
    ]
    assert table.select(counts).rows() == [
        # cohort, type, N, res n, %, adv n, %, sec n, %, any n, %
        ("1", "individual", "8", "5", "63", "1", "13", "0", "0", "5", "63"),
        ("2", "organization", "2", "1", "50", "0", "0", "0", "0", "1", "50"),
        ("all", None, "10", "6", "60", "1", "10", "0", "0", "6", "60"),
    ]
    # 95% Wilson intervals, in percent: 5/8 -> 30.6-86.3; 0/8 -> 0.0-32.4; 1/2 -> 9.5-90.5.
    cohort_1, cohort_2, _ = table.iter_rows(named=True)
    assert (cohort_1["resilience_ci_low"], cohort_1["resilience_ci_high"]) == ("30.6", "86.3")
    assert (cohort_1["integrated_security_ci_low"], cohort_1["integrated_security_ci_high"]) == (
        "0.0",
        "32.4",
    )
    assert (cohort_2["resilience_ci_low"], cohort_2["resilience_ci_high"]) == ("9.5", "90.5")


def test_survey_rates_are_computed_by_hand(messy_run):
    items = pl.read_csv(messy_run / "brief" / "survey_items.csv")
    by_item = {row["item_id"]: row for row in items.iter_rows(named=True)}
    assert [
        (i, by_item[i]["valid_n"], by_item[i]["top_box_n"], by_item[i]["top_box_pct"])
        for i in SURVEY_ITEMS
    ] == [
        ("s1", 8, 5, 63),
        ("s2", 4, 3, 75),
        ("c1", 8, 3, 38),
    ]
    s2 = by_item["s2"]
    assert (s2["not_applicable_n"], s2["dont_know_n"], s2["skipped_n"]) == (2, 1, 1)
    assert (s2["about_the_same_n"], s2["more_confident_n"], s2["much_more_confident_n"]) == (
        1,
        1,
        2,
    )
    # Categories of the other scale are not zero answers; they are not categories at all.
    assert s2["agree_n"] is None and by_item["c1"]["more_confident_n"] is None
    assert by_item["c1"]["disagree_n"] == 3

    sections = pl.read_csv(messy_run / "brief" / "survey_sections.csv")
    assert sections.rows() == [("security", 2, 8, 69), ("connection", 1, 8, 38)]


def test_duplicate_submission_keeps_the_latest_and_unanticipated_are_separate(messy_run):
    with duckdb.connect(str(messy_run / "idream.duckdb"), read_only=True) as connection:
        kept = connection.execute(
            "select submissions, submitted_at from intermediate.int_survey__latest_responses "
            "where response_id = 'dup'"
        ).fetchone()
        unanticipated = connection.execute(
            "select count(*), count(domain) from marts.fct_unanticipated_outcomes"
        ).fetchone()
        no_outcome = connection.execute(
            "select markers, has_achieved from marts.fct_participant_domains p "
            "join marts.dim_participants d using (participant_key) "
            "where d.cohort = 2 and p.markers = 0 and p.domain = 'resilience'"
        ).fetchall()
    assert kept[0] == 2 and kept[1].isoformat() == "2024-06-02T09:00:00"
    assert unanticipated == (1, 0)
    # O-2 set no outcome anywhere: in the denominator, not achieved.
    assert no_outcome == [(0, False)]
    markdown = (messy_run / "brief" / "brief.md").read_text(encoding="utf-8")
    assert "| Cohort 1 (N=8 individuals) | 63% | 13% | 0% | 63% |" in markdown
    assert "Across Cohorts 1 and 2, 8 respondents" in markdown
    assert "A description that must never be stored" not in markdown


def test_markers_helper_covers_all_levels():
    # The programme builder itself: three rows per outcome, one per level, in order.
    rows = outcome("X", "Advocacy", 3)
    assert [row[MARKER_HEADER.index("level")] for row in rows] == list(LEVELS)
