"""A bad input stops the run with a message naming the file, sheet, row and column, leaves
the raw files as they were, and leaves the last good warehouse and brief exactly as they were.

One case per stage that can refuse input (ingest; a GX check); every class of bad input is
proved at unit level, on the same files, in tests/unit/test_bad_inputs.py.
"""

import json
import shutil

import pytest

from orchestration.lib import publishing
from tests.bad_inputs import CASES, GX_CHECK, location, write_broken
from tests.conftest import published_digest, run_idream, tree_digest
from tests.programmes import minimal_programme

# One case that stops at ingest, and one that lands and fails its GX check: the count
# check reads programme.toml, so this one also proves the programme settings reach the check.
E2E_CASES = ["missing required column", "cohort size differs from the programme settings"]


@pytest.fixture(scope="module")
def good_warehouse(tmp_path_factory):
    """A warehouse and brief published by a good run: what a failed run must not touch."""
    raw = minimal_programme().write(tmp_path_factory.mktemp("good_raw"))
    warehouse = tmp_path_factory.mktemp("good_warehouse")
    assert run_idream(raw, warehouse).exit_code == 0
    assert (warehouse / "idream.duckdb").exists() and (warehouse / "brief" / "brief.md").exists()
    return warehouse


@pytest.mark.parametrize("case", E2E_CASES, ids=E2E_CASES)
def test_bad_input_is_rejected_and_nothing_published_changes(
    case, good_warehouse, tmp_path, capsys
):
    _, file, sheet, row, column, message = CASES[case]
    raw = write_broken(case, tmp_path / "raw")
    warehouse = tmp_path / "warehouse"
    shutil.copytree(good_warehouse, warehouse)
    published_before, raw_before = published_digest(warehouse), tree_digest(raw)
    capsys.readouterr()

    result = run_idream(raw, warehouse, capsys)

    assert result.exit_code == 1
    assert f"{location(file, sheet, row, column)}: " in result.stderr, result.stderr
    assert message in result.stderr, result.stderr
    assert "nothing was published" in result.stderr
    if case in GX_CHECK:
        assert (
            f"check {GX_CHECK[case]} on " in result.stderr and " failed (error):" in result.stderr
        )
        report = warehouse / "quality" / "index.html"
        assert f"Data-quality report: {report}" in result.stderr and report.exists()
    assert published_digest(warehouse) == published_before
    assert tree_digest(raw) == raw_before
    # The quality report describes this run, whether or not any check ran.
    summary = json.loads((warehouse / "quality" / "summary.json").read_text())
    assert summary["passed"] is False
    assert summary["run_id"] in result.stderr or summary["run_id"] in result.stdout


def test_a_failure_while_publishing_leaves_the_last_brief_intact(
    good_warehouse, tmp_path, capsys, monkeypatch
):
    """Even after ingest and dbt succeeded, a failure before the swap publishes nothing."""
    raw = minimal_programme().write(tmp_path / "raw")
    warehouse = tmp_path / "warehouse"
    shutil.copytree(good_warehouse, warehouse)
    before = published_digest(warehouse)

    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(publishing, "publish", disk_full)
    # The same programme as the good run: only --force makes it run again.
    result = run_idream(raw, warehouse, capsys, force=True)
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert "nothing was published" in result.stderr
    assert published_digest(warehouse) == before


def test_a_dbt_failure_publishes_nothing_and_says_what_failed(
    good_warehouse, tmp_path, capsys, monkeypatch
):
    """A failure inside `dbt build` (here: a database dbt cannot open) stops the run."""
    from orchestration.defs import transform

    raw = minimal_programme().write(tmp_path / "raw")
    warehouse = tmp_path / "warehouse"
    shutil.copytree(good_warehouse, warehouse)
    before = published_digest(warehouse)
    monkeypatch.setattr(
        transform,
        "dbt_arguments",
        lambda _: ["--vars", '{"database_path": "/nonexistent/dir/x.duckdb"}'],
    )
    result = run_idream(raw, warehouse, capsys, force=True)
    assert result.exit_code == 1
    assert "step idream_dbt_models failed" in result.stderr and "dbt build failed" in result.stderr
    assert published_digest(warehouse) == before
