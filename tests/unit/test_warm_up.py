"""The publish step's warm-up (orchestration/lib/report/warm_up.py) is an optimisation only:
it loads what the publish step needs, and a failure in it never reaches the run."""

import sys

import vl_convert

from orchestration.lib.report import warm_up


def test_the_warm_up_loads_the_publish_steps_libraries():
    warm_up.in_background().join(timeout=120)
    assert {"altair", "great_tables", "jinja2", "vl_convert", "xlsxwriter"} <= set(sys.modules)


def test_a_failing_warm_up_never_raises(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no JavaScript runtime")

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", broken)
    # Run in this thread: in the warm-up's own, an exception would only be reported.
    assert warm_up._warm_up() is None
