"""The brief's charts as Vega-Lite specs (Altair), rendered offline to SVG and PNG by
vl-convert: the survey answers as diverging stacked bars, the domain rates by cohort with
their intervals, and (further analysis) the highest level reached per domain as stacked
bars. Suppressed figures are left out of all of them; the tables say why."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from orchestration.lib.brief import TOP_BOX, BriefTables, domains
from orchestration.lib.programme_definition import ProgrammeDefinition, Scale
from orchestration.lib.report.text import cohort_label
from orchestration.lib.report.wording import chart_title, domain_titles, scales_by_id

# Colour-blind-safe diverging palettes (ColorBrewer RdBu) by a scale's number of categories,
# lowest first: reds below the middle, blues above, a neutral grey for an odd scale's middle.
DIVERGING = {
    2: ("#ef8a62", "#67a9cf"),
    3: ("#ef8a62", "#bdbdbd", "#67a9cf"),
    4: ("#b2182b", "#ef8a62", "#67a9cf", "#2166ac"),
    5: ("#b2182b", "#ef8a62", "#bdbdbd", "#67a9cf", "#2166ac"),
    6: ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"),
    7: ("#b2182b", "#ef8a62", "#fddbc7", "#bdbdbd", "#d1e5f0", "#67a9cf", "#2166ac"),
}
# The highest level reached: a grey for no marker, then one hue getting darker with each
# level (ColorBrewer Blues): order reads as lightness, which colour-blind readers see too.
NO_MARKER_GREY = "#969696"
LEVEL_BLUES = {
    1: ("#3182bd",),
    2: ("#9ecae1", "#2171b5"),
    3: ("#c6dbef", "#6baed6", "#2171b5"),
    4: ("#c6dbef", "#9ecae1", "#4292c6", "#08519c"),
    5: ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"),
}
# Segments narrower than this (in points of percent) carry no label: it would not fit.
MIN_LABELLED_SHARE = 7
WIDTH = 360
# vl-convert sizes the labels with Liberation Sans; Arial has the same metrics, so the page
# looks as laid out wherever Arial is. Elsewhere a wider fallback font (DejaVu Sans) would
# clip the left-hand labels: the left padding leaves them room.
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
PADDING = {"left": 48, "top": 5, "right": 10, "bottom": 5}
LABEL_LIMIT = 340


# The further analysis' chart: file stem and the page's figure.
HIGHEST_LEVELS = "highest_levels"


@dataclass(frozen=True)
class RenderedChart:
    name: str
    svg: str
    png: bytes


def below_middle(shares: list[float]) -> float:
    """How far left of zero an item's bar starts: an odd scale's neutral category is
    centred on zero, an even scale is split at its middle."""
    half = len(shares) // 2
    neutral = shares[half] / 2 if len(shares) % 2 else 0
    return sum(shares[:half]) + neutral


def axis_title(scale: Scale) -> str:
    if len(scale.categories) % 2:
        return "% of valid answers (neutral centred on 0)"
    return "% of valid answers (split at the scale's middle)"


def survey_answer_rows(items: pl.DataFrame, definition: ProgrammeDefinition) -> list[dict]:
    """One row per item and answer category: where its bar segment starts and ends, in percent
    of the item's valid answers, the scale's middle on zero."""
    scales = scales_by_id(definition)
    rows = []
    for item in items.iter_rows(named=True):
        if item[f"{TOP_BOX}_suppressed"] or not item["valid_n"]:
            continue
        categories = scales[item["scale"]].categories
        shares = [100 * item[f"{category.id}_n"] / item["valid_n"] for category in categories]
        start = -below_middle(shares)
        for order, (category, share) in enumerate(zip(categories, shares, strict=True)):
            rows.append(
                {
                    "section": item["section"],
                    "scale": item["scale"],
                    "item": f"{item['statement']} (n={item['valid_n']})",
                    "answer": category.label,
                    "order": order,
                    "start": round(start, 6),
                    "end": round(start + share, 6),
                }
            )
            start += share
    return rows


def survey_answers_chart(items: pl.DataFrame, definition: ProgrammeDefinition):
    """One panel per section (and per scale, for a section whose items are on several), in
    the definition's order."""
    import altair as alt

    rows = survey_answer_rows(items, definition)
    panels = []
    for section in definition.survey.sections:
        in_section = [row for row in rows if row["section"] == section.id]
        used = [
            scale
            for scale in definition.survey.scales
            if any(row["scale"] == scale.id for row in in_section)
        ]
        for scale in used:
            panel_rows = [row for row in in_section if row["scale"] == scale.id]
            title = chart_title(section)
            if len(used) > 1:
                title = f"{title} ({scale.id})"
            answers = [category.label for category in scale.categories]
            order = list(dict.fromkeys(row["item"] for row in panel_rows))
            panels.append(
                alt.Chart(alt.Data(values=panel_rows), title=title)
                .mark_bar()
                .encode(
                    x=alt.X(
                        "start:Q", title=axis_title(scale), scale=alt.Scale(domain=[-100, 100])
                    ),
                    x2="end:Q",
                    y=alt.Y(
                        "item:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)
                    ),
                    color=alt.Color(
                        "answer:N",
                        scale=alt.Scale(domain=answers, range=list(DIVERGING[len(answers)])),
                        legend=alt.Legend(title=None, orient="bottom", columns=len(answers)),
                    ),
                    order="order:Q",
                )
                .properties(width=WIDTH)
            )
    return alt.vconcat(*panels).resolve_scale(color="independent")


