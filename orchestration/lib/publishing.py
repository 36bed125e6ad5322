"""Publish a finished build: the brief's files first into a staging folder, then both the
warehouse and the brief swapped into place. Nothing published changes unless all of it
was written."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from orchestration.lib import brief, warehouse
from orchestration.lib.fingerprint import read_published
from orchestration.settings import Settings

MARTS = ("mart_domain_rates", "mart_survey_item_rates", "mart_survey_section_rates", "dim_cohorts")


def load_brief_tables(database_path: Path, key: str | None = None) -> brief.BriefTables:
    def mart(name: str) -> pl.DataFrame:
        return warehouse.query(database_path, f"select * from marts.{name}", key)

    item_rates = mart("mart_survey_item_rates")
    cohorts = mart("dim_cohorts")
    surveyed = cohorts.filter(pl.col("survey_respondents") > 0).sort("cohort")
    return brief.BriefTables(
        success_markers=brief.success_markers_by_domain(mart("mart_domain_rates")),
        survey_sections=brief.survey_sections(item_rates, mart("mart_survey_section_rates")),
        survey_items=brief.survey_items(item_rates),
        respondents=int(surveyed["survey_respondents"].sum()),
        surveyed_cohorts=surveyed["cohort"].to_list(),
    )


def write_brief(tables: brief.BriefTables, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "success_markers_by_domain.csv": tables.success_markers,
        "survey_sections.csv": tables.survey_sections,
        "survey_items.csv": tables.survey_items,
    }
    written = []
    for name, frame in files.items():
        frame.write_csv(out_dir / name)
        written.append(out_dir / name)
    (out_dir / "brief.md").write_text(brief.render_markdown(tables), encoding="utf-8")
    written.append(out_dir / "brief.md")
    return written


def publish(settings: Settings, staged_brief: Path, run_id: str) -> None:
    """Swap the warehouse, then the brief; each swap is one atomic rename."""
    scratch = settings.scratch_dir
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
    if not published or not settings.database_path.exists() or not settings.brief_dir.exists():
        return None
    return published["run_id"] if fingerprint and fingerprint == published["fingerprint"] else None
