"""dbt's results become the Dagster events dagster-dbt would have made: an output per model
built, a check result per data test, nothing for what dbt did not build, and a `--select`
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


def _context(asset_keys=None, check_keys=None):
    return SimpleNamespace(
        assets_def=idream_dbt_models,
        selected_asset_keys=set(asset_keys if asset_keys is not None else idream_dbt_models.keys),
        selected_asset_check_keys=set(
            check_keys if check_keys is not None else idream_dbt_models.check_keys
        ),
        is_subset=asset_keys is not None,
    )


def _unique_id(manifest, resource_type, name):
    return next(
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == resource_type and node["name"] == name
    )


def test_a_built_model_is_an_output_and_a_failed_test_a_failed_check(manifest):
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

    outputs = [e for e in events if isinstance(e, dg.Output)]
    checks = [e for e in events if isinstance(e, dg.AssetCheckResult)]
    assert [idream_dbt_models.keys_by_output_name[o.output_name] for o in outputs] == [model_key]
    assert len(checks) == 1 and not checks[0].passed
    assert checks[0].severity == dg.AssetCheckSeverity.ERROR
    assert checks[0].asset_key == model_key
    assert dg.AssetCheckKey(checks[0].asset_key, checks[0].check_name) in (
        idream_dbt_models.check_keys
    )


def test_only_a_subset_of_the_models_is_selected_by_name(manifest):
    keys = dbt_model_keys(manifest)
    assert subset_selection(_context(), manifest, keys) == []
    one = dg.AssetKey(["marts", "dim_cohorts"])
    assert subset_selection(_context(asset_keys={one}), manifest, keys) == [
        "--select",
        "dim_cohorts",
    ]
