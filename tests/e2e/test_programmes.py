"""Several programmes under one root (contract v2, "Several programmes"): `idream run` on a
root of programme folders runs each programme as its own partition, publishes each brief
to <warehouse>/brief/<id>/ with the figures the programme has when run alone, and one
programme's bad data fails only that programme.

The root holds the IDREAM sample (raw/, whose programme.toml states id "idream") and the
paralegal example (examples/paralegal_fellowship, id "paralegal_fellowship").
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import dagster as dg
import pytest

from orchestration import cli
from orchestration import example_programme as example
from tests.conftest import SAMPLE_RAW, RunResult, run_idream, run_idream_captured, tree_digest

IDREAM, PARALEGAL = "idream", example.PROGRAMME_ID
EXAMPLE_RAW = example.EXAMPLES_DIR / example.PROGRAMME_ID


def write_root(root: Path) -> Path:
    shutil.copytree(SAMPLE_RAW, root / "idream_sample")
    shutil.copytree(EXAMPLE_RAW, root / "paralegal")
    return root


def tables(brief: Path) -> dict[str, bytes]:
    """The brief's tables, byte for byte: the same inputs give the same bytes."""
    return {path.name: path.read_bytes() for path in sorted(brief.glob("*.csv"))}


@pytest.fixture(scope="module")
def root_run(tmp_path_factory):
    root = write_root(tmp_path_factory.mktemp("root"))
    warehouse = tmp_path_factory.mktemp("warehouse")
    result, out, err = run_idream_captured(root, warehouse)
    assert result.exit_code == 0, err
    return root, warehouse, out, err


def test_each_programme_publishes_its_brief_with_the_figures_it_has_alone(
    root_run, sample_run, example_run
):
    _, warehouse, out, err = root_run
    idream, paralegal = warehouse / "brief" / IDREAM, warehouse / "brief" / PARALEGAL
    assert sorted(path.name for path in (warehouse / "brief").iterdir()) == [IDREAM, PARALEGAL]
    sample_alone, paralegal_alone = sample_run[0] / "brief", example_run[0] / "brief"
    assert tables(idream) and tables(idream) == tables(sample_alone)
    assert tables(paralegal) and tables(paralegal) == tables(paralegal_alone)
    # Each programme has its own warehouse file, quality report and log.
    for programme_id in (IDREAM, PARALEGAL):
        own = warehouse / "programmes" / programme_id
        assert (own / "idream.duckdb").is_file() and (own / "quality" / "index.html").is_file()
        summary = json.loads(
            (warehouse / "brief" / programme_id / "quality_summary.json").read_text()
        )
        assert summary == json.loads((own / "quality" / "summary.json").read_text())
        assert summary["passed"] is True
        brief = warehouse / "brief" / programme_id
        assert (
            "quality_summary.json" in json.loads((brief / "provenance.json").read_text())["outputs"]
        )
        # The brief's link to its quality report leads to the programme's own report.
        link = re.search(r'href="([^"]*index\.html)"', (brief / "brief.html").read_text())[1]
        assert (brief / link).resolve() == (own / "quality" / "index.html").resolve()
    assert not (warehouse / "idream.duckdb").exists()  # no warehouse of the root itself
    assert "idream: all 2 programmes are published." in out
    assert f"idream: programme {IDREAM} (idream_sample/)" in err
    assert len(re.findall(r"idream: run \S+ succeeded", out)) == 2


def test_each_programme_is_a_partition_with_its_own_run(root_run):
    import os

    _, _, out, _ = root_run
    run_ids = re.findall(r"idream: run (\S+) succeeded", out)
    with dg.DagsterInstance.from_config(os.environ["DAGSTER_HOME"]) as instance:
        assert {IDREAM, PARALEGAL} <= set(instance.get_dynamic_partitions("programmes"))
        partitions = [
            instance.get_run_by_id(run_id).tags["dagster/partition"] for run_id in run_ids
        ]
    assert partitions == [IDREAM, PARALEGAL]  # in id order, one after the other


