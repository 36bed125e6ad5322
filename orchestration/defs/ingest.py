"""Ingest assets: raw spreadsheets -> the `raw` schema of the build warehouse, and the
programme definition -> the `reference` schema.

Thin wiring around `orchestration.lib.ingest`: read settings, call the pure functions,
land the frames, report what was read. A file that cannot be landed raises `RawDataError`,
whose message names the file, sheet, row and column; the contract's value rules run next,
as the Great Expectations checks in `quality.py`.

A landing whose inputs (files, ingest code, key, definition, upstream landing) have the same
fingerprint as the last one is not redone: when one cohort's workbook changes, only the
success-marker workbooks are read again.
"""

import time

import dagster as dg
import polars as pl

from orchestration.defs.partitions import PROGRAMMES
from orchestration.defs.resources import BUILD_POOL, BuildWarehouse
from orchestration.lib import ingest, raw_files, warehouse
from orchestration.lib.fingerprint import FULL_REBUILD_TAG
from orchestration.lib.programme_reference import (
    REFERENCE_SCHEMA,
    definition_digest,
    reference_tables,
)
from orchestration.lib.survey_export_rules import codebook_items

GROUP = "ingest"
OWNERS = ["team:monitoring-evaluation"]
# The reference tables, as programme_reference builds them from the definition.
REFERENCE_TABLES = {
    "programme": "The programme: its id and name.",
    "participant_types": "The participant types: code, label, plural, order.",
    "domains": "The domains, in the brief's column order.",
    "marker_levels": "The success-marker levels, 1 = lowest.",
    "marker_reviews": "The reviews, 1 = first.",
    "marker_statuses": "The statuses, and which count as achieved.",
    "survey_scales": "The survey scales: how many categories, how many make the top box.",
    "survey_answer_categories": "Each scale's categories and the excluded answers.",
    "survey_sections": "The survey sections, in the brief's order, with their phrases.",
    "label_dictionary": "Every spelling the definition accepts (by the label rule) and its code.",
}


def _spec(name: str, description: str, deps: tuple[str, ...] = (), schema: str = "raw"):
    return dg.AssetSpec(
        [schema, name],
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
    context,
    build: BuildWarehouse,
    landed: ingest.Landed,
    fingerprint: str,
    started: float,
    schema: str = warehouse.RAW_SCHEMA,
):
    build.store.replace_tables(landed.tables, fingerprint, schema, landed.restricted)
    for name, frame in landed.restricted.items():
        if frame is not None:
            context.log.info(
                f"kept {frame.height} rows of free text in {warehouse.RESTRICTED_SCHEMA}.{name} "
                "(programme.toml: retention.keep_free_text = true)"
            )
    report = _report(context, landed)
    for name, frame in landed.tables.items():
        origin = (
            f"{len(landed.files)} file(s) ({', '.join(landed.files)})"
            if landed.files
            else "the programme definition"
        )
        context.log.info(
            f"landed {schema}.{name}: {frame.height} rows from {origin} "
            f"in {time.monotonic() - started:.2f}s"
        )
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey([schema, name]),
            data_version=dg.DataVersion(fingerprint),
            metadata={
                "dagster/row_count": frame.height,
                "dagster/column_schema": column_schema(frame),
                "source_files": dg.MetadataValue.json(landed.files),
                "relanded": True,
                **report,
            },
        )


def _report(context, landed: ingest.Landed) -> dict:
    """What the run's report says besides the rows: files not read, submissions left out.
    Counts and names only: never a value of a dropped column."""
    report: dict = {}
    if landed.ignored_files:
        # A warning, so that the terminal says it too: a file in the wrong place is
        # often a file someone meant to hand over.
        context.log.warning(
            "not read (the contract reads no other files, and no sub-folders of "
            f"success_markers/ and survey/): {', '.join(landed.ignored_files)}"
        )
        report["ignored_files"] = dg.MetadataValue.json(landed.ignored_files)
    if landed.excluded_by_review is not None:
        context.log.info(
            f"left out {landed.excluded_by_review} survey submission(s) that a reviewer "
            "turned down (programme.toml: survey.exclude_review_states)"
        )
        report["excluded_by_review"] = landed.excluded_by_review
    if landed.dropped_headers:
        context.log.info(
            f"dropped {landed.dropped_headers} survey-export column(s) the contract does not "
            "read (never stored)"
        )
    return report


