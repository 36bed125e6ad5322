"""What each suite checks, as one SQL query over the warehouse: the suite's table plus the
derived columns its expectations read. The rules then run in the database engine, and
only counts and a few failing rows come back (issue 17).

GX checks values one column (or pair) at a time; rules such as "one marker per level of
each outcome" or "the all row is the sum of the cohort rows" become a derived column
computed here, so that the suite itself stays a plain, reviewable list of expectations.

A raw suite's query reads only raw tables; the programme definition is written into it
as literals (the levels an outcome must have, each scale's answers, the labels messages
quote: `Very ambitious` where the table holds `very_ambitious`). Portable SQL: the same
text runs on DuckDB and PostgreSQL (windows, `concat_ws`, `nulls first`, no
`count(distinct) over`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from orchestration.lib.programme import ProgrammeSettings
from orchestration.lib.quality.parameters import ReadTable, labels_of
from orchestration.lib.quality.sql_text import (
    any_over,
    distinct_over,
    in_list,
    literal,
    lookup,
    stated,
    typed_rows,
    values_table,
)

OUTCOME = ["participant_key", "domain", "outcome_no"]
LINEAGE_ORDER = ["source_file", "source_sheet", "source_row"]


@dataclass(frozen=True)
class Schemas:
    """Where the layers a suite reads are: `raw` and `marts` in the DuckDB build file, a
    programme's build schemas on PostgreSQL (lib/build_store.py), quoted as SQL names."""

    raw: str = "raw"
    marts: str = "marts"


PLAIN = Schemas()


@dataclass(frozen=True)
class Relation:
    """`sql`: a select whose rows the suite's expectations check. `order`: the order of
    the failing rows a report lists (file, sheet and row where the rows have them)."""

    sql: str
    order: list[str]


