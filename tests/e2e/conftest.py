"""One run of the real pipeline on the shipped sample, shared by every module that reads it:
each run costs half a minute on two cores."""

import re

import pytest

from tests.conftest import SAMPLE_RAW, run_idream_captured, tree_digest


class SampleRun(tuple):
    """(warehouse folder, digest of raw/ before the run, run id), and what the run printed."""

    terminal: str


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("warehouse")
    raw_before = tree_digest(SAMPLE_RAW)
    result, out, err = run_idream_captured(SAMPLE_RAW, warehouse)
    assert result.exit_code == 0, err
    run_id = re.search(r"idream: run (\S+) succeeded", out).group(1)
    run = SampleRun((warehouse, raw_before, run_id))
    run.terminal = err + out
    return run
