"""The job, schedule and sensor exist, target the whole pipeline, and the sensor requests
exactly one run per new state of the raw folder."""

import shutil

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.defs.automation import daily_schedule, raw_folder_sensor
from orchestration.defs.resources import PipelineSettings
from orchestration.settings import Settings
from tests.programmes import minimal_programme


@pytest.fixture(scope="module")
def definitions():
    return defs()


def test_schedule_and_sensor_run_the_whole_pipeline_job(definitions):
    job = definitions.resolve_job_def("idream_pipeline")
    assert definitions.resolve_schedule_def("idream_daily").job_name == job.name
    assert definitions.resolve_sensor_def("raw_folder_changed").job_name == job.name
    keys = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert {"raw/participants", "marts/mart_domain_rates", "publish/evidence_brief"} <= keys


def test_the_schedule_is_stopped_by_default_and_has_a_timezone():
    assert daily_schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert daily_schedule.execution_timezone == "UTC"


def test_the_schedule_skips_a_day_on_which_nothing_changed(tmp_path):
    from orchestration.lib.publishing import record_published

    raw = minimal_programme().write(tmp_path / "raw")
    settings = Settings(raw_dir=raw, warehouse_dir=tmp_path / "wh", key_file=tmp_path / "k.key")
    settings.key_file.write_text("k" * 32)
    resources = {"settings": PipelineSettings.from_settings(settings)}

    def evaluate():
        return daily_schedule.evaluate_tick(dg.build_schedule_context(resources=resources))

    assert len(evaluate().run_requests) == 1  # nothing published yet
    settings.brief_dir.mkdir(parents=True)
    settings.database_path.write_bytes(b"published")
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    record_published(settings.published_state_path, settings.fingerprint(), "run-1")
    skipped = evaluate()
    assert not skipped.run_requests and "run-1" in skipped.skip_message
    (raw / "survey" / "survey.csv").write_text("response_id,submitted_at,cohort,con_01\n")
    assert len(evaluate().run_requests) == 1  # a raw file changed


def _evaluate(raw_dir, cursor):
    settings = PipelineSettings.from_settings(
        Settings(
            raw_dir=raw_dir, warehouse_dir=raw_dir.parent / "wh", key_file=raw_dir.parent / "k"
        )
    )
    context = dg.build_sensor_context(cursor=cursor, resources={"settings": settings})
    result = raw_folder_sensor(context)
    return result, context.cursor


def test_the_sensor_requests_one_run_per_new_state_of_the_raw_folder(tmp_path):
    raw = minimal_programme().write(tmp_path / "raw")

    first, cursor = _evaluate(raw, None)
    assert isinstance(first, dg.RunRequest)

    unchanged, same_cursor = _evaluate(raw, cursor)
    assert isinstance(unchanged, dg.SkipReason) and same_cursor == cursor

    # Re-saving a file with the same bytes is not a change; an Excel lock file is not data.
    shutil.copy(raw / "survey" / "survey.csv", raw / "survey" / "copy.tmp")
    (raw / "survey" / "copy.tmp").replace(raw / "survey" / "survey.csv")
    (raw / "success_markers" / "~$cohort_1.xlsx").write_bytes(b"lock")
    assert isinstance(_evaluate(raw, cursor)[0], dg.SkipReason)

    (raw / "survey" / "late.csv").write_text("response_id,submitted_at,cohort,con_01\n")
    added, added_cursor = _evaluate(raw, cursor)
    assert isinstance(added, dg.RunRequest) and added_cursor != cursor
    assert added.run_key != first.run_key

    (raw / "survey" / "late.csv").write_text(
        "response_id,submitted_at,cohort,con_01\nr9,2024-01-01,1,Agree\n"
    )
    changed, changed_cursor = _evaluate(raw, added_cursor)
    assert isinstance(changed, dg.RunRequest) and changed_cursor not in (cursor, added_cursor)

    (raw / "survey" / "late.csv").unlink()
    removed, _ = _evaluate(raw, changed_cursor)
    # Back to the first state (A -> B -> A): A is published again. Dagster refuses a run
    # key it has seen, so the request must not reuse the first one's (it once did).
    assert isinstance(removed, dg.RunRequest)
    assert removed.tags["idream/raw_fingerprint"] == first.tags["idream/raw_fingerprint"]
    assert len({first.run_key, added.run_key, changed.run_key, removed.run_key}) == 4


def test_a_cursor_from_before_the_sensor_counted_its_requests_still_reads():
    from orchestration.defs.automation import read_cursor

    assert read_cursor(None) == (None, 0)
    assert read_cursor("abc123") == ("abc123", 0)
    assert read_cursor('{"state": "abc123", "requests": 7}') == ("abc123", 7)
