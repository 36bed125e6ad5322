"""The brief's tables and words from mart-shaped frames and a programme definition: IDREAM's
default one, whose wording must read as its published brief does, and one written as a
programme.toml, which gets words built from its labels."""

import polars as pl
import pytest

from orchestration.lib import brief
from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.programme_definition import idream_definition
from orchestration.lib.report import charts, methods, text, wording
from orchestration.lib.report.quality_status import QualityStatus

IDREAM = idream_definition()
# A programme as its team would write it: nothing of IDREAM's wording is stated, so the brief
# words it from its labels. Its 4-point scale has no neutral category; its 3-point one has.
BRIDGES = ProgrammeSettings.from_toml(
    {
        "programme": {"id": "bridges", "name": "Bridges"},
        "participant_types": [
            {"id": "youth", "label": "young person", "plural": "young people"},
            {"id": "mentor", "label": "mentor", "plural": "mentors"},
        ],
        "domains": [
            {"id": "livelihoods", "label": "Livelihoods"},
            {"id": "wellbeing", "label": "Wellbeing"},
            {"id": "voice", "label": "Voice"},
            {"id": "networks", "label": "Networks"},
        ],
        "markers": {
            "levels": ["Expected", "Hoped for"],
            "reviews": ["Baseline", "Mid-term", "End line"],
            "achieved": ["Met"],
            "not_achieved": ["Not met"],
        },
        "survey": {
            "excluded": ["Prefer not to say"],
            "scales": [
                {
                    "id": "agreement",
                    "categories": ["Disagree", "Somewhat disagree", "Somewhat agree", "Agree"],
                    "top": 2,
                },
                {"id": "change", "categories": ["Worse", "The same", "Better"], "top": 1},
            ],
            "sections": [
                {"id": "voice", "label": "Speaking up", "phrase": "statements about speaking up"},
                {"id": "change", "label": "Change", "phrase": "areas of their life"},
            ],
        },
    },
    "bridges",
).definition


def survey_marts(definition, items) -> tuple[pl.DataFrame, pl.DataFrame]:
    """mart_survey_item_rates and mart_survey_answer_counts for `items`: (item id, section,
    scale, counts per category lowest first, counts per excluded answer, skipped)."""
    scales = {scale.id: scale for scale in definition.survey.scales}
    rates, counts = [], []
    for order, (item_id, section, scale_id, on_scale, excluded, skipped) in enumerate(items):
        scale = scales[scale_id]
        top_box = sum(on_scale[-scale.top :])
        valid = sum(on_scale)
        rates.append(
            {
                "item_id": item_id,
                "section": section,
                "statement": f"Statement {item_id}",
                "scale": scale_id,
                "item_order": order,
                "responses": valid + sum(excluded) + skipped,
                "valid_n": valid,
                "top_box_n": top_box,
                "top_box_rate": top_box / valid if valid else None,
                "excluded_n": sum(excluded),
                "skipped_n": skipped,
            }
        )
        for position, (category, n) in enumerate(
            zip(scale.categories, on_scale, strict=True), start=1
        ):
            counts.append(
                (item_id, category.id, category.label, position, True, scale.is_top(position), n)
            )
        for category, n in zip(definition.survey.excluded, excluded, strict=True):
            counts.append((item_id, category.id, category.label, None, False, False, n))
    schema = {
        "item_id": pl.String,
        "answer": pl.String,
        "answer_label": pl.String,
        "scale_position": pl.Int64,
        "is_valid": pl.Boolean,
        "is_top_box": pl.Boolean,
        "answers_n": pl.Int64,
    }
    return pl.DataFrame(rates), pl.DataFrame(counts, schema=schema, orient="row")


