"""The second example programme (examples/paralegal_fellowship, contract v2) through the real
pipeline: every published figure equals the hand computation below, and no name, email,
country, phone, participant code, free text or survey-tool metadata of its files reaches
the warehouse, the brief or the terminal.

The plans it is generated from are literal tables in orchestration/example_programme.py
(MARKER_PLAN, RESPONSES); the hand computation reads them.

Success markers. A participant achieved a domain when any marker there is `Met` at any
review. Plan letters per participant, domains in order casework, legal education,
referrals, self-care: E/M/S/B/2 achieved, N/U/- not (see PATTERNS).

    cohort 1 (6 paralegals):  BENM E-2N MSEE NEE- ENSB UNNN
    cohort 2 (8 paralegals):  EEEE BN2E NSNN EE-M SNEN MENE E-NE NNNN
    cohort 3 (4 clinics + 2 paralegals = mixed): BBEN ENNE NES- 2MNN E-NS NNNU

    cohort  N  casework   legal ed.  referrals  self-care  any domain
    1       6  4   67%    3   50%    4   67%    3   50%    5   83%
    2       8  6   75%    4   50%    3   38%    5   63%    7   88%   (37.5, 62.5, 87.5 half up)
    3       6  4   67%    3   50%    2   33%    2   33%    5   83%
    all    20  14  70%    10  50%    9   45%    10  50%    17  85%

Markers: 74 planned outcomes + 3 second outcomes (letter 2) = 77 outcomes x 2 levels =
154 rows; achieved 48, first at month 4: M = 5; month 8: B (expected) + S = 5 + 6 = 11;
exit: E + 2 + B (stretch) = 24 + 3 + 5 = 32.

Survey. 12 kept responses (cohort 1: 5, cohort 2: 4, cohort 3: 3); one Kobo submission
"Not approved" and one ODK submission `rejected` are left out. Answers per item (1..4
agreement, 1..3 frequency; X prefer not to say, R not relevant, - skipped), from RESPONSES:

    item     scale      1  2  3  4   X  R  -   valid  top box       %
    cs_01    agreement  1  2  3  6   0  0  0   12     3+4:  9/12   75
    cs_02    agreement  0  1  5  5   0  0  1   11     3+4: 10/11   91  (90.9)
    cs_03    agreement  0  2  3  6   1  0  0   11     3+4:  9/11   82  (81.8)
    out_01   frequency  0  3  8      0  1  0   11     3:    8/11   73  (72.7)
    out_02   frequency  1  4  7      0  0  0   12     3:    7/12   58  (58.3)
    peer_01  agreement  0  1  4  6   1  0  0   11     3+4: 10/11   91
    peer_02  agreement  0  1  1  2   1  5  2    4     withheld: 4 valid answers < k = 5

    section       items  respondents  mean of the items' rates
    case_skills   3      12           (9/12 + 10/11 + 9/11) / 3 = 109/132 = 82.6% -> 83
                                      (pooled 28/34 = 82.4% would give 82)
    outreach      2      12           (8/11 + 7/12) / 2 = 173/264 = 65.5% -> 66
                                      (pooled 15/23 = 65.2% would give 65)
    peer_support  2      11           withheld with peer_02 (respondent 7 answered neither)

Intervals are the 95% Wilson intervals of these k/n (lib/intervals.py, tested on its own).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration import example_programme as example
from orchestration.lib.intervals import wilson_percent
from orchestration.lib.publishing import TABLE_FILES
from tests.e2e.test_leak import PSEUDONYM, assert_nowhere, warehouse_text, written_files

SUPPRESSED = "suppressed"
DOMAINS = ("casework", "legal_education", "referrals", "self_care", "any_domain")
DOMAIN_LABELS = ("Casework", "Legal education", "Referral networks", "Self-care and safety")
# cohort -> (participant type, N, achieved per domain in DOMAINS order)
MARKER_FIGURES = {
    "1": ("paralegal", 6, (4, 3, 4, 3, 5)),
    "2": ("paralegal", 8, (6, 4, 3, 5, 7)),
    "3": ("mixed", 6, (4, 3, 2, 2, 5)),
    "all": (None, 20, (14, 10, 9, 10, 17)),
}
MARKER_PCTS = {
    "1": (67, 50, 67, 50, 83),
    "2": (75, 50, 38, 63, 88),
    "3": (67, 50, 33, 33, 83),
    "all": (70, 50, 45, 50, 85),
}
ANSWERS = {
    "agreement": ("disagree", "somewhat_disagree", "somewhat_agree", "agree"),
    "frequency": ("less_often", "about_as_often", "more_often"),
}
EXCLUDED = ("prefer_not_to_say", "not_relevant_to_my_work")
# item -> (section, scale, counts per category of its scale, (X, R, -), valid, top box, %)
ITEM_FIGURES = {
    "cs_01": ("case_skills", "agreement", (1, 2, 3, 6), (0, 0, 0), 12, 9, 75),
    "cs_02": ("case_skills", "agreement", (0, 1, 5, 5), (0, 0, 1), 11, 10, 91),
    "cs_03": ("case_skills", "agreement", (0, 2, 3, 6), (1, 0, 0), 11, 9, 82),
    "out_01": ("outreach", "frequency", (0, 3, 8), (0, 1, 0), 11, 8, 73),
    "out_02": ("outreach", "frequency", (1, 4, 7), (0, 0, 0), 12, 7, 58),
    "peer_01": ("peer_support", "agreement", (0, 1, 4, 6), (1, 0, 0), 11, 10, 91),
}
WITHHELD_ITEM = ("peer_02", "peer_support", "agreement", 4)
# section -> (items, respondents, mean top-box % or None when withheld)
SECTION_FIGURES = {
    "case_skills": (3, 12, 83),
    "outreach": (2, 12, 66),
    "peer_support": (2, 11, None),
}
SECTION_WORDS = {
    # section -> (phrase, the labels of its scale's top box)
    "case_skills": ("statements about handling cases", ("Somewhat agree", "Agree")),
    "outreach": ("outreach practices", ("More often",)),
    "peer_support": ("statements about support from other fellows", ("Somewhat agree", "Agree")),
}


@pytest.fixture(scope="module")
def brief(example_run) -> Path:
    return example_run[0] / "brief"


def published(brief: Path, attribute: str) -> pl.DataFrame:
    """A published CSV by the BriefTables attribute it holds; every cell as text."""
    stem = next(stem for stem, held in TABLE_FILES.items() if held == attribute)
    return pl.read_csv(brief / f"{stem}.csv", infer_schema=False)


def interval(numerator: int, denominator: int) -> tuple[float, float]:
    return wilson_percent(numerator, denominator)


def test_success_marker_table_is_the_hand_computation(brief):
    table = published(brief, "success_markers")
    assert table["cohort"].to_list() == list(MARKER_FIGURES)
    for row in table.iter_rows(named=True):
        participant_type, participants, achieved = MARKER_FIGURES[row["cohort"]]
        assert row["participant_type"] == participant_type, row["cohort"]
        assert int(row["participants"]) == participants, row["cohort"]
        for domain, k, pct in zip(DOMAINS, achieved, MARKER_PCTS[row["cohort"]], strict=True):
            where = (row["cohort"], domain)
            assert int(row[f"{domain}_achieved"]) == k, where
            assert int(row[f"{domain}_pct"]) == pct, where
            low, high = interval(k, participants)
            assert (float(row[f"{domain}_ci_low"]), float(row[f"{domain}_ci_high"])) == (
                low,
                high,
            ), where
    # Nothing is withheld: every cohort has at least k = 5 participants.
    assert SUPPRESSED not in table.write_csv()


def test_survey_item_table_is_the_hand_computation(brief):
    table = published(brief, "survey_items")
    categories = [f"{answer}_n" for answers in ANSWERS.values() for answer in answers]
    assert [c for c in table.columns if c != "top_box_suppressed"] == [
        "item_id",
        "section",
        "statement",
        "scale",
        "valid_n",
        "top_box_n",
        "top_box_pct",
        "top_box_ci_low",
        "top_box_ci_high",
        *categories,
        *(f"{answer}_n" for answer in EXCLUDED),
        "skipped_n",
    ]
    assert table["item_id"].to_list() == [item_id for item_id, *_ in example.ITEMS]
    statements = {item_id: statement for item_id, _, statement, _ in example.ITEMS}
    rows = {row["item_id"]: row for row in table.iter_rows(named=True)}
    for item_id, figures in ITEM_FIGURES.items():
        section, scale, counts, (prefer_not, not_relevant, skipped), valid, top, pct = figures
        row = rows[item_id]
        assert (row["section"], row["scale"], row["statement"]) == (
            section,
            scale,
            statements[item_id],
        )
        assert (int(row["valid_n"]), int(row["top_box_n"]), int(row["top_box_pct"])) == (
            valid,
            top,
            pct,
        ), item_id
        low, high = interval(top, valid)
        assert (float(row["top_box_ci_low"]), float(row["top_box_ci_high"])) == (low, high)
        expected = dict.fromkeys(categories)  # another scale's category is no category
        expected |= {f"{a}_n": str(n) for a, n in zip(ANSWERS[scale], counts, strict=True)}
        expected |= {
            "prefer_not_to_say_n": str(prefer_not),
            "not_relevant_to_my_work_n": str(not_relevant),
            "skipped_n": str(skipped),
        }
        assert {column: row[column] for column in expected} == expected, item_id
        assert sum(counts) == valid and sum(counts) + prefer_not + not_relevant + skipped == 12

    item_id, section, scale, valid = WITHHELD_ITEM
    row = rows[item_id]
    assert (row["section"], row["scale"], row["valid_n"]) == (section, scale, str(valid))
    withheld = ["top_box_n", "top_box_pct", "top_box_ci_low", "top_box_ci_high"]
    withheld += [f"{a}_n" for a in (*ANSWERS[scale], *EXCLUDED, "skipped")]
    assert {column: row[column] for column in withheld} == dict.fromkeys(withheld, SUPPRESSED)
    # The other scale's columns hold no answers either way.
    others = [f"{a}_n" for a in ANSWERS["frequency"]]
    assert all(row[column] in (None, SUPPRESSED) for column in others)


def test_survey_section_table_is_the_hand_computation(brief):
    table = published(brief, "survey_sections")
    shown = table.select("section", "items", "respondents", "top_box_pct").rows()
    assert shown == [
        (section, str(items), str(respondents), SUPPRESSED if pct is None else str(pct))
        for section, (items, respondents, pct) in SECTION_FIGURES.items()
    ]


def test_the_brief_says_the_hand_computed_figures_in_the_programmes_words(brief):
    markdown = (brief / "brief.md").read_text(encoding="utf-8")
    lines = markdown.splitlines()
    assert lines[0].startswith("# ") and example.PROGRAMME_NAME in lines[0]
    # Nothing of IDREAM's is left in another programme's brief.
    assert "IDREAM" not in markdown

    # The headline and the success-marker table.
    assert re.search(r"Across the three cohorts, 85% of participants \(N=20\b", markdown)
    header = next(line for line in lines if line.startswith("| |"))
    assert re.match(r"\| \| " + r" \| ".join(map(re.escape, DOMAIN_LABELS)) + r" \| .+ \|$", header)
    assert "| Cohort 1 (N=6 paralegals) | 67% | 50% | 67% | 50% | 83% |" in lines
    assert "| Cohort 2 (N=8 paralegals) | 75% | 50% | 38% | 63% | 88% |" in lines
    # A mixed cohort is named by the programme's own noun for participants.
    assert any(
        re.fullmatch(r"\| Cohort 3 \(N=6 [^)]+\) \| 67% \| 50% \| 33% \| 33% \| 83% \|", line)
        for line in lines
    )
    assert "| Across all three cohorts | 70% | 50% | 45% | 50% | 85% |" in lines
    assert "| Cohort 2 (N=8 paralegals) | 6/8 (" in markdown

    # The survey: respondents, then one sentence per section in the definition's words.
    assert "Across Cohorts 1, 2, and 3, 12 respondents" in markdown
    for section, (items, _, pct) in SECTION_FIGURES.items():
        phrase, top_labels = SECTION_WORDS[section]
        sentence = next(line for line in lines if f"Across {items} {phrase}," in line)
        if pct is None:
            assert "withheld" in sentence and "%" not in sentence, sentence
            continue
        assert f"Across {items} {phrase}, an average of {pct}% of respondents" in sentence
        for label in top_labels:
            assert label.lower() in sentence.lower(), (label, sentence)
    for item_id, (*_, valid, top, pct) in ITEM_FIGURES.items():
        assert re.search(rf"^\| {item_id} \|.*\| {top}/{valid} \| {pct}% \|", markdown, re.M)
    assert re.search(
        rf"^\| {WITHHELD_ITEM[0]} \|.*\| {SUPPRESSED} \| {SUPPRESSED} \|", markdown, re.M
    )


def test_the_warehouse_holds_the_hand_computed_marker_reviews_and_cohorts(example_run):
    warehouse, _ = example_run
    with duckdb.connect(str(warehouse / "idream.duckdb"), read_only=True) as connection:

        def rows(sql: str) -> list[tuple]:
            return connection.execute(sql).fetchall()

        cohorts = rows(
            "select cohort, participant_type, participants, survey_respondents "
            "from marts.dim_cohorts order by cohort"
        )
        markers = rows(
            "select count(*), count(*) filter (where is_achieved) from marts.fct_success_markers"
        )
        first_achieved = rows(
            "select first_achieved_review, count(*) from marts.fct_success_markers "
            "where is_achieved group by all order by min(first_achieved_review_order)"
        )
        reviews = rows("select review, review_order from reference.marker_reviews order by 2")
        scales = rows("select scale, categories, top_box from reference.survey_scales order by 1")
        unanticipated = rows("select count(*), count(domain) from marts.fct_unanticipated_outcomes")
    assert cohorts == [(1, "paralegal", 6, 5), (2, "paralegal", 8, 4), (3, "mixed", 6, 3)]
    assert markers == [(154, 48)]
    assert first_achieved == [("month_4", 5), ("month_8", 11), ("exit", 32)]
    assert reviews == [("month_4", 1), ("month_8", 2), ("exit", 3)]
    assert scales == [("agreement", 4, 2), ("frequency", 3, 1)]
    assert unanticipated == [(2, 1)]


def _secrets() -> set[str]:
    """Every name, email, country, phone, participant code, free text and identifying tool
    value the example's files hold (its generator's data: the files are that, byte for byte,
    tests/unit/test_example_programme.py)."""
    fellowship = example.build()
    secrets = set()
    for person in fellowship.people:
        secrets |= {person.participant_id, person.name, person.email, person.country, person.phone}
    for rows in fellowship.markers.values():
        secrets |= {row[3] for row in rows} | {row[5] for row in rows}  # outcome, marker texts
    for rows in fellowship.unanticipated.values():
        secrets |= {row[3] for row in rows}  # descriptions
    for response in fellowship.responses:
        secrets |= {response.device, response.submitter}
        secrets |= {response.comment} if response.comment else set()
    secrets |= {organisation for organisation, *_ in fellowship.referrals}
    # Guard the guard: data that lost its texts would make this test vacuous.
    assert len(secrets) > 250
    return secrets


def test_nothing_identifying_or_free_text_reaches_the_warehouse_or_the_brief(example_run):
    warehouse, printed = example_run
    secrets = _secrets()
    secrets.add(Path(os.environ["IDREAM_PSEUDONYM_KEY_FILE"]).read_text().strip())
    tables, schemas = warehouse_text(warehouse / "idream.duckdb")
    assert "restricted" not in schemas  # keep_free_text = false
    places = {"warehouse tables": tables, "terminal": printed}
    places |= {str(path): text for path, text in written_files(warehouse).items()}
    assert_nowhere(secrets, places)
    for path in (warehouse / "brief").iterdir():
        if path.suffix in (".csv", ".md", ".html", ".json", ".svg"):
            assert not PSEUDONYM.search(path.read_text(encoding="utf-8")), path.name