def domain_rate_rows(table: pl.DataFrame, definition: ProgrammeDefinition) -> list[dict]:
    cohorts = table.filter(pl.col("cohort") != "all").height
    titles = domain_titles(definition)
    return [
        {
            "cohort": cohort_label(row, cohorts, definition),
            "domain": titles[domain],
            "pct": row[f"{domain}_pct"],
            "ci_low": row[f"{domain}_ci_low"],
            "ci_high": row[f"{domain}_ci_high"],
            "k_n": f"{row[f'{domain}_achieved']}/{row['participants']}",
        }
        for row in table.iter_rows(named=True)
        for domain in domains(definition)
        if not row[f"{domain}_suppressed"]
    ]


def domain_rates_chart(table: pl.DataFrame, definition: ProgrammeDefinition):
    import altair as alt

    rows = domain_rate_rows(table, definition)
    cohorts = list(dict.fromkeys(row["cohort"] for row in rows))
    y = alt.Y("cohort:N", sort=cohorts, title=None)
    x_scale = alt.Scale(domain=[0, 100])
    interval = (
        alt.Chart()
        .mark_rule(strokeWidth=2, color="#67a9cf")
        .encode(
            x=alt.X("ci_low:Q", scale=x_scale, title="% achieved, with 95% Wilson interval"),
            x2="ci_high:Q",
            y=y,
        )
    )
    point = alt.Chart().mark_point(filled=True, size=60, color="#2166ac").encode(x="pct:Q", y=y)
    label = (
        alt.Chart()
        .mark_text(align="right", dx=-4, dy=-9, fontSize=10)
        .encode(x="pct:Q", y=y, text="k_n:N")
    )
    return (
        alt.layer(interval, point, label, data=alt.Data(values=rows))
        .properties(width=220)
        .facet(
            facet=alt.Facet("domain:N", sort=list(domain_titles(definition).values()), title=None),
            columns=2,
        )
    )


def ink(colour: str) -> str:
    """Black text on a light fill, white on a dark one (WCAG relative luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "white" if luminance < 0.18 else "black"


def highest_level_rows(levels_table: pl.DataFrame, definition: ProgrammeDefinition) -> list[dict]:
    """One row per domain (all cohorts) and level, none first: where its bar segment starts
    and ends, in percent of the participants. A domain with a withheld cell is left out
    whole: where its other segments start would give the withheld one away."""
    from orchestration.lib.report.further_analysis import level_labels

    labels, titles = level_labels(definition), domain_titles(definition)
    colours = (NO_MARKER_GREY, *LEVEL_BLUES[len(labels) - 1])
    rows = []
    for domain in domains(definition):
        row = levels_table.filter((pl.col("cohort") == "all") & (pl.col("domain") == domain)).row(
            0, named=True
        )
        counts = [row[f"highest_{x}_n"] for x in labels]
        if None in counts or not row["participants"]:
            continue
        start = 0.0
        for order, (label, k, colour) in enumerate(
            zip(labels.values(), counts, colours, strict=True)
        ):
            share = 100 * k / row["participants"]
            rows.append(
                {
                    "domain": f"{titles[domain]} (N={row['participants']})",
                    "level": label,
                    "order": order,
                    "start": round(start, 6),
                    "end": round(start + share, 6),
                    "middle": round(start + share / 2, 6),
                    "label": f"{k}" if share >= MIN_LABELLED_SHARE else "",
                    "ink": ink(colour),
                }
            )
            start += share
    return rows


def highest_levels_chart(levels_table: pl.DataFrame, definition: ProgrammeDefinition):
    import altair as alt

    from orchestration.lib.report.further_analysis import level_labels

    rows = highest_level_rows(levels_table, definition)
    labels = list(level_labels(definition).values())
    order = list(dict.fromkeys(row["domain"] for row in rows))
    y = alt.Y("domain:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT))
    bars = (
        alt.Chart()
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X(
                "start:Q",
                title="% of participants, by highest level reached",
                scale=alt.Scale(domain=[0, 100]),
            ),
            x2="end:Q",
            y=y,
            color=alt.Color(
                "level:N",
                scale=alt.Scale(
                    domain=labels, range=[NO_MARKER_GREY, *LEVEL_BLUES[len(labels) - 1]]
                ),
                # Room between entries for a wider fallback font than vl-convert's.
                legend=alt.Legend(
                    title=None, orient="bottom", columns=len(labels), columnPadding=18
                ),
            ),
            order="order:Q",
        )
    )
    counts = (
        alt.Chart()
        .mark_text(baseline="middle", fontSize=10)
        .encode(x="middle:Q", y=y, text="label:N", color=alt.Color("ink:N", scale=None))
    )
    return alt.layer(bars, counts, data=alt.Data(values=rows)).properties(width=WIDTH)


def render(tables: BriefTables) -> list[RenderedChart]:
    charts = [
        _render("survey_answers", survey_answers_chart(tables.survey_items, tables.definition)),
        _render("domain_rates", domain_rates_chart(tables.success_markers, tables.definition)),
    ]
    further = tables.further
    if further is not None and highest_level_rows(further.marker_levels, tables.definition):
        chart = highest_levels_chart(further.marker_levels, tables.definition)
        charts.append(_render(HIGHEST_LEVELS, chart))
    return charts


def _render(name: str, chart) -> RenderedChart:
    import altair as alt
    import vl_convert

    spec = chart.configure(font=FONT, padding=PADDING).to_dict()
    # The Vega-Lite version Altair wrote the spec for, in vl-convert's spelling ("6.4").
    version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    svg = vl_convert.vegalite_to_svg(spec, vl_version=version)
    # The PNG from the SVG just drawn: the same bytes as drawing the chart again, in a third
    # of the time.
    return RenderedChart(name=name, svg=svg, png=vl_convert.svg_to_png(svg, scale=2))
