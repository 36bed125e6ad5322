"""Publish a finished build: the brief's files first into a staging folder, then both the
warehouse and the brief swapped into place. Nothing published changes unless all of it
was written."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import polars as pl

from orchestration.lib import brief, further, suppression, warehouse
from orchestration.lib.build_store import BuildStore
from orchestration.lib.fingerprint import read_published
from orchestration.lib.programme_definition import ProgrammeDefinition
from orchestration.lib.report.methods import methods as methods_section
from orchestration.lib.report.provenance import Provenance
from orchestration.lib.report.quality_status import QualityStatus
from orchestration.settings import Settings

# File stem -> the BriefTables attribute it publishes, as CSV and as Parquet.
TABLE_FILES = {
    "success_markers_by_domain": "success_markers",
    "survey_sections": "survey_sections",
    "survey_items": "survey_items",
}
PROVENANCE_FILE = "provenance.json"

MARTS = (
    "mart_domain_rates",
    "mart_survey_item_rates",
    "mart_survey_answer_counts",
    "mart_survey_section_rates",
    "dim_cohorts",
    "dim_participants",
    # The further analysis.
    "mart_marker_levels",
    "mart_marker_progress",
    "mart_marker_level_rates",
    "mart_domain_rates_by_type",
    "mart_survey_sections_by_cohort",
    "mart_unanticipated_outcomes",
    "fct_survey_answers",
)
# fct_survey_answers counted per cohort and item: the exact fractions whose mean
# mart_survey_sections_by_cohort holds as a double.
SURVEY_ITEM_COUNTS_BY_COHORT = """
    select
        programme_id,
        cohort,
        section,
        item_id,
        count(*) filter (where is_valid) as valid_n,
        count(*) filter (where is_top_box) as top_box_n
    from {fct_survey_answers}
    group by programme_id, cohort, section, item_id
"""
ROSTER_TYPES = """
    select programme_id, cohort, participant_type, count(*) as participants
    from {dim_participants}
    group by programme_id, cohort, participant_type
"""
PARTICIPANT_TYPES = "select distinct programme_id, participant_type from {dim_participants}"
# Every relation below raw names its programme in this column (issue 15).
PROGRAMME_ID = "programme_id"


class NoProgrammeRows(Exception):
    """The warehouse holds no rows of the programme being published."""


def published_tables(tables: brief.BriefTables) -> dict[str, pl.DataFrame]:
    """File stem -> table: the brief's own, then the further analysis' (its stems are the
    FurtherTables fields)."""
    frames = {stem: getattr(tables, attribute) for stem, attribute in TABLE_FILES.items()}
    return frames | (tables.further.frames() if tables.further else {})


def load_brief_tables(
    store: BuildStore,
    definition: ProgrammeDefinition,
    min_cell_size: int,
) -> brief.BriefTables:
    """The brief's tables, in the order and words of the programme's `definition`, with the
    cells the disclosure policy withholds already withheld, read from the build `store`
    (lib/build_store.py). Only the rows of `definition`'s programme are read (a warehouse
    may hold several), and their programme id is no column of the brief."""

    def query(sql: str) -> pl.DataFrame:
        # The marts' names as the build store writes them (`marts` in the DuckDB file, the
        # programme's build schema on PostgreSQL).
        named = sql.format(**{name: store.table("marts", name) for name in MARTS})
        return programme_rows(store.query(named), definition.id)

    def mart(name: str) -> pl.DataFrame:
        return query(f"select * from {{{name}}}")

    domain_rates = mart("mart_domain_rates")
    item_rates = mart("mart_survey_item_rates")
    cohorts = mart("dim_cohorts")
    if cohorts.is_empty():
        # An id other than the build's would otherwise publish a brief of nothing.
        raise NoProgrammeRows(f"the warehouse holds no rows of programme '{definition.id}'")
    surveyed = cohorts.filter(pl.col("survey_respondents") > 0).sort("cohort")
    # Which types a mixed cohort holds is in the roster, not in dim_cohorts.
    present = set(query(PARTICIPANT_TYPES)["participant_type"])
    marts = further.FurtherMarts(
        marker_levels=mart("mart_marker_levels"),
        marker_progress=mart("mart_marker_progress"),
        marker_level_rates=mart("mart_marker_level_rates"),
        domain_rates_by_type=mart("mart_domain_rates_by_type"),
        survey_sections_by_cohort=mart("mart_survey_sections_by_cohort"),
        survey_item_counts_by_cohort=query(SURVEY_ITEM_COUNTS_BY_COHORT),
        unanticipated_outcomes=mart("mart_unanticipated_outcomes"),
        roster=query(ROSTER_TYPES),
    )
    sizes = {str(cohort): n for cohort, n in cohorts.select("cohort", "participants").iter_rows()}
    # One disclosure policy over the headline table and the further analysis: with nothing
    # withheld in the further tables that the headline shows, the headline's own choice.
    policy = further.published(domain_rates, marts, sizes, definition, min_cell_size)
    hidden_markers = policy.headline
    hidden_items = suppression.suppress(brief.survey_item_counts(item_rates), (), min_cell_size)
    return brief.BriefTables(
        success_markers=brief.success_markers_by_domain(domain_rates, definition, hidden_markers),
        survey_sections=brief.survey_sections(
            item_rates, mart("mart_survey_section_rates"), hidden_items, min_cell_size
        ),
        survey_items=brief.survey_items(
            item_rates, mart("mart_survey_answer_counts"), definition, hidden_items
        ),
        respondents=int(surveyed["survey_respondents"].sum()),
        surveyed_cohorts=surveyed["cohort"].to_list(),
        definition=definition,
        participant_types=tuple(t.id for t in definition.participant_types if t.id in present),
        min_cell_size=min_cell_size,
        further=policy.further,
    )


def programme_rows(table: pl.DataFrame, programme_id: str) -> pl.DataFrame:
    """One programme's rows of a mart or query that carries the programme id, without it."""
    return table.filter(pl.col(PROGRAMME_ID) == programme_id).drop(PROGRAMME_ID)


