"""Unattended runs: a daily schedule (stopped until an engineer turns it on) and a sensor
that requests a run when a file in the raw folder is added, changed or removed."""

import json

import dagster as dg

from orchestration.defs.jobs import idream_pipeline
from orchestration.defs.resources import PipelineSettings
from orchestration.lib.fingerprint import FINGERPRINT_TAG, folder_state, state_fingerprint
from orchestration.lib.publishing import up_to_date


@dg.schedule(
    name="idream_daily",
    job=idream_pipeline,
    cron_schedule="0 6 * * *",
    # Explicit, so that the run time does not move with the server's locale.
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=(
        "Every day at 06:00 UTC, the whole pipeline on the raw folder; skipped when the raw "
        "files, code and key are those the published outputs were built from."
    ),
)
def daily_schedule(context: dg.ScheduleEvaluationContext, settings: PipelineSettings):
    s = settings.get()
    fingerprint = s.fingerprint()
    current = up_to_date(s, fingerprint)
    if current:
        return dg.SkipReason(
            f"nothing changed since run {current}; the published outputs are current"
        )
    return dg.RunRequest(tags={FINGERPRINT_TAG: fingerprint} if fingerprint else {})


@dg.sensor(
    name="raw_folder_changed",
    job=idream_pipeline,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Requests one run per new state of the raw folder: a file added, changed or removed. "
        "The state is the files' content hashes, so the same state never runs twice."
    ),
)
def raw_folder_sensor(context: dg.SensorEvaluationContext, settings: PipelineSettings):
    state = folder_state(settings.get().raw_dir)
    fingerprint = state_fingerprint(state)
    last, requests = read_cursor(context.cursor)
    if fingerprint == last:
        return dg.SkipReason(
            f"no file in the raw folder was added, changed or removed ({len(state)} files)"
        )
    requests += 1
    context.update_cursor(json.dumps({"state": fingerprint, "requests": requests}))
    tags = {"idream/raw_fingerprint": fingerprint}
    inputs = settings.get().fingerprint(raw_state=state)
    if inputs:
        tags[FINGERPRINT_TAG] = inputs
    # The run key names this change, not only the state it leads to: a folder that goes
    # A -> B -> A must publish A again, and Dagster refuses a run key it has seen before.
    return dg.RunRequest(run_key=f"{requests}:{fingerprint}", tags=tags)


def read_cursor(cursor: str | None) -> tuple[str | None, int]:
    """The raw folder's last state and how many runs the sensor has requested."""
    if not cursor:
        return None, 0
    try:
        stored = json.loads(cursor)
        return stored["state"], int(stored["requests"])
    except (ValueError, TypeError, KeyError):
        return cursor, 0  # a cursor written before it counted requests: the state alone


@dg.definitions
def automation() -> dg.Definitions:
    return dg.Definitions(schedules=[daily_schedule], sensors=[raw_folder_sensor])
