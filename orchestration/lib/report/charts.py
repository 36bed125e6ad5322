"""The brief's two charts as Vega-Lite specs (Altair), rendered offline to SVG and PNG by
vl-convert: the survey answers as diverging stacked bars, and the domain rates by cohort with
their intervals. Suppressed rates are left out of both; the tables say why."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from orchestration.lib.brief import DOMAIN_TITLES, DOMAINS, SCALE_ANSWERS, BriefTables
from orchestration.lib.report.text import cohort_label

# Colour-blind-safe diverging palette (ColorBrewer RdBu), a neutral grey in the middle.
DIVERGING = ("#b2182b", "#ef8a62", "#bdbdbd", "#67a9cf", "#2166ac")
SECTION_TITLES = {
    "security": "Security-related tasks (confidence compared to before IDREAM)",
    "advocacy": "Advocacy-related strategies (confidence compared to before IDREAM)",
    "connection": "Connection with other IDREAM participants (agreement)",
}
WIDTH = 360
# vl-convert sizes the labels with Liberation Sans; Arial has the same metrics, so the page
# looks as laid out wherever Arial is. Elsewhere a wider fallback font (DejaVu Sans) would
# clip the left-hand labels: the left padding leaves them room.
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
PADDING = {"left": 48, "top": 5, "right": 10, "bottom": 5}
LABEL_LIMIT = 340


@dataclass(frozen=True)
class RenderedChart:
    name: str
    svg: str
    png: bytes


def answer_label(answer: str) -> str:
    return answer.replace("_", " ").replace("dont", "don't").capitalize()


def survey_answer_rows(items: pl.DataFrame) -> list[dict]:
    """One row per item and answer category: where its bar segment starts and ends, in percent
    of the item's valid answers, with the neutral category centred on zero."""
    rows = []
    for item in items.iter_rows(named=True):
        if item["top2_suppressed"] or not item["valid_n"]:
            continue
        answers = SCALE_ANSWERS[item["scale"]]
        shares = [100 * item[f"{answer}_n"] / item["valid_n"] for answer in answers]
        start = -(shares[0] + shares[1] + shares[2] / 2)
        for order, (answer, share) in enumerate(zip(answers, shares, strict=True)):
            rows.append(
                {
                    "section": item["section"],
                    "item": f"{item['statement']} (n={item['valid_n']})",
                    "answer": answer_label(answer),
                    "order": order,
                    "start": round(start, 6),
                    "end": round(start + share, 6),
                }
            )
            start += share
    return rows


def survey_answers_chart(items: pl.DataFrame):
    import altair as alt

    rows = survey_answer_rows(items)
    panels = []
    for section, title in SECTION_TITLES.items():
        section_rows = [row for row in rows if row["section"] == section]
        if not section_rows:
            continue
        scale = items.filter(pl.col("section") == section)["scale"][0]
        answers = [answer_label(answer) for answer in SCALE_ANSWERS[scale]]
        order = list(dict.fromkeys(row["item"] for row in section_rows))
        panels.append(
            alt.Chart(alt.Data(values=section_rows), title=title)
            .mark_bar()
            .encode(
                x=alt.X(
                    "start:Q",
                    title="% of valid answers (neutral centred on 0)",
                    scale=alt.Scale(domain=[-100, 100]),
                ),
                x2="end:Q",
                y=alt.Y("item:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
                color=alt.Color(
                    "answer:N",
                    scale=alt.Scale(domain=answers, range=list(DIVERGING)),
                    legend=alt.Legend(title=None, orient="bottom", columns=5),
                ),
                order="order:Q",
            )
            .properties(width=WIDTH)
        )
    return alt.vconcat(*panels).resolve_scale(color="independent")


def domain_rate_rows(table: pl.DataFrame) -> list[dict]:
    cohorts = table.filter(pl.col("cohort") != "all").height
    return [
        {
            "cohort": cohort_label(row, cohorts),
            "domain": DOMAIN_TITLES[domain],
            "pct": row[f"{domain}_pct"],
            "ci_low": row[f"{domain}_ci_low"],
            "ci_high": row[f"{domain}_ci_high"],
            "k_n": f"{row[f'{domain}_achieved']}/{row['participants']}",
        }
        for row in table.iter_rows(named=True)
        for domain in DOMAINS
        if not row[f"{domain}_suppressed"]
    ]


def domain_rates_chart(table: pl.DataFrame):
    import altair as alt

    rows = domain_rate_rows(table)
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
            facet=alt.Facet("domain:N", sort=[DOMAIN_TITLES[d] for d in DOMAINS], title=None),
            columns=2,
        )
    )


def render(tables: BriefTables) -> list[RenderedChart]:
    return [
        _render("survey_answers", survey_answers_chart(tables.survey_items)),
        _render("domain_rates", domain_rates_chart(tables.success_markers)),
    ]


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