def domain_rates(definition, cohorts) -> pl.DataFrame:
    """mart_domain_rates: `cohorts` maps a cohort to (type, participants, achieved per
    domain in the brief's order); the `all` row adds them up."""
    rows, columns = [], brief.domains(definition)
    for number, (cohort, (kind, size, achieved)) in enumerate(cohorts.items(), start=1):
        rows += [
            (cohort, number, kind, domain, size, n)
            for domain, n in zip(columns, achieved, strict=True)
        ]
    total = sum(size for _, size, _ in cohorts.values())
    rows += [
        ("all", None, None, domain, total, sum(c[2][i] for c in cohorts.values()))
        for i, domain in enumerate(columns)
    ]
    schema = ["cohort", "cohort_number", "participant_type", "domain", "participants", "achieved_n"]
    return pl.DataFrame(rows, schema=schema, orient="row")


def tables_for(definition, cohorts, items, sections, types) -> brief.BriefTables:
    item_rates, answer_counts = survey_marts(definition, items)
    return brief.BriefTables(
        success_markers=brief.success_markers_by_domain(
            domain_rates(definition, cohorts), definition
        ),
        survey_sections=brief.survey_sections(item_rates, sections),
        survey_items=brief.survey_items(item_rates, answer_counts, definition),
        respondents=10,
        surveyed_cohorts=[1],
        definition=definition,
        participant_types=types,
    )


def sections_mart(*rows) -> pl.DataFrame:
    """mart_survey_section_rates' columns the brief reads: (section, items, respondents)."""
    return pl.DataFrame(
        [(s, order, items, r) for order, (s, items, r) in enumerate(rows, start=1)],
        schema=["section", "section_order", "items", "respondents"],
        orient="row",
    )


@pytest.fixture(scope="module")
def idream_tables():
    items = [
        ("sec_01", "security", "confidence", (0, 1, 1, 4, 4), (0, 0), 0),
        ("con_01", "connection", "agreement", (0, 1, 1, 3, 5), (1, 0), 0),
    ]
    cohorts = {
        "1": ("organization", 10, (10, 9, 8, 10)),
        "2": ("individual", 10, (10, 8, 8, 10)),
    }
    sections = sections_mart(("security", 1, 10), ("connection", 1, 10))
    return tables_for(IDREAM, cohorts, items, sections, ("individual", "organization"))


@pytest.fixture(scope="module")
def bridges_tables():
    items = [
        ("v1", "voice", "agreement", (1, 1, 3, 5), (0,), 0),
        ("c1", "change", "change", (1, 2, 7), (0,), 0),
    ]
    cohorts = {"1": ("youth", 10, (9, 8, 7, 6, 10))}
    sections = sections_mart(("voice", 1, 10), ("change", 1, 10))
    return tables_for(BRIDGES, cohorts, items, sections, ("youth",))


def test_success_marker_table_orders_cohorts_numerically_then_all():
    rates = domain_rates(
        IDREAM,
        {
            "10": ("individual", 8, (5, 1, 0, 5)),
            "2": ("organization", 2, (1, 0, 0, 1)),
        },
    ).with_columns(cohort_number=pl.col("cohort").cast(pl.Int64, strict=False))
    table = brief.success_markers_by_domain(rates, IDREAM)
    assert table["cohort"].to_list() == ["2", "10", "all"]
    assert table.row(1, named=True)["resilience_pct"] == 63
    assert table.row(2, named=True)["participant_type"] is None


def test_a_cohort_with_two_denominators_is_refused():
    rates = domain_rates(IDREAM, {"1": ("individual", 8, (5, 1, 0, 5))}).with_columns(
        participants=pl.when(pl.col("domain") == "advocacy").then(9).otherwise("participants")
    )
    with pytest.raises(ValueError, match="different denominators"):
        brief.success_markers_by_domain(rates, IDREAM)


def test_the_domain_columns_are_the_definitions_in_its_order():
    assert brief.domains(IDREAM) == ("resilience", "advocacy", "integrated_security", "any_domain")
    assert brief.domains(BRIDGES) == ("livelihoods", "wellbeing", "voice", "networks", "any_domain")