def _unchanged(
    context,
    build: BuildWarehouse,
    tables: list[str],
    fingerprint: str,
    schema: str = warehouse.RAW_SCHEMA,
) -> list:
    """Results for tables already landed from exactly these inputs; empty if not so."""
    store = build.store
    if context.run.tags.get(FULL_REBUILD_TAG) == "true":
        return []
    if store.landed_fingerprint(tables, schema) != fingerprint:
        return []
    results = []
    for name in tables:
        rows = store.query(f"select count(*) as n from {store.table(schema, name)}")
        context.log.info(
            f"{schema}.{name}: inputs unchanged since it was landed ({rows['n'][0]} rows); "
            "not re-read"
        )
        results.append(
            dg.MaterializeResult(
                asset_key=dg.AssetKey([schema, name]),
                data_version=dg.DataVersion(fingerprint),
                metadata={"dagster/row_count": int(rows["n"][0]), "relanded": False},
            )
        )
    return results


@dg.multi_asset(
    pool=BUILD_POOL,
    partitions_def=PROGRAMMES,
    specs=[
        _spec(name, description, schema=REFERENCE_SCHEMA)
        for name, description in REFERENCE_TABLES.items()
    ],
)
def reference_tables_from_definition(context: dg.AssetExecutionContext, build: BuildWarehouse):
    """The programme definition (programme.toml, else IDREAM's v1) as tables, which dbt
    reads as sources: codes, orders, labels."""
    with build.turn(context.log):
        started = time.monotonic()
        definition = build.programme.definition
        fingerprint = ingest.input_fingerprint(
            [], build.paths.raw_dir, definition=definition_digest(definition, identity=True)
        )
        tables = list(REFERENCE_TABLES)
        if unchanged := _unchanged(context, build, tables, fingerprint, REFERENCE_SCHEMA):
            yield from unchanged
            return
        landed = ingest.Landed(reference_tables(definition), [])
        assert list(landed.tables) == tables, "REFERENCE_TABLES and programme_reference disagree"
        yield from _land(context, build, landed, fingerprint, started, REFERENCE_SCHEMA)


@dg.multi_asset(
    pool=BUILD_POOL,
    partitions_def=PROGRAMMES,
    specs=[
        _spec(
            "participants",
            "The roster: one row per participant, pseudonymised, the participant type as its "
            "code; names, emails and countries dropped.",
        )
    ],
)
def raw_participants(context: dg.AssetExecutionContext, build: BuildWarehouse):
    with build.turn(context.log) as s:
        started = time.monotonic()
        key, key_digest = build.pseudonym_key(context.log)
        definition = build.programme.definition
        fingerprint = ingest.input_fingerprint(
            [raw_files.roster_file(s.raw_dir)],
            s.raw_dir,
            key=key_digest,
            definition=definition_digest(definition),
        )
        if unchanged := _unchanged(context, build, ["participants"], fingerprint):
            yield from unchanged
            return
        landed = ingest.ingest_roster(s.raw_dir, definition, key, s.workbook_password())
        yield from _land(context, build, landed, fingerprint, started)


