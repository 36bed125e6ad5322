"""The further analysis' six tables, from mart-shaped frames counted from hand-made
participants (tests/unit/further_marts.py): IDREAM's definition and a programme with two
levels and three reviews. Columns and their order are the spec's (issue 16); percentages are
rounded half up from exact fractions; levels are not nested."""

import polars as pl
import pytest

from orchestration.lib import brief, further
from orchestration.lib.programme_definition import idream_definition
from orchestration.lib.publishing import csv_table
from orchestration.lib.report import charts, further_analysis, markdown
from tests.unit.further_marts import Person, marts
from tests.unit.test_brief import BRIDGES, sections_mart, survey_marts

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


# --- The "Further analysis" section ---------------------------------------------------


def brief_tables(definition, people, survey=None, k=K, further_too=True) -> brief.BriefTables:
    """The brief's tables from hand-made participants, with or without the further analysis."""
    built = marts(definition, people, survey)
    policy = further.published(built.domain_rates, built.further, built.cohort_sizes, definition, k)
    section = definition.survey.sections[0].id
    scale = definition.survey.scales[0]
    on_scale = (1,) * (len(scale.categories) - 1) + (5,)
    item_rates, answer_counts = survey_marts(
        definition,
        [("q1", section, scale.id, on_scale, (0,) * len(definition.survey.excluded), 0)],
    )
    types = tuple(t.id for t in definition.participant_types if any(p.kind == t.id for p in people))
    return brief.BriefTables(
        success_markers=brief.success_markers_by_domain(
            built.domain_rates, definition, policy.headline
        ),
        survey_sections=brief.survey_sections(item_rates, sections_mart((section, 1, 10))),
        survey_items=brief.survey_items(item_rates, answer_counts, definition),
        respondents=10,
        surveyed_cohorts=[1],
        definition=definition,
        participant_types=types,
        min_cell_size=k,
        further=policy.further if further_too else None,
    )


def test_idream_sentences_say_what_the_figures_say():
    sentences = further_analysis.words(brief_tables(IDREAM, idream_people())).sentences
    assert sentences == (
        "Counting each participant once, the highest level among the success markers they "
        "achieved in any domain was “Very ambitious” for 20% of participants (4/20), "
        "“Ambitious” for 40% (8/20), “Realistic” for 40% (8/20), and none for 0% (0/20). "
        "Levels are not nested: a participant may achieve a more ambitious marker and miss "
        "a less ambitious one.",
        "Of the success markers set at each level, over all domains and cohorts, participants "
        "achieved 53% of the “Realistic” ones (32/60), 17% of the “Ambitious” ones (10/60), "
        "and 7% of the “Very ambitious” ones (4/60).",
        "By the midpoint review, 50% of participants (10/20) had achieved at least one "
        "success marker in any domain; by the final review, 100% (20/20).",
        "By participant type, 100% of individuals (10/10; 72.2\u2013100.0) and 100% of "
        "organizations (10/10; 72.2\u2013100.0) achieved at least one success marker in any "
        "domain (with 95% Wilson intervals); read a difference between types against those "
        "intervals.",
        "Participants also reported 2 unanticipated outcomes at the reviews; they are "
        "counted on their own, never as achieved success markers.",
        "Like the rest of this brief, these figures are self-reported and there is no "
        "comparison group: they describe what participants reported, not how much of it is "
        "due to IDREAM.",
    )


def test_a_programmes_sentences_use_its_levels_reviews_and_name():
    sentences = further_analysis.words(brief_tables(BRIDGES, bridges_people())).sentences
    assert sentences[0].startswith(
        "Counting each participant once, the highest level among the success markers they "
        "achieved in any domain was “Hoped for” for 13% of participants (1/8), “Expected” "
        "for 50% (4/8), and none for 38% (3/8)."
    )
    assert sentences[2] == (
        "By the Baseline review, 25% of participants (2/8) had achieved at least one success "
        "marker in any domain; by the Mid-term review, 50% (4/8); by the End line review, "
        "63% (5/8)."
    )
    # One type on the roster: nothing to compare, no sentence by type.
    assert not any(s.startswith("By participant type") for s in sentences)
    assert sentences[-1].endswith("not how much of it is due to Bridges.")
    assert "IDREAM" not in " ".join(sentences)


