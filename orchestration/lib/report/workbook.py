"""brief.xlsx: one sheet per table, formatted for people who work in Excel (titles, frozen
headers, filters, number formats, notes on suppressed cells), plus Methods and Provenance.

Written with fixed document properties so that the same inputs give the same workbook; the
run id and time appear only on the Provenance sheet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from orchestration.lib.brief import TOP_BOX, BriefTables, answer_columns
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.report.methods import MethodsSection
from orchestration.lib.report.provenance import PIPELINE, Provenance
from orchestration.lib.report.text import cohort_label
from orchestration.lib.report.wording import (
    answer_labels,
    brief_title,
    domain_titles,
    section_label,
)
from orchestration.lib.suppression import SUPPRESSED

# Not the run's time: that is on the Provenance sheet; a fixed date keeps the file stable.
FIXED_CREATED = datetime(2024, 1, 1)
HEADER_ROW = 1  # row 0 holds the sheet's title


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], object]
    kind: str = "text"  # text | int | pct | ci
    # The `<x>_suppressed` flag whose cells this column withholds.
    flag: str | None = None
    width: int = 12


def success_marker_columns(cohorts: int, definition: ProgrammeDefinition) -> list[Column]:
    columns = [
        Column("Cohort", lambda r: cohort_label(r, cohorts, definition), width=34),
        Column("Participant type", lambda r: r["participant_type"] or "", width=16),
        Column("Participants (N)", lambda r: r["participants"], "int"),
    ]
    return columns + domain_rate_columns(domain_titles(definition))


FLAG = f"{TOP_BOX}_suppressed"
SECTION_COLUMNS = [
    Column("Section", lambda r: r["section"], width=14),
    Column("Items", lambda r: r["items"], "int"),
    Column("Respondents", lambda r: r["respondents"], "int"),
    Column("Average % top box", lambda r: r[f"{TOP_BOX}_pct"], "pct", FLAG, 18),
]


def item_columns(definition: ProgrammeDefinition) -> list[Column]:
    """The item's rate, then one count per answer: every scale's categories, the excluded
    answers and the skipped, by their labels."""
    labels = answer_labels(definition)
    return [
        Column("Item", lambda r: r["item_id"], width=10),
        Column("Section", lambda r: r["section"], width=12),
        Column("Statement", lambda r: r["statement"], width=48),
        Column("Valid answers (n)", lambda r: r["valid_n"], "int"),
        Column("Top box k", lambda r: r[f"{TOP_BOX}_n"], "int", FLAG),
        Column("Top box %", lambda r: r[f"{TOP_BOX}_pct"], "pct", FLAG),
        Column("Top box 95% CI low", lambda r: r[f"{TOP_BOX}_ci_low"], "ci", FLAG),
        Column("Top box 95% CI high", lambda r: r[f"{TOP_BOX}_ci_high"], "ci", FLAG),
        *(
            Column(labels[a], lambda r, a=a: r[f"{a}_n"], "int", FLAG)
            for a in answer_columns(definition)
        ),
    ]


def cohort_name(row: dict) -> str:
    return "All cohorts" if row["cohort"] == "all" else f"Cohort {row['cohort']}"


def further_sheets(tables: BriefTables) -> list[tuple]:
    """The further analysis' tables, one sheet each, in the programme's words."""
    from orchestration.lib.further import UNSPECIFIED, reviews
    from orchestration.lib.report.further_analysis import level_labels, review_labels, type_label

    further, definition = tables.further, tables.definition
    titles = domain_titles(definition)
    domain_column = Column("Domain", lambda r: titles.get(r["domain"], r["domain"]), width=26)
    levels = [
        Column("Cohort", cohort_name, width=14),
        domain_column,
        Column("Participants (N)", lambda r: r["participants"], "int"),
        *(
            Column(
                f"{label} (n)", lambda r, x=x: r[f"highest_{x}_n"], "int", f"highest_{x}_suppressed"
            )
            for x, label in level_labels(definition).items()
        ),
    ]
    names = review_labels(definition)
    progress = [Column("Cohort", cohort_name, width=14), domain_column]
    progress.append(Column("Participants (N)", lambda r: r["participants"], "int"))
    for review in reviews(definition):
        stem = f"achieved_by_{review}"
        progress += [
            Column(
                f"By {names[review]} k", lambda r, s=stem: r[f"{s}_n"], "int", f"{stem}_suppressed"
            ),
            Column(
                f"By {names[review]} %",
                lambda r, s=stem: r[f"{s}_pct"],
                "pct",
                f"{stem}_suppressed",
            ),
        ]
    level_names = {level.id: level.label for level in definition.markers.levels}
    rates = [
        Column("Cohort", cohort_name, width=14),
        Column("Level", lambda r: level_names[r["level"]], width=16),
        Column("Markers set", lambda r: r["markers"], "int"),
        Column("Achieved k", lambda r: r["achieved_n"], "int", "achieved_suppressed"),
        Column("Achieved %", lambda r: r["achieved_pct"], "pct", "achieved_suppressed"),
    ]
    types = further.success_markers_by_type.height - 1
    by_type = [
        Column("Participant type", lambda r: type_label(r, types, definition), width=30),
        Column("Participants (N)", lambda r: r["participants"], "int"),
    ]
    by_type += domain_rate_columns(titles)
    sections = [
        Column("Cohort", cohort_name, width=14),
        Column("Section", lambda r: section_label(definition, r["section"]), width=22),
        Column("Respondents", lambda r: r["respondents"], "int"),
        Column("Items", lambda r: r["items"], "int"),
        Column("Average % top box", lambda r: r[f"{TOP_BOX}_pct"], "pct", FLAG, 18),
    ]
    outcome_domains = {**titles, UNSPECIFIED: "Unspecified"}
    outcomes = [
        Column("Cohort", cohort_name, width=14),
        Column("Domain", lambda r: outcome_domains[r["domain"]], width=26),
        Column("Review", lambda r: names[r["review"]], width=14),
        Column("Outcomes", lambda r: r["outcomes_n"], "int", "outcomes_suppressed"),
        Column("Participants", lambda r: r["participants_n"], "int", "participants_suppressed"),
    ]
    return [
        ("Marker levels", "Participants by the highest level of the markers they achieved",
         further.marker_levels, levels),
        ("Marker progress", "Participants who had achieved 1+ success marker by each review",
         further.marker_progress, progress),
        ("Marker level rates", "Share of the markers set at each level that were achieved",
         further.marker_level_rates, rates),
        ("Success markers by type", "% of participants who achieved 1+ success marker, by type",
         further.success_markers_by_type, by_type),
        ("Survey sections by cohort", "End-of-cohort survey: section averages by cohort",
         further.survey_sections_by_cohort, sections),
        ("Unanticipated outcomes", "Unanticipated outcomes reported at the reviews",
         further.unanticipated_outcomes, outcomes),
    ]  # fmt: skip


def write_workbook(
    path: Path, tables: BriefTables, methods: list[MethodsSection], provenance: Provenance
) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    workbook.set_properties(
        {
            "title": brief_title(tables.definition),
            "author": PIPELINE,
            "created": FIXED_CREATED,
        }
    )
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "header": workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#E8EEF4"}
        ),
        "text": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "int": workbook.add_format({"num_format": "0"}),
        "pct": workbook.add_format({"num_format": '0"%"'}),
        "ci": workbook.add_format({"num_format": "0.0"}),
        "suppressed": workbook.add_format({"italic": True, "font_color": "#777777"}),
        "note": workbook.add_format({"italic": True}),
    }
    k = tables.min_cell_size
    cohorts = tables.success_markers.filter(pl.col("cohort") != "all").height
    sheets = [
        ("Success markers", "% of participants who achieved 1+ success marker, by domain",
         tables.success_markers, success_marker_columns(cohorts, tables.definition)),
        ("Survey sections", "End-of-cohort survey: section averages",
         tables.survey_sections, SECTION_COLUMNS),
        ("Survey items", "End-of-cohort survey: answers per statement",
         tables.survey_items, item_columns(tables.definition)),
    ]  # fmt: skip
    if tables.further is not None:
        sheets += further_sheets(tables)
    for name, title, frame, columns in sheets:
        _table_sheet(workbook.add_worksheet(name), title, frame, columns, formats, k)
    _text_sheet(workbook.add_worksheet("Methods"), methods, formats)
    _provenance_sheet(workbook.add_worksheet("Provenance"), provenance, formats)
    workbook.close()


def _table_sheet(sheet, title, frame, columns, formats, k) -> None:
    sheet.write(0, 0, title, formats["title"])
    for index, column in enumerate(columns):
        sheet.write(HEADER_ROW, index, column.header, formats["header"])
        sheet.set_column(index, index, column.width)
    rows = list(frame.iter_rows(named=True))
    for offset, row in enumerate(rows, start=HEADER_ROW + 1):
        for index, column in enumerate(columns):
            if column.flag and row[column.flag]:
                sheet.write_string(offset, index, SUPPRESSED, formats["suppressed"])
                sheet.write_comment(offset, index, f"Withheld: fewer than {k} in the group.")
                continue
            value = column.value(row)
            if value is None:
                sheet.write_blank(offset, index, None)
            elif column.kind == "text":
                sheet.write_string(offset, index, str(value), formats["text"])
            else:
                sheet.write_number(offset, index, value, formats[column.kind])
    last = HEADER_ROW + len(rows)
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    sheet.autofilter(HEADER_ROW, 0, last, len(columns) - 1)
    sheet.write(
        last + 2,
        0,
        f"Percentages rounded half up; 95% Wilson intervals in percent. Cells marked "
        f"“{SUPPRESSED}” are withheld (fewer than {k} in the group): see Methods.",
        formats["note"],
    )


def _text_sheet(sheet, methods: list[MethodsSection], formats) -> None:
    sheet.set_column(0, 0, 110, formats["text"])
    row = 0
    for section in methods:
        sheet.write_string(row, 0, section.title, formats["title"])
        row += 1
        for paragraph in section.paragraphs:
            sheet.write_string(row, 0, paragraph, formats["text"])
            row += 1
        if section.link:
            # "external:" makes xlsxwriter accept a relative path to a file.
            sheet.write_url(row, 0, f"external:{section.link[1]}", string=section.link[0])
            row += 1
        row += 1


def _provenance_sheet(sheet, provenance: Provenance, formats) -> None:
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 1, 70)
    sheet.write(0, 0, "Provenance", formats["title"])
    for row, (label, value) in enumerate(provenance.rows(), start=HEADER_ROW + 1):
        sheet.write_string(row, 0, label, formats["header"])
        sheet.write_string(row, 1, value)


def domain_rate_columns(titles: dict[str, str]) -> list[Column]:
    """Per domain (and across all domains): the %, k and 95% interval of the participants
    who achieved 1+ marker, each withheld with its `<domain>_suppressed` flag."""
    columns = []
    for d, title in titles.items():
        flag = f"{d}_suppressed"
        columns += [
            Column(f"{title} %", lambda r, d=d: r[f"{d}_pct"], "pct", flag),
            Column(f"{title} k", lambda r, d=d: r[f"{d}_achieved"], "int", flag),
            Column(f"{title} 95% CI low", lambda r, d=d: r[f"{d}_ci_low"], "ci", flag),
            Column(f"{title} 95% CI high", lambda r, d=d: r[f"{d}_ci_high"], "ci", flag),
        ]
    return columns
