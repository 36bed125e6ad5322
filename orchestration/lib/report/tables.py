"""The brief's tables in HTML, laid out like the brief's, rendered by great-tables.

Each rate cell holds three marked-up parts (`pct`, `kn`, `ci`), which the report's tests
read back and compare with the CSVs."""

from __future__ import annotations

from html import escape

import polars as pl

from orchestration.lib.brief import ANY_DOMAIN, TOP_BOX, BriefTables, domains
from orchestration.lib.report.text import ci_text, cohort_label, count_text, pct_text
from orchestration.lib.report.wording import (
    domain_titles,
    quoted,
    scales_by_id,
    section_label,
    top_box,
)
from orchestration.lib.suppression import SUPPRESSED

DOMAIN_SPANNER = "% of participants who achieved 1+ success marker per domain"


def rate_cell(row: dict, stem: str, count: str, denominator: str) -> str:
    if row.get(f"{stem}_suppressed"):
        return f'<span class="suppressed">{SUPPRESSED}</span>'
    return (
        f'<span class="pct">{escape(pct_text(row, stem))}</span><br>'
        f'<span class="kn">{escape(count_text(row, stem, count, denominator))}</span> '
        f'<span class="ci">{escape(ci_text(row, stem))}</span>'
    )


def _suppression_note(gt, columns: list[str], rows: list[int], k: int):
    from great_tables import loc

    if not rows:
        return gt
    return gt.tab_footnote(
        f"Suppressed: fewer than {k} in the group, or needed to protect such a cell.",
        locations=loc.body(columns=columns, rows=rows),
    )


def success_markers_html(tables: BriefTables) -> str:
    from great_tables import GT, html, loc, style

    table, definition = tables.success_markers, tables.definition
    columns = list(domains(definition))
    cohorts = table.filter(pl.col("cohort") != "all").height
    rows = list(table.iter_rows(named=True))
    display = pl.DataFrame(
        {
            "label": [cohort_label(row, cohorts, definition) for row in rows],
            **{d: [rate_cell(row, d, "achieved", "participants") for row in rows] for d in columns},
        }
    )
    per_domain = [d for d in columns if d != ANY_DOMAIN]
    gt = (
        GT(display, rowname_col="label", id="success-markers")
        .fmt(lambda value: value, columns=columns)
        .tab_spanner(DOMAIN_SPANNER, columns=per_domain)
        .cols_label(**domain_titles(definition))
        .cols_align("center", columns=columns)
        .tab_style(
            style=style.text(weight="bold"),
            locations=loc.stub(rows=[len(rows) - 1]),
        )
        .tab_source_note(
            html(
                "Each cell: % of the row's participants, k/N achieved, and the 95% Wilson "
                "interval in percent."
            )
        )
    )
    for domain in columns:
        hidden = [i for i, row in enumerate(rows) if row[f"{domain}_suppressed"]]
        gt = _suppression_note(gt, [domain], hidden, tables.min_cell_size)
    return gt.as_raw_html(inline_css=False)


def survey_sections_html(tables: BriefTables) -> str:
    from great_tables import GT

    rows = list(tables.survey_sections.iter_rows(named=True))
    display = pl.DataFrame(
        {
            "section": [section_label(tables.definition, r["section"]) for r in rows],
            "items": [r["items"] for r in rows],
            "respondents": [r["respondents"] for r in rows],
            "average": [
                f'<span class="suppressed">{SUPPRESSED}</span>'
                if r[f"{TOP_BOX}_suppressed"]
                else f'<span class="pct">{escape(pct_text(r, TOP_BOX))}</span>'
                for r in rows
            ],
        }
    )
    gt = (
        GT(display, rowname_col="section", id="survey-sections")
        .fmt(lambda value: value, columns="average")
        .cols_align("center", columns="average")
        .cols_label(
            items="Items",
            respondents="Respondents",
            average="Average % in the top box",
        )
        .tab_source_note("The average is the mean of the section's item rates (see Methods).")
    )
    hidden = [i for i, r in enumerate(rows) if r[f"{TOP_BOX}_suppressed"]]
    return _suppression_note(gt, ["average"], hidden, tables.min_cell_size).as_raw_html(
        inline_css=False
    )


def survey_items_html(tables: BriefTables) -> str:
    from great_tables import GT

    rows = list(tables.survey_items.iter_rows(named=True))
    display = pl.DataFrame(
        {
            "item_id": [r["item_id"] for r in rows],
            "section": [section_label(tables.definition, r["section"]) for r in rows],
            "statement": [r["statement"] for r in rows],
            "valid_n": [r["valid_n"] for r in rows],
            TOP_BOX: [rate_cell(r, TOP_BOX, "n", "valid_n") for r in rows],
        }
    )
    gt = (
        GT(display, rowname_col="statement", groupname_col="section", id="survey-items")
        .fmt(lambda value: value, columns=TOP_BOX)
        .cols_label(item_id="Item", valid_n="Valid answers (n)", **{TOP_BOX: "Top box"})
        .cols_align("center", columns=["valid_n", TOP_BOX])
        .tab_source_note(
            f"{top_box_note(tables)} Each cell: %, k/n and the 95% Wilson interval in percent."
        )
    )
    hidden = [i for i, r in enumerate(rows) if r[f"{TOP_BOX}_suppressed"]]
    return _suppression_note(gt, [TOP_BOX], hidden, tables.min_cell_size).as_raw_html(
        inline_css=False
    )


def top_box_note(tables: BriefTables) -> str:
    """What the top box is, for the scales the items use. For IDREAM: Top box: “More
    confident” or “Much more confident”; “Agree” or “Strongly agree”."""
    used = set(tables.survey_items["scale"])
    scales = [scale for scale in scales_by_id(tables.definition).values() if scale.id in used]
    return "Top box: " + "; ".join(quoted(top_box(scale)) for scale in scales) + "."


def key_value_html(rows: list[tuple[str, str]], table_id: str) -> str:
    from great_tables import GT

    display = pl.DataFrame({"label": [r[0] for r in rows], "value": [r[1] for r in rows]})
    return (
        GT(display, rowname_col="label", id=table_id)
        .cols_label(value="")
        .as_raw_html(inline_css=False)
    )
