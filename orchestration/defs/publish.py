"""The publish asset: the brief's tables from the marts, then the atomic swap into place."""

import time

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.defs.resources import PipelineSettings
from orchestration.defs.transform import idream_dbt_models
from orchestration.lib import brief, publishing, warehouse
from orchestration.lib.fingerprint import FINGERPRINT_TAG


@dg.asset(
    key=["publish", "evidence_brief"],
    group_name="publish",
    kinds={"csv", "markdown", "duckdb"},
    owners=["team:monitoring-evaluation"],
    deps=[
        *[get_asset_key_for_model([idream_dbt_models], mart) for mart in publishing.MARTS],
        dg.AssetKey(["quality", "report"]),
    ],
    description=(
        "Writes the brief's tables (success_markers_by_domain.csv, survey_sections.csv, "
        "survey_items.csv, brief.md) and then replaces <warehouse>/idream.duckdb and "
        "<warehouse>/brief/ with this run's, each by one atomic rename. Runs only when "
        "everything upstream, dbt tests included, succeeded."
    ),
)
def evidence_brief(
    context: dg.AssetExecutionContext, settings: PipelineSettings
) -> dg.MaterializeResult:
    s, started = settings.get(), time.monotonic()
    run_id = context.run.run_id
    warehouse.clean_scratch(s.scratch_dir, run_id)
    staged = warehouse.scratch_path(s.scratch_dir, s.brief_dir.name, run_id, "staged")
    tables = publishing.load_brief_tables(s.build_database_path, s.warehouse_key())
    written = publishing.write_brief(tables, staged)
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
            "brief_md": dg.MetadataValue.md(brief.render_markdown(tables)),
        }
    )
