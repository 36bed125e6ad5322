"""Programmes as Dagster partitions: every asset is partitioned by programme, each
programme's settings (its paths) are derived from the raw folder and its id, and the
sensor and the schedule add new programmes as partitions and request one run per
programme that changed."""

import dagster as dg
import pytest

from orchestration.defs.automation import daily_schedule, raw_folder_sensor
from orchestration.defs.partitions import PROGRAMMES, programme_of_run
from orchestration.defs.resources import PipelineSettings
from orchestration.lib.errors import RawDataError
from orchestration.settings import Settings, SettingsError
from tests.programmes import minimal_programme


def write_root(root, *ids):
    for programme_id in ids:
        programme = minimal_programme()
        programme.programme_settings = f'[programme]\nid = "{programme_id}"\n'
        programme.write(root / f"folder_{programme_id}")
    return root


def settings_of(raw, tmp_path) -> Settings:
    return Settings(raw_dir=raw, warehouse_dir=tmp_path / "wh", key_file=tmp_path / "k.key")


def test_every_asset_is_partitioned_by_programme(definitions):
    graph = definitions.resolve_asset_graph()
    materializable = [key for key in graph.get_all_asset_keys() if graph.get(key).is_materializable]
    assert len(materializable) > 20
    for key in materializable:
        assert graph.get(key).partitions_def == PROGRAMMES, key


def test_a_single_programme_folder_keeps_todays_layout(tmp_path):
    raw = minimal_programme().write(tmp_path / "raw")
    settings = settings_of(raw, tmp_path)
    (programme,) = settings.programmes()
    assert programme.programme_id == "raw"  # no programme.toml: the folder's name
    assert programme.database_path == tmp_path / "wh" / "idream.duckdb"
    assert programme.brief_dir == tmp_path / "wh" / "brief"
    assert programme.quality_dir == tmp_path / "wh" / "quality"
    assert programme.build_dir == tmp_path / "wh" / ".build"
    assert not programme.in_root


def test_each_programme_of_a_root_has_its_own_warehouse_folder_and_brief(tmp_path):
    root = write_root(tmp_path / "root", "beta", "alpha")
    programmes = settings_of(root, tmp_path).programmes()
    assert [p.programme_id for p in programmes] == ["alpha", "beta"]
    alpha = programmes[0]
    assert alpha.raw_dir == root / "folder_alpha"
    assert alpha.database_path == tmp_path / "wh" / "programmes" / "alpha" / "idream.duckdb"
    assert alpha.build_database_path.parent == tmp_path / "wh" / "programmes" / "alpha" / ".build"
    assert alpha.quality_dir == tmp_path / "wh" / "programmes" / "alpha" / "quality"
    assert alpha.brief_dir == tmp_path / "wh" / "brief" / "alpha"
    assert alpha.published_state_path != programmes[1].published_state_path
    # The keys are the raw folder's settings', shared.
    assert alpha.key_file == tmp_path / "k.key"
    assert settings_of(root, tmp_path).programme("beta") == programmes[1]
    with pytest.raises(SettingsError, match="holds no programme 'gamma'"):
        settings_of(root, tmp_path).programme("gamma")


def test_a_root_with_a_repeated_id_lists_no_programme(tmp_path):
    root = write_root(tmp_path / "root", "same")
    write_root(tmp_path / "other", "same")
    (tmp_path / "other" / "folder_same").rename(root / "copy_of_same")
    with pytest.raises(RawDataError, match="has programme id 'same', and so does 'folder_same/'"):
        settings_of(root, tmp_path).programmes()


def test_a_run_without_a_programme_is_refused():
    run = dg.DagsterRun(job_name="idream_pipeline", tags={"dagster/partition": "alpha"})
    assert programme_of_run(run) == "alpha"
    with pytest.raises(dg.Failure, match="choose the programme"):
        programme_of_run(dg.DagsterRun(job_name="idream_pipeline"))


def _sensor(root, tmp_path, cursor, instance):
    resources = {"settings": PipelineSettings.from_settings(settings_of(root, tmp_path))}
    context = dg.build_sensor_context(cursor=cursor, resources=resources, instance=instance)
    return raw_folder_sensor(context)


