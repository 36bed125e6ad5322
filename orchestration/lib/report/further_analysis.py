"""The brief's "Further analysis" section, after its own: short sentences generated from the
further tables' figures, and those tables as people read them (Markdown and HTML), in the
programme's words. Only published cells are read: a withheld figure is never worded, and
a sentence whose figures are withheld says so or is left out."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import polars as pl

from orchestration.lib.brief import ANY_DOMAIN, BriefTables, domains
from orchestration.lib.further import ALL, NONE, FurtherTables, levels, reviews
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.report.text import RANGE_DASH
from orchestration.lib.report.wording import (
    across,
    domain_titles,
    listed,
    participant_noun,
    quoted,
)
from orchestration.lib.rounding import percent_half_up, rate
from orchestration.lib.suppression import SUPPRESSED

TITLE = "Further analysis"
# What the chart and the tables call the participants with no achieved marker.
NO_MARKER = "No marker achieved"


@dataclass(frozen=True)
class Words:
    """The section's text, shared by the Markdown and the HTML."""

    sentences: tuple[str, ...]
    notes: tuple[str, ...]


def level_labels(definition: ProgrammeDefinition) -> dict[str, str]:
    """marker_levels' `highest_<x>_n` stems -> their labels: none, then the levels."""
    labels = {level.id: level.label for level in definition.markers.levels}
    return {x: NO_MARKER if x == NONE else labels[x] for x in levels(definition)}


def review_labels(definition: ProgrammeDefinition) -> dict[str, str]:
    return {review.id: review.label for review in definition.markers.reviews}


def pct(k: int, n: int) -> str:
    return f"{percent_half_up(rate(k, n))}%"