def test_section_figure_is_the_mean_of_exact_item_rates():
    items = pl.DataFrame(
        {
            "item_id": ["s1", "s2"],
            "section": ["security"] * 2,
            "valid_n": [8, 8],
            "top_box_n": [5, 5],
        }
    )
    # Two items at exactly 62.5%: a float mean could land a hair under and round to 62.
    assert brief.survey_sections(items, sections_mart(("security", 2, 8))).row(0) == (
        "security",
        2,
        8,
        63,
        False,
    )


def test_idream_survey_items_keep_v1s_columns_with_top_box_for_top2(idream_tables):
    # v1's survey_items.csv with top2 -> top_box: the same columns, in the same order.
    assert idream_tables.survey_items.columns == [
        "item_id",
        "section",
        "statement",
        "scale",
        "valid_n",
        "top_box_n",
        "top_box_pct",
        "top_box_ci_low",
        "top_box_ci_high",
        "top_box_suppressed",
        "much_less_confident_n",
        "less_confident_n",
        "about_the_same_n",
        "more_confident_n",
        "much_more_confident_n",
        "strongly_disagree_n",
        "disagree_n",
        "neither_agree_nor_disagree_n",
        "agree_n",
        "strongly_agree_n",
        "not_applicable_n",
        "dont_know_n",
        "skipped_n",
    ]
    connection = idream_tables.survey_items.row(1, named=True)
    assert (connection["top_box_n"], connection["valid_n"], connection["top_box_pct"]) == (
        8,
        10,
        80,
    )
    assert (connection["agree_n"], connection["strongly_agree_n"]) == (3, 5)
    assert (connection["not_applicable_n"], connection["dont_know_n"]) == (1, 0)
    # A category of the other scale is not zero answers: this item cannot have it.
    assert connection["more_confident_n"] is None


def test_a_programmes_answer_columns_follow_its_scales_then_its_excluded_answers(bridges_tables):
    answers = [c for c in bridges_tables.survey_items.columns if c.endswith("_n")][2:]
    assert answers == [
        "disagree_n",
        "somewhat_disagree_n",
        "somewhat_agree_n",
        "agree_n",
        "worse_n",
        "the_same_n",
        "better_n",
        "prefer_not_to_say_n",
        "skipped_n",
    ]
    change = bridges_tables.survey_items.row(1, named=True)
    assert (change["top_box_n"], change["better_n"], change["agree_n"]) == (7, 7, None)


def test_an_answer_count_missing_from_the_mart_stops_the_brief():
    item_rates, answer_counts = survey_marts(
        IDREAM, [("sec_01", "security", "confidence", (0, 1, 1, 4, 4), (0, 0), 0)]
    )
    partial = answer_counts.filter(pl.col("answer") != "about_the_same")
    with pytest.raises(ValueError, match="no 'about_the_same' for sec_01"):
        brief.survey_items(item_rates, partial, IDREAM)


def test_a_suppressed_item_withholds_every_count_that_could_give_its_top_box_away():
    item_rates, answer_counts = survey_marts(
        IDREAM, [("sec_01", "security", "confidence", (0, 0, 1, 1, 1), (2, 0), 1)]
    )
    table = brief.survey_items(item_rates, answer_counts, IDREAM, {"sec_01"})
    withheld = brief.suppressed_cells(table)["top_box_suppressed"]
    counts = [c for c in table.columns if c.endswith("_n") and c != "valid_n"]
    assert set(counts) <= set(withheld)
    assert all(table[c][0] is None for c in withheld)
    assert table["valid_n"][0] == 3  # the denominator is published


@pytest.mark.parametrize(("number", "word"), [(4, "four"), (12, "twelve"), (13, "13")])
def test_number_words(number, word):
    assert wording.number_word(number) == word


def _segments(definition, scale, counts):
    item = {
        "item_id": "q1",
        "section": definition.survey.sections[0].id,
        "statement": "Plan",
        "scale": scale,
        "valid_n": sum(counts),
        "top_box_suppressed": False,
    }
    categories = brief.scale_answers(definition)[scale]
    item |= {f"{a}_n": n for a, n in zip(categories, counts, strict=True)}
    rows = charts.survey_answer_rows(pl.DataFrame([item]), definition)
    assert all(row["item"] == f"Plan (n={sum(counts)})" for row in rows)
    return {row["answer"]: (row["start"], row["end"]) for row in rows}