def csv_table(table: pl.DataFrame) -> pl.DataFrame:
    """The CSV form of a brief table: a withheld cell reads `suppressed`, and the flags go
    (the cell says it). Columns with nothing withheld keep their numeric form."""
    withheld = brief.suppressed_cells(table)
    replaced = [
        pl.when(pl.col(flag))
        .then(pl.lit(suppression.SUPPRESSED))
        .otherwise(pl.col(column).cast(pl.String))
        .alias(column)
        for flag, columns in withheld.items()
        if table[flag].any()
        for column in columns
    ]
    return table.with_columns(replaced).drop(list(withheld))


# A programme under a root publishes its quality summary with its brief: its quality report
# stays in its own warehouse folder, and the brief folder is what a programme's team is given.
QUALITY_SUMMARY = "quality_summary.json"


def write_brief(
    tables: brief.BriefTables,
    out_dir: Path,
    provenance: Provenance,
    quality: QualityStatus,
    quality_summary: Path | None = None,
) -> list[Path]:
    """Every file of the brief into `out_dir`; provenance.json, written last, lists the
    others with their SHA-256. `quality_summary`: the run's summary.json, copied in as
    quality_summary.json (a programme under a root)."""
    from orchestration.lib.report import charts, html, markdown, workbook

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, table in published_tables(tables).items():
        csv_table(table).write_csv(out_dir / f"{stem}.csv")
        # Only what is the same for the same inputs, so that the tables stay byte-identical.
        table.write_parquet(out_dir / f"{stem}.parquet", metadata=_parquet_metadata(provenance))
        written += [out_dir / f"{stem}.csv", out_dir / f"{stem}.parquet"]
    methods = methods_section(tables, quality)
    rendered = charts.render(tables)
    for chart in rendered:
        (out_dir / f"{chart.name}.svg").write_text(chart.svg, encoding="utf-8")
        (out_dir / f"{chart.name}.png").write_bytes(chart.png)
        written += [out_dir / f"{chart.name}.svg", out_dir / f"{chart.name}.png"]
    documents = {
        "brief.md": markdown.render_markdown(tables, methods, provenance),
        "brief.html": html.render_html(tables, rendered, methods, quality, provenance),
    }
    for name, text in documents.items():
        (out_dir / name).write_text(text, encoding="utf-8")
        written.append(out_dir / name)
    workbook.write_workbook(out_dir / "brief.xlsx", tables, methods, provenance)
    written.append(out_dir / "brief.xlsx")
    if quality_summary is not None:
        shutil.copyfile(quality_summary, out_dir / QUALITY_SUMMARY)
        written.append(out_dir / QUALITY_SUMMARY)
    written.append(_write_provenance(out_dir, provenance, written))
    return written


def _parquet_metadata(provenance: Provenance) -> dict[str, str]:
    stable = provenance.as_dict()
    del stable["run_id"], stable["published_at"]
    return {"idream.provenance": json.dumps(stable, sort_keys=True)}


def _write_provenance(out_dir: Path, provenance: Provenance, files: list[Path]) -> Path:
    record = provenance.as_dict() | {
        "outputs": {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(files, key=lambda p: p.name)
        }
    }
    path = out_dir / PROVENANCE_FILE
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def publish(settings: Settings, staged_brief: Path, run_id: str) -> None:
    """Swap the warehouse, then the brief. The DuckDB file and the brief folder each by one
    atomic rename; on the PostgreSQL team warehouse, the programme's rows of the shared
    `marts` in one transaction, with the roles' access (lib/postgres_publish.py)."""
    scratch = settings.scratch_dir
    if settings.warehouse_url is not None:
        from orchestration.lib.postgres import connect
        from orchestration.lib.postgres_layout import build_schema
        from orchestration.lib.postgres_publish import publish_programme

        assert settings.programme_id, "a PostgreSQL build belongs to one programme"
        with connect(settings.warehouse_url, autocommit=True) as connection:
            publish_programme(
                connection, settings.programme_id, build_schema(settings.programme_id, "marts")
            )
    else:
        warehouse.publish_database(
            settings.build_database_path,
            settings.database_path,
            scratch,
            run_id,
            key=settings.warehouse_key(),
        )
    warehouse.publish_folder(staged_brief, settings.brief_dir, scratch, run_id)


def record_published(path: Path, fingerprint: str | None, run_id: str) -> None:
    """Written last: a run killed before this line is simply not a no-op for the next one."""
    record = {"fingerprint": fingerprint, "run_id": run_id}
    staged = path.with_suffix(".tmp")
    staged.write_text(json.dumps(record) + "\n", encoding="utf-8")
    staged.replace(path)


def up_to_date(settings: Settings, fingerprint: str | None) -> str | None:
    """The run id of the published outputs when `fingerprint` (`settings.fingerprint()`: the
    raw files, code, package versions and key now) is the one they were built from."""
    published = read_published(settings.published_state_path)
    # On PostgreSQL the published marts are on the server; the record and the brief are here.
    on_file = settings.warehouse_url is None
    if not published or (on_file and not settings.database_path.exists()):
        return None
    if not settings.brief_dir.exists():
        return None
    return published["run_id"] if fingerprint and fingerprint == published["fingerprint"] else None
