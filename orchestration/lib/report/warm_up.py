"""The publish step's libraries, loaded ahead of it in a thread of the run's process.

Importing Altair, great-tables, xlsxwriter and jinja2 and starting vl-convert's JavaScript
runtime take about 1.5 s, the same on the sample as at x1000. The dbt step spends longer than
that waiting on dbt's own process, with the second core free: started there, this costs the
run nothing. Purely an optimisation: whatever fails here fails again, and is reported, in the
publish step itself.
"""

from __future__ import annotations

import threading

# The smallest chart vl-convert renders: its first conversion starts the runtime.
_TINY_CHART = {
    "data": {"values": [{"n": 1}]},
    "mark": "bar",
    "encoding": {"x": {"field": "n", "type": "quantitative"}},
}


def in_background() -> threading.Thread:
    thread = threading.Thread(target=_warm_up, name="idream-publish-warm-up", daemon=True)
    thread.start()
    return thread


def _warm_up() -> None:
    try:
        import altair  # noqa: F401
        import great_tables  # noqa: F401
        import jinja2  # noqa: F401
        import vl_convert
        import xlsxwriter  # noqa: F401

        vl_convert.vegalite_to_svg(_TINY_CHART)
        vl_convert.vegalite_to_png(_TINY_CHART)
    except Exception:  # the publish step reports any real failure with its context
        return