@dg.multi_asset(
    pool=BUILD_POOL,
    partitions_def=PROGRAMMES,
    specs=[
        _spec(
            "success_markers",
            "Success markers from every workbook's `markers` sheet, one row per marker, "
            "domain and level as codes; outcome and marker texts dropped (kept in "
            "`restricted` only if programme.toml asks).",
        ),
        _spec(
            "success_marker_statuses",
            "The status of each marker at each review whose `<review>_status` cell is not "
            "blank, as codes, with the marker's row.",
        ),
        _spec(
            "unanticipated_outcomes",
            "Unanticipated outcomes from the `unanticipated` sheets; descriptions dropped.",
        ),
    ],
)
def raw_success_markers(context: dg.AssetExecutionContext, build: BuildWarehouse):
    with build.turn(context.log) as s:
        started = time.monotonic()
        key, key_digest = build.pseudonym_key(context.log)
        keep_free_text = build.programme.keep_free_text
        definition = build.programme.definition
        paths = raw_files.marker_workbooks(s.raw_dir)
        fingerprint = ingest.input_fingerprint(
            paths,
            s.raw_dir,
            key=key_digest,
            free_text=str(keep_free_text),
            definition=definition_digest(definition),
        )
        tables = ["success_markers", "success_marker_statuses", "unanticipated_outcomes"]
        if unchanged := _unchanged(context, build, tables, fingerprint):
            yield from unchanged
            return
        landed = ingest.ingest_success_markers(
            s.raw_dir, definition, key, keep_free_text, s.workbook_password()
        )
        yield from _land(context, build, landed, fingerprint, started)


@dg.multi_asset(
    pool=BUILD_POOL,
    partitions_def=PROGRAMMES,
    specs=[
        _spec(
            "survey_codebook",
            "The survey items: id, section and scale (as codes), statement, order.",
        )
    ],
)
def raw_survey_codebook(context: dg.AssetExecutionContext, build: BuildWarehouse):
    with build.turn(context.log) as s:
        started = time.monotonic()
        definition = build.programme.definition
        fingerprint = ingest.input_fingerprint(
            [raw_files.codebook_file(s.raw_dir)],
            s.raw_dir,
            definition=definition_digest(definition),
        )
        if unchanged := _unchanged(context, build, ["survey_codebook"], fingerprint):
            yield from unchanged
            return
        landed = ingest.ingest_codebook(s.raw_dir, definition, s.workbook_password())
        yield from _land(context, build, landed, fingerprint, started)


@dg.multi_asset(
    pool=BUILD_POOL,
    partitions_def=PROGRAMMES,
    specs=[
        _spec(
            "survey_responses",
            "Every submitted survey response (duplicates kept here, resolved in dbt), "
            "submitted_at in UTC; survey-tool metadata dropped, submissions a reviewer "
            "turned down left out and counted.",
            deps=("survey_codebook",),
        ),
        _spec(
            "survey_answers",
            "Survey answers unpivoted: one row per response and codebook item, the answer "
            "as its category's code (null: skipped).",
            deps=("survey_codebook",),
        ),
        _spec(
            "survey_exclusions",
            "Per survey export: how many submissions were left out because a reviewer "
            "turned them down (programme.toml: survey.exclude_review_states). Counts only.",
            deps=("survey_codebook",),
        ),
    ],
)
def raw_survey(context: dg.AssetExecutionContext, build: BuildWarehouse):
    with build.turn(context.log) as s:
        started = time.monotonic()
        store = build.store
        definition = build.programme.definition
        # The exports are read by the codebook's items: a new codebook means a new landing.
        codebook = store.landed_fingerprint(["survey_codebook"], warehouse.RAW_SCHEMA)
        paths = raw_files.survey_exports(s.raw_dir)
        fingerprint = ingest.input_fingerprint(
            paths,
            s.raw_dir,
            codebook=codebook or "none",
            definition=definition_digest(definition),
        )
        tables = ["survey_responses", "survey_answers", "survey_exclusions"]
        if unchanged := _unchanged(context, build, tables, fingerprint):
            yield from unchanged
            return
        codebook_table = store.table(warehouse.RAW_SCHEMA, "survey_codebook")
        items = store.query(
            f"select item_id, statement, scale from {codebook_table} order by item_order"
        )
        # Each export is spilled to Parquet in the build's scratch folder as it is read, and
        # landed from there: a large survey is never whole in memory (lib/spilled.py).
        landed = ingest.ingest_survey(
            s.raw_dir,
            definition,
            codebook_items(items),
            s.workbook_password(),
            scratch=s.scratch_dir,
        )
        yield from _land(context, build, landed, fingerprint, started)