def all_row(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(pl.col("cohort") == ALL, *(pl.col(c) == v for c, v in where.items()))
    return rows.row(0, named=True)


def levels_sentence(further: FurtherTables, definition: ProgrammeDefinition) -> str:
    """For example: Counting each participant once, the highest level among the success
    markers they achieved in any domain was “Very ambitious” for 45% of participants (18/40),
    “Ambitious” for 30% (12/40), “Realistic” for 23% (9/40), and none for 3% (1/40)."""
    row = all_row(further.marker_levels, domain=ANY_DOMAIN)
    n, labels = row["participants"], level_labels(definition)
    counts = {x: row[f"highest_{x}_n"] for x in labels}
    if None in counts.values():
        return (
            "The highest levels reached across all cohorts are withheld to protect small "
            "groups (see the notes below)."
        )
    parts = [
        f"{quoted([label])} for {pct(counts[x], n)} ({counts[x]}/{n})"
        for x, label in reversed(labels.items())
        if x != NONE
    ]
    parts[0] = parts[0].replace("% (", "% of participants (", 1)
    parts.append(f"none for {pct(counts[NONE], n)} ({counts[NONE]}/{n})")
    return (
        "Counting each participant once, the highest level among the success markers they "
        f"achieved in any domain was {listed(parts)}. Levels are not nested: a participant "
        "may achieve a more ambitious marker and miss a less ambitious one."
    )


def level_rates_sentence(further: FurtherTables, definition: ProgrammeDefinition) -> str | None:
    """For example: Of the success markers set at each level, over all domains and cohorts,
    participants achieved 85% of the “Realistic” ones (102/120), 60% of the “Ambitious”
    ones (72/120), and 30% of the “Very ambitious” ones (36/120)."""
    parts = []
    for level in definition.markers.levels:
        row = all_row(further.marker_level_rates, level=level.id)
        if row["achieved_n"] is None or not row["markers"]:
            continue
        parts.append(
            f"{row['achieved_pct']}% of the {quoted([level.label])} ones "
            f"({row['achieved_n']}/{row['markers']})"
        )
    if not parts:
        return None
    return (
        "Of the success markers set at each level, over all domains and cohorts, "
        f"participants achieved {listed(parts)}."
    )


def progress_sentence(further: FurtherTables, definition: ProgrammeDefinition) -> str | None:
    """For example: By the midpoint review, 70% of participants (28/40) had achieved at
    least one success marker in any domain; by the final review, 98% (39/40)."""
    row = all_row(further.marker_progress, domain=ANY_DOMAIN)
    n, labels = row["participants"], review_labels(definition)
    shown = [r for r in reviews(definition) if row[f"achieved_by_{r}_n"] is not None]
    if len(shown) < 2:  # the last review alone is the headline's figure
        return None
    parts = []
    for index, review in enumerate(shown):
        k = row[f"achieved_by_{review}_n"]
        if index == 0:
            parts.append(
                f"By the {labels[review]} review, {pct(k, n)} of participants ({k}/{n}) had "
                "achieved at least one success marker in any domain"
            )
        else:
            parts.append(f"by the {labels[review]} review, {pct(k, n)} ({k}/{n})")
    return "; ".join(parts) + "."


def by_type_sentence(further: FurtherTables, definition: ProgrammeDefinition) -> str | None:
    """For example: By participant type, 97% of individuals (29/30; 83.3 to 99.4) and 100%
    of organizations (10/10; 72.2 to 100.0) achieved at least one success marker ..."""
    table = further.success_markers_by_type.filter(pl.col("participant_type") != ALL)
    if table.height < 2:
        return None
    stem = ANY_DOMAIN
    if table[f"{stem}_suppressed"].any():
        return (
            "The figures by participant type are withheld to protect small groups (see the "
            "notes below)."
        )
    parts = [
        f"{row[f'{stem}_pct']}% of "
        f"{participant_noun(definition, row['participant_type'], 2)} "
        f"({row[f'{stem}_achieved']}/{row['participants']}; "
        f"{row[f'{stem}_ci_low']:.1f}{RANGE_DASH}{row[f'{stem}_ci_high']:.1f})"
        for row in table.iter_rows(named=True)
    ]
    return (
        f"By participant type, {listed(parts)} achieved at least one success marker in any "
        "domain (with 95% Wilson intervals); read a difference between types against those "
        "intervals."
    )


def unanticipated_sentence(further: FurtherTables) -> str:
    rows = further.unanticipated_outcomes.filter(pl.col("cohort") == ALL)
    if rows["outcomes_suppressed"].any():
        return "The count of unanticipated outcomes is withheld to protect small groups."
    total = int(rows["outcomes_n"].sum())
    if not total:
        return "No unanticipated outcomes were reported."
    outcomes = "outcome" if total == 1 else "outcomes"
    return (
        f"Participants also reported {total} unanticipated {outcomes} at the reviews; they "
        "are counted on their own, never as achieved success markers."
    )


def caveat(definition: ProgrammeDefinition) -> str:
    return (
        "Like the rest of this brief, these figures are self-reported and there is no "
        "comparison group: they describe what participants reported, not how much of it is "
        f"due to {definition.name}."
    )


def words(tables: BriefTables) -> Words:
    further, definition = tables.further, tables.definition
    sentences = [
        levels_sentence(further, definition),
        level_rates_sentence(further, definition),
        progress_sentence(further, definition),
        by_type_sentence(further, definition),
        unanticipated_sentence(further),
        caveat(definition),
    ]
    k = tables.min_cell_size
    anywhere = domain_titles(definition)[ANY_DOMAIN]
    notes = (
        "A participant's highest level in a domain is the highest level among the success "
        f"markers they achieved there, and none when they achieved none; “{anywhere}” "
        "takes the highest over all domains. A marker counts from the first review at which "
        "it was recorded as achieved. Percentages are whole numbers rounded half up, so a "
        "row's may not add up to 100.",
        "Cells are withheld as in the tables above: a figure over fewer than "
        f"{k} people, and the cells that would give it back. Where a cohort is withheld, the "
        "split by level and by review is withheld for every row, as the cohorts' published "
        "counts and the all-cohort split together could give it back. Cells withheld in "
        f"these tables: {further.suppressed_count()}.",
        "Every table of this section, with the levels and progress by cohort, the share of "
        "markers achieved at each level, the survey sections by cohort and the unanticipated "
        "outcomes, is published beside this page as CSV and Parquet and as a sheet of "
        f"brief.xlsx: {', '.join(f'{stem}.csv' for stem in further.frames())}.",
    )
    return Words(tuple(s for s in sentences if s), notes)


# --- The tables ---------------------------------------------------------------------------


def count_cell(k: int | None, n: int, with_n: bool = True) -> str:
    """`pct (k/n)`, `pct (k)` or `suppressed`."""
    if k is None:
        return SUPPRESSED
    return f"{pct(k, n)} ({k}/{n})" if with_n else f"{pct(k, n)} ({k})"


def markdown(tables: BriefTables) -> list[str]:
    further, definition = tables.further, tables.definition
    text = words(tables)
    titles = domain_titles(definition)
    labels, review_names = level_labels(definition), review_labels(definition)
    lines = [f"## {TITLE}", ""]
    lines += [f"- {sentence}" for sentence in text.sentences]
    lines += [
        "",
        "Highest level reached per domain, all cohorts: % of participants (k); the chart is "
        "highest_levels.svg:",
        "",
        "| | N | " + " | ".join(labels.values()) + " |",
        "|---|---:|" + "---:|" * len(labels),
    ]
    for domain in domains(definition):
        row = all_row(further.marker_levels, domain=domain)
        cells = [count_cell(row[f"highest_{x}_n"], row["participants"], False) for x in labels]
        lines.append(f"| {titles[domain]} | {row['participants']} | {' | '.join(cells)} |")
    lines += [
        "",
        "Participants who had achieved 1+ success marker by each review, all cohorts:",
        "",
        "| | " + " | ".join(f"By {review_names[r]}" for r in reviews(definition)) + " |",
        "|---|" + "---:|" * len(review_names),
    ]
    for domain in domains(definition):
        row = all_row(further.marker_progress, domain=domain)
        cells = [
            count_cell(row[f"achieved_by_{r}_n"], row["participants"]) for r in reviews(definition)
        ]
        lines.append(f"| {titles[domain]} | {' | '.join(cells)} |")
    lines += [
        "",
        "By participant type: % who achieved 1+ success marker (k/N; 95% Wilson interval):",
        "",
        "| | " + " | ".join(titles.values()) + " |",
        "|---|" + "---:|" * len(titles),
    ]
    by_type = further.success_markers_by_type
    for row in by_type.iter_rows(named=True):
        cells = [type_cell(row, d) for d in domains(definition)]
        lines.append(f"| {type_label(row, by_type.height - 1, definition)} | {' | '.join(cells)} |")
    lines += ["", *(line for note in text.notes for line in (note, ""))][:-1]
    return lines


def type_label(row: dict, types: int, definition: ProgrammeDefinition) -> str:
    if row["participant_type"] == ALL:
        return f"{across(types, 'type', 'types')} (N={row['participants']})"
    noun = participant_noun(definition, row["participant_type"], 2)
    return f"{noun[0].upper()}{noun[1:]} (N={row['participants']})"


def type_cell(row: dict, domain: str) -> str:
    if row[f"{domain}_suppressed"]:
        return SUPPRESSED
    low, high = row[f"{domain}_ci_low"], row[f"{domain}_ci_high"]
    return (
        f"{row[f'{domain}_pct']}% ({row[f'{domain}_achieved']}/{row['participants']}; "
        f"{low:.1f}{RANGE_DASH}{high:.1f})"
    )


def _span(text: str, kind: str) -> str:
    return f'<span class="{kind}">{escape(text)}</span>'


def _html_count(k: int | None, n: int, with_n: bool = True) -> str:
    if k is None:
        return _span(SUPPRESSED, "suppressed")
    return f"{_span(pct(k, n), 'pct')}<br>{_span(f'{k}/{n}' if with_n else str(k), 'kn')}"


def levels_html(tables: BriefTables) -> str:
    from great_tables import GT

    further, definition = tables.further, tables.definition
    labels, titles = level_labels(definition), domain_titles(definition)
    rows = [all_row(further.marker_levels, domain=d) for d in domains(definition)]
    display = pl.DataFrame(
        {
            "domain": [titles[row["domain"]] for row in rows],
            "participants": [row["participants"] for row in rows],
            **{
                x: [_html_count(row[f"highest_{x}_n"], row["participants"], False) for row in rows]
                for x in labels
            },
        }
    )
    return (
        GT(display, rowname_col="domain", id="highest-levels")
        .fmt(lambda value: value, columns=list(labels))
        .cols_label(participants="Participants (N)", **labels)
        .cols_align("center", columns=list(labels))
        .tab_source_note("Each cell: % of the row's participants and their number, all cohorts.")
        .as_raw_html(inline_css=False)
    )


def progress_html(tables: BriefTables) -> str:
    from great_tables import GT

    further, definition = tables.further, tables.definition
    titles, names = domain_titles(definition), review_labels(definition)
    rows = [all_row(further.marker_progress, domain=d) for d in domains(definition)]
    columns = [f"by_{r}" for r in reviews(definition)]
    display = pl.DataFrame(
        {
            "domain": [titles[row["domain"]] for row in rows],
            **{
                f"by_{r}": [
                    _html_count(row[f"achieved_by_{r}_n"], row["participants"]) for row in rows
                ]
                for r in reviews(definition)
            },
        }
    )
    return (
        GT(display, rowname_col="domain", id="marker-progress")
        .fmt(lambda value: value, columns=columns)
        .cols_label(**{f"by_{r}": f"By {names[r]}" for r in reviews(definition)})
        .cols_align("center", columns=columns)
        .tab_source_note(
            "Each cell: % of participants who had achieved 1+ success marker at that review "
            "or an earlier one, and k/N, all cohorts."
        )
        .as_raw_html(inline_css=False)
    )


def by_type_html(tables: BriefTables) -> str:
    from great_tables import GT, html, loc, style

    from orchestration.lib.report.tables import rate_cell

    further, definition = tables.further, tables.definition
    table = further.success_markers_by_type
    columns = list(domains(definition))
    rows = list(table.iter_rows(named=True))
    display = pl.DataFrame(
        {
            "label": [type_label(row, table.height - 1, definition) for row in rows],
            **{d: [rate_cell(row, d, "achieved", "participants") for row in rows] for d in columns},
        }
    )
    return (
        GT(display, rowname_col="label", id="success-markers-by-type")
        .fmt(lambda value: value, columns=columns)
        .cols_label(**domain_titles(definition))
        .cols_align("center", columns=columns)
        .tab_style(style=style.text(weight="bold"), locations=loc.stub(rows=[len(rows) - 1]))
        .tab_source_note(
            html(
                "Each cell: % of the row's participants who achieved 1+ success marker, k/N, "
                "and the 95% Wilson interval in percent."
            )
        )
        .as_raw_html(inline_css=False)
    )
