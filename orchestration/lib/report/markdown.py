"""brief.md: the brief's findings as Markdown, for the Dagster UI and for plain-text readers."""

from __future__ import annotations

import polars as pl

from orchestration.lib.brief import TOP_BOX, BriefTables, domains
from orchestration.lib.report import further_analysis
from orchestration.lib.report.methods import MethodsSection
from orchestration.lib.report.provenance import Provenance
from orchestration.lib.report.text import (
    ci_text,
    cohort_label,
    count_text,
    pct_text,
    section_sentences,
    success_sentence,
    survey_sentence,
)
from orchestration.lib.report.wording import brief_title, domain_titles


def render_markdown(
    tables: BriefTables,
    methods: list[MethodsSection] | None = None,
    provenance: Provenance | None = None,
) -> str:
    lines = [f"# {brief_title(tables.definition)}", "", "## 1. Success markers", ""]
    lines += _success_marker_markdown(tables)
    lines += ["", "## 2. End-of-cohort survey", ""]
    lines += _survey_markdown(tables)
    if tables.further is not None:
        lines += ["", *further_analysis.markdown(tables)]
    if methods:
        lines += ["", "## Methods"]
        for section in methods:
            lines += ["", f"### {section.title}", ""]
            lines += [line for paragraph in section.paragraphs for line in (paragraph, "")][:-1]
            if section.link:
                lines += ["", f"[{section.link[0]}]({section.link[1]})"]
    if provenance:
        lines += ["", "## Provenance", "", *_provenance_markdown(provenance)]
    return "\n".join(lines) + "\n"


def _success_marker_markdown(tables: BriefTables) -> list[str]:
    table, definition = tables.success_markers, tables.definition
    columns = domains(definition)
    cohorts = table.filter(pl.col("cohort") != "all").height
    header = "| | " + " | ".join(domain_titles(definition).values()) + " |"
    rule = "|---|" + "---:|" * len(columns)
    lines = [
        success_sentence(tables),
        "",
        "% of participants who achieved 1+ success marker per domain:",
        "",
        header,
        rule,
    ]
    rows = list(table.iter_rows(named=True))
    for row in rows:
        cells = " | ".join(pct_text(row, d) for d in columns)
        lines.append(f"| {cohort_label(row, cohorts, definition)} | {cells} |")
    lines += [
        "",
        "Participants who achieved it (k/N) and 95% Wilson interval (%):",
        "",
        header,
        rule,
    ]
    for row in rows:
        cells = " | ".join(
            f"{count_text(row, d, 'achieved', 'participants')} ({ci_text(row, d)})" for d in columns
        )
        lines.append(f"| {cohort_label(row, cohorts, definition)} | {cells} |")
    return lines


def _survey_markdown(tables: BriefTables) -> list[str]:
    lines = [survey_sentence(tables.surveyed_cohorts, tables.respondents), ""]
    lines += [f"- {sentence}" for sentence in section_sentences(tables)]
    lines += [
        "",
        "| Item | Section | Statement | Top box k/n | Top box % | 95% interval (%) |",
        "|---|---|---|---:|---:|---:|",
    ]
    for item in tables.survey_items.iter_rows(named=True):
        lines.append(
            f"| {item['item_id']} | {item['section']} | {item['statement']} | "
            f"{count_text(item, TOP_BOX, 'n', 'valid_n')} | {pct_text(item, TOP_BOX)} | "
            f"{ci_text(item, TOP_BOX)} |"
        )
    return lines


def _provenance_markdown(provenance: Provenance) -> list[str]:
    rows = provenance.rows()
    # The run-metadata block: the only lines that differ between two runs on the same inputs.
    lines = ["<!-- run-metadata -->"]
    lines += [f"- {label}: {value}" for label, value in rows[:2]]
    lines += ["<!-- /run-metadata -->", ""]
    lines += [f"- {label}: `{value}`" for label, value in rows[2:]]
    return lines
