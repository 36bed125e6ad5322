"""brief.html: one self-contained page (inline CSS and SVG, no scripts, nothing loaded from
anywhere) that opens from a file: the tables, the charts, the methods and the provenance."""

from __future__ import annotations

from pathlib import Path

from orchestration.lib.brief import BriefTables
from orchestration.lib.report import further_analysis
from orchestration.lib.report import tables as html_tables
from orchestration.lib.report.charts import HIGHEST_LEVELS, RenderedChart
from orchestration.lib.report.methods import MethodsSection
from orchestration.lib.report.provenance import Provenance
from orchestration.lib.report.quality_status import QualityStatus
from orchestration.lib.report.text import section_sentences, success_sentence, survey_sentence
from orchestration.lib.report.wording import brief_title

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render_html(
    tables: BriefTables,
    charts: list[RenderedChart],
    methods: list[MethodsSection],
    quality: QualityStatus,
    provenance: Provenance,
) -> str:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    svgs = {chart.name: chart.svg for chart in charts}
    return environment.get_template("brief.html").render(
        further=_further(tables, svgs),
        title=brief_title(tables.definition),
        quality=quality,
        report_link=quality.link,
        success_sentence=success_sentence(tables),
        success_table=html_tables.success_markers_html(tables),
        domain_svg=svgs["domain_rates"],
        survey_sentence=survey_sentence(tables.surveyed_cohorts, tables.respondents),
        section_lines=section_sentences(tables),
        sections_table=html_tables.survey_sections_html(tables),
        survey_svg=svgs["survey_answers"],
        items_table=html_tables.survey_items_html(tables),
        methods=methods,
        provenance=provenance,
        provenance_table=html_tables.key_value_html(provenance.rows()[2:], "provenance-table"),
    )


def _further(tables: BriefTables, svgs: dict[str, str]) -> dict | None:
    """The "Further analysis" section's parts; None when the brief has none."""
    if tables.further is None:
        return None
    words = further_analysis.words(tables)
    return {
        "title": further_analysis.TITLE,
        "sentences": words.sentences,
        "notes": words.notes,
        "levels_svg": svgs.get(HIGHEST_LEVELS),
        "levels_table": further_analysis.levels_html(tables),
        "progress_table": further_analysis.progress_html(tables),
        "by_type_table": further_analysis.by_type_html(tables),
    }
