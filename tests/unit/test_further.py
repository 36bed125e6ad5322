"""The further analysis' six tables, from mart-shaped frames counted from hand-made
participants (tests/unit/further_marts.py): IDREAM's definition and a programme with two
levels and three reviews. Columns and their order are the spec's (issue 16); percentages are
rounded half up from exact fractions; levels are not nested."""

import polars as pl
import pytest

from orchestration.lib import further
from orchestration.lib.programme_definition import idream_definition
from orchestration.lib.publishing import csv_table
from tests.unit.further_marts import Person, marts
from tests.unit.test_brief import BRIDGES

IDREAM = idream_definition()
K = 5


def published(definition, people, survey=None, k=K) -> further.FurtherTables:
    built = marts(definition, people, survey)
    return further.published(
        built.domain_rates, built.further, built.cohort_sizes, definition, k
    ).further


def row(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(*(pl.col(c) == v for c, v in where.items())).rows(named=True)
    assert len(rows) == 1, where
    return rows[0]


def idream_people() -> list[Person]:
    """Two cohorts of ten (organizations, then individuals), nothing withheld at k = 5."""
    people = []
    for cohort, kind in ((1, "organization"), (2, "individual")):
        for i in range(10):
            achieved = {
                "resilience": {"realistic": 1 if i < 5 else 2} if i < 8 else {},
                "advocacy": {"ambitious": 2} if i % 2 else {},
                # Not nested: very ambitious, realistic missed, for the first two.
                "integrated_security": {"very_ambitious": 1} if i < 2 else {"realistic": 2},
            }
            people.append(Person(cohort, kind, achieved, ((None, "final"),) if i == 0 else ()))
    return people


@pytest.fixture(scope="module")
def idream():
    survey = {
        (1, "security"): (10, [(5, 8), (5, 8)]),
        (2, "security"): (9, [(1, 4), (9, 9)]),
        (1, "connection"): (10, [(7, 10)]),
    }
    return published(IDREAM, idream_people(), survey)


def bridges_people() -> list[Person]:
    """Two levels (expected, hoped_for), three reviews (baseline, mid_term, end_line)."""
    people = []
    for i in range(8):
        achieved = {
            "livelihoods": {"expected": 1 + i % 3} if i < 5 else {},
            "voice": {"hoped_for": 3} if i == 0 else {},
        }
        people.append(Person(1, "youth", achieved, (("voice", "mid_term"),) * (i == 1)))
    return people


@pytest.fixture(scope="module")
def bridges():
    return published(BRIDGES, bridges_people())


def test_idream_tables_have_the_specs_columns_in_order(idream):
    columns = {name: csv_table(frame).columns for name, frame in idream.frames().items()}
    assert columns == {
        "marker_levels": [
            "cohort",
            "domain",
            "participants",
            "highest_none_n",
            "highest_realistic_n",
            "highest_ambitious_n",
            "highest_very_ambitious_n",
        ],
        "marker_progress": [
            "cohort",
            "domain",
            "participants",
            "achieved_by_midpoint_n",
            "achieved_by_midpoint_pct",
            "achieved_by_final_n",
            "achieved_by_final_pct",
        ],
        "marker_level_rates": ["cohort", "level", "markers", "achieved_n", "achieved_pct"],
        "success_markers_by_type": [
            "participant_type",
            "participants",
            *(
                f"{domain}_{part}"
                for domain in ("resilience", "advocacy", "integrated_security", "any_domain")
                for part in ("achieved", "pct", "ci_low", "ci_high")
            ),
        ],
        "survey_sections_by_cohort": ["cohort", "section", "respondents", "items", "top_box_pct"],
        "unanticipated_outcomes": ["cohort", "domain", "review", "outcomes_n", "participants_n"],
    }


def test_a_two_level_three_review_programme_gets_its_own_columns(bridges):
    assert csv_table(bridges.marker_levels).columns[3:] == [
        "highest_none_n",
        "highest_expected_n",
        "highest_hoped_for_n",
    ]
    assert csv_table(bridges.marker_progress).columns[3:] == [
        "achieved_by_baseline_n",
        "achieved_by_baseline_pct",
        "achieved_by_mid_term_n",
        "achieved_by_mid_term_pct",
        "achieved_by_end_line_n",
        "achieved_by_end_line_pct",
    ]
    assert bridges.marker_level_rates["level"].to_list() == ["expected", "hoped_for"] * 2
    assert bridges.success_markers_by_type["participant_type"].to_list() == ["youth", "all"]


def test_rows_run_cohort_by_cohort_then_all_in_the_definitions_order(idream):
    levels = idream.marker_levels
    assert levels["cohort"].to_list() == ["1"] * 4 + ["2"] * 4 + ["all"] * 4
    assert levels["domain"].to_list()[:4] == [
        "resilience",
        "advocacy",
        "integrated_security",
        "any_domain",
    ]
    assert idream.marker_level_rates["cohort"].to_list() == ["1"] * 3 + ["2"] * 3 + ["all"] * 3
    # The definition's order of types (individual first), not the cohorts'.
    assert idream.success_markers_by_type["participant_type"].to_list() == [
        "individual",
        "organization",
        "all",
    ]
    sections = idream.survey_sections_by_cohort
    assert sections.select("cohort", "section").rows() == [
        ("1", "security"),
        ("1", "connection"),
        ("2", "security"),
    ]


def test_the_highest_level_counts_a_non_nested_pattern_at_its_highest(idream):
    # Integrated security: two per cohort reached only the very ambitious marker, eight
    # only the realistic one; nobody is counted at ambitious on the way.
    security = row(idream.marker_levels, cohort="1", domain="integrated_security")
    assert (
        security["highest_none_n"],
        security["highest_realistic_n"],
        security["highest_ambitious_n"],
        security["highest_very_ambitious_n"],
    ) == (0, 8, 0, 2)
    # Any domain: the highest over all domains; every row adds up to its participants.
    anywhere = row(idream.marker_levels, cohort="all", domain="any_domain")
    assert (anywhere["highest_none_n"], anywhere["highest_very_ambitious_n"]) == (0, 4)
    assert anywhere["highest_ambitious_n"] == 8  # the odd ones: ambitious in advocacy
    counts = [c for c in idream.marker_levels.columns if c.endswith("_n")]
    sums = idream.marker_levels.select(pl.sum_horizontal(counts))
    assert sums.to_series().to_list() == idream.marker_levels["participants"].to_list()


def test_a_participant_with_no_outcome_in_a_domain_counts_in_its_denominator(idream):
    # Resilience: 8 of 10 have a marker there; the other two have none at all.
    resilience = row(idream.marker_levels, cohort="2", domain="resilience")
    assert (resilience["participants"], resilience["highest_none_n"]) == (10, 2)


def test_progress_counts_a_marker_from_the_first_review_that_achieved_it(idream, bridges):
    resilience = row(idream.marker_progress, cohort="1", domain="resilience")
    assert (resilience["achieved_by_midpoint_n"], resilience["achieved_by_final_n"]) == (5, 8)
    assert (resilience["achieved_by_midpoint_pct"], resilience["achieved_by_final_pct"]) == (
        50,
        80,
    )
    # A marker achieved only at the first review still counts at every later one.
    livelihoods = row(bridges.marker_progress, cohort="1", domain="livelihoods")
    assert [livelihoods[f"achieved_by_{r}_n"] for r in ("baseline", "mid_term", "end_line")] == [
        2,
        4,
        5,
    ]


def test_the_last_reviews_progress_is_the_headline_figure():
    built = marts(IDREAM, idream_people())
    tables = further.published(built.domain_rates, built.further, built.cohort_sizes, IDREAM, K)
    progress = tables.further.marker_progress
    for cohort, domain, achieved in built.domain_rates.select(
        "cohort", "domain", "achieved_n"
    ).iter_rows():
        assert row(progress, cohort=cohort, domain=domain)["achieved_by_final_n"] == achieved


def test_percentages_are_rounded_half_up_from_exact_fractions():
    # 5 of 8: 62.5% reads 63%, in every table that has a percentage.
    people = [
        Person(1, "individual", {"resilience": {"realistic": 1}} if i < 5 else {}) for i in range(8)
    ]
    survey = {(1, "security"): (8, [(1, 4), (1, 1)])}  # items at 25% and 100%: mean 62.5%
    tables = published(IDREAM, people, survey)
    assert (
        row(tables.marker_progress, cohort="1", domain="resilience")["achieved_by_midpoint_pct"]
        == 63
    )
    assert row(tables.marker_level_rates, cohort="1", level="realistic")["achieved_pct"] == 21
    individual = row(tables.success_markers_by_type, participant_type="individual")
    assert (individual["resilience_achieved"], individual["resilience_pct"]) == (5, 63)
    assert (individual["resilience_ci_low"], individual["resilience_ci_high"]) == (30.6, 86.3)
    assert tables.survey_sections_by_cohort["top_box_pct"].to_list() == [63]


def test_level_rates_are_shares_of_the_markers_set_at_each_level(idream):
    # Twenty participants, three domains: 60 markers at each level.
    realistic = row(idream.marker_level_rates, cohort="all", level="realistic")
    assert (realistic["markers"], realistic["achieved_n"], realistic["achieved_pct"]) == (
        60,
        16 + 16,
        53,
    )
    very = row(idream.marker_level_rates, cohort="all", level="very_ambitious")
    assert (very["achieved_n"], very["achieved_pct"]) == (4, 7)


def test_a_type_absent_from_the_roster_has_no_row(bridges):
    # Bridges defines young people and mentors; only young people are on this roster.
    assert bridges.success_markers_by_type["participant_type"].to_list() == ["youth", "all"]
    youth, everyone = bridges.success_markers_by_type.rows(named=True)
    assert {k: v for k, v in youth.items() if k != "participant_type"} == {
        k: v for k, v in everyone.items() if k != "participant_type"
    }


def test_survey_sections_by_cohort_mean_their_own_items(idream):
    sections = idream.survey_sections_by_cohort
    assert sections.rows() == [
        ("1", "security", 10, 2, 63, False),  # 5/8 and 5/8
        ("1", "connection", 10, 1, 70, False),
        ("2", "security", 9, 2, 63, False),  # 1/4 and 9/9: 62.5
    ]


def test_a_section_mean_that_disagrees_with_its_items_stops_the_brief():
    built = marts(IDREAM, idream_people(), {(1, "security"): (10, [(5, 8), (5, 8)])})
    wrong = built.further.survey_sections_by_cohort.with_columns(mean_top_box_rate=pl.lit(0.5))
    with pytest.raises(ValueError, match="is not its items'"):
        further.survey_sections_by_cohort(wrong, built.further.survey_item_counts_by_cohort)


def test_unanticipated_outcomes_have_rows_only_where_there_is_one(idream, bridges):
    assert idream.unanticipated_outcomes.drop(
        "outcomes_suppressed", "participants_suppressed"
    ).rows() == [
        ("1", "unspecified", "final", 1, 1),
        ("2", "unspecified", "final", 1, 1),
        ("all", "unspecified", "final", 2, 2),
    ]
    assert bridges.unanticipated_outcomes.select("cohort", "domain", "review").rows() == [
        ("1", "voice", "mid_term"),
        ("all", "voice", "mid_term"),
    ]


def test_a_participants_outcomes_count_once_in_participants_n():
    people = [Person(1, "individual", {}, (("advocacy", "final"),) * 3)] + [
        Person(1, "individual", {}) for _ in range(5)
    ]
    table = published(IDREAM, people).unanticipated_outcomes
    assert row(table, cohort="all")["outcomes_n"] == 3
    assert row(table, cohort="all")["participants_n"] == 1


def test_marts_that_do_not_add_up_stop_the_brief():
    built = marts(IDREAM, idream_people())
    levels = built.further.marker_levels
    short = levels.filter(~((pl.col("cohort") == "1") & pl.col("highest_level").is_null()))
    with pytest.raises(ValueError, match="not zero-filled"):
        further.marker_levels(short, IDREAM)
    more = levels.with_columns(
        participants_n=pl.when(pl.col("highest_level") == "ambitious")
        .then(pl.col("participants_n") + 1)
        .otherwise("participants_n")
    )
    with pytest.raises(ValueError, match="does not add up"):
        further.marker_levels(more, IDREAM)


def test_a_level_or_domain_named_like_the_tables_own_columns_is_refused():
    from dataclasses import replace

    from orchestration.lib.programme_definition import Category, Domain

    markers = replace(IDREAM.markers, levels=(Category.named("None"), *IDREAM.markers.levels))
    with pytest.raises(ValueError, match="may not be called 'none'"):
        further.levels(replace(IDREAM, markers=markers))
    domains = (*IDREAM.domains, Domain("unspecified", "Unspecified"))
    with pytest.raises(ValueError, match="may not be called 'unspecified'"):
        further.unanticipated_domains(replace(IDREAM, domains=domains))


def test_nothing_is_withheld_when_every_cohort_reaches_k(idream):
    assert idream.suppressed_count() == 0
    built = marts(IDREAM, idream_people())
    tables = further.published(built.domain_rates, built.further, built.cohort_sizes, IDREAM, K)
    assert tables.headline == frozenset()


def test_parquet_columns_are_typed_even_when_a_whole_column_is_withheld():
    people = [Person(1, "individual", {}) for _ in range(3)]  # one cohort below k
    tables = published(IDREAM, people)
    levels = tables.marker_levels
    assert levels.schema["highest_none_n"] == pl.Int64
    assert levels.schema["highest_none_suppressed"] == pl.Boolean
    assert tables.success_markers_by_type.schema["resilience_ci_low"] == pl.Float64
