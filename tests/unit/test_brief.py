import polars as pl
import pytest

from orchestration.lib import brief
from orchestration.lib.report.text import number_word


def _domain_rates(rows):
    return pl.DataFrame(
        rows,
        schema=[
            "cohort",
            "cohort_number",
            "participant_type",
            "domain",
            "participants",
            "achieved_n",
        ],
        orient="row",
    )


def _cohort_rows(cohort, number, kind, participants, counts):
    return [
        (cohort, number, kind, domain, participants, n)
        for domain, n in zip(brief.DOMAINS, counts, strict=True)
    ]


def test_success_marker_table_orders_cohorts_numerically_then_all():
    rates = _domain_rates(
        _cohort_rows("10", 10, "individual", 8, (5, 1, 0, 5))
        + _cohort_rows("all", None, None, 10, (6, 1, 0, 6))
        + _cohort_rows("2", 2, "organization", 2, (1, 0, 0, 1))
    )
    table = brief.success_markers_by_domain(rates)
    assert table["cohort"].to_list() == ["2", "10", "all"]
    assert table.row(1, named=True)["resilience_pct"] == 63
    assert table.row(2, named=True)["participant_type"] is None


def test_a_cohort_with_two_denominators_is_refused():
    rows = _cohort_rows("1", 1, "individual", 8, (5, 1, 0, 5))
    rows[1] = ("1", 1, "individual", "advocacy", 9, 1)
    with pytest.raises(ValueError, match="different denominators"):
        brief.success_markers_by_domain(_domain_rates(rows))


def test_section_figure_is_the_mean_of_exact_item_rates():
    items = pl.DataFrame(
        {"item_id": ["s1", "s2"], "section": ["security"] * 2, "valid_n": [8, 8], "top2_n": [5, 5]}
    )
    sections = pl.DataFrame(
        {"section": ["security"], "section_order": [1], "items": [2], "respondents": [8]}
    )
    # Two items at exactly 62.5%: a float mean could land a hair under and round to 62.
    assert brief.survey_sections(items, sections).row(0) == ("security", 2, 8, 63, False)


@pytest.mark.parametrize(("number", "word"), [(4, "four"), (12, "twelve"), (13, "13")])
def test_number_words(number, word):
    assert number_word(number) == word


def test_survey_bars_centre_the_neutral_answer_on_zero():
    from orchestration.lib.report.charts import survey_answer_rows

    item = {
        "item_id": "sec_01",
        "section": "security",
        "statement": "Plan",
        "scale": "confidence",
        "valid_n": 10,
        "top2_suppressed": False,
    }
    counts = dict(zip(brief.SCALE_ANSWERS["confidence"], (1, 1, 2, 4, 2), strict=True))
    rows = survey_answer_rows(pl.DataFrame([item | {f"{a}_n": n for a, n in counts.items()}]))
    segments = {row["answer"]: (row["start"], row["end"]) for row in rows}
    assert segments["About the same"] == (-10, 10)  # 2 of 10, half each side of zero
    assert segments["Much less confident"] == (-30, -20)
    assert segments["Much more confident"] == (50, 70)
    assert all(row["item"] == "Plan (n=10)" for row in rows)