def _apply(instance, result):
    """What Dagster's sensor daemon does with a result's partition requests."""
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)


def test_the_sensor_adds_new_programmes_and_runs_only_those_that_changed(tmp_path):
    root = write_root(tmp_path / "root", "alpha", "beta")
    instance = dg.DagsterInstance.ephemeral()

    first = _sensor(root, tmp_path, None, instance)
    assert [r.partition_keys for r in first.dynamic_partitions_requests] == [["alpha", "beta"]]
    assert {r.partition_key for r in first.run_requests} == {"alpha", "beta"}
    _apply(instance, first)

    assert isinstance(_sensor(root, tmp_path, first.cursor, instance), dg.SkipReason)

    # One programme's file changes: that programme runs, the other does not.
    (root / "folder_beta" / "survey" / "late.csv").write_text("response_id,submitted_at\n")
    changed = _sensor(root, tmp_path, first.cursor, instance)
    assert [r.partition_key for r in changed.run_requests] == ["beta"]
    assert not changed.dynamic_partitions_requests

    # A new programme folder: a new partition, and its run.
    write_root(root, "gamma")
    added = _sensor(root, tmp_path, changed.cursor, instance)
    assert [r.partition_keys for r in added.dynamic_partitions_requests] == [["gamma"]]
    assert [r.partition_key for r in added.run_requests] == ["gamma"]
    keys = [r.run_key for r in (*first.run_requests, *changed.run_requests, *added.run_requests)]
    assert len(set(keys)) == 4


def test_the_sensor_skips_a_root_no_run_could_list(tmp_path):
    root = write_root(tmp_path / "root", "alpha")
    (root / "no_roster").mkdir()
    (root / "no_roster" / "programme.toml").write_text('[programme]\nid = "x"\n')
    result = _sensor(root, tmp_path, None, dg.DagsterInstance.ephemeral())
    assert isinstance(result, dg.SkipReason)
    assert "no_roster/: is a programme folder without a roster" in result.skip_message


def test_the_schedule_requests_a_run_per_programme_not_up_to_date(
    tmp_path, definitions, temp_instance
):
    from orchestration.lib.publishing import record_published

    root = write_root(tmp_path / "root", "alpha", "beta")
    settings = settings_of(root, tmp_path)
    settings.key_file.write_text("k" * 32)
    instance = temp_instance
    resources = {"settings": PipelineSettings.from_settings(settings)}

    def requested():
        # Exited, so that the instance the context opened is closed with it.
        with dg.build_schedule_context(
            instance=instance, resources=resources, repository_def=definitions.get_repository_def()
        ) as context:
            requests = daily_schedule.evaluate_tick(context).run_requests
        return sorted(request.partition_key for request in requests)

    assert requested() == ["alpha", "beta"]
    assert sorted(instance.get_dynamic_partitions("programmes")) == ["alpha", "beta"]
    alpha = settings.programme("alpha")  # alpha published from its current inputs
    alpha.brief_dir.mkdir(parents=True)
    alpha.build_dir.mkdir(parents=True)
    alpha.database_path.write_bytes(b"published")
    record_published(alpha.published_state_path, alpha.fingerprint(), "run-1")
    assert requested() == ["beta"]


def test_sql_and_dbt_open_the_warehouse_of_the_programme_named(tmp_path, monkeypatch, capsys):
    from orchestration import cli

    root = write_root(tmp_path / "root", "alpha", "beta")
    monkeypatch.setenv("IDREAM_RAW_DIR", str(root))
    monkeypatch.setenv("IDREAM_WAREHOUSE_DIR", str(tmp_path / "wh"))
    alpha = cli.warehouse_settings("alpha")
    assert alpha.database_path == tmp_path / "wh" / "programmes" / "alpha" / "idream.duckdb"
    assert cli.warehouse_settings(None).database_path == tmp_path / "wh" / "idream.duckdb"
    for command in ("sql", "dbt"):
        assert cli.main([command, "--programme", "gamma"]) == 2
        assert "holds no programme 'gamma'" in capsys.readouterr().err
