"""Ingest assets: raw spreadsheets -> the `raw` schema of the build warehouse.

Thin wiring around `orchestration.lib.ingest`: read settings, call the pure functions,
land the frames, report what was read. A contract violation raises `RawDataError`, whose
message names the file, sheet, row and column; nothing is landed from a file that failed.
"""

import time

import dagster as dg

from orchestration.defs.resources import PipelineSettings
from orchestration.lib import ingest, survey, warehouse
from orchestration.lib.labels import LabelDictionary
from orchestration.settings import Settings

GROUP = "ingest"
OWNERS = ["team:monitoring-evaluation"]


def _land(
    context: dg.AssetExecutionContext, settings: Settings, landed: ingest.Landed, started: float
):
    warehouse.replace_tables(settings.build_database_path, landed.tables)
    for note in landed.notes:
        context.log.warning(note)
    for name, frame in landed.tables.items():
        context.log.info(
            f"landed raw.{name}: {frame.height} rows from {len(landed.files)} file(s) "
            f"in {time.monotonic() - started:.2f}s"
        )
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey(["raw", name]),
            metadata={
                "dagster/row_count": frame.height,
                "source_files": dg.MetadataValue.json(landed.files),
                "notes": dg.MetadataValue.json(landed.notes),
            },
        )


def _spec(name: str, description: str, deps: tuple[str, ...] = ()) -> dg.AssetSpec:
    return dg.AssetSpec(
        ["raw", name],
        description=description,
        deps=[["raw", dep] for dep in deps],
        group_name=GROUP,
        kinds={"polars", "duckdb"},
        owners=OWNERS,
    )


def _labels(settings: Settings) -> LabelDictionary:
    return LabelDictionary.load(settings.label_dictionary_path)


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
    landed = ingest.ingest_roster(s.raw_dir, _labels(s), _key(context, s))
    yield from _land(context, s, landed, started)


@dg.multi_asset(
    specs=[
        _spec(
            "success_markers",
            deps=("participants",),
            description="Success markers from every workbook's `markers` sheet; "
            "outcome and marker texts dropped.",
        ),
        _spec(
            "unanticipated_outcomes",
            deps=("participants",),
            description="Unanticipated outcomes from the `unanticipated` sheets; "
            "descriptions dropped.",
        ),
    ],
)
def raw_success_markers(context: dg.AssetExecutionContext, settings: PipelineSettings):
    s, started = settings.get(), time.monotonic()
    roster_keys = set(
        warehouse.query(s.build_database_path, "select participant_key from raw.participants")[
            "participant_key"
        ]
    )
    landed = ingest.ingest_success_markers(s.raw_dir, _labels(s), _key(context, s), roster_keys)
    yield from _land(context, s, landed, started)


@dg.multi_asset(
    specs=[_spec("survey_codebook", "The survey items: id, section, statement, scale.")],
)
def raw_survey_codebook(context: dg.AssetExecutionContext, settings: PipelineSettings):
    s, started = settings.get(), time.monotonic()
    yield from _land(context, s, ingest.ingest_codebook(s.raw_dir, _labels(s)), started)


@dg.multi_asset(
    specs=[
        _spec(
            "survey_responses",
            deps=("survey_codebook", "participants"),
            description="Every submitted survey response (duplicates kept here, resolved "
            "in dbt); survey-tool metadata dropped.",
        ),
        _spec(
            "survey_answers",
            deps=("survey_codebook", "participants"),
            description="Survey answers unpivoted: one row per response and codebook item.",
        ),
    ],
)
def raw_survey(context: dg.AssetExecutionContext, settings: PipelineSettings):
    s, started = settings.get(), time.monotonic()
    labels = _labels(s)
    raw_codebook = warehouse.query(
        s.build_database_path, "select item_id, scale from raw.survey_codebook"
    )
    codebook = survey.codebook_scales(raw_codebook, labels)
    answer_scales = survey.load_answer_scales(s.answer_categories_path)
    cohorts = set(
        warehouse.query(s.build_database_path, "select distinct cohort from raw.participants")[
            "cohort"
        ]
    )
    landed = ingest.ingest_survey(s.raw_dir, codebook, answer_scales, labels, cohorts)
    yield from _land(context, s, landed, started)
