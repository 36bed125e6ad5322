"""dbt's unit tests of the rate logic (`unit_tests:` in transforms/models/), run as a user
runs them, with `idream dbt test --select test_type:unit`, against the warehouse of a real
run: dbt reads the parents' column types from it. The pipeline's own build leaves unit
tests out, so this is where they run."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

MODELS_DIR = Path(__file__).resolve().parents[2] / "transforms" / "models"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
PASSED = re.compile(r"^\S+\s+\d+ of (\d+) PASS \w+::(\w+) ", re.M)


def declared_unit_tests() -> set[str]:
    names = set()
    for path in MODELS_DIR.rglob("*.yml"):
        names |= {test["name"] for test in yaml.safe_load(path.read_text()).get("unit_tests", [])}
    return names


# The rules contract v2 made the definition's (issue 14): a test dropped by an edit of the
# YAML would otherwise go unnoticed, since the run below only checks what is declared.
DEFINITION_RULES = {
    "status_counts_as_achieved_by_the_definition",
    "achieved_only_at_the_first_of_three_reviews",
    "domain_without_markers_counts_as_not_achieved",
    "four_point_scale_with_a_top_box_of_one",
    "excluded_answer_is_not_in_the_denominator",
    "answer_counts_every_category_of_the_item_scale",
}
# A warehouse holding several programmes (issue 15): their rows never mix in a fact or mart.
PROGRAMMES_APART = {
    "two_programmes_are_counted_apart",
    "a_participant_key_in_two_programmes_is_two_participants",
    "each_programme_has_its_own_zero_filled_grid",
}


def test_every_dbt_unit_test_runs_and_passes(sample_run, tmp_path):
    declared = declared_unit_tests()
    assert len(declared) >= 13, declared
    assert not DEFINITION_RULES - declared, DEFINITION_RULES - declared
    assert not PROGRAMMES_APART - declared, PROGRAMMES_APART - declared
    # A copy of the run's warehouse: dbt writes into the folder it is given (its target,
    # the database's lock), and other tests read the run's own dbt results there.
    warehouse = tmp_path / "warehouse"
    shutil.copytree(sample_run[0], warehouse)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("idream")),
            *("dbt", "test", "--select", "test_type:unit"),
            *("--target-path", str(tmp_path / "target")),
        ],
        env={**os.environ, "IDREAM_WAREHOUSE_DIR": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = ANSI_ESCAPE.sub("", result.stdout)
    assert result.returncode == 0, output[-4000:] + result.stderr[-2000:]
    # Every declared unit test ran and passed, and nothing else ran: a selection that
    # silently matched nothing (or fewer tests) would exit 0 too.
    passed = PASSED.findall(output)
    assert {name for _, name in passed} == declared, output[-4000:]
    assert {int(total) for total, _ in passed} == {len(declared)}, output[-4000:]
    assert f"Finished running {len(declared)} unit tests" in output, output[-4000:]
