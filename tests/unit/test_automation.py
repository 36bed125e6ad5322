"""The job, schedule and sensor exist, target the whole pipeline, and the sensor requests
exactly one run per new state of the raw folder."""

import shutil

import dagster as dg

from orchestration.defs.automation import daily_schedule, raw_folder_sensor
from orchestration.defs.resources import PipelineSettings
from orchestration.settings import Settings
from tests.programmes import minimal_programme


def test_schedule_and_sensor_run_the_whole_pipeline_job(definitions):
    job = definitions.resolve_job_def("idream_pipeline")
    assert definitions.resolve_schedule_def("idream_daily").job_name == job.name
    assert definitions.resolve_sensor_def("raw_folder_changed").job_name == job.name
    keys = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert {"raw/participants", "marts/mart_domain_rates", "publish/evidence_brief"} <= keys


def test_the_schedule_is_stopped_by_default_and_has_a_timezone():
    assert daily_schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert daily_schedule.execution_timezone == "UTC"


def test_the_schedule_skips_a_day_on_which_nothing_changed(tmp_path, definitions, temp_instance):
    from orchestration.lib.publishing import record_published

    raw = minimal_programme().write(tmp_path / "raw")
    settings = Settings(raw_dir=raw, warehouse_dir=tmp_path / "wh", key_file=tmp_path / "k.key")
    settings.key_file.write_text("k" * 32)
    resources = {"settings": PipelineSettings.from_settings(settings)}
    instance = temp_instance

    def evaluate():
        # Exited, so that the instance the context opened is closed with it.
        with dg.build_schedule_context(
            instance=instance, resources=resources, repository_def=definitions.get_repository_def()
        ) as context:
            return daily_schedule.evaluate_tick(context)

    first = evaluate().run_requests
    assert len(first) == 1 and first[0].partition_key == "raw"  # nothing published yet
    assert instance.get_dynamic_partitions("programmes") == ["raw"]
    settings.brief_dir.mkdir(parents=True)
    settings.database_path.write_bytes(b"published")
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    (programme,) = settings.programmes()
    record_published(settings.published_state_path, programme.fingerprint(), "run-1")
    skipped = evaluate()
    assert not skipped.run_requests and "run-1" in skipped.skip_message
    (raw / "survey" / "survey.csv").write_text("response_id,submitted_at,cohort,con_01\n")
    assert len(evaluate().run_requests) == 1  # a raw file changed


def _evaluate(raw_dir, cursor, instance):
    settings = PipelineSettings.from_settings(
        Settings(
            raw_dir=raw_dir, warehouse_dir=raw_dir.parent / "wh", key_file=raw_dir.parent / "k"
        )
    )
    context = dg.build_sensor_context(
        cursor=cursor, resources={"settings": settings}, instance=instance
    )
    result = raw_folder_sensor(context)
    # As Dagster's sensor daemon does: the programmes it found are partitions now.
    for request in getattr(result, "dynamic_partitions_requests", None) or []:
        instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
    return result, context.cursor


def _requested(result) -> list[dg.RunRequest]:
    return result.run_requests if isinstance(result, dg.SensorResult) else []


def test_the_sensor_requests_one_run_per_new_state_of_the_raw_folder(tmp_path):
    raw = minimal_programme().write(tmp_path / "raw")

    instance = dg.DagsterInstance.ephemeral()

    first, cursor = _evaluate(raw, None, instance)
    assert len(_requested(first)) == 1
    cursor = first.cursor

    unchanged, same_cursor = _evaluate(raw, cursor, instance)
    assert isinstance(unchanged, dg.SkipReason) and same_cursor == cursor

    # Re-saving a file with the same bytes is not a change; an Excel lock file is not data.
    shutil.copy(raw / "survey" / "survey.csv", raw / "survey" / "copy.tmp")
    (raw / "survey" / "copy.tmp").replace(raw / "survey" / "survey.csv")
    (raw / "success_markers" / "~$cohort_1.xlsx").write_bytes(b"lock")
    assert isinstance(_evaluate(raw, cursor, instance)[0], dg.SkipReason)

    (raw / "survey" / "late.csv").write_text("response_id,submitted_at,cohort,con_01\n")
    added, _ = _evaluate(raw, cursor, instance)
    assert len(_requested(added)) == 1 and added.cursor != cursor
    (added_request,) = _requested(added)
    assert added_request.run_key != _requested(first)[0].run_key

    (raw / "survey" / "late.csv").write_text(
        "response_id,submitted_at,cohort,con_01\nr9,2024-01-01,1,Agree\n"
    )
    changed, _ = _evaluate(raw, added.cursor, instance)
    assert len(_requested(changed)) == 1 and changed.cursor not in (cursor, added.cursor)

    (raw / "survey" / "late.csv").unlink()
    removed, _ = _evaluate(raw, changed.cursor, instance)
    # Back to the first state (A -> B -> A): A is published again. Dagster refuses a run
    # key it has seen, so the request must not reuse the first one's (it once did).
    requests = [_requested(result)[0] for result in (first, added, changed, removed)]
    assert requests[3].tags["idream/raw_fingerprint"] == requests[0].tags["idream/raw_fingerprint"]
    assert len({request.run_key for request in requests}) == 4


def test_a_cursor_from_before_the_sensor_knew_programmes_still_reads(tmp_path):
    from orchestration.defs.automation import read_cursor
    from orchestration.lib.fingerprint import folder_state, state_fingerprint

    assert read_cursor(None) == ({}, 0)
    assert read_cursor("abc123") == ({"": "abc123"}, 0)
    assert read_cursor('{"state": "abc123", "requests": 7}') == ({"": "abc123"}, 7)
    assert read_cursor('{"states": {"a": "x"}, "requests": 2}') == ({"a": "x"}, 2)
    # A single programme folder whose state the old cursor holds: no new run.
    raw = minimal_programme().write(tmp_path / "raw")
    old = f'{{"state": "{state_fingerprint(folder_state(raw))}", "requests": 3}}'
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("programmes", ["raw"])
    assert isinstance(_evaluate(raw, old, instance)[0], dg.SkipReason)
