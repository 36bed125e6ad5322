"""Unattended runs: a daily schedule (stopped until an engineer turns it on) and a sensor
that requests a run when a file in the raw folder is added, changed or removed.

Both work per programme (the partition): the raw folder is one programme folder or a root
of several, each programme is a partition keyed by its id, and each is run on its own
changes. New programme folders become partitions as they appear.
"""

import json

import dagster as dg

from orchestration.defs.jobs import idream_pipeline
from orchestration.defs.partitions import PROGRAMMES, add_programmes
from orchestration.defs.resources import PipelineSettings
from orchestration.lib.errors import RawDataError
from orchestration.lib.fingerprint import FINGERPRINT_TAG, folder_state, state_fingerprint
from orchestration.lib.publishing import up_to_date
from orchestration.settings import Settings

# A cursor written before the sensor knew programmes held one state: the raw folder's, a
# single programme folder's (whose state is computed the same way now).
_ONE_FOLDER = ""


@dg.schedule(
    name="idream_daily",
    job=idream_pipeline,
    cron_schedule="0 6 * * *",
    # Explicit, so that the run time does not move with the server's locale.
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=(
        "Every day at 06:00 UTC, the whole pipeline on each programme of the raw folder; a "
        "programme is skipped when its raw files, the code and the key are those its "
        "published outputs were built from."
    ),
)
def daily_schedule(context: dg.ScheduleEvaluationContext, settings: PipelineSettings):
    try:
        programmes = settings.get().programmes()
    except RawDataError as error:
        return dg.SkipReason(f"the raw folder cannot be run: {error}")
    # A schedule cannot return partition requests as a sensor does: a new programme
    # becomes a partition here, before its run is requested.
    add_programmes(context.instance, [programme.programme_id for programme in programmes])
    requests, current = [], []
    for programme in programmes:
        fingerprint = programme.fingerprint()
        if run := up_to_date(programme, fingerprint):
            current.append(f"{programme.programme_id} (run {run})")
            continue
        requests.append(
            dg.RunRequest(
                # Dagster wants a key on each request of a tick that makes several.
                run_key=programme.programme_id,
                partition_key=programme.programme_id,
                tags={FINGERPRINT_TAG: fingerprint} if fingerprint else {},
            )
        )
    if not requests:
        return dg.SkipReason(
            f"nothing changed since the published outputs of {', '.join(current)}; they are current"
        )
    return requests


@dg.sensor(
    name="raw_folder_changed",
    job=idream_pipeline,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Requests one run per new state of each programme's folder: a file added, changed "
        "or removed; a new programme folder becomes a partition and runs. The state is the "
        "files' content hashes, so the same state never runs twice."
    ),
)
def raw_folder_sensor(context: dg.SensorEvaluationContext, settings: PipelineSettings):
    try:
        programmes = settings.get().programmes()
    except RawDataError as error:
        return dg.SkipReason(f"the raw folder cannot be run: {error}")
    states, requests = read_cursor(context.cursor)
    known = set(context.instance.get_dynamic_partitions(PROGRAMMES.name))
    new_programmes = [p.programme_id for p in programmes if p.programme_id not in known]
    run_requests, unchanged = [], 0
    for programme in programmes:
        state = folder_state(programme.raw_dir)
        fingerprint = state_fingerprint(state)
        last = states.get(programme.programme_id, states.get(_ONE_FOLDER))
        states[programme.programme_id] = fingerprint
        if fingerprint == last:
            unchanged += 1
            continue
        requests += 1
        run_requests.append(_run_request(programme, state, fingerprint, requests))
    states.pop(_ONE_FOLDER, None)
    cursor = json.dumps({"states": states, "requests": requests}, sort_keys=True)
    if not run_requests and not new_programmes:
        return dg.SkipReason(
            f"no file was added, changed or removed in the folders of {unchanged} programme(s)"
        )
    return dg.SensorResult(
        run_requests=run_requests,
        cursor=cursor,
        # Dagster adds the partitions before it submits the runs that name them.
        dynamic_partitions_requests=(
            [PROGRAMMES.build_add_request(new_programmes)] if new_programmes else []
        ),
    )


def _run_request(programme: Settings, state: dict, fingerprint: str, requests: int):
    tags = {"idream/raw_fingerprint": fingerprint}
    inputs = programme.fingerprint(raw_state=state)
    if inputs:
        tags[FINGERPRINT_TAG] = inputs
    # The run key names this change, not only the state it leads to: a folder that goes
    # A -> B -> A must publish A again, and Dagster refuses a run key it has seen before.
    return dg.RunRequest(
        run_key=f"{programme.programme_id}:{requests}:{fingerprint}",
        partition_key=programme.programme_id,
        tags=tags,
    )


def read_cursor(cursor: str | None) -> tuple[dict[str, str], int]:
    """Each programme's last state (by id), and how many runs the sensor has requested."""
    if not cursor:
        return {}, 0
    try:
        stored = json.loads(cursor)
    except ValueError:
        return {_ONE_FOLDER: cursor}, 0  # a cursor that was the raw folder's state alone
    if not isinstance(stored, dict):
        return {_ONE_FOLDER: cursor}, 0
    requests = int(stored.get("requests", 0))
    if "states" in stored:
        return dict(stored["states"]), requests
    # Written before programmes: the raw folder's state and the count.
    return ({_ONE_FOLDER: stored["state"]} if "state" in stored else {}), requests


@dg.definitions
def automation() -> dg.Definitions:
    return dg.Definitions(schedules=[daily_schedule], sensors=[raw_folder_sensor])
