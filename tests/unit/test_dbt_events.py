"""dbt's results become Dagster events: an output per model built, with the outcome of its
data tests, nothing for what dbt did not build, and a `--select`
only when the UI picked some of the models."""

from types import SimpleNamespace

import dagster as dg
import pytest

from orchestration.defs.dbt_project import dbt_project
from orchestration.defs.transform import (
    dagster_events,
    dbt_model_keys,
    idream_dbt_models,
    subset_selection,
)
from orchestration.lib.dbt_invocation import NodeResult


@pytest.fixture(scope="module")
def manifest():
    import json

    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


def _context(asset_keys=None):
    return SimpleNamespace(
        assets_def=idream_dbt_models,
        selected_asset_keys=set(asset_keys if asset_keys is not None else idream_dbt_models.keys),
        is_subset=asset_keys is not None,
    )


def _unique_id(manifest, resource_type, name):
    return next(
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == resource_type and node["name"] == name
    )


def test_a_built_model_is_an_output_carrying_its_tests_and_tests_are_not_checks(manifest):
    test, model = next(
        (uid, node["attached_node"])
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test"
        and (node.get("attached_node") or "").startswith("model.")
    )
    model_key = dbt_model_keys(manifest)[model]
    skipped = _unique_id(manifest, "model", "dim_cohorts")
    results = [
        NodeResult(model, "success", "OK", 0.1),
        NodeResult(test, "fail", "Got 3 results", 0.1),
        NodeResult(skipped, "skipped", "", 0.0),
    ]
    keys = dbt_model_keys(manifest)
    events = list(dagster_events(_context(), manifest, keys, results, {}))

    assert all(isinstance(e, dg.Output) for e in events)
    assert [idream_dbt_models.keys_by_output_name[e.output_name] for e in events] == [model_key]
    outcome = events[0].metadata["dbt_tests"].value
    assert (outcome["pass"], outcome["fail"]) == (0, 1)
    assert outcome["not_passed"] == [f"{manifest['nodes'][test]['name']}: fail: Got 3 results"]
    # dbt's tests guard the build; they are not Dagster asset checks (docs/decisions.md).
    assert not idream_dbt_models.check_keys


def test_only_a_subset_of_the_models_is_selected_by_name(manifest):
    keys = dbt_model_keys(manifest)
    assert subset_selection(_context(), manifest, keys) == []
    one = dg.AssetKey(["marts", "dim_cohorts"])
    assert subset_selection(_context(asset_keys={one}), manifest, keys) == [
        "--select",
        "dim_cohorts",
    ]