def test_one_programmes_bad_data_fails_only_that_programme(root_run, tmp_path, capsys):
    root, good_warehouse, _, _ = root_run
    raw = tmp_path / "root"
    shutil.copytree(root, raw)
    warehouse = tmp_path / "warehouse"
    shutil.copytree(good_warehouse, warehouse)
    broken_brief = warehouse / "brief" / PARALEGAL
    broken_before = tree_digest(broken_brief)
    broken_warehouse = (warehouse / "programmes" / PARALEGAL / "idream.duckdb").read_bytes()
    idream_before = json.loads((warehouse / "brief" / IDREAM / "provenance.json").read_text())
    # A marker workbook cut short while it was copied.
    (workbook,) = sorted((raw / "paralegal" / "success_markers").glob("*.xlsx"))[:1]
    workbook.write_bytes(workbook.read_bytes()[:200])
    capsys.readouterr()

    # --force: the other programme, unchanged, runs and publishes again as well.
    result = run_idream(raw, warehouse, capsys, force=True)

    assert result.exit_code == 1
    assert f"1 of 2 programme(s) failed: {PARALEGAL}" in result.stderr, result.stderr
    assert f"success_markers/{workbook.name}" in result.stderr  # its own errors, as today
    assert tree_digest(broken_brief) == broken_before
    assert (warehouse / "programmes" / PARALEGAL / "idream.duckdb").read_bytes() == broken_warehouse
    idream_after = json.loads((warehouse / "brief" / IDREAM / "provenance.json").read_text())
    assert idream_after["run_id"] != idream_before["run_id"]
    assert len(re.findall(r"idream: run \S+ succeeded", result.stdout)) == 1


def _run(raw: Path, warehouse: Path, capsys) -> RunResult:
    code = cli.main(["run", "--raw-dir", str(raw), "--warehouse-dir", str(warehouse)])
    captured = capsys.readouterr()
    return RunResult(code, captured.out, captured.err)


def test_a_repeated_id_under_a_root_is_refused_naming_both_folders(tmp_path, capsys):
    root = tmp_path / "root"
    shutil.copytree(EXAMPLE_RAW, root / "paralegal")
    shutil.copytree(EXAMPLE_RAW, root / "paralegal_copy")

    for command in ("run", "check"):
        code = cli.main([command, "--raw-dir", str(root), "--warehouse-dir", str(tmp_path / "w")])
        printed = capsys.readouterr()
        assert code == 1, command
        text = printed.out + printed.err
        assert f"paralegal/: has programme id '{PARALEGAL}', and so does 'paralegal_copy/'" in text
        assert "Traceback" not in text
    assert not (tmp_path / "w" / "brief").exists()


def test_a_programme_folder_without_a_roster_is_refused(tmp_path, capsys):
    root = tmp_path / "root"
    shutil.copytree(EXAMPLE_RAW, root / "paralegal")
    shutil.copytree(EXAMPLE_RAW, root / "second")
    (root / "second" / "participants.xlsx").unlink()

    result = _run(root, tmp_path / "w", capsys)

    assert result.exit_code == 1
    assert "second/: is a programme folder without a roster" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "w" / "brief").exists()


def test_check_on_a_root_checks_every_programme(tmp_path, capsys):
    root = tmp_path / "root"
    shutil.copytree(EXAMPLE_RAW, root / "paralegal")
    shutil.copytree(SAMPLE_RAW, root / "idream_sample")
    (root / "README.txt").write_text("notes")
    report = tmp_path / "report"
    arguments = ["check", "--raw-dir", str(root), "--report", str(report)]

    assert cli.main(arguments) == 0, capsys.readouterr().err
    assert "README.txt" in (report / "problems.csv").read_text(encoding="utf-8-sig")
    capsys.readouterr()

    (workbook,) = sorted((root / "idream_sample" / "success_markers").glob("*.xlsx"))[:1]
    workbook.write_bytes(workbook.read_bytes()[:200])
    assert cli.main(arguments) == 1
    printed = capsys.readouterr()
    # Files are named from the root, so that the report says which programme to fix.
    assert f"idream_sample/success_markers/{workbook.name}" in printed.out, printed.out
