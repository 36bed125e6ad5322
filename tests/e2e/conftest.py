"""One run of the real pipeline on the shipped sample, shared by every module that reads it:
each run costs half a minute on two cores."""

import io
import re

import pytest

from tests.conftest import SAMPLE_RAW, run_idream, tree_digest


class SampleRun(tuple):
    """(warehouse folder, digest of raw/ before the run, run id), and what the run printed."""

    terminal: str


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("warehouse")
    raw_before = tree_digest(SAMPLE_RAW)
    with pytest.MonkeyPatch.context() as patch:
        # Capture what `idream run` prints without a function-scoped fixture.
        out, err = io.StringIO(), io.StringIO()
        patch.setattr("sys.stdout", out)
        patch.setattr("sys.stderr", err)
        result = run_idream(SAMPLE_RAW, warehouse)
    assert result.exit_code == 0, err.getvalue()
    run_id = re.search(r"idream: run (\S+) succeeded", out.getvalue()).group(1)
    run = SampleRun((warehouse, raw_before, run_id))
    run.terminal = err.getvalue() + out.getvalue()
    return run