def test_withheld_figures_are_never_worded():
    people = [Person(1, "individual", {"resilience": {"realistic": 1}}) for _ in range(3)]
    people += [Person(2, "organization", {"advocacy": {"ambitious": 2}}) for _ in range(6)]
    people += [Person(3, "organization", {"resilience": {"ambitious": 1}}) for _ in range(7)]
    tables = brief_tables(IDREAM, people)
    sentences = further_analysis.words(tables).sentences
    assert sentences[0] == (
        "The highest levels reached across all cohorts are withheld to protect small groups "
        "(see the notes below)."
    )
    assert not any(s.startswith("By the midpoint review") for s in sentences)
    assert "Cells withheld in these tables: " in further_analysis.words(tables).notes[1]
    assert charts.highest_level_rows(tables.further.marker_levels, IDREAM) == []


def test_the_briefs_own_sections_stay_byte_for_byte():
    """The further analysis comes after the brief's own sections, before the methods, and
    changes nothing else of the brief."""
    from orchestration.lib.report.methods import methods
    from orchestration.lib.report.provenance import Provenance
    from orchestration.lib.report.quality_status import QualityStatus

    people = idream_people()
    with_further = brief_tables(IDREAM, people)
    without = brief_tables(IDREAM, people, further_too=False)
    quality = QualityStatus(passed=True, suites_run=1, expectations=1, warnings=())
    provenance = Provenance("run-1", "2026-01-01T00:00:00Z", "0.1.0", "c0de", (), ())

    def render(tables):
        return markdown.render_markdown(tables, methods(tables, quality), provenance)

    text = render(with_further)
    start, end = text.index("\n## Further analysis\n"), text.index("\n## Methods\n")
    assert text.index("## 2. End-of-cohort survey") < start
    assert text[:start] + text[end:] == render(without)


def test_the_chart_stacks_every_level_of_each_domain_to_100():
    rows = charts.highest_level_rows(published(IDREAM, idream_people()).marker_levels, IDREAM)
    by_domain: dict = {}
    for row in rows:
        by_domain.setdefault(row["domain"], []).append(row)
    assert list(by_domain) == [
        "Resilience (N=20)",
        "Advocacy (N=20)",
        "Integrated Security (N=20)",
        "Across all three domains (N=20)",
    ]
    for segments in by_domain.values():
        assert [s["level"] for s in segments] == [
            "No marker achieved",
            "Realistic",
            "Ambitious",
            "Very ambitious",
        ]
        assert segments[0]["start"] == 0 and segments[-1]["end"] == pytest.approx(100)


@pytest.mark.parametrize("levels", range(1, 6))
def test_every_number_of_levels_has_a_colour_blind_safe_ramp(levels):
    colours = (charts.NO_MARKER_GREY, *charts.LEVEL_BLUES[levels])
    assert len(set(colours)) == levels + 1
    # Lighter to darker: the order reads without hue.
    luminance = [int(c[1:3], 16) + int(c[3:5], 16) + int(c[5:7], 16) for c in colours[1:]]
    assert luminance == sorted(luminance, reverse=True)


def test_the_workbook_has_a_sheet_per_further_table(tmp_path):
    from orchestration.lib.report.provenance import Provenance
    from orchestration.lib.report.workbook import write_workbook

    tables = brief_tables(IDREAM, idream_people())
    provenance = Provenance("run-1", "2026-01-01T00:00:00Z", "0.1.0", "c0de", (), ())
    write_workbook(tmp_path / "brief.xlsx", tables, [], provenance)
    sheets = pl.read_excel(tmp_path / "brief.xlsx", sheet_id=0, raise_if_empty=False)
    assert list(sheets)[3:9] == [
        "Marker levels",
        "Marker progress",
        "Marker level rates",
        "Success markers by type",
        "Survey sections by cohort",
        "Unanticipated outcomes",
    ]
    levels = pl.read_excel(
        tmp_path / "brief.xlsx", sheet_name="Marker levels", read_options={"header_row": 1}
    )
    assert levels.columns[:4] == ["Cohort", "Domain", "Participants (N)", "No marker achieved (n)"]
