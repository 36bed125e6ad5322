"""The methods section, generated from the settings, the contract's counting rules and the
run's own figures, so that it cannot drift from what the pipeline did."""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.lib.brief import ANY_DOMAIN, BriefTables
from orchestration.lib.intervals import wilson_percent
from orchestration.lib.programme_definition import ProgrammeDefinition, Scale
from orchestration.lib.report.quality_status import QualityStatus
from orchestration.lib.report.wording import (
    domain_titles,
    listed,
    number_word,
    quoted,
    top_box_rule,
)


@dataclass(frozen=True)
class MethodsSection:
    title: str
    paragraphs: tuple[str, ...]
    # (text, relative href) of a link that closes the section.
    link: tuple[str, str] | None = None


def suppressed_count(tables: BriefTables) -> int:
    frames = (tables.success_markers, tables.survey_items, tables.survey_sections)
    return sum(
        int(frame[column].sum())
        for frame in frames
        for column in frame.columns
        if column.endswith("_suppressed")
    )


def scales_used(tables: BriefTables) -> list[Scale]:
    """The scales of the survey's items, in the definition's order (all of them when no
    item was published)."""
    scales = tables.definition.survey.scales
    used = set(tables.survey_items["scale"]) if "scale" in tables.survey_items.columns else ()
    return [scale for scale in scales if scale.id in used] or list(scales)


def marker_rule(definition: ProgrammeDefinition) -> str:
    """For IDREAM: A success marker is achieved when its status is “Achieved” at any review
    (midpoint or final)."""
    markers = definition.markers
    achieved = quoted(status.label for status in markers.achieved)
    reviews = [review.label for review in markers.reviews]
    when = (
        f"the {reviews[0]} review" if len(reviews) == 1 else f"any review ({listed(reviews, 'or')})"
    )
    return f"A success marker is achieved when its status is {achieved} at {when}."


def top_box_rules(scales: list[Scale]) -> str:
    rules = " ".join(f"{rule[0].upper()}{rule[1:]}." for rule in map(top_box_rule, scales))
    return (
        "A survey item's rate is the share of its valid answers in the top box of its scale, "
        f"the scale's most favourable categories. {rules}"
    )


def left_out(definition: ProgrammeDefinition) -> str:
    """For IDREAM: “Not applicable”, “Don't know” and skipped items are left out."""
    excluded = [f"“{category.label}”" for category in definition.survey.excluded]
    if not excluded:
        return "Skipped items are left out."
    return f"{', '.join(excluded)} and skipped items are left out."


def small_cohort_example(tables: BriefTables) -> str:
    """How wide an interval is at the smallest cohort. For IDREAM: With cohorts of ten, an
    observed 10/10 is compatible with a true rate as low as 72.2%."""
    table = tables.success_markers
    sizes = [
        n
        for cohort, n in table.select("cohort", "participants").iter_rows()
        if n and cohort != "all"
    ]
    if not sizes:
        return "A rate over few people has a wide interval"
    n = min(sizes)
    low, _ = wilson_percent(n, n)
    cohorts = (
        f"cohorts of {number_word(n)}" if len(set(sizes)) == 1 else f"a cohort of {number_word(n)}"
    )
    return f"With {cohorts}, an observed {n}/{n} is compatible with a true rate as low as {low}%"


def methods(tables: BriefTables, quality: QualityStatus) -> list[MethodsSection]:
    k, definition = tables.min_cell_size, tables.definition
    surveyed = tables.surveyed_cohorts
    cohorts = f"Cohort{'s' if len(surveyed) > 1 else ''} {listed([str(c) for c in surveyed])}"
    withheld = suppressed_count(tables)
    return [
        MethodsSection(
            "Counting rules",
            (
                f"{marker_rule(definition)} A participant achieved a domain when at least one "
                "of its markers in that domain is achieved; "
                f"“{domain_titles(definition)[ANY_DOMAIN]}” counts the participants who "
                "achieved at least one marker in any domain.",
                top_box_rules(scales_used(tables)),
            ),
        ),
        MethodsSection(
            "Denominators",
            (
                "Every participant rate is out of the cohort's roster (N): a participant with "
                "no outcome in a domain counts as not having achieved it.",
                f"Every survey item is out of its valid answers (n): {left_out(definition)} "
                "Respondents are distinct "
                f"responses ({tables.respondents}, from {cohorts}); a response "
                "submitted twice counts once, with its latest answers.",
            ),
        ),
        MethodsSection(
            "What “average” means",
            (
                "A section's average is the mean of its items' rates, each item weighing the "
                "same whatever its n, taken over unrounded rates. Percentages are whole "
                "numbers rounded half up (62.5% reads 63%), only at publication.",
                "The averages carry no interval: every item is answered by the same "
                "respondents, so the items are not independent samples; the items' own "
                "intervals show the uncertainty.",
            ),
        ),
        MethodsSection(
            "Uncertainty",
            (
                "Every rate is shown as k/n and a percentage with its 95% Wilson score "
                f"interval (in percent, one decimal). {small_cohort_example(tables)}: read "
                "differences between cohorts against the width of their intervals.",
            ),
        ),
        MethodsSection(
            "Small cells",
            (
                f"A rate whose denominator is below {k} (but not zero) is not published: its "
                "count, percentage and interval read “suppressed”. So that it cannot be "
                "worked out from a total and the other cells, a cohort's row is suppressed "
                "whole, with the next smallest cohort, and with the total too if the "
                "suppressed cells could still only hold one value. A survey item's answer "
                "counts go with its rate. A section's average is suppressed "
                f"when any of its items is, or when fewer than {k} people responded.",
                f"Minimum cell size k = {k}. Cells suppressed in this brief: {withheld}.",
            ),
        ),
        MethodsSection(
            "Interpreting the evidence",
            (
                "Without a control comparison group it is difficult to determine the precise "
                f"contribution of {definition.name} towards the reported outcomes; other "
                "factors may have "
                "played a part.",
                "Success markers and survey answers are self-reported: response bias, such as "
                "the tendency to report positive results and change, may inflate them. The "
                "survey was anonymous to reduce this bias.",
                "Participants set their own outcomes and markers, so their ambition differs "
                f"between participants; the survey was run in {cohorts} only.",
            ),
        ),
        MethodsSection(
            "Data quality",
            (quality.sentence(), *quality.warnings),
            link=("The data-quality report of this run", quality.link),
        ),
    ]
