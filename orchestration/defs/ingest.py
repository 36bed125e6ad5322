"""Ingest assets: raw spreadsheets -> the `raw` schema of the build warehouse.

Thin wiring around `orchestration.lib.ingest`: read settings, call the pure functions,
land the frames, report what was read. A file that cannot be landed raises `RawDataError`,
whose message names the file, sheet, row and column; the contract's value rules run next,
as the Great Expectations checks in `quality.py`.
"""

import time

import dagster as dg
import polars as pl

from orchestration.defs.resources import PipelineSettings
from orchestration.lib import ingest, warehouse
from orchestration.settings import Settings

GROUP = "ingest"
OWNERS = ["team:monitoring-evaluation"]


def _spec(name: str, description: str, deps: tuple[str, ...] = ()) -> dg.AssetSpec:
    return dg.AssetSpec(
        ["raw", name],
        description=description,
        deps=[["raw", dep] for dep in deps],
        group_name=GROUP,
        kinds={"polars", "duckdb"},
        owners=OWNERS,
    )


def column_schema(frame: pl.DataFrame) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[dg.TableColumn(name, str(dtype)) for name, dtype in frame.schema.items()]
    )


def _land(
    context: dg.AssetExecutionContext, settings: Settings, landed: ingest.Landed, started: float
):
    warehouse.replace_tables(settings.build_database_path, landed.tables)
    for name, frame in landed.tables.items():
        context.log.info(
            f"landed raw.{name}: {frame.height} rows from {len(landed.files)} file(s) "
            f"({', '.join(landed.files)}) in {time.monotonic() - started:.2f}s"
        )
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(["raw", name]),
            metadata={
                "dagster/row_count": frame.height,
                "dagster/column_schema": column_schema(frame),
                "source_files": dg.MetadataValue.json(landed.files),
            },
        )


def _key(context: dg.AssetExecutionContext, settings: Settings) -> bytes:
    key, notice = settings.pseudonym_key()
    if notice:
        context.log.warning(notice)
    return key


@dg.multi_asset(
    specs=[
        _spec(
            "participants",
            "The roster: one row per participant, pseudonymised; "
            "names, emails and countries dropped.",
        )
    ],
)
def raw_participants(context: dg.AssetExecutionContext, settings: PipelineSettings):
    s, started = settings.get(), time.monotonic()
    yield from _land(context, s, ingest.ingest_roster(s.raw_dir, _key(context, s)), started)


@dg.multi_asset(
    specs=[
        _spec(
            "success_markers",
            "Success markers from every workbook's `markers` sheet; "
            "outcome and marker texts dropped.",
        ),
        _spec(
            "unanticipated_outcomes",
            "Unanticipated outcomes from the `unanticipated` sheets; descriptions dropped.",
        ),
    ],
)
def raw_success_markers(context: dg.AssetExecutionContext, settings: PipelineSettings):
    s, started = settings.get(), time.monotonic()
    yield from _land(
        context, s, ingest.ingest_success_markers(s.raw_dir, _key(context, s)), started
    )


@dg.multi_asset(
    specs=[_spec("survey_codebook", "The survey items: id, section, statement, scale.")],
)
def raw_survey_codebook(context: dg.AssetExecutionContext, settings: PipelineSettings):
    s, started = settings.get(), time.monotonic()
    yield from _land(context, s, ingest.ingest_codebook(s.raw_dir), started)


@dg.multi_asset(
    specs=[
        _spec(
            "survey_responses",
            "Every submitted survey response (duplicates kept here, resolved in dbt); "
            "survey-tool metadata dropped.",
            deps=("survey_codebook",),
        ),
        _spec(
            "survey_answers",
            "Survey answers unpivoted: one row per response and codebook item.",
            deps=("survey_codebook",),
        ),
    ],
)
def raw_survey(context: dg.AssetExecutionContext, settings: PipelineSettings):
    s, started = settings.get(), time.monotonic()
    item_ids = warehouse.query(s.build_database_path, "select item_id from raw.survey_codebook")
    landed = ingest.ingest_survey(s.raw_dir, item_ids["item_id"].to_list())
    yield from _land(context, s, landed, started)
