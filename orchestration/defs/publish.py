"""The publish asset: the brief's tables from the marts, then the atomic swap into place."""

import time

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.defs.partitions import PROGRAMMES
from orchestration.defs.resources import BUILD_POOL, BuildWarehouse, other_runs_in_progress
from orchestration.defs.transform import idream_dbt_models
from orchestration.lib import publishing, warehouse
from orchestration.lib.fingerprint import FINGERPRINT_TAG
from orchestration.lib.report.markdown import render_markdown
from orchestration.lib.report.methods import suppressed_count
from orchestration.lib.report.provenance import collect
from orchestration.lib.report.quality_status import QualityStatus, report_link
from orchestration.settings import PROJECT_ROOT


@dg.asset(
    key=["publish", "evidence_brief"],
    group_name="publish",
    pool=BUILD_POOL,
    partitions_def=PROGRAMMES,
    kinds={"csv", "parquet", "html", "xlsx", "markdown", "duckdb"},
    owners=["team:monitoring-evaluation"],
    deps=[
        *[get_asset_key_for_model([idream_dbt_models], mart) for mart in publishing.MARTS],
        dg.AssetKey(["quality", "report"]),
    ],
    description=(
        "Writes the brief (brief.html, self-contained; brief.md; brief.xlsx; the tables, the "
        "further analysis' included, as CSV and Parquet; the charts as SVG and PNG; "
        "provenance.json) and then replaces "
        "<warehouse>/idream.duckdb and "
        "<warehouse>/brief/ with this run's, each by one atomic rename (a programme under a "
        "root: <warehouse>/programmes/<id>/idream.duckdb and <warehouse>/brief/<id>/, which "
        "also holds its quality_summary.json). Runs only when "
        "everything upstream, dbt tests included, succeeded."
    ),
)
def evidence_brief(
    context: dg.AssetExecutionContext, build: BuildWarehouse
) -> dg.MaterializeResult:
    with build.turn(context.log) as s:
        started = time.monotonic()
        run_id = context.run.run_id
        warehouse.clean_scratch(s.scratch_dir, run_id, other_runs_in_progress(context))
        staged = warehouse.scratch_path(s.scratch_dir, s.brief_dir.name, run_id, "staged")
        programme = build.programme
        tables = publishing.load_brief_tables(
            build.store, programme.definition, programme.min_cell_size
        )
        provenance = collect(run_id, s.raw_dir, PROJECT_ROOT)
        quality = QualityStatus.read(
            s.quality_dir / "summary.json", report_link(s.quality_dir, s.brief_dir)
        )
        summary = s.quality_dir / "summary.json" if s.in_root else None
        written = publishing.write_brief(tables, staged, provenance, quality, summary)
        # Under a root, <warehouse>/brief/ holds one folder per programme.
        s.brief_dir.parent.mkdir(parents=True, exist_ok=True)
        publishing.publish(s, staged, run_id)
        # Inputs fingerprinted when the run started (idream run, sensor), else now.
        fingerprint = context.run.tags.get(FINGERPRINT_TAG) or s.fingerprint()
        publishing.record_published(s.published_state_path, fingerprint, run_id)
        context.log.info(
            f"published {s.database_path} and {len(written)} brief files to {s.brief_dir} "
            f"in {time.monotonic() - started:.2f}s"
        )
    total = tables.success_markers.filter(tables.success_markers["cohort"] == "all").row(
        0, named=True
    )
    return dg.MaterializeResult(
        metadata={
            "warehouse": dg.MetadataValue.path(str(s.database_path)),
            "brief": dg.MetadataValue.path(str(s.brief_dir)),
            "participants": total["participants"],
            "survey_respondents": tables.respondents,
            "min_cell_size": tables.min_cell_size,
            "suppressed_cells": suppressed_count(tables),
            "further_suppressed_cells": tables.further.suppressed_count() if tables.further else 0,
            "brief_html": dg.MetadataValue.path(str(s.brief_dir / "brief.html")),
            "brief_md": dg.MetadataValue.md(render_markdown(tables)),
        }
    )
