"""brief.md: the brief's findings as Markdown, for the Dagster UI and for plain-text readers."""

from __future__ import annotations

import polars as pl

from orchestration.lib.brief import DOMAIN_TITLES, DOMAINS, SECTION_WORDING, BriefTables
from orchestration.lib.report.methods import MethodsSection
from orchestration.lib.report.provenance import Provenance
from orchestration.lib.report.text import (
    ci_text,
    cohort_label,
    count_text,
    pct_text,
    section_sentence,
    success_sentence,
    survey_sentence,
)


def render_markdown(
    tables: BriefTables,
    methods: list[MethodsSection] | None = None,
    provenance: Provenance | None = None,
) -> str:
    lines = ["# IDREAM evidence brief: key findings", "", "## 1. Success markers", ""]
    lines += _success_marker_markdown(tables.success_markers)
    lines += ["", "## 2. End-of-cohort survey", ""]
    lines += _survey_markdown(tables)
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


def _success_marker_markdown(table: pl.DataFrame) -> list[str]:
    cohorts = table.filter(pl.col("cohort") != "all").height
    header = "| | " + " | ".join(DOMAIN_TITLES[d] for d in DOMAINS) + " |"
    rule = "|---|" + "---:|" * len(DOMAINS)
    lines = [
        success_sentence(table),
        "",
        "% of participants who achieved 1+ success marker per domain:",
        "",
        header,
        rule,
    ]
    rows = list(table.iter_rows(named=True))
    for row in rows:
        cells = " | ".join(pct_text(row, d) for d in DOMAINS)
        lines.append(f"| {cohort_label(row, cohorts)} | {cells} |")
    lines += [
        "",
        "Participants who achieved it (k/N) and 95% Wilson interval (%):",
        "",
        header,
        rule,
    ]
    for row in rows:
        cells = " | ".join(
            f"{count_text(row, d, 'achieved', 'participants')} ({ci_text(row, d)})" for d in DOMAINS
        )
        lines.append(f"| {cohort_label(row, cohorts)} | {cells} |")
    return lines


def _survey_markdown(tables: BriefTables) -> list[str]:
    lines = [survey_sentence(tables.surveyed_cohorts, tables.respondents), ""]
    for section in tables.survey_sections.iter_rows(named=True):
        lines.append(f"- {section_sentence(section, *SECTION_WORDING[section['section']])}")
    lines += [
        "",
        "| Item | Section | Statement | Top-2 k/n | Top-2 % | 95% interval (%) |",
        "|---|---|---|---:|---:|---:|",
    ]
    for item in tables.survey_items.iter_rows(named=True):
        lines.append(
            f"| {item['item_id']} | {item['section']} | {item['statement']} | "
            f"{count_text(item, 'top2', 'n', 'valid_n')} | {pct_text(item, 'top2')} | "
            f"{ci_text(item, 'top2')} |"
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
