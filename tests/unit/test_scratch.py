"""Two runs on one warehouse take turns step by step (the warehouse pool), so one run's
clean-up removes what killed runs left, never what another run in progress keeps there."""

from types import SimpleNamespace

from orchestration.lib import warehouse
from orchestration.lib.quality.runner import _run_dir


def test_scratch_keeps_this_run_and_the_other_runs_in_progress(tmp_path):
    for run in ("this", "other", "killed"):
        warehouse.scratch_path(tmp_path, "brief", run, "staged").mkdir()
        warehouse.scratch_path(tmp_path, "idream.duckdb", run, "copy").write_text("x")
    warehouse.clean_scratch(tmp_path, "this", keep={"other"})
    left = sorted(path.name for path in tmp_path.iterdir())
    assert left and all(".this." in name or ".other." in name for name in left)
    assert len(left) == 4


def test_a_run_s_gx_workspace_survives_another_run_s_checks(tmp_path):
    settings = SimpleNamespace(build_dir=tmp_path)
    first = _run_dir(settings, "first", other_runs=())
    (first / "summaries").mkdir()
    _run_dir(settings, "second", other_runs={"first"})
    assert (first / "summaries").is_dir()
    _run_dir(settings, "third", other_runs=())
    assert not first.exists()