def raw_participants(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    return Relation(
        "select p.*, count(*) over (partition by p.cohort) as cohort_size, "
        f"{stated(programme.cohort_sizes, 'p.cohort')} as expected_cohort_size "
        f"from {s.raw}.participants p",
        LINEAGE_ORDER,
    )


def raw_success_markers(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    """One row per marker, then one row per roster cohort with no marker at all (located
    on the cohort's first roster row, `markers_in_cohort` 0): the rule "every cohort has
    markers" needs a row for what is absent."""
    definition = programme.definition
    levels = definition.markers.levels
    # An unknown domain or level is reported as such; counting levels around it would
    # only add confusing "missing level" reports for the same mistake.
    known_domain = f"coalesce({in_list('m.domain', [d.id for d in definition.domains])}, false)"
    unknown_level = f"not coalesce({in_list('m.level', [lv.id for lv in levels])}, false)"
    unknown = f"(not {known_domain} or {any_over(unknown_level, _m(OUTCOME))})"
    missing = ", ".join(
        f"case when {any_over(f'm.level = {literal(level.id)}', _m(OUTCOME))} then null "
        f"else {literal(quoted(level.label))} end"
        for level in levels
    )
    missing_levels = f"concat_ws(' and no ', {missing})" if levels else "''"
    markers = (
        "select m.*, "
        f"case when {unknown} then null else count(*) over (partition by "
        f"{', '.join(_m([*OUTCOME, 'level']))}) end as level_repeats, "
        f"case when {unknown} then null else {distinct_over('m.level', _m(OUTCOME))} end "
        "as levels_in_outcome, "
        f"{missing_levels} as missing_levels, "
        f"{_in_roster('m', s)} as in_roster, "
        f"{lookup('m.domain', labels_of(definition.domains))} as domain_label, "
        f"{lookup('m.level', labels_of(levels))} as level_label, "
        "r.cohort "
        f"from {s.raw}.success_markers m left join {s.raw}.participants r "
        "on r.participant_key = m.participant_key"
    )
    columns = [
        "participant_key",
        "domain",
        "outcome_no",
        "level",
        "source_file",
        "source_sheet",
        "source_row",
        "level_repeats",
        "levels_in_outcome",
        "missing_levels",
        "in_roster",
        "domain_label",
        "level_label",
        "cohort",
    ]
    kept = ", ".join(columns)
    absent = ", ".join(
        column if column in ("cohort", *LINEAGE_ORDER) else f"null as {column}"
        for column in columns
    )
    return Relation(
        f"with markers as ({markers}), "
        "first_rows as (select cohort, source_file, source_sheet, source_row, row_number() "
        "over (partition by cohort order by source_file, source_sheet, source_row) as nth "
        f"from {s.raw}.participants) "
        f"select {kept}, case when cohort is not null then count(*) over "
        "(partition by cohort) end as markers_in_cohort from markers "
        f"union all select {absent}, 0 as markers_in_cohort from first_rows f "
        "where f.nth = 1 and not exists "
        "(select 1 from markers where markers.cohort = f.cohort)",
        LINEAGE_ORDER,
    )


def raw_success_marker_statuses(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    statuses = labels_of(programme.definition.markers.statuses)
    return Relation(
        f"select s.*, {lookup('s.status', statuses)} as status_label "
        f"from {s.raw}.success_marker_statuses s",
        LINEAGE_ORDER,
    )


def raw_unanticipated_outcomes(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    return Relation(
        f"select u.*, {_in_roster('u', s)} as in_roster from {s.raw}.unanticipated_outcomes u",
        LINEAGE_ORDER,
    )


def raw_survey_codebook(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    return Relation(f"select * from {s.raw}.survey_codebook", LINEAGE_ORDER)


def raw_survey_responses(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    return Relation(
        "select s.*, case when s.cohort is not null then exists (select 1 from "
        f"{s.raw}.participants p where p.cohort = s.cohort) end as cohort_in_roster, "
        f"{distinct_over('s.response_id', ['s.cohort'])} as respondents_in_cohort, "
        f"{stated(programme.survey_respondents, 's.cohort')} as expected_respondents "
        f"from {s.raw}.survey_responses s",
        LINEAGE_ORDER,
    )


def raw_survey_exclusions(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    """Nothing derived: a file's count above zero is reported (a warning), so that the
    run's report says how many turned-down submissions were left out, file by file."""
    return Relation(f"select * from {s.raw}.survey_exclusions", LINEAGE_ORDER[:2])


def raw_survey_answers(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    """`answer_fits_scale`: the answer is one of its item's scale's categories or an
    excluded one. Null (not checked) when the answer is blank (skipped), unknown to every
    scale (its own rule) or the item's scale is unknown (the codebook's rule)."""
    from orchestration.lib.text import one_of

    survey = programme.definition.survey
    answers = {
        scale.id: [*scale.categories, *survey.excluded]
        for scale in programme.definition.survey.scales
    }
    answer_labels = {c.id: c.label for categories in answers.values() for c in categories}
    fits = values_table(
        "fits",
        ["scale", "answer"],
        [(scale, category.id) for scale, categories in answers.items() for category in categories],
    )
    words = values_table(
        "words",
        ["scale", "expected_answers"],
        [(scale, one_of(c.label for c in categories)) for scale, categories in answers.items()],
    )
    return Relation(
        "select a.*, i.scale as item_scale, words.expected_answers, "
        f"case when {in_list('a.answer', answer_labels)} and words.scale is not null "
        "then fits.answer is not null end as answer_fits_scale, "
        f"{lookup('a.answer', answer_labels)} as answer_label "
        f"from {s.raw}.survey_answers a "
        f"left join {s.raw}.survey_codebook i on i.item_id = a.item_id "
        f"left join {words} on words.scale = i.scale "
        f"left join {fits} on fits.scale = i.scale and fits.answer = a.answer",
        LINEAGE_ORDER,
    )


def fct_success_markers(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    return Relation(
        "select f.*, "
        f"{distinct_over('f.cohort', ['f.participant_key'])} as cohorts_of_participant, "
        f"{distinct_over('f.level', _m(OUTCOME, 'f'))} as levels_in_outcome, "
        # A marker is achieved when an achieved status is recorded at some review.
        "(f.is_achieved = (f.first_achieved_review is not null)) as achieved_at_a_review "
        f"from {s.marts}.fct_success_markers f",
        LINEAGE_ORDER,
    )


def fct_survey_answers(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    return Relation(
        "select f.*, count(*) over (partition by f.response_id) as items_of_response, "
        f"(select count(distinct response_id) from {s.marts}.fct_survey_answers) "
        "as respondents_total, "
        f"cast({literal(programme.total_respondents)} as bigint) "
        f"as expected_respondents_total from {s.marts}.fct_survey_answers f",
        ["response_id", "item_id"],
    )


def mart_domain_rates(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    # Cohort rows are compared with themselves; only the `all` row is really tested.
    return Relation(
        "select r.*, "
        "case when r.cohort = 'all' then s.all_achieved else r.achieved_n end "
        "as cohort_rows_sum, "
        "case when r.cohort = 'all' then s.all_participants else r.participants end "
        "as participants_rows_sum, "
        f"{stated(programme.cohort_sizes, 'r.cohort_number')} as expected_participants "
        f"from {s.marts}.mart_domain_rates r left join (select domain, sum(achieved_n) "
        f"as all_achieved, sum(participants) as all_participants from {s.marts}.mart_domain_rates "
        "where cohort <> 'all' group by domain) s on s.domain = r.domain",
        ["cohort_number", "domain"],
    )


def mart_survey_item_rates(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    # Every kept response answers, skips or excludes each item exactly once.
    return Relation(
        "select r.*, r.valid_n + r.excluded_n + r.skipped_n as answers_n "
        f"from {s.marts}.mart_survey_item_rates r",
        ["item_id"],
    )


def mart_survey_section_rates(programme: ProgrammeSettings, s: Schemas = PLAIN) -> Relation:
    return Relation(f"select * from {s.marts}.mart_survey_section_rates", ["section"])


def mart_marker_level_patterns(
    programme: ProgrammeSettings, s: Schemas = PLAIN, patterns: pl.DataFrame | None = None
) -> Relation:
    """The patterns in the definition's words are put together in Python from the mart's
    few rows (one per cohort, domain and pattern; `frames.mart_marker_level_patterns`,
    which `relation_of` calls), and written into the query as its rows: nothing is
    registered or stored, so DuckDB and PostgreSQL (GX's own connection too) read the same
    query."""
    if patterns is None:
        raise ValueError("the level patterns' query is made from their frame (relation_of)")
    frame = patterns.with_row_index("frame_order")
    columns = {name: _sql_type(dtype) for name, dtype in frame.schema.items()}
    return Relation(typed_rows(columns, frame.rows()), ["frame_order"])


def _sql_type(dtype: pl.DataType) -> str:
    if dtype.is_integer():
        return "bigint"
    if dtype.is_float():
        return "double precision"
    if dtype == pl.Boolean:
        return "boolean"
    return "varchar"


RELATIONS: dict[str, Callable[..., Relation]] = {
    name: function
    for name, function in globals().items()
    if name.startswith(("raw_", "fct_", "mart_")) and callable(function)
}


def relation_of(
    name: str, programme: ProgrammeSettings, schemas: Schemas, read: ReadTable
) -> Relation:
    """The suite's query; `read` gives the tables read in Python (the level patterns'
    mart, whose rows are worded there)."""
    if name == "mart_marker_level_patterns":
        from orchestration.lib.quality import frames

        patterns = frames.mart_marker_level_patterns(read, frames.FrameContext(programme))
        return mart_marker_level_patterns(programme, schemas, patterns)
    return RELATIONS[name](programme, schemas)


def _in_roster(alias: str, s: Schemas) -> str:
    """Whether the row's participant is on the roster (null, not checked, for no id)."""
    return (
        f"case when {alias}.participant_key is not null then exists (select 1 from "
        f"{s.raw}.participants p where p.participant_key = {alias}.participant_key) end"
    )


def quoted(label: str) -> str:
    """A label as a message quotes it: 'Very ambitious'."""
    return f"'{label}'"


def _m(columns: list[str], alias: str = "m") -> list[str]:
    return [f"{alias}.{column}" for column in columns]