def test_survey_bars_centre_the_neutral_answer_of_a_5_point_scale_on_zero():
    segments = _segments(IDREAM, "confidence", (1, 1, 2, 4, 2))
    assert segments["About the same"] == (-10, 10)  # 2 of 10, half each side of zero
    assert segments["Much less confident"] == (-30, -20)
    assert segments["Much more confident"] == (50, 70)


def test_survey_bars_of_a_4_point_scale_are_split_at_its_middle():
    segments = _segments(BRIDGES, "agreement", (1, 1, 3, 5))
    assert segments["Somewhat disagree"] == (-10, 0)  # no neutral: the halves meet at zero
    assert segments["Disagree"] == (-20, -10)
    assert segments["Somewhat agree"] == (0, 30)
    assert segments["Agree"] == (30, 80)


def test_survey_bars_centre_the_neutral_answer_of_a_3_point_scale_on_zero():
    segments = _segments(BRIDGES, "change", (1, 2, 7))
    assert segments == {"Worse": (-20, -10), "The same": (-10, 10), "Better": (10, 80)}


@pytest.mark.parametrize("categories", range(2, 8))
def test_every_scale_size_has_a_diverging_palette_with_grey_only_in_an_odd_middle(categories):
    colours = charts.DIVERGING[categories]
    assert len(colours) == len(set(colours)) == categories
    greys = [i for i, colour in enumerate(colours) if colour == "#bdbdbd"]
    assert greys == ([categories // 2] if categories % 2 else [])


def test_the_survey_chart_has_a_panel_per_section_with_its_scales_colours(bridges_tables):
    spec = charts.survey_answers_chart(bridges_tables.survey_items, BRIDGES).to_dict()
    panels = spec["vconcat"]
    assert [panel["title"] for panel in panels] == ["Speaking up", "Change"]
    colours = [panel["encoding"]["color"]["scale"] for panel in panels]
    assert colours[0]["domain"] == ["Disagree", "Somewhat disagree", "Somewhat agree", "Agree"]
    assert colours[0]["range"] == list(charts.DIVERGING[4])
    assert colours[1]["range"] == list(charts.DIVERGING[3])
    axes = [panel["encoding"]["x"]["title"] for panel in panels]
    assert axes == [
        "% of valid answers (split at the scale's middle)",
        "% of valid answers (neutral centred on 0)",
    ]


def test_idream_keeps_its_published_wording(idream_tables):
    assert text.section_sentences(idream_tables) == [
        "Across 1 security-related tasks, an average of 80% of respondents rated themselves "
        "“more confident” or “much more confident”.",
        "Across 1 items about building connection with other IDREAM participants, an average "
        "of 80% of respondents “agreed” or “strongly agreed”.",
    ]
    assert text.success_sentence(idream_tables) == (
        "Across the two cohorts, 100% of participants (N=20 individuals and organizations) "
        "achieved at least one success marker."
    )
    assert wording.domain_titles(IDREAM) == {
        "resilience": "Resilience",
        "advocacy": "Advocacy",
        "integrated_security": "Integrated Security",
        "any_domain": "Across all three domains",
    }
    assert [wording.chart_title(s) for s in IDREAM.survey.sections] == [
        "Security-related tasks (confidence compared to before IDREAM)",
        "Advocacy-related strategies (confidence compared to before IDREAM)",
        "Connection with other IDREAM participants (agreement)",
    ]
    rows = idream_tables.success_markers.iter_rows(named=True)
    assert [text.cohort_label(row, 2, IDREAM) for row in rows] == [
        "Cohort 1 (N=10 organizations)",
        "Cohort 2 (N=10 individuals)",
        "Across both cohorts",
    ]
    assert wording.brief_title(IDREAM) == "IDREAM evidence brief: key findings"


def test_a_programme_from_its_toml_is_worded_from_its_labels(bridges_tables):
    assert text.section_sentences(bridges_tables) == [
        "Across 1 statements about speaking up, an average of 80% of respondents answered "
        "“Somewhat agree” or “Agree”.",
        "Across 1 areas of their life, an average of 70% of respondents answered “Better”.",
    ]
    assert text.success_sentence(bridges_tables) == (
        "Across the one cohort, 100% of participants (N=10 young people) achieved at least "
        "one success marker."
    )
    assert wording.domain_titles(BRIDGES)["any_domain"] == "Across all four domains"
    assert [wording.chart_title(s) for s in BRIDGES.survey.sections] == ["Speaking up", "Change"]
    row = bridges_tables.success_markers.row(0, named=True)
    assert text.cohort_label(row, 1, BRIDGES) == "Cohort 1 (N=10 young people)"
    assert wording.brief_title(BRIDGES) == "Bridges evidence brief: key findings"


def test_the_headline_names_the_participant_types_on_the_roster():
    assert wording.participants_present(BRIDGES, ["mentor", "youth"]) == "young people and mentors"
    assert wording.participants_present(BRIDGES, ["mentor"]) == "mentors"
    assert wording.participant_noun(BRIDGES, "mixed", 12) == "participants"
    assert wording.participant_noun(BRIDGES, "youth", 1) == "young person"


def test_a_scale_stated_in_the_file_is_worded_from_its_labels_even_if_it_is_idreams():
    idream_scale, stated = IDREAM.survey.scales[1], BRIDGES.survey.scales[0]
    assert wording.answered(idream_scale) == "“agreed” or “strongly agreed”"
    assert wording.answered(stated) == "answered “Somewhat agree” or “Agree”"
    spelt_out = type(idream_scale)(idream_scale.id, idream_scale.categories, idream_scale.top)
    assert spelt_out == idream_scale  # what programme.toml gives: equal, but not worded
    assert wording.answered(spelt_out) == "answered “Agree” or “Strongly agree”"


def _methods_text(tables) -> str:
    quality = QualityStatus(passed=True, suites_run=1, expectations=1, warnings=())
    sections = methods.methods(tables, quality)
    return "\n".join(p for section in sections for p in section.paragraphs)


def test_the_methods_say_what_the_top_box_is_for_each_scale(idream_tables, bridges_tables):
    idream = _methods_text(idream_tables)
    assert (
        "The top box of the confidence scale is its 2 highest categories: More confident, "
        "Much more confident." in idream
    )
    assert (
        "The top box of the agreement scale is its 2 highest categories: Agree, Strongly agree."
        in idream
    )
    assert "its status is “Achieved” at any review (midpoint or final)" in idream
    assert "“Across all three domains” counts" in idream
    assert "“Not applicable”, “Don't know” and skipped items are left out" in idream
    assert "contribution of IDREAM towards" in idream
    assert (
        "With cohorts of ten, an observed 10/10 is compatible with a true rate as low as 72.2%"
        in idream
    )
    assert "the survey was run in Cohort 1 only" in idream
    bridges = _methods_text(bridges_tables)
    assert "The top box of the change scale is its highest category: Better." in bridges
    assert (
        "The top box of the agreement scale is its 2 highest categories: Somewhat agree, Agree."
        in bridges
    )
    assert "its status is “Met” at any review (Baseline, Mid-term, or End line)" in bridges
    assert "“Prefer not to say” and skipped items are left out" in bridges
    assert "IDREAM" not in bridges


def test_the_quality_report_link_is_relative_from_wherever_the_brief_is_published(tmp_path):
    from orchestration.lib.report.quality_status import REPORT_LINK, report_link

    warehouse = tmp_path / "warehouse"
    assert report_link(warehouse / "quality", warehouse / "brief") == REPORT_LINK
    assert (
        report_link(warehouse / "programmes" / "p1" / "quality", warehouse / "brief" / "p1")
        == "../../programmes/p1/quality/index.html"
    )
