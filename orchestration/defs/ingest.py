"""Ingest assets: raw spreadsheets -> the `raw` schema of the build warehouse.

Thin wiring around `orchestration.lib.ingest`: read settings, call the pure functions,
land the frames, report what was read. A file that cannot be landed raises `RawDataError`,
whose message names the file, sheet, row and column; the contract's value rules run next,
as the Great Expectations checks in `quality.py`.

A landing whose inputs (files, ingest code, key, upstream landing) have the same
fingerprint as the last one is not redone: when one cohort's workbook changes, only the
success-marker workbooks are read again.
"""

import time

import dagster as dg
import polars as pl

from orchestration.defs.resources import WAREHOUSE_POOL, BuildWarehouse
from orchestration.lib import ingest, raw_files, warehouse
from orchestration.lib.fingerprint import FULL_REBUILD_TAG

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


def _land(context, build: BuildWarehouse, landed: ingest.Landed, fingerprint: str, started: float):
    warehouse.replace_tables(
        build.ready(context.log).build_database_path,
        landed.tables,
        fingerprint,
        restricted=landed.restricted,
        key=build.key,
    )
    for name, frame in landed.restricted.items():
        if frame is not None:
            context.log.info(
                f"kept {frame.height} rows of free text in {warehouse.RESTRICTED_SCHEMA}.{name} "
                "(programme.toml: retention.keep_free_text = true)"
            )
    for name, frame in landed.tables.items():
        context.log.info(
            f"landed raw.{name}: {frame.height} rows from {len(landed.files)} file(s) "
            f"({', '.join(landed.files)}) in {time.monotonic() - started:.2f}s"
        )
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(["raw", name]),
            data_version=dg.DataVersion(fingerprint),
            metadata={
                "dagster/row_count": frame.height,
                "dagster/column_schema": column_schema(frame),
                "source_files": dg.MetadataValue.json(landed.files),
                "relanded": True,
            },
        )


def _unchanged(context, build: BuildWarehouse, tables: list[str], fingerprint: str) -> list:
    """Results for tables already landed from exactly these inputs; empty if not so."""
    database, key = build.ready(context.log).build_database_path, build.key
    if context.run.tags.get(FULL_REBUILD_TAG) == "true":
        return []
    if warehouse.landed_fingerprint(database, tables, key=key) != fingerprint:
        return []
    results = []
    for name in tables:
        rows = warehouse.query(database, f'select count(*) as n from raw."{name}"', key)["n"][0]
        context.log.info(
            f"raw.{name}: inputs unchanged since it was landed ({rows} rows); not re-read"
        )
        results.append(
            dg.MaterializeResult(
                asset_key=dg.AssetKey(["raw", name]),
                data_version=dg.DataVersion(fingerprint),
                metadata={"dagster/row_count": int(rows), "relanded": False},
            )
        )
    return results


@dg.multi_asset(
    pool=WAREHOUSE_POOL,
    specs=[
        _spec(
            "participants",
            "The roster: one row per participant, pseudonymised; "
            "names, emails and countries dropped.",
        )
    ],
)
def raw_participants(context: dg.AssetExecutionContext, build: BuildWarehouse):
    s, started = build.ready(context.log), time.monotonic()
    key, key_digest = build.pseudonym_key(context.log)
    fingerprint = ingest.input_fingerprint(
        [raw_files.roster_file(s.raw_dir)], s.raw_dir, key=key_digest
    )
    if unchanged := _unchanged(context, build, ["participants"], fingerprint):
        yield from unchanged
        return
    yield from _land(
        context,
        build,
        ingest.ingest_roster(s.raw_dir, key, s.workbook_password()),
        fingerprint,
        started,
    )


@dg.multi_asset(
    pool=WAREHOUSE_POOL,
    specs=[
        _spec(
            "success_markers",
            "Success markers from every workbook's `markers` sheet; outcome and marker "
            "texts dropped (kept in `restricted` only if programme.toml asks).",
        ),
        _spec(
            "unanticipated_outcomes",
            "Unanticipated outcomes from the `unanticipated` sheets; descriptions dropped.",
        ),
    ],
)
def raw_success_markers(context: dg.AssetExecutionContext, build: BuildWarehouse):
    s, started = build.ready(context.log), time.monotonic()
    key, key_digest = build.pseudonym_key(context.log)
    keep_free_text = build.programme.keep_free_text
    paths = raw_files.marker_workbooks(s.raw_dir)
    fingerprint = ingest.input_fingerprint(
        paths, s.raw_dir, key=key_digest, free_text=str(keep_free_text)
    )
    if unchanged := _unchanged(
        context, build, ["success_markers", "unanticipated_outcomes"], fingerprint
    ):
        yield from unchanged
        return
    landed = ingest.ingest_success_markers(s.raw_dir, key, keep_free_text, s.workbook_password())
    yield from _land(context, build, landed, fingerprint, started)


@dg.multi_asset(
    pool=WAREHOUSE_POOL,
    specs=[_spec("survey_codebook", "The survey items: id, section, statement, scale.")],
)
def raw_survey_codebook(context: dg.AssetExecutionContext, build: BuildWarehouse):
    s, started = build.ready(context.log), time.monotonic()
    fingerprint = ingest.input_fingerprint([raw_files.codebook_file(s.raw_dir)], s.raw_dir)
    if unchanged := _unchanged(context, build, ["survey_codebook"], fingerprint):
        yield from unchanged
        return
    landed = ingest.ingest_codebook(s.raw_dir, s.workbook_password())
    yield from _land(context, build, landed, fingerprint, started)


@dg.multi_asset(
    pool=WAREHOUSE_POOL,
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
def raw_survey(context: dg.AssetExecutionContext, build: BuildWarehouse):
    s, started = build.ready(context.log), time.monotonic()
    database, warehouse_key = s.build_database_path, build.key
    # The exports are read by the codebook's item ids: a new codebook means a new landing.
    codebook = warehouse.landed_fingerprint(database, ["survey_codebook"], key=warehouse_key)
    codebook = codebook or "none"
    paths = raw_files.survey_exports(s.raw_dir)
    fingerprint = ingest.input_fingerprint(paths, s.raw_dir, codebook=codebook)
    if unchanged := _unchanged(context, build, ["survey_responses", "survey_answers"], fingerprint):
        yield from unchanged
        return
    item_ids = warehouse.query(database, "select item_id from raw.survey_codebook", warehouse_key)
    landed = ingest.ingest_survey(s.raw_dir, item_ids["item_id"].to_list(), s.workbook_password())
    yield from _land(context, build, landed, fingerprint, started)
